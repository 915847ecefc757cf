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


def _info(name: str, task: str, description: str, *, is_2d: bool, fixed_points: bool) -> tuple[str, DatasetInfo]:
    return name, DatasetInfo(name, task, description, is_2d, fixed_points)


# Order is the order shown in pickers: TF Playground's four classification sets
# first, its two regression sets, our extra 2-D sets, truth tables, then real data.
DATASETS: dict[str, DatasetInfo] = dict(
    [
        _info("circle", "binary", "Disc inside a ring: needs a curved boundary (try x1^2, x2^2)", is_2d=True, fixed_points=False),
        _info("xor", "binary", "Four quadrants, same colour on opposite corners (try x1*x2)", is_2d=True, fixed_points=False),
        _info("gauss", "binary", "Two Gaussian clusters; noise makes them overlap", is_2d=True, fixed_points=False),
        _info("spiral", "binary", "Two interleaved spirals: the hard one", is_2d=True, fixed_points=False),
        _info("plane", "regression", "Target rises linearly along x1 + x2", is_2d=True, fixed_points=False),
        _info("multi-gauss", "regression", "Six signed bumps in a checkerboard", is_2d=True, fixed_points=False),
        _info("moons", "binary", "Two interlocking half circles", is_2d=True, fixed_points=False),
        _info("spiral3", "multiclass", "Three interleaved spirals, one class per arm (softmax)", is_2d=True, fixed_points=False),
        _info("xor-table", "binary", "XOR truth table: 4 rows, not linearly separable", is_2d=True, fixed_points=True),
        _info("and-table", "binary", "AND truth table: 4 rows, one line separates it", is_2d=True, fixed_points=True),
        _info("or-table", "binary", "OR truth table: 4 rows, one line separates it", is_2d=True, fixed_points=True),
        _info("iris", "multiclass", "Fisher's iris: 150 flowers, 4 measurements, 3 species", is_2d=False, fixed_points=True),
        _info("diabetes", "regression", "Diabetes progression from 10 baseline measurements, 442 patients", is_2d=False, fixed_points=True),
        _info("csv", "auto", "Your own CSV file: set the path and the target column", is_2d=False, fixed_points=True),
    ]
)
