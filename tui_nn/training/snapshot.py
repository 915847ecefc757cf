"""Read-only pictures of a run, made where the trainer runs, for the UI.

Everything in a ``Snapshot`` is a fresh copy (or a read-only array the
trainer never writes), so another thread may read it at leisure while
training goes on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ..engine.network import LayerStats

if TYPE_CHECKING:
    from .trainer import EpochResult, Trainer

__all__ = ["Snapshot", "make_snapshot", "plane_grid"]


@dataclass(frozen=True, eq=False)
class Snapshot:
    epoch: int
    status: str  # ready | diverged (the app adds running/paused itself)
    advice: str
    task: str  # binary | multiclass | regression
    metric_name: str  # accuracy | rmse
    last: "EpochResult"
    history: dict[str, np.ndarray] = field(repr=False)
    layer_history: dict[str, np.ndarray] = field(repr=False)
    sizes: tuple[int, ...] = ()
    input_names: tuple[str, ...] = ()
    class_names: tuple[str, ...] = ()
    activations: tuple[str, ...] = ()
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
    extra: dict = field(default_factory=dict, repr=False)

    @property
    def is_2d(self) -> bool:
        return self.output_grid is not None


def plane_grid(extent: float, cols: int, rows: int) -> np.ndarray:
    """Cell-centre coordinates (rows*cols, 2), row-major from the top-left."""
    xs = np.linspace(-extent, extent, cols * 2 + 1)[1::2]
    ys = np.linspace(extent, -extent, rows * 2 + 1)[1::2]
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel()])


def _output_range(trainer: "Trainer") -> tuple[float, float]:
    name = trainer.output_name
    if name in ("sigmoid", "softmax", "step"):
        return (0.0, 1.0)
    if name == "tanh":
        return (-1.0, 1.0)
    if trainer.task == "regression":
        return (-1.0, 1.0)
    return (0.0, 1.0)


def make_snapshot(
    trainer: "Trainer", grid: int | tuple[int, int] = 48, *, layers: bool = True, **extra
) -> Snapshot:
    """Copy what the UI draws; ``grid`` is the plane's resolution (cols, rows)."""
    net = trainer.network
    ds = trainer.dataset
    cols, rows = (grid, grid) if isinstance(grid, int) else grid
    output_grid = None
    neuron_grids: tuple[np.ndarray, ...] = ()
    input_grids = None
    if ds.is_2d and cols > 0 and rows > 0:
        pts = plane_grid(ds.extent, cols, rows)
        x = ds.features(pts)
        # Huge but finite weights between evaluations may overflow float32:
        # the picture saturates, and no warning reaches the terminal.
        with np.errstate(all="ignore"):
            outs = net.layer_outputs(x)
        input_grids = x.astype(np.float32).reshape(rows, cols, -1)
        neuron_grids = tuple(o.reshape(rows, cols, -1) for o in outs[:-1])
        out = outs[-1]
        output_grid = out.reshape(rows, cols) if out.shape[1] == 1 else out.reshape(rows, cols, -1)
    hist = {c: trainer.history.column(c) for c in trainer.history.columns}
    lhist = {c: trainer.layer_history.column(c) for c in trainer.layer_history.columns}
    return Snapshot(
        epoch=trainer.epoch,
        status=trainer.status,
        advice=trainer.diagnose(),
        task=trainer.task,
        metric_name=trainer.metric_name,
        last=trainer.last,
        history=hist,
        layer_history=lhist,
        sizes=net.sizes,
        input_names=ds.input_names,
        class_names=ds.class_names,
        activations=trainer.config.network.activations(),
        output_name=trainer.output_name,
        loss_name=trainer.loss_name,
        weights=tuple(net.W(k).copy() for k in range(net.n_layers)),
        biases=tuple(net.b(k).copy() for k in range(net.n_layers)),
        layer_stats=tuple(trainer.layer_stats()) if layers else (),
        extent=ds.extent,
        output_grid=output_grid,
        neuron_grids=neuron_grids,
        input_grids=input_grids,
        output_range=_output_range(trainer),
        threshold=net.output.threshold,
        train_points=ds.raw_train,
        train_labels=ds.y_train,
        test_points=ds.raw_test,
        test_labels=ds.y_test,
        extra=extra,
    )
