"""Activation functions and their derivatives, in one registry.

Adding an activation is one small class here with ``@ACTIVATIONS.register``:
it declares where it may go (hidden layers, the output), and as an output
its range, the tasks it fits and the loss it pairs with; the config
validation, the CLI, the presets and the app all read ``ACTIVATIONS``.

Every method writes into ``out`` when given one: the trainer calls them on
preallocated buffers so that a training step allocates nothing.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from ..registry import Extension, Registry

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "get_activation",
    "hidden_activation_names",
    "output_activation_names",
]

TASKS = frozenset({"binary", "multiclass", "regression"})


class Activation(Extension):
    """An activation ``a = f(z)`` with its vector-Jacobian product for backprop."""

    hidden_ok: ClassVar[bool] = True
    output_ok: ClassVar[bool] = False
    # As an output: the range of its values (None: unbounded), the tasks it
    # fits, the tasks it is the automatic choice for, and the loss "auto" picks.
    output_range: ClassVar[tuple[float, float] | None] = None
    output_tasks: ClassVar[frozenset[str]] = frozenset({"binary", "regression"})
    default_for: ClassVar[frozenset[str]] = frozenset()
    default_loss: ClassVar[str] = "mse"
    # False for step: backpropagation has nothing to follow through it.
    differentiable: ClassVar[bool] = True
    # For binary classification with this output: the targets for class 0 and 1,
    # and the output value that separates the two decisions.
    binary_targets: ClassVar[tuple[float, float]] = (0.0, 1.0)
    threshold: ClassVar[float] = 0.5

    @classmethod
    def create(cls, *, leaky_slope: float = 0.01) -> "Activation":
        """An instance with the network's settings (only leaky_relu reads one)."""
        return cls()

    def forward(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        raise NotImplementedError

    def derivative(
        self, z: np.ndarray, a: np.ndarray, out: np.ndarray | None = None
    ) -> np.ndarray:
        """Element-wise f'(z); ``a`` is f(z), which most derivatives reuse."""
        raise NotImplementedError

    def backward(
        self, z: np.ndarray, a: np.ndarray, delta: np.ndarray, out: np.ndarray
    ) -> np.ndarray:
        """dLoss/dz given dLoss/da (``delta``); element-wise unless overridden."""
        self.derivative(z, a, out)
        np.multiply(out, delta, out=out)
        return out


ACTIVATIONS: Registry[type[Activation]] = Registry("activation")


@ACTIVATIONS.register
class Linear(Activation):
    name = "linear"
    description = "identity: a = z"
    output_ok = True
    default_for = frozenset({"regression"})

    def forward(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        if out is None:
            return z.copy()
        np.copyto(out, z)
        return out

    def derivative(self, z: np.ndarray, a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        if out is None:
            y: np.ndarray = np.ones_like(z)
            return y
        out.fill(1.0)
        return out

    def backward(self, z: np.ndarray, a: np.ndarray, delta: np.ndarray, out: np.ndarray) -> np.ndarray:
        np.copyto(out, delta)
        return out


@ACTIVATIONS.register
class Step(Activation):
    name = "step"
    description = "threshold unit: 1 if z >= 0 else 0 (McCulloch-Pitts; no gradient)"
    output_ok = True
    output_range = (0.0, 1.0)
    output_tasks = frozenset({"binary"})
    differentiable = False

    def forward(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        # greater_equal cannot write floats in place, so go through a bool view.
        result = np.greater_equal(z, 0.0)
        if out is None:
            y: np.ndarray = result.astype(z.dtype)
            return y
        np.copyto(out, result)
        return out

    def derivative(self, z: np.ndarray, a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        raise TypeError(
            "step has no useful derivative (zero almost everywhere): "
            "train it with the perceptron rule or set its weights by hand"
        )


@ACTIVATIONS.register
class Sigmoid(Activation):
    name = "sigmoid"
    description = "logistic 1/(1+e^-z), range 0..1, derivative at most 0.25"
    output_ok = True
    output_range = (0.0, 1.0)
    output_tasks = frozenset({"binary"})
    default_for = frozenset({"binary"})
    default_loss = "bce"

    def forward(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        # sigmoid(z) = (1 + tanh(z/2)) / 2 never overflows, unlike 1/(1+exp(-z)).
        out = np.multiply(z, 0.5, out=out)
        np.tanh(out, out=out)
        np.add(out, 1.0, out=out)
        np.multiply(out, 0.5, out=out)
        return out

    def derivative(self, z: np.ndarray, a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        out = np.subtract(1.0, a, out=out)
        np.multiply(out, a, out=out)
        return out


@ACTIVATIONS.register
class Tanh(Activation):
    name = "tanh"
    description = "hyperbolic tangent, range -1..1"
    output_ok = True
    output_range = (-1.0, 1.0)
    binary_targets = (-1.0, 1.0)
    threshold = 0.0

    def forward(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        y: np.ndarray = np.tanh(z, out=out)
        return y

    def derivative(self, z: np.ndarray, a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        out = np.multiply(a, a, out=out)
        np.subtract(1.0, out, out=out)
        return out


@ACTIVATIONS.register
class ReLU(Activation):
    name = "relu"
    description = "max(0, z)"

    def forward(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        y: np.ndarray = np.maximum(z, 0.0, out=out)
        return y

    def derivative(self, z: np.ndarray, a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        result = np.greater(z, 0.0)
        if out is None:
            y: np.ndarray = result.astype(z.dtype)
            return y
        np.copyto(out, result)
        return out

    def backward(self, z: np.ndarray, a: np.ndarray, delta: np.ndarray, out: np.ndarray) -> np.ndarray:
        # relu'(z) is sign(relu(z)): 1 where a > 0, else 0, with no boolean
        # temporary (the hot path of every ReLU net).
        np.sign(a, out=out)
        np.multiply(out, delta, out=out)
        return out


@ACTIVATIONS.register
class LeakyReLU(Activation):
    name = "leaky_relu"
    description = "z if z > 0 else slope*z (slope: network.leaky_slope)"

    def __init__(self, slope: float = 0.01) -> None:
        self.slope = float(slope)

    @classmethod
    def create(cls, *, leaky_slope: float = 0.01) -> Activation:
        return cls(leaky_slope)

    def forward(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        # For 0 <= slope <= 1, max(z, slope*z) is the leaky ReLU.
        scaled = np.multiply(z, self.slope)
        y: np.ndarray = np.maximum(z, scaled, out=out)
        return y

    def derivative(self, z: np.ndarray, a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        if out is None:
            y: np.ndarray = np.where(z > 0.0, 1.0, self.slope)
            return y
        return _where_into(out, z > 0.0, 1.0, self.slope)

    def __repr__(self) -> str:
        return f"LeakyReLU(slope={self.slope})"


@ACTIVATIONS.register
class Softplus(Activation):
    name = "softplus"
    description = "log(1 + e^z), a smooth ReLU"

    def forward(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        y: np.ndarray = np.logaddexp(0.0, z, out=out)
        return y

    def derivative(self, z: np.ndarray, a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        return Sigmoid().forward(z, out=out)


@ACTIVATIONS.register
class Swish(Activation):
    name = "swish"
    description = "z * sigmoid(z) (SiLU)"

    def forward(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        s = Sigmoid().forward(z)
        y: np.ndarray = np.multiply(z, s, out=out)
        return y

    def derivative(self, z: np.ndarray, a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        # d/dz z*s(z) = s + z*s*(1-s) = s * (1 + z*(1 - s))
        s = Sigmoid().forward(z)
        t = np.subtract(1.0, s)
        np.multiply(t, z, out=t)
        np.add(t, 1.0, out=t)
        y: np.ndarray = np.multiply(s, t, out=out)
        return y


@ACTIVATIONS.register
class Softmax(Activation):
    name = "softmax"
    description = "e^z / sum(e^z) over classes: outputs sum to 1 (output layer only)"
    hidden_ok = False
    output_ok = True
    output_range = (0.0, 1.0)
    output_tasks = frozenset({"binary", "multiclass"})
    default_for = frozenset({"multiclass"})
    default_loss = "cce"

    def forward(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        shifted = z - z.max(axis=1, keepdims=True)
        out = np.exp(shifted, out=out)
        out /= out.sum(axis=1, keepdims=True)
        return out

    def derivative(self, z: np.ndarray, a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        raise TypeError("softmax has a Jacobian, not an element-wise derivative")

    def backward(self, z: np.ndarray, a: np.ndarray, delta: np.ndarray, out: np.ndarray) -> np.ndarray:
        # J^T delta for softmax: a * (delta - sum(delta * a))
        dot = np.einsum("ij,ij->i", delta, a)[:, None]
        np.subtract(delta, dot, out=out)
        np.multiply(out, a, out=out)
        return out


def _where_into(out: np.ndarray, cond: np.ndarray, yes: float, no: float) -> np.ndarray:
    out.fill(no)
    out[cond] = yes
    return out


def get_activation(name: str, *, leaky_slope: float = 0.01) -> Activation:
    """An activation instance by registry name (ValueError lists the names)."""
    return ACTIVATIONS[name].create(leaky_slope=leaky_slope)


def hidden_activation_names() -> tuple[str, ...]:
    return ACTIVATIONS.names(lambda c: c.hidden_ok)


def output_activation_names() -> tuple[str, ...]:
    return ACTIVATIONS.names(lambda c: c.output_ok)
