"""Every dataset a user can pick: one row each, in the order pickers show them.

TF Playground's four classification sets first, its two regression sets, our
extra 2-D sets, the truth tables, then real data. A new dataset is its
generator (or file) and one row here.
"""

from __future__ import annotations

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


_plane("circle", "binary", "Disc inside a ring: needs a curved boundary (try x1^2, x2^2)", S.circle, _BINARY)
_plane("xor", "binary", "Four quadrants, same colour on opposite corners (try x1*x2)", S.xor, _BINARY)
_plane("gauss", "binary", "Two Gaussian clusters; noise makes them overlap", S.gauss, _BINARY)
_plane("spiral", "binary", "Two interleaved spirals: the hard one", S.spiral, _BINARY)
_plane("plane", "regression", "Target rises linearly along x1 + x2", S.plane)
_plane("multi-gauss", "regression", "Six signed bumps in a checkerboard", S.multi_gauss)
_plane("moons", "binary", "Two interlocking half circles", S.moons, _BINARY)
_plane("spiral3", "multiclass", "Three interleaved spirals, one class per arm (softmax)", S.spiral3, _THREE)
_truth("xor-table", (0, 1, 1, 0), "XOR truth table: 4 rows, not linearly separable")
_truth("and-table", (0, 0, 0, 1), "AND truth table: 4 rows, one line separates it")
_truth("or-table", (0, 1, 1, 1), "OR truth table: 4 rows, one line separates it")
_shipped("iris", "multiclass", "Fisher's iris: 150 flowers, 4 measurements, 3 species", "iris.csv", "species")
_shipped("diabetes", "regression", "Diabetes progression from 10 baseline measurements, 442 patients",
         "diabetes.csv", "progression")
DATASETS.add("csv", DatasetInfo("csv", "auto", "Your own CSV file: set the path and the target column",
                                False, True, table_set(user_csv)))
