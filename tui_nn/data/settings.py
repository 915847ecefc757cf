"""What a dataset is, the catalogue of them, and the data settings of a run.

``DATASETS`` maps each name to a ``DatasetInfo`` (what the app needs to know
before building it, and its builder; ``catalogue.py`` fills it). The data
settings (``[data]`` in a preset) are declared once here with their rules,
because the generators check their arguments with these same rules: a value
refused here reads the same in a preset, in ``--set``, in the settings form
and from ``build_dataset``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from ..i18n import N_
from ..registry import Registry
from ..rules import ConfigError, Interval, Options, Section, Selection, Text, setting
from .dataset import Dataset
from .errors import DataError
from .features import FEATURES

__all__ = ["Builder", "DATASETS", "DataConfig", "DatasetInfo", "SEED", "check_seed"]

# training.seed: the data generators draw from it first, so its rule is here.
SEED = Interval(int, 0, 2**32 - 1)


def check_seed(seed: object) -> int:
    try:
        return int(SEED.check(seed, "training.seed"))
    except ConfigError as exc:
        raise DataError(str(exc)) from None


@dataclass(frozen=True)
class DatasetInfo:
    """What the app needs to know about a dataset before building it, and its builder.

    ``task`` is "binary", "multiclass" or "regression"; for "csv" it is "auto"
    because the user's target column decides (see ``tabular.parse_csv``).
    ``fixed_points`` is True where the rows are given (truth tables, shipped and
    user CSVs), so the ``points`` and ``noise`` settings do not apply.
    ``is_2d`` is True where inputs come from plane coordinates, so the app can
    draw a heatmap and the x1..sin(x2) feature choice applies. ``description``
    is marked with ``N_`` (English); ``_(info.description)`` shows it.
    """

    name: str
    task: str
    description: str
    is_2d: bool
    fixed_points: bool
    build: "Builder" = field(repr=False, compare=False)


DATASETS: Registry[DatasetInfo] = Registry("dataset")


@dataclass(frozen=True)
class DataConfig(Section):
    section_name: ClassVar[str] = "data"
    error: ClassVar[type[ConfigError]] = DataError

    dataset: str = setting(Options(DATASETS.names), "spiral", N_("the data set"))
    points: int = setting(Interval(int, 4, 10000), 500, N_("number of points, train and test together"))
    noise: float = setting(Interval(float, 0.0, 0.5), 0.0, N_("noise added to 2-D data"))
    train_ratio: float = setting(Interval(float, 0.1, 0.9), 0.5, N_("share of points used for training"))
    features: tuple[str, ...] = setting(
        Selection(Options(lambda: tuple(FEATURES))), ("x1", "x2"), N_("input features computed from the 2-D point")
    )
    csv: str = setting(Text(), "", N_("a CSV file of your own (with data.dataset = csv)"))
    target: str = setting(Text(), "", N_("the CSV column to predict"))


# How a dataset's rows are made from the settings and the run's data stream.
Builder = Callable[[DataConfig, np.random.Generator], Dataset]
