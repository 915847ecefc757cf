"""The fast path: an epoch's mini-batches in one compiled call (Numba).

Why: on the playground's nets a training step is a few thousand
floating-point operations, and the NumPy path spends ~30 calls of ~1 us on
each; the kernels in ``fast_kernels`` do a whole run of batches (forward,
backward, penalty, optimizer, L1's shrink) in one call. On layers up to
``LOOP_WIDTH`` wide they multiply in their own loops; past it through BLAS
(Numba's np.dot, which is SciPy's), still without a Python call per step.

Which runs take it: Numba and SciPy installed (the ``fast`` extra),
``TUI_NN_ENGINE`` not ``numpy``, gradient training (not the perceptron
rule), no batch norm, and every activation, loss and optimizer of today
except softmax without cross-entropy. Everything else runs on NumPy. A run
decides once, at its start, and keeps its path, so each path is
deterministic from the seed.

Randomness stays NumPy's: Steps shuffles as before, and dropout's uniforms
are drawn from the network's own Generator in the order the NumPy path draws
them, so both paths see the same numbers. The kernels' loop products are
OpenBLAS's rounding to the bit on the shapes tried (its one-column gemv
aside), BLAS through SciPy rounds a little differently: the paths agree to
~1e-15 at first, and drift apart only as fast as the run amplifies rounding.

Compilation: the first batch of the first run in a process compiles the
kernels (~10 s cold) or loads them from Numba's cache (~0.5 s): in the
trainer's process, never the app's (building a Trainer does not import
Numba). Numba caches beside this file (``__pycache__``) or, where that is
read-only, in its user-wide cache directory; ``NUMBA_CACHE_DIR`` moves it.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from types import ModuleType

import numpy as np

from ..engine.activations import LeakyReLU
from ..engine.network import Network
from ..engine.optimizers import Optimizer
from ..file_access import served

__all__ = ["ENGINE_VARIABLE", "LOOP_WIDTH", "FastBatches", "compile_kernels", "fast_batches", "unsupported",
           "unsupported_here"]

ENGINE_VARIABLE = "TUI_NN_ENGINE"  # "numpy": never take the fast path
# Nets with a layer wider than this multiply through BLAS. Its products are
# faster from 8 wide up (measured on 16-16: 3,001 against 1,253 epochs/s),
# but SciPy's BLAS rounds unlike NumPy's, while the loops match NumPy's to
# the bit: spiral3 (16-16) ends 1.3e-12 from NumPy after 100 epochs with BLAS
# and 6.6e-13 with the loops. Every preset is at most 16 wide.
LOOP_WIDTH = 16

HIDDEN = {"linear": 0, "tanh": 1, "sigmoid": 2, "relu": 3, "leaky_relu": 4, "softplus": 5, "swish": 6}
OUTPUTS = {"linear": 0, "tanh": 1, "sigmoid": 2, "softmax": 7}
OPTIMIZERS = {"sgd": 0, "momentum": 1, "nesterov": 2, "adagrad": 3, "rmsprop": 4, "adam": 5}
# Each optimizer's hyperparameters in the kernels' slots (h1, h2, eps).
SLOTS = {"sgd": (), "momentum": ("momentum",), "nesterov": ("momentum",), "adagrad": ("", "", "epsilon"),
         "rmsprop": ("rho", "", "epsilon"), "adam": ("beta1", "beta2", "epsilon")}
LOSSES = {"mse": 1, "square": 1, "mae": 2}  # unfused; fused (p - y)/n is 0

_kernels: ModuleType | None = None  # the compiled kernels, once compile_kernels succeeded
_failure: str | None = None  # why they could not be built in this process


def unsupported_here() -> str | None:
    """Why no run on this machine takes the fast path, or None."""
    if os.environ.get(ENGINE_VARIABLE, "").lower() == "numpy":
        return f"{ENGINE_VARIABLE}=numpy"
    if served():
        # Served to browsers, a run may write no file on the server, and Numba's
        # cache writes beside the package (it probes the folder even to load).
        return "served (tui-nn serve): the compiled path's cache would write on the server"
    if importlib.util.find_spec("numba") is None or importlib.util.find_spec("scipy") is None:
        # Numba's np.dot (the products on wide layers) is SciPy's BLAS.
        return "numba or scipy (its BLAS) is not installed: pip install 'tui-nn[fast]'"
    return _failure


def compile_kernels() -> str | None:
    """Compile the kernels (or load them from Numba's cache) in this process, once;
    returns why they cannot be had (None when they are ready). Runs call it at
    their first batch; the session loop calls it sooner."""
    global _kernels, _failure
    if _kernels is None and _failure is None:
        try:
            module = importlib.import_module(".fast_kernels", __package__)
            module.run_batches(*module.example_arguments())
        except Exception as exc:  # noqa: BLE001 - whatever stops the build, NumPy's path still runs
            # E.g. no writable cache directory, or a Numba that cannot compile them.
            _failure = f"the kernels could not be compiled ({type(exc).__name__}: {str(exc)[:200]})"
        else:
            _kernels = module
    return _failure


def unsupported(network: Network, optimizer: str) -> str | None:
    """Why a run cannot take the fast path, or None when it can."""
    here = unsupported_here()
    if here is not None:
        return here
    if optimizer not in OPTIMIZERS:
        return f"optimizer {optimizer} is not compiled"
    if network.batch_norm:
        return "batch norm is not compiled"
    if not network.has_gradient:
        return "the network has no gradient"
    hidden = [a.name for a in network.hidden]
    if any(name not in HIDDEN for name in hidden) or network.output.name not in OUTPUTS:
        return "an activation is not compiled"
    if not network.fused and (network.loss.name not in LOSSES or network.output.name == "softmax"):
        return f"{network.loss.name} after {network.output.name} is not compiled"
    return None


def fast_batches(network: Network, optimizer: str) -> FastBatches | None:
    """The fast path for this run, or None for NumPy's."""
    return None if unsupported(network, optimizer) else FastBatches(network, optimizer)


class FastBatches:
    """Runs Steps' mini-batches through the kernels, for one network and optimizer kind."""

    def __init__(self, network: Network, optimizer: str) -> None:
        self.network = network
        net = network
        self._sizes = np.array(net.sizes, dtype=np.int64)
        self._offs = np.cumsum([0] + [(net.sizes[k] + 1) * net.sizes[k + 1] for k in range(net.n_layers - 1)],
                               dtype=np.int64)
        self._codes = np.array([HIDDEN[a.name] for a in net.hidden] or [0], dtype=np.int64)
        self._slope = float(next((a.slope for a in net.hidden if isinstance(a, LeakyReLU)), 0.0))
        self._out = OUTPUTS[net.output.name]
        self._loss = 0 if net.fused else LOSSES[net.loss.name]
        self._factor = float(getattr(net.loss, "factor", 1.0))
        self._opt = OPTIMIZERS[optimizer]
        self._slots = SLOTS[optimizer]
        self._none = np.zeros(1)
        # Wide layers multiply through BLAS, small ones in the kernels' loops.
        self._blas = max(net.sizes[1:]) > LOOP_WIDTH
        # Made once and refilled: a call costs microseconds on a small net.
        self._hyper_values = np.zeros(4)
        self._moments_of: tuple[object, np.ndarray, np.ndarray] = (None, self._none, self._none)
        self._bounds_of: tuple[object, np.ndarray, np.ndarray] = (None, self._none, self._none)
        self._xs_flat, self._ys_flat = self._none, self._none

    @staticmethod
    def ready() -> bool:
        """Compiled and usable (compiles at the first call). Called before a run's
        first batch, so a run that cannot have them is NumPy's from its start."""
        return compile_kernels() is None

    def _hyper(self, optimizer: Optimizer) -> np.ndarray:
        hyper = self._hyper_values
        hyper[0] = optimizer.lr  # read at every call: the app may change it live
        for k, name in enumerate(self._slots):
            hyper[k + 1] = float(getattr(optimizer, name)) if name else 0.0
        return hyper

    def _moments(self, optimizer: Optimizer) -> tuple[np.ndarray, np.ndarray]:
        if self._moments_of[0] is not optimizer:  # a divergence makes a new optimizer
            moments = [getattr(optimizer, m) for m in type(optimizer).moments]
            self._moments_of = (optimizer, moments[0] if moments else self._none,
                                moments[1] if len(moments) > 1 else self._none)
        return self._moments_of[1], self._moments_of[2]

    def _bounds(self, batches: range, starts: range) -> tuple[np.ndarray, np.ndarray]:
        """First and end rows of the batches, made once per epoch's cut."""
        if self._bounds_of[0] != (batches, starts):
            los = np.array(batches, dtype=np.int64)
            # As Steps does: the epoch's last batch takes the rest of the rows.
            n = len(self._xs_flat) // (self.network.sizes[0] + 1)
            his = np.where(los == starts[-1], n, los + starts.step)
            self._bounds_of = ((batches, starts), los, his)
        return self._bounds_of[1], self._bounds_of[2]

    def _uniforms(self, los: np.ndarray, his: np.ndarray) -> tuple[float, np.ndarray]:
        """Dropout's keep probability and the uniforms its masks need, drawn at once:
        the same numbers, in the same order, as a ``random(out=mask)`` per layer and batch."""
        net = self.network
        if net.dropout <= 0.0:
            return 1.0, self._none
        count = int((his - los).sum()) * sum(net.sizes[1:-1])
        return 1.0 - net.dropout, net.dropout_rng.random(count)

    def run(self, xs: np.ndarray, ys: np.ndarray, batches: range, starts: range, optimizer: Optimizer,
            reg: str, rate: float, dead: np.ndarray, any_dead: bool) -> bool:
        """Train on the mini-batches that begin at ``batches`` (of the epoch cut at
        ``starts``), rows of the C-ordered ``xs``/``ys``; returns whether any weight is
        dead (L1) afterwards."""
        net = self.network
        if self._xs_flat.base is not xs:
            self._xs_flat, self._ys_flat = xs.reshape(-1), ys.reshape(-1)
        los, his = self._bounds(batches, starts)
        keep, uniforms = self._uniforms(los, his)
        m1, m2 = self._moments(optimizer)
        l2, l1 = reg == "l2" and rate > 0.0, reg == "l1" and rate > 0.0
        assert _kernels is not None, "FastBatches.ready() first"
        t, dead_now = _kernels.run_batches(
            self._xs_flat, self._ys_flat, los, his, net.params, net.grad, self._sizes, self._offs,
            self._codes, self._slope, self._out, self._loss, self._factor, keep, uniforms,
            net.penalty_mask, dead, any_dead, self._opt, self._hyper(optimizer), m1, m2, optimizer.t,
            l2, l1, float(rate), self._blas)
        optimizer.t = int(t)
        return bool(dead_now)
