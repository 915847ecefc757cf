"""The trainer: the hand-set XOR of the lecture notes, determinism, mini-batches,
divergence, the perceptron rule, live settings, bounded history and snapshots."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from tui_nn.config import SPECS, Config, ConfigError
from tui_nn.engine.network import Network
from tui_nn.training import Trainer
from tui_nn.training.history import History
from tui_nn.training.perceptron import perceptron_epoch
from tui_nn.training.snapshot import plane_grid

# Curriculum section 2, W as fan_in x fan_out: column j holds neuron j's weights.
XOR_WEIGHTS = (
    (((5.0, -7.0), (5.0, -7.0)), (-8.0, 3.0)),
    (((-11.0,), (-11.0,)), (6.0,)),
)
# (x1, x2) -> (a1, a2, y), copied from the table in the notes.
XOR_TABLE = {
    (0.0, 0.0): (0.0, 1.0, 0.0),
    (0.0, 1.0): (0.0, 0.0, 1.0),
    (1.0, 0.0): (0.0, 0.0, 1.0),
    (1.0, 1.0): (1.0, 0.0, 0.0),
}


def cfg_of(*assignments: str) -> Config:
    return Config().with_overrides(list(assignments))


def xor_by_hand_config() -> Config:
    cfg = cfg_of(
        "data.dataset=xor-table",
        "network.hidden=2",
        "network.activation=step",
        "network.output=step",
        "network.loss=mse",
        "training.epochs=0",
    )
    return replace(cfg, weights=XOR_WEIGHTS)


# --- the hand-set XOR -----------------------------------------------------------


def test_hand_set_xor_reproduces_the_table_exactly() -> None:
    trainer = Trainer(xor_by_hand_config())
    net = trainer.network
    x = np.asarray(trainer.dataset.X_train)
    assert sorted(map(tuple, x)) == sorted(XOR_TABLE)
    hidden, out = net.layer_outputs(x, dtype=np.float64)
    for row, h, y in zip(x, hidden, out):
        a1, a2, want_y = XOR_TABLE[tuple(row)]
        assert (h[0], h[1], y[0]) == (a1, a2, want_y), tuple(row)
    np.testing.assert_array_equal(net.predict(x), out)
    # The labels are XOR, and the network gets all four right.
    np.testing.assert_array_equal(trainer.dataset.y_train, [int(r[0]) ^ int(r[1]) for r in x])
    assert trainer.last.train_metric == 1.0
    assert trainer.last.test_metric == 1.0
    assert trainer.last.train_loss == 0.0  # mse of exact 0/1 outputs
    # Zero epochs: running changes nothing.
    before = net.params.copy()
    assert trainer.run(0).epochs == 0
    np.testing.assert_array_equal(net.params, before)


def test_hand_set_weights_of_the_wrong_shape_are_a_config_error() -> None:
    bad = replace(xor_by_hand_config(), weights=(XOR_WEIGHTS[0], (((-11.0,),), (6.0,))))
    with pytest.raises(ConfigError, match="W1"):
        Trainer(bad)


# --- determinism and mini-batches ------------------------------------------------


def _det_config(seed: int) -> Config:
    return cfg_of(
        "data.dataset=circle",
        "data.points=100",
        "data.noise=0.2",
        "network.hidden=5,4",
        "training.dropout=0.2",
        "training.batch_norm=true",
        "training.optimizer=adam",
        "training.learning_rate=0.01",
        f"training.seed={seed}",
    )


def test_same_seed_gives_bit_identical_runs() -> None:
    a, b = Trainer(_det_config(3)), Trainer(_det_config(3))
    a.run(5)
    b.run(5)
    assert np.array_equal(a.network.params, b.network.params)
    for ma, mb in zip(a.network.running_mean + a.network.running_var, b.network.running_mean + b.network.running_var):
        assert np.array_equal(ma, mb)
    assert np.array_equal(a.history.column("train_loss"), b.history.column("train_loss"))
    c = Trainer(_det_config(4))
    c.run(5)
    assert not np.array_equal(a.network.params, c.network.params)


def test_the_last_partial_batch_is_used() -> None:
    # The NumPy path's steps, watched one by one (the compiled path's are
    # checked against these in test_fast_epoch.py).
    trainer = Trainer(cfg_of("data.dataset=circle", "data.points=46", "training.batch_size=10"), engine="numpy")
    assert len(trainer.dataset.X_train) == 23
    net = trainer.network
    steps: list[int] = []
    batches: list[np.ndarray] = []
    real_step, real_batch = trainer.optimizer.step, net.train_batch

    def counting_step(params, grad):
        steps.append(1)
        real_step(params, grad)

    def recording_batch(xa, y):
        batches.append(np.array(xa))
        real_batch(xa, y)

    trainer.optimizer.step = counting_step
    net.train_batch = recording_batch
    trainer.train_epoch()
    assert len(steps) == 3
    assert [len(b) for b in batches] == [10, 10, 3]
    # Every training row exactly once, with its column of ones.
    seen = np.vstack(batches)
    want = Network.with_ones(np.asarray(trainer.dataset.X_train))
    assert sorted(map(tuple, seen)) == sorted(map(tuple, want))
    trainer.train_epoch()
    assert len(steps) == 6
    # A new shuffle each epoch.
    assert not np.array_equal(np.vstack(batches[:3]), np.vstack(batches[3:]))


# --- divergence ------------------------------------------------------------------


def _diverging(*extra: str) -> Trainer:
    return Trainer(cfg_of("data.dataset=plane", "training.optimizer=sgd", "training.learning_rate=10", *extra))


def test_divergence_stops_the_run_and_restores_the_last_good_weights() -> None:
    trainer = _diverging()
    assert trainer.output_name == "linear"
    good = [trainer.network.params.copy()]
    result = trainer.run(50, on_epoch=lambda r: good.append(trainer.network.params.copy()))
    assert result.status == "diverged"
    assert trainer.diverged
    assert result.epochs < 50
    assert result.epochs == len(good)  # on_epoch ran for every epoch but the last
    assert "learning rate" in result.message.lower()
    assert "learning rate" in trainer.diagnose().lower()
    assert np.all(np.isfinite(trainer.network.params))
    np.testing.assert_array_equal(trainer.network.params, good[-1])
    assert np.all(np.isfinite(trainer.network.predict(np.asarray(trainer.dataset.X_test))))
    # The message says where the weights went back to: the epoch they are from.
    assert trainer.epoch == result.epochs - 1
    assert f"Diverged at epoch {result.epochs}:" in result.message
    assert f"The weights are back at epoch {trainer.epoch} (loss {trainer.last.train_loss:.3g})." in result.message
    # ... and what was measured: the blown-up loss, the rate and the optimizer.
    assert "the training loss blew up to " in result.message and "(now 10 with sgd)" in result.message


def test_divergence_with_batch_norm_leaves_a_usable_network() -> None:
    # Regression: batch norm's running statistics were not rolled back with the weights.
    trainer = _diverging("training.optimizer=momentum", "training.batch_norm=true", "network.activation=relu")
    assert trainer.run(50).status == "diverged"
    net = trainer.network
    assert np.all(np.isfinite(net.params))
    for arr in net.running_mean + net.running_var:
        assert np.all(np.isfinite(arr))
    assert np.all(np.isfinite(net.predict(np.asarray(trainer.dataset.X_test))))


def test_training_recovers_after_divergence_and_a_lower_rate() -> None:
    # Regression: the momentum velocity kept its inf/NaN after a divergence.
    trainer = _diverging("training.optimizer=momentum")
    assert trainer.run(50).status == "diverged"
    trainer.reset_divergence()
    trainer.set_live("training.learning_rate", 0.001)
    assert trainer.run(3).status == "ok"


# --- the perceptron rule -----------------------------------------------------------


def _perceptron(dataset: str, seed: int) -> Trainer:
    return Trainer(
        cfg_of(
            f"data.dataset={dataset}",
            "network.hidden=",
            "network.output=step",
            "training.optimizer=perceptron",
            "training.learning_rate=0.5",
            f"training.seed={seed}",
        )
    )


@pytest.mark.parametrize("dataset", ["and-table", "or-table"])
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_perceptron_learns_linearly_separable_tables(dataset: str, seed: int) -> None:
    trainer = _perceptron(dataset, seed)
    assert trainer.optimizer is None
    accs = [trainer.train_epoch().train_metric for _ in range(20)]
    assert 1.0 in accs
    # Once every sample is right the rule stops moving the weights.
    first = accs.index(1.0)
    assert all(a == 1.0 for a in accs[first:])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_perceptron_never_learns_xor(seed: int) -> None:
    trainer = _perceptron("xor-table", seed)
    accs = [trainer.train_epoch().train_metric for _ in range(100)]
    assert max(accs) <= 0.75
    assert not trainer.diverged


def test_perceptron_update_by_hand() -> None:
    trainer = _perceptron("and-table", 0)
    net = trainer.network
    net.set_weights([(np.array([[0.5], [0.5]]), np.array([-0.2]))])
    xa = Network.with_ones(np.array([[1.0, 0.0], [0.0, 0.0], [1.0, 1.0]]))
    y = np.array([[0.0], [0.0], [1.0]])
    # Row 1: 0.5 - 0.2 = 0.3 >= 0 -> 1, target 0: w -= 0.5 * (1, 0, 1) -> (0, 0.5, -0.7)
    # Row 2: -0.7 < 0 -> 0, right.  Row 3: 0 + 0.5 - 0.7 = -0.2 -> 0, target 1:
    # w += 0.5 * (1, 1, 1) -> (0.5, 1.0, -0.2).
    assert perceptron_epoch(net, xa, y, 0.5) == 2
    np.testing.assert_allclose(net.Wa[0][:, 0], [0.5, 1.0, -0.2], rtol=0, atol=1e-15)


# --- live settings -------------------------------------------------------------------


def test_set_live_learning_rate_keeps_the_weights() -> None:
    trainer = Trainer(cfg_of("data.dataset=circle", "data.points=60", "training.optimizer=momentum"))
    trainer.run(2)
    params = trainer.network.params.copy()
    velocity = trainer.optimizer.v.copy()
    trainer.set_live("training.learning_rate", 0.5)
    assert trainer.optimizer.lr == 0.5
    assert trainer.config.training.learning_rate == 0.5
    np.testing.assert_array_equal(trainer.network.params, params)
    np.testing.assert_array_equal(trainer.optimizer.v, velocity)
    trainer.set_live("training.momentum", 0.5)
    assert trainer.optimizer.momentum == 0.5
    # A bad value is refused and changes nothing.
    with pytest.raises(ConfigError, match="training.learning_rate"):
        trainer.set_live("training.learning_rate", 20.0)
    assert trainer.optimizer.lr == 0.5


NOT_LIVE = sorted(path for path, spec in SPECS.items() if not spec.live)


def test_structural_settings_are_not_live() -> None:
    assert {"network.hidden", "network.activation", "data.dataset", "training.optimizer"} <= set(NOT_LIVE)


@pytest.mark.parametrize("path", NOT_LIVE)
def test_set_live_refuses_settings_that_need_a_reset(path: str) -> None:
    trainer = Trainer(cfg_of("data.dataset=circle", "data.points=60"))
    params = trainer.network.params.copy()
    with pytest.raises(ConfigError, match=path.replace(".", r"\.")):
        trainer.set_live(path, SPECS[path].default)
    np.testing.assert_array_equal(trainer.network.params, params)


def test_set_live_unknown_setting_is_a_config_error() -> None:
    # Regression: a typo raised KeyError instead of the user-facing ConfigError.
    trainer = Trainer(cfg_of("data.dataset=circle", "data.points=60"))
    with pytest.raises(ConfigError, match="training.lr"):
        trainer.set_live("training.lr", 0.1)


# --- history ----------------------------------------------------------------------------


def _check_bounded(epochs: np.ndarray, capacity: int, last: int) -> None:
    assert 0 < len(epochs) <= capacity
    assert epochs[0] == 0
    steps = np.diff(epochs)
    assert np.all(steps > 0)
    assert len(set(steps.tolist())) == 1  # evenly spread
    assert last - steps[0] < epochs[-1] <= last


def test_history_stays_bounded() -> None:
    h = History(("epoch", "loss"), capacity=64)
    for e in range(1000):
        h.append(e, (1.0 / (e + 1),))
    epochs = h.column("epoch")
    _check_bounded(epochs, 64, 999)
    # Each kept row still holds its own value.
    np.testing.assert_array_equal(h.column("loss"), 1.0 / (epochs + 1))
    assert h.last("epoch") == epochs[-1]
    for bad in (3, 7, 0):
        with pytest.raises(ValueError):
            History(("epoch",), capacity=bad)


def test_trainer_history_stays_bounded() -> None:
    trainer = Trainer(
        cfg_of("data.dataset=xor-table", "network.hidden=2", "training.batch_size=4"), history_capacity=64
    )
    trainer.run(1000)
    assert trainer.epoch == 1000
    _check_bounded(trainer.history.column("epoch"), 64, 1000)
    assert len(trainer.history) <= 64


# --- snapshots --------------------------------------------------------------------------


def test_snapshot_is_a_copy() -> None:
    trainer = Trainer(cfg_of("data.dataset=circle", "data.points=60"))
    trainer.run(2)
    snap = trainer.snapshot((10, 10))
    weights = [w.copy() for w in snap.weights]
    biases = [b.copy() for b in snap.biases]
    grid = snap.output_grid.copy()
    losses = snap.history["train_loss"].copy()
    trainer.network.params += 1.0
    trainer.run(2)
    for w, w0 in zip(snap.weights, weights):
        np.testing.assert_array_equal(w, w0)
    for b, b0 in zip(snap.biases, biases):
        np.testing.assert_array_equal(b, b0)
    np.testing.assert_array_equal(snap.output_grid, grid)
    np.testing.assert_array_equal(snap.history["train_loss"], losses)
    assert snap.epoch == 2


@pytest.mark.parametrize("dataset,k", [("circle", None), ("spiral3", 3)])
def test_snapshot_grids_have_the_requested_shape_and_match_predict(dataset: str, k) -> None:
    trainer = Trainer(
        cfg_of(
            f"data.dataset={dataset}",
            "data.points=60",
            "network.hidden=5,4",
            "data.features=x1,x2,x1*x2",
            "training.batch_norm=true",
            "training.dropout=0.1",
        )
    )
    trainer.run(3)  # batch norm's running statistics move away from 0 / 1
    cols, rows = 30, 20
    snap = trainer.snapshot((cols, rows))
    assert snap.output_grid.shape == ((rows, cols) if k is None else (rows, cols, k))
    assert [g.shape for g in snap.neuron_grids] == [(rows, cols, 5), (rows, cols, 4)]
    assert snap.input_grids.shape == (rows, cols, 3)
    # Row 0 is the top (largest x2), column 0 the left (smallest x1).
    pts = plane_grid(snap.extent, cols, rows)
    assert pts[0, 0] < 0 < pts[0, 1]
    assert pts[cols - 1, 0] > 0 and pts[-1, 1] < 0
    # The picture shows what the network predicts there (evaluation mode).
    want = trainer.network.predict(trainer.dataset.features(pts))
    want = want.reshape(rows, cols) if k is None else want.reshape(rows, cols, k)
    np.testing.assert_allclose(snap.output_grid, want, rtol=1e-4, atol=1e-5)


def test_an_epoch_worth_watching_is_evaluated_every_time():
    from tui_nn.io.presets import load_preset
    # A 512-512 net on 1000 spiral points trains about one epoch a second: its loss
    # must move every epoch, not stand still for the 133 epochs the cost rule alone gives.
    big = Trainer(load_preset("spiral").with_overrides(["network.hidden=512,512"]))
    assert big.eval_every == 1
    losses = [big.train_epoch().train_loss for _ in range(2)]
    assert losses[0] != losses[1]
    # The mid-sized nets keep the cost rule (a 64-64-64 net on 2000 points: every 8th).
    mid = Trainer(load_preset("circle").with_overrides(["network.hidden=64,64,64", "data.points=2000"]))
    assert mid.eval_every > 1
    assert Trainer(load_preset("circle")).eval_every == 1


def test_a_slow_run_says_its_speed_with_a_decimal():
    from dataclasses import replace as dc_replace

    from tui_nn.app.status import figures
    from tui_nn.io.presets import load_preset
    from tui_nn.training.state import RunState
    snap = Trainer(load_preset("circle")).snapshot()
    running = dc_replace(snap, run=dc_replace(snap.run, state=RunState.RUNNING, epochs_per_second=0.62))
    assert "0.6 epochs/s" in figures(running)
    fast = dc_replace(snap, run=dc_replace(snap.run, state=RunState.RUNNING, epochs_per_second=1234.4))
    assert "1,234 epochs/s" in figures(fast)


def test_every_advice_names_what_was_measured():
    import math

    from tui_nn.training import advice
    from tui_nn.training.history import History

    text = advice.diverged(7, 6, 3.0, "adam", math.inf, 0.25)
    assert "epoch 7" in text and "blew up to inf" in text and "epoch 6 (loss 0.25)" in text and "3 with adam" in text
    # Overfitting: test loss up from its best while training loss falls, with the figures.
    h = History(("epoch", "train_loss", "test_loss", "train_metric", "test_metric"), 1000)
    for e in range(40):
        h.append(e, (1.0 / (e + 1), 0.2 + abs(e - 10) * 0.02, 0.9, 0.8))
    text = advice.diagnose(h, None, "classification")
    assert text.startswith("Overfitting: test loss rose to 0.78 from its best 0.2"), text
    assert "training loss fell to 0.025" in text
    # Vanishing gradients: the two RMS figures and their ratio.
    flat = History(("epoch", "train_loss", "test_loss", "train_metric", "test_metric"), 1000)
    for e in range(10):
        flat.append(e, (0.5, 0.5, 0.5, 0.5))
    text = advice.diagnose(flat, [1e-6, 1e-4, 1e-2], "classification")
    assert "gradient RMS is 1e-06, 10000x smaller than the output layer's 0.01" in text, text
