"""Every dataset a user can pick: one row each, in the order pickers show them.

TF Playground's four classification sets first, its two regression sets, our
extra 2-D sets, the truth tables, then real data. A new dataset is its
generator (or file) and one row here.
"""

from __future__ import annotations

from ..i18n import N_
from . import synthetic as S
from .builders import plane_set, table_set, truth_set, user_csv
from .settings import DATASETS, DatasetInfo
from .tabular import load_shipped

_BINARY, _THREE = S.BINARY_CLASS_NAMES, S.SPIRAL3_CLASS_NAMES


def _plane(name: str, task: str, description: str, generate: S.Generator, classes: tuple[str, ...] = ()) -> None:
    DATASETS.add(name, DatasetInfo(name, task, description, True, False, plane_set(name, task, generate, classes)))


def _truth(name: str, labels: tuple[int, int, int, int], description: str) -> None:
    DATASETS.add(name, DatasetInfo(name, "binary", description, True, True, truth_set(name, labels)))


def _shipped(name: str, task: str, description: str, filename: str, target: str) -> None:
    build = table_set(lambda settings: load_shipped(name, filename, target))
    DATASETS.add(name, DatasetInfo(name, task, description, False, True, build))


_plane("circle", "binary", N_("Disc inside a ring: needs a curved boundary (try x1^2, x2^2)"), S.circle, _BINARY)
_plane("xor", "binary", N_("Four quadrants, same colour on opposite corners (try x1*x2)"), S.xor, _BINARY)
_plane("gauss", "binary", N_("Two Gaussian clusters; noise makes them overlap"), S.gauss, _BINARY)
_plane("spiral", "binary", N_("Two interleaved spirals: the hard one"), S.spiral, _BINARY)
_plane("plane", "regression", N_("Target rises linearly along x1 + x2"), S.plane)
_plane("multi-gauss", "regression", N_("Six signed bumps in a checkerboard"), S.multi_gauss)
_plane("moons", "binary", N_("Two interlocking half circles"), S.moons, _BINARY)
_plane("spiral3", "multiclass", N_("Three interleaved spirals, one class per arm (softmax)"), S.spiral3, _THREE)
_truth("xor-table", (0, 1, 1, 0), N_("XOR truth table: 4 rows, not linearly separable"))
_truth("and-table", (0, 0, 0, 1), N_("AND truth table: 4 rows, one line separates it"))
_truth("or-table", (0, 1, 1, 1), N_("OR truth table: 4 rows, one line separates it"))
_shipped("iris", "multiclass", N_("Fisher's iris: 150 flowers, 4 measurements, 3 species"), "iris.csv", "species")
_shipped("diabetes", "regression", N_("Diabetes progression from 10 baseline measurements, 442 patients"),
         "diabetes.csv", "progression")
DATASETS.add("csv", DatasetInfo("csv", "auto", N_("Your own CSV file: set the path and the target column"),
                                False, True, table_set(user_csv)))
