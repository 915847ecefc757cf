"""One training example's forward and backward pass, every number kept: the
backprop inspector's engine (curriculum section 5).

``trace(trainer, sample)`` runs the example through the trainer's current
network in float64 and keeps, per dense layer (first hidden layer ... output):
its inputs ``x``, weights ``W`` (fan_in x fan_out), biases ``b``,
``z = x.W + b`` and ``a = f(z)``; then, output layer first, the chain rule:
``dL_da``, ``f'(z)``, ``delta = dL_da * f'(z)`` (for a fused output and loss,
sigmoid + bce and softmax + cce, the combined ``delta = a - y``:
``combined``), ``dL_dW = outer(x, delta)``, ``dL_db = delta`` and
``dL_dx = W.delta``, the ``dL_da`` of the layer below. Central differences of
the example's loss check every weight and bias (``numeric_dW``,
``numeric_db``, ``agreement``), and ``update_W``/``update_b`` say what the
trainer's optimizer would change each weight by for this example's gradient.

The trace reads the network and copies what it needs: no weight, buffer,
random stream or optimizer state of the trainer changes (a stateful
optimizer's step is taken on a deep copy of it). It is always taken in
evaluation mode, as ``Network.loss_and_grad(x, y, train=False)`` computes
it: dropout is off and batch norm uses its running statistics, so the same
example gives the same numbers every time. For a batch of one its gradients
are the engine's.

Networks of step units (hand-set nets, the perceptron) have no gradient: the
trace holds the forward pass, ``backprop`` is False, and for the perceptron
rule ``update_W`` is the rule's ``lr * (y - y_hat) * x``.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..config import ConfigError
from ..engine.activations import Activation
from ..engine.batch_norm import BN_EPS
from ..engine.network import Network
from ..i18n import _
from .trainer import Trainer

__all__ = ["AGREEMENT_FLOOR", "NUMERIC_LIMIT", "BatchNormTrace", "LayerTrace", "Trace", "notes", "trace"]

# Networks with more parameters get numerical derivatives only for the output
# layer and the selected neuron's links (each parameter costs two forward passes).
NUMERIC_LIMIT = 10_000
# Relative error |a - n| / max(|a|, |n|, floor): the floor keeps tiny gradients'
# rounding noise from reading as disagreement.
AGREEMENT_FLOOR = 1e-8
# Perturbed forward passes evaluated at once (rows of one batch).
_CHUNK = 1024


@dataclass(frozen=True, eq=False)
class BatchNormTrace:
    """Batch norm of one hidden layer in evaluation mode: ``zn = gamma * xhat + beta``,
    ``xhat = (z - mean) / sqrt(var + eps)`` with the running statistics."""

    mean: np.ndarray  # running mean
    var: np.ndarray  # running variance
    gamma: np.ndarray
    beta: np.ndarray
    xhat: np.ndarray
    zn: np.ndarray  # what the activation function receives: a = f(zn)
    dL_dzn: np.ndarray | None  # dL_da * f'(zn)
    dL_dgamma: np.ndarray | None  # dL_dzn * xhat
    dL_dbeta: np.ndarray | None  # dL_dzn
    numeric_dgamma: np.ndarray | None
    numeric_dbeta: np.ndarray | None
    update_gamma: np.ndarray | None
    update_beta: np.ndarray | None


@dataclass(frozen=True, eq=False)
class LayerTrace:
    """One dense layer's numbers for the example. Backward fields are None when
    backpropagation does not apply; numeric entries not computed are NaN."""

    index: int  # k as in Network.W(k): 0 is the first hidden layer (or the only layer)
    activation: str
    is_output: bool
    elementwise: bool  # False for softmax: its derivative is a Jacobian
    # forward
    x: np.ndarray  # (fan_in,) the incoming activations; the example's features for layer 0
    W: np.ndarray  # (fan_in, fan_out)
    b: np.ndarray  # (fan_out,)
    z: np.ndarray  # x.W + b
    a: np.ndarray  # f(z), or f(zn) with batch norm
    bn: BatchNormTrace | None
    # backward
    dL_da: np.ndarray | None  # the loss's derivative (output) or W.delta of the layer above
    fprime: np.ndarray | None  # f'(z) (f'(zn) with batch norm); None when not element-wise
    jacobian: np.ndarray | None  # softmax without a fused loss: [i, j] = da_i / dz_j
    delta: np.ndarray | None  # dL/dz
    combined: bool  # delta = a - y: the fused output and loss (no dL_da * f'(z) step)
    dL_dW: np.ndarray | None  # outer(x, delta), the loss's gradient alone (no penalty)
    dL_db: np.ndarray | None  # delta
    dL_dx: np.ndarray | None  # W.delta: dL/da of the layer below (of the inputs for layer 0)
    numeric_dW: np.ndarray | None
    numeric_db: np.ndarray | None
    penalty_dW: np.ndarray  # the L1/L2 penalty's gradient on W (zeros without one; biases are not penalised)
    update_W: np.ndarray | None  # what one step on this example would add to W
    update_b: np.ndarray | None


@dataclass(frozen=True, eq=False)
class Trace:
    preset: str
    split: str  # "train" or "test"
    sample: int
    input_names: tuple[str, ...]
    x: np.ndarray  # the example's features as the network sees them
    label: int | float  # the class index, or the regression target in the data's units
    label_name: str  # the class's name ("" for regression)
    y: np.ndarray  # the target as the network sees it (encoded, one-hot or standardised)
    prediction: np.ndarray  # the output layer's a
    predicted_class: int | None
    loss: float  # this example's loss
    loss_name: str
    output_name: str
    layers: tuple[LayerTrace, ...]
    backprop: bool  # False: a step unit blocks it, only the forward pass is traced
    combined: bool  # the output delta is a - y (see LayerTrace.combined)
    eval_mode: bool  # always True: dropout off, batch norm's running statistics
    dropout: float  # the rate switched off while tracing
    batch_norm: bool
    regularization: str  # "none", "l1", "l2"
    regularization_rate: float
    penalty_in_dL_dW: bool  # always False: the penalty's gradient is LayerTrace.penalty_dW
    eps: float
    agreement: float  # max relative error, backprop vs numerical; NaN without gradients
    max_difference: float  # max |backprop - numerical| (float64 central differences carry ~1e-10)
    numeric_complete: bool  # every weight and bias was checked (False beyond ``limit``)
    numeric_count: int  # parameters checked numerically
    update_rule: str  # the optimizer's name, "perceptron", or "" (no update applies)
    update_stateful: bool  # the optimizer keeps state: the update was computed on a copy of it
    update_includes_penalty: bool  # L2 added to the gradient, L1 shrink applied, as the trainer does
    learning_rate: float


def trace(
    trainer: Trainer,
    sample: int,
    *,
    split: str = "train",
    eps: float = 1e-6,
    limit: int = NUMERIC_LIMIT,
    neuron: tuple[int, int] | None = None,
) -> Trace:
    """The forward and backward pass of example ``sample`` of ``split``.

    ``limit``: networks with more parameters get numerical derivatives only
    for the output layer and the links of ``neuron`` = (layer k, neuron j),
    the j-th output of dense layer k: its incoming weights and bias and its
    outgoing weights. Raises ConfigError (a ValueError) for a sample out of
    range, an unknown split or neuron, or a bad ``eps``.
    """
    X, Y, labels = _split_rows(trainer, split)
    net = trainer.network
    _check_request(net, split, len(X), sample, eps, neuron)
    sample = int(sample)
    model = _Model(net)
    x = np.array(X[sample], dtype=np.float64)
    y = np.array(Y[sample], dtype=np.float64)
    passes = _passes(model, x, y, eps, limit, neuron)

    tr = trainer.config.training
    reg, rate = tr.regularization, tr.regularization_rate
    penalised = reg in ("l1", "l2") and rate > 0.0
    penalties = [_penalty(model.W(k), reg, rate) if penalised else np.zeros_like(model.W(k))
                 for k in range(net.n_layers)]
    rule, stateful, lr, flat = _update(trainer, model, passes.fwd, passes.bwd, y, penalised)
    updates = model.split(flat) if flat is not None else None
    layers = [_layer_trace(model, passes, k, penalties[k], updates[k] if updates is not None else None)
              for k in range(len(passes.fwd))]

    task = trainer.task
    label: int | float = float(labels[sample]) if task == "regression" else int(labels[sample])
    p = passes.fwd[-1].a
    num = passes.numeric
    return Trace(
        preset=trainer.config.name, split=split, sample=sample, input_names=tuple(trainer.dataset.input_names),
        x=_ro(x), label=label, label_name="" if task == "regression" else trainer.dataset.class_names[int(label)],
        y=_ro(y), prediction=_ro(p),
        predicted_class=None if task == "regression" else int(trainer.targets.classes(p[None])[0]),
        loss=passes.loss, loss_name=net.loss.name, output_name=net.output.name, layers=tuple(layers),
        backprop=passes.backprop, combined=passes.backprop and net.fused, eval_mode=True, dropout=net.dropout,
        batch_norm=net.batch_norm, regularization=reg, regularization_rate=rate, penalty_in_dL_dW=False,
        eps=eps, agreement=_agreement(layers), max_difference=_agreement(layers, absolute=True),
        numeric_complete=passes.backprop and passes.complete,
        numeric_count=sum(nm.count for nm in num) if num is not None else 0,
        update_rule=rule, update_stateful=stateful, update_includes_penalty=penalised and rule not in ("", "perceptron"),
        learning_rate=lr,
    )


WORST_ROWS = 5000  # the worst-predicted example is looked for among the first rows


def worst_example(trainer: Trainer, split: str = "train") -> int:
    """The example of ``split`` with the largest loss of its own (among the first
    WORST_ROWS): where backpropagation has the most to say."""
    model = _Model(trainer.network)
    X, Y = (trainer.dataset.X_test, trainer.Y_test) if split == "test" else (trainer.dataset.X_train, trainer.Y_train)
    losses = []
    with np.errstate(all="ignore"):
        for i in range(min(len(X), WORST_ROWS)):
            out = model.forward(np.array(X[i], dtype=np.float64))[-1]
            y = np.array(Y[i], dtype=np.float64)
            losses.append(float(model.loss.value(y[None], out.a[None], out.z[None])))
    finite = np.nan_to_num(np.asarray(losses), nan=np.inf)
    return int(np.argmax(finite)) if len(finite) else 0


def notes(t: Trace) -> list[str]:
    """What a reader of the trace needs to know about how it was taken, in words."""
    out = []
    if t.dropout > 0.0:
        out.append(_("Dropout ({rate}) is switched off while inspecting (evaluation mode), so the same example "
                     "gives the same numbers every time.").format(rate=f"{t.dropout:g}"))
    if t.batch_norm:
        out.append(_("Batch normalisation uses its running mean and variance (evaluation mode): "
                     "zn = gamma * (z - mean) / sqrt(var + eps) + beta."))
    if not t.backprop:
        out.append(_("Backpropagation does not apply: a step unit has no gradient (its derivative is 0 "
                     "wherever it is defined)."))
        if t.update_rule == "perceptron":
            out.append(_("The perceptron rule updates the weights instead: w <- w + lr * (y - y_hat) * x."))
        return out
    if t.combined:
        out.append(_("{output} output with {loss} loss: their derivatives combine, and the output delta is "
                     "simply a - y.").format(output=t.output_name, loss=t.loss_name))
    if t.regularization != "none" and t.regularization_rate > 0.0:
        out.append(_("dL/dW is the loss's gradient alone; the {kind} penalty's gradient (rate {rate}) is shown "
                     "separately and included in the update.").format(
            kind=t.regularization.upper(), rate=f"{t.regularization_rate:g}"))
    if not t.numeric_complete:
        out.append(_("Numerical derivatives were computed for {count} parameters only: the output layer and "
                     "the selected neuron's links.").format(count=t.numeric_count))
    if t.update_stateful:
        out.append(_("{optimizer} keeps state between steps: its update was computed on a copy of that state, "
                     "so the trainer is unchanged.").format(optimizer=t.update_rule))
    return out


# ---- internals -------------------------------------------------------------------


def _ro(a: np.ndarray) -> np.ndarray:
    """A read-only float64 copy."""
    out = np.array(a, dtype=np.float64)
    out.flags.writeable = False
    return out


def _elementwise(act: Activation) -> bool:
    """True when a = f(z) acts on each neuron alone (all but softmax)."""
    if not act.differentiable:
        return True
    try:
        act.derivative(np.zeros((1, 2)), act.forward(np.zeros((1, 2))))
    except TypeError:
        return False
    return True


@dataclass
class _Forward:
    x_aug: np.ndarray  # (fan_in + 1,) inputs with the ones column
    z: np.ndarray
    xhat: np.ndarray | None
    inv: np.ndarray | None
    zn: np.ndarray  # what the activation received (z without batch norm)
    a: np.ndarray


@dataclass
class _Backward:
    dL_da: np.ndarray
    fprime: np.ndarray | None
    jacobian: np.ndarray | None
    delta: np.ndarray
    combined: bool
    dWa: np.ndarray  # (fan_in + 1, fan_out): dL_dW with dL_db as its last row
    dL_dx: np.ndarray
    bn_grads: tuple[np.ndarray, np.ndarray, np.ndarray] | None  # dL_dzn, dL_dgamma, dL_dbeta


@dataclass
class _Numeric:
    Wa: np.ndarray  # NaN where not computed
    gamma: np.ndarray | None
    beta: np.ndarray | None
    count: int


@dataclass
class _Split:
    Wa: np.ndarray
    bn: tuple[np.ndarray, np.ndarray] | None


class _Model:
    """A float64 copy of the network's parameters with the engine's activations and loss."""

    def __init__(self, net: Network) -> None:
        self.net = net
        self.L = net.n_layers
        self.Wa = [np.array(w, dtype=np.float64) for w in net.Wa]
        self.hidden = net.hidden
        self.output = net.output
        self.loss = net.loss
        self.fused = net.fused
        self.has_bn = net.batch_norm
        self.gamma = [np.array(g, dtype=np.float64) for g in net.gamma]
        self.beta = [np.array(b, dtype=np.float64) for b in net.beta]
        self.bn_mean = [np.array(m, dtype=np.float64) for m in net.running_mean]
        self.bn_var = [np.array(v, dtype=np.float64) for v in net.running_var]
        self.params = np.array(net.params, dtype=np.float64)
        self.penalty_mask = np.array(net.penalty_mask)

    def W(self, k: int) -> np.ndarray:
        return self.Wa[k][:-1]

    def b(self, k: int) -> np.ndarray:
        row: np.ndarray = self.Wa[k][-1]
        return row

    def activation(self, k: int) -> Activation:
        return self.output if k == self.L - 1 else self.hidden[k]

    def _inv_std(self, k: int) -> np.ndarray:
        # As BatchNorm.forward computes it in evaluation mode.
        inv = np.add(self.bn_var[k], BN_EPS)
        np.sqrt(inv, out=inv)
        np.divide(1.0, inv, out=inv)
        return inv

    def _normalize(self, k: int, z: np.ndarray, inv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        xhat = np.subtract(z, self.bn_mean[k])
        xhat *= inv
        zn = np.multiply(xhat, self.gamma[k])
        zn += self.beta[k]
        return xhat, zn

    def forward(self, x: np.ndarray) -> list[_Forward]:
        out = []
        xa = Network.with_ones(x[None])
        for k in range(self.L):
            z = xa @ self.Wa[k]  # (1, fan_out): x.W + b through the ones column, as the engine does
            xhat = inv = None
            zn = z
            if k < self.L - 1 and self.has_bn:
                inv = self._inv_std(k)
                xhat, zn = self._normalize(k, z, inv)
            a = self.activation(k).forward(zn)
            out.append(_Forward(xa[0].copy(), z[0], None if xhat is None else xhat[0], inv,
                                zn[0], a[0]))
            xa = Network.with_ones(a)
        return out

    def backward(self, fwd: list[_Forward], y: np.ndarray) -> list[_Backward]:
        """The engine's backward pass (Network._backward) for one row, every step kept."""
        last = self.L - 1
        out: list[_Backward | None] = [None] * self.L
        f = fwd[last]
        p, z = f.a[None], f.z[None]
        dL_da = self.loss.gradient(y[None], p, out=np.empty_like(p))
        act = self.output
        fprime = self._fprime(act, z, p)
        jacobian = None
        if self.fused:
            delta = np.subtract(p, y[None])
            delta *= 1.0  # (p - y) / n for n = 1
        else:
            delta = act.backward(z, p, dL_da, out=np.empty_like(p))
            if fprime is None:
                jacobian = np.stack([act.backward(z, p, e[None], out=np.empty_like(p))[0]
                                     for e in np.eye(p.shape[1])])
        bn_grads: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        combined = self.fused
        for k in range(last, -1, -1):
            f = fwd[k]
            dWa = np.matmul(f.x_aug[:, None], delta)  # outer(x, delta), biases in the last row
            dL_dx = np.matmul(delta, self.W(k).T)  # W.delta: dL/da of the layer below
            out[k] = _Backward(dL_da[0], None if fprime is None else fprime[0], jacobian, delta[0], combined,
                               dWa, dL_dx[0], bn_grads)
            if k == 0:
                break
            below = fwd[k - 1]
            act = self.hidden[k - 1]
            dL_da = dL_dx
            zn, a = below.zn[None], below.a[None]
            fprime = self._fprime(act, zn, a)
            jacobian = None
            combined = False
            delta = act.backward(zn, a, dL_da, out=np.empty_like(a))
            bn_grads = None
            if self.has_bn:
                assert below.xhat is not None and below.inv is not None
                dy = delta.copy()
                dgamma = np.einsum("ij,ij->j", dy, below.xhat[None])
                dbeta = np.sum(dy, axis=0)
                delta = dy * (self.gamma[k - 1] * below.inv)
                bn_grads = (dy[0], dgamma, dbeta)
        return [b for b in out if b is not None]

    @staticmethod
    def _fprime(act: Activation, z: np.ndarray, a: np.ndarray) -> np.ndarray | None:
        if not _elementwise(act):
            return None
        return act.derivative(z, a)

    # ---- numerical derivatives ---------------------------------------------------
    def _tail_losses(self, k: int, Z: np.ndarray, y: np.ndarray, normalized: bool) -> np.ndarray:
        """Each row's loss when dense layer k's pre-activations are the rows of ``Z``
        (after its batch norm when ``normalized``)."""
        h = Z
        for m in range(k, self.L):
            if m > k:
                h = Network.with_ones(h) @ self.Wa[m]
            if m == self.L - 1:
                break
            if self.has_bn and not (m == k and normalized):
                h = self._normalize(m, h, self._inv_std(m))[1]
            h = self.hidden[m].forward(h)
        p = self.output.forward(h)
        y1 = y[None]
        value = self.loss.value
        return np.array([value(y1, p[r : r + 1], h[r : r + 1]) for r in range(len(h))])

    def numeric(self, fwd: list[_Forward], y: np.ndarray, k: int, eps: float,
                wanted: tuple[list[tuple[int, int]], list[int]] | None) -> _Numeric:
        """Central differences (L(w + eps) - L(w - eps)) / (2 eps) for dense layer k's
        weights and biases (``wanted``: only these (row, column) entries and these
        batch-norm neurons; None: all)."""
        f = fwd[k]
        Wa = self.Wa[k]
        rows, cols = Wa.shape
        grid = np.full(Wa.shape, np.nan)
        if wanted is None:
            ii, jj = np.divmod(np.arange(rows * cols), cols)
        else:
            ii = np.array([i for i, _j in wanted[0]], dtype=np.int64)
            jj = np.array([j for _i, j in wanted[0]], dtype=np.int64)
        for lo in range(0, len(ii), _CHUNK):
            i, j = ii[lo : lo + _CHUNK], jj[lo : lo + _CHUNK]
            r = np.arange(len(i))
            columns = Wa[:, j].T.copy()  # (B, fan_in + 1): the perturbed weight's column, per row
            w = columns[r, i]
            wp, wm = w + eps, w - eps
            diff = [np.empty(0), np.empty(0)]
            for s, value in enumerate((wp, wm)):
                columns[r, i] = value
                Z = np.tile(f.z, (len(i), 1))
                Z[r, j] = columns @ f.x_aug  # z_j = x.(W + eps)_j + b_j, recomputed
                diff[s] = self._tail_losses(k, Z, y, normalized=False)
            grid[i, j] = (diff[0] - diff[1]) / (wp - wm)
        count = len(ii)
        gamma = beta = None
        if self.has_bn and k < self.L - 1:
            assert f.xhat is not None
            width = cols
            neurons = np.arange(width) if wanted is None else np.array(wanted[1], dtype=np.int64)
            gamma, beta = np.full(width, np.nan), np.full(width, np.nan)
            if len(neurons):
                r = np.arange(len(neurons))
                g0, b0 = self.gamma[k][neurons], self.beta[k][neurons]
                for target, base in ((gamma, g0), (beta, b0)):
                    vp, vm = base + eps, base - eps
                    losses = []
                    for value in (vp, vm):
                        g, bt = (value, b0) if target is gamma else (g0, value)
                        Zn = np.tile(f.zn, (len(neurons), 1))
                        Zn[r, neurons] = f.xhat[neurons] * g + bt  # zn_j = xhat_j * gamma_j + beta_j
                        losses.append(self._tail_losses(k, Zn, y, normalized=True))
                    target[neurons] = (losses[0] - losses[1]) / (vp - vm)
                count += 2 * len(neurons)
        return _Numeric(grid, gamma, beta, count)

    # ---- flat parameter vector -------------------------------------------------------
    def split(self, flat: np.ndarray) -> list[_Split]:
        """``flat`` (laid out as Network.params) as each layer's (fan_in + 1, fan_out) block."""
        out, off = [], 0
        for Wa in self.Wa:
            out.append(_Split(flat[off : off + Wa.size].reshape(Wa.shape), None))
            off += Wa.size
        if self.has_bn:
            for k, g in enumerate(self.gamma):
                h = g.size
                out[k].bn = (flat[off : off + h], flat[off + h : off + 2 * h])
                off += 2 * h
        return out

    def join(self, bwd: list[_Backward]) -> np.ndarray:
        """The per-layer gradients as one vector laid out as Network.params."""
        parts = [b.dWa.reshape(-1) for b in bwd]
        if self.has_bn:
            for k in range(self.L - 1):
                grads = bwd[k].bn_grads
                assert grads is not None
                parts += [grads[1], grads[2]]
        return np.concatenate(parts)


# ---- the trace's parts -------------------------------------------------------------
# trace() is cut into its steps: which rows, whether the request makes sense, the
# passes themselves, then each layer's numbers as read-only copies.


def _split_rows(trainer: Trainer, split: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(inputs, targets as the network sees them, labels in the data's units) of ``split``."""
    ds = trainer.dataset
    if split == "train":
        return ds.X_train, trainer.Y_train, ds.y_train
    if split == "test":
        return ds.X_test, trainer.Y_test, ds.y_test
    raise ConfigError(_("split {split}: allowed train, test").format(split=repr(split)))


def _check_request(net: Network, split: str, n: int, sample: int, eps: float,
                   neuron: tuple[int, int] | None) -> None:
    """Raise ConfigError for a sample out of the split's ``n`` rows, a bad ``eps`` or a
    neuron the network does not have (in that order: the first problem is the one reported)."""
    if isinstance(sample, bool) or not isinstance(sample, (int, np.integer)) or not 0 <= sample < n:
        raise ConfigError(_("sample {sample} is out of range: allowed 0 to {last} (the {split} split's "
                            "{n} examples)").format(sample=sample, last=n - 1, split=split, n=n))
    if not (math.isfinite(eps) and 0.0 < eps < 1.0):
        raise ConfigError(_("eps = {eps} is out of range: allowed above 0 and below 1").format(eps=eps))
    if neuron is not None:
        k, j = neuron
        if not (0 <= k < net.n_layers and 0 <= j < net.sizes[k + 1]):
            raise ConfigError(_("neuron {neuron} does not exist in this network").format(neuron=tuple(neuron)))


@dataclass
class _Passes:
    """The example's passes through the float64 copy, before they become LayerTraces."""

    fwd: list[_Forward]
    loss: float
    backprop: bool  # the network has a gradient (no step units)
    bwd: list[_Backward] | None  # None without a gradient
    numeric: list[_Numeric] | None  # central differences per layer; None without a gradient
    complete: bool  # every parameter was checked numerically (the network is within ``limit``)


def _passes(model: _Model, x: np.ndarray, y: np.ndarray, eps: float, limit: int,
            neuron: tuple[int, int] | None) -> _Passes:
    """Forward, backward and the numerical derivatives of one example."""
    net = model.net
    # An overflowing exp or a log of 0 shows as inf or nan in the trace, not as a warning.
    with np.errstate(all="ignore"):
        fwd = model.forward(x)
        p, z_out = fwd[-1].a, fwd[-1].z
        loss = float(model.loss.value(y[None], p[None], z_out[None]))
        backprop = net.has_gradient
        bwd = model.backward(fwd, y) if backprop else None
        num: list[_Numeric] | None = None
        complete = True
        if backprop:
            complete = net.n_params <= limit
            wanted = None if complete else _wanted(net, neuron)
            num = [model.numeric(fwd, y, k, eps, None if wanted is None else wanted[k]) for k in range(net.n_layers)]
    return _Passes(fwd, loss, backprop, bwd, num, complete)


def _layer_trace(model: _Model, passes: _Passes, k: int, penalty: np.ndarray, up: _Split | None) -> LayerTrace:
    """Dense layer k's numbers: its forward pass, backward pass, numerical estimates and update."""
    f = passes.fwd[k]
    b = passes.bwd[k] if passes.bwd is not None else None
    nm = passes.numeric[k] if passes.numeric is not None else None
    act = model.activation(k)
    return LayerTrace(
        index=k, activation=act.name, is_output=k == model.L - 1, elementwise=_elementwise(act),
        x=_ro(f.x_aug[:-1]), W=_ro(model.W(k)), b=_ro(model.b(k)), z=_ro(f.z), a=_ro(f.a),
        bn=_bn_trace(model, k, f, b, nm, up),
        dL_da=_ro(b.dL_da) if b is not None else None,
        fprime=_ro(b.fprime) if b is not None and b.fprime is not None else None,
        jacobian=_ro(b.jacobian) if b is not None and b.jacobian is not None else None,
        delta=_ro(b.delta) if b is not None else None,
        combined=b.combined if b is not None else False,
        dL_dW=_ro(b.dWa[:-1]) if b is not None else None,
        dL_db=_ro(b.dWa[-1]) if b is not None else None,
        dL_dx=_ro(b.dL_dx) if b is not None else None,
        numeric_dW=_ro(nm.Wa[:-1]) if nm is not None else None,
        numeric_db=_ro(nm.Wa[-1]) if nm is not None else None,
        penalty_dW=_ro(penalty),
        update_W=_ro(up.Wa[:-1]) if up is not None else None,
        update_b=_ro(up.Wa[-1]) if up is not None else None,
    )


def _bn_trace(model: _Model, k: int, f: _Forward, b: _Backward | None, nm: _Numeric | None,
              up: _Split | None) -> BatchNormTrace | None:
    """Layer k's batch norm (None when the layer has none: the output layer, or no batch norm)."""
    if f.xhat is None:
        return None
    gb = b.bn_grads if b is not None else None
    ub = up.bn if up is not None else None
    return BatchNormTrace(
        mean=_ro(model.bn_mean[k]), var=_ro(model.bn_var[k]), gamma=_ro(model.gamma[k]),
        beta=_ro(model.beta[k]), xhat=_ro(f.xhat), zn=_ro(f.zn),
        dL_dzn=_ro(gb[0]) if gb is not None else None,
        dL_dgamma=_ro(gb[1]) if gb is not None else None,
        dL_dbeta=_ro(gb[2]) if gb is not None else None,
        numeric_dgamma=_ro(nm.gamma) if nm is not None and nm.gamma is not None else None,
        numeric_dbeta=_ro(nm.beta) if nm is not None and nm.beta is not None else None,
        update_gamma=_ro(ub[0]) if ub is not None else None,
        update_beta=_ro(ub[1]) if ub is not None else None,
    )


def _wanted(net: Network, neuron: tuple[int, int] | None) -> list[tuple[list[tuple[int, int]], list[int]]]:
    """Per dense layer, the (row, column) entries of its (fan_in + 1, fan_out) block and
    the batch-norm neurons to check: the output layer, and the neuron's links."""
    wanted: list[tuple[set[tuple[int, int]], set[int]]] = [(set(), set()) for _k in range(net.n_layers)]
    last = net.n_layers - 1
    rows, cols = net.Wa[last].shape
    wanted[last][0].update((i, j) for i in range(rows) for j in range(cols))
    if neuron is not None:
        k, j = neuron
        wanted[k][0].update((i, j) for i in range(net.Wa[k].shape[0]))  # incoming weights and bias
        if k < last:
            wanted[k][1].add(j)
            wanted[k + 1][0].update((j, c) for c in range(net.Wa[k + 1].shape[1]))  # outgoing
    return [(sorted(entries), sorted(neurons)) for entries, neurons in wanted]


def _penalty(W: np.ndarray, reg: str, rate: float) -> np.ndarray:
    if reg == "l2":
        return rate * W
    sign: np.ndarray = np.sign(W)
    return rate * sign


def _update(trainer: Trainer, model: _Model, fwd: list[_Forward], bwd: list[_Backward] | None,
            y: np.ndarray, penalised: bool) -> tuple[str, bool, float, np.ndarray | None]:
    """(rule, stateful, learning rate, the change of every parameter) of one step on this example."""
    tr = trainer.config.training
    if trainer.optimizer is None:
        net = trainer.network
        if bwd is None and net.n_layers == 1 and net.output.name == "step":
            # Rosenblatt's rule, as training/perceptron.py applies it: Wa += lr * (y - y_hat) * x.
            error = float(y[0]) - float(fwd[0].a[0])
            flat = np.zeros_like(model.params)
            flat[: fwd[0].x_aug.size] = tr.learning_rate * error * fwd[0].x_aug
            return "perceptron", False, tr.learning_rate, flat
        return "", False, tr.learning_rate, None
    if bwd is None:
        return "", False, trainer.optimizer.lr, None
    optimizer = copy.deepcopy(trainer.optimizer)  # never step the trainer's own
    grad = model.join(bwd)
    params, mask = model.params, model.penalty_mask
    reg, rate = tr.regularization, tr.regularization_rate
    if penalised and reg == "l2":
        grad = grad + rate * params * mask  # as Steps adds it, through the optimizer
    change = np.zeros_like(params)
    # Every optimizer subtracts from params what depends on the gradient and its
    # state alone, so stepping from zero gives the change exactly (for SGD -lr * g).
    with np.errstate(all="ignore"):
        optimizer.step(change, grad)
        if penalised and reg == "l1":
            # TF Playground's shrink after the step, as Steps._shrink does it.
            stepped = params + change
            shrunk = stepped - optimizer.lr * rate * np.sign(params) * mask
            shrunk[(stepped * shrunk < 0.0) | trainer.steps.dead] = 0.0
            change = shrunk - params
    return optimizer.name, bool(type(optimizer).moments), optimizer.lr, change


def _agreement(layers: Sequence[LayerTrace], absolute: bool = False) -> float:
    """max |a - n| / max(|a|, |n|, AGREEMENT_FLOOR) over the parameters checked (or max |a - n|)."""
    pairs = []
    for layer in layers:
        if layer.dL_dW is None or layer.numeric_dW is None or layer.dL_db is None or layer.numeric_db is None:
            continue
        pairs += [(layer.dL_dW, layer.numeric_dW), (layer.dL_db, layer.numeric_db)]
        bn = layer.bn
        if bn is not None and bn.numeric_dgamma is not None and bn.dL_dgamma is not None:
            assert bn.numeric_dbeta is not None and bn.dL_dbeta is not None
            pairs += [(bn.dL_dgamma, bn.numeric_dgamma), (bn.dL_dbeta, bn.numeric_dbeta)]
    worst = math.nan
    for analytic, numeric in pairs:
        ok = np.isfinite(numeric)
        if not ok.any():
            continue
        a, n = analytic[ok], numeric[ok]
        diff = np.abs(a - n)
        if not absolute:
            diff /= np.maximum(np.maximum(np.abs(a), np.abs(n)), AGREEMENT_FLOOR)
        value = float(diff.max())
        worst = value if math.isnan(worst) else max(worst, value)
    return worst
