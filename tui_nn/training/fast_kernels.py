"""The compiled mini-batch loop: Numba kernels for ``fast_epoch``.

Imported only by ``fast_epoch`` and only when Numba is installed (the
``fast`` extra), so a default install never loads it. Every kernel does, per
element, the same floating-point operations in the same order as the NumPy
path (``network.py``, ``activations.py``, ``optimizers.py``, ``steps.py``):
that is what keeps the two paths within 1e-12 of each other. Sums (the
matrix products) run in index order; BLAS may sum and fuse differently, which
is the only source of difference. Nothing here enables fast-math, so LLVM
may not reorder or fuse either.

``error_model="numpy"``: a division by zero gives inf or NaN as in NumPy
(the trainer's divergence check handles them) instead of raising.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable
from typing import Any, TypeVar, cast

import numpy as np

# Numba has no type information; reached through importlib so the type
# checker sees a module of Any, and the decorator below gives the types back.
_numba: Any = importlib.import_module("numba")

F = TypeVar("F", bound=Callable[..., Any])

# Codes for the kernels' branches (fast_epoch maps the registry names to them).
LINEAR, TANH, SIGMOID, RELU, LEAKY, SOFTPLUS, SWISH, SOFTMAX = range(8)
FUSED, SQUARED, ABSOLUTE = range(3)  # the loss gradient: (p - y)/n, MSE-like, MAE
SGD, MOMENTUM, NESTEROV, ADAGRAD, RMSPROP, ADAM = range(6)
LOOP_ROWS = 16  # rows narrower than this are copied without views (_next_input)


def _compiled(fn: F) -> F:
    # cache=True: compiled once per machine, loaded in ~0.2 s after that (see
    # fast_epoch for where the cache goes).
    return cast(F, _numba.njit(cache=True, nogil=True, error_model="numpy")(fn))


def _product(fn: F) -> F:
    # The matrix products may fuse each multiply-add (and only that, no
    # reordering): BLAS's kernels do, so the sums round as NumPy's do.
    return cast(F, _numba.njit(cache=True, nogil=True, error_model="numpy", fastmath={"contract"})(fn))


@_compiled
def _sigmoid(z: float) -> float:
    # As Sigmoid.forward: (1 + tanh(z/2)) / 2, in that order.
    return (math.tanh(z * 0.5) + 1.0) * 0.5


@_compiled
def _sign(a: float) -> float:
    if a > 0.0:
        return 1.0
    if a < 0.0:
        return -1.0
    return a  # 0.0 (or -0.0) stays, NaN stays NaN, as np.sign


# Every array below is flat: a (rows, cols) block of ``buf`` from ``o`` is
# buf[o + i*cols + j]. Views would cost a reference count each, several per
# mini-batch, which on a 2-4-2-1 net is most of the work.


@_compiled
def _activate(code: int, slope: float, z: np.ndarray, zo: int, out: np.ndarray, oo: int,
              rows: int, cols: int) -> None:
    """``out = f(z)`` for a (rows, cols) block: a hidden or output activation.
    One loop per function, so the simple ones vectorise."""
    n = rows * cols
    # Views indexed by the loop's own counter: Numba then knows the index is
    # not negative and the loops vectorise (an offset index costs 3x).
    zs, outs = z[zo:zo + n], out[oo:oo + n]
    if code == SOFTMAX:
        _softmax(z, zo, out, oo, rows, cols)
    elif code == LINEAR:
        for e in range(n):
            outs[e] = zs[e]
    elif code == TANH:
        for e in range(n):
            outs[e] = math.tanh(zs[e])
    elif code == SIGMOID:
        for e in range(n):
            outs[e] = _sigmoid(zs[e])
    elif code == RELU:
        for e in range(n):
            v = zs[e]
            outs[e] = 0.0 if 0.0 > v else v  # np.maximum(z, 0): -0.0 and NaN stay
    elif code == LEAKY:
        for e in range(n):
            v = zs[e]
            s = v * slope
            outs[e] = s if s > v else v  # np.maximum(z, slope*z)
    elif code == SOFTPLUS:
        for e in range(n):
            outs[e] = _logaddexp0(zs[e])
    else:  # SWISH
        for e in range(n):
            outs[e] = zs[e] * _sigmoid(zs[e])


@_compiled
def _softmax(z: np.ndarray, zo: int, out: np.ndarray, oo: int, rows: int, cols: int) -> None:
    """As Softmax.forward: e^(z - max) / sum, row by row."""
    for i in range(rows):
        top = z[zo + i * cols]
        for j in range(1, cols):
            top = max(top, z[zo + i * cols + j])
        total = 0.0
        for j in range(cols):
            e = math.exp(z[zo + i * cols + j] - top)
            out[oo + i * cols + j] = e
            total += e
        for j in range(cols):
            out[oo + i * cols + j] = out[oo + i * cols + j] / total


@_compiled
def _logaddexp0(z: float) -> float:
    """np.logaddexp(0.0, z) as NumPy computes it (npy_logaddexp)."""
    if z == 0.0:
        return 0.0 + math.log(2.0)
    tmp = 0.0 - z
    if tmp > 0.0:
        return 0.0 + math.log1p(math.exp(-tmp))
    if tmp <= 0.0:
        return z + math.log1p(math.exp(tmp))
    return tmp  # NaN


@_compiled
def _derive(code: int, slope: float, z: np.ndarray, a: np.ndarray, delta: np.ndarray, o: int,
            out: np.ndarray, oo: int, n: int) -> None:
    """``out = f'(z) * delta`` (Activation.backward); ``a`` is f(z); z, a, delta share offset ``o``."""
    zs, As, ds, outs = z[o:o + n], a[o:o + n], delta[o:o + n], out[oo:oo + n]  # see _activate
    if code == LINEAR:
        for e in range(n):
            outs[e] = ds[e]
    elif code == TANH:
        for e in range(n):
            outs[e] = (1.0 - As[e] * As[e]) * ds[e]
    elif code == SIGMOID:
        for e in range(n):
            outs[e] = ((1.0 - As[e]) * As[e]) * ds[e]
    elif code == RELU:
        for e in range(n):
            # sign(a) * delta for a = relu(z) >= 0: delta, or a * delta (0, -0 or NaN as NumPy's).
            outs[e] = ds[e] if As[e] > 0.0 else As[e] * ds[e]
    elif code == LEAKY:
        for e in range(n):
            outs[e] = (1.0 if zs[e] > 0.0 else slope) * ds[e]
    elif code == SOFTPLUS:
        for e in range(n):
            outs[e] = _sigmoid(zs[e]) * ds[e]
    else:  # SWISH: s * (1 + z * (1 - s)), as Swish.derivative
        for e in range(n):
            s = _sigmoid(zs[e])
            outs[e] = (s * (((1.0 - s) * zs[e]) + 1.0)) * ds[e]


@_product
def _dense(x: np.ndarray, xo: int, W: np.ndarray, wo: int, z: np.ndarray, zo: int,
           rows: int, inner: int, cols: int) -> None:
    """``z = x @ W``; ``x`` carries the ones column, so the bias row is added last."""
    for i in range(rows):
        zi = zo + i * cols
        for j in range(cols):
            z[zi + j] = 0.0
        for r in range(inner):
            xr = x[xo + i * inner + r]
            wr = wo + r * cols
            for j in range(cols):
                z[zi + j] += xr * W[wr + j]


@_product
def _weight_grad(x: np.ndarray, xo: int, d: np.ndarray, do: int, g: np.ndarray, go: int,
                 rows: int, inner: int, cols: int) -> None:
    """``g = x.T @ d``: summed over the batch rows in order."""
    for e in range(inner * cols):
        g[go + e] = 0.0
    for i in range(rows):
        di = do + i * cols
        for r in range(inner):
            xr = x[xo + i * inner + r]
            gr = go + r * cols
            for j in range(cols):
                g[gr + j] += xr * d[di + j]


@_product
def _send_back(d: np.ndarray, do: int, WT: np.ndarray, back: np.ndarray, bo: int,
               rows: int, cols: int, width: int) -> None:
    """``back = d @ W[:-1].T`` with ``WT`` a transposed copy, so the inner loop is contiguous."""
    for i in range(rows):
        bi = bo + i * width
        for r in range(width):
            back[bi + r] = 0.0
        for j in range(cols):
            dj = d[do + i * cols + j]
            wj = j * width
            for r in range(width):
                back[bi + r] += dj * WT[wj + r]


# The same three products through BLAS (np.dot, which Numba takes from
# SciPy): on wide layers its blocked kernels are 4-5 times faster than the
# loops above, and on small ones its ~1 us per call is most of a step.
@_compiled
def _dense_blas(x: np.ndarray, xo: int, W: np.ndarray, wo: int, z: np.ndarray, zo: int,
                rows: int, inner: int, cols: int) -> None:
    np.dot(x[xo:xo + rows * inner].reshape(rows, inner), W[wo:wo + inner * cols].reshape(inner, cols),
           z[zo:zo + rows * cols].reshape(rows, cols))


@_compiled
def _weight_grad_blas(x: np.ndarray, xo: int, d: np.ndarray, do: int, g: np.ndarray, go: int,
                      rows: int, inner: int, cols: int) -> None:
    np.dot(x[xo:xo + rows * inner].reshape(rows, inner).T, d[do:do + rows * cols].reshape(rows, cols),
           g[go:go + inner * cols].reshape(inner, cols))


@_compiled
def _send_back_blas(d: np.ndarray, do: int, W: np.ndarray, wo: int, back: np.ndarray, bo: int,
                    rows: int, cols: int, width: int) -> None:
    np.dot(d[do:do + rows * cols].reshape(rows, cols), W[wo:wo + width * cols].reshape(width, cols).T,
           back[bo:bo + rows * width].reshape(rows, width))


@_compiled
def _output_delta(out_code: int, loss: int, factor: float, p: np.ndarray, y: np.ndarray, yo: int,
                  d: np.ndarray, do: int, rows: int, cols: int) -> None:
    """dLoss/dz of the output layer into ``d`` from ``do`` (Network._backward's first lines):
    fused (p - y)/n, else the loss's gradient times the output's derivative, which for
    linear, tanh and sigmoid needs only p."""
    count = rows * cols
    if loss == FUSED:
        inv = 1.0 / rows
        for e in range(count):
            d[do + e] = (p[e] - y[yo + e]) * inv
        return
    scale = 2.0 * factor / count if loss == SQUARED else 1.0 / count
    for e in range(count):
        diff = p[e] - y[yo + e]
        g = (diff if loss == SQUARED else _sign(diff)) * scale
        a = p[e]
        if out_code == TANH:
            g = (1.0 - a * a) * g
        elif out_code == SIGMOID:
            g = ((1.0 - a) * a) * g
        d[do + e] = g


@_compiled
def _draw_mask(u: np.ndarray, pos: int, keep: float, m: np.ndarray, mo: int, rows: int, cols: int) -> int:
    """Dropout's mask from the epoch's uniforms, consumed in the order the NumPy
    path draws them (one ``random(out=m)`` per layer and batch, ``m`` in
    column-major order); returns the next position."""
    scale = 1.0 / keep
    for j in range(cols):
        for i in range(rows):
            m[mo + i * cols + j] = (1.0 if u[pos] < keep else 0.0) * scale
            pos += 1
    return pos


@_compiled
def _next_input(h: np.ndarray, m: np.ndarray, ho: int, masked: bool, ins: np.ndarray, io: int,
                rows: int, cols: int) -> None:
    """The next layer's input: the activations (times dropout's mask), then the ones column."""
    if cols < LOOP_ROWS:  # a view per row would cost more than the row
        for i in range(rows):
            for j in range(cols):
                v = h[ho + i * cols + j]
                ins[io + i * (cols + 1) + j] = v * m[ho + i * cols + j] if masked else v
            ins[io + i * (cols + 1) + cols] = 1.0
        return
    for i in range(rows):
        src, dst = h[ho + i * cols:ho + (i + 1) * cols], ins[io + i * (cols + 1):io + (i + 1) * (cols + 1)]
        if masked:
            mask = m[ho + i * cols:ho + (i + 1) * cols]
            for j in range(cols):
                dst[j] = src[j] * mask[j]
        else:
            for j in range(cols):
                dst[j] = src[j]
        dst[cols] = 1.0


@_compiled
def _forward(x: np.ndarray, xo: int, nb: int, params: np.ndarray, sizes: np.ndarray, offs: np.ndarray,
             codes: np.ndarray, slope: float, out_code: int, keep: float, u: np.ndarray, upos: int,
             ib: np.ndarray, io: np.ndarray, zb: np.ndarray, hb: np.ndarray, mb: np.ndarray, zo: np.ndarray,
             p: np.ndarray, blas: bool) -> int:
    """The training-mode forward pass of one batch (rows of ``x`` from ``xo``);
    returns the next uniform's position."""
    last = sizes.shape[0] - 2
    inp, ino = x, xo
    for k in range(last + 1):
        n_in, n_out = sizes[k], sizes[k + 1]
        if blas:
            _dense_blas(inp, ino, params, offs[k], zb, zo[k], nb, n_in + 1, n_out)
        else:
            _dense(inp, ino, params, offs[k], zb, zo[k], nb, n_in + 1, n_out)
        if k == last:
            _activate(out_code, slope, zb, zo[k], p, 0, nb, n_out)
            break
        _activate(codes[k], slope, zb, zo[k], hb, zo[k], nb, n_out)
        if keep < 1.0:
            upos = _draw_mask(u, upos, keep, mb, zo[k], nb, n_out)
        nxt = io[k + 1]
        _next_input(hb, mb, zo[k], keep < 1.0, ib, nxt, nb, n_out)
        inp, ino = ib, nxt
    return upos


@_compiled
def _backward(x: np.ndarray, xo: int, y: np.ndarray, yo: int, nb: int, params: np.ndarray,
              grad: np.ndarray, sizes: np.ndarray, offs: np.ndarray, codes: np.ndarray, slope: float,
              out_code: int, loss: int, factor: float, keep: float, ib: np.ndarray, io: np.ndarray,
              zb: np.ndarray, hb: np.ndarray, mb: np.ndarray, db: np.ndarray, bb: np.ndarray,
              zo: np.ndarray, p: np.ndarray, wt: np.ndarray, blas: bool) -> None:
    """Fill ``grad`` with dLoss/dparams of the batch last run forward (Network._backward)."""
    last = sizes.shape[0] - 2
    _output_delta(out_code, loss, factor, p, y, yo, db, zo[last], nb, sizes[last + 1])
    for k in range(last, 0, -1):
        n_in, n_out = sizes[k], sizes[k + 1]
        below = zo[k - 1]
        if blas:
            _weight_grad_blas(ib, io[k], db, zo[k], grad, offs[k], nb, n_in + 1, n_out)
            _send_back_blas(db, zo[k], params, offs[k], bb, below, nb, n_out, n_in)
        else:
            _weight_grad(ib, io[k], db, zo[k], grad, offs[k], nb, n_in + 1, n_out)
            for r in range(n_in):
                for j in range(n_out):
                    wt[j * n_in + r] = params[offs[k] + r * n_out + j]
            _send_back(db, zo[k], wt, bb, below, nb, n_out, n_in)
        if keep < 1.0:
            for e in range(nb * n_in):
                bb[below + e] = bb[below + e] * mb[below + e]
        _derive(codes[k - 1], slope, zb, hb, bb, below, db, below, nb * n_in)
    if blas:
        _weight_grad_blas(x, xo, db, zo[0], grad, offs[0], nb, sizes[0] + 1, sizes[1])
    else:
        _weight_grad(x, xo, db, zo[0], grad, offs[0], nb, sizes[0] + 1, sizes[1])


@_compiled
def _step(opt: int, params: np.ndarray, grad: np.ndarray, lr: float, h1: float, h2: float, eps: float,
          m1: np.ndarray, m2: np.ndarray, c1: float, c2: float) -> None:
    """The optimizer's update, as its class does it (its operations, their order);
    one loop per optimizer, each array read once into a local, so each vectorises
    (measured: Adam over 8,707 weights 9 us, 17 us re-reading the arrays)."""
    n = params.shape[0]
    if opt == SGD:
        for i in range(n):
            params[i] = params[i] - grad[i] * lr
    elif opt == MOMENTUM or opt == NESTEROV:
        nesterov = opt == NESTEROV
        for i in range(n):
            g, w = grad[i], params[i]
            v = m1[i] * h1 - g * lr
            m1[i] = v
            params[i] = ((w - g * lr) + v * h1) if nesterov else w + v
    elif opt == ADAGRAD or opt == RMSPROP:
        rms = opt == RMSPROP
        for i in range(n):
            g = grad[i]
            s = (m1[i] * h1 + (g * g) * (1.0 - h1)) if rms else m1[i] + g * g
            m1[i] = s
            params[i] = params[i] - (g / (math.sqrt(s) + eps)) * lr
    else:  # ADAM, its moments kept pre-divided by (1 - beta): see optimizers.Adam
        shift, scale = eps / c2, lr * c1 / c2
        for i in range(n):
            g = grad[i]
            M = m1[i] * h1 + g
            V = m2[i] * h2 + g * g
            m1[i], m2[i] = M, V
            params[i] = params[i] - (M / (math.sqrt(V) + shift)) * scale


@_compiled
def _update(params: np.ndarray, grad: np.ndarray, mask: np.ndarray, dead: np.ndarray, any_dead: bool,
            opt: int, hyper: np.ndarray, m1: np.ndarray, m2: np.ndarray, t: int, l2: bool, l1: bool,
            rate: float, signs: np.ndarray) -> tuple[int, bool]:
    """The penalty, the optimizer step and L1's shrink (Steps._gradient's per-batch tail)."""
    lr, h1, h2, eps = hyper[0], hyper[1], hyper[2], hyper[3]
    c1 = c2 = 1.0
    if opt == ADAM:
        t += 1
        c1 = (1.0 - h1) / (1.0 - h1 ** float(t))
        c2 = math.sqrt((1.0 - h2) / (1.0 - h2 ** float(t)))
    n = params.shape[0]
    if l2:
        for i in range(n):
            grad[i] = grad[i] + (params[i] * mask[i]) * rate
    if l1:
        for i in range(n):
            signs[i] = _sign(params[i]) * mask[i]  # the shrink's direction, at the old weights
    _step(opt, params, grad, lr, h1, h2, eps, m1, m2, c1, c2)
    if l1:
        amount = lr * rate
        for i in range(n):
            shrunk = params[i] - signs[i] * amount
            if params[i] * shrunk < 0.0:
                dead[i] = True
                any_dead = True
            params[i] = 0.0 if dead[i] else shrunk
    return t, any_dead


@_compiled
def run_batches(xs: np.ndarray, ys: np.ndarray, los: np.ndarray, his: np.ndarray, params: np.ndarray,
                grad: np.ndarray, sizes: np.ndarray, offs: np.ndarray, codes: np.ndarray, slope: float,
                out_code: int, loss: int, factor: float, keep: float, u: np.ndarray, mask: np.ndarray,
                dead: np.ndarray, any_dead: bool, opt: int, hyper: np.ndarray, m1: np.ndarray,
                m2: np.ndarray, t: int, l2: bool, l1: bool, rate: float, blas: bool) -> tuple[int, bool]:
    """Train on rows ``los[b]:his[b]`` of ``xs``/``ys`` (C-ordered, flattened) for each b
    in turn; returns Adam's step count and whether any weight is dead (L1). Updates
    ``params``, ``grad``, the moments and ``dead`` in place."""
    nb_max = int(np.max(his - los))
    n_layers = sizes.shape[0] - 1
    io = np.zeros(n_layers + 1, dtype=np.int64)
    zo = np.zeros(n_layers + 1, dtype=np.int64)
    for k in range(1, n_layers):
        io[k + 1] = io[k] + nb_max * (sizes[k] + 1)
    for k in range(n_layers):
        zo[k + 1] = zo[k] + nb_max * sizes[k + 1]
    ib, zb, hb, mb = np.empty(io[-1] + 1), np.empty(zo[-1]), np.empty(zo[-1]), np.empty(zo[-1])
    db, bb, wt = np.empty(zo[-1]), np.empty(zo[-1]), np.empty(int(np.max(sizes)) ** 2)
    p = np.empty(nb_max * sizes[-1])
    signs = np.empty(params.shape[0] if l1 else 1)
    n_x, n_y = sizes[0] + 1, sizes[-1]
    upos = 0
    for b in range(los.shape[0]):
        lo, nb = los[b], his[b] - los[b]
        upos = _forward(xs, lo * n_x, nb, params, sizes, offs, codes, slope, out_code, keep, u, upos,
                        ib, io, zb, hb, mb, zo, p, blas)
        _backward(xs, lo * n_x, ys, lo * n_y, nb, params, grad, sizes, offs, codes, slope, out_code, loss,
                  factor, keep, ib, io, zb, hb, mb, db, bb, zo, p, wt, blas)
        t, any_dead = _update(params, grad, mask, dead, any_dead, opt, hyper, m1, m2, t, l2, l1, rate, signs)
    return t, any_dead


def example_arguments() -> tuple[Any, ...]:
    """Arguments of the types FastBatches passes (one 10-row batch of a 2-3-1 net),
    so that a call compiles the one specialisation every run uses."""
    sizes, offs = np.array([2, 3, 1], dtype=np.int64), np.array([0, 9], dtype=np.int64)
    xs, ys, n = np.ones((10, 3)).reshape(-1), np.zeros(10), 13
    los, his = np.array([0], dtype=np.int64), np.array([10], dtype=np.int64)
    one = np.zeros(1)
    return (xs, ys, los, his, np.full(n, 0.1), np.zeros(n), sizes, offs, np.array([TANH], dtype=np.int64),
            0.0, SIGMOID, FUSED, 1.0, 1.0, one, np.ones(n), np.zeros(n, dtype=bool), False, SGD,
            np.array([0.1, 0.0, 0.0, 0.0]), one, one, 0, False, False, 0.0, False)
