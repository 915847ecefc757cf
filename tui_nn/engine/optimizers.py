"""Gradient-descent optimizers as small classes over one flat parameter vector.

Each ``step`` updates ``params`` in place from ``grad`` using buffers made once,
so a training step allocates nothing. An optimizer's hyperparameters are its
constructor's keyword arguments and are declared on the class (name, rule,
default, help) in ``hyperparameters``: the config, ``tui-nn train --help``,
``--set`` and the settings form read them from there, so adding an optimizer
is one class here with ``@OPTIMIZERS.register``. They are plain attributes:
the trainer may change ``lr`` or ``momentum`` between steps (the app does,
while training runs) without losing the optimizer's state.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..i18n import N_
from ..registry import Extension, Registry
from ..rules import Interval

__all__ = ["Hyperparameter", "OPTIMIZERS", "Optimizer", "make_optimizer"]


@dataclass(frozen=True)
class Hyperparameter:
    """One hyperparameter besides the learning rate; ``training.<name>`` in the config.

    Optimizers that share a name (momentum and nesterov's ``momentum``) must
    declare it alike: it is one setting.
    """

    name: str
    rule: Interval
    default: float
    help: str  # marked N_(): shown with _() by the form and --help


class Optimizer(Extension):
    hyperparameters: ClassVar[tuple[Hyperparameter, ...]] = ()
    # Per-weight state the optimizer keeps between steps (attribute names),
    # made once as zeros the size of the parameter vector.
    moments: ClassVar[tuple[str, ...]] = ()

    def __init__(self, size: int, lr: float, **hyper: float) -> None:
        for moment in self.moments:
            setattr(self, moment, np.zeros(size))
        self.lr = float(lr)
        for hp in self.hyperparameters:
            setattr(self, hp.name, float(hyper.get(hp.name, hp.default)))
        self.t = 0
        self._tmp = np.zeros(size)

    def state(self) -> tuple[dict[str, np.ndarray], int]:
        """(moments by name, step count): what a saved session keeps."""
        return {m: getattr(self, m).copy() for m in self.moments}, self.t

    def load_state(self, moments: dict[str, np.ndarray], t: int) -> None:
        for m in self.moments:
            np.copyto(getattr(self, m), moments[m])
        self.t = int(t)

    @classmethod
    def hyperparameter_names(cls) -> tuple[str, ...]:
        return tuple(hp.name for hp in cls.hyperparameters)

    def step(self, params: np.ndarray, grad: np.ndarray) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        hp = ", ".join(f"{k}={getattr(self, k)}" for k in ("lr", *self.hyperparameter_names()))
        return f"{type(self).__name__}({hp})"


OPTIMIZERS: Registry[type[Optimizer]] = Registry("optimizer")

MOMENTUM = Hyperparameter("momentum", Interval(float, 0.0, 0.999), 0.9,
                          N_("momentum / nesterov: velocity kept per step"))
EPSILON = Hyperparameter("epsilon", Interval(float, 1e-12, 0.1), 1e-8,
                         N_("adagrad/rmsprop/adam: keeps divisions finite"))


def _per_weight_step(
    params: np.ndarray, grad: np.ndarray, squares: np.ndarray, lr: float, eps: float, tmp: np.ndarray
) -> None:
    """params -= lr * grad / (sqrt(squares) + eps): Adagrad's and RMSProp's step."""
    np.sqrt(squares, out=tmp)
    tmp += eps
    np.divide(grad, tmp, out=tmp)
    tmp *= lr
    params -= tmp


@OPTIMIZERS.register
class SGD(Optimizer):
    name = "sgd"
    description = "plain (mini-batch) gradient descent: w -= lr * g"

    def step(self, params: np.ndarray, grad: np.ndarray) -> None:
        np.multiply(grad, self.lr, out=self._tmp)
        params -= self._tmp


@OPTIMIZERS.register
class Momentum(Optimizer):
    name = "momentum"
    description = "heavy ball: v = momentum*v - lr*g; w += v"
    hyperparameters = (MOMENTUM,)
    moments = ("v",)
    momentum: float
    v: np.ndarray

    def step(self, params: np.ndarray, grad: np.ndarray) -> None:
        self.v *= self.momentum
        np.multiply(grad, self.lr, out=self._tmp)
        self.v -= self._tmp
        params += self.v


@OPTIMIZERS.register
class Nesterov(Momentum):
    name = "nesterov"
    description = "Nesterov momentum: w += momentum*v - lr*g with v updated first"

    def step(self, params: np.ndarray, grad: np.ndarray) -> None:
        # The look-ahead form used by Keras and PyTorch (Sutskever et al. 2013).
        self.v *= self.momentum
        np.multiply(grad, self.lr, out=self._tmp)
        self.v -= self._tmp
        params -= self._tmp
        np.multiply(self.v, self.momentum, out=self._tmp)
        params += self._tmp


@OPTIMIZERS.register
class Adagrad(Optimizer):
    name = "adagrad"
    description = "per-weight rates from the sum of squared gradients"
    hyperparameters = (EPSILON,)
    moments = ("g2",)
    epsilon: float
    g2: np.ndarray

    def step(self, params: np.ndarray, grad: np.ndarray) -> None:
        np.multiply(grad, grad, out=self._tmp)
        self.g2 += self._tmp
        _per_weight_step(params, grad, self.g2, self.lr, self.epsilon, self._tmp)


@OPTIMIZERS.register
class RMSProp(Optimizer):
    name = "rmsprop"
    description = "per-weight rates from a moving average of squared gradients"
    hyperparameters = (
        Hyperparameter("rho", Interval(float, 0.0, 0.999), 0.9, N_("rmsprop: decay of the squared-gradient average")),
        EPSILON,
    )
    moments = ("s",)
    rho: float
    epsilon: float
    s: np.ndarray

    def step(self, params: np.ndarray, grad: np.ndarray) -> None:
        np.multiply(grad, grad, out=self._tmp)
        self._tmp *= 1.0 - self.rho
        self.s *= self.rho
        self.s += self._tmp
        _per_weight_step(params, grad, self.s, self.lr, self.epsilon, self._tmp)


@OPTIMIZERS.register
class Adam(Optimizer):
    name = "adam"
    description = "momentum plus RMSProp with bias correction (Kingma & Ba 2015)"
    hyperparameters = (
        Hyperparameter("beta1", Interval(float, 0.0, 0.999), 0.9, N_("adam: decay of the gradient average")),
        Hyperparameter("beta2", Interval(float, 0.0, 0.99999), 0.999,
                       N_("adam: decay of the squared-gradient average")),
        EPSILON,
    )
    moments = ("M", "V")
    epsilon: float
    M: np.ndarray
    V: np.ndarray
    _b1: float
    _b2: float

    # The moments are kept pre-divided by (1 - beta): M = m / (1 - b1) and
    # V = v / (1 - b2). Then M = b1*M + g needs two operations instead of
    # three, and both bias corrections fold into two scalars:
    #   w -= lr * m_hat / (sqrt(v_hat) + eps)
    #      = (lr * c1 / c2) * M / (sqrt(V) + eps / c2),
    #   c1 = (1 - b1) / (1 - b1^t),  c2 = sqrt((1 - b2) / (1 - b2^t)).

    # A live change of beta keeps m and v themselves, so the scaled state moves.
    @property
    def beta1(self) -> float:
        return self._b1

    @beta1.setter
    def beta1(self, value: float) -> None:
        value = float(value)
        if hasattr(self, "_b1"):
            self.M *= (1.0 - self._b1) / (1.0 - value)
        self._b1 = value

    @property
    def beta2(self) -> float:
        return self._b2

    @beta2.setter
    def beta2(self, value: float) -> None:
        value = float(value)
        if hasattr(self, "_b2"):
            self.V *= (1.0 - self._b2) / (1.0 - value)
        self._b2 = value

    def step(self, params: np.ndarray, grad: np.ndarray) -> None:
        self.t += 1
        b1, b2, tmp = self._b1, self._b2, self._tmp
        M, V = self.M, self.V
        M *= b1
        M += grad
        V *= b2
        np.multiply(grad, grad, out=tmp)
        V += tmp
        c1 = (1.0 - b1) / (1.0 - b1**self.t)
        c2 = math.sqrt((1.0 - b2) / (1.0 - b2**self.t))
        np.sqrt(V, out=tmp)
        tmp += self.epsilon / c2
        np.divide(M, tmp, out=tmp)
        tmp *= self.lr * c1 / c2
        params -= tmp


def make_optimizer(name: str, size: int, lr: float, **hyper: Any) -> Optimizer:
    """An optimizer by registry name; ``hyper`` may hold other optimizers' keys (ignored)."""
    cls = OPTIMIZERS[name]
    return cls(size, lr, **{k: hyper[k] for k in cls.hyperparameter_names() if k in hyper})
