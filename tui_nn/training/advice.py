"""What to tell the learner, in the words of the course's troubleshooting list.

Plain functions over a run's histories (no trainer), so the CLI and the app
say the same thing at the moment it happens.
"""

from __future__ import annotations

import math

import numpy as np

from .history import History

__all__ = ["diagnose", "diverged"]


def diverged(epoch: int, back_to: int, learning_rate: float, optimizer: str) -> str:
    """``epoch`` blew up; the weights were put back to those of ``back_to``, the last finite one."""
    return (
        f"Diverged at epoch {epoch}: the loss blew up (NaN, infinite or far above its start). "
        f"The weights are back at epoch {back_to}, the last finite one. "
        f"Lower the learning rate (now {learning_rate:g} with {optimizer}), "
        "check the data for bad values, or try another loss."
    )


PERCEPTRON_EPOCHS = 50  # epochs after which an unsettled perceptron is told why


def diagnose(history: History, layer_grads: list[float] | None, task: str, rule: str = "") -> str:
    """One sentence of advice for the run as its history stands, or ''.

    ``layer_grads`` holds each dense layer's gradient RMS now (first layer
    first), or None where there is no gradient; ``rule`` is
    ``training.optimizer``.
    """
    h = history
    if rule == "perceptron":
        return _perceptron(h)
    if len(h) < 8:
        return ""
    train, test = h.column("train_loss"), h.column("test_loss")
    last_train, last_test = train[-1], test[-1]
    gap = h.last("train_metric") - h.last("test_metric")
    memorising = task == "regression" or gap > 0.05
    if last_train < 1e-3 and last_test > 10 * max(last_train, 1e-4) and last_test > 0.05 and memorising:
        return (
            f"Training loss is near zero ({last_train:.2g}) but test loss is {last_test:.2g}: "
            "the net memorises the training points. Use more data or a smaller network."
        )
    k = max(4, len(h) // 5)
    if len(h) >= 2 * k:
        best = float(np.min(test))
        if (
            last_test > 1.2 * best + 1e-3
            and np.mean(test[-k:]) > np.mean(test[-2 * k : -k])
            and np.mean(train[-k:]) < np.mean(train[-2 * k : -k])
        ):
            return (
                "Test loss is rising while training loss falls: overfitting. "
                "Try more data, a smaller network, L2 regularisation or dropout."
            )
    if layer_grads is not None and len(layer_grads) >= 3:
        first, last = layer_grads[0], layer_grads[-1]
        if math.isfinite(first) and last > 0 and first < 1e-2 * last:
            return (
                f"Vanishing gradients: the first layer's gradient is {last / max(first, 1e-30):.0f}x "
                "smaller than the output layer's, so early layers barely learn. Try relu."
            )
    return ""


def _perceptron(h: History) -> str:
    epochs = h.last("epoch")
    if len(h) < 2 or epochs < PERCEPTRON_EPOCHS or h.last("train_metric") >= 1.0:
        return ""
    best = float(np.max(h.column("train_metric")))
    return (
        f"The perceptron rule has not settled after {epochs:.0f} epochs (best training accuracy "
        f"{best:.0%}): no straight line separates these classes, so some point is always wrong "
        "(XOR is not linearly separable). A hidden layer trained by backpropagation can: try xor-learn."
    )
