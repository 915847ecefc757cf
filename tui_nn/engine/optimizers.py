"""Gradient-descent optimizers as small classes over one flat parameter vector.

Each ``step`` updates ``params`` in place from ``grad`` using buffers made once,
so a training step allocates nothing. Hyperparameters are plain attributes:
the trainer may change ``lr`` or ``momentum`` between steps (the app does, while
training runs) without losing the optimizer's state.

Adding an optimizer is one class here with ``@register`` and its parameter
names in ``params``; the config reads them from ``training.<name>``.
"""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np

__all__ = ["OPTIMIZERS", "Optimizer", "make_optimizer"]

OPTIMIZERS: dict[str, type["Optimizer"]] = {}


def register(cls: type["Optimizer"]) -> type["Optimizer"]:
    OPTIMIZERS[cls.name] = cls
    return cls


class Optimizer:
    name: ClassVar[str]
    description: ClassVar[str]
    # Names of the hyperparameters besides lr, as config keys under training.*
    params: ClassVar[tuple[str, ...]] = ()

    def __init__(self, size: int, lr: float, **hyper: float) -> None:
        self.lr = float(lr)
        for key in self.params:
            setattr(self, key, float(hyper[key]))
        self.t = 0
        self._tmp = np.zeros(size)

    def step(self, params: np.ndarray, grad: np.ndarray) -> None:
        raise NotImplementedError

    def state(self) -> dict[str, np.ndarray]:
        return {}

    def __repr__(self) -> str:
        hp = ", ".join(f"{k}={getattr(self, k)}" for k in ("lr", *self.params))
        return f"{type(self).__name__}({hp})"


@register
class SGD(Optimizer):
    name = "sgd"
    description = "plain (mini-batch) gradient descent: w -= lr * g"

    def step(self, params, grad):
        np.multiply(grad, self.lr, out=self._tmp)
        params -= self._tmp


@register
class Momentum(Optimizer):
    name = "momentum"
    description = "heavy ball: v = momentum*v - lr*g; w += v"
    params = ("momentum",)

    def __init__(self, size, lr, **hyper):
        super().__init__(size, lr, **hyper)
        self.v = np.zeros(size)

    def step(self, params, grad):
        self.v *= self.momentum
        np.multiply(grad, self.lr, out=self._tmp)
        self.v -= self._tmp
        params += self.v

    def state(self):
        return {"v": self.v}


@register
class Nesterov(Momentum):
    name = "nesterov"
    description = "Nesterov momentum: w += momentum*v - lr*g with v updated first"

    def step(self, params, grad):
        # The look-ahead form used by Keras and PyTorch (Sutskever et al. 2013).
        self.v *= self.momentum
        np.multiply(grad, self.lr, out=self._tmp)
        self.v -= self._tmp
        params -= self._tmp
        np.multiply(self.v, self.momentum, out=self._tmp)
        params += self._tmp


@register
class Adagrad(Optimizer):
    name = "adagrad"
    description = "per-weight rates from the sum of squared gradients"
    params = ("epsilon",)

    def __init__(self, size, lr, **hyper):
        super().__init__(size, lr, **hyper)
        self.g2 = np.zeros(size)

    def step(self, params, grad):
        np.multiply(grad, grad, out=self._tmp)
        self.g2 += self._tmp
        np.sqrt(self.g2, out=self._tmp)
        self._tmp += self.epsilon
        np.divide(grad, self._tmp, out=self._tmp)
        self._tmp *= self.lr
        params -= self._tmp

    def state(self):
        return {"g2": self.g2}


@register
class RMSProp(Optimizer):
    name = "rmsprop"
    description = "per-weight rates from a moving average of squared gradients"
    params = ("rho", "epsilon")

    def __init__(self, size, lr, **hyper):
        super().__init__(size, lr, **hyper)
        self.s = np.zeros(size)

    def step(self, params, grad):
        np.multiply(grad, grad, out=self._tmp)
        self._tmp *= 1.0 - self.rho
        self.s *= self.rho
        self.s += self._tmp
        np.sqrt(self.s, out=self._tmp)
        self._tmp += self.epsilon
        np.divide(grad, self._tmp, out=self._tmp)
        self._tmp *= self.lr
        params -= self._tmp

    def state(self):
        return {"s": self.s}


@register
class Adam(Optimizer):
    name = "adam"
    description = "momentum plus RMSProp with bias correction (Kingma & Ba 2015)"
    params = ("beta1", "beta2", "epsilon")

    # The moments are kept pre-divided by (1 - beta): M = m / (1 - b1) and
    # V = v / (1 - b2). Then M = b1*M + g needs two operations instead of
    # three, and both bias corrections fold into two scalars:
    #   w -= lr * m_hat / (sqrt(v_hat) + eps)
    #      = (lr * c1 / c2) * M / (sqrt(V) + eps / c2),
    #   c1 = (1 - b1) / (1 - b1^t),  c2 = sqrt((1 - b2) / (1 - b2^t)).

    def __init__(self, size, lr, **hyper):
        self.M = np.zeros(size)
        self.V = np.zeros(size)
        super().__init__(size, lr, **hyper)
        self._tmp2 = np.zeros(size)

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

    def step(self, params, grad):
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

    def state(self):
        return {"m": self.M * (1.0 - self._b1), "v": self.V * (1.0 - self._b2)}


def make_optimizer(name: str, size: int, lr: float, **hyper: float) -> Optimizer:
    """An optimizer by registry name; ``hyper`` may hold extra keys (ignored)."""
    try:
        cls = OPTIMIZERS[name]
    except KeyError:
        raise ValueError(
            f"unknown optimizer {name!r}: allowed {', '.join(OPTIMIZERS)}"
        ) from None
    return cls(size, lr, **{k: hyper[k] for k in cls.params})
