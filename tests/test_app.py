"""The playground driven as a user would, through Textual's Pilot.

Training really runs in the worker thread; tests wait for the snapshot that
shows the state they expect (never for a fixed time), so they do not race.
"""

from __future__ import annotations

import asyncio
import os
import time

import numpy as np
import pytest

pytest.importorskip("textual")

from rich.text import Text as RichText  # noqa: E402

from tui_nn.app.app import PlaygroundApp, StatusLine  # noqa: E402
from tui_nn.app.screens.help import HelpScreen  # noqa: E402
from tui_nn.app.settings_panel import SettingsPanel, widget_id  # noqa: E402
from tui_nn.app.widgets import DecisionGrid  # noqa: E402
from tui_nn.io.presets import load_preset  # noqa: E402
from tui_nn.training import Trainer  # noqa: E402

from pilot_helpers import async_test, epoch, playground, state, status_text, wait_for  # noqa: E402


def live_lr(app: PlaygroundApp) -> float:
    """The learning rate the trainer (in its own process) reports using."""
    return app.snapshot.run.learning_rate


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
async def test_r_draws_new_weights_and_shift_r_goes_back_to_the_seeds():
    async with playground() as (app, pilot):
        initial = [w.copy() for w in app.snapshot.weights]
        points = app.snapshot.train_points.copy()
        for expected in (1, 2):
            await pilot.press("n")
            await wait_for(pilot, lambda: epoch(app) == expected)
        assert not np.allclose(app.snapshot.weights[0], initial[0])
        draws = []
        for draw in (1, 2, 3):  # r: a new start each time, same data
            await pilot.press("r")
            await wait_for(pilot, lambda: app.snapshot.epoch == 0 and f"draw {draw}" in status_text(app),
                           what=f"draw {draw}")
            assert app.config.network.init_seed == draw  # so a saved preset reproduces it
            draws.append([w.copy() for w in app.snapshot.weights])
            assert not np.allclose(draws[-1][0], initial[0])
        assert not np.allclose(draws[0][0], draws[1][0]) and not np.allclose(draws[1][0], draws[2][0])
        np.testing.assert_array_equal(app.snapshot.train_points, points)  # same data
        await pilot.press("R")  # the way back: the seed's own first weights
        await wait_for(pilot, lambda: "Back to the seed's first weights" in status_text(app), what="restore")
        assert app.config.network.init_seed == 0 and epoch(app) == 0
        for a, b in zip(app.snapshot.weights, initial):
            np.testing.assert_array_equal(a, b)


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
    assert (tmp_path / "d.csv").read_text().splitlines()[0] == "x1,x2,label,target,split"
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
def test_xor_by_hand_opened_by_the_cli_keeps_its_weights(size, monkeypatch, tmp_path):
    """`tui-nn xor-by-hand` as a learner starts it: the CLI builds the config and
    opens the app (here under Pilot, at a real terminal size). Once the form's
    mount events have settled, the hand-set weights are still in force."""
    from tui_nn.cli import main

    checked = []

    def run_app(config, **options):
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
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))  # no autosave offer from elsewhere
    assert main(["xor-by-hand"]) == 0
    assert checked == [size]


@async_test
async def test_space_plays_from_the_settings_panel_but_types_in_a_text_field():
    async with playground() as (app, pilot):
        dataset = app.query_one(f"#{widget_id('data.dataset')}")
        dataset.focus()
        await pilot.pause()
        assert "Esc goes back to the playground" in status_text(app)  # how to get back
        await pilot.press("space")
        await wait_for(pilot, lambda: state(app) == "running", what="space plays from a Select")
        assert not getattr(dataset, "expanded", False)  # the dropdown stayed shut
        await pilot.press("space")
        await wait_for(pilot, lambda: state(app) == "paused", what="and pauses")
        app.query_one(SettingsPanel).query_one("#settings-tabs").active = "tab-network"
        await pilot.pause()
        hidden = app.query_one(f"#{widget_id('network.hidden')}")
        hidden.focus()
        await pilot.pause()
        before = hidden.value
        await pilot.press("space")
        await pilot.pause(0.3)
        assert hidden.value != before and " " in hidden.value  # a space in the text
        assert state(app) == "paused"
        await pilot.press("escape")
        await pilot.pause()
        assert app.focused is app.query_one("#network")
        assert "Esc goes back" not in status_text(app)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc (Linux)."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _epochs_per_second(app, pilot, seconds: float) -> tuple[float, float]:
    """(epochs a second, trainer CPU seconds a second) over ``seconds`` of wall time."""
    pid = app.session.process.pid
    e0, c0, t0 = epoch(app), _cpu_seconds(pid), time.monotonic()
    await pilot.pause(seconds)
    dt = time.monotonic() - t0
    return (epoch(app) - e0) / dt, (_cpu_seconds(pid) - c0) / dt


@pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="reads CPU time from /proc")
@async_test
async def test_the_pace_holds_the_trainer_back_without_burning_a_core():
    app = PlaygroundApp(load_preset("circle").with_overrides(["training.epochs=0"]), pace=10.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.snapshot is not None)
        await pilot.press("space")
        await wait_for(pilot, lambda: state(app) == "running" and epoch(app) > 2)
        # Over 3 s, so that a snapshot's lag (the epoch count is read from the last one
        # published) moves the figure by well under one epoch a second.
        rate, cpu = await _epochs_per_second(app, pilot, 3.0)
        assert 7.0 <= rate <= 13.0, rate  # 10 epochs a second of wall time
        assert cpu < 0.3, cpu  # waiting, not spinning: a 1 ms epoch ten times a second
        assert "pace 10/s" in status_text(app)
        for _ in range(4):
            await pilot.press("right_square_bracket")  # 30, 100, 300, max
        await wait_for(pilot, lambda: "pace max" in status_text(app), what="pace max")
        fast, _ = await _epochs_per_second(app, pilot, 1.0)
        assert fast > 10 * rate, (fast, rate)
        await pilot.press("left_square_bracket")
        await wait_for(pilot, lambda: "pace 300/s" in status_text(app), what="one step slower")


@async_test
async def test_b_takes_exactly_one_mini_batch_step():
    config = load_preset("circle").with_overrides(["training.epochs=0"])
    async with playground() as (app, pilot):
        before = [w.copy() for w in app.snapshot.weights]
        await pilot.press("b")
        await wait_for(pilot, lambda: app.snapshot.run.batch == (1, 25), what="one batch of 25")
        assert epoch(app) == 0 and "batch 1/25" in status_text(app)
        # The very update a headless trainer makes with one step, bit for bit.
        twin = Trainer(config)
        twin.train_step()
        for got, want, old in zip(app.snapshot.weights, (twin.network.W(k) for k in range(3)), before):
            np.testing.assert_array_equal(got, want)
            assert not np.array_equal(got, old)
        for _ in range(24):
            await pilot.press("b")
        await wait_for(pilot, lambda: epoch(app) == 1, what="25 batches make an epoch")
        assert app.snapshot.run.batch == (0, 0)
        twin.train_epoch()  # finishes the epoch the step began
        np.testing.assert_array_equal(app.snapshot.weights[0], twin.network.W(0))


@async_test
async def test_advice_is_readable_in_full_at_80x24():
    app = PlaygroundApp(load_preset("diverge"), pace=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.snapshot is not None)
        await pilot.press("space")
        await wait_for(pilot, lambda: state(app) == "diverged", what="the loss blows up")
        await pilot.pause(0.2)
        advice = app.snapshot.run.note
        assert advice.startswith("Diverged at epoch") and advice.endswith("try another loss.")
        status = app.query_one(StatusLine)
        text = str(status.render())
        assert advice in text
        # Every line of it, wrapped at the widget's width on an 80x24 screen, has a row.
        width = status.content_size.width
        needed = sum(len(RichText(part).wrap(app.console, width)) for part in text.split("\n"))
        assert status.content_size.height >= needed >= 3, (status.content_size, needed)
        assert status.region.bottom <= app.screen.region.bottom - 1  # above the footer


@async_test
async def test_the_form_can_switch_to_a_csv_file_of_ones_own(tmp_path):
    """Choosing csv before a file is named was refused with the file's field
    hidden (it showed only for csv): now the refusal shows the two fields, and
    once they are filled, csv is taken and the trainer reads the file."""
    data = tmp_path / "mine.csv"
    data.write_text("a,b,y\n1,2,0\n2,1,1\n3,3,0\n1,1,1\n0,2,1\n2,0,0\n")
    async with playground("circle") as (app, pilot):
        panel = app.query_one(SettingsPanel)
        assert not app.query_one(f"#{widget_id('data.csv')}-row").display
        app.query_one(f"#{widget_id('data.dataset')}").value = "csv"
        await pilot.pause(0.2)
        assert app.config.data.dataset == "circle"  # refused: no file yet
        assert app.query_one(f"#{widget_id('data.csv')}-row").display
        for path, value in (("data.csv", str(data)), ("data.target", "y")):
            field = app.query_one(f"#{widget_id(path)}")
            field.focus()
            field.value = value
            await pilot.press("enter")
        app.query_one(f"#{widget_id('data.dataset')}").value = "csv"
        await wait_for(pilot, lambda: app.snapshot is not None and app.snapshot.dataset_name == "mine.csv",
                       what="the trainer on the csv file")
        assert app.config.data.dataset == panel.config.data.dataset == "csv"
