"""Lessons in the app, the way a learner meets them: a lesson opened, its text
beside the plots in English and Korean, the next and the previous lesson, and
the whole screen in Korean at 80x24 and 120x40 with every line inside the
terminal and the panels' edges where the English puts them."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from tui_nn.app.app import PlaygroundApp
from tui_nn.app.widgets.lesson_panel import LessonPanel
from tui_nn.i18n import _, set_language
from tui_nn.io.presets import load_preset
from tui_nn.lessons import LESSONS, get_lesson

from pilot_helpers import async_test, wait_for

BOX = "╭╮╰╯│─"


def screen_lines(app: PlaygroundApp) -> list[str]:
    """The screen as the terminal shows it, one string per row."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def lesson_app(number: int) -> PlaygroundApp:
    lesson = get_lesson(number)
    return PlaygroundApp(load_preset(lesson.preset).with_overrides(["training.epochs=0"]), lesson=lesson)


def panel_text(app: PlaygroundApp) -> str:
    return str(app.query_one(LessonPanel)._body.render())


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    set_language("en")


@async_test
async def test_a_lesson_opens_with_its_text_beside_the_plots_and_e_hides_it():
    app = lesson_app(2)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.snapshot is not None)
        lesson = get_lesson(2)
        panel = app.query_one(LessonPanel)
        assert panel.display and panel.region.width > 30
        text = panel_text(app)
        assert lesson.title in text and "Look" in text and "Question" in text
        assert "Lesson 2 of 13" in text
        lines = screen_lines(app)
        assert any(lesson.title in ln for ln in lines), "the title is on screen"
        # xor-by-hand keeps its hand-set weights: 100% from epoch 0.
        assert app.snapshot.last.train_metric == 1.0
        await pilot.press("e")
        await pilot.pause()
        assert not panel.display
        await pilot.press("e")
        await pilot.pause()
        assert panel.display


@async_test
async def test_next_and_previous_lesson_load_their_presets():
    app = lesson_app(2)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.snapshot is not None)
        await pilot.press("full_stop")
        third = get_lesson(3)
        await wait_for(pilot, lambda: app.config.name == load_preset(third.preset).name, what="lesson 3's preset")
        assert app.lesson is third and third.title in panel_text(app)
        assert third.title in app.sub_title
        await pilot.press("comma")
        await wait_for(pilot, lambda: app.config.name == "xor-by-hand", what="back to lesson 2")
        await wait_for(pilot, lambda: app.snapshot.last.train_metric == 1.0, what="the hand-set weights")
        assert app.lesson is get_lesson(2)


@async_test
async def test_the_palette_switches_the_language_live():
    app = lesson_app(1)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.snapshot is not None)
        english = panel_text(app)
        await app.switch_language("ko")
        await wait_for(pilot, lambda: app.snapshot is not None and app.query_one(LessonPanel).is_mounted)
        await pilot.pause()
        korean = panel_text(app)
        assert korean != english
        assert "레슨" in korean or "강의" in korean or "수업" in korean, korean[:80]
        assert _(get_lesson(1).title) in korean and _(get_lesson(1).title) != get_lesson(1).title
        # The footer's keys are Korean too, and the run went on.
        footer = screen_lines(app)[-1]
        assert any("\uac00" <= ch <= "\ud7a3" for ch in footer), footer
        before = app.snapshot.epoch
        await pilot.press("n")
        await wait_for(pilot, lambda: app.snapshot.epoch == before + 1, what="one more epoch after the switch")
        await app.switch_language("en")
        await pilot.pause()
        assert get_lesson(1).title in panel_text(app)


def _edges(lines: list[str]) -> list[list[int]]:
    """For each row, the cell columns where a box-drawing edge stands."""
    out = []
    for ln in lines:
        cols, x = [], 0
        for ch in ln:
            if ch in BOX:
                cols.append(x)
            x += cell_len(ch)
        out.append(cols)
    return out


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
@async_test
async def test_korean_fits_the_terminal_and_keeps_the_panels_edges(size):
    edges = {}
    for code in ("en", "ko"):
        set_language(code)
        app = lesson_app(3)
        async with app.run_test(size=size) as pilot:
            await wait_for(pilot, lambda: app.snapshot is not None)
            await pilot.pause(0.3)
            lines = screen_lines(app)
            assert len(lines) == size[1]
            for ln in lines:
                assert cell_len(ln) == size[0], (code, size, ln)
            if code == "ko":
                assert sum(any("\uac00" <= ch <= "\ud7a3" for ch in ln) for ln in lines) >= 5, "Korean on screen"
            edges[code] = _edges(lines)
    # The panels' frames stand in the same columns in both languages: Korean's
    # double-width letters moved no border.
    assert edges["ko"] == edges["en"]


def test_every_lesson_is_reachable_by_next():
    numbers = [lesson.number for lesson in LESSONS]
    assert numbers == list(range(1, len(LESSONS) + 1))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
@async_test
async def test_s_and_e_swap_the_settings_and_the_lesson(size):
    app = lesson_app(1)
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: app.snapshot is not None)
        settings, panel = app.query_one("#sidebar"), app.query_one(LessonPanel)
        await wait_for(pilot, lambda: screen_lines(app)[-1].strip(), what="the footer")
        footer = screen_lines(app)[-1]
        assert "e Lesson" in footer and "s Settings" not in footer and cell_len(footer.rstrip()) <= size[0]
        assert panel.display and not settings.display
        await pilot.press("s")
        await pilot.pause()
        assert settings.display and not panel.display
        await pilot.press("e")
        await pilot.pause()
        assert panel.display and not settings.display


def test_the_activation_lessons_draw_the_function_and_its_derivative():
    import math

    from tui_nn.app.widgets.activation_plot import activation_plot, max_slope, slopes_line

    # Hand values: sigmoid'(0) = 1/4; tanh'(0) = 1; relu' = 1 for z > 0; softplus' =
    # sigmoid, largest at z = 5 on the plotted range.
    assert max_slope("sigmoid") == pytest.approx(0.25, abs=1e-12)
    assert max_slope("tanh") == pytest.approx(1.0, abs=1e-12)
    assert max_slope("relu") == 1.0
    assert max_slope("softplus") == pytest.approx(1 / (1 + math.exp(-5)), rel=1e-12)
    lines = activation_plot("sigmoid", 36, 8, "truecolor")
    assert "largest 0.25" in lines[0].plain and len(lines) == 9
    assert all(cell_len(ln.plain) <= 36 for ln in lines[1:])
    assert slopes_line(("sigmoid", "relu")) == "largest f'(z): sigmoid 0.25 · relu 1"


@async_test
async def test_lesson_6_shows_sigmoids_largest_slope_and_follows_the_settings():
    app = lesson_app(6)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.snapshot is not None)
        await app.back_to_playground()
        await pilot.pause()
        plot = str(app.query_one(LessonPanel)._plot.render())
        assert "sigmoid" in plot and "largest 0.25" in plot and "relu 1" in plot
        app._set_config(app.config.with_overrides(["network.activation=relu"]), reason="test")
        await pilot.pause()
        assert "relu" in str(app.query_one(LessonPanel)._plot.render()).splitlines()[0]


@async_test
async def test_q_quits_from_the_help_screen():
    from tui_nn.app.screens.help import HelpScreen

    app = lesson_app(1)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.snapshot is not None)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        await pilot.press("q")
        await pilot.pause(0.5)
        assert app._exit or not app.is_running, "q quits from the help screen"
