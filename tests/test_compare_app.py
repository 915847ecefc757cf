"""Compare mode in the app: runs of one set-up side by side, driven through Pilot.

Each run trains in a process of its own; tests wait for the snapshots that show
the state they expect (never for a fixed time) and look at what the screen
holds and draws.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import numpy as np
import pytest

pytest.importorskip("textual")

from rich.cells import cell_len  # noqa: E402
from textual.pilot import Pilot  # noqa: E402

from tui_nn.app.app import PlaygroundApp  # noqa: E402
from tui_nn.app.screens.compare import (  # noqa: E402
    CompareScreen, grid_arrangement, plan_comparison,
)
from tui_nn.app.widgets._lines import LinesWidget  # noqa: E402
from tui_nn.app.widgets.compare_table import TextLines, epochs_to, target_loss  # noqa: E402
from tui_nn.config import ConfigError  # noqa: E402
from tui_nn.i18n import set_language  # noqa: E402
from tui_nn.io.presets import load_preset  # noqa: E402
from tui_nn.training.state import RunState  # noqa: E402
from tui_nn.training.trainer import Trainer  # noqa: E402

from pilot_helpers import async_test, wait_for  # noqa: E402


# The real app: its own space key (a priority binding) steps aside while the screen is up.
Host = PlaygroundApp


def circle():
    return load_preset("circle").with_overrides(["training.epochs=0"])


@contextlib.asynccontextmanager
async def comparing(path: str, values: tuple[str, ...], size: tuple[int, int] = (120, 40),
                    pace: float | None = 30.0, title: str = "") -> AsyncIterator[tuple[Host, CompareScreen, Pilot]]:
    """The playground on the circle preset with a CompareScreen pushed over it,
    once every run has sent its first snapshot."""
    app = Host(circle(), pace=pace)
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: app.snapshot is not None, what="the playground's first snapshot")
        screen = CompareScreen(app.config, path, values, pace=pace, title=title)
        await app.push_screen(screen)
        await wait_for(pilot, lambda: all(s is not None for s in screen.snapshots), timeout=60.0,
                       what="every run's first snapshot")
        yield app, screen, pilot


def epochs(screen: CompareScreen) -> list[int]:
    return [s.epoch if s is not None else -1 for s in screen.snapshots]


def states(screen: CompareScreen) -> set[str]:
    return {str(s.run.state) if s is not None else "" for s in screen.snapshots}


def screen_lines(app: Host) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


# ---- on screen ----------------------------------------------------------------------------


@async_test
async def test_runs_train_together_and_the_chart_and_table_show_each():
    async with comparing("training.optimizer", ("sgd", "adam")) as (app, screen, pilot):
        assert [box.display for box in screen.boxes] == [True, True]
        assert len(screen.grids) == 2
        await pilot.pause(0.4)
        legend = screen.chart.legend_text()
        for value in ("sgd", "adam"):
            assert value in legend
        assert [box.title.plain.split()[1] for box in screen.boxes] == ["sgd", "adam"]
        await pilot.press("space")
        await wait_for(pilot, lambda: states(screen) == {RunState.RUNNING} and min(epochs(screen)) > 3,
                       what="both runs training")
        await wait_for(pilot, lambda: all(n > 2 for n in screen.chart.series_points), what="two lines plotted")
        rows = screen.table.rows()
        assert [r["value"] for r in rows] == ["sgd", "adam"]
        assert all(isinstance(r["epochs"], int) and r["epochs"] > 0 for r in rows)
        assert all(r["train_loss"] > 0 for r in rows)
        assert rows[0]["target"] is not None
        text = "\n".join(screen_lines(app))
        assert "━ sgd" in text and "━ adam" in text
        await pilot.press("space")
        await wait_for(pilot, lambda: states(screen) == {RunState.PAUSED}, what="every run paused")
        stopped = epochs(screen)
        await pilot.pause(0.3)
        assert epochs(screen) == stopped
        assert "playground" not in app.screen.__class__.__name__.lower()
        assert app.snapshot is not None and app.snapshot.epoch == 0  # the playground's run did not move


@async_test
async def test_runs_varying_activation_start_from_the_same_weights_and_step_and_reset_together():
    async with comparing("network.activation", ("tanh", "relu")) as (_app, screen, pilot):
        assert screen.shared_init
        assert "same initial weights" in screen.head.plain
        first, second = screen.first_snapshots
        assert first is not None and second is not None and first.epoch == second.epoch == 0
        for a, b in zip(first.weights, second.weights):
            assert np.array_equal(a, b)
        for a, b in zip(first.biases, second.biases):
            assert np.array_equal(a, b)
        for expected in (1, 2):
            await pilot.press("n")
            await wait_for(pilot, lambda n=expected: epochs(screen) == [n, n], what=f"epoch {expected}")
        await pilot.pause(0.3)
        assert epochs(screen) == [2, 2]
        assert states(screen) == {RunState.PAUSED}
        trained = [s.weights[0].copy() for s in screen.snapshots if s is not None]
        assert not np.array_equal(trained[0], trained[1])  # tanh and relu learn differently
        await pilot.press("b")
        await wait_for(pilot, lambda: all(s is not None and s.run.batch[0] == 1 for s in screen.snapshots),
                       what="one mini-batch each")
        await pilot.press("space")
        await wait_for(pilot, lambda: min(epochs(screen)) > 5, what="training")
        await pilot.press("r")
        await wait_for(pilot, lambda: epochs(screen) == [0, 0] and states(screen) == {RunState.PAUSED},
                       what="every run back at epoch 0")
        for s in screen.snapshots:
            assert s is not None
            for a, b in zip(s.weights, first.weights):
                assert np.array_equal(a, b)  # back to the shared start


@async_test
async def test_varying_the_hidden_layers_says_the_initial_weights_differ():
    async with comparing("network.hidden", ("4", "8,8")) as (_app, screen, _pilot):
        assert not screen.shared_init
        assert "initial weights differ: the shapes differ" in screen.head.plain
        assert [s.sizes for s in screen.first_snapshots if s is not None] == [(2, 4, 1), (2, 8, 8, 1)]


@async_test
async def test_the_pace_keys_reach_every_run():
    async with comparing("training.learning_rate", ("0.01", "0.1")) as (_app, screen, pilot):
        await pilot.press("right_square_bracket")
        assert screen.pace == 100.0
        await pilot.press("space")
        await wait_for(pilot, lambda: all(s is not None and s.run.pace == 100.0 for s in screen.snapshots),
                       what="pace 100 in every run")
        await pilot.press("left_square_bracket", "left_square_bracket")
        await wait_for(pilot, lambda: all(s is not None and s.run.pace == 10.0 for s in screen.snapshots),
                       what="pace 10 in every run")
        assert "10/s" in screen.head.plain or screen.head.size.width < 60


# ---- sizes ----------------------------------------------------------------------------------

SIX = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")


def assert_fits(app: Host, screen: CompareScreen, width: int) -> None:
    """The screen's rendered lines are the terminal's width, and every line each
    widget built fits its widget (Textual would crop an overlong one unseen)."""
    lines = screen_lines(app)
    assert lines and all(cell_len(line) == width for line in lines)
    for widget in screen.query(LinesWidget):
        if not widget.display or not widget.size.width:
            continue
        for y in range(widget.size.height):
            assert cell_len(widget.render_line(y).text) <= widget.size.width, (widget, y)
        if isinstance(widget, TextLines):
            for text in widget.texts:
                assert text.cell_len <= widget.size.width, (widget, text.plain)
        assert widget.region.right <= width


@pytest.mark.parametrize("language", ["en", "ko"])
@async_test
async def test_every_line_fits_at_120x40_and_80x24(language):
    set_language(language)
    try:
        async with comparing("training.optimizer", SIX, size=(120, 40), pace=None,
                             title="최적화 방법 비교 (같은 데이터)") as (app, screen, pilot):
            await pilot.press("space")
            await wait_for(pilot, lambda: min(epochs(screen)) > 2, timeout=60.0, what="every run training")
            for size in ((120, 40), (80, 24), (60, 20), (120, 40)):
                await pilot.resize_terminal(*size)
                await wait_for(pilot, lambda want=size: screen.size == want, what=f"resized to {size}")
                await pilot.pause(0.5)
                assert_fits(app, screen, size[0])
                if size[0] >= 80:
                    shown = [box for box in screen.boxes if box.display]
                    assert len(shown) >= 3  # at 80x24 fewer and smaller, but planes still
                    text = "\n".join(screen_lines(app))
                    for value in SIX:
                        assert f"━ {value}" in text  # every value named whole (legend, table)
            assert "최적화" in screen.head.plain
            await pilot.press("t", "l")
            await pilot.pause(0.5)
            assert_fits(app, screen, 120)
    finally:
        set_language("en")


# ---- processes ------------------------------------------------------------------------------


@async_test
async def test_closing_the_screen_stops_every_run():
    async with comparing("network.activation", ("tanh", "relu", "sigmoid")) as (app, screen, pilot):
        processes = [s.process for s in screen.sessions if s is not None]
        assert len(processes) == 3 and all(p.is_alive() for p in processes)
        await pilot.press("space")
        await wait_for(pilot, lambda: min(epochs(screen)) > 1, what="training")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, CompareScreen), what="back to the playground")
        assert not any(p.is_alive() for p in processes)
        assert all(p.exitcode is not None for p in processes)  # reaped
        assert app.session is not None and app.session.process.is_alive()  # the playground's goes on


@async_test
async def test_quitting_the_app_on_the_compare_screen_stops_every_run():
    async with comparing("network.activation", ("tanh", "relu")) as (app, screen, pilot):
        processes = [s.process for s in screen.sessions if s is not None]
        await pilot.press("space")
        await wait_for(pilot, lambda: min(epochs(screen)) > 1, what="training")
        await pilot.press("q")  # the app's own key: the playground's run has nothing unsaved
        await wait_for(pilot, lambda: app._exit, what="the app exiting")
    assert not any(p.is_alive() for p in processes)
    assert app.session is None


# ---- headless parts -----------------------------------------------------------------------


def test_plan_shares_the_first_runs_initial_weights_where_shapes_match():
    plan = plan_comparison(circle(), "training.optimizer", ("sgd", "adam"))
    assert plan.shared_init and plan.shared_data
    first = Trainer(circle())
    trainers = [Trainer(c) for c in plan.configs]
    for t in trainers:
        for a, b in zip(t.network.Wa, first.network.Wa):
            assert np.array_equal(a, b)
    plan = plan_comparison(circle(), "network.init_seed", ("0", "1"))
    assert not plan.shared_init and "draws them" in plan.notes()[1][0]
    plan = plan_comparison(circle(), "data.noise", ("0", "0.3"))
    assert not plan.shared_data and plan.shared_init


def test_the_screen_reads_vary_text():
    screen = CompareScreen.from_text(circle(), "network.hidden=4;8,8", pace=None)
    assert screen.path == "network.hidden" and screen.labels == ["4", "8,8"] and screen.pace is None
    assert not screen.shared_init and "the shapes differ" in screen.sharing_note()
    assert all(s is None for s in screen.sessions)  # nothing starts before the screen is shown
    with pytest.raises(ConfigError):
        CompareScreen.from_text(circle(), "network.hidden=4")


def test_plan_refuses_bad_values_before_anything_starts():
    with pytest.raises(ConfigError):
        plan_comparison(circle(), "training.optimizer", ("sgd",))
    with pytest.raises(ConfigError):
        plan_comparison(circle(), "training.optimizer", ("sgd", "no-such-optimizer"))
    with pytest.raises(ConfigError):
        plan_comparison(circle(), "training.learning_rate", ("0.1", "0.1"))


def test_hand_set_weights_go_where_they_do_not_fit():
    preset = load_preset("xor-by-hand")
    plan = plan_comparison(preset, "network.hidden", ("2", "3"))
    assert plan.configs[0].weights == preset.weights and plan.configs[1].weights is None


@pytest.mark.parametrize("size,runs", [((120, 40), 6), ((80, 24), 6), ((80, 24), 2), ((200, 60), 4), ((30, 10), 3)])
def test_grid_arrangement_fits_beside_the_chart(size, runs):
    width, height = size
    body = height - 1 - (runs + 2) - 1
    a = grid_arrangement(width, max(body, 0), runs)
    if a.shown:
        assert a.columns * a.box_width <= width - max(30, width * 2 // 5)
        assert a.rows * a.box_height <= body
        assert a.columns * a.rows >= a.shown
        assert a.plane_rows >= 4
    if size[0] >= 80:
        assert a.shown == runs


def test_target_and_epochs_to_target():
    t = Trainer(circle())
    t.run(20)
    snap = t.snapshot(grid=(8, 8))
    goal = target_loss([snap, None])
    assert goal == float(snap.history["train_loss"][-1])  # one run: its own final loss
    n = epochs_to(snap, goal)
    h = snap.history
    assert n is not None and float(h["train_loss"][list(h["epoch"]).index(n)]) <= goal
    assert epochs_to(snap, -1.0) is None


def test_the_target_is_the_highest_final_loss_so_every_run_gets_a_count():
    slow, fast = (Trainer(circle().with_overrides([f"training.optimizer={o}"])) for o in ("sgd", "adam"))
    slow.run(20)
    fast.run(20)
    snaps = [slow.snapshot(grid=(8, 8)), fast.snapshot(grid=(8, 8))]
    finals = [t.last.train_loss for t in (slow, fast)]
    assert finals[0] > finals[1]
    goal = target_loss([*snaps, None])
    assert goal == max(finals)
    counts = [epochs_to(s, max(finals)) for s in snaps]
    assert all(isinstance(n, int) for n in counts) and counts[1] < counts[0]
    for snap, n in zip(snaps, counts):
        h = snap.history
        i = list(h["epoch"]).index(n)
        assert h["train_loss"][i] <= goal and all(h["train_loss"][:i] > goal)
    # Before any epoch, nobody is below the start: no target yet.
    assert target_loss([Trainer(circle()).snapshot(grid=(8, 8))] * 2) is None


@async_test
async def test_a_lesson_that_varies_a_setting_opens_in_compare_mode():
    from tui_nn.lessons import get_lesson

    lesson = get_lesson("activations")
    app = PlaygroundApp(load_preset(lesson.preset).with_overrides(["training.epochs=0"]), pace=30.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.snapshot is not None)
        await app.open_lesson("activations")
        await wait_for(pilot, lambda: isinstance(app.screen, CompareScreen), what="the compare screen")
        screen = app.screen
        assert screen.values == lesson.vary[1] and screen.path == lesson.vary[0]
        # Space plays the runs, not the playground behind them.
        await pilot.press("space")
        await pilot.pause(0.5)
        assert app.snapshot.run.state != "running"
        # The next lesson (vanishing gradients: sigmoid against relu) closes this
        # comparison, stops its runs and opens its own.
        await wait_for(pilot, lambda: all(s is not None for s in screen.sessions), timeout=60.0, what="every run")
        sessions = list(screen.sessions)
        assert len(sessions) == 6
        await app.action_next_lesson()
        following = get_lesson(lesson.number + 1)
        await wait_for(pilot, lambda: app.screen is not screen and isinstance(app.screen, CompareScreen),
                       what="the next lesson's comparison")
        assert app.lesson is following and app.screen.values == following.vary[1]
        assert len(app.screen_stack) == 2  # the playground and one comparison
        for session in sessions:
            assert session is not None and not session.process.is_alive()
