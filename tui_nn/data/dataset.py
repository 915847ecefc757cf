"""The Dataset handed to the engine and the app, and the one function that builds it."""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from . import synthetic, tabular
from .errors import DataError
from .features import check_features, compute_features
from .registry import DATASETS

POINTS_RANGE = (4, 10000)
NOISE_RANGE = (0.0, 0.5)
TRAIN_RATIO_RANGE = (0.1, 0.9)

# The data stream of a run; the engine derives its own streams from the same seed
# with other second entries, so changing how data is drawn never shifts them.
DATA_STREAM = 0


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
            raise DataError(f"{self.name} is tabular data: it has no plane to compute features on")
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


def build_dataset(
    dataset: str,
    *,
    points: int = 500,
    noise: float = 0.0,
    train_ratio: float = 0.5,
    features: Sequence[str] = ("x1", "x2"),
    seed: int = 0,
    csv: str | None = None,
    target: str | None = None,
) -> Dataset:
    """Build a dataset; the same arguments and seed always give bit-identical arrays.

    ``points`` (total before the split) and ``noise`` apply to the generated 2-D
    sets only; ``features`` to the 2-D sets and truth tables; ``csv`` and
    ``target`` to ``dataset="csv"`` only. All arguments are validated whether or
    not they apply, so a typo in a setting is reported rather than silently kept.
    The training split has ``round(points * train_ratio)`` rows (Python's
    round-half-to-even), kept between 1 and ``points - 1``.
    """
    if not isinstance(dataset, str) or dataset not in DATASETS:
        raise DataError(f"data.dataset = {_show(dataset)} is unknown: allowed {', '.join(DATASETS)}")
    points = _check_int("data.points", points, *POINTS_RANGE)
    noise = _check_real("data.noise", noise, *NOISE_RANGE)
    train_ratio = _check_real("data.train_ratio", train_ratio, *TRAIN_RATIO_RANGE)
    chosen = check_features(features)
    seed = _check_int("seed", seed, 0, None)
    rng = np.random.default_rng([seed, DATA_STREAM])

    if dataset in synthetic.TRUTH_TABLES:
        raw, labels = synthetic.truth_table(dataset)
        X = compute_features(raw, chosen)
        return _frozen(
            dataset, "binary", X, labels, X.copy(), labels.copy(), chosen, synthetic.TRUTH_CLASS_NAMES,
            raw, raw.copy(), synthetic.TRUTH_EXTENT,
        )

    if dataset in synthetic.GENERATORS:
        raw, labels = synthetic.GENERATORS[dataset](points, noise, rng)
        train, test = _split(points, train_ratio, rng)
        return _frozen(
            dataset, DATASETS[dataset].task,
            compute_features(raw[train], chosen), labels[train],
            compute_features(raw[test], chosen), labels[test],
            chosen, synthetic.CLASS_NAMES[dataset], raw[train], raw[test], synthetic.PLANE_EXTENT,
        )

    if dataset == "csv":
        if csv is None or (isinstance(csv, str) and not csv.strip()):
            raise DataError("data.csv is not set: give the path of a CSV file when data.dataset = 'csv'")
        table = tabular.load_csv(csv, target)
    else:
        table = tabular.load_shipped(dataset)
    train, test = _split(len(table.X), train_ratio, rng)
    X_train, X_test = _standardise(table.X[train], table.X[test])
    return _frozen(
        table.name, table.task, X_train, table.y[train], X_test, table.y[test],
        table.input_names, table.class_names, None, None, 0.0,
    )


def _split(n: int, train_ratio: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    # Indices rather than shuffled copies, so inputs, labels and raw points stay aligned.
    order = rng.permutation(n)
    n_train = min(max(round(n * train_ratio), 1), n - 1)
    return order[:n_train], order[n_train:]


def _standardise(train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # Statistics from the training split only, so nothing about the test rows
    # leaks into training; a constant column is centred but not scaled.
    mean = train.mean(axis=0)
    std = train.std(axis=0)
    std[std == 0] = 1.0
    return (train - mean) / std, (test - mean) / std


def _frozen(
    name: str, task: str, X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray, y_test: np.ndarray,
    input_names: tuple[str, ...], class_names: tuple[str, ...],
    raw_train: np.ndarray | None, raw_test: np.ndarray | None, extent: float,
) -> Dataset:
    y_dtype = np.float64 if task == "regression" else np.int64
    arrays = [
        np.ascontiguousarray(X_train, dtype=np.float64), np.ascontiguousarray(y_train, dtype=y_dtype),
        np.ascontiguousarray(X_test, dtype=np.float64), np.ascontiguousarray(y_test, dtype=y_dtype),
    ]
    raws = [None if r is None else np.ascontiguousarray(r, dtype=np.float64) for r in (raw_train, raw_test)]
    for a in arrays + raws:
        if a is not None:
            a.flags.writeable = False
    return Dataset(
        name, task, *arrays, tuple(input_names), tuple(class_names), *raws, float(extent)
    )


def _show(value: object) -> str:
    # NumPy scalars repr as "np.float64(0.7)"; users wrote 0.7.
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return repr(value.item() if isinstance(value, np.generic) else value)
    return repr(value)


def _allowed(lo: float, hi: float | None) -> str:
    return f"allowed {lo:g} or more" if hi is None else f"allowed {lo:g} to {hi:g}"


def _check_int(name: str, value: object, lo: int, hi: int | None) -> int:
    # bool is an int subclass, but "points = true" is surely a mistake.
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise DataError(f"{name} = {_show(value)} is not a whole number: {_allowed(lo, hi)}")
    value = int(value)
    if value < lo or (hi is not None and value > hi):
        raise DataError(f"{name} = {value} is out of range: {_allowed(lo, hi)}")
    return value


def _check_real(name: str, value: object, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise DataError(f"{name} = {_show(value)} is not a number: {_allowed(lo, hi)}")
    value = float(value)
    if not (math.isfinite(value) and lo <= value <= hi):
        raise DataError(f"{name} = {value!r} is out of range: {_allowed(lo, hi)}")
    return value
