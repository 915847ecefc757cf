"""The backprop inspector in the app (`i`): one example's pass stepped through
stage by stage, driven through Pilot against the real playground and its
trainer process. Tests wait for the trace they expect (never a fixed time)
and read what the screen holds and draws."""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import AsyncIterator

import pytest

pytest.importorskip("textual")

from rich.cells import cell_len  # noqa: E402
from textual.pilot import Pilot  # noqa: E402

from tui_nn.app.app import PlaygroundApp  # noqa: E402
from tui_nn.app.screens.inspector import InspectorScreen  # noqa: E402
from tui_nn.app.widgets.compare_table import TextLines  # noqa: E402
from tui_nn.app.widgets.inspector_text import Stage, agrees, stages, wrap  # noqa: E402
from tui_nn.cli.backprop_cmd import num  # noqa: E402
from tui_nn.i18n import set_language  # noqa: E402
from tui_nn.io.presets import load_preset  # noqa: E402
from tui_nn.training.state import RunState  # noqa: E402

from pilot_helpers import async_test, state, wait_for  # noqa: E402


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    set_language("en")


def make_app(preset: str, *overrides: str) -> PlaygroundApp:
    return PlaygroundApp(load_preset(preset).with_overrides(["training.epochs=0", *overrides]), pace=30.0)


@contextlib.asynccontextmanager
async def inspecting(preset: str, *overrides: str, size: tuple[int, int] = (120, 40),
                     select: tuple[int, int] | None = None,
                     ) -> AsyncIterator[tuple[PlaygroundApp, InspectorScreen, Pilot]]:
    """The playground on ``preset`` with `i` pressed, once the first trace has arrived."""
    app = make_app(preset, *overrides)
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: app.snapshot is not None, what="the first snapshot")
        if select is not None:
            app.network_view.select(*select)
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, InspectorScreen), what="the inspector")
        screen = app.screen
        assert isinstance(screen, InspectorScreen)
        await wait_for(pilot, lambda: screen.trace is not None, what="the first trace")
        await pilot.pause()
        yield app, screen, pilot


def screen_lines(app: PlaygroundApp) -> list[str]:
    """The screen as the terminal shows it, one string per row."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def body(screen: InspectorScreen) -> str:
    return "\n".join(line.plain for line in screen.body_lines)


def kinds(screen: InspectorScreen) -> list[tuple[str, int]]:
    assert screen.trace is not None
    return [(s.kind, s.layer) for s in stages(screen.trace)]


async def press(pilot: Pilot, *keys: str) -> None:
    await pilot.press(*keys)
    await pilot.pause()


def z_lines(text: str) -> dict[int, tuple[str, str]]:
    """``z3 = 0·5 + 1·5 - 8 = -3`` lines: {neuron: (the plugged-in sum, the value)}."""
    out = {}
    for m in re.finditer(r"^\s*z(\d+) = (.+) = (\S+)$", text, re.M):
        out[int(m.group(1))] = (m.group(2), m.group(3))
    return out


def evaluate(products: str) -> float:
    """The value of a plugged-in sum as the screen writes it ("0·(-0.41) + 1·0.02 + 0.06")."""
    assert re.fullmatch(r"[0-9eE.()+\- ·]+", products), products
    return float(eval(products.replace("·", "*"), {"__builtins__": {}}))  # noqa: S307 - digits and operators only


# ---- stepping through the pass ----------------------------------------------------------------


@async_test
async def test_xor_learn_steps_through_every_stage_with_the_numbers_plugged_in():
    app = make_app("xor-learn")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.snapshot is not None, what="the first snapshot")
        await pilot.press("space")
        await wait_for(pilot, lambda: state(app) == RunState.RUNNING, what="training")
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, InspectorScreen), what="the inspector")
        screen = app.screen
        assert isinstance(screen, InspectorScreen)
        assert "tracing…" in screen.status.plain or screen.trace is not None
        await wait_for(pilot, lambda: screen.trace is not None, what="the first trace")
        # The run was paused for it.
        await wait_for(pilot, lambda: state(app) == RunState.PAUSED, what="the run paused")
        await pilot.pause()
        t = screen.trace
        assert t is not None and t.backprop and t.split == "train"
        assert kinds(screen) == [("example", -1), ("forward", 0), ("forward", 1), ("loss", -1),
                                 ("backward", 1), ("backward", 0), ("update", -1)]
        assert screen.stage == 0 and "The example" in body(screen)
        assert f"training example {t.sample}, the worst predicted" in screen.head.plain
        assert f"epoch {screen.epoch}" in screen.head.plain
        names = ["example", "forward 1/2", "forward 2/2", "loss", "backward 1/2", "backward 2/2", "update"]
        for index, name in enumerate(names):
            if index:
                await press(pilot, "right")
            assert screen.stage == index
            assert f" {name} " in screen.where.plain and f"stage {index + 1} of 7" in screen.where.plain
            text = body(screen)
            kind, k = kinds(screen)[index]
            if kind == "forward":
                layer = t.layers[k]
                found = z_lines(text)
                assert sorted(found) == list(range(1, layer.z.size + 1)), text
                for j in range(layer.z.size):
                    products, value = found[j + 1]
                    assert value == num(layer.z[j])
                    assert math.isclose(float(value), float(layer.z[j]), rel_tol=1e-3, abs_tol=1e-9)
                    # The plugged-in numbers add up to z (to their 4 significant digits).
                    assert math.isclose(evaluate(products), float(layer.z[j]), rel_tol=1e-2, abs_tol=2e-3), products
                    assert f"a{j + 1} = sigmoid({num(layer.z[j])}) = {num(layer.a[j])}" in text
                # ... and they are on the screen.
                shown = "\n".join(screen_lines(app))
                assert all(f"z{j + 1} = " in shown for j in range(layer.z.size))
            if kind == "loss":
                assert f"Loss for this example (mse): {num(t.loss)}" in text
            if kind == "backward":
                layer = t.layers[k]
                assert layer.dL_dW is not None and layer.numeric_dW is not None
                weights = [ln for ln in text.splitlines() if "dL/dw(" in ln]
                assert len(weights) == layer.dL_dW.size
                assert all(ln.rstrip().endswith("✓") for ln in weights), weights
                assert "✗" not in text
                assert "δ1 = dL/da1 · f'(z1)" in text  # mse: no fused delta
            if kind == "update":
                assert "w ← w - lr·dL/dw" in text
                W, g = t.layers[1].W[0, 0], t.layers[1].dL_dW[0, 0]
                assert f"w(1→1) ← {num(W)} - {num(t.learning_rate)}·" in text
                assert num(W - t.learning_rate * g) in text
        await press(pilot, "right")
        assert screen.stage == 6  # the last stays the last
        for index in range(5, -1, -1):
            await press(pilot, "left")
            assert screen.stage == index
        await press(pilot, "end")
        assert screen.stage == 6
        await press(pilot, "home")
        assert screen.stage == 0
        await press(pilot, "n", "n")
        assert screen.stage == 2
        await press(pilot, "p")
        assert screen.stage == 1
        # Still paused: nothing trained behind the inspector.
        assert state(app) == RunState.PAUSED
        await press(pilot, "escape")
        assert not isinstance(app.screen, InspectorScreen)


@async_test
async def test_down_traces_the_next_example_and_t_the_test_split():
    async with inspecting("xor-learn") as (app, screen, pilot):
        t = screen.trace
        assert t is not None
        first = t.sample
        step, key = (1, "down") if first < 3 else (-1, "up")  # xor-learn has 4 training examples
        await pilot.press(key)
        await wait_for(pilot, lambda: screen.trace is not None and screen.trace.sample == first + step,
                       what="the neighbouring example")
        await pilot.pause()
        assert screen.trace.split == "train"
        assert f"training example {first + step}" in screen.head.plain
        assert "worst" not in screen.head.plain
        assert not screen.error
        # t: the test split's first example.
        await pilot.press("t")
        await wait_for(pilot, lambda: screen.trace is not None and screen.trace.split == "test", what="a test example")
        await pilot.pause()
        assert screen.trace.sample == 0 and "test example 0" in screen.head.plain
        # up from the first example: said in place, nothing asked.
        await press(pilot, "up")
        assert "first example" in screen.status.plain and screen.status.display
        assert screen.trace.split == "test" and screen.trace.sample == 0
        # w: the worst-predicted training example again.
        await pilot.press("w")
        await wait_for(pilot, lambda: screen.trace is not None and screen.trace.split == "train"
                       and screen.trace.sample == first, what="the worst example")
        await pilot.pause()
        assert "the worst predicted" in screen.head.plain and not screen.error


@async_test
async def test_an_example_out_of_range_is_said_in_place_and_the_trace_stays():
    async with inspecting("xor-learn") as (app, screen, pilot):
        await pilot.press("t")
        await wait_for(pilot, lambda: screen.trace is not None and screen.trace.split == "test", what="a test example")
        # Down past the last test example: the trainer refuses, the screen says so and keeps the last trace.
        for _step in range(10):
            before = screen.trace
            await pilot.press("down")
            await wait_for(pilot, lambda: screen.pending == 0, what="an answer")
            await pilot.pause()
            if screen.error:
                break
        assert "out of range" in screen.error
        assert screen.status.display and "out of range" in screen.status.plain
        assert screen.trace is before and screen.trace is not None
        assert len(screen.status.texts) == 1
        # The screen keeps working: the next answer clears the error.
        await pilot.press("up")
        await wait_for(pilot, lambda: screen.trace is not before, what="the previous example")
        await pilot.pause()
        assert not screen.error and not screen.status.display


@async_test
async def test_the_stage_is_kept_when_the_example_changes():
    async with inspecting("xor-learn") as (app, screen, pilot):
        await press(pilot, "right", "right")
        first = screen.trace
        assert first is not None
        await pilot.press("down" if first.sample < 3 else "up")
        await wait_for(pilot, lambda: screen.trace is not first, what="another example")
        await pilot.pause()
        assert screen.stage == 2 and "Forward pass, step 2 of 2" in body(screen)


# ---- large and step networks ------------------------------------------------------------------


@async_test
async def test_a_large_layer_shows_the_selected_neuron_and_how_many_more():
    async with inspecting("circle", "network.hidden=64", select=(0, 5)) as (app, screen, pilot):
        assert screen.neuron == (0, 5)
        t = screen.trace
        assert t is not None and t.layers[0].z.size == 64
        await press(pilot, "right")  # forward, the hidden layer
        text = body(screen)
        found = z_lines(text)
        assert list(found) == [6], text
        assert found[6][1] == num(t.layers[0].z[5])
        assert "and 63 more neurons" in text
        await press(pilot, "end", "left")  # backward through the hidden layer
        assert screen.current_stage() == Stage("backward", 0)
        text = body(screen)
        assert "δ6 = dL/da6 · f'(z6)" in text and "δ1 " not in text
        weights = [ln for ln in text.splitlines() if "dL/dw(" in ln]
        assert [ln.split("=")[0].strip() for ln in weights] == ["dL/dw(1→6)", "dL/dw(2→6)"]
        assert all("✓" in ln for ln in weights)
        assert "and 63 more neurons" in text
        # The output layer's one neuron takes all 64 hidden activations.
        await press(pilot, "left")
        assert screen.current_stage() == Stage("backward", 1)
        assert sum("dL/dw(" in ln for ln in body(screen).splitlines()) == 64


@async_test
async def test_without_a_selection_a_large_layer_shows_its_first_neuron():
    async with inspecting("circle", "network.hidden=64") as (app, screen, pilot):
        app.pop_screen()
        await pilot.pause()
        inspector = InspectorScreen(app._send)  # no neuron selected
        await app.push_screen(inspector)
        await wait_for(pilot, lambda: inspector.trace is not None, what="a trace")
        await press(pilot, "right")
        found = z_lines(body(inspector))
        assert list(found) == [1] and "and 63 more neurons" in body(inspector)


@async_test
async def test_step_units_show_the_forward_pass_and_say_backprop_does_not_apply():
    async with inspecting("xor-by-hand") as (app, screen, pilot):
        t = screen.trace
        assert t is not None and not t.backprop
        assert kinds(screen) == [("example", -1), ("forward", 0), ("forward", 1), ("loss", -1)]
        assert "Backpropagation does not apply" in body(screen)
        await press(pilot, "right")
        text = body(screen)
        found = z_lines(text)
        layer = t.layers[0]
        assert sorted(found) == [1, 2]
        for j in range(2):
            assert found[j + 1][1] == num(layer.z[j])
            assert evaluate(found[j + 1][0]) == float(layer.z[j])  # whole numbers: exact
            assert f"a{j + 1} = step({num(layer.z[j])}) = {num(layer.a[j])}" in text
        assert "0·5" in text or "1·5" in text  # the hand-set weights 5, 5, -8
        await press(pilot, "end")
        assert screen.current_stage() == Stage("loss")
        assert "no backward pass" in body(screen)
        assert "dL/dw" not in body(screen)


# ---- keys ---------------------------------------------------------------------------------------


@async_test
async def test_space_steps_here_and_does_not_play_and_q_quits():
    async with inspecting("xor-learn") as (app, screen, pilot):
        assert app.check_action("toggle_run", ()) is False  # the playground's space steps aside
        await press(pilot, "space")
        assert screen.stage == 1
        assert state(app) == RunState.PAUSED
        footer = screen_lines(app)[-1]
        assert "Step" in footer and "Example" in footer and "Back" in footer
        await pilot.press("q")
        await wait_for(pilot, lambda: app.return_code is not None, what="the app quitting")


# ---- widths ---------------------------------------------------------------------------------------


def assert_fits(app: PlaygroundApp, screen: InspectorScreen, width: int) -> None:
    lines = screen_lines(app)
    assert lines and all(cell_len(line) == width for line in lines)
    room = screen.lines.size.width
    assert room > 0
    for line in screen.body_lines:
        assert line.cell_len <= room, (room, line.plain)
    for widget in screen.query(TextLines):
        if widget.display:
            for text in widget.texts:
                assert text.cell_len <= widget.size.width, (widget, text.plain)
    assert screen.lines.region.right <= width


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
@pytest.mark.parametrize("preset", [("xor-learn",), ("circle", "network.hidden=64")])
@async_test
async def test_every_line_fits_the_terminal(language, size, preset):
    set_language(language)
    async with inspecting(*preset, size=size) as (app, screen, pilot):
        count = len(kinds(screen))
        seen_korean = False
        for index in range(count):
            if index:
                await press(pilot, "right")
            assert screen.stage == index
            assert_fits(app, screen, size[0])
            seen_korean = seen_korean or any("\uac00" <= ch <= "\ud7a3" for ch in "\n".join(screen_lines(app)))
        assert seen_korean == (language == "ko")


def test_wrap_keeps_every_word_and_the_width():
    from rich.text import Text

    line = Text("    dL/dw(27→1) = x27·δ1 = (-0.03348)·0.824 = -0.02759   numerical: -0.02759 ✓")
    for width in (78, 60, 40, 24, 12):
        out = wrap(line, width)
        assert all(piece.cell_len <= width for piece in out)
        assert "".join(p.plain.replace(" ", "") for p in out) == line.plain.replace(" ", "")
    # The wide gap is where it breaks first, and the mark stays with its number.
    assert [p.plain.strip() for p in wrap(line, 60)][-1] == "numerical: -0.02759 ✓"
    korean = Text("• 드롭아웃은 검사하는 동안 꺼집니다(평가 모드): 같은 예제는 언제나 같은 숫자를 줍니다.")
    assert all(piece.cell_len <= 20 for piece in wrap(korean, 20))


def test_agreement_tolerance():
    assert agrees(0.1, 0.1 + 1e-9) and agrees(1e-12, 0.0) and not agrees(0.1, 0.1001)
    assert agrees(0.5, math.nan) is None and agrees(math.nan, 0.5) is False
