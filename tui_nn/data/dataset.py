"""The Dataset handed to the engine and the app: read-only train and test arrays."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..i18n import _
from .errors import DataError
from .features import compute_features

__all__ = ["Dataset", "frozen_dataset"]


@dataclass(frozen=True, eq=False)
class Dataset:
    """Train and test arrays ready for the network, plus what is needed to draw them.

    For classification, ``y`` holds class indices 0..k-1 (int64) naming
    ``class_names[k]``; for regression it holds float64 targets and
    ``class_names`` is empty. 2-D binary sets use ``("orange", "blue")``: index 1
    is TF Playground's +1 label, which TF draws blue.

    2-D inputs are the selected features of the raw plane coordinates, not
    standardised (as in TF Playground); tabular inputs are standardised with the
    training split's mean and standard deviation. Truth tables have only four
    rows, so there is nothing to hold out: train and test are both all four.

    Arrays are read-only so the shared data cannot be altered by accident; copy
    before changing. Equality is identity because element-wise array comparison
    has no single truth value.
    """

    name: str
    task: str
    X_train: np.ndarray = field(repr=False)
    y_train: np.ndarray = field(repr=False)
    X_test: np.ndarray = field(repr=False)
    y_test: np.ndarray = field(repr=False)
    input_names: tuple[str, ...]
    class_names: tuple[str, ...]
    raw_train: np.ndarray | None = field(repr=False)
    raw_test: np.ndarray | None = field(repr=False)
    extent: float

    def features(self, plane_points: np.ndarray) -> np.ndarray:
        """Map raw (n, 2) plane points to network inputs with this dataset's feature selection.

        Used to evaluate the network over a grid for the heatmap. Tabular data has
        no plane, so it raises DataError.
        """
        if not self.is_2d:
            raise DataError(_("{name} is tabular data: it has no plane to compute features on").format(name=self.name))
        return compute_features(plane_points, self.input_names)

    @property
    def n_inputs(self) -> int:
        return int(self.X_train.shape[1])

    @property
    def n_classes(self) -> int:
        """2 for binary, k for multiclass, 0 for regression."""
        return 0 if self.task == "regression" else len(self.class_names)

    @property
    def is_2d(self) -> bool:
        return self.raw_train is not None


def frozen_dataset(
    name: str, task: str, X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray, y_test: np.ndarray,
    input_names: tuple[str, ...], class_names: tuple[str, ...],
    raw_train: np.ndarray | None, raw_test: np.ndarray | None, extent: float,
) -> Dataset:
    y_dtype = np.float64 if task == "regression" else np.int64

    def frozen(a: np.ndarray, dtype: type[np.generic]) -> np.ndarray:
        out: np.ndarray = np.ascontiguousarray(a, dtype=dtype)
        out.flags.writeable = False
        return out

    return Dataset(
        name, task,
        frozen(X_train, np.float64), frozen(y_train, y_dtype), frozen(X_test, np.float64), frozen(y_test, y_dtype),
        tuple(input_names), tuple(class_names),
        None if raw_train is None else frozen(raw_train, np.float64),
        None if raw_test is None else frozen(raw_test, np.float64),
        float(extent),
    )
