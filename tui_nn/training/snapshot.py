"""Read-only pictures of a run, made where the trainer runs, for the UI.

Everything in a ``Snapshot`` is a fresh copy (or a read-only array the
trainer never writes), so another thread or process may read it at leisure
while training goes on. This module only defines the picture and the plane
sampling; the trainer fills it in (``Trainer.snapshot``), so nothing here
depends on the trainer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..data.dataset import Dataset
from ..engine.network import LayerStats, Network
from .state import EpochResult, RunStatus

__all__ = ["PlanePictures", "Snapshot", "plane_grid", "plane_pictures"]


@dataclass(frozen=True, eq=False)
class Snapshot:
    epoch: int
    diverged: bool
    advice: str
    task: str  # binary | multiclass | regression
    metric_name: str  # accuracy | rmse
    last: EpochResult
    history: dict[str, np.ndarray] = field(repr=False)
    layer_history: dict[str, np.ndarray] = field(repr=False)
    dataset_name: str = ""
    sizes: tuple[int, ...] = ()
    input_names: tuple[str, ...] = ()
    class_names: tuple[str, ...] = ()
    activations: tuple[str, ...] = ()
    # Each hidden layer's activation range (None: unbounded, e.g. relu), as
    # the activations declare it: the neuron pictures are coloured over it.
    hidden_ranges: tuple[tuple[float, float] | None, ...] = ()
    output_name: str = ""
    loss_name: str = ""
    weights: tuple[np.ndarray, ...] = field(default=(), repr=False)
    biases: tuple[np.ndarray, ...] = field(default=(), repr=False)
    layer_stats: tuple[LayerStats, ...] = ()
    # The plane picture (2-D data only). Grids are (rows, cols) with row 0 at
    # the top (largest x2) and column 0 at the left (smallest x1).
    extent: float = 0.0
    output_grid: np.ndarray | None = field(default=None, repr=False)  # (r, c) or (r, c, k)
    neuron_grids: tuple[np.ndarray, ...] = field(default=(), repr=False)  # per hidden layer (r, c, h)
    input_grids: np.ndarray | None = field(default=None, repr=False)  # (r, c, inputs)
    output_range: tuple[float, float] = (0.0, 1.0)
    threshold: float = 0.5
    train_points: np.ndarray | None = field(default=None, repr=False)  # (n, 2) raw coords
    train_labels: np.ndarray | None = field(default=None, repr=False)
    test_points: np.ndarray | None = field(default=None, repr=False)
    test_labels: np.ndarray | None = field(default=None, repr=False)
    # What the session loop says (running, paused, ...); the trainer alone
    # leaves the default.
    run: RunStatus = RunStatus()

    @property
    def is_2d(self) -> bool:
        return self.output_grid is not None


@dataclass(frozen=True)
class PlanePictures:
    """Every layer's values over a grid of the input plane."""

    inputs: np.ndarray  # (r, c, inputs)
    neurons: tuple[np.ndarray, ...]  # per hidden layer (r, c, h)
    output: np.ndarray  # (r, c) for one output unit, else (r, c, k)


def plane_grid(extent: float, cols: int, rows: int) -> np.ndarray:
    """Cell-centre coordinates (rows*cols, 2), row-major from the top-left."""
    xs = np.linspace(-extent, extent, cols * 2 + 1)[1::2]
    ys = np.linspace(extent, -extent, rows * 2 + 1)[1::2]
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel()])


def plane_pictures(network: Network, dataset: Dataset, cols: int, rows: int) -> PlanePictures | None:
    """The network evaluated over a ``cols`` x ``rows`` grid of the plane (None for tabular data)."""
    if not dataset.is_2d or cols <= 0 or rows <= 0:
        return None
    x = dataset.features(plane_grid(dataset.extent, cols, rows))
    # Huge but finite weights between evaluations may overflow float32:
    # the picture saturates, and no warning reaches the terminal.
    with np.errstate(all="ignore"):
        outs = network.layer_outputs(x)
    out = outs[-1]
    return PlanePictures(
        inputs=x.astype(np.float32).reshape(rows, cols, -1),
        neurons=tuple(o.reshape(rows, cols, -1) for o in outs[:-1]),
        output=out.reshape(rows, cols) if out.shape[1] == 1 else out.reshape(rows, cols, -1),
    )
