"""Weights set by hand: the trainer puts them in without a reset and the
prediction moves by exactly what the forward pass says; in the app, `E` on a
selected neuron types them, the plane changes, and a saved preset keeps them."""

from __future__ import annotations

import math
import tomllib

import numpy as np
import pytest

from tui_nn.app.dialogs.weights_dialog import WeightsDialog, parse_weight
from tui_nn.io.presets import load_preset
from tui_nn.training import Trainer

from pilot_helpers import async_test, playground, wait_for


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def test_set_neuron_changes_the_prediction_by_exactly_the_forward_pass():
    t = Trainer(load_preset("xor-learn"))
    t.run(5)
    before_epoch, before_history = t.epoch, len(t.history)
    t.set_neuron(1, 0, 6.0, (-11.0, 11.0))  # the output neuron
    t.set_neuron(0, 1, -3.0, (7.0, -7.0))  # hidden neuron 2
    X = np.asarray(t.dataset.X_train, dtype=float)
    W0, b0, W1, b1 = t.network.W(0), t.network.b(0), t.network.W(1), t.network.b(1)
    assert list(W1[:, 0]) == [-11.0, 11.0] and b1[0] == 6.0 and list(W0[:, 1]) == [7.0, -7.0] and b0[1] == -3.0
    # The forward pass written out: the xor-learn preset is 2-2-1 sigmoid.
    hidden = _sigmoid(X @ W0 + b0)
    want = _sigmoid(hidden @ W1 + b1)
    np.testing.assert_allclose(t.network.predict(X).reshape(-1), want.reshape(-1), rtol=0, atol=1e-15)
    # No reset: same epoch and history, and the figures are those of the new weights.
    assert t.epoch == before_epoch and len(t.history) == before_history
    assert t.last.train_loss == t._evaluate().train_loss
    # Training goes on from them.
    t.train_epoch()
    assert t.epoch == before_epoch + 1


@pytest.mark.parametrize("bad", [((1.0,), "incoming weights"), ((math.nan, 1.0), "finite")])
def test_set_neuron_refuses_wrong_shapes_and_non_numbers(bad):
    t = Trainer(load_preset("xor-learn"))
    params = t.network.params.copy()
    weights, words = bad
    with pytest.raises(ValueError, match=words):
        t.set_neuron(1, 0, 0.0, weights)
    with pytest.raises(ValueError, match="no neuron"):
        t.set_neuron(1, 5, 0.0, (1.0, 2.0))
    np.testing.assert_array_equal(t.network.params, params)


def test_parse_weight():
    assert parse_weight(" -7 ") == -7.0 and parse_weight("1e-3") == 1e-3
    assert parse_weight("nan") is None and parse_weight("inf") is None and parse_weight("5,5") is None


@async_test
async def test_E_on_the_output_neuron_types_its_weights_and_the_plane_changes(tmp_path):
    async with playground("xor-learn", size=(120, 40)) as (app, pilot):
        grid_before = app.snapshot.output_grid.copy()
        app.network_view.focus()
        app.network_view.select(len(app.snapshot.sizes) - 2, None)  # the output neuron
        await pilot.pause()
        await pilot.press("E")
        await wait_for(pilot, lambda: isinstance(app.screen, WeightsDialog), what="the weights dialog")
        fields = list(app.screen.query("Input"))
        assert len(fields) == 3  # bias, w from neuron 1, w from neuron 2
        for field, value in zip(fields, ("6", "-11", "oops")):
            field.value = value
        fields[0].focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, WeightsDialog), "a bad number keeps the dialog open"
        assert "Nothing was changed" in str(app.screen.query_one("#w-hint").render())
        fields[2].value = "-11"
        await pilot.press("enter")
        await wait_for(pilot, lambda: np.array_equal(app.snapshot.biases[1], [6.0]), what="the new bias")
        assert list(app.snapshot.weights[1][:, 0]) == [-11.0, -11.0]
        assert app.snapshot.epoch == 0
        assert not np.array_equal(app.snapshot.output_grid, grid_before), "the plane shows the new weights"
        # The set-up keeps them: a saved preset writes them as its [weights].
        assert app.config.weights is not None and app.config.weights[1][1] == (6.0,)
        data = tomllib.loads(app.config.to_toml())
        assert "weights" in data


def test_the_session_traces_the_worst_example_on_request():
    import threading

    from tui_nn.session.loop import Session
    from tui_nn.session.protocol import Inspect, Stop, Traced
    from tui_nn.training.backprop import worst_example

    events = []
    session = Session(load_preset("xor-learn"), events.append)
    thread = threading.Thread(target=session.run)
    thread.start()
    session.send(Inspect(None))
    session.send(Inspect(99))
    session.send(Stop())
    thread.join(30)
    traced = [e for e in events if isinstance(e, Traced)]
    assert len(traced) == 2
    worst = worst_example(session.trainer)
    assert traced[0].trace is not None and traced[0].trace.sample == worst and not traced[0].error
    # The worst is worst: no other training example has a larger loss of its own.
    from tui_nn.training.backprop import trace

    losses = [trace(session.trainer, i).loss for i in range(len(session.trainer.dataset.X_train))]
    assert losses[worst] == max(losses)
    assert traced[1].trace is None and "out of range" in traced[1].error


def test_the_worst_example_of_the_test_split():
    from tui_nn.training.backprop import trace, worst_example

    t = Trainer(load_preset("circle"))
    worst = worst_example(t, "test")
    losses = [trace(t, i, split="test").loss for i in range(len(t.dataset.X_test))]
    assert losses[worst] == max(losses)
