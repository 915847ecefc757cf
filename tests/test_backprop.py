"""The backprop inspector: one example's forward and backward pass
(tui_nn.training.backprop.trace) against a 2-2-1 network worked out by hand,
the engine's own backward pass on a one-row batch and central differences,
for every hidden activation and every output/loss pairing the config allows;
the trainer untouched; the update the trainer's own step would make; and the
``tui-nn backprop`` command."""

from __future__ import annotations

import copy
import json
import math
from dataclasses import replace

import numpy as np
import pytest

from tui_nn.cli import main
from tui_nn.config import Config, ConfigError
from tui_nn.data.dataset import frozen_dataset
from tui_nn.engine.activations import ACTIVATIONS, hidden_activation_names
from tui_nn.engine.losses import LOSSES
from tui_nn.engine.network import Network
from tui_nn.io.presets import load_preset
from tui_nn.training import Trainer
from tui_nn.training.backprop import AGREEMENT_FLOOR, Trace, trace
from tui_nn.training.steps import Steps

# ---- the curriculum's 2-2-1 sigmoid network, by hand --------------------------------

X_HAND = (0.05, 0.10)
W1 = ((0.15, 0.25), (0.20, 0.30))  # fan_in x fan_out: W1[i][j] from input i to hidden neuron j
B1 = (0.35, 0.35)
W2 = ((0.40,), (0.45,))
B2 = (0.60,)


def hand_trainer(loss: str, label: int) -> Trainer:
    cfg = Config().with_overrides([
        "network.hidden=2", "network.activation=sigmoid", "network.output=sigmoid", f"network.loss={loss}",
        "training.optimizer=sgd", "training.learning_rate=0.5", "training.batch_size=1",
    ])
    cfg = replace(cfg, weights=((W1, B1), (W2, B2)))
    x = np.array([X_HAND])
    y = np.array([label])
    ds = frozen_dataset("hand", "binary", x, y, x, y, ("x1", "x2"), ("orange", "blue"), None, None, 1.0)
    return Trainer(cfg, dataset=ds)


def sigmoid(v: float) -> float:
    return 1.0 / (1.0 + math.exp(-v))


@pytest.mark.parametrize("loss,factor", [("mse", 1.0), ("square", 0.5)])
@pytest.mark.parametrize("label", [0, 1])
def test_the_2_2_1_sigmoid_network_matches_the_hand_calculation(loss, factor, label):
    t = trace(hand_trainer(loss, label), 0)
    x1, x2 = X_HAND
    y = float(label)  # a sigmoid output's targets are 0 and 1
    # forward
    z_h = [x1 * W1[0][j] + x2 * W1[1][j] + B1[j] for j in range(2)]
    h = [sigmoid(v) for v in z_h]
    z_o = h[0] * W2[0][0] + h[1] * W2[1][0] + B2[0]
    o = sigmoid(z_o)
    # losses.py: mse is mean (p - y)^2 and square half of it, so for one output
    # L = factor * (o - y)^2 and dL/do = 2 * factor * (o - y).
    L = factor * (o - y) ** 2
    dL_do = 2.0 * factor * (o - y)
    delta_o = dL_do * o * (1.0 - o)
    dW2 = [h[0] * delta_o, h[1] * delta_o]
    dL_dh = [W2[0][0] * delta_o, W2[1][0] * delta_o]
    delta_h = [dL_dh[j] * h[j] * (1.0 - h[j]) for j in range(2)]
    dW1 = [[x1 * delta_h[0], x1 * delta_h[1]], [x2 * delta_h[0], x2 * delta_h[1]]]

    def close(got, want):
        np.testing.assert_allclose(np.asarray(got, dtype=float), np.asarray(want, dtype=float), rtol=1e-12, atol=0)

    hidden, out = t.layers
    assert (hidden.index, hidden.activation, hidden.is_output) == (0, "sigmoid", False)
    assert (out.index, out.activation, out.is_output) == (1, "sigmoid", True)
    close(hidden.x, X_HAND)
    close(hidden.W, W1)
    close(hidden.b, B1)
    close(hidden.z, z_h)
    close(hidden.a, h)
    close(out.x, h)
    close(out.z, [z_o])
    close(out.a, [o])
    close(t.prediction, [o])
    close(t.y, [y])
    assert t.loss == pytest.approx(L, rel=1e-12) and t.loss_name == loss
    # backward, output layer first
    assert t.backprop and not t.combined and not out.combined
    close(out.dL_da, [dL_do])
    close(out.fprime, [o * (1.0 - o)])
    close(out.delta, [delta_o])
    close(out.dL_dW, [[dW2[0]], [dW2[1]]])
    close(out.dL_db, [delta_o])
    close(out.dL_dx, dL_dh)
    close(hidden.dL_da, dL_dh)
    close(hidden.fprime, [h[j] * (1.0 - h[j]) for j in range(2)])
    close(hidden.delta, delta_h)
    close(hidden.dL_dW, dW1)
    close(hidden.dL_db, delta_h)
    # the numerical check and SGD's update, -lr * gradient
    assert t.agreement < 1e-6 and t.numeric_complete and t.numeric_count == 9
    close(out.update_W, [[-0.5 * dW2[0]], [-0.5 * dW2[1]]])
    close(hidden.update_b, [-0.5 * d for d in delta_h])
    assert (t.update_rule, t.update_stateful, t.learning_rate) == ("sgd", False, 0.5)


# ---- every activation and pairing against the engine and central differences --------

PRESETS = {"binary": "circle", "multiclass": "iris", "regression": "plane"}
HIDDEN = [a for a in hidden_activation_names() if ACTIVATIONS[a].differentiable]


def pairings() -> list[tuple[str, str, str]]:
    """(task, output, loss) for every pairing the config accepts."""
    out = []
    for task in PRESETS:
        for output in ACTIVATIONS.names(lambda c: c.output_ok and c.differentiable and task in c.output_tasks):
            for loss in LOSSES.names(lambda c: task in c.tasks and (c.outputs is None or output in c.outputs)):
                out.append((task, output, loss))
    return out


def test_the_combinations_cover_the_course():
    assert set(HIDDEN) >= {"linear", "sigmoid", "tanh", "relu", "leaky_relu", "softplus", "swish"}
    found = {(o, loss) for _t, o, loss in pairings()}
    assert {("linear", "mse"), ("linear", "square"), ("linear", "mae"), ("sigmoid", "bce"),
            ("softmax", "cce"), ("tanh", "mse"), ("softmax", "mse")} <= found


def away_from_kinks(trainer: Trainer, kinked: bool, mae: bool) -> int:
    """A training example no numerical step crosses a kink for: relu's at z = 0
    (every pre-activation at least 1e-3 from it) and mae's at p = y."""
    for i in range(len(trainer.dataset.X_train)):
        t = trace(trainer, i, limit=0)  # the forward pass is all this needs
        if kinked and min(float(np.abs(layer.z).min()) for layer in t.layers[:-1]) < 1e-3:
            continue
        if mae and float(np.abs(t.prediction - t.y).min()) < 1e-3:
            continue
        return i
    raise AssertionError("no example away from the kinks")


def engine_gradient(trainer: Trainer, split: str, i: int) -> Network:
    """The engine's own backward pass on the one-row batch (evaluation mode), in ``grad``."""
    ds = trainer.dataset
    X, Y = (ds.X_train, trainer.Y_train) if split == "train" else (ds.X_test, trainer.Y_test)
    net = trainer.network
    net.loss_and_grad(X[i : i + 1], Y[i : i + 1], train=False)
    return net


def noise(t: Trace) -> float:
    """Rounding noise of a float64 central difference: the two losses carry errors of
    a few units in the last place (of the loss and the values before it, ~1e-16),
    divided by 2 eps."""
    return 2e-9 * max(1.0, t.loss) * (1e-6 / t.eps)


def assert_matches_engine_and_numbers(t: Trace, net: Network) -> None:
    for k, layer in enumerate(t.layers):
        assert layer.dL_dW is not None and layer.dL_db is not None
        np.testing.assert_allclose(layer.dL_dW, net.gWa[k][:-1], rtol=1e-12, atol=1e-300)
        np.testing.assert_allclose(layer.dL_db, net.gWa[k][-1], rtol=1e-12, atol=1e-300)
        # Relative error 1e-6, or within the rounding noise for gradients too small
        # for float64 differences to resolve to 1e-6 (below ~1e-3).
        np.testing.assert_allclose(layer.numeric_dW, layer.dL_dW, rtol=1e-6, atol=noise(t))
        np.testing.assert_allclose(layer.numeric_db, layer.dL_db, rtol=1e-6, atol=noise(t))
        if layer.bn is not None:
            bn = layer.bn
            np.testing.assert_allclose(bn.dL_dgamma, net.bn.ggamma[k], rtol=1e-12, atol=1e-300)
            np.testing.assert_allclose(bn.dL_dbeta, net.bn.gbeta[k], rtol=1e-12, atol=1e-300)
            np.testing.assert_allclose(bn.numeric_dgamma, bn.dL_dgamma, rtol=1e-6, atol=noise(t))
            np.testing.assert_allclose(bn.numeric_dbeta, bn.dL_dbeta, rtol=1e-6, atol=noise(t))


def spec_agreement_where_resolvable(t: Trace) -> float:
    """The trace's agreement measure over the gradients of at least 1e-3."""
    worst = 0.0
    for layer in t.layers:
        for a, n in ((layer.dL_dW, layer.numeric_dW), (layer.dL_db, layer.numeric_db)):
            big = np.abs(a) >= 1e-3
            rel = np.abs(a - n)[big] / np.maximum(np.maximum(np.abs(a), np.abs(n)), AGREEMENT_FLOOR)[big]
            worst = max(worst, float(rel.max(initial=0.0)))
    return worst


@pytest.mark.parametrize("task,output,loss", pairings())
@pytest.mark.parametrize("hidden", HIDDEN)
def test_every_activation_and_pairing_matches_the_engine_and_central_differences(hidden, task, output, loss):
    cfg = load_preset(PRESETS[task]).with_overrides(
        ["network.hidden=3,2", f"network.activation={hidden}", f"network.output={output}", f"network.loss={loss}"])
    trainer = Trainer(cfg)
    i = away_from_kinks(trainer, hidden in ("relu", "leaky_relu"), loss == "mae")
    t = trace(trainer, i)
    assert t.backprop and t.numeric_complete and t.numeric_count == trainer.network.n_params
    assert t.combined == (ACTIVATIONS[output].name == LOSSES[loss].fused_output)
    assert t.loss == pytest.approx(trainer.network.loss_value(trainer.dataset.X_train[i : i + 1],
                                                              trainer.Y_train[i : i + 1]), rel=1e-12)
    assert_matches_engine_and_numbers(t, engine_gradient(trainer, "train", i))
    assert spec_agreement_where_resolvable(t) < 1e-6
    assert t.max_difference < noise(t)


def test_the_delta_is_the_chain_rule_written_out():
    trainer = Trainer(load_preset("plane").with_overrides(["network.hidden=3,2", "network.activation=tanh"]))
    t = trace(trainer, 4)
    for below, above in zip(t.layers[:-1], t.layers[1:]):
        np.testing.assert_allclose(below.dL_da, above.W @ above.delta, rtol=1e-12)
        np.testing.assert_allclose(below.delta, below.dL_da * below.fprime, rtol=1e-12)
        np.testing.assert_allclose(above.dL_dW, np.outer(above.x, above.delta), rtol=1e-12)
        np.testing.assert_allclose(above.x, below.a, rtol=0)
    # the softmax output has a Jacobian, not an element-wise derivative
    t = trace(Trainer(load_preset("iris").with_overrides(["network.loss=mse"])), 2)
    out = t.layers[-1]
    assert not out.elementwise and out.fprime is None and out.jacobian is not None and not out.combined
    np.testing.assert_allclose(out.delta, out.jacobian.T @ out.dL_da, rtol=1e-12, atol=1e-300)
    a = out.a
    np.testing.assert_allclose(out.jacobian, np.diag(a) - np.outer(a, a), rtol=1e-12, atol=1e-17)
    # and with cross-entropy the combined delta a - y
    t = trace(Trainer(load_preset("iris")), 2)
    out = t.layers[-1]
    assert out.combined and t.combined
    np.testing.assert_allclose(out.delta, t.prediction - t.y, rtol=0)


def test_batch_norm_is_traced_in_evaluation_mode_with_its_running_statistics():
    trainer = Trainer(load_preset("batchnorm").with_overrides(["network.hidden=4,3"]))
    trainer.run(2)  # running statistics away from their start
    t = trace(trainer, 7, split="test")
    assert t.batch_norm and t.eval_mode and any("running mean" in note for note in _notes(t))
    first = t.layers[0]
    bn = first.bn
    assert bn is not None and t.layers[-1].bn is None
    np.testing.assert_allclose(bn.mean, trainer.network.running_mean[0], rtol=0)
    np.testing.assert_allclose(bn.zn, bn.gamma * (first.z - bn.mean) / np.sqrt(bn.var + 1e-5) + bn.beta,
                               rtol=1e-12)
    assert_matches_engine_and_numbers(t, engine_gradient(trainer, "test", 7))
    assert t.agreement < 1e-4


def test_dropout_is_off_and_the_trace_deterministic_and_l2_is_kept_apart():
    trainer = Trainer(load_preset("overfit-l2").with_overrides(["network.hidden=5,4"]))
    trainer.run(2)
    t, again = trace(trainer, 3), trace(trainer, 3)
    assert t.dropout == 0.2 and t.eval_mode and any("Dropout" in note for note in _notes(t))
    for a, b in zip(t.layers, again.layers):
        assert np.array_equal(a.a, b.a) and np.array_equal(a.dL_dW, b.dL_dW)
        assert np.array_equal(a.numeric_dW, b.numeric_dW, equal_nan=True)
    assert_matches_engine_and_numbers(t, engine_gradient(trainer, "train", 3))
    assert t.regularization == "l2" and not t.penalty_in_dL_dW and t.update_includes_penalty
    for layer in t.layers:
        np.testing.assert_allclose(layer.penalty_dW, 0.01 * layer.W, rtol=1e-15)


def test_without_a_penalty_its_gradient_is_zero():
    t = trace(Trainer(load_preset("circle")), 0)
    assert t.regularization == "none" and not t.update_includes_penalty
    assert all(not layer.penalty_dW.any() for layer in t.layers)


# ---- the update ----------------------------------------------------------------------


def one_example_step(config: Config, epochs: int, i: int) -> np.ndarray:
    """What the trainer's own mini-batch step (Steps) changes the parameters by for a
    batch of example i alone, on a twin trainer in the same state."""
    twin = Trainer(config)
    twin.run(epochs)
    net = twin.network
    steps = Steps(net, Network.with_ones(twin.dataset.X_train[i : i + 1]), twin.Y_train[i : i + 1],
                  np.random.default_rng(0))
    steps.begin(1, reshuffle=False)
    before = net.params.copy()
    tr = config.training
    steps.run(1, twin.optimizer, tr.learning_rate, tr.regularization, tr.regularization_rate)
    change: np.ndarray = net.params - before
    return change


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("reg", ["none", "l1", "l2"])
def test_the_update_is_what_a_step_on_this_example_would_do(optimizer, reg):
    config = load_preset("circle").with_overrides([
        "network.hidden=3,2", f"training.optimizer={optimizer}", f"training.regularization={reg}",
        "training.regularization_rate=0.003", "training.learning_rate=0.1"])
    epochs = 0 if reg == "l1" else 2  # L1's dead links are the trainer's to keep: start before any
    trainer = Trainer(config)
    trainer.run(epochs)
    t = trace(trainer, 5)
    want = one_example_step(config, epochs, 5)
    got = np.concatenate([np.vstack([layer.update_W, layer.update_b[None]]).ravel() for layer in t.layers])
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-15)
    assert t.update_rule == optimizer and t.update_stateful == (optimizer != "sgd")
    assert t.update_includes_penalty == (reg != "none")
    if optimizer == "sgd" and reg == "none":
        for layer in t.layers:
            assert np.array_equal(layer.update_W, -0.1 * layer.dL_dW)
            assert np.array_equal(layer.update_b, -0.1 * layer.dL_db)


def state_of(trainer: Trainer) -> dict:
    net, opt = trainer.network, trainer.optimizer
    moments, steps_taken = opt.state() if opt is not None else ({}, 0)
    return {
        "params": net.params.copy(), "grad": net.grad.copy(), "moments": moments, "t": steps_taken,
        "lr": opt.lr if opt is not None else None,
        "shuffle": copy.deepcopy(trainer.steps._rng.bit_generator.state),
        "dropout": copy.deepcopy(net.dropout_rng.bit_generator.state),
        "position": trainer.steps.position, "epoch": trainer.epoch,
        "running": [m.copy() for m in net.running_mean] + [v.copy() for v in net.running_var],
    }


def assert_same_state(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for key in a:
        if key in ("params", "grad"):
            assert np.array_equal(a[key], b[key]), key
        elif key == "moments":
            assert a[key].keys() == b[key].keys() and all(np.array_equal(a[key][m], b[key][m]) for m in a[key])
        elif key == "running":
            assert all(np.array_equal(x, y) for x, y in zip(a[key], b[key]))
        else:
            assert a[key] == b[key], key


@pytest.mark.parametrize("preset,overrides", [
    ("overfit-l2", ["network.hidden=5,4"]),  # adam, dropout, L2
    ("batchnorm", ["network.hidden=4,3", "training.optimizer=momentum"]),
    ("perceptron-and", []),
    ("xor-by-hand", []),
])
def test_a_trace_leaves_the_trainer_as_it_was(preset, overrides):
    trainer = Trainer(load_preset(preset).with_overrides(overrides))
    if trainer.trainable:
        trainer.train_batches(3)  # mid-epoch, with optimizer state
    before = state_of(trainer)
    trace(trainer, 1)
    trace(trainer, 0, split="test", limit=10)
    assert_same_state(before, state_of(trainer))


# ---- no gradient: step units -----------------------------------------------------------


def test_the_hand_set_xor_is_a_forward_pass_only():
    t = trace(Trainer(load_preset("xor-by-hand")), 1)
    hidden, out = t.layers
    np.testing.assert_array_equal(hidden.z, [-3.0, -4.0])  # 0*5 + 1*5 - 8, 0*-7 + 1*-7 + 3
    np.testing.assert_array_equal(hidden.a, [0.0, 0.0])
    np.testing.assert_array_equal(out.z, [6.0])
    np.testing.assert_array_equal(t.prediction, [1.0])
    assert not t.backprop and t.update_rule == "" and math.isnan(t.agreement)
    assert all(layer.delta is None and layer.dL_dW is None and layer.numeric_dW is None and layer.update_W is None
               for layer in t.layers)
    assert any("does not apply" in note for note in _notes(t))


def test_the_perceptron_gets_its_rule_instead():
    trainer = Trainer(load_preset("perceptron-and"))
    for i in range(4):
        t = trace(trainer, i)
        layer = t.layers[0]
        error = float(t.y[0] - t.prediction[0])
        assert t.update_rule == "perceptron" and not t.backprop
        np.testing.assert_allclose(layer.update_W[:, 0], 0.1 * error * layer.x, rtol=1e-15)
        np.testing.assert_allclose(layer.update_b, [0.1 * error], rtol=1e-15)


# ---- limits and bad input -------------------------------------------------------------------


def test_a_large_network_is_checked_on_the_output_layer_and_the_selected_neuron():
    trainer = Trainer(load_preset("circle").with_overrides(["network.hidden=6,5"]))
    t = trace(trainer, 2, limit=10, neuron=(0, 4))
    assert not t.numeric_complete and any("only" in note for note in _notes(t))
    first, second, out = t.layers
    assert np.isfinite(out.numeric_dW).all() and np.isfinite(out.numeric_db).all()
    assert np.isfinite(first.numeric_dW[:, 4]).all() and np.isfinite(first.numeric_db[4])
    assert np.isnan(first.numeric_dW[:, :4]).all() and np.isnan(first.numeric_db[:4]).all()
    assert np.isfinite(second.numeric_dW[4]).all() and np.isnan(second.numeric_dW[:4]).all()
    assert np.isnan(second.numeric_db).all()
    assert t.numeric_count == 3 + 5 + 6  # into neuron 5 with its bias, out of it, the output layer
    full = trace(trainer, 2)
    ok = np.isfinite(first.numeric_dW)
    np.testing.assert_array_equal(first.numeric_dW[ok], full.layers[0].numeric_dW[ok])


@pytest.mark.parametrize("kwargs", [
    {"sample": 250}, {"sample": -1}, {"sample": 0, "split": "valid"}, {"sample": 0, "eps": 0.0},
    {"sample": 0, "neuron": (0, 9)},
])
def test_bad_requests_are_config_errors(kwargs):
    trainer = Trainer(load_preset("circle"))
    kwargs = dict(kwargs)
    sample = kwargs.pop("sample")
    with pytest.raises(ConfigError):
        trace(trainer, sample, **kwargs)


def _notes(t: Trace) -> list[str]:
    from tui_nn.training.backprop import notes

    return notes(t)


# ---- the command line -------------------------------------------------------------------------


def test_the_text_plugs_the_numbers_into_each_formula(capsys):
    assert main(["backprop", "xor-by-hand", "--sample", "1"]) == 0
    out = capsys.readouterr().out
    for line in ("z1 = 0·5 + 1·5 - 8 = -3", "a1 = step(-3) = 0", "z2 = 0·(-7) + 1·(-7) + 3 = -4",
                 "a2 = step(-4) = 0", "z1 = 0·(-11) + 0·(-11) + 6 = 6", "a1 = step(6) = 1",
                 "Backpropagation does not apply"):
        assert line in out, line
    assert "Backward pass" not in out


def test_the_text_shows_the_chain_rule_and_the_numerical_check(capsys):
    assert main(["backprop", "circle", "--set", "network.hidden=2", "--sample", "3"]) == 0
    out = capsys.readouterr().out
    for part in ("Backward pass, output layer first", "δ1 = a1 - y1 = ", "dL/da1 = Σ w·δ = ",
                 "δ1 = dL/da1 · f'(z1) = ", "dL/dw(1→1) = ", "numerical: ", "Update by sgd",
                 "largest relative difference"):
        assert part in out, part


def test_wide_layers_show_their_first_eight_neurons(capsys):
    assert main(["backprop", "spiral3"]) == 0
    out = capsys.readouterr().out
    assert "… and 8 more neurons" in out and "  z8 = " in out and "  z9 = " not in out
    assert " + … " in out  # 16 products in a sum: the first 8


def test_json_has_the_trace_per_layer(capsys):
    assert main(["backprop", "circle", "--sample", "3", "--split", "test", "--epochs", "2", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    for key in ("preset", "split", "sample", "x", "y", "prediction", "loss", "loss_name", "agreement",
                "backprop", "combined", "layers", "update_rule", "notes"):
        assert key in data, key
    assert data["split"] == "test" and data["sample"] == 3 and data["backprop"] is True
    assert data["agreement"] < 1e-4
    trainer = Trainer(load_preset("circle"))
    trainer.run(2)
    t = trace(trainer, 3, split="test")
    assert len(data["layers"]) == len(t.layers) == 3
    for got, layer in zip(data["layers"], t.layers):
        for key in ("z", "a", "delta", "dL_dW", "numeric_dW", "dL_db", "numeric_db"):
            assert key in got, key
        assert got["layer"] == layer.index + 1
        np.testing.assert_allclose(got["dL_dW"], layer.dL_dW, rtol=1e-15)
        np.testing.assert_allclose(got["z"], layer.z, rtol=1e-15)


def test_json_of_a_step_network_has_nulls_for_the_gradients(capsys):
    assert main(["backprop", "xor-by-hand", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["backprop"] is False and data["agreement"] is None
    assert all(layer["delta"] is None and layer["dL_dW"] is None for layer in data["layers"])


@pytest.mark.parametrize("args", [
    ["circle", "--sample", "250"],
    ["circle", "--sample", "-3"],
    ["circle", "--split", "test", "--sample", "250"],
    ["xor-by-hand", "--epochs", "3"],
    ["circle", "--set", "training.learning_rate=99"],
])
def test_bad_input_is_one_line_and_exit_2(capsys, args):
    assert main(["backprop", *args]) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err and captured.out == ""
