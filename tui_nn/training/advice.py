"""What to tell the learner, in the words of the course's troubleshooting list.

Plain functions over a run's histories (no trainer), so the CLI and the app
say the same thing at the moment it happens.
"""

from __future__ import annotations

import math

import numpy as np

from ..i18n import _
from .history import History

__all__ = ["diagnose", "diverged"]


def _loss(value: float) -> str:
    return f"{value:.3g}" if math.isfinite(value) else ("NaN" if math.isnan(value) else "inf")


def diverged(epoch: int, back_to: int, learning_rate: float, optimizer: str, loss: float = math.nan,
             kept: float = math.nan) -> str:
    """``epoch`` blew up (its training ``loss``); the weights were put back to those of
    ``back_to``, the last finite one (training loss ``kept``)."""
    return _(
        "Diverged at epoch {epoch}: the training loss blew up to {loss} (NaN, infinite or far above "
        "its start). The weights are back at epoch {back_to} (loss {kept}). Lower the learning rate "
        "(now {rate} with {optimizer}), check the data for bad values, or try another loss."
    ).format(epoch=epoch, loss=_loss(loss), back_to=back_to, kept=_loss(kept), rate=f"{learning_rate:g}",
             optimizer=optimizer)


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
        return _(
            "Training loss is near zero ({train}) but test loss is {test}: the net memorises its "
            "training points. Suspect too little data: use more points or a smaller network."
        ).format(train=f"{last_train:.2g}", test=f"{last_test:.2g}")
    k = max(4, len(h) // 5)
    if len(h) >= 2 * k:
        best = float(np.min(test))
        if (
            last_test > 1.2 * best + 1e-3
            and np.mean(test[-k:]) > np.mean(test[-2 * k : -k])
            and np.mean(train[-k:]) < np.mean(train[-2 * k : -k])
        ):
            return _(
                "Overfitting: test loss rose to {test} from its best {best} while training loss fell "
                "to {train}. Try more data, a smaller network, L2 regularisation or dropout."
            ).format(test=f"{last_test:.3g}", best=f"{best:.3g}", train=f"{last_train:.3g}")
    if layer_grads is not None and len(layer_grads) >= 3:
        first, last = layer_grads[0], layer_grads[-1]
        if math.isfinite(first) and last > 0 and first < 1e-2 * last:
            return _(
                "Vanishing gradients: the first layer's gradient RMS is {first}, {ratio}x smaller than "
                "the output layer's {last}, so early layers barely learn. Try relu, or batch norm."
            ).format(first=f"{first:.2g}", ratio=f"{last / max(first, 1e-30):.0f}", last=f"{last:.2g}")
    return ""


def _perceptron(h: History) -> str:
    epochs = h.last("epoch")
    if len(h) < 2 or epochs < PERCEPTRON_EPOCHS or h.last("train_metric") >= 1.0:
        return ""
    best = float(np.max(h.column("train_metric")))
    return _(
        "The perceptron rule has not settled after {epochs} epochs (best training accuracy {best}): "
        "no straight line separates these classes, so some point is always wrong (XOR is not "
        "linearly separable). A hidden layer trained by backpropagation can: try xor-learn."
    ).format(epochs=f"{epochs:.0f}", best=f"{best:.0%}")
