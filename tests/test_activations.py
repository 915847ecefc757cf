"""Activations: forward values at hand-computed points, derivatives against
central finite differences, softmax's vector-Jacobian product, ``out=`` buffers
and overflow safety (curriculum section 3)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tui_nn.engine.activations import (
    ACTIVATIONS,
    get_activation,
    hidden_activation_names,
    output_activation_names,
)

EPS = 1e-6
# Every activation the curriculum names; the registry must hold at least these.
CURRICULUM = {"linear", "step", "sigmoid", "tanh", "relu", "leaky_relu", "softplus", "swish", "softmax"}
# Element-wise and differentiable: everything but step (no gradient) and softmax (a Jacobian).
ELEMENTWISE = [n for n, c in ACTIVATIONS.items() if c.differentiable and n != "softmax"]


def _grid() -> np.ndarray:
    """z values with negatives, positives and points near (not at) 0, as a (n, 3) batch."""
    z = np.concatenate(
        [
            np.linspace(-6.0, 6.0, 49) + 0.0137,  # shifted so 0 is not on the grid
            [-1e-3, 1e-3, -0.05, 0.05, -2e-4, 3e-4, -30.0, 30.0],
        ]
    )
    assert np.min(np.abs(z)) > 100 * EPS  # away from relu / leaky_relu's kink
    return z.reshape(-1, 3)


def _numeric_derivative(act, z: np.ndarray) -> np.ndarray:
    return (act.forward(z + EPS) - act.forward(z - EPS)) / (2 * EPS)


def test_registry_covers_the_curriculum() -> None:
    assert CURRICULUM <= set(ACTIVATIONS)
    assert set(ELEMENTWISE) >= {"linear", "sigmoid", "tanh", "relu", "leaky_relu", "softplus", "swish"}
    assert "softmax" not in hidden_activation_names()
    assert {"softmax", "sigmoid", "linear", "tanh", "step"} <= set(output_activation_names())


def test_unknown_activation_lists_the_names() -> None:
    with pytest.raises(ValueError) as info:
        get_activation("gelu-ish")
    assert "gelu-ish" in str(info.value)
    for name in CURRICULUM:
        assert name in str(info.value)


@pytest.mark.parametrize("slope", [0.01, 0.2])
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_matches_finite_differences(name: str, slope: float) -> None:
    act = get_activation(name, leaky_slope=slope)
    z = _grid()
    a = act.forward(z)
    analytic = act.derivative(z, a)
    np.testing.assert_allclose(analytic, _numeric_derivative(act, z), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_backward_is_derivative_times_delta(name: str) -> None:
    act = get_activation(name, leaky_slope=0.2)
    z = _grid()
    delta = np.random.default_rng(1).normal(size=z.shape)
    out = np.empty_like(z)
    got = act.backward(z, act.forward(z), delta, out)
    assert got is out
    np.testing.assert_allclose(got, _numeric_derivative(act, z) * delta, rtol=1e-6, atol=1e-8)


def test_sigmoid_hand_values() -> None:
    s = get_activation("sigmoid")
    assert s.forward(np.array([[0.0]]))[0, 0] == 0.5
    for z in (-3.0, -0.5, 0.7, 2.0):
        assert s.forward(np.array([[z]]))[0, 0] == pytest.approx(1.0 / (1.0 + math.exp(-z)), rel=1e-14)
    z = np.linspace(-8, 8, 1601).reshape(-1, 1)  # includes 0 exactly
    d = s.derivative(z, s.forward(z))
    assert d.max() == pytest.approx(0.25, abs=1e-15)
    assert d[800, 0] == 0.25 and z[800, 0] == 0.0
    assert np.all(d <= 0.25) and np.all(d > 0)


def test_tanh_range_and_values() -> None:
    t = get_activation("tanh")
    z = np.linspace(-20, 20, 401).reshape(-1, 1)
    a = t.forward(z)
    assert np.all(a >= -1.0) and np.all(a <= 1.0)
    assert a[0, 0] == pytest.approx(-1.0) and a[-1, 0] == pytest.approx(1.0)
    assert t.forward(np.array([[0.0]]))[0, 0] == 0.0
    x = 0.8
    want = (math.exp(x) - math.exp(-x)) / (math.exp(x) + math.exp(-x))
    assert t.forward(np.array([[x]]))[0, 0] == pytest.approx(want, rel=1e-14)
    np.testing.assert_allclose(t.forward(-z), -a)  # odd
    assert t.derivative(np.array([[0.0]]), np.array([[0.0]]))[0, 0] == 1.0


def test_relu_and_leaky_relu_hand_values() -> None:
    z = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0]])
    relu = get_activation("relu")
    np.testing.assert_array_equal(relu.forward(z), [[0.0, 0.0, 0.0, 0.5, 3.0]])
    np.testing.assert_array_equal(relu.derivative(z, relu.forward(z)), [[0.0, 0.0, 0.0, 1.0, 1.0]])
    leaky = get_activation("leaky_relu", leaky_slope=0.2)
    np.testing.assert_allclose(leaky.forward(z), [[-0.4, -0.1, 0.0, 0.5, 3.0]], rtol=1e-15)
    np.testing.assert_array_equal(
        leaky.derivative(z[:, [0, 1, 3, 4]], leaky.forward(z[:, [0, 1, 3, 4]])), [[0.2, 0.2, 1.0, 1.0]]
    )
    # The default slope is small (0.01).
    assert get_activation("leaky_relu").forward(np.array([[-1.0]]))[0, 0] == pytest.approx(-0.01)


def test_softplus_swish_linear_step_hand_values() -> None:
    sp = get_activation("softplus")
    assert sp.forward(np.array([[0.0]]))[0, 0] == pytest.approx(math.log(2.0), rel=1e-15)
    assert sp.forward(np.array([[1.5]]))[0, 0] == pytest.approx(math.log(1 + math.exp(1.5)), rel=1e-14)
    sw = get_activation("swish")
    assert sw.forward(np.array([[0.0]]))[0, 0] == 0.0
    assert sw.forward(np.array([[1.0]]))[0, 0] == pytest.approx(1.0 / (1.0 + math.exp(-1.0)), rel=1e-14)
    assert sw.forward(np.array([[-2.0]]))[0, 0] == pytest.approx(-2.0 / (1.0 + math.exp(2.0)), rel=1e-14)
    lin = get_activation("linear")
    z = np.array([[-1.5, 0.0, 2.0]])
    np.testing.assert_array_equal(lin.forward(z), z)
    np.testing.assert_array_equal(lin.derivative(z, z), np.ones_like(z))
    st = get_activation("step")
    np.testing.assert_array_equal(
        st.forward(np.array([[0.0, -1e-9, 1e-9, -3.0, 2.0]])), [[1.0, 0.0, 1.0, 0.0, 1.0]]
    )


def test_step_is_not_differentiable() -> None:
    st = get_activation("step")
    assert st.differentiable is False
    z = np.array([[0.5, -0.5]])
    with pytest.raises(TypeError):
        st.derivative(z, st.forward(z))
    assert all(ACTIVATIONS[n].differentiable for n in ELEMENTWISE)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_forward_writes_into_out_and_returns_it(name: str) -> None:
    act = get_activation(name, leaky_slope=0.2)
    z = _grid()
    z_before = z.copy()
    want = act.forward(z)
    out = np.full_like(z, np.nan)
    got = act.forward(z, out=out)
    assert got is out
    np.testing.assert_array_equal(out, want)
    np.testing.assert_array_equal(z, z_before)  # input untouched
    # In place (out is z), as Network.layer_outputs calls it.
    zz = z.copy()
    got = act.forward(zz, out=zz)
    assert got is zz
    np.testing.assert_array_equal(zz, want)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_writes_into_out_and_returns_it(name: str) -> None:
    act = get_activation(name, leaky_slope=0.2)
    z = _grid()
    a = act.forward(z)
    want = act.derivative(z, a)
    out = np.full_like(z, np.nan)
    got = act.derivative(z, a, out=out)
    assert got is out
    np.testing.assert_array_equal(out, want)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_float32_stays_float32(name: str) -> None:
    # layer_outputs evaluates the picture grids in float32.
    act = get_activation(name, leaky_slope=0.2)
    z = _grid().astype(np.float32)
    assert act.forward(z).dtype == np.float32


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_extreme_inputs_are_finite_without_warnings(name: str) -> None:
    act = get_activation(name, leaky_slope=0.2)
    z = np.array([[1000.0, -1000.0, 0.5], [-1000.0, 1000.0, -0.5]])
    # Underflow to 0 (exp(-2000) in softmax / softplus) is exact enough and NumPy's
    # default ignores it; overflow, invalid values and division by zero are errors.
    with np.errstate(all="raise", under="ignore"):
        a = act.forward(z)
        assert np.all(np.isfinite(a))
        if name in ELEMENTWISE:
            assert np.all(np.isfinite(act.derivative(z, a)))


def test_sigmoid_saturates_exactly_at_extremes() -> None:
    s = get_activation("sigmoid")
    with np.errstate(all="raise"):
        a = s.forward(np.array([[1000.0, -1000.0]]))
    np.testing.assert_array_equal(a, [[1.0, 0.0]])


# --- softmax -------------------------------------------------------------


def _logits() -> np.ndarray:
    return np.random.default_rng(7).normal(0.0, 2.0, size=(5, 4))


def test_softmax_rows_sum_to_one_and_match_the_formula() -> None:
    sm = get_activation("softmax")
    z = _logits()
    a = sm.forward(z)
    np.testing.assert_allclose(a.sum(axis=1), 1.0, rtol=0, atol=1e-15)
    assert np.all(a > 0)
    row = [1.0, 2.0, 3.0]
    total = sum(math.exp(v) for v in row)
    np.testing.assert_allclose(sm.forward(np.array([row]))[0], [math.exp(v) / total for v in row], rtol=1e-14)


def test_softmax_is_invariant_to_adding_a_constant_per_row() -> None:
    sm = get_activation("softmax")
    z = _logits()
    shift = np.array([[-50.0], [0.3], [7.0], [100.0], [-1e3]])
    np.testing.assert_allclose(sm.forward(z + shift), sm.forward(z), rtol=1e-12, atol=1e-15)


def test_softmax_extreme_logits() -> None:
    sm = get_activation("softmax")
    with np.errstate(all="raise", under="ignore"):  # e^-2000 underflows to 0: fine
        a = sm.forward(np.array([[1000.0, 0.0, -1000.0]]))
    np.testing.assert_allclose(a, [[1.0, 0.0, 0.0]], atol=1e-300)


def test_softmax_backward_is_the_finite_difference_vjp() -> None:
    sm = get_activation("softmax")
    z = _logits()
    delta = np.random.default_rng(8).normal(size=z.shape)
    out = np.empty_like(z)
    got = sm.backward(z, sm.forward(z), delta, out)
    assert got is out
    # (J^T delta)[r, i] = d/dz[r, i] of sum(delta * softmax(z)).
    numeric = np.empty_like(z)
    for r in range(z.shape[0]):
        for i in range(z.shape[1]):
            zp, zm = z.copy(), z.copy()
            zp[r, i] += EPS
            zm[r, i] -= EPS
            numeric[r, i] = (np.sum(delta * sm.forward(zp)) - np.sum(delta * sm.forward(zm))) / (2 * EPS)
    np.testing.assert_allclose(got, numeric, rtol=1e-6, atol=1e-9)


def test_softmax_has_no_elementwise_derivative() -> None:
    sm = get_activation("softmax")
    z = _logits()
    with pytest.raises(TypeError):
        sm.derivative(z, sm.forward(z))
