"""Tests for tui_nn.app.widgets: each widget mounted alone in a tiny App, fed real
snapshots from seeded Trainers (and hand-made ones via dataclasses.replace)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from time import monotonic

import numpy as np
import pytest
from rich.segment import Segment
from rich.style import Style
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.strip import Strip
from textual.widget import Widget

from tui_nn.app.widgets import (
    DecisionGrid,
    GradientChart,
    LossChart,
    NetworkView,
    WeightHistogram,
    downsample,
)
from tui_nn.app.widgets._lines import changed_span
from tui_nn.app.widgets.colors import color_mode
from tui_nn.app.widgets.redraw import POLICIES
from tui_nn.app.widgets.decision_grid import HALF, TEST_GLYPH, TRAIN_GLYPH
from tui_nn.render.colors import ANSI_DIVERGING, BLUE, ORANGE, SHADES, point_rgb
from tui_nn.render.palette import CLASS_LEVELS, LEVELS, bin_values, class_palette, diverging_edges, diverging_palette
from tui_nn.config import Config
from tui_nn.training import Snapshot, Trainer
from tui_nn.training.state import RunState, RunStatus

SIZE = (100, 34)


# --- snapshots ---------------------------------------------------------------------------
def _snapshot(epochs: int, *overrides: str) -> Snapshot:
    """A seeded run of ``epochs`` epochs, pictured on a 40 x 40 grid."""
    cfg = Config().with_overrides(
        ["network.hidden=8,8", "training.optimizer=adam", "training.learning_rate=0.01", *overrides]
    )
    t = Trainer(cfg, track_layers=True)
    t.run(epochs)
    return t.snapshot(grid=(40, 40))


@pytest.fixture(scope="module")
def circle() -> Snapshot:
    return _snapshot(60, "data.dataset=circle")


@pytest.fixture(scope="module")
def spiral3() -> Snapshot:
    return _snapshot(30, "data.dataset=spiral3", "network.output=softmax")


@pytest.fixture(scope="module")
def plane() -> Snapshot:
    return _snapshot(30, "data.dataset=plane")


@pytest.fixture(scope="module")
def iris() -> Snapshot:
    return _snapshot(20, "data.dataset=iris")


# --- harness -------------------------------------------------------------------------------
class _Host(App):
    def __init__(self, widget: Widget) -> None:
        super().__init__()
        self.widget = widget
        self.selected: list[tuple[int, int | None]] = []
        self.grid_sizes: list[tuple[int, int]] = []

    def compose(self) -> ComposeResult:
        yield self.widget

    def on_network_view_neuron_selected(self, message: NetworkView.NeuronSelected) -> None:
        self.selected.append((message.layer, message.index))

    def on_decision_grid_grid_size_changed(self, message: DecisionGrid.GridSizeChanged) -> None:
        self.grid_sizes.append((message.cols, message.rows))


def async_test(fn: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    """Run an async test body on a fresh event loop."""

    @functools.wraps(fn)
    def test(*args: object, **kwargs: object) -> None:
        asyncio.run(fn(*args, **kwargs))

    return test


@contextlib.asynccontextmanager
async def hosted(widget: Widget, size: tuple[int, int] = SIZE,
                 show: Snapshot | None = None) -> AsyncIterator[tuple[_Host, Pilot]]:
    """``widget`` mounted alone in an app of ``size``, first frame drawn; then
    ``show`` drawn if given."""
    app = _Host(widget)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        if show is not None:
            getattr(widget, "update_snapshot")(show)
            await pilot.pause()
        yield app, pilot


def _grid(**settings) -> DecisionGrid:
    g = DecisionGrid()
    g.max_rate = None  # paint everything at once in tests
    g.force_mode = "truecolor"
    for k, v in settings.items():
        setattr(g, k, v)
    return g


def _unthrottled(widget):
    """Draw every snapshot at once, with no byte budget (tests look at every frame)."""
    widget.max_rate, widget.min_interval = None, 0.0
    return widget


def plane_cells(grid: DecisionGrid):
    """(char, style) of every cell of the plane."""
    x0, _, cols, rows = grid.plane_box
    out = []
    for y in range(rows):
        x = 0
        for seg in grid.render_line(y):
            for ch in seg.text:
                if x0 <= x < x0 + cols:
                    out.append((ch, seg.style))
                x += 1
    return out


def cell(grid: DecisionGrid, x: int, y: int):
    pos = 0
    for seg in grid.render_line(y):
        if pos + len(seg.text) > x:
            return seg.text[x - pos], seg.style
        pos += len(seg.text)
    raise IndexError(x)


def rgb(color) -> tuple[int, int, int]:
    t = color.get_truecolor()
    return (t.red, t.green, t.blue)


def no_points(snap: Snapshot, **changes) -> Snapshot:
    return dataclasses.replace(snap, train_points=None, test_points=None, **changes)


# --- colours ---------------------------------------------------------------------------------
def test_diverging_palette_runs_orange_to_blue():
    pal = diverging_palette()
    assert pal.rgb[0] == ORANGE and pal.rgb[-1] == BLUE
    t = np.array([0.0, 0.49, 0.51, 1.0])
    idx = pal.index(t)
    assert idx[0] == 0 and idx[-1] == len(pal) - 1 and idx[1] < idx[2]


def test_hysteresis_keeps_a_value_near_its_old_bin():
    edges = diverging_edges(12)
    e = float(edges[6])  # the 0.5 edge
    prev = bin_values(np.array([e - 0.001]), edges)
    assert bin_values(np.array([e + 0.001]), edges)[0] == prev[0] + 1
    assert bin_values(np.array([e + 0.001]), edges, prev, 0.3)[0] == prev[0]


def test_color_mode_detection():
    assert color_mode(None, monochrome=True) == "mono"
    assert color_mode(None, override="ansi") == "ansi"
    assert color_mode(None) == "truecolor"
    assert color_mode(None, compact=True) == "256"


# --- DecisionGrid ------------------------------------------------------------------------------
@async_test
async def test_output_all_high_is_blue_and_all_low_is_orange(circle):
    grid = _grid()
    async with hosted(grid) as (app, pilot):
        ones = np.ones_like(circle.output_grid)
        grid.update_snapshot(no_points(circle, output_grid=ones))
        await pilot.pause()
        cells = plane_cells(grid)
        assert cells and all(st.bgcolor is not None for _, st in cells)
        assert {rgb(st.bgcolor) for _, st in cells} == {BLUE}
        grid.update_snapshot(no_points(circle, output_grid=np.zeros_like(ones)))
        await pilot.pause()
        bgs = {rgb(st.bgcolor) for _, st in plane_cells(grid)}
        assert bgs == {ORANGE}
        r, g, b = bgs.pop()
        assert r > b  # orange-ish


@async_test
async def test_real_output_uses_half_blocks_and_few_styles(circle):
    grid = _grid()
    async with hosted(grid, show=no_points(circle)) as (app, pilot):
        cells = plane_cells(grid)
        chars = {ch for ch, _ in cells}
        assert chars <= {HALF, " "} and HALF in chars
        styles = {st for _, st in cells}
        assert 2 < len(styles) <= LEVELS * LEVELS
        # Runs of equal colour are merged: far fewer segments than cells.
        x0, _, cols, rows = grid.plane_box
        segments = sum(len(list(grid.render_line(y))) for y in range(rows))
        assert segments < len(cells) / 2


@async_test
async def test_training_point_is_drawn_at_its_cell(circle):
    grid = _grid()
    e = circle.extent
    pts = np.array([[-0.5 * e, 0.5 * e], [0.75 * e, -0.6 * e]])
    snap = dataclasses.replace(
        circle, train_points=pts, train_labels=np.array([0, 1]), test_points=None, test_labels=None
    )

    async with hosted(grid, show=snap) as (app, pilot):
        x0, _, cols, rows = grid.plane_box
        for (x1, x2), label in zip(pts, (0, 1)):
            x, y = grid.cell_of(x1, x2)
            assert x == x0 + int((x1 + e) / (2 * e) * cols)
            assert y == int((e - x2) / (2 * e) * rows * 2) // 2
            ch, style = cell(grid, x, y)
            assert ch == TRAIN_GLYPH
            assert rgb(style.color) == point_rgb(label)
        glyphs = [ch for ch, _ in plane_cells(grid) if ch == TRAIN_GLYPH]
        assert len(glyphs) == 2


@async_test
async def test_show_test_toggles_test_points(circle):
    grid = _grid()
    async with hosted(grid, show=circle) as (app, pilot):
        assert not any(ch == TEST_GLYPH for ch, _ in plane_cells(grid))
        grid.show_test = True
        await pilot.pause()
        n = sum(ch == TEST_GLYPH for ch, _ in plane_cells(grid))
        assert n > 10
        assert "test" in grid.render_line(grid.size.height - 1).text
        grid.show_test = False
        await pilot.pause()
        assert not any(ch == TEST_GLYPH for ch, _ in plane_cells(grid))


@async_test
async def test_discretize_gives_exactly_two_colours(circle):
    grid = _grid()
    async with hosted(grid, show=no_points(circle)) as (app, pilot):
        grid.discretize = True
        await pilot.pause()
        colours = set()
        for ch, st in plane_cells(grid):
            colours.add(rgb(st.bgcolor))
            if ch == HALF:
                colours.add(rgb(st.color))
        assert colours == {ORANGE, BLUE}


@async_test
async def test_multiclass_uses_class_colours(spiral3):
    grid = _grid()
    k = spiral3.output_grid.shape[2]
    onehot = np.zeros_like(spiral3.output_grid)
    onehot[..., 2] = 1.0

    async with hosted(grid, show=no_points(spiral3, output_grid=onehot)) as (app, pilot):
        bgs = {rgb(st.bgcolor) for _, st in plane_cells(grid)}
        assert bgs == {class_palette(k).rgb[3 * CLASS_LEVELS - 1]}
        g = bgs.pop()
        assert g[1] > g[0] and g[1] > g[2]  # green-ish
        grid.update_snapshot(spiral3)
        await pilot.pause()
        assert len({rgb(st.bgcolor) for _, st in plane_cells(grid)}) > 3


@async_test
async def test_regression_scale_follows_the_output_range(plane):
    grid = _grid()
    lo, hi = plane.output_range
    ramp = np.tile(np.linspace(lo, hi, plane.output_grid.shape[1], dtype=np.float32), (plane.output_grid.shape[0], 1))
    async with hosted(grid, show=no_points(plane, output_grid=ramp)) as (app, pilot):
        x0, _, cols, rows = grid.plane_box
        left = cell(grid, x0, rows // 2)[1].bgcolor
        right = cell(grid, x0 + cols - 1, rows // 2)[1].bgcolor
        assert rgb(left) == ORANGE and rgb(right) == BLUE


@async_test
async def test_show_neuron_and_back_to_output(circle):
    grid = _grid()
    async with hosted(grid, show=no_points(circle)) as (app, pilot):
        out = [grid.render_line(y) for y in range(grid.plane_box[3])]
        grid.show_neuron(0, 3)
        await pilot.pause()
        assert grid.view == (0, 3) and "layer 1 neuron 4" in grid.title
        assert [grid.render_line(y) for y in range(grid.plane_box[3])] != out
        grid.show_neuron(-1, 0)
        await pilot.pause()
        assert "x1" in grid.title
        # The input x1 grows left to right: orange at the left, blue at the right.
        x0, _, cols, rows = grid.plane_box
        assert rgb(cell(grid, x0, 1)[1].bgcolor) == ORANGE
        assert rgb(cell(grid, x0 + cols - 1, 1)[1].bgcolor) == BLUE
        grid.show_neuron(len(circle.neuron_grids), None)  # the output layer
        assert grid.view is None
        grid.show_neuron(1, 2)
        grid.show_output()
        await pilot.pause()
        assert grid.view is None
        assert [grid.render_line(y) for y in range(grid.plane_box[3])] == out


@async_test
async def test_resampling_and_desired_grid_follow_resize(circle):
    grid = _grid()
    async with hosted(grid) as (app, pilot):
        cols, rows = grid.desired_grid()
        w, h = grid.size
        assert rows == 2 * min(h - 1, w // 2) and cols == rows  # square, caption below
        assert app.grid_sizes and app.grid_sizes[-1] == (cols, rows)
        grid.update_snapshot(circle)  # 40x40 pixels: resampled to fit
        await pilot.pause()
        assert len(plane_cells(grid)) == (cols * rows) // 2
        await pilot.resize_terminal(70, 24)
        await pilot.pause()
        cols2, rows2 = grid.desired_grid()
        assert (cols2, rows2) != (cols, rows)
        assert rows2 == 2 * min(grid.size.height - 1, grid.size.width // 2)
        assert app.grid_sizes[-1] == (cols2, rows2)
        assert len(plane_cells(grid)) == (cols2 * rows2) // 2
        grid.keep_aspect = False
        await pilot.pause()
        assert grid.desired_grid() == (grid.size.width, 2 * (grid.size.height - 1))


@async_test
async def test_no_color_draws_with_shades(circle, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    grid = DecisionGrid()
    grid.max_rate = None

    async with hosted(grid) as (app, pilot):
        assert app.no_color
        grid.show_test = True
        grid.update_snapshot(circle)
        await pilot.pause()
        assert grid.color_mode == "mono"
        cells = plane_cells(grid)
        base = grid.rich_style  # the widget's own colours: nothing of ours
        for ch, st in cells:
            assert st.color == base.color and st.bgcolor == base.bgcolor
        chars = {ch for ch, _ in cells}
        assert {" ", "█"} & chars and chars <= set(SHADES) | set("ox+*%&@~OX#=$?!^")
        assert "o" in chars and "X" in chars  # train class 0, test class 1


@async_test
async def test_monochrome_on_request_and_ansi_mode(circle):
    grid = _grid()
    async with hosted(grid) as (app, pilot):
        grid.update_snapshot(circle)
        grid.monochrome = True
        await pilot.pause()
        assert {st for _, st in plane_cells(grid)} == {grid.rich_style}
        grid.monochrome = False
        grid.force_mode = "ansi"
        await pilot.pause()
        colours = {st.bgcolor.name for _, st in plane_cells(grid) if st is not None and st.bgcolor}
        assert colours and colours <= set(ANSI_DIVERGING)


@async_test
async def test_tabular_data_shows_a_message(iris):
    grid = _grid()
    async with hosted(grid, show=iris) as (app, pilot):
        text = " ".join(grid.render_line(y).text.strip() for y in range(grid.size.height))
        assert "4 inputs" in text and "accuracy" in text


@async_test
async def test_only_changed_rows_are_repainted(circle):
    grid = _grid()
    async with hosted(grid, show=no_points(circle)) as (app, pilot):
        out = circle.output_grid.copy()
        out[:2] = 1.0 - out[:2]  # the top two pixel rows = the first cell row
        grid.update_snapshot(no_points(circle, output_grid=out))
        await pilot.pause()
        assert grid.rows_repainted <= 2
        grid.update_snapshot(no_points(circle, output_grid=out))
        assert grid.rows_repainted == 0


@async_test
async def test_byte_budget_spreads_a_repaint(circle):
    grid = _grid()
    async with hosted(grid, show=no_points(circle, output_grid=np.zeros_like(circle.output_grid))) as (app, pilot):
        grid.max_rate, grid.burst = 20_000.0, 800.0
        grid.budget.tokens = 800.0
        grid.update_snapshot(no_points(circle))
        assert grid.pending_rows > 0
        assert grid.bytes_estimate <= 800
        for _ in range(100):
            await pilot.pause(0.05)
            if grid.pending_rows == 0:
                break
        assert grid.pending_rows == 0
        assert grid._shown_lines and grid._shown_lines == grid._target_lines
        assert grid.rows_repainted > 0


# --- charts ----------------------------------------------------------------------------------
def test_downsample_keeps_extremes():
    x = np.arange(5000.0)
    y = np.exp(-x / 1000.0)
    y[1234] = 50.0  # a spike
    y[4321] = np.inf  # dropped
    xs, ys = downsample(x, y, 160)
    assert len(xs) <= 160 and np.all(np.diff(xs) > 0)
    assert 50.0 in ys and np.isfinite(ys).all()
    assert xs[0] == 0.0
    small_x, small_y = downsample(x[:10], y[:10], 160)
    assert len(small_x) == 10


def _history(n: int) -> dict[str, np.ndarray]:
    ep = np.arange(n, dtype=np.float64)
    return {
        "epoch": ep,
        "train_loss": 1.0 / np.sqrt(ep + 1.0),
        "test_loss": 1.2 / np.sqrt(ep + 1.0),
        "train_metric": np.full(n, 0.9),
        "test_metric": np.full(n, 0.85),
    }


def chart_text(widget: Widget) -> str:
    return "\n".join(widget.render_line(y).text for y in range(widget.size.height))


@async_test
async def test_loss_chart_log_scale_and_downsampling(circle):
    chart = _unthrottled(LossChart())
    snap = dataclasses.replace(circle, history=_history(5000), epoch=5000)
    async with hosted(chart, size=(80, 20), show=snap) as (app, pilot):
        text = chart_text(chart)
        assert "train" in text and "test" in text and "accuracy 90.0% / 85.0%" in text
        assert 0 < chart.plotted_points <= 2 * chart.size.width
        assert any(c in text for c in "⠁⠂⠄⡀⢀⠈⠐⠠⣀⠉")  # braille curve
        builds = chart.builds
        chart.update_snapshot(snap)  # nothing new: no rebuild
        await pilot.pause()
        assert chart.builds == builds
        chart.log_scale = True
        await pilot.pause()
        assert chart.builds == builds + 1
        text_log = chart_text(chart)
        assert "(log)" in text_log and text_log != text
        assert chart.plotted_points <= 2 * chart.size.width
        chart.log_scale = False
        await pilot.pause()
        assert "(log)" not in chart_text(chart)


@async_test
async def test_loss_chart_regression_and_divergence(plane):
    chart = _unthrottled(LossChart())
    async with hosted(chart, size=(80, 20), show=plane) as (app, pilot):
        assert "RMSE" in chart_text(chart)
        hist = _history(50)
        hist["train_loss"][-5:] = np.inf
        chart.log_scale = True
        chart.update_snapshot(dataclasses.replace(plane, history=hist, diverged=True, epoch=50))
        await pilot.pause()
        assert "inf" in chart_text(chart)


@async_test
async def test_loss_chart_without_colour(circle, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    chart = _unthrottled(LossChart())
    async with hosted(chart, size=(80, 20), show=circle) as (app, pilot):
        base = chart.rich_style
        for y in range(chart.size.height):
            for seg in chart.render_line(y):
                assert seg.style is not None  # Textual's NO_COLOR filter needs a style
                assert seg.style.color in (None, base.color) and seg.style.bgcolor in (None, base.bgcolor)


@async_test
async def test_chart_rebuilds_are_spaced_out(circle):
    chart = LossChart()
    chart.max_rate = None
    chart.min_interval = 0.3

    async with hosted(chart, size=(80, 20)) as (app, pilot):
        hist = circle.history
        builds = chart.builds
        for n in range(5, 10):
            cut = {k: v[:n] for k, v in hist.items()}
            # Snapshots of a running net: those are the ones the policy spaces out.
            chart.update_snapshot(dataclasses.replace(circle, history=cut, epoch=n,
                                                      run=RunStatus(state=RunState.RUNNING)))
        await pilot.pause()
        assert chart.builds <= builds + 1
        await pilot.pause(0.4)
        assert "epoch 9" in chart_text(chart)  # the latest one, drawn when due


@async_test
async def test_gradient_chart_and_weight_histogram(circle):
    grad = _unthrottled(GradientChart())
    async with hosted(grad, size=(80, 16), show=circle) as (app, pilot):
        text = chart_text(grad)
        n_layers = len(circle.sizes) - 1
        for i in range(1, n_layers + 1):
            assert f"L{i}" in text
        assert "weight RMS" in text
        assert 0 < grad.plotted_points <= 2 * grad.size.width
        grad.update_snapshot(dataclasses.replace(circle, layer_history={"epoch": np.zeros(0)}))
        await pilot.pause()
        assert "after a few epochs" in chart_text(grad)

    hist = _unthrottled(WeightHistogram())
    async with hosted(hist, size=(80, 12), show=circle) as (app, pilot):
        assert hist.size.height == len(circle.weights) + 1
        text = chart_text(hist)
        assert "L1 2×8" in text and "rms" in text
        assert any(c in text for c in "▁▂▃▄▅▆▇█")


# --- NetworkView -------------------------------------------------------------------------------
@async_test
async def test_network_view_keys_post_neuron_selected(circle):
    view = _unthrottled(NetworkView())
    n_hidden = len(circle.sizes) - 2
    async with hosted(view, size=(80, 30)) as (app, pilot):
        view.update_snapshot(circle)
        view.focus()
        await pilot.pause()
        assert view.selected == (-1, 0)
        await pilot.press("down")
        await pilot.pause()
        assert app.selected[-1] == (-1, 1)
        await pilot.press("right")
        await pilot.pause()
        layer, index = app.selected[-1]
        assert (layer, index) == (0, 1)
        await pilot.press("down", "down")
        await pilot.pause()
        assert app.selected[-1] == (0, index + 2)
        count = len(app.selected)
        await pilot.press("enter")
        await pilot.pause()
        assert len(app.selected) == count + 1 and app.selected[-1] == (0, index + 2)
        for _ in range(n_hidden + 2):
            await pilot.press("right")
        await pilot.pause()
        assert app.selected[-1] == (n_hidden, None)  # the output
        await pilot.press("up")  # a single output unit: nowhere to go
        await pilot.pause()
        assert view.selected == (n_hidden, None)


@async_test
async def test_network_view_draws_names_weights_and_selection(circle):
    view = _unthrottled(NetworkView())
    view.force_mode = "truecolor"

    async with hosted(view, size=(80, 30)) as (app, pilot):
        view.update_snapshot(circle)
        view.select(0, 2)
        await pilot.pause()
        text = chart_text(view)
        assert "x1" in text and "x2" in text and "L1" in text and "out" in text
        assert "▶" in text and "layer 1 neuron 3" in text and "bias" in text
        assert len(text.splitlines()[0]) <= 80
        # Link strips coloured by sign: blue for positive, orange for negative weights.
        w = circle.weights[0]
        link_colours = set()
        for y in range(view.size.height):
            for seg in view.render_line(y):
                if seg.style and seg.style.color and any(c in seg.text for c in "▁▂▃▄▅▆▇█"):
                    link_colours.add(rgb(seg.style.color))
        assert any(c[2] > c[0] for c in link_colours) == bool((w > 0).any())
        assert any(c[0] > c[2] for c in link_colours) == bool((w < 0).any())


@async_test
async def test_network_view_click_selects(circle):
    view = _unthrottled(NetworkView())
    async with hosted(view, size=(80, 30), show=circle) as (app, pilot):
        geo = view._geo
        x = geo.col_x[1] + 1
        y = 1 + geo.neuron_top(3)
        await pilot.click(NetworkView, offset=(x, y))
        await pilot.pause()
        assert app.selected[-1] == (0, 3)


@async_test
async def test_network_view_softmax_and_tabular(spiral3, iris):
    view = _unthrottled(NetworkView())
    async with hosted(view, size=(80, 30)) as (app, pilot):
        view.update_snapshot(spiral3)
        view.focus()
        await pilot.pause()
        text = chart_text(view)
        for name in spiral3.class_names:
            assert name in text
        for _ in range(len(spiral3.sizes)):
            await pilot.press("right")
        await pilot.press("down")
        await pilot.pause()
        assert app.selected[-1] == (len(spiral3.sizes) - 2, 1)  # softmax unit 1
        view.update_snapshot(iris)  # no plane: neurons without thumbnails
        await pilot.pause()
        text = chart_text(view)
        assert "sepal_len" in text and "●" in text
        assert view.selected[0] <= len(iris.sizes) - 2


# --- one redraw policy ---------------------------------------------------------------------------
def test_changed_span_is_where_two_lines_differ():
    a, b = Style(color="red"), Style(color="blue")
    old = Strip([Segment("aaaa", a), Segment("bb", b)])
    assert changed_span(old, Strip([Segment("aaXa", a), Segment("bb", b)])) == (2, 3)
    assert changed_span(old, Strip([Segment("aaaa", a), Segment("bb", a)])) == (4, 6)
    assert changed_span(old, Strip([Segment("Xaaa", a), Segment("bX", b)])) == (0, 6)
    # The same cells cut into other segments: nothing to repaint.
    assert changed_span(old, Strip([Segment("aa", a), Segment("aa", a), Segment("bb", b)])) is None
    assert changed_span(old, old) is None


def test_redraw_policies_come_from_one_table():
    assert POLICIES["plane"].min_interval == 0.0  # every snapshot
    assert POLICIES["network"].min_interval == POLICIES["chart"].min_interval == 0.5
    for widget, kind in ((DecisionGrid(), "plane"), (NetworkView(), "network"), (LossChart(), "chart"),
                         (GradientChart(), "chart"), (WeightHistogram(), "chart")):
        policy = POLICIES[kind]
        assert (widget.min_interval, widget.max_rate, widget.burst) == (
            policy.min_interval, policy.bytes_per_s, policy.burst_bytes)


class _Panels(App):
    def compose(self) -> ComposeResult:
        yield DecisionGrid()
        yield NetworkView()
        yield LossChart()


@async_test
async def test_snapshots_at_ten_per_second_redraw_the_network_and_charts_at_two(circle, spiral3):
    running = RunStatus(state=RunState.RUNNING)

    app = _Panels()
    async with app.run_test(size=(100, 60)) as pilot:
        grid, view, chart = app.query_one(DecisionGrid), app.query_one(NetworkView), app.query_one(LossChart)
        widgets = (grid, view, chart)
        for w in widgets:
            w.max_rate = None
        await pilot.pause()
        frames, view_builds, chart_builds = grid.frames, view.builds, chart.builds
        n = 12
        start = monotonic()
        for i in range(n):
            cut = {k: v[: 10 + i] for k, v in circle.history.items()}
            snap = dataclasses.replace(circle, history=cut, epoch=10 + i, run=running)
            for w in widgets:
                w.update_snapshot(snap)
            await pilot.pause(0.1)
        most = 2 + int((monotonic() - start) / 0.5)
        assert grid.frames - frames == n  # the plane: every snapshot
        assert 2 <= view.builds - view_builds <= most < n
        assert 2 <= chart.builds - chart_builds <= most
        await pilot.pause(0.6)
        assert f"epoch {10 + n - 1}" in chart_text(chart)  # the latest one, drawn when due
        # Within the interval a snapshot of a running net waits, unless it is
        # another network; one of a paused run (a step, a reset) is drawn at once.
        await pilot.pause(0.6)
        builds = view.builds
        view.update_snapshot(dataclasses.replace(circle, run=running))
        assert view.builds == builds + 1
        view.update_snapshot(dataclasses.replace(circle, epoch=1, run=running))
        assert view.builds == builds + 1
        view.update_snapshot(dataclasses.replace(spiral3, run=running))
        assert view.builds == builds + 2
        view.update_snapshot(dataclasses.replace(spiral3, epoch=2))  # paused
        assert view.builds == builds + 3
