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
        # Square; the caption and the x1 tick labels below, the x2 ones ("-6 ") at the left.
        assert rows == 2 * min(h - 2, (w - 3) // 2) and cols == rows
        assert app.grid_sizes and app.grid_sizes[-1] == (cols, rows)
        grid.update_snapshot(circle)  # 40x40 pixels: resampled to fit
        await pilot.pause()
        assert len(plane_cells(grid)) == (cols * rows) // 2
        await pilot.resize_terminal(70, 24)
        await pilot.pause()
        cols2, rows2 = grid.desired_grid()
        assert (cols2, rows2) != (cols, rows)
        assert rows2 == 2 * min(grid.size.height - 2, (grid.size.width - 3) // 2)
        assert app.grid_sizes[-1] == (cols2, rows2)
        assert len(plane_cells(grid)) == (cols2 * rows2) // 2
        grid.keep_aspect = False
        await pilot.pause()
        assert grid.desired_grid() == (grid.size.width - 3, 2 * (grid.size.height - 2))


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
        assert "diverged" in chart_text(chart)  # said in words, as the status does
        hist["train_loss"][-5:] = 0.5  # the run went back to its last finite epoch:
        chart.update_snapshot(dataclasses.replace(plane, history=hist, diverged=True, epoch=45))
        await pilot.pause()
        assert "inf" not in chart_text(chart) and "train 0.5" in chart_text(chart)  # its figures, not inf


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
        y = 1 + geo.neuron_top(3, 1)  # neuron 3 of column 1 (layer 0): columns are centred
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


# --- what a new learner saw: deep nets, room, legends, no-gradient nets, ticks, dead links --------
from rich.cells import cell_len  # noqa: E402

from tui_nn.app.widgets.charts import no_gradient_reason  # noqa: E402
from tui_nn.app.widgets.network_draw import DEAD_GLYPH  # noqa: E402
from tui_nn.io.presets import load_preset  # noqa: E402
from tui_nn.render.colors import DEAD  # noqa: E402

BRAILLE = {chr(c) for c in range(0x2801, 0x2900)}


def _preset_snapshot(name: str, epochs: int, *overrides: str, grid=(30, 30)) -> Snapshot:
    cfg = load_preset(name)
    if overrides:
        cfg = cfg.with_overrides(list(overrides))
    t = Trainer(cfg, track_layers=True)
    if epochs:
        t.run(epochs)
    return t.snapshot(grid=grid)


@pytest.fixture(scope="module")
def deep() -> Snapshot:
    """vanishing-sigmoid: six hidden sigmoid layers of 8."""
    return _preset_snapshot("vanishing-sigmoid", 5)


@pytest.fixture(scope="module")
def small_circle() -> Snapshot:
    """The circle preset's 2-4-2-1 tanh net."""
    return _preset_snapshot("circle", 5)


def screen_text(widget: Widget) -> list[str]:
    return [widget.render_line(y).text for y in range(widget.size.height)]


def header_titles(view: NetworkView) -> str:
    return view.render_line(0).text


@async_test
async def test_deep_net_says_more_layers_and_every_layer_is_reachable(deep):
    view = _unthrottled(NetworkView())
    n_hidden = len(deep.sizes) - 2
    async with hosted(view, size=(40, 22), show=deep) as (app, pilot):
        view.focus()
        await pilot.pause()
        lines = screen_text(view)
        text = "\n".join(lines)
        shown = [k for k in range(1, n_hidden + 1) if f"L{k}" in lines[0]]
        assert len(shown) < n_hidden  # the net does not fit 40 columns ...
        hidden = len(deep.sizes) - len(shown) - 1  # columns out of view (hidden layers and the output)
        assert f"→ {hidden} more layers" in text and "←→ to scroll" in text  # ... and says so
        seen = set(shown)
        for _ in range(len(deep.sizes)):
            await pilot.press("right")
            await pilot.pause()
            seen |= {k for k in range(1, n_hidden + 1) if f"L{k}" in header_titles(view)}
        assert seen == set(range(1, n_hidden + 1))  # every layer came into view
        assert view.selected == (n_hidden, None)  # the output
        text = "\n".join(screen_text(view))
        assert "out" in screen_text(view)[0] and "← " in text and "more layer" in text
        assert "← 3 more layers" in text.split("\n")[-2]
        assert not any(f"→ {n}" in text for n in range(1, 9))  # nothing beyond the right edge any more

    # At 80 columns the compact layout (one-cell thumbnails) shows them all.
    view = _unthrottled(NetworkView())
    async with hosted(view, size=(80, 36), show=deep) as (app, pilot):
        lines = screen_text(view)
        assert all(f"L{k}" in lines[0] for k in range(1, n_hidden + 1)) and "out" in lines[0]
        assert "more layer" not in "\n".join(lines)
        assert view._geo.tw == 1 and view._geo.width <= 80


@async_test
async def test_network_uses_the_room_centres_columns_and_names_the_output(small_circle):
    view = _unthrottled(NetworkView())
    view.force_mode = "truecolor"
    async with hosted(view, size=(40, 22), show=small_circle) as (app, pilot):  # the 120x40 panel
        geo = view._geo
        assert geo.th >= 3 and geo.tw >= 6  # 6x6-pixel thumbnails, not 4x4
        body = geo.body_h
        # The tallest column (4 units) spans most of the body; the others are centred.
        col_h = [n * geo.th + (n - 1) * geo.vgap for n in geo.sizes]
        assert max(col_h) >= body * 0.8
        for top, h in zip(geo.col_top, col_h):
            assert abs(top - (body - h) / 2) <= 1
        lines = screen_text(view)
        assert "out sigmoid" in lines[0]  # the output's activation by name, not just "out"
        text = "\n".join(lines)
        assert "bce" in text  # ... and its loss (under the output when the header is full)
        legend = lines[-2]
        assert "w>0" in legend and "w<0" in legend and "|w|" in legend and DEAD_GLYPH in legend
        # Nothing is cut: the header's words are whole.
        assert set(lines[0].split()) <= {"inputs", "L1", "L2", "tanh", "out", "sigmoid", "·", "bce", "loss"} | {
            w for w in lines[0].split() if w.startswith("±")}
    view = _unthrottled(NetworkView())
    view.force_mode = "truecolor"
    async with hosted(view, size=(80, 36), show=small_circle) as (app, pilot):  # the 200x60 panel
        assert view._geo.th >= 4
        lines = screen_text(view)
        assert "out sigmoid · bce loss" in lines[0]
        assert "blue" in lines[-2] and "orange" in lines[-2] and "dead" in lines[-2]


def _link_cells(view: NetworkView, k: int, i: int) -> list[tuple[str, Style]]:
    """The (char, style) cells of the strip from neuron ``i`` of column ``k``."""
    geo = view._geo
    sx, sy = view._scroll
    y = 1 + geo.mid_row(i, k) - sy
    x0 = geo.strip_x(k) - sx
    cells = []
    x = 0
    for seg in view.render_line(y):
        for ch in seg.text:
            if x0 <= x < x0 + geo.sizes[k + 1]:
                cells.append((ch, seg.style))
            x += 1
    return cells


@async_test
async def test_a_zero_weight_is_drawn_as_a_dead_link(small_circle, monkeypatch):
    w0 = small_circle.weights[0].copy()
    w0[0, 1] = 0.0  # input x1 -> L1 unit 2: dead
    snap = dataclasses.replace(small_circle, weights=(w0, *small_circle.weights[1:]))
    view = _unthrottled(NetworkView())
    view.force_mode = "truecolor"
    async with hosted(view, size=(80, 36), show=snap) as (app, pilot):
        cells = _link_cells(view, 0, 0)
        assert len(cells) == 4
        ch, style = cells[1]
        assert ch == DEAD_GLYPH and rgb(style.color) == DEAD  # grey, not a coloured bar
        assert all(c in "▁▂▃▄▅▆▇█" for c, _ in (cells[0], cells[2], cells[3]))
        assert sum(c == DEAD_GLYPH for c, _ in _link_cells(view, 0, 1)) == 0
        assert "dead" in screen_text(view)[-2]
    monkeypatch.setenv("NO_COLOR", "1")
    view = _unthrottled(NetworkView())
    async with hosted(view, size=(80, 36), show=snap) as (app, pilot):
        cells = _link_cells(view, 0, 0)
        assert cells[1][0] == DEAD_GLYPH
        assert all(c in "+#-=" for c, _ in (cells[0], cells[2], cells[3]))  # mono: glyphs carry the sign
        assert "dead" in screen_text(view)[-2]


@async_test
async def test_step_nets_say_they_have_no_gradient_and_print_no_nan():
    by_hand = _preset_snapshot("xor-by-hand", 0)
    perceptron = _preset_snapshot("perceptron-and", 4)
    assert perceptron.layer_history["epoch"].size and np.isnan(perceptron.layer_history["grad0"]).all()
    for snap in (by_hand, perceptron):
        assert no_gradient_reason(snap) is not None
        for size in ((40, 11), (80, 13), (30, 6)):
            grad = _unthrottled(GradientChart())
            async with hosted(grad, size=size, show=snap) as (app, pilot):
                text = chart_text(grad)
                assert "nan" not in text.lower()
                assert "no gradient" in " ".join(text.split())
    assert no_gradient_reason(_preset_snapshot("circle", 3)) is None


def _x_labels(widget: Widget) -> list[str]:
    return widget.render_line(widget.size.height - 1).text.split()


@async_test
async def test_chart_ticks_are_round_and_the_loss_axis_starts_at_zero(circle, deep):
    hist = _history(284)
    hist["train_loss"] = 0.6920 + 0.0146 * np.abs(np.sin(np.arange(284.0)))  # the review's 0.6920-0.7066
    hist["test_loss"] = hist["train_loss"] + 0.004
    snap = dataclasses.replace(circle, history=hist, epoch=283)
    for size in ((40, 11), (80, 17), (38, 7)):
        chart = _unthrottled(LossChart())
        async with hosted(chart, size=size, show=snap) as (app, pilot):
            ticks = _x_labels(chart)
            assert len(ticks) >= 2 and all(t.isdigit() for t in ticks), ticks  # whole epochs
            values = [int(t) for t in ticks]
            steps = set(np.diff(values).tolist())
            assert len(steps) == 1 and _is_round(steps.pop())  # evenly spaced, 1/2/5 x 10^k
            lines = screen_text(chart)
            labels = [ln.split("┤")[0].strip() for ln in lines if "┤" in ln]
            assert labels[-1] == "0"  # an honest axis: from zero
            assert float(labels[0]) >= 0.7066 and all(len(s) <= 4 for s in labels)
    grad = _unthrottled(GradientChart())
    async with hosted(grad, size=(80, 13), show=deep) as (app, pilot):
        lines = screen_text(grad)
        labels = [ln.split("┤")[0].strip() for ln in lines if "┤" in ln]
        assert labels and all(s in {"1e-6", "1e-5", "1e-4", "1e-3", "0.01", "0.1", "1", "10"} or s.startswith("1e")
                              for s in labels), labels
        assert all(t.isdigit() for t in _x_labels(grad))


def _is_round(step: int) -> bool:
    while step % 10 == 0 and step > 1:
        step //= 10
    return step in (1, 2, 5)


@async_test
async def test_charts_keep_three_plot_rows_when_short(circle):
    snap = dataclasses.replace(circle, history=_history(300), epoch=299)
    for size in ((38, 7), (78, 5), (40, 9)):  # a 40x9 panel's content; the 80x24 loss panel
        chart = _unthrottled(LossChart())
        async with hosted(chart, size=size, show=snap) as (app, pilot):
            rows = [ln for ln in screen_text(chart) if ("┤" in ln or "│" in ln) and "└" not in ln]
            assert len(rows) >= 3, screen_text(chart)
            assert any(set(ln) & BRAILLE for ln in rows)


def _header_tokens(parts) -> set[str]:
    return {tok for p in parts for v in p.variants for tok in v.plain.split()}


@async_test
async def test_chart_headers_are_never_cut_and_list_every_layer(deep):
    n_layers = len(deep.sizes) - 1
    for width in (24, 32, 40, 56, 80):
        for cls, height in ((LossChart, 9), (GradientChart, 11), (GradientChart, 7)):
            chart = _unthrottled(cls())
            async with hosted(chart, size=(width, height), show=deep) as (app, pilot):
                tokens = _header_tokens(chart.header_parts(deep, "truecolor"))
                lines = screen_text(chart)
                head = [ln for ln in lines if ln.strip() and not (set(ln) & (BRAILLE | set("┤│└")))
                        and not ln.split()[0].isdigit()]
                for ln in head:
                    assert cell_len(ln.rstrip()) <= width
                    for tok in ln.split():
                        assert tok in tokens, (cls.__name__, width, ln)
                if cls is GradientChart and width >= 32:
                    text = " ".join(head)
                    for i in range(1, n_layers + 1):
                        assert f"L{i}" in text, (width, height, head)


@async_test
async def test_grid_has_tick_labels_and_stays_square(circle):
    grid = _grid()
    async with hosted(grid, size=(40, 22), show=circle) as (app, pilot):
        x0, _, cols, rows = grid.plane_box
        assert cols == 2 * rows
        below = grid.render_line(rows).text.split()
        assert below[0] == "-6" and "0" in below and below[-1] == "6"
        left = [grid.render_line(y).text[:x0].strip() for y in range(rows)]
        assert left[0] == "6" and left[-1] == "-6" and "0" in left
        assert "x1 → x2 ↑ ±6" in grid.render_line(grid.size.height - 1).text  # the caption's legend stays
    table = _preset_snapshot("xor-by-hand", 0)
    grid = _grid()
    async with hosted(grid, size=(40, 22), show=table) as (app, pilot):
        x0, _, cols, rows = grid.plane_box
        below = grid.render_line(rows).text.split()
        assert "0" in below and "1" in below
        left = {grid.render_line(y).text[:x0].strip() for y in range(rows)}
        assert {"0", "1"} <= left
        # The labels sit by the corners: x1 = 1 under the column of the points at x1 = 1.
        cx, cy = grid.cell_of(1.0, 1.0)
        line = grid.render_line(rows).text
        at = line.index(" 1") + 1
        assert abs(at - cx) <= 1
        assert grid.render_line(cy).text[:x0].strip() == "1"


@pytest.mark.parametrize("size", [(1, 1), (5, 2), (12, 4), (20, 8), (36, 8)])
@async_test
async def test_widgets_survive_tiny_sizes(size, deep, small_circle, iris):
    for make in (NetworkView, LossChart, GradientChart, DecisionGrid, WeightHistogram):
        widget = _unthrottled(make())
        async with hosted(widget, size=size) as (app, pilot):
            for snap in (deep, small_circle, iris):
                widget.update_snapshot(snap)
                await pilot.pause()
                lines = screen_text(widget)
                assert all(cell_len(ln) <= size[0] for ln in lines)


@async_test
async def test_a_huge_net_draws_only_what_is_in_view():
    snap = _preset_snapshot("circle", 0, "network.hidden=512,512", grid=(20, 20))
    view = _unthrottled(NetworkView())
    async with hosted(view, size=(40, 22)) as (app, pilot):
        start = monotonic()
        view.update_snapshot(snap)
        took = monotonic() - start
        await pilot.pause()
        assert took < 0.5  # it was over a second when the whole 1000 x 512 diagram was drawn
        assert "more layer" in "\n".join(screen_text(view))
        start = monotonic()
        for _ in range(3):
            await pilot.press("right")
        assert monotonic() - start < 2.0


@async_test
async def test_wide_characters_are_laid_out_by_cell_width(small_circle):
    snap = dataclasses.replace(small_circle, input_names=("가로", "세로축이름이아주긴것"))
    view = _unthrottled(NetworkView())
    async with hosted(view, size=(40, 22), show=snap) as (app, pilot):
        lines = screen_text(view)
        assert all(cell_len(ln) == 40 for ln in lines)
        text = "\n".join(lines)
        assert "가로" in text and "세로" in text  # the long name cut to its column, never half a character
        await pilot.press("down")
        assert all(cell_len(ln) == 40 for ln in screen_text(view))
