"""Rosenblatt's perceptron learning rule, taught before backpropagation.

No gradients: for each sample in turn, ``w += lr * (y - y_hat) * x`` with
``y_hat`` the step unit's output, so only misclassified samples move the
weights. It converges when one line separates the classes (AND, OR) and
cycles forever when none does (XOR), which is the lesson.
"""

from __future__ import annotations

import numpy as np

from ..engine.network import Network

__all__ = ["perceptron_epoch"]


def perceptron_epoch(net: Network, xa: np.ndarray, y: np.ndarray, lr: float) -> int:
    """One online pass over ``xa`` (inputs with the ones column) and 0/1 targets ``y``.

    Updates the network's single layer in place and returns how many samples
    were misclassified on the way (0 means it has converged).
    """
    if net.n_layers != 1 or net.output.name != "step":
        raise ValueError("the perceptron rule needs one layer with a step output")
    Wa = net.Wa[0][:, 0]  # weights and bias of the single output unit
    mistakes = 0
    for x, target in zip(xa, y[:, 0]):
        y_hat = 1.0 if float(x @ Wa) >= 0.0 else 0.0
        error = target - y_hat
        if error != 0.0:
            Wa += lr * error * x
            mistakes += 1
    return mistakes
