"""The catalogue of datasets a user can pick, with what each one is."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DatasetInfo:
    """What the app needs to know about a dataset before building it.

    ``task`` is "binary", "multiclass" or "regression"; for "csv" it is "auto"
    because the user's target column decides (see ``tabular.parse_csv``).
    ``fixed_points`` is True where the rows are given (truth tables, shipped and
    user CSVs), so the ``points`` and ``noise`` settings do not apply.
    ``is_2d`` is True where inputs come from plane coordinates, so the app can
    draw a heatmap and the x1..sin(x2) feature choice applies.
    """

    name: str
    task: str
    description: str
    is_2d: bool
    fixed_points: bool


# Order is the order shown in pickers: TF Playground's four classification sets
# first, its two regression sets, our extra 2-D sets, truth tables, then real data.
# Columns: name, task, is_2d, fixed_points, description.
_TABLE: tuple[tuple[str, str, bool, bool, str], ...] = (
    ("circle", "binary", True, False, "Disc inside a ring: needs a curved boundary (try x1^2, x2^2)"),
    ("xor", "binary", True, False, "Four quadrants, same colour on opposite corners (try x1*x2)"),
    ("gauss", "binary", True, False, "Two Gaussian clusters; noise makes them overlap"),
    ("spiral", "binary", True, False, "Two interleaved spirals: the hard one"),
    ("plane", "regression", True, False, "Target rises linearly along x1 + x2"),
    ("multi-gauss", "regression", True, False, "Six signed bumps in a checkerboard"),
    ("moons", "binary", True, False, "Two interlocking half circles"),
    ("spiral3", "multiclass", True, False, "Three interleaved spirals, one class per arm (softmax)"),
    ("xor-table", "binary", True, True, "XOR truth table: 4 rows, not linearly separable"),
    ("and-table", "binary", True, True, "AND truth table: 4 rows, one line separates it"),
    ("or-table", "binary", True, True, "OR truth table: 4 rows, one line separates it"),
    ("iris", "multiclass", False, True, "Fisher's iris: 150 flowers, 4 measurements, 3 species"),
    ("diabetes", "regression", False, True, "Diabetes progression from 10 baseline measurements, 442 patients"),
    ("csv", "auto", False, True, "Your own CSV file: set the path and the target column"),
)

DATASETS: dict[str, DatasetInfo] = {
    name: DatasetInfo(name, task, description, is_2d, fixed_points)
    for name, task, is_2d, fixed_points, description in _TABLE
}
