"""Backpropagation checked against central finite differences of the loss for
every parameter of whole networks (curriculum section 5), plus an independent
NumPy forward pass and the L1/L2 penalty gradients as the trainer applies them."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from tui_nn.config import Config
from tui_nn.engine.activations import get_activation
from tui_nn.engine.losses import get_loss
from tui_nn.engine.network import Network
from tui_nn.training import Trainer

EPS = 1e-6
RTOL = 1e-5
# Absolute floor for entries whose true gradient is ~0 (e.g. a dense bias just
# before batch norm): finite differences carry ~1e-10 of rounding noise there.
ATOL = 1e-8

HIDDEN = ["linear", "sigmoid", "tanh", "relu", "leaky_relu", "softplus", "swish"]
# (output activation, loss, number of outputs)
PAIRS = [
    ("sigmoid", "bce", 1),
    ("sigmoid", "mse", 1),
    ("tanh", "mse", 1),
    ("tanh", "square", 1),
    ("linear", "mse", 1),
    ("linear", "mae", 1),
    ("softmax", "cce", 3),
    ("softmax", "mse", 3),
]

# Independent formulas for the forward pass (not the engine's code).
FORMULAS = {
    "linear": lambda z: z,
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "tanh": lambda z: (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z)),
    "relu": lambda z: np.where(z > 0, z, 0.0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "softplus": lambda z: np.log(1.0 + np.exp(z)),
    "swish": lambda z: z / (1.0 + np.exp(-z)),
    "softmax": lambda z: np.exp(z) / np.exp(z).sum(axis=1, keepdims=True),
}


def make_net(
    sizes, hidden, output, loss, *, dropout=0.0, batch_norm=False, seed=0, init="glorot"
) -> Network:
    return Network(
        sizes,
        [get_activation(a) for a in hidden],
        get_activation(output),
        get_loss(loss),
        init=init,
        dropout=dropout,
        batch_norm=batch_norm,
        rng=np.random.default_rng(seed),
        dropout_rng=np.random.default_rng(seed + 100),
    )


def targets(rng, output: str, loss: str, n: int, k: int, p: np.ndarray | None = None) -> np.ndarray:
    if output == "softmax":
        return np.eye(k)[rng.integers(0, k, n)]
    if loss == "bce":
        return rng.integers(0, 2, (n, 1)).astype(float)
    if loss == "mae":
        # Keep |p - y| >= 0.2 so no finite-difference step crosses the kink.
        assert p is not None
        return p + rng.choice([-1.0, 1.0], (n, 1)) * rng.uniform(0.2, 1.0, (n, 1))
    if output == "sigmoid":
        return rng.uniform(0, 1, (n, 1))
    if output == "tanh":
        return rng.uniform(-1, 1, (n, 1))
    return rng.normal(size=(n, 1))


def manual_forward(net: Network, hidden: list[str], output: str, x: np.ndarray):
    """Pre-activations of every layer and the output, from W(k), b(k) alone."""
    a, zs = x, []
    for k in range(net.n_layers):
        z = a @ net.W(k) + net.b(k)
        zs.append(z)
        a = FORMULAS[hidden[k] if k < net.n_layers - 1 else output](z)
    return zs, a


def central_differences(net: Network, f: Callable[[], float], eps: float = EPS) -> np.ndarray:
    """(f(w + eps) - f(w - eps)) / (2 eps) for each parameter w of ``net`` in turn."""
    g = np.empty_like(net.params)
    for i in range(net.n_params):
        old = net.params[i]
        net.params[i] = old + eps
        fp = f()
        net.params[i] = old - eps
        fm = f()
        net.params[i] = old
        g[i] = (fp - fm) / (2 * eps)
    return g


def numeric_gradient(net: Network, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return central_differences(net, lambda: net.loss_value(x, y, train=True))


def net_cases(*rows: str) -> pytest.MarkDecorator:
    """Parametrize (hidden, output, loss, k) from rows like "tanh sigmoid bce 1"."""
    cases = [(h, o, loss, int(k)) for h, o, loss, k in (row.split() for row in rows)]
    return pytest.mark.parametrize("hidden,output,loss,k", cases)


def loss_by_hand(loss: str, p: np.ndarray, y: np.ndarray) -> float:
    """The batch-mean loss written out from its textbook formula."""
    if loss == "mse":
        return float(np.mean((p - y) ** 2))
    if loss == "square":
        return float(0.5 * np.mean((p - y) ** 2))
    if loss == "mae":
        return float(np.mean(np.abs(p - y)))
    if loss == "bce":
        return float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))
    return float(-np.sum(y * np.log(p)) / len(y))


def random_batch(rng: np.random.Generator, output: str, loss: str, n: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` random inputs of 3 features and targets that fit the output."""
    x = rng.normal(size=(n, 3))
    return x, targets(rng, output, loss, n, k)


def check_gradient(net: Network, x: np.ndarray, y: np.ndarray) -> None:
    value = net.loss_and_grad(x, y, train=True)
    analytic = net.grad.copy()
    # The loss reported with the gradient is the loss of the same forward pass.
    assert value == pytest.approx(net.loss_value(x, y, train=True), rel=1e-12)
    numeric = numeric_gradient(net, x, y)
    err = np.abs(analytic - numeric)
    bound = RTOL * np.maximum(np.abs(analytic), np.abs(numeric)) + ATOL
    worst = int(np.argmax(err / bound))
    assert np.all(err <= bound), (
        f"param {worst}: analytic {analytic[worst]:.10g} numeric {numeric[worst]:.10g}"
    )
    # A check on an all-zero gradient would prove nothing.
    assert np.count_nonzero(np.abs(numeric) > 1e-4) >= net.n_params // 2


def two_layer_case(seed: int, hidden: str, output: str, loss: str, k: int, n: int) -> tuple[
    np.random.Generator, Network, np.ndarray, list[np.ndarray], np.ndarray
]:
    """A 3-4-3-k net with ``hidden`` in both layers, ``n`` random inputs, and the
    independent forward pass (pre-activations, outputs) for them."""
    rng = np.random.default_rng(seed)
    net = make_net((3, 4, 3, k), [hidden, hidden], output, loss, seed=seed - 6)
    x = rng.normal(size=(n, 3))
    zs, p = manual_forward(net, [hidden, hidden], output, x)
    return rng, net, x, zs, p


every_pair = pytest.mark.parametrize("output,loss,k", PAIRS)
every_hidden = pytest.mark.parametrize("hidden", HIDDEN)


@every_pair
@every_hidden
def test_backprop_matches_finite_differences(hidden: str, output: str, loss: str, k: int) -> None:
    rng, net, x, zs, p = two_layer_case(11, hidden, output, loss, k, 6)
    if hidden in ("relu", "leaky_relu"):
        assert min(np.min(np.abs(z)) for z in zs[:-1]) > 1e-3  # away from the kink
    y = targets(rng, output, loss, 6, k, p)
    check_gradient(net, x, y)


@every_pair
@every_hidden
def test_forward_matches_an_independent_computation(hidden: str, output: str, loss: str, k: int) -> None:
    rng, net, x, _, p = two_layer_case(12, hidden, output, loss, k, 5)
    np.testing.assert_allclose(net.predict(x), p, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(net.layer_outputs(x, dtype=np.float64)[-1], p, rtol=1e-12, atol=1e-14)
    y = targets(rng, output, loss, 5, k, p)
    assert net.loss_value(x, y) == pytest.approx(loss_by_hand(loss, p, y), rel=1e-12)


@pytest.mark.parametrize(
    "hidden,output,loss,k",
    [
        (["relu", "sigmoid", "softplus"], "tanh", "mse", 1),
        (["leaky_relu", "swish", "linear"], "softmax", "cce", 3),
        (["tanh", "relu", "sigmoid"], "sigmoid", "bce", 1),
    ],
)
def test_mixed_activations_per_layer(hidden, output, loss, k) -> None:
    rng = np.random.default_rng(13)
    net = make_net((3, 5, 4, 3, k), hidden, output, loss, seed=7)
    x = rng.normal(size=(7, 3))
    zs, p = manual_forward(net, hidden, output, x)
    assert min(np.min(np.abs(z)) for z in zs[:-1]) > 1e-3
    np.testing.assert_allclose(net.predict(x), p, rtol=1e-12, atol=1e-14)
    check_gradient(net, x, targets(rng, output, loss, 7, k, p))


def freeze_masks(net: Network, x: np.ndarray, y: np.ndarray) -> None:
    net.loss_and_grad(x, y, train=True)  # draws the masks
    net.freeze_dropout = True
    # Frozen: the same masks every time; and they really drop something.
    assert net.loss_value(x, y, train=True) == net.loss_value(x, y, train=True)
    assert net.loss_value(x, y, train=True) != net.loss_value(x, y, train=False)


@net_cases("tanh sigmoid bce 1", "relu softmax cce 3", "swish linear mse 1", "sigmoid softmax mse 3")
def test_dropout_with_fixed_masks(hidden, output, loss, k) -> None:
    rng = np.random.default_rng(14)
    net = make_net((3, 6, 5, k), [hidden, hidden], output, loss, dropout=0.4, seed=8)
    x, y = random_batch(rng, output, loss, 8, k)
    # Unfrozen dropout draws new masks on every training forward pass.
    assert len({net.loss_value(x, y, train=True) for _ in range(5)}) > 1
    freeze_masks(net, x, y)
    check_gradient(net, x, y)


def randomise_batch_norm(net: Network, rng) -> None:
    # Away from gamma = 1, beta = 0 so their gradients are checked at a general point.
    for g, b in zip(net.gamma, net.beta):
        g[:] = rng.uniform(0.5, 1.5, g.shape)
        b[:] = rng.uniform(-0.5, 0.5, b.shape)


@net_cases("tanh sigmoid bce 1", "relu softmax cce 3", "sigmoid linear mse 1", "swish tanh mse 1",
           "softplus softmax mse 3")
def test_batch_norm_in_training_mode(hidden, output, loss, k) -> None:
    rng = np.random.default_rng(15)
    net = make_net((3, 4, 3, k), [hidden, hidden], output, loss, batch_norm=True, seed=9)
    randomise_batch_norm(net, rng)
    x, y = random_batch(rng, output, loss, 8, k)
    # Independent forward in training mode: normalise with the batch's own statistics.
    a = x
    for k_ in range(net.n_layers - 1):
        z = a @ net.W(k_) + net.b(k_)
        zn = (z - z.mean(axis=0)) / np.sqrt(z.var(axis=0) + 1e-5) * net.gamma[k_] + net.beta[k_]
        a = FORMULAS[hidden](zn)
    p = FORMULAS[output](a @ net.W(net.n_layers - 1) + net.b(net.n_layers - 1))
    assert net.loss_value(x, y, train=True) == pytest.approx(loss_by_hand(loss, p, y), rel=1e-10)
    check_gradient(net, x, y)


@net_cases("tanh softmax cce 3", "relu sigmoid bce 1")
def test_batch_norm_and_dropout_together(hidden, output, loss, k) -> None:
    rng = np.random.default_rng(16)
    net = make_net((3, 6, 5, k), [hidden, hidden], output, loss, dropout=0.3, batch_norm=True, seed=10)
    randomise_batch_norm(net, rng)
    x, y = random_batch(rng, output, loss, 9, k)
    freeze_masks(net, x, y)
    check_gradient(net, x, y)


# --- penalties ---------------------------------------------------------------


def _weights_only(net: Network) -> list[np.ndarray]:
    return [net.W(k) for k in range(net.n_layers)]


def test_penalty_values_by_hand() -> None:
    net = make_net((2, 3, 1), ["tanh"], "sigmoid", "bce", batch_norm=True, seed=1)
    ws = np.concatenate([w.ravel() for w in _weights_only(net)])
    assert net.penalty("l2", 0.3) == pytest.approx(0.5 * 0.3 * float(np.sum(ws**2)), rel=1e-13)
    assert net.penalty("l1", 0.3) == pytest.approx(0.3 * float(np.sum(np.abs(ws))), rel=1e-13)
    assert net.penalty("none", 0.3) == 0.0
    # Biases and batch-norm parameters are not penalised.
    before = net.penalty("l2", 0.3)
    for k in range(net.n_layers):
        net.b(k)[:] = 100.0
    net.gamma[0][:] = 50.0
    net.beta[0][:] = -50.0
    assert net.penalty("l2", 0.3) == before


def _penalty_gradients_seen_by_the_optimizer(reg: str, rate: float):
    """Run one trainer epoch in which the data gradient is zero, so the gradient
    handed to the optimizer is exactly what the trainer adds for the penalty."""
    cfg = Config().with_overrides(
        [
            "data.dataset=circle",
            "data.points=40",
            "network.hidden=4,3",
            "training.batch_size=10",
            "training.batch_norm=true",
            f"training.regularization={reg}",
            f"training.regularization_rate={rate}",
            "training.learning_rate=0.05",
        ]
    )
    trainer = Trainer(cfg)
    net = trainer.network
    seen: list[tuple[np.ndarray, np.ndarray]] = []
    real_step = trainer.optimizer.step

    def zero_data_gradient(xa, y):
        net.grad.fill(0.0)

    def recording_step(params, grad):
        seen.append((params.copy(), grad.copy()))
        real_step(params, grad)

    net.train_batch = zero_data_gradient
    trainer.optimizer.step = recording_step
    trainer.train_epoch()
    assert len(seen) == 2  # 20 training rows, batches of 10
    return net, seen


@pytest.mark.parametrize("reg,rate", [("l2", 0.3)])
def test_penalty_gradient_as_the_trainer_applies_it(reg: str, rate: float) -> None:
    net, seen = _penalty_gradients_seen_by_the_optimizer(reg, rate)
    for params, grad in seen:
        np.copyto(net.params, params)
        w = params[net.penalty_mask == 1]
        assert np.min(np.abs(w)) > 1e-4  # L1's kink at 0 is not within a step
        numeric = central_differences(net, lambda: net.penalty(reg, rate))
        np.testing.assert_allclose(grad, numeric, rtol=RTOL, atol=ATOL)
        # Biases and batch-norm parameters get no penalty gradient at all.
        assert np.all(grad[net.penalty_mask == 0] == 0.0)
        assert np.all(grad[net.penalty_mask == 1] != 0.0)
    # The two steps saw different weights (the optimizer really moved them).
    assert not np.array_equal(seen[0][0], seen[1][0])


def test_l1_shrinks_after_the_step_and_kills_weights_that_cross_zero() -> None:
    """TF Playground's L1: the optimizer sees the data gradient only (zero here);
    then every weight moves lr * rate towards zero, and one that would cross
    zero is set to exactly 0 and stays there (a dead link). Biases and
    batch-norm parameters are never shrunk."""
    net, seen = _penalty_gradients_seen_by_the_optimizer("l1", 0.05)
    assert all(np.all(grad == 0.0) for _, grad in seen)  # no L1 term through the optimizer
    before, after_first = seen[0][0], seen[1][0]
    shrink = 0.05 * 0.05  # lr * rate
    w0, w1 = before[net.penalty_mask == 1], after_first[net.penalty_mask == 1]
    crossing = np.abs(w0) < shrink
    np.testing.assert_allclose(w1[~crossing], w0[~crossing] - shrink * np.sign(w0[~crossing]), rtol=0, atol=1e-15)
    assert np.all(w1[crossing] == 0.0)
    np.testing.assert_array_equal(after_first[net.penalty_mask == 0], before[net.penalty_mask == 0])


def test_l1_dead_weights_stay_at_zero_and_count_like_tf_playground() -> None:
    # A strong L1 on circle: many weights die and never come back while L1 is on.
    cfg = Config().with_overrides([
        "data.dataset=circle", "data.points=200", "data.features=x1,x2,x1^2,x2^2,x1*x2,sin(x1),sin(x2)",
        "network.hidden=4,2", "training.regularization=l1", "training.regularization_rate=0.01",
    ])
    trainer = Trainer(cfg)
    mask = trainer.network.penalty_mask == 1
    dead_seen = []
    for _ in range(60):
        trainer.train_epoch()
        dead = trainer.steps.dead.copy()
        assert np.all(trainer.network.params[dead] == 0.0)
        dead_seen.append(dead)
    for earlier, later in zip(dead_seen, dead_seen[1:]):
        assert np.all(later[earlier])  # once dead, dead
    assert dead_seen[-1][mask].sum() >= 5 and not dead_seen[-1][~mask].any()
    # L1 off: nothing holds them any more.
    trainer.set_live("training.regularization", "none")
    trainer.train_epoch()
    assert not trainer.steps.dead.any()


def test_no_penalty_gradient_when_regularization_is_off() -> None:
    net, seen = _penalty_gradients_seen_by_the_optimizer("l2", 0.0)
    for _, grad in seen:
        assert np.all(grad == 0.0)


@pytest.mark.parametrize("dropout, batch_norm", [(0.3, False), (0.0, True), (0.3, True)])
def test_evaluation_mode_gradient_after_a_training_pass(dropout, batch_norm):
    """The gradient the app charts is the evaluation-mode one: no stale
    dropout mask from the last training pass, batch norm with running stats."""
    rng = np.random.default_rng(5)
    net = Network((3, 5, 4, 1), [get_activation("tanh"), get_activation("relu")],
                  get_activation("sigmoid"), get_loss("bce"), dropout=dropout,
                  batch_norm=batch_norm, rng=np.random.default_rng(0),
                  dropout_rng=np.random.default_rng(1))
    x = rng.normal(size=(12, 3))
    y = (rng.random((12, 1)) > 0.5).astype(float)
    for _ in range(3):  # training passes: masks drawn, running stats moved
        net.loss_and_grad(x, y, train=True)
    net.loss_and_grad(x, y, train=False)
    analytic = net.grad.copy()
    numeric = central_differences(net, lambda: net.loss_value(x, y), eps=1e-6)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)
