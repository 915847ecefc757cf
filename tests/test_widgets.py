"""Tests for tui_nn.app.widgets: each widget mounted alone in a tiny App, fed real
snapshots from seeded Trainers (and hand-made ones via dataclasses.replace)."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Awaitable, Callable

import numpy as np
import pytest
from textual.app import App, ComposeResult
from textual.widget import Widget

from tui_nn.app.widgets import (
    DecisionGrid,
    GradientChart,
    LossChart,
    NetworkView,
    WeightHistogram,
    downsample,
)
from tui_nn.app.widgets import colors as C
from tui_nn.app.widgets.decision_grid import HALF, TEST_GLYPH, TRAIN_GLYPH
from tui_nn.config import Config
from tui_nn.training import Snapshot, Trainer

SIZE = (100, 34)


# --- snapshots ---------------------------------------------------------------------------
def _trainer(*overrides: str) -> Trainer:
    cfg = Config().with_overrides(
        ["network.hidden=8,8", "training.optimizer=adam", "training.learning_rate=0.01", *overrides]
    )
    return Trainer(cfg, track_layers=True)


@pytest.fixture(scope="module")
def circle() -> Snapshot:
    t = _trainer("data.dataset=circle")
    t.run(60)
    return t.snapshot(grid=(40, 40))


@pytest.fixture(scope="module")
def spiral3() -> Snapshot:
    t = _trainer("data.dataset=spiral3", "network.output=softmax")
    t.run(30)
    return t.snapshot(grid=(40, 40))


@pytest.fixture(scope="module")
def plane() -> Snapshot:
    t = _trainer("data.dataset=plane")
    t.run(30)
    return t.snapshot(grid=(40, 40))


@pytest.fixture(scope="module")
def iris() -> Snapshot:
    t = _trainer("data.dataset=iris")
    t.run(20)
    return t.snapshot(grid=(40, 40))


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


def run(widget: Widget, body: Callable[[_Host, object], Awaitable[None]], size=SIZE) -> None:
    async def main() -> None:
        app = _Host(widget)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await body(app, pilot)

    asyncio.run(main())


def _grid(**settings) -> DecisionGrid:
    g = DecisionGrid()
    g.max_rate = None  # paint everything at once in tests
    g.force_mode = "truecolor"
    for k, v in settings.items():
        setattr(g, k, v)
    return g


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
    pal = C.diverging_palette()
    assert pal.rgb[0] == C.ORANGE and pal.rgb[-1] == C.BLUE
    t = np.array([0.0, 0.49, 0.51, 1.0])
    idx = pal.index(t)
    assert idx[0] == 0 and idx[-1] == len(pal) - 1 and idx[1] < idx[2]


def test_hysteresis_keeps_a_value_near_its_old_bin():
    edges = C.diverging_edges(12)
    e = float(edges[6])  # the 0.5 edge
    prev = C.bin_values(np.array([e - 0.001]), edges)
    assert C.bin_values(np.array([e + 0.001]), edges)[0] == prev[0] + 1
    assert C.bin_values(np.array([e + 0.001]), edges, prev, 0.3)[0] == prev[0]


def test_color_mode_detection():
    assert C.color_mode(None, monochrome=True) == "mono"
    assert C.color_mode(None, override="ansi") == "ansi"
    assert C.color_mode(None) == "truecolor"
    assert C.color_mode(None, compact=True) == "256"


# --- DecisionGrid ------------------------------------------------------------------------------
def test_output_all_high_is_blue_and_all_low_is_orange(circle):
    grid = _grid()

    async def body(app, pilot):
        ones = np.ones_like(circle.output_grid)
        grid.update_snapshot(no_points(circle, output_grid=ones))
        await pilot.pause()
        cells = plane_cells(grid)
        assert cells and all(st.bgcolor is not None for _, st in cells)
        assert {rgb(st.bgcolor) for _, st in cells} == {C.BLUE}
        grid.update_snapshot(no_points(circle, output_grid=np.zeros_like(ones)))
        await pilot.pause()
        bgs = {rgb(st.bgcolor) for _, st in plane_cells(grid)}
        assert bgs == {C.ORANGE}
        r, g, b = bgs.pop()
        assert r > b  # orange-ish

    run(grid, body)


def test_real_output_uses_half_blocks_and_few_styles(circle):
    grid = _grid()

    async def body(app, pilot):
        grid.update_snapshot(no_points(circle))
        await pilot.pause()
        cells = plane_cells(grid)
        chars = {ch for ch, _ in cells}
        assert chars <= {HALF, " "} and HALF in chars
        styles = {st for _, st in cells}
        assert 2 < len(styles) <= C.LEVELS * C.LEVELS
        # Runs of equal colour are merged: far fewer segments than cells.
        x0, _, cols, rows = grid.plane_box
        segments = sum(len(list(grid.render_line(y))) for y in range(rows))
        assert segments < len(cells) / 2

    run(grid, body)


def test_training_point_is_drawn_at_its_cell(circle):
    grid = _grid()
    e = circle.extent
    pts = np.array([[-0.5 * e, 0.5 * e], [0.75 * e, -0.6 * e]])
    snap = dataclasses.replace(
        circle, train_points=pts, train_labels=np.array([0, 1]), test_points=None, test_labels=None
    )

    async def body(app, pilot):
        grid.update_snapshot(snap)
        await pilot.pause()
        x0, _, cols, rows = grid.plane_box
        for (x1, x2), label in zip(pts, (0, 1)):
            x, y = grid.cell_of(x1, x2)
            assert x == x0 + int((x1 + e) / (2 * e) * cols)
            assert y == int((e - x2) / (2 * e) * rows * 2) // 2
            ch, style = cell(grid, x, y)
            assert ch == TRAIN_GLYPH
            assert rgb(style.color) == C.point_rgb(label)
        glyphs = [ch for ch, _ in plane_cells(grid) if ch == TRAIN_GLYPH]
        assert len(glyphs) == 2

    run(grid, body)


def test_show_test_toggles_test_points(circle):
    grid = _grid()

    async def body(app, pilot):
        grid.update_snapshot(circle)
        await pilot.pause()
        assert not any(ch == TEST_GLYPH for ch, _ in plane_cells(grid))
        grid.show_test = True
        await pilot.pause()
        n = sum(ch == TEST_GLYPH for ch, _ in plane_cells(grid))
        assert n > 10
        assert "test" in grid.render_line(grid.size.height - 1).text
        grid.show_test = False
        await pilot.pause()
        assert not any(ch == TEST_GLYPH for ch, _ in plane_cells(grid))

    run(grid, body)


def test_discretize_gives_exactly_two_colours(circle):
    grid = _grid()

    async def body(app, pilot):
        grid.update_snapshot(no_points(circle))
        await pilot.pause()
        grid.discretize = True
        await pilot.pause()
        colours = set()
        for ch, st in plane_cells(grid):
            colours.add(rgb(st.bgcolor))
            if ch == HALF:
                colours.add(rgb(st.color))
        assert colours == {C.ORANGE, C.BLUE}

    run(grid, body)


def test_multiclass_uses_class_colours(spiral3):
    grid = _grid()
    k = spiral3.output_grid.shape[2]
    onehot = np.zeros_like(spiral3.output_grid)
    onehot[..., 2] = 1.0

    async def body(app, pilot):
        grid.update_snapshot(no_points(spiral3, output_grid=onehot))
        await pilot.pause()
        bgs = {rgb(st.bgcolor) for _, st in plane_cells(grid)}
        assert bgs == {C.class_palette(k).rgb[3 * C.CLASS_LEVELS - 1]}
        g = bgs.pop()
        assert g[1] > g[0] and g[1] > g[2]  # green-ish
        grid.update_snapshot(spiral3)
        await pilot.pause()
        assert len({rgb(st.bgcolor) for _, st in plane_cells(grid)}) > 3

    run(grid, body)


def test_regression_scale_follows_the_output_range(plane):
    grid = _grid()
    lo, hi = plane.output_range
    ramp = np.tile(np.linspace(lo, hi, plane.output_grid.shape[1], dtype=np.float32), (plane.output_grid.shape[0], 1))

    async def body(app, pilot):
        grid.update_snapshot(no_points(plane, output_grid=ramp))
        await pilot.pause()
        x0, _, cols, rows = grid.plane_box
        left = cell(grid, x0, rows // 2)[1].bgcolor
        right = cell(grid, x0 + cols - 1, rows // 2)[1].bgcolor
        assert rgb(left) == C.ORANGE and rgb(right) == C.BLUE

    run(grid, body)


def test_show_neuron_and_back_to_output(circle):
    grid = _grid()

    async def body(app, pilot):
        grid.update_snapshot(no_points(circle))
        await pilot.pause()
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
        assert rgb(cell(grid, x0, 1)[1].bgcolor) == C.ORANGE
        assert rgb(cell(grid, x0 + cols - 1, 1)[1].bgcolor) == C.BLUE
        grid.show_neuron(len(circle.neuron_grids), None)  # the output layer
        assert grid.view is None
        grid.show_neuron(1, 2)
        grid.show_output()
        await pilot.pause()
        assert grid.view is None
        assert [grid.render_line(y) for y in range(grid.plane_box[3])] == out

    run(grid, body)


def test_resampling_and_desired_grid_follow_resize(circle):
    grid = _grid()

    async def body(app, pilot):
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

    run(grid, body)


def test_no_color_draws_with_shades(circle, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    grid = DecisionGrid()
    grid.max_rate = None

    async def body(app, pilot):
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
        assert {" ", "█"} & chars and chars <= set(C.SHADES) | set("ox+*%&@~OX#=$?!^")
        assert "o" in chars and "X" in chars  # train class 0, test class 1

    run(grid, body)


def test_monochrome_on_request_and_ansi_mode(circle):
    grid = _grid()

    async def body(app, pilot):
        grid.update_snapshot(circle)
        grid.monochrome = True
        await pilot.pause()
        assert {st for _, st in plane_cells(grid)} == {grid.rich_style}
        grid.monochrome = False
        grid.force_mode = "ansi"
        await pilot.pause()
        colours = {st.bgcolor.name for _, st in plane_cells(grid) if st is not None and st.bgcolor}
        assert colours and colours <= set(C.ANSI_DIVERGING)

    run(grid, body)


def test_tabular_data_shows_a_message(iris):
    grid = _grid()

    async def body(app, pilot):
        grid.update_snapshot(iris)
        await pilot.pause()
        text = " ".join(grid.render_line(y).text.strip() for y in range(grid.size.height))
        assert "4 inputs" in text and "accuracy" in text

    run(grid, body)


def test_only_changed_rows_are_repainted(circle):
    grid = _grid()

    async def body(app, pilot):
        grid.update_snapshot(no_points(circle))
        await pilot.pause()
        out = circle.output_grid.copy()
        out[:2] = 1.0 - out[:2]  # the top two pixel rows = the first cell row
        grid.update_snapshot(no_points(circle, output_grid=out))
        await pilot.pause()
        assert grid.rows_repainted <= 2
        grid.update_snapshot(no_points(circle, output_grid=out))
        assert grid.rows_repainted == 0

    run(grid, body)


def test_byte_budget_spreads_a_repaint(circle):
    grid = _grid()

    async def body(app, pilot):
        grid.update_snapshot(no_points(circle, output_grid=np.zeros_like(circle.output_grid)))
        await pilot.pause()
        grid.max_rate, grid.burst = 20_000.0, 800.0
        grid._tokens = 800.0
        grid.update_snapshot(no_points(circle))
        assert grid.pending_rows > 0
        assert grid.bytes_estimate <= 800
        for _ in range(100):
            await pilot.pause(0.05)
            if grid.pending_rows == 0:
                break
        assert grid.pending_rows == 0
        assert grid._shown is not None and np.array_equal(grid._shown, grid._keys)
        assert grid.rows_repainted > 0

    run(grid, body)


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


def test_loss_chart_log_scale_and_downsampling(circle):
    chart = LossChart()
    chart.max_rate, chart.min_interval = None, 0.0
    snap = dataclasses.replace(circle, history=_history(5000), epoch=5000)

    async def body(app, pilot):
        chart.update_snapshot(snap)
        await pilot.pause()
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

    run(chart, body, size=(80, 20))


def test_loss_chart_regression_and_divergence(plane):
    chart = LossChart()
    chart.max_rate, chart.min_interval = None, 0.0

    async def body(app, pilot):
        chart.update_snapshot(plane)
        await pilot.pause()
        assert "RMSE" in chart_text(chart)
        hist = _history(50)
        hist["train_loss"][-5:] = np.inf
        chart.log_scale = True
        chart.update_snapshot(dataclasses.replace(plane, history=hist, status="diverged", epoch=50))
        await pilot.pause()
        assert "inf" in chart_text(chart)

    run(chart, body, size=(80, 20))


def test_loss_chart_without_colour(circle, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    chart = LossChart()
    chart.max_rate, chart.min_interval = None, 0.0

    async def body(app, pilot):
        chart.update_snapshot(circle)
        await pilot.pause()
        base = chart.rich_style
        for y in range(chart.size.height):
            for seg in chart.render_line(y):
                assert seg.style is not None  # Textual's NO_COLOR filter needs a style
                assert seg.style.color in (None, base.color) and seg.style.bgcolor in (None, base.bgcolor)

    run(chart, body, size=(80, 20))


def test_chart_rebuilds_are_spaced_out(circle):
    chart = LossChart()
    chart.max_rate = None
    chart.min_interval = 0.3

    async def body(app, pilot):
        hist = circle.history
        builds = chart.builds
        for n in range(5, 10):
            cut = {k: v[:n] for k, v in hist.items()}
            chart.update_snapshot(dataclasses.replace(circle, history=cut, epoch=n))
        await pilot.pause()
        assert chart.builds <= builds + 1
        await pilot.pause(0.4)
        assert "epoch 9" in chart_text(chart)  # the latest one, drawn when due

    run(chart, body, size=(80, 20))


def test_gradient_chart_and_weight_histogram(circle):
    grad = GradientChart()
    grad.max_rate, grad.min_interval = None, 0.0

    async def body(app, pilot):
        grad.update_snapshot(circle)
        await pilot.pause()
        text = chart_text(grad)
        n_layers = len(circle.sizes) - 1
        for i in range(1, n_layers + 1):
            assert f"L{i}" in text
        assert "weight RMS" in text
        assert 0 < grad.plotted_points <= 2 * grad.size.width
        grad.update_snapshot(dataclasses.replace(circle, layer_history={"epoch": np.zeros(0)}))
        await pilot.pause()
        assert "after a few epochs" in chart_text(grad)

    run(grad, body, size=(80, 16))

    hist = WeightHistogram()
    hist.max_rate, hist.min_interval = None, 0.0

    async def body2(app, pilot):
        hist.update_snapshot(circle)
        await pilot.pause()
        assert hist.size.height == len(circle.weights) + 1
        text = chart_text(hist)
        assert "L1 2×8" in text and "rms" in text
        assert any(c in text for c in "▁▂▃▄▅▆▇█")

    run(hist, body2, size=(80, 12))


# --- NetworkView -------------------------------------------------------------------------------
def test_network_view_keys_post_neuron_selected(circle):
    view = NetworkView()
    view.max_rate, view.min_interval = None, 0.0
    n_hidden = len(circle.sizes) - 2

    async def body(app, pilot):
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

    run(view, body, size=(80, 30))


def test_network_view_draws_names_weights_and_selection(circle):
    view = NetworkView()
    view.max_rate, view.min_interval = None, 0.0
    view.force_mode = "truecolor"

    async def body(app, pilot):
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

    run(view, body, size=(80, 30))


def test_network_view_click_selects(circle):
    view = NetworkView()
    view.max_rate, view.min_interval = None, 0.0

    async def body(app, pilot):
        view.update_snapshot(circle)
        await pilot.pause()
        geo = view._geo
        x = geo.col_x[1] + 1
        y = 1 + geo.neuron_top(3)
        await pilot.click(NetworkView, offset=(x, y))
        await pilot.pause()
        assert app.selected[-1] == (0, 3)

    run(view, body, size=(80, 30))


def test_network_view_softmax_and_tabular(spiral3, iris):
    view = NetworkView()
    view.max_rate, view.min_interval = None, 0.0

    async def body(app, pilot):
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

    run(view, body, size=(80, 30))
