"""Losses: hand-computed values, stability at extreme logits, gradients against
finite differences and the fused ``(p - y) / n`` output gradients (section 4)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tui_nn.engine.activations import get_activation
from tui_nn.engine.losses import LOSSES, get_loss

EPS = 1e-6


def col(*values: float) -> np.ndarray:
    return np.array(values, dtype=float).reshape(-1, 1)


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def test_registry_has_the_curriculum_losses() -> None:
    assert {"mse", "mae", "bce", "cce"} <= set(LOSSES)
    with pytest.raises(ValueError) as info:
        get_loss("hinge?")
    assert "hinge?" in str(info.value) and "mse" in str(info.value)


def test_mse_hand_value() -> None:
    y, p = col(1.0, 2.0, 3.0), col(1.5, 2.0, 2.0)
    # errors 0.5, 0, -1 -> squares 0.25, 0, 1 -> mean 1.25 / 3
    assert get_loss("mse").value(y, p, p) == pytest.approx(1.25 / 3, rel=1e-15)
    # Several outputs: the mean over every entry.
    y2 = np.array([[1.0, 0.0], [0.0, 1.0]])
    p2 = np.array([[0.5, 0.5], [1.0, 1.0]])
    assert get_loss("mse").value(y2, p2, p2) == pytest.approx((0.25 + 0.25 + 1.0 + 0.0) / 4)


def test_mae_hand_value() -> None:
    y, p = col(1.0, 2.0, 3.0), col(1.5, 2.0, 2.0)
    assert get_loss("mae").value(y, p, p) == pytest.approx((0.5 + 0.0 + 1.0) / 3, rel=1e-15)


def test_bce_from_logits_matches_the_textbook_formula() -> None:
    zs = [-2.0, 0.5, 3.0, -0.25]
    ys = [0.0, 1.0, 1.0, 1.0]
    terms = []
    for z, y in zip(zs, ys):
        p = sigmoid(z)
        terms.append(-(y * math.log(p) + (1 - y) * math.log(1 - p)))
    want = sum(terms) / len(terms)
    z = col(*zs)
    p = col(*(sigmoid(v) for v in zs))
    assert get_loss("bce").value(col(*ys), p, z) == pytest.approx(want, rel=1e-13)
    # At z = 0 (p = 1/2) it is ln 2 whatever the label.
    assert get_loss("bce").value(col(0.0, 1.0), col(0.5, 0.5), col(0.0, 0.0)) == pytest.approx(math.log(2))


def test_cce_matches_a_hand_computation() -> None:
    z = np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 0.0]])
    y = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
    r0 = -math.log(math.exp(3) / (math.exp(1) + math.exp(2) + math.exp(3)))
    r1 = -math.log(math.exp(0.5) / (math.exp(0.5) + math.exp(-1.0) + math.exp(0.0)))
    p = get_activation("softmax").forward(z)
    assert get_loss("cce").value(y, p, z) == pytest.approx((r0 + r1) / 2, rel=1e-13)


def test_cross_entropies_are_finite_at_extreme_logits() -> None:
    bce, cce = get_loss("bce"), get_loss("cce")
    z = col(1000.0, -1000.0, 1000.0, -1000.0)
    y = col(1.0, 0.0, 0.0, 1.0)
    p = col(1.0, 0.0, 1.0, 0.0)  # what the sigmoid gives there
    # log(1 + e^-1000) underflows to 0 (exact to double precision, and NumPy's
    # default ignores it); overflow, invalid values and log(0) must not happen.
    with np.errstate(all="raise", under="ignore"):
        v = bce.value(y, p, z)
    # Right answers cost ~0, wrong ones cost |z| = 1000.
    assert v == pytest.approx((0 + 0 + 1000 + 1000) / 4)
    zc = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 0.0]])
    yc = np.array([[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    pc = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    with np.errstate(all="raise", under="ignore"):  # e^-2000 underflowing to 0 is exact enough
        vc = cce.value(yc, pc, zc)
    assert vc == pytest.approx((0.0 + 2000.0) / 2)


def _fd_wrt_p(loss, y: np.ndarray, p: np.ndarray) -> np.ndarray:
    g = np.empty_like(p)
    for idx in np.ndindex(p.shape):
        pp, pm = p.copy(), p.copy()
        pp[idx] += EPS
        pm[idx] -= EPS
        g[idx] = (loss.value(y, pp, pp) - loss.value(y, pm, pm)) / (2 * EPS)
    return g


@pytest.mark.parametrize("name", ["mse", "square", "mae"])
@pytest.mark.parametrize("shape", [(6, 1), (4, 3)])
def test_gradient_matches_finite_differences(name: str, shape: tuple[int, int]) -> None:
    rng = np.random.default_rng(3)
    y = rng.normal(size=shape)
    p = y + rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.1, 1.0, size=shape)  # |p - y| >= 0.1: no kink
    loss = get_loss(name)
    out = np.full_like(p, np.nan)
    got = loss.gradient(y, p, out)
    assert got is out
    np.testing.assert_allclose(got, _fd_wrt_p(loss, y, p), rtol=1e-6, atol=1e-9)


def test_square_is_tf_playgrounds_half_squared_error() -> None:
    # TF Playground's Errors.SQUARE: error 1/2 (output - target)^2, derivative output - target;
    # tui-nn averages both over the batch, as TF Playground's loss and update do.
    y = col(1.0, -1.0, 1.0)
    p = col(0.5, -1.0, -0.5)
    assert get_loss("square").value(y, p, p) == pytest.approx((0.125 + 0.0 + 1.125) / 3, rel=1e-15)
    assert get_loss("square").value(y, p, p) == pytest.approx(get_loss("mse").value(y, p, p) / 2, rel=1e-15)
    got = get_loss("square").gradient(y, p, np.empty_like(p))
    np.testing.assert_allclose(got[:, 0], [(0.5 - 1.0) / 3, 0.0, (-0.5 - 1.0) / 3], rtol=1e-15)


def test_unfused_cross_entropy_gradients_match_hand_formulas() -> None:
    # dBCE/dp = (p - y) / (p (1 - p)) / n ; dCCE/dp = -y / p / n
    y = col(0.0, 1.0, 1.0)
    p = col(0.2, 0.6, 0.9)
    got = get_loss("bce").gradient(y, p, np.empty_like(p))
    want = [(pi - yi) / (pi * (1 - pi)) / 3 for pi, yi in zip(p[:, 0], y[:, 0])]
    np.testing.assert_allclose(got[:, 0], want, rtol=1e-13)
    yc = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    pc = np.array([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]])
    got = get_loss("cce").gradient(yc, pc, np.empty_like(pc))
    np.testing.assert_allclose(got, -yc / pc / 2, rtol=1e-13)


def _fd_wrt_z(loss, act, y: np.ndarray, z: np.ndarray) -> np.ndarray:
    g = np.empty_like(z)
    for idx in np.ndindex(z.shape):
        zp, zm = z.copy(), z.copy()
        zp[idx] += EPS
        zm[idx] -= EPS
        g[idx] = (loss.value(y, act.forward(zp), zp) - loss.value(y, act.forward(zm), zm)) / (2 * EPS)
    return g


def test_fused_sigmoid_bce_gradient_is_p_minus_y_over_n() -> None:
    loss, act = get_loss("bce"), get_activation("sigmoid")
    assert loss.fused_output == "sigmoid"
    z = col(-2.5, -0.3, 0.0, 0.8, 4.0)
    y = col(0.0, 1.0, 1.0, 0.0, 1.0)
    p = act.forward(z)
    np.testing.assert_allclose(_fd_wrt_z(loss, act, y, z), (p - y) / 5, rtol=1e-6, atol=1e-10)
    # The unfused chain (loss gradient through the sigmoid) gives the same thing.
    chained = act.backward(z, p, loss.gradient(y, p, np.empty_like(p)), np.empty_like(p))
    np.testing.assert_allclose(chained, (p - y) / 5, rtol=1e-10)


def test_fused_softmax_cce_gradient_is_p_minus_y_over_n() -> None:
    loss, act = get_loss("cce"), get_activation("softmax")
    assert loss.fused_output == "softmax"
    z = np.random.default_rng(4).normal(0, 1.5, size=(4, 3))
    y = np.eye(3)[[0, 2, 1, 2]]
    p = act.forward(z)
    np.testing.assert_allclose(_fd_wrt_z(loss, act, y, z), (p - y) / 4, rtol=1e-6, atol=1e-10)
    chained = act.backward(z, p, loss.gradient(y, p, np.empty_like(p)), np.empty_like(p))
    np.testing.assert_allclose(chained, (p - y) / 4, rtol=1e-10, atol=1e-15)


def test_only_the_cross_entropies_fuse() -> None:
    assert get_loss("mse").fused_output is None
    assert get_loss("mae").fused_output is None
