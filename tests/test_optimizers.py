"""Optimizers against their textbook update rules written out by hand, one
scalar at a time (curriculum section 7), and convergence on a 1-D quadratic."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tui_nn.engine.optimizers import OPTIMIZERS, make_optimizer

NAMES = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]
HYPER = {"momentum": 0.9, "beta1": 0.9, "beta2": 0.999, "rho": 0.9, "epsilon": 1e-8}
W0 = [1.0, -2.0, 0.5, 0.0]
GRADS = [[0.3, -0.1, 2.0, 0.0], [-0.5, 0.4, 1.0, 1e-3]]


def reference(name: str, w0: list[float], grads: list[list[float]], lrs: list[float], h=HYPER) -> list[float]:
    """The textbook rule, element by element, in plain Python floats."""
    w = list(w0)
    n = len(w)
    v = [0.0] * n  # momentum velocity / adam's second moment
    m = [0.0] * n  # adam's first moment
    G = [0.0] * n  # adagrad's sum of squares
    s = [0.0] * n  # rmsprop's average of squares
    mu, eps = h["momentum"], h["epsilon"]
    for t, (g, lr) in enumerate(zip(grads, lrs), start=1):
        for i in range(n):
            gi = g[i]
            if name == "sgd":
                w[i] -= lr * gi
            elif name == "momentum":
                v[i] = mu * v[i] - lr * gi
                w[i] += v[i]
            elif name == "nesterov":
                # Keras / PyTorch form: v = mu v - lr g; w += mu v - lr g
                v[i] = mu * v[i] - lr * gi
                w[i] += mu * v[i] - lr * gi
            elif name == "adagrad":
                G[i] += gi * gi
                w[i] -= lr * gi / (math.sqrt(G[i]) + eps)
            elif name == "rmsprop":
                rho = h["rho"]
                s[i] = rho * s[i] + (1 - rho) * gi * gi
                w[i] -= lr * gi / (math.sqrt(s[i]) + eps)
            elif name == "adam":
                b1, b2 = h["beta1"], h["beta2"]
                m[i] = b1 * m[i] + (1 - b1) * gi
                v[i] = b2 * v[i] + (1 - b2) * gi * gi
                m_hat = m[i] / (1 - b1**t)
                v_hat = v[i] / (1 - b2**t)
                w[i] -= lr * m_hat / (math.sqrt(v_hat) + eps)
            else:
                raise AssertionError(name)
    return w


def test_registry_holds_the_curriculum_optimizers() -> None:
    assert set(NAMES) <= set(OPTIMIZERS)
    with pytest.raises(ValueError) as info:
        make_optimizer("adadelta?", 3, 0.1, **HYPER)
    assert "adadelta?" in str(info.value) and "adam" in str(info.value)


def test_reference_sanity_by_hand() -> None:
    # One SGD step and one momentum step worked out on paper.
    assert reference("sgd", [1.0], [[0.5]], [0.1]) == [pytest.approx(0.95)]
    # momentum: v1 = -0.05, w = 0.95; v2 = 0.9*-0.05 - 0.1*0.5 = -0.095, w = 0.855
    assert reference("momentum", [1.0], [[0.5], [0.5]], [0.1, 0.1]) == [pytest.approx(0.855)]
    # nesterov: v1 = -0.05, w = 1 + 0.9*-0.05 - 0.05 = 0.905
    assert reference("nesterov", [1.0], [[0.5]], [0.1]) == [pytest.approx(0.905)]
    # adam's first step moves every weight by lr * sign(g) (up to eps).
    assert reference("adam", [1.0, 1.0], [[0.5, -3.0]], [0.1]) == [pytest.approx(0.9), pytest.approx(1.1)]


@pytest.mark.parametrize("name", NAMES)
def test_two_steps_match_the_textbook_rule(name: str) -> None:
    opt = make_optimizer(name, len(W0), 0.1, **HYPER)
    w = np.array(W0)
    for g in GRADS:
        grad = np.array(g)
        opt.step(w, grad)
        np.testing.assert_array_equal(grad, g)  # the gradient is not consumed
    np.testing.assert_allclose(w, reference(name, W0, GRADS, [0.1, 0.1]), rtol=1e-12, atol=1e-15)


def two_steps(name: str, attribute: str, value: float) -> np.ndarray:
    """W0 after a step on GRADS[0] at lr 0.1, then ``attribute`` set to ``value``
    (as the app does while training runs), then a step on GRADS[1]."""
    opt = make_optimizer(name, len(W0), 0.1, **HYPER)
    w = np.array(W0)
    opt.step(w, np.array(GRADS[0]))
    setattr(opt, attribute, value)
    opt.step(w, np.array(GRADS[1]))
    return w


@pytest.mark.parametrize("name", NAMES)
def test_changing_lr_between_steps_takes_effect_and_keeps_state(name: str) -> None:
    w = two_steps(name, "lr", 0.02)
    np.testing.assert_allclose(w, reference(name, W0, GRADS, [0.1, 0.02]), rtol=1e-12, atol=1e-15)
    # Not the same as if the state had been reset before the second step...
    fresh = reference(name, reference(name, W0, GRADS[:1], [0.1]), GRADS[1:], [0.02])
    if name != "sgd":  # (sgd has no state)
        assert not np.allclose(w, fresh, rtol=1e-9, atol=0)
    # ...nor as if the old rate had been kept.
    assert not np.allclose(w, reference(name, W0, GRADS, [0.1, 0.1]), rtol=1e-9, atol=0)


@pytest.mark.parametrize("name", ["momentum", "nesterov"])
def test_changing_momentum_between_steps(name: str) -> None:
    w = two_steps(name, "momentum", 0.5)
    # By hand with mu = 0.9 for step 1 and 0.5 for step 2.
    want = []
    for w0, g1, g2 in zip(W0, *GRADS):
        v = -0.1 * g1
        w1 = w0 + v if name == "momentum" else w0 + 0.9 * v - 0.1 * g1
        v = 0.5 * v - 0.1 * g2
        want.append(w1 + v if name == "momentum" else w1 + 0.5 * v - 0.1 * g2)
    np.testing.assert_allclose(w, want, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize(
    "name,lr,steps,tol",
    [
        ("sgd", 0.1, 200, 1e-6),
        ("momentum", 0.05, 500, 1e-6),
        ("nesterov", 0.05, 500, 1e-6),
        ("adagrad", 1.0, 500, 1e-6),
        ("rmsprop", 0.01, 2000, 1e-6),
        ("adam", 0.05, 2000, 1e-6),
    ],
)
def test_converges_on_a_quadratic(name: str, lr: float, steps: int, tol: float) -> None:
    # f(w) = (w - 3)^2, f'(w) = 2 (w - 3), minimum at w = 3; start at -1.
    opt = make_optimizer(name, 1, lr, **HYPER)
    w = np.array([-1.0])
    g = np.empty(1)
    f0 = (w[0] - 3) ** 2
    for _ in range(steps):
        np.multiply(w - 3.0, 2.0, out=g)
        opt.step(w, g)
    assert abs(w[0] - 3.0) < tol
    assert (w[0] - 3) ** 2 < 1e-3 * f0
