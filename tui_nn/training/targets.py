"""Targets as the output layer sees them, and the metric people read.

Binary labels become the output activation's two targets (0/1 for sigmoid,
-1/+1 for tanh), classes become one-hot rows for softmax, and regression
targets of tabular data are standardised (disease progression 25..346, say)
so one learning rate suits every data set: losses are then in units of the
target's variance, and RMSE is scaled back to the data's own units.
"""

from __future__ import annotations

import numpy as np

from ..data import Dataset
from ..engine.activations import Activation

__all__ = ["Targets"]


class Targets:
    def __init__(self, dataset: Dataset, output: Activation) -> None:
        self.task = dataset.task
        self.n_classes = dataset.n_classes
        self.output = output
        self.shift, self.scale = 0.0, 1.0
        if dataset.task == "regression" and not dataset.is_2d:
            self.shift = float(dataset.y_train.mean())
            self.scale = float(dataset.y_train.std()) or 1.0

    @property
    def metric_name(self) -> str:
        return "rmse" if self.task == "regression" else "accuracy"

    def encode(self, y: np.ndarray) -> np.ndarray:
        """(n, outputs) floats for labels or targets ``y``."""
        if self.task == "regression":
            return ((y - self.shift) / self.scale).reshape(-1, 1).astype(float)
        if self.output.name == "softmax":
            onehot = np.zeros((len(y), self.n_classes))
            onehot[np.arange(len(y)), y] = 1.0
            return onehot
        lo, hi = self.output.binary_targets
        return np.where(y == 1, hi, lo).reshape(-1, 1).astype(float)

    def classes(self, p: np.ndarray) -> np.ndarray:
        """The class each output row decides for."""
        classes: np.ndarray = p.argmax(axis=1) if p.shape[1] > 1 else (
            p[:, 0] >= self.output.threshold
        ).astype(np.int64)
        return classes

    def metric(self, p: np.ndarray, y_raw: np.ndarray, Y: np.ndarray) -> float:
        """Accuracy, or RMSE in the data's units."""
        if self.task == "regression":
            d = p[:, 0] - Y[:, 0]
            return float(np.sqrt(np.mean(d * d))) * self.scale
        return float(np.mean(self.classes(p) == y_raw))

    @staticmethod
    def r2(p: np.ndarray, Y: np.ndarray) -> float:
        ss_res = float(np.sum((p[:, 0] - Y[:, 0]) ** 2))
        ss_tot = float(np.sum((Y[:, 0] - Y[:, 0].mean()) ** 2)) or 1.0
        return 1.0 - ss_res / ss_tot
