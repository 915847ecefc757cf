"""Widgets that draw a training run's ``Snapshot``: the plane, the charts and the network."""

from .charts import GradientChart, LossChart, WeightHistogram, downsample
from .decision_grid import DecisionGrid
from .network_view import NetworkView

__all__ = [
    "DecisionGrid",
    "GradientChart",
    "LossChart",
    "NetworkView",
    "WeightHistogram",
    "downsample",
]
