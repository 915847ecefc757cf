"""Building a dataset: the one entry point, and the builders the catalogue's rows use."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..i18n import _
from . import synthetic, tabular
from .dataset import Dataset, frozen_dataset
from .errors import DataError
from .features import compute_features
from .settings import DATASETS, Builder, DataConfig, check_seed
from .synthetic import Generator

__all__ = ["build", "build_dataset", "plane_set", "table_set", "truth_set", "user_csv"]

# The data stream of a run; the engine derives its own streams from the same seed
# with other second entries, so changing how data is drawn never shifts them.
DATA_STREAM = 0


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
    ``target`` to ``dataset="csv"`` only. All arguments are checked with the
    settings' own rules whether or not they apply, so a typo in a setting is
    reported rather than silently kept. The training split has
    ``round(points * train_ratio)`` rows (Python's round-half-to-even), kept
    between 1 and ``points - 1``.
    """
    settings = DataConfig(
        dataset=dataset, points=points, noise=noise, train_ratio=train_ratio,
        features=(features,) if isinstance(features, str) else tuple(features),
        csv=csv or "", target=target or "",
    )
    return build(settings, seed)


def build(settings: DataConfig, seed: int) -> Dataset:
    """The dataset ``settings`` describe, drawn from the run's ``seed``."""
    rng = np.random.default_rng([check_seed(seed), DATA_STREAM])
    return DATASETS[settings.dataset].build(settings, rng)


# ---- builders: how each kind of dataset makes its rows ----------------------


def plane_set(name: str, task: str, generate: Generator, class_names: tuple[str, ...]) -> Builder:
    """A generated 2-D set: ``settings.points`` points split into train and test."""

    def make(settings: DataConfig, rng: np.random.Generator) -> Dataset:
        raw, labels = generate(settings.points, settings.noise, rng)
        train, test = _split(settings.points, settings.train_ratio, rng)
        chosen = settings.features
        return frozen_dataset(
            name, task,
            compute_features(raw[train], chosen), labels[train],
            compute_features(raw[test], chosen), labels[test],
            chosen, class_names, raw[train], raw[test], synthetic.PLANE_EXTENT,
        )

    return make


def truth_set(name: str, labels: Sequence[int]) -> Builder:
    """A truth table: four rows, nothing to hold out, so train and test are both all four."""

    def make(settings: DataConfig, rng: np.random.Generator) -> Dataset:
        raw = synthetic.TRUTH_INPUTS.copy()
        y = np.array(labels, dtype=np.int64)
        X = compute_features(raw, settings.features)
        return frozen_dataset(
            name, "binary", X, y, X.copy(), y.copy(), settings.features, synthetic.TRUTH_CLASS_NAMES,
            raw, raw.copy(), synthetic.TRUTH_EXTENT,
        )

    return make


def table_set(load: Callable[[DataConfig], tabular.Table]) -> Builder:
    """Rows read from a table (a shipped file or the user's CSV), standardised."""

    def make(settings: DataConfig, rng: np.random.Generator) -> Dataset:
        table = load(settings)
        train, test = _split(len(table.X), settings.train_ratio, rng)
        X_train, X_test = _standardise(table.X[train], table.X[test])
        return frozen_dataset(
            table.name, table.task, X_train, table.y[train], X_test, table.y[test],
            table.input_names, table.class_names, None, None, 0.0,
        )

    return make


def user_csv(settings: DataConfig) -> tabular.Table:
    if not settings.csv.strip():
        raise DataError(_("data.csv is not set: give the path of a CSV file when data.dataset = 'csv'"))
    return tabular.load_csv(settings.csv, settings.target or None)


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
