"""The NumPy engine: activations, losses, optimizers, initialisers, the network.

Plain NumPy; nothing here imports a terminal UI library.
"""

from .activations import ACTIVATIONS, Activation, get_activation
from .initializers import INITIALIZERS
from .losses import LOSSES, Loss, get_loss
from .network import LayerStats, Network
from .optimizers import OPTIMIZERS, Optimizer, make_optimizer

__all__ = [
    "ACTIVATIONS", "Activation", "INITIALIZERS", "LOSSES", "LayerStats", "Loss",
    "Network", "OPTIMIZERS", "Optimizer", "get_activation", "get_loss", "make_optimizer",
]
