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
from ..i18n import _
from .state import EpochResult, RunStatus

__all__ = ["MAX_PICTURED", "PlanePictures", "Snapshot", "WeightStats", "plane_grid", "plane_pictures",
           "weight_views"]

# A snapshot stays small whatever the network (the settings allow 8 layers of
# 512, about two million weights): it carries the weights and pictures of at
# most MAX_PICTURED neurons a layer, summaries of all of them, and a plane
# picture whose cost is bounded (a coarser plane for a large network).
MAX_PICTURED = 64
PLANE_MACS = 2e8  # multiply-adds the plane picture may cost
NEURON_FLOATS = 300_000  # values of neuron pictures in one snapshot
HISTOGRAM_BINS = 64


@dataclass(frozen=True, eq=False)
class WeightStats:
    """One dense layer's weights, summarised: what the charts need of all of them."""

    shape: tuple[int, int]  # fan_in x fan_out, all of it
    rms: float
    max_abs: float
    zeros: int  # exactly 0: dead links under L1
    histogram: np.ndarray  # HISTOGRAM_BINS counts over [-span, span]
    span: float  # the largest |w| of any layer (one scale for all)


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
    # weights/biases above hold at most MAX_PICTURED x MAX_PICTURED of each layer;
    # these describe all of them.
    weight_stats: tuple[WeightStats, ...] = ()
    # The plane picture (2-D data only). Grids are (rows, cols) with row 0 at
    # the top (largest x2) and column 0 at the left (smallest x1).
    extent: float = 0.0
    output_grid: np.ndarray | None = field(default=None, repr=False)  # (r, c) or (r, c, k)
    # Per hidden layer (r', c', min(h, MAX_PICTURED)), possibly coarser than the
    # output grid (thumbnails need little); the focused neuron at the plane's
    # resolution is focus_grid.
    neuron_grids: tuple[np.ndarray, ...] = field(default=(), repr=False)
    focus: tuple[int, int] | None = None  # (hidden layer, neuron) the app asked to see large
    focus_grid: np.ndarray | None = field(default=None, repr=False)
    # What the snapshot left out or drew coarser, in words (shown by the panels).
    summarised: tuple[str, ...] = ()
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
    """Every layer's values over a grid of the input plane, bounded in size."""

    inputs: np.ndarray  # (r, c, inputs)
    neurons: tuple[np.ndarray, ...]  # per hidden layer (r', c', min(h, MAX_PICTURED))
    output: np.ndarray  # (r, c) for one output unit, else (r, c, k)
    focus_grid: np.ndarray | None  # the focused neuron at (r, c)
    summarised: tuple[str, ...]


def plane_grid(extent: float, cols: int, rows: int) -> np.ndarray:
    """Cell-centre coordinates (rows*cols, 2), row-major from the top-left."""
    xs = np.linspace(-extent, extent, cols * 2 + 1)[1::2]
    ys = np.linspace(extent, -extent, rows * 2 + 1)[1::2]
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel()])


def plane_pictures(network: Network, dataset: Dataset, cols: int, rows: int,
                   focus: tuple[int, int] | None = None) -> PlanePictures | None:
    """The network evaluated over a ``cols`` x ``rows`` grid of the plane (None for tabular data).

    A network too large to evaluate at that many points within PLANE_MACS is
    pictured on a coarser grid; neuron pictures are cut to MAX_PICTURED a layer
    and thinned to NEURON_FLOATS values in all.
    """
    if not dataset.is_2d or cols <= 0 or rows <= 0:
        return None
    notes = []
    scale = min(1.0, (PLANE_MACS / max(network.n_params, 1) / (cols * rows)) ** 0.5)
    if scale < 1.0:
        cols, rows = max(2, int(cols * scale)), max(2, int(rows * scale))
        notes.append(_("plane drawn at {cols}x{rows} (a large network)").format(cols=cols, rows=rows))
    x = dataset.features(plane_grid(dataset.extent, cols, rows))
    # Huge but finite weights between evaluations may overflow float32:
    # the picture saturates, and no warning reaches the terminal.
    with np.errstate(all="ignore"):
        outs = network.layer_outputs(x)
    out = outs[-1]
    hidden = [o.reshape(rows, cols, -1) for o in outs[:-1]]
    focus_grid = None
    if focus is not None and 0 <= focus[0] < len(hidden) and 0 <= focus[1] < hidden[focus[0]].shape[2]:
        focus_grid = hidden[focus[0]][:, :, focus[1]].copy()
    if any(h.shape[2] > MAX_PICTURED for h in hidden):
        notes.append(_("pictures of the first {count} neurons of each layer").format(count=MAX_PICTURED))
    kept = [h[:, :, :MAX_PICTURED] for h in hidden]
    total = sum(k.size for k in kept)
    stride = 1
    while total / stride**2 > NEURON_FLOATS:
        stride += 1
    return PlanePictures(
        inputs=x.astype(np.float32).reshape(rows, cols, -1),
        neurons=tuple(np.ascontiguousarray(k[::stride, ::stride]) for k in kept),
        output=out.reshape(rows, cols) if out.shape[1] == 1 else out.reshape(rows, cols, -1),
        focus_grid=focus_grid,
        summarised=tuple(notes),
    )


def weight_views(network: Network) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...], tuple[WeightStats, ...]]:
    """(weight blocks, bias blocks, summaries of every layer): the blocks hold at
    most MAX_PICTURED x MAX_PICTURED of each layer."""
    m = MAX_PICTURED
    Ws = [network.W(k) for k in range(network.n_layers)]
    with np.errstate(all="ignore"):
        span = max((float(np.nanmax(np.abs(W))) for W in Ws if W.size), default=1.0)
    span = span if np.isfinite(span) and span > 0 else 1.0
    edges = np.linspace(-span, span, HISTOGRAM_BINS + 1)
    stats = []
    for W in Ws:
        finite = W[np.isfinite(W)]
        stats.append(WeightStats(
            shape=(int(W.shape[0]), int(W.shape[1])),
            rms=float(np.sqrt(np.mean(finite * finite))) if finite.size else 0.0,
            max_abs=float(np.max(np.abs(finite))) if finite.size else 0.0,
            zeros=int(np.count_nonzero(W == 0.0)),
            histogram=np.histogram(finite, bins=edges)[0],
            span=span,
        ))
    blocks = tuple(W[:m, :m].copy() for W in Ws)
    biases = tuple(network.b(k)[:m].copy() for k in range(network.n_layers))
    return blocks, biases, tuple(stats)
