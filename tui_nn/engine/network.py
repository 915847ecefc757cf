"""A fully connected network on one flat parameter vector.

Why this layout: on the playground's small nets a training step is a few
thousand floating-point operations, so the time goes to Python and NumPy call
overhead, not arithmetic. Hence:

- every parameter lives in one flat vector (``params``), with one flat gradient
  (``grad``), so an optimizer update is a handful of whole-vector operations;
- each dense layer's bias is the last row of its weight matrix, and every layer
  input carries a column of ones, so one matrix product gives ``x.W + b`` and one
  gives both weight and bias gradients;
- the buffers a step needs are made once per batch size and filled with ``out=``;
- the loss gradient is fused with the output activation where it simplifies
  (sigmoid + bce, softmax + cce give ``(p - y) / n``).

Per hidden layer, in order: dense -> [batch norm] -> activation -> [dropout].
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
from numpy.typing import ArrayLike

from .activations import Activation
from .batch_norm import BatchNorm
from .initializers import initialize
from .losses import Loss

__all__ = ["Network", "LayerStats"]


@dataclass(frozen=True)
class LayerStats:
    """Sizes the app charts per dense layer (index 0 is input -> first hidden)."""

    weight_norm: float  # Frobenius norm of W
    weight_rms: float
    grad_rms: float  # RMS of dLoss/dW over the training set


class _Buffers:
    """Arrays for one batch size; reused by every step of that size.

    Column-major (Fortran) order: a layer input carries its ones column last,
    and in column-major order the activation part ``ins[k][:, :-1]`` is still
    one contiguous block, so element-wise operations on it take NumPy's fast
    loops (about twice as fast as on a strided row-major slice). Matrix
    products cost the same in either order.
    """

    def __init__(self, net: "Network", n: int) -> None:
        sizes = net.sizes
        L = len(sizes) - 1
        self.train = False

        def empty(cols: int) -> np.ndarray:
            return np.empty((n, cols), order="F")

        # ins[k] is the input of dense layer k for k >= 1, with its ones column;
        # layer 0 reads the caller's batch, so ins[0] is an empty placeholder.
        self.ins: list[np.ndarray] = [np.empty((0, 0))]
        for h in sizes[1:-1]:
            a = empty(h + 1)
            a[:, h] = 1.0
            self.ins.append(a)
        self.z = [empty(h) for h in sizes[1:]]
        self.delta = [empty(h) for h in sizes[1:]]
        self.back = [empty(h) for h in sizes[1:-1]]  # dLoss/d(hidden output)
        self.tmp = empty(sizes[-1])
        self.p = empty(sizes[-1])
        if net.dropout > 0.0:
            self.h = [empty(h) for h in sizes[1:-1]]
            self.mask = [np.ones((n, h), order="F") for h in sizes[1:-1]]
        else:
            # Without dropout the activation is written straight into the next
            # layer's input.
            self.h = [self.ins[k + 1][:, :-1] for k in range(L - 1)]
            self.mask = []
        if net.batch_norm:
            self.zn = [empty(h) for h in sizes[1:-1]]
            self.xhat = [empty(h) for h in sizes[1:-1]]
            self.inv_std = [np.empty(h) for h in sizes[1:-1]]
        else:
            self.zn = self.z[:-1]


class Network:
    """Dense layers with per-layer activations, optional dropout and batch norm."""

    def __init__(
        self,
        sizes: Sequence[int],
        hidden: Sequence[Activation],
        output: Activation,
        loss: Loss,
        *,
        init: str = "glorot",
        dropout: float = 0.0,
        batch_norm: bool = False,
        rng: np.random.Generator | None = None,
        dropout_rng: np.random.Generator | None = None,
    ) -> None:
        self.sizes = tuple(int(s) for s in sizes)
        if len(self.sizes) < 2:
            raise ValueError("a network needs an input and an output layer")
        if len(hidden) != len(self.sizes) - 2:
            raise ValueError(
                f"{len(self.sizes) - 2} hidden layers need as many activations, "
                f"got {len(hidden)}"
            )
        self.hidden = list(hidden)
        self.output = output
        self.loss = loss
        self.dropout = float(dropout)
        self.batch_norm = bool(batch_norm)
        self.fused = loss.fused_output == output.name
        self.dropout_rng = dropout_rng or np.random.default_rng()
        # When set, dropout reuses the last masks (gradient checks need this).
        self.freeze_dropout = False
        shapes = [(self.sizes[k] + 1, self.sizes[k + 1]) for k in range(self.n_layers)]
        n_dense = sum(a * b for a, b in shapes)
        widths = self.sizes[1:-1] if self.batch_norm else ()
        self.params = np.zeros(n_dense + BatchNorm.size(widths))
        self.grad = np.zeros_like(self.params)
        self.Wa = self._views(self.params, shapes)
        self.gWa = self._views(self.grad, shapes)
        self.bn = BatchNorm(widths, self.params, self.grad, n_dense)
        # The batch-norm parameters and statistics by the names tests and
        # model files use.
        self.gamma, self.beta = self.bn.gamma, self.bn.beta
        self.running_mean, self.running_var = self.bn.running_mean, self.bn.running_var
        # W^T of each layer, for sending deltas back: views, made once.
        self._WT = [Wa[:-1].T for Wa in self.Wa]
        self._last = len(self.Wa) - 1
        # 1 where a weight (not a bias, not a batch-norm parameter) sits: the
        # entries L1/L2 penalise.
        self.penalty_mask = np.zeros_like(self.params)
        for mask_view in self._views(self.penalty_mask, shapes):
            mask_view[:-1] = 1.0
        self._buffers: dict[int, _Buffers] = {}
        self.reinitialize(init, rng or np.random.default_rng())

    # ---- structure -------------------------------------------------------
    @property
    def n_layers(self) -> int:
        """Number of dense layers (hidden layers + the output layer)."""
        return len(self.sizes) - 1

    @property
    def n_params(self) -> int:
        return int(self.params.size)

    @property
    def has_gradient(self) -> bool:
        """False when a step unit blocks backpropagation (hand-set, perceptron nets)."""
        return all(a.differentiable for a in self.hidden) and (
            self.output.differentiable or self.fused
        )

    def W(self, k: int) -> np.ndarray:
        return self.Wa[k][:-1]

    def b(self, k: int) -> np.ndarray:
        row: np.ndarray = self.Wa[k][-1]
        return row

    @staticmethod
    def _views(flat: np.ndarray, shapes: Sequence[tuple[int, int]]) -> list[np.ndarray]:
        """Consecutive blocks of ``flat`` shaped as each dense layer's matrix."""
        out, off = [], 0
        for shape in shapes:
            size = shape[0] * shape[1]
            out.append(flat[off : off + size].reshape(shape))
            off += size
        return out

    def reinitialize(self, init: str, rng: np.random.Generator) -> None:
        for k, Wa in enumerate(self.Wa):
            W, b = initialize(init, rng, Wa.shape[0] - 1, Wa.shape[1])
            Wa[:-1] = W
            Wa[-1] = b
        self.bn.reset()

    def set_weights(self, weights: Sequence[tuple[ArrayLike, ArrayLike]]) -> None:
        """Set every dense layer's (W, b); shapes must match the architecture."""
        if len(weights) != self.n_layers:
            raise ValueError(
                f"weights: {len(weights)} layers given, the network has {self.n_layers}"
            )
        for k, (W, b) in enumerate(weights):
            W = np.asarray(W, dtype=float)
            b = np.asarray(b, dtype=float).reshape(-1)
            want = self.Wa[k].shape
            if W.shape != (want[0] - 1, want[1]) or b.shape != (want[1],):
                raise ValueError(
                    f"weights: W{k} must be {want[0] - 1}x{want[1]} and b{k} "
                    f"length {want[1]}, got {W.shape[0]}x{W.shape[1] if W.ndim > 1 else 1}"
                    f" and {b.shape[0]}"
                )
            self.Wa[k][:-1] = W
            self.Wa[k][-1] = b

    # ---- forward / backward ---------------------------------------------
    def _buf(self, n: int) -> _Buffers:
        buf = self._buffers.get(n)
        if buf is None:
            if len(self._buffers) > 8:  # keep memory flat across odd batch sizes
                self._buffers.clear()
            buf = self._buffers[n] = _Buffers(self, n)
        return buf

    def _forward(self, xa: np.ndarray, buf: _Buffers, train: bool) -> np.ndarray:
        """Forward pass for inputs ``xa`` (with ones column); returns outputs."""
        # The backward pass must undo what this forward pass did: dropout
        # masks and batch statistics only in training mode.
        buf.train = train
        inp = xa
        last = self._last
        for k in range(last):
            z = buf.z[k]
            np.matmul(inp, self.Wa[k], out=z)
            zn = buf.zn[k]
            if self.batch_norm:
                self.bn.forward(k, z, zn, buf.xhat[k], buf.inv_std[k], train)
            h = buf.h[k]
            self.hidden[k].forward(zn, out=h)
            nxt = buf.ins[k + 1]
            if buf.mask:
                if train and self.dropout > 0.0:
                    if not self.freeze_dropout:
                        keep = 1.0 - self.dropout
                        m = buf.mask[k]
                        self.dropout_rng.random(out=m)
                        np.less(m, keep, out=m)  # 1.0 / 0.0 in place
                        m *= 1.0 / keep
                    np.multiply(h, buf.mask[k], out=nxt[:, :-1])
                else:
                    nxt[:, :-1] = h
            inp = nxt
        z = buf.z[last]
        np.matmul(inp, self.Wa[last], out=z)
        self.output.forward(z, out=buf.p)
        return buf.p

    def _backward(self, xa: np.ndarray, y: np.ndarray, buf: _Buffers) -> None:
        """Fill ``grad`` with dLoss/dparams for the batch last run forward."""
        last = self._last
        n = xa.shape[0]
        d = buf.delta[last]
        if self.fused:
            np.subtract(buf.p, y, out=d)
            d *= 1.0 / n
        else:
            self.loss.gradient(y, buf.p, out=buf.tmp)
            self.output.backward(buf.z[last], buf.p, buf.tmp, out=d)
        for k in range(last, 0, -1):
            np.matmul(buf.ins[k].T, d, out=self.gWa[k])
            back = buf.back[k - 1]
            np.matmul(d, self._WT[k], out=back)
            if buf.mask and buf.train:
                back *= buf.mask[k - 1]
            d = buf.delta[k - 1]
            self.hidden[k - 1].backward(buf.zn[k - 1], buf.h[k - 1], back, out=d)
            if self.batch_norm:
                self.bn.backward(k - 1, d, buf.xhat[k - 1], buf.inv_std[k - 1], buf.train)
        np.matmul(xa.T, d, out=self.gWa[0])

    # ---- public API ------------------------------------------------------
    @staticmethod
    def with_ones(x: np.ndarray) -> np.ndarray:
        """``x`` with the column of ones the folded biases need."""
        xa = np.empty((x.shape[0], x.shape[1] + 1))
        xa[:, :-1] = x
        xa[:, -1] = 1.0
        return xa

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Outputs in evaluation mode (no dropout, batch norm's running stats)."""
        return self._forward(self.with_ones(x), self._buf(x.shape[0]), False).copy()

    def loss_value(self, x: np.ndarray, y: np.ndarray, *, train: bool = False) -> float:
        buf = self._buf(x.shape[0])
        p = self._forward(self.with_ones(x), buf, train)
        return self.loss.value(y, p, buf.z[-1])

    def loss_and_grad(self, x: np.ndarray, y: np.ndarray, *, train: bool = True) -> float:
        """Loss of a batch; leaves dLoss/dparams in ``grad`` (no penalty)."""
        xa = self.with_ones(x)
        buf = self._buf(x.shape[0])
        p = self._forward(xa, buf, train)
        value = self.loss.value(y, p, buf.z[-1])
        self._backward(xa, y, buf)
        return value

    def train_batch(self, xa: np.ndarray, y: np.ndarray) -> None:
        """Forward and backward for one batch whose ``xa`` has the ones column."""
        buf = self._buf(xa.shape[0])
        self._forward(xa, buf, True)
        self._backward(xa, y, buf)

    def evaluate(self, xa: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(outputs, output pre-activations) in evaluation mode; views into buffers."""
        buf = self._buf(xa.shape[0])
        p = self._forward(xa, buf, False)
        return p, buf.z[-1]

    def penalty(self, kind: str, rate: float) -> float:
        """The regularisation term added to the loss (biases are not penalised)."""
        w = self.params * self.penalty_mask
        if kind == "l2":
            return 0.5 * rate * float(w @ w)
        if kind == "l1":
            return rate * float(np.abs(w).sum())
        return 0.0

    def layer_outputs(self, x: np.ndarray, dtype: type[np.floating[Any]] = np.float32) -> list[np.ndarray]:
        """Every layer's activations for ``x`` in evaluation mode, as ``dtype``.

        Used for the decision grid and the neuron thumbnails: float32 halves the
        cost of tanh over tens of thousands of grid points, and the picture does
        not need more.
        """
        a = x.astype(dtype, copy=False)
        outs = []
        last = self.n_layers - 1
        for k in range(self.n_layers):
            Wa = self.Wa[k].astype(dtype)
            z = a @ Wa[:-1]
            z += Wa[-1]
            if k < last:
                if self.batch_norm:
                    self.bn.evaluate(k, z, dtype)
                a = self.hidden[k].forward(z, out=z)
            else:
                a = self.output.forward(z, out=z)
            outs.append(a)
        return outs

    def layer_stats(self, x: np.ndarray, y: np.ndarray) -> list[LayerStats]:
        """Weight sizes and full-training-set gradient sizes per dense layer.

        Evaluated without dropout and with batch norm's running statistics, on
        a copy of the gradient, so calling it never changes training.
        """
        saved = self.grad.copy()
        has_gradient = self.has_gradient
        if has_gradient:
            xa = self.with_ones(x)
            buf = self._buf(x.shape[0])
            with np.errstate(all="ignore"):
                self._forward(xa, buf, False)
                self._backward(xa, y, buf)
        stats = []
        with np.errstate(all="ignore"):
            for k in range(self.n_layers):
                W = self.Wa[k][:-1]
                g = self.gWa[k][:-1]
                stats.append(
                    LayerStats(
                        weight_norm=float(np.linalg.norm(W)),
                        weight_rms=float(np.sqrt(np.mean(W * W))),
                        grad_rms=float(np.sqrt(np.mean(g * g))) if has_gradient else math.nan,
                    )
                )
        np.copyto(self.grad, saved)
        return stats

    def state_arrays(self) -> dict[str, np.ndarray]:
        """Arrays for a model file: W0, b0, ... and batch-norm parameters."""
        arrays: dict[str, np.ndarray] = {}
        for k in range(self.n_layers):
            arrays[f"W{k}"] = self.W(k).copy()
            arrays[f"b{k}"] = self.b(k).copy()
        arrays.update(self.bn.state_arrays())
        return arrays

    def load_state_arrays(self, arrays: dict[str, np.ndarray]) -> None:
        self.set_weights(
            [(arrays[f"W{k}"], arrays[f"b{k}"]) for k in range(self.n_layers)]
        )
        self.bn.load_state_arrays(arrays)
