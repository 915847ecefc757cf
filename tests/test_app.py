"""The playground driven as a user would, through Textual's Pilot.

Training really runs in the worker thread; tests wait for the snapshot that
shows the state they expect (never for a fixed time), so they do not race.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import numpy as np
import pytest

pytest.importorskip("textual")

from textual.pilot import Pilot  # noqa: E402

from tui_nn.app.app import PlaygroundApp, StatusLine  # noqa: E402
from tui_nn.app.screens.help import HelpScreen  # noqa: E402
from tui_nn.app.settings_panel import SettingsPanel, widget_id  # noqa: E402
from tui_nn.app.widgets import DecisionGrid  # noqa: E402
from tui_nn.io.presets import load_preset  # noqa: E402


def async_test(fn: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    """Run an async test body (the app under Pilot) on a fresh event loop."""

    @functools.wraps(fn)
    def test(*args: object, **kwargs: object) -> None:
        asyncio.run(fn(*args, **kwargs))

    return test


async def wait_for(pilot, condition, timeout: float = 15.0, what: str = "condition"):
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.02)


def state(app: PlaygroundApp) -> str:
    snap = app.snapshot
    return snap.run.state if snap is not None else ""


def epoch(app: PlaygroundApp) -> int:
    return app.snapshot.epoch if app.snapshot is not None else -1


def live_lr(app: PlaygroundApp) -> float:
    """The learning rate the trainer (in its own process) reports using."""
    return app.snapshot.run.learning_rate


def status_text(app: PlaygroundApp) -> str:
    return str(app.query_one(StatusLine).render())


@contextlib.asynccontextmanager
async def playground(preset: str = "circle", epochs: int = 0,
                     size: tuple[int, int] = (120, 40)) -> AsyncIterator[tuple[PlaygroundApp, Pilot]]:
    """The app on ``preset`` at ``size``, once its first snapshot has arrived."""
    app = make_app(preset, epochs)
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: app.snapshot is not None, what="first snapshot")
        yield app, pilot


def make_app(preset: str = "circle", epochs: int = 0) -> PlaygroundApp:
    # epochs = 0: no limit, so a run is still running when the test looks.
    return PlaygroundApp(load_preset(preset).with_overrides([f"training.epochs={epochs}"]))


@async_test
async def test_opens_paused_at_epoch_zero_and_plays_and_pauses():
    async with playground() as (app, pilot):
        assert epoch(app) == 0 and state(app) == "paused"
        await pilot.press("space")
        await wait_for(pilot, lambda: state(app) == "running" and epoch(app) > 3, what="running")
        await pilot.press("space")
        await wait_for(pilot, lambda: state(app) == "paused", what="paused")
        stopped_at = epoch(app)
        await pilot.pause(0.3)
        assert epoch(app) == stopped_at
        assert "PAUSED" in status_text(app)


@async_test
async def test_n_advances_exactly_one_epoch():
    async with playground() as (app, pilot):
        for expected in (1, 2, 3):
            await pilot.press("n")
            await wait_for(pilot, lambda: epoch(app) == expected, what=f"epoch {expected}")
        await pilot.pause(0.2)
        assert epoch(app) == 3
        assert state(app) == "paused"


@async_test
async def test_reset_returns_to_epoch_zero_with_the_seeds_weights():
    async with playground() as (app, pilot):
        initial = [w.copy() for w in app.snapshot.weights]
        for expected in (1, 2):
            await pilot.press("n")
            await wait_for(pilot, lambda: epoch(app) == expected)
        assert not np.allclose(app.snapshot.weights[0], initial[0])
        await pilot.press("r")
        await wait_for(pilot, lambda: epoch(app) == 0, what="reset")
        for a, b in zip(app.snapshot.weights, initial):
            np.testing.assert_array_equal(a, b)
        assert "reset" in status_text(app).lower()


@async_test
async def test_learning_rate_changes_while_running_without_reset():
    async with playground() as (app, pilot):
        assert app.config.training.learning_rate == pytest.approx(0.03)
        await pilot.press("space")
        await wait_for(pilot, lambda: epoch(app) > 5, what="training")
        before = epoch(app)
        await pilot.press("plus")
        assert app.config.training.learning_rate == pytest.approx(0.1)
        await wait_for(pilot, lambda: live_lr(app) == pytest.approx(0.1),
                       what="optimizer lr")
        await wait_for(pilot, lambda: epoch(app) > before + 5, what="more training")
        assert state(app) == "running"  # no reset: the epoch counter kept going
        await pilot.press("minus", "minus")
        assert app.config.training.learning_rate == pytest.approx(0.01)
        await wait_for(pilot, lambda: live_lr(app) == pytest.approx(0.01))
        # The form shows the live value too.
        lr_input = app.query_one(f"#{widget_id('training.learning_rate')}")
        assert lr_input.value == "0.01"
        await pilot.press("space")


@async_test
async def test_invalid_value_is_refused_in_place_and_training_goes_on():
    async with playground() as (app, pilot):
        await pilot.press("space")
        await wait_for(pilot, lambda: epoch(app) > 2)
        app.query_one(SettingsPanel).query_one("#settings-tabs").active = "tab-training"
        await pilot.pause()
        lr_input = app.query_one(f"#{widget_id('training.learning_rate')}")
        lr_input.focus()
        lr_input.value = "20"
        await pilot.press("enter")
        await pilot.pause()
        assert app.config.training.learning_rate == pytest.approx(0.03)
        assert lr_input.value == "0.03"
        messages = [n.message for n in app._notifications]
        assert any("training.learning_rate" in m and "1e-05 to 10" in m for m in messages), messages
        running_epoch = epoch(app)
        await wait_for(pilot, lambda: epoch(app) > running_epoch + 3, what="training continues")
        assert live_lr(app) == pytest.approx(0.03)


@async_test
async def test_adding_a_layer_resets_and_redraws():
    async with playground() as (app, pilot):
        await pilot.press("n")
        await wait_for(pilot, lambda: epoch(app) == 1)
        assert app.snapshot.sizes == (2, 4, 2, 1)
        app.query_one(SettingsPanel).query_one("#settings-tabs").active = "tab-network"
        await pilot.pause()
        await pilot.click("#add-layer")
        await wait_for(pilot, lambda: app.snapshot.sizes == (2, 4, 2, 2, 1), what="new layer")
        assert epoch(app) == 0
        assert "architecture" in status_text(app)
        assert len(app.snapshot.neuron_grids) == 3


@async_test
async def test_divergence_pauses_with_advice_and_keeps_a_finite_picture():
    async with playground("diverge") as (app, pilot):
        await pilot.press("space")
        await wait_for(pilot, lambda: state(app) == "diverged", what="divergence")
        snap = app.snapshot
        assert np.all(np.isfinite(snap.output_grid))
        assert all(np.all(np.isfinite(w)) for w in snap.weights)
        text = status_text(app)
        assert "learning rate" in text.lower() and "DIVERGED" in text
        at = epoch(app)
        await pilot.pause(0.3)
        assert epoch(app) == at  # paused itself


@pytest.mark.parametrize("size", [(80, 24), (200, 60)])
@async_test
async def test_layout_follows_terminal_size(size):
    async with playground() as (app, pilot):
        before = app.query_one(DecisionGrid).desired_grid()
        await pilot.resize_terminal(*size)
        await pilot.pause()
        after = app.query_one(DecisionGrid).desired_grid()
        assert after != before
        await wait_for(pilot, lambda: app.snapshot.output_grid.shape[::-1] == after,
                       what="grid at the new resolution")
        sidebar = app.query_one("#sidebar")
        if size[0] < 110:
            assert app.screen.has_class("-narrow") and not sidebar.display
            await pilot.press("s")
            assert sidebar.display
        else:
            assert sidebar.display
        grid = app.query_one(DecisionGrid)
        assert grid.size.width > 10 and grid.size.height > 4


@async_test
async def test_help_screen_lists_every_key():
    async with playground() as (app, pilot):
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.query_one("Markdown")._markdown
        for binding in PlaygroundApp.BINDINGS:
            assert (binding.tooltip or binding.description) in text
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


@async_test
async def test_choosing_a_feature_resets_and_says_why():
    async with playground("xor") as (app, pilot):
        await pilot.press("n")
        await wait_for(pilot, lambda: epoch(app) == 1)
        features = app.query_one(f"#{widget_id('data.features')}")
        features.select("x1*x2")
        await wait_for(pilot, lambda: app.snapshot.sizes[0] == 3, what="three inputs")
        assert epoch(app) == 0
        assert app.config.data.features == ("x1", "x2", "x1*x2")
        assert "data changed" in status_text(app)
        summary = app.query_one(f"#{widget_id('data.features')}-summary")
        assert "x1*x2" in str(summary.render())
        await pilot.press("g")  # new data: the next seed, reset again
        await wait_for(pilot, lambda: app.config.training.seed == 1 and "seed 1" in status_text(app),
                       what="regenerated")


@async_test
async def test_palette_file_commands_write_their_files(tmp_path):
    from tui_nn.app.dialogs.path_dialog import PathDialog

    async def answer(pilot, app, path):
        await wait_for(pilot, lambda: isinstance(app.screen, PathDialog) and app.screen.query("#path"),
                       what="path dialog")
        field = app.screen.query_one("#path")
        field.value = str(path)
        await pilot.press("enter")
        await pilot.pause()

    async with playground("xor") as (app, pilot):
        await pilot.press("n")
        await wait_for(pilot, lambda: epoch(app) == 1)
        app.action_save_model()
        await answer(pilot, app, tmp_path / "m.npz")
        app.action_export_data()
        await answer(pilot, app, tmp_path / "d.csv")
        app.action_save_preset()
        await answer(pilot, app, tmp_path / "mine.toml")
        app.action_save_screenshot()
        await answer(pilot, app, tmp_path / "shot.svg")
        await wait_for(pilot, lambda: (tmp_path / "m.npz").exists() and (tmp_path / "d.csv").exists(),
                       what="files from the training process")
    with np.load(tmp_path / "m.npz") as model:
        assert int(model["epoch"]) == 1 and model["W0"].shape == (2, 8)
    assert (tmp_path / "d.csv").read_text().splitlines()[0] == "x1,x2,label,split"
    assert load_preset(str(tmp_path / "mine.toml")).network.hidden == (8,)
    assert (tmp_path / "shot.svg").read_text().lstrip().startswith("<svg")


@async_test
async def test_hand_set_xor_opens_and_explains_there_is_nothing_to_train():
    app = PlaygroundApp(load_preset("xor-by-hand"))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.snapshot is not None, what="first snapshot")
        assert app.snapshot.last.train_metric == 1.0  # the table, by hand
        await pilot.press("space")
        await wait_for(pilot, lambda: "Nothing to train" in status_text(app), what="explanation")
        assert epoch(app) == 0 and app.session is not None


@async_test
async def test_perceptron_preset_trains_in_the_app():
    async with playground("perceptron-and", epochs=20) as (app, pilot):
        await pilot.press("space")
        await wait_for(pilot, lambda: state(app) == "finished", what="20 epochs")
        assert app.snapshot.last.train_metric == 1.0


def test_trainer_process_stops_when_the_app_is_killed(tmp_path):
    """A SIGKILLed app must not leave its trainer running (it reads EOF)."""
    import os
    import signal
    import subprocess
    import sys
    import textwrap

    script = tmp_path / "app.py"
    script.write_text(textwrap.dedent("""
        import os, sys, time
        from tui_nn.io.presets import load_preset
        from tui_nn.session.process import SessionProcess
        from tui_nn.session.protocol import Play
        s = SessionProcess(load_preset("circle").with_overrides(["training.epochs=0"]))
        s.send(Play())
        print(s.process.pid, flush=True)
        time.sleep(60)
    """))
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    child = int(proc.stdout.readline())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return
        try:  # reap it if it became ours
            os.waitpid(child, os.WNOHANG)
        except ChildProcessError:
            pass
        time.sleep(0.1)
    os.kill(child, signal.SIGKILL)
    raise AssertionError("the trainer process outlived the app")


XOR_BY_HAND = [np.array([[5.0, -7.0], [5.0, -7.0]]), np.array([[-11.0], [-11.0]])]


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
def test_xor_by_hand_opened_by_the_cli_keeps_its_weights(size, monkeypatch):
    """`tui-nn xor-by-hand` as a learner starts it: the CLI builds the config and
    opens the app (here under Pilot, at a real terminal size). Once the form's
    mount events have settled, the hand-set weights are still in force."""
    from tui_nn.cli import main

    checked = []

    def run_app(config):
        async def drive() -> None:
            app = PlaygroundApp(config)
            async with app.run_test(size=size) as pilot:
                await wait_for(pilot, lambda: app.snapshot is not None, what="first snapshot")
                await pilot.pause(1.0)  # anything the mounting form would send has arrived
                snap = app.snapshot
                assert snap.last.train_metric == 1.0 and snap.last.test_metric == 1.0
                for got, want in zip(snap.weights, XOR_BY_HAND):
                    np.testing.assert_array_equal(got, want)
                assert "Reset" not in status_text(app)
                assert app.config.weights is not None
                checked.append(size)

        asyncio.run(drive())

    monkeypatch.setattr("tui_nn.app.run_app", run_app)
    assert main(["xor-by-hand"]) == 0
    assert checked == [size]
