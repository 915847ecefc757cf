"""The loss landscape around a set of weights, and the paths optimizers take through it.

A network's training loss is a function of its flat parameter vector
(``Network.params``); a picture can show it only on a plane through that space:
``L(center + a * d1 + b * d2)`` for ``a, b`` in ``[-span, span]``. This module
picks the plane, computes the loss on a grid over it and puts recorded
training paths into its coordinates (plain NumPy, nothing of the UI):

* :class:`PathRecorder` keeps the parameter vector after each step (or
  epoch) of a run, at most ``capacity`` points, thinned evenly as ``History``
  thins its rows, always with the first and the last point;
* :func:`random_directions`: two random Gaussian directions normalised *per
  filter* (Li et al. 2018, "Visualizing the Loss Landscape of Neural Nets"):
  each neuron's block of a direction (its incoming weights, one column of a
  dense layer's ``W``) is scaled to the norm of that neuron's own weights, so
  that a step of 1 along it changes every neuron by as much as its weights
  are large, whatever the layer's scale. Biases get 0 (their default,
  ``--xignore biasbn``) or, with ``biases="copy"``, the bias itself (their
  other option); batch-norm parameters always 0;
* :func:`pca_directions`: the first two principal directions of a path
  (its points minus a reference point, by default the last one: Li et al.'s
  trajectory plots), orthonormal, with the share of the path's spread each
  one explains;
* :func:`compute_landscape`: the loss on a ``steps`` x ``steps`` grid, with a
  bounded cost (see below);
* :func:`project`: a path's coordinates ``(alphas, betas)`` in the plane,
  least squares when the directions are not orthonormal (random ones are not,
  quite);
* :func:`paths_for_optimizers`: the optimizer lesson's picture: several
  optimizers trained from the same initial weights on the same data, each
  path recorded, one landscape under all of them.

**The loss** is the one the trainer reports as its training loss: the data
loss (no weight penalty) on every training row in evaluation mode (no
dropout, batch norm with its running statistics), computed by the same
``Loss.value`` on the same outputs. The landscape's centre cell (``steps``
odd) is that loss at ``center`` to the last bit of the weights.

**The cost** is bounded: a grid costs about ``steps**2 * rows * dense
parameters`` multiply-adds plus, per evaluation, the call overhead of a small
forward pass (counted as :data:`PASS_MACS` multiply-adds); when that would
exceed ``budget`` (default :data:`BUDGET`, 2e8: a fraction of a second on
the 2-core development machine) the grid is made coarser, down to
:data:`MIN_STEPS` a side, then the training rows are subsampled (every k-th
row, evenly spread: ``Landscape.rows`` of ``Landscape.total_rows``), then
both further. What was done is in the landscape's fields (``steps`` against
``requested_steps``, ``rows`` against ``total_rows``, ``coarse``,
``subsampled``).

**Never touches the trainer:** the grid is evaluated on a private copy of the
network (same layers, weights and batch-norm statistics), made when the call
starts, so the trainer's parameters, buffers and random streams are left as
they were; once the copy is made, the trainer may go on training in another
thread (not while it is made: take it between steps).

**The optimizer lesson** (:func:`paths_for_optimizers`, :func:`optimizer_lesson`):
mini-batch training recorded after every step, on a small net and noisy 2-D
data, so that plain SGD's noise and momentum's smoothed path both show. The
directions are the PCA of all the paths' points together, taken relative to
their common start; the landscape is centred in that plane on the middle of
the box the projected paths span (so they fill the picture), with a span per
axis fitted to them plus a margin. The measured difference
(:func:`mean_step_cosine`): the mean cosine between consecutive steps. On the
lesson's runs (:func:`optimizer_lesson_runs`: XOR with noise 0.3, 2-4-1 tanh,
batches of 5, 20 epochs; SGD at 0.3, momentum at 0.03 with the same top speed,
Adam at 0.03) SGD's is about -0.1 in parameter space and 0.0 to 0.2 in the
picture's plane (every mini-batch points elsewhere), momentum's about 0.8 in
both (its velocity turns slowly), on seeds 0-4.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

import numpy as np
import numpy.typing as npt

from ..config import Config
from ..engine.network import Network
from .trainer import Trainer, build_dataset_for

if TYPE_CHECKING:
    from ..data import Dataset

__all__ = [
    "BUDGET",
    "Directions",
    "Landscape",
    "MIN_STEPS",
    "OptimizerPaths",
    "PASS_MACS",
    "PathRecorder",
    "PathTrace",
    "Source",
    "compute_landscape",
    "dense_size",
    "landscape_cost",
    "mean_step_cosine",
    "optimizer_lesson",
    "optimizer_lesson_config",
    "optimizer_lesson_runs",
    "paths_for_optimizers",
    "pca_directions",
    "plan_grid",
    "project",
    "random_directions",
    "step_cosines",
]

Array = npt.NDArray[np.float64]

BUDGET = 2e8  # multiply-adds a landscape may cost (see landscape_cost)
# One small forward pass costs about as much call overhead (a few matrix products
# and activations, ~30 microseconds on the development machine) as this many multiply-adds.
PASS_MACS = 5e4
# Multiply-adds pca_directions may spend; a longer path of a larger net is thinned.
PCA_MACS = 2e9
MIN_STEPS = 11  # the grid is made no coarser than this a side before rows are subsampled
MIN_ROWS = 32  # ... and the rows no fewer than this before the grid gets coarser still

# (network, inputs without the ones column, targets as the loss reads them)
Source = Union[Trainer, tuple[Network, npt.ArrayLike, npt.ArrayLike]]


# ---- recording -----------------------------------------------------------------------
class PathRecorder:
    """The parameter vector after each step (or epoch): at most ``capacity`` points.

    ``record(params)`` copies the vector into a buffer made once (nothing grows),
    so it is cheap enough to call after every mini-batch. Points are kept every
    ``stride`` records; when the buffer is full every other one is dropped and
    the stride doubles, so the points stay evenly spread over the whole run
    (as ``History`` keeps its rows). The first point is always kept, and the
    latest one is always returned too (it is held apart until the stride
    reaches it): ``points()`` has at most ``capacity`` rows.
    """

    def __init__(self, capacity: int = 512) -> None:
        if capacity < 3:
            raise ValueError("capacity must be at least 3")
        self.capacity = int(capacity)
        self._slots = self.capacity - 1  # the evenly thinned points; the latest is held apart
        self._rows: Array | None = None
        self._index = np.zeros(self._slots, dtype=np.int64)
        self._last: Array | None = None
        self._n = 0
        self.count = 0  # records made
        self.stride = 1

    def __len__(self) -> int:
        """Points ``points()`` returns."""
        if self.count == 0:
            return 0
        return self._n + (0 if self._index[self._n - 1] == self.count - 1 else 1)

    def record(self, params: npt.ArrayLike) -> None:
        """Keep (a copy of) the parameter vector as the path's next point."""
        p = np.asarray(params, dtype=np.float64).reshape(-1)
        if self._rows is None or self._last is None:
            self._rows = np.empty((self._slots, p.size))
            self._last = np.empty(p.size)
        elif p.size != self._last.size:
            raise ValueError(f"a path of {self._last.size} parameters cannot take {p.size}")
        i = self.count
        self.count += 1
        np.copyto(self._last, p)
        if i % self.stride:
            return
        if self._n == self._slots:
            self.stride *= 2
            keep = self._index[: self._n] % self.stride == 0
            n = int(keep.sum())
            self._rows[:n] = self._rows[: self._n][keep]
            self._index[:n] = self._index[: self._n][keep]
            self._n = n
            if i % self.stride:
                return
        self._rows[self._n] = p
        self._index[self._n] = i
        self._n += 1

    def points(self) -> Array:
        """The kept points, oldest first, the latest last: an (m, n) copy."""
        if self._rows is None or self._last is None or self.count == 0:
            return np.zeros((0, 0))
        kept = self._rows[: self._n]
        if self._index[self._n - 1] == self.count - 1:
            return kept.copy()
        return np.vstack([kept, self._last[None, :]])

    def indices(self) -> npt.NDArray[np.int64]:
        """The record number (0 = the first) of each point ``points()`` returns."""
        if self.count == 0:
            return np.zeros(0, dtype=np.int64)
        kept = self._index[: self._n]
        if kept[-1] == self.count - 1:
            return kept.copy()
        return np.append(kept, self.count - 1)

    def clear(self) -> None:
        """Forget every point (the next path may have another size)."""
        self._rows = self._last = None
        self._n = 0
        self.count = 0
        self.stride = 1


# ---- directions ------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Directions:
    """Two directions in parameter space. ``kind`` "random" or "pca"; ``explained``:
    for PCA, the share of the path's spread (sum of squares about the reference
    point) along each, else NaN."""

    d1: Array
    d2: Array
    kind: str
    explained: tuple[float, float] = (math.nan, math.nan)


def _blocks(network: Network, flat: Array) -> list[Array]:
    """``flat``'s block of each dense layer, shaped as its weight matrix (bias last row)."""
    out, off = [], 0
    for Wa in network.Wa:
        out.append(flat[off: off + Wa.size].reshape(Wa.shape))
        off += Wa.size
    return out


def dense_size(network: Network) -> int:
    """Parameters of the dense layers (weights and biases): multiply-adds per input row."""
    return int(sum(Wa.size for Wa in network.Wa))


def random_directions(network: Network, seed: int = 0, *, biases: str = "zero") -> Directions:
    """Two Gaussian directions (from ``default_rng(seed)``) normalised per filter.

    Each neuron's incoming weights in a direction (a column of layer k's ``W``)
    are scaled to the norm of that neuron's weights in ``network`` (a neuron
    whose weights are all zero gets zeros). ``biases``: "zero" (Li et al.'s
    default, biases and batch-norm parameters not moved) or "copy" (each bias's
    entry is the bias itself, their other option). The two are not made
    orthogonal (that would undo the normalisation): :func:`project` solves for
    coordinates by least squares.
    """
    if biases not in ("zero", "copy"):
        raise ValueError(f"biases must be 'zero' or 'copy', got {biases!r}")
    rng = np.random.default_rng(seed)
    out: list[Array] = []
    for _k in range(2):
        d = np.zeros(network.n_params)
        for block, Wa in zip(_blocks(network, d), network.Wa):
            W = Wa[:-1]
            g = rng.standard_normal(W.shape)
            target = np.linalg.norm(W, axis=0)
            have = np.linalg.norm(g, axis=0)
            scale = np.divide(target, have, out=np.zeros_like(target), where=have > 0)
            block[:-1] = g * scale
            if biases == "copy":
                block[-1] = Wa[-1]
        out.append(d)
    return Directions(out[0], out[1], "random")


def _as_points(path: npt.ArrayLike | PathRecorder) -> Array:
    pts = path.points() if isinstance(path, PathRecorder) else np.asarray(path, dtype=np.float64)
    if pts.ndim != 2:
        raise ValueError("a path is an (m, n) array of parameter vectors")
    return pts


def _orthonormal_to(dirs: Sequence[Array], n: int) -> Array:
    """A unit vector orthogonal to ``dirs``: the first unit axis that is not in their span
    (zeros for a network of fewer parameters than that)."""
    for i in range(n):
        v = np.zeros(n)
        v[i] = 1.0
        for d in dirs:
            v -= (v @ d) * d
        norm = float(np.linalg.norm(v))
        if norm > 1e-6:
            return v / norm
    return np.zeros(n)


def pca_directions(path: npt.ArrayLike | PathRecorder, reference: npt.ArrayLike | None = None) -> Directions:
    """The first two principal directions of ``path - reference`` (default: its last point).

    As Li et al. do for trajectories, the differences are not centred on
    their mean: the directions are those of most spread about the reference
    point (the first two right singular vectors). Orthonormal; each oriented
    so that the path advances along it (its last point's coordinate is above its
    first's; else its largest entry is positive). ``explained``: each one's share
    of the total sum of squares (0 for a path that never moved).
    """
    pts = _as_points(path)
    if not len(pts):
        raise ValueError("a path needs at least one point")
    ref = pts[-1] if reference is None else np.asarray(reference, dtype=np.float64).reshape(-1)
    M = pts - ref
    M = M[np.isfinite(M).all(axis=1)]
    m, n = M.shape
    if m and float(m) * min(m, n) * max(m, n) > PCA_MACS:
        # A long path of a large network: its points evenly thinned (the last kept).
        keep = max(2, int(PCA_MACS / (float(min(m, n)) * max(m, n))))
        M = M[np.unique(np.append(np.arange(keep) * m // keep, m - 1))]
        m = len(M)
    # The top eigenvectors of the smaller Gram matrix: M^T M (n x n) or M M^T (m x m).
    if n <= m:
        w, V = np.linalg.eigh(M.T @ M)
    else:
        w, U = np.linalg.eigh(M @ M.T)
        V = M.T @ U
        V /= np.maximum(np.linalg.norm(V, axis=0), 1e-300)
    order = np.argsort(w)[::-1]
    w, V = np.maximum(w[order], 0.0), V[:, order]
    total = float(np.einsum("ij,ij->", M, M))
    dirs: list[Array] = []
    for k in range(2):
        if k >= V.shape[1] or w[k] <= 1e-24 * total:
            v = _orthonormal_to(dirs, n)  # the path spans fewer than two directions
        else:
            v = V[:, k].copy()
            for d in dirs:  # exactly orthogonal to the first (Gram-Schmidt)
                v -= (v @ d) * d
            v /= max(float(np.linalg.norm(v)), 1e-300)
        advance = float((M[-1] - M[0]) @ v) if m else 0.0
        if advance < 0 or (advance == 0 and v.size and v[np.argmax(np.abs(v))] < 0):
            v = -v
        dirs.append(v)
    s2 = [float(w[k]) if k < len(w) else 0.0 for k in range(2)]
    share = tuple(s2[k] / total if total > 0 else 0.0 for k in range(2))
    return Directions(dirs[0], dirs[1], "pca", (share[0], share[1]))


def project(path: npt.ArrayLike | PathRecorder, center: npt.ArrayLike, d1: npt.ArrayLike,
            d2: npt.ArrayLike) -> tuple[Array, Array]:
    """Each point's coordinates ``(alphas, betas)`` with ``point ~ center + a d1 + b d2``.

    Least squares (the normal equations of the 2 x 2 Gram matrix; its
    pseudo-inverse when the directions are parallel or zero), so it is exact
    for a point in the plane and the orthogonal projection's coordinates
    otherwise; plain dot products when the directions are orthonormal.
    """
    pts = _as_points(path)
    c = np.asarray(center, dtype=np.float64).reshape(-1)
    D = np.column_stack([np.asarray(d1, dtype=np.float64).reshape(-1), np.asarray(d2, dtype=np.float64).reshape(-1)])
    if not len(pts):
        return np.zeros(0), np.zeros(0)
    rhs = pts @ D - c @ D  # (m, 2), without an (m, n) difference
    G = D.T @ D
    try:
        if np.linalg.cond(G) > 1e12:
            raise np.linalg.LinAlgError
        coords = np.linalg.solve(G, rhs.T).T
    except np.linalg.LinAlgError:
        coords = rhs @ np.linalg.pinv(G, rcond=1e-12).T
    out = np.asarray(coords, dtype=np.float64)
    return out[:, 0].copy(), out[:, 1].copy()


# ---- the landscape -----------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Landscape:
    """The training loss over a plane: ``loss[j, i]`` at ``center + alphas[i] d1 + betas[j] d2``.

    ``alphas`` and ``betas`` ascend (rows are d2, bottom first: a picture
    draws the last row at the top). NaN or inf where the loss overflows (a
    diverged region). ``span``: the half-widths along d1 and d2. The cost:
    ``steps`` a side (``requested_steps`` asked), ``rows`` of the
    ``total_rows`` training rows (every k-th), ``macs`` the multiply-adds
    estimated for what was computed (``landscape_cost``) against ``budget``.
    """

    loss: Array
    alphas: Array
    betas: Array
    center: Array
    d1: Array
    d2: Array
    span: tuple[float, float]
    steps: int
    requested_steps: int
    rows: int
    total_rows: int
    macs: float
    budget: float
    loss_name: str

    @property
    def coarse(self) -> bool:
        """The grid is coarser than asked, to stay within the budget."""
        return self.steps < self.requested_steps

    @property
    def subsampled(self) -> bool:
        """The loss is over a subsample of the training rows, to stay within the budget."""
        return self.rows < self.total_rows

    @property
    def center_loss(self) -> float:
        """The loss at ``center`` (the middle cell; NaN when ``steps`` is even and no cell is there)."""
        if self.steps % 2 == 0:
            return math.nan
        m = self.steps // 2
        return float(self.loss[m, m])

    def finite_range(self) -> tuple[float, float] | None:
        """(lowest, highest) finite loss; None when no cell is finite."""
        v = self.loss[np.isfinite(self.loss)]
        return (float(v.min()), float(v.max())) if v.size else None


def landscape_cost(dense: int, rows: int, steps: int) -> float:
    """Multiply-adds a ``steps`` x ``steps`` grid costs on ``rows`` rows of a net of
    ``dense`` dense parameters, counting each forward pass's call overhead as
    ``PASS_MACS``."""
    return float(steps) ** 2 * (float(rows) * float(dense) + PASS_MACS)


def plan_grid(dense: int, rows: int, steps: int, budget: float = BUDGET) -> tuple[int, int]:
    """The ``(steps, rows)`` to compute within ``budget``: ``steps`` coarsened first (keeping
    its parity, so an odd grid keeps its centre cell) down to ``MIN_STEPS``, then
    the rows down to ``MIN_ROWS``, then the steps down to 3 and the rows to 1."""
    steps, rows = max(int(steps), 1), max(int(rows), 1)

    def fits(s: int, r: int) -> bool:
        return landscape_cost(dense, r, s) <= budget

    def coarsen(s: int, r: int, floor: int) -> int:
        floor = min(s, floor + ((floor - s) % 2))  # the same parity as s
        while s > floor and not fits(s, r):
            s -= 2
        return max(s, 1)

    def thin(s: int, r: int, floor: int) -> int:
        if fits(s, r) or r <= floor:
            return r
        per_pass = budget / float(s) ** 2 - PASS_MACS
        return max(min(r, int(per_pass / max(dense, 1))), min(floor, r))

    steps = coarsen(steps, rows, MIN_STEPS)
    rows = thin(steps, rows, MIN_ROWS)
    steps = coarsen(steps, rows, 3)
    rows = thin(steps, rows, 1)
    return steps, rows


def _clone(network: Network) -> Network:
    """A network with ``network``'s layers, weights and batch-norm statistics, sharing nothing
    that changes (its buffers, parameters and random streams are its own)."""
    net = Network(network.sizes, network.hidden, network.output, network.loss, dropout=network.dropout,
                  batch_norm=network.batch_norm, rng=np.random.default_rng(0),
                  dropout_rng=np.random.default_rng(0))
    np.copyto(net.params, network.params)
    for mine, theirs in ((net.running_mean, network.running_mean), (net.running_var, network.running_var)):
        for a, b in zip(mine, theirs):
            np.copyto(a, b)
    return net


def _source(source: Source) -> tuple[Network, Array, Array]:
    if isinstance(source, Trainer):
        return source.network, np.asarray(source.dataset.X_train, dtype=np.float64), np.asarray(source.Y_train)
    network, X, Y = source
    return network, np.asarray(X, dtype=np.float64), np.asarray(Y)


def _coords(steps: int, span: float) -> Array:
    """``steps`` values over [-span, span], symmetric; the middle one exactly 0 when ``steps`` is odd."""
    if steps == 1:
        return np.zeros(1)
    return (np.arange(steps, dtype=np.float64) - (steps - 1) / 2.0) * (2.0 * span / (steps - 1))


def compute_landscape(source: Source, center: npt.ArrayLike | None, d1: npt.ArrayLike, d2: npt.ArrayLike,
                      span: float | tuple[float, float] = 1.0, steps: int = 25, *,
                      budget: float = BUDGET) -> Landscape:
    """The training loss on a ``steps`` x ``steps`` grid of ``center + a d1 + b d2``.

    ``source``: a ``Trainer`` (its network, training inputs and encoded
    targets) or ``(network, X, Y)`` with ``X`` the inputs (no ones column) and
    ``Y`` the targets as the network's loss reads them. ``center`` None: the
    network's current weights. ``span``: a half-width for both axes or one
    each; ``a`` runs over [-span_a, span_a], ``b`` over [-span_b, span_b]. Coarser,
    or on fewer rows, when the grid would cost more than ``budget`` (see
    :func:`plan_grid`). The network itself is never changed (see the module).
    """
    network, X, Y = _source(source)
    c = (network.params if center is None else np.asarray(center, dtype=np.float64)).reshape(-1).copy()
    u = np.asarray(d1, dtype=np.float64).reshape(-1).copy()
    v = np.asarray(d2, dtype=np.float64).reshape(-1).copy()
    if not c.size == u.size == v.size == network.n_params:
        raise ValueError(f"center and directions need {network.n_params} entries each, got "
                         f"{c.size}, {u.size} and {v.size}")
    if isinstance(span, tuple):
        span_a, span_b = float(span[0]), float(span[1])
    else:
        span_a = span_b = float(span)
    requested = max(int(steps), 1)
    total = len(X)
    dense = dense_size(network)
    steps_used, rows = plan_grid(dense, total, requested, budget)
    if rows < total:
        pick = np.arange(rows) * total // rows
        X, Y = X[pick], Y[pick]
    alphas, betas = _coords(steps_used, span_a), _coords(steps_used, span_b)
    net = _clone(network)
    xa = Network.with_ones(X)
    loss = np.empty((steps_used, steps_used))
    value = net.loss.value
    params = net.params
    row_base = np.empty_like(c)
    step = np.empty_like(c)
    with np.errstate(all="ignore"):
        for j, b in enumerate(betas.tolist()):
            np.multiply(v, b, out=row_base)
            row_base += c
            for i, a in enumerate(alphas.tolist()):
                np.multiply(u, a, out=step)
                np.add(row_base, step, out=params)
                p, z = net.evaluate(xa)
                loss[j, i] = value(Y, p, z)
    return Landscape(loss, alphas, betas, c, u, v, (span_a, span_b), steps_used, requested, rows, total,
                     landscape_cost(dense, rows, steps_used), float(budget), network.loss.name)


# ---- paths -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class PathTrace:
    """A path as a picture draws it: its name and its points' plane coordinates."""

    name: str
    alphas: Array
    betas: Array


def step_cosines(path: npt.ArrayLike | PathRecorder) -> Array:
    """The cosine between each pair of consecutive steps of a path (steps of length 0 skipped)."""
    pts = _as_points(path)
    steps = np.diff(pts, axis=0)
    norms = np.linalg.norm(steps, axis=1)
    moved = norms > 0
    steps, norms = steps[moved], norms[moved]
    if len(steps) < 2:
        return np.zeros(0)
    cos: Array = np.einsum("ij,ij->i", steps[1:], steps[:-1]) / (norms[1:] * norms[:-1])
    return cos


def mean_step_cosine(path: npt.ArrayLike | PathRecorder) -> float:
    """How straight a path runs from one step to the next: the mean of :func:`step_cosines`
    (1 = every step in the direction of the last, 0 = unrelated, -1 = reversing); NaN
    for a path of fewer than three points that moved."""
    cos = step_cosines(path)
    return float(cos.mean()) if cos.size else math.nan


def optimizer_lesson_config(seed: int = 0) -> Config:
    """The optimizer lesson's data and network: XOR with noise 0.3 (the classes overlap, so
    every mini-batch's gradient differs), a 2-4-1 tanh net, mini-batches of 5, 20
    epochs, learning rate 0.03."""
    return Config().with_overrides([
        "data.dataset=xor", "data.points=500", "data.noise=0.3", "network.hidden=4",
        "network.activation=tanh", "training.batch_size=5", "training.learning_rate=0.03",
        "training.epochs=20", f"training.seed={seed}",
    ])


def optimizer_lesson_runs(seed: int = 0) -> tuple[Config, ...]:
    """The lesson's three runs on :func:`optimizer_lesson_config`: plain SGD at 0.3, momentum
    (0.9) at 0.03 and Adam at 0.03. SGD at ten times momentum's rate has the same top
    speed (momentum's steps add up to ``lr / (1 - momentum)`` times the gradient), so
    the two cover much the same ground and what differs is the path: SGD's zig-zags
    with every mini-batch, momentum's velocity averages the batches out."""
    base = optimizer_lesson_config(seed)
    return tuple(base.with_overrides([f"training.optimizer={name}", f"training.learning_rate={lr}"])
                 for name, lr in (("sgd", 0.3), ("momentum", 0.03), ("adam", 0.03)))


def optimizer_lesson(seed: int = 0) -> OptimizerPaths:
    """The optimizer lesson's picture: :func:`paths_for_optimizers` of
    :func:`optimizer_lesson_runs` (about 0.2 s on the development machine)."""
    return paths_for_optimizers(optimizer_lesson_config(seed), optimizer_lesson_runs(seed))


@dataclass(frozen=True, eq=False)
class OptimizerPaths:
    """Optimizers trained from the same start, their paths and one landscape under them all.

    ``paths[k]``: run k's recorded parameter vectors (the first is ``start``,
    bit for bit); ``indices[k]`` the step (or epoch) of each point; ``traces[k]``
    their coordinates in the landscape's plane; ``final_loss[k]`` the run's
    training loss at its end; ``diverged[k]`` whether it diverged (its path then
    ends at its last finite point). ``directions``: the PCA of all the paths'
    points relative to ``start``.
    """

    names: tuple[str, ...]  # "sgd", or "sgd 0.3" when the runs' learning rates differ
    paths: tuple[Array, ...]
    indices: tuple[npt.NDArray[np.int64], ...]
    traces: tuple[PathTrace, ...]
    final_loss: tuple[float, ...]
    diverged: tuple[bool, ...]
    start: Array
    directions: Directions
    landscape: Landscape
    record: str


def _run_config(base: Config, optimizer: str | Config) -> Config:
    if isinstance(optimizer, Config):
        return optimizer
    return base.with_overrides([f"training.optimizer={optimizer}"])


def _run_names(configs: Sequence[Config]) -> tuple[str, ...]:
    """Each run's optimizer; with its learning rate when the runs' rates differ ("sgd 0.3")."""
    rates = {cfg.training.learning_rate for cfg in configs}
    if len(rates) > 1:
        return tuple(f"{cfg.training.optimizer} {cfg.training.learning_rate:g}" for cfg in configs)
    return tuple(cfg.training.optimizer for cfg in configs)


def paths_for_optimizers(base_config: Config | None = None,
                         optimizers: Sequence[str | Config] = ("sgd", "momentum", "adam"), epochs: int = 20, *,
                         record: str = "step", capacity: int = 512, steps: int = 41,
                         margin: float = 0.15, min_aspect: float = 0.05, budget: float = BUDGET,
                         dataset: Dataset | None = None) -> OptimizerPaths:
    """Train each of ``optimizers`` for ``epochs`` epochs from the same initial weights on the
    same data, record each path and compute one landscape under all of them.

    ``base_config``: default :func:`optimizer_lesson_config`. An optimizer is a name
    (``training.optimizer`` set on ``base_config``) or a whole ``Config`` of the same
    data and network shape (to vary its rate or momentum too, as
    :func:`optimizer_lesson_runs` does); the data are ``dataset`` if given, else
    built from the first run's config. ``names``: each run's optimizer, with its
    learning rate when the rates differ. ``record``: "step"
    (after every mini-batch: SGD's noise shows) or "epoch". Each path keeps at most
    ``capacity`` points (see :class:`PathRecorder`). The first run's data and
    initial weights are copied to the others; the landscape is the first run's
    network's loss (the same for all: the loss depends on the weights and the data,
    with batch norm on the first run's running statistics too).

    The plane: :func:`pca_directions` of all the points relative to the common
    start; centred on the middle of the box the projected paths span, each axis's
    span that box's half-width plus ``margin`` of it (and at least ``min_aspect``
    of the other axis's, so a flat path still gets a picture); ``steps`` a side.
    """
    if record not in ("step", "epoch"):
        raise ValueError(f"record must be 'step' or 'epoch', got {record!r}")
    if not optimizers:
        raise ValueError("give at least one optimizer")
    base = base_config if base_config is not None else optimizer_lesson_config()
    configs = [_run_config(base, o) for o in optimizers]
    names = _run_names(configs)
    data = dataset if dataset is not None else build_dataset_for(configs[0])
    trainers = [Trainer(cfg, data, history_capacity=16) for cfg in configs]
    start = _same_start(trainers)
    runs = [_recorded_run(t, epochs, record, capacity) for t in trainers]
    paths = [run.points for run in runs]
    directions = _oriented_pca(paths, start)
    d1, d2 = directions.d1, directions.d2
    center, span = _fitted_plane(paths, start, d1, d2, margin, min_aspect)
    landscape = compute_landscape(trainers[0], center, d1, d2, span, steps, budget=budget)
    traces = tuple(PathTrace(name, *project(p, center, d1, d2)) for name, p in zip(names, paths))
    return OptimizerPaths(names, tuple(paths), tuple(run.indices for run in runs), traces,
                          tuple(run.final_loss for run in runs), tuple(run.diverged for run in runs), start,
                          directions, landscape, record)


def _same_start(trainers: Sequence[Trainer]) -> Array:
    """Give every run the first run's initial weights (a like-for-like comparison of the
    optimizers: only the rule differs) and return them; ValueError for a network of
    another shape."""
    first = trainers[0].network
    for t in trainers[1:]:
        net = t.network
        if net.params.shape != first.params.shape or net.sizes != first.sizes:
            raise ValueError("every run must have the same network shape")
        if not np.array_equal(net.params, first.params):
            np.copyto(net.params, first.params)
            t.restart_from(0)
    start: Array = first.params.copy()
    return start


@dataclass(frozen=True, eq=False)
class _RecordedRun:
    points: Array
    indices: npt.NDArray[np.int64]
    final_loss: float  # NaN when the run diverged
    diverged: bool


def _recorded_run(t: Trainer, epochs: int, record: str, capacity: int) -> _RecordedRun:
    """Train ``t`` to ``epochs`` epochs, recording its parameters after every mini-batch
    (``record`` "step") or epoch; a run that blows up stops at its last finite point."""
    rec = PathRecorder(capacity)
    rec.record(t.network.params)
    params = t.network.params
    blew = False
    while t.epoch < epochs and not t.diverged:
        if record == "step":
            t.train_batches(1)
        else:
            t.train_epoch()
        blew = t.diverged or not math.isfinite(float(params.sum()))
        if blew:
            break
        rec.record(params)
    return _RecordedRun(rec.points(), rec.indices(), math.nan if blew else t.refresh().train_loss, blew)


def _oriented_pca(paths: Sequence[Array], start: Array) -> Directions:
    """The PCA of all the paths' points relative to their common start, each direction
    turned to point where the runs ended on average (so the picture reads start to end
    the same way whatever sign the decomposition gave)."""
    directions = pca_directions(np.vstack(paths), reference=start)
    d1, d2 = directions.d1, directions.d2
    ends = np.mean([p[-1] for p in paths], axis=0) - start
    if float(ends @ d1) < 0:
        d1 = -d1
    if float(ends @ d2) < 0:
        d2 = -d2
    return Directions(d1, d2, "pca", directions.explained)


def _fitted_plane(paths: Sequence[Array], start: Array, d1: Array, d2: Array, margin: float,
                  min_aspect: float) -> tuple[Array, tuple[float, float]]:
    """(center, span per axis) of a landscape the projected paths fill: centred on the middle
    of the box they span, each half-width plus ``margin`` of it and at least ``min_aspect``
    of the other axis's (a flat path still gets a picture)."""
    coords = [project(p, start, d1, d2) for p in paths]
    a_all = np.concatenate([a for a, _b in coords])
    b_all = np.concatenate([b for _a, b in coords])
    a_lo, a_hi = float(a_all.min()), float(a_all.max())
    b_lo, b_hi = float(b_all.min()), float(b_all.max())
    half_a, half_b = 0.5 * (a_hi - a_lo), 0.5 * (b_hi - b_lo)
    big = max(half_a, half_b, 1e-6)
    span = ((1.0 + margin) * max(half_a, min_aspect * big), (1.0 + margin) * max(half_b, min_aspect * big))
    center: Array = start + 0.5 * (a_lo + a_hi) * d1 + 0.5 * (b_lo + b_hi) * d2
    return center, span
