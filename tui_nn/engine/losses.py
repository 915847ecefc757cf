"""Loss functions, in one registry.

Every loss is a mean over the samples of a batch. ``value`` receives the
output layer's pre-activation ``z`` too, so that cross-entropies are computed
from logits (log-sum-exp) and never take log(0).

A loss that names ``fused_output`` has, with that output activation, the
gradient ``dL/dz = (p - y) / n``: the trainer uses it directly, skipping the
activation's Jacobian (cheaper and exact where p saturates).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from ..registry import Extension, Registry

__all__ = ["LOSSES", "Loss", "get_loss"]


class Loss(Extension):
    # Which tasks it makes sense for: "binary", "multiclass", "regression".
    tasks: ClassVar[frozenset[str]]
    # Output activations it may follow (None: any output).
    outputs: ClassVar[frozenset[str] | None] = None
    fused_output: ClassVar[str | None] = None

    def value(self, y: np.ndarray, p: np.ndarray, z: np.ndarray) -> float:
        """Mean loss of outputs ``p`` (pre-activation ``z``) against targets ``y``."""
        raise NotImplementedError

    def gradient(self, y: np.ndarray, p: np.ndarray, out: np.ndarray) -> np.ndarray:
        """dLoss/dp for the batch mean, written into ``out``."""
        raise NotImplementedError


LOSSES: Registry[type[Loss]] = Registry("loss")


@LOSSES.register
class MSE(Loss):
    name = "mse"
    description = "mean squared error (y - p)^2"
    tasks = frozenset({"binary", "multiclass", "regression"})
    factor: ClassVar[float] = 1.0  # the loss is factor * mean (p - y)^2

    def value(self, y: np.ndarray, p: np.ndarray, z: np.ndarray) -> float:
        d = p - y
        return float(self.factor * np.mean(d * d))

    def gradient(self, y: np.ndarray, p: np.ndarray, out: np.ndarray) -> np.ndarray:
        np.subtract(p, y, out=out)
        out *= 2.0 * self.factor / p.size
        return out


@LOSSES.register
class Square(MSE):
    # Half of MSE: TF Playground's output derivative is p - y, averaged over the batch.
    name = "square"
    description = "TensorFlow Playground's square loss: mean 1/2 (y - p)^2"
    tasks = frozenset({"binary", "regression"})
    factor = 0.5


@LOSSES.register
class MAE(Loss):
    name = "mae"
    description = "mean absolute error |y - p|"
    tasks = frozenset({"binary", "regression"})
    outputs = frozenset({"linear", "tanh", "sigmoid", "step"})

    def value(self, y: np.ndarray, p: np.ndarray, z: np.ndarray) -> float:
        return float(np.mean(np.abs(p - y)))

    def gradient(self, y: np.ndarray, p: np.ndarray, out: np.ndarray) -> np.ndarray:
        np.subtract(p, y, out=out)
        np.sign(out, out=out)
        out *= 1.0 / p.size
        return out


@LOSSES.register
class BinaryCrossEntropy(Loss):
    name = "bce"
    description = "binary cross-entropy -[y log p + (1-y) log(1-p)] (sigmoid output)"
    tasks = frozenset({"binary"})
    outputs = frozenset({"sigmoid"})
    fused_output = "sigmoid"

    def value(self, y: np.ndarray, p: np.ndarray, z: np.ndarray) -> float:
        # -[y log s(z) + (1-y) log(1-s(z))] = log(1 + e^z) - y z
        return float(np.mean(np.logaddexp(0.0, z) - y * z))

    def gradient(self, y: np.ndarray, p: np.ndarray, out: np.ndarray) -> np.ndarray:
        # Only reached if someone bypasses fusion; kept finite by clipping.
        q = np.clip(p, 1e-12, 1 - 1e-12)
        np.subtract(q, y, out=out)
        out /= q * (1 - q) * p.shape[0]
        return out


@LOSSES.register
class CategoricalCrossEntropy(Loss):
    name = "cce"
    description = "categorical cross-entropy -sum y log p (softmax output, one-hot y)"
    tasks = frozenset({"binary", "multiclass"})
    outputs = frozenset({"softmax"})
    fused_output = "softmax"

    def value(self, y: np.ndarray, p: np.ndarray, z: np.ndarray) -> float:
        m = z.max(axis=1, keepdims=True)
        log_softmax = z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))
        return float(-np.sum(y * log_softmax) / z.shape[0])

    def gradient(self, y: np.ndarray, p: np.ndarray, out: np.ndarray) -> np.ndarray:
        q = np.clip(p, 1e-12, 1.0)
        np.divide(y, q, out=out)
        out *= -1.0 / p.shape[0]
        return out


def get_loss(name: str) -> Loss:
    """A loss instance by registry name (ValueError lists the names)."""
    return LOSSES[name]()
