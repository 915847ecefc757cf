"""The widgets on the snapshots of the largest networks the settings allow.

A snapshot of a large net holds the weights and pictures of the first
MAX_PICTURED neurons of each layer, summaries of all weights, a plane that may
be coarser than the widget asked for, the selected neuron at the plane's
resolution (``focus_grid``) and sentences saying what it left out
(``summarised``). Every widget must draw those without indexing past the
arrays, quickly, and tell the learner what is summarised.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator

import numpy as np
import pytest
from rich.cells import cell_len
from rich.style import Style
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widget import Widget

from tui_nn.app.app import PlaygroundApp
from tui_nn.app.widgets import DecisionGrid, GradientChart, LossChart, NetworkView, WeightHistogram
from tui_nn.app.widgets.charts import _fmt, rebin
from tui_nn.app.widgets.decision_grid import HALF
from tui_nn.app.widgets.network_draw import NetworkPainter
from tui_nn.app.widgets.network_labels import summary_text
from tui_nn.config import Config
from tui_nn.render.field import unpictured
from tui_nn.training import Snapshot, Trainer
from tui_nn.training.snapshot import MAX_PICTURED

from pilot_helpers import async_test, wait_for

WIDE = "512,512"
DEEP = "512,512,512,512,512,512,512,512"
# The panels of an 80x24 and a 120x40 terminal (40x12 and 40x22), and widgets of
# about those sizes themselves.
SIZES = [(40, 12), (40, 22), (80, 24), (120, 40)]
WIDGETS = (NetworkView, DecisionGrid, LossChart, GradientChart, WeightHistogram)


def _config(hidden: str) -> Config:
    return Config().with_overrides(["data.dataset=circle", "data.points=100", f"network.hidden={hidden}"])


@pytest.fixture(scope="module")
def trainers() -> dict[str, Trainer]:
    out = {}
    for hidden in (WIDE, DEEP):
        t = Trainer(_config(hidden), track_layers=True)
        t.run(2)
        out[hidden] = t
    return out


@pytest.fixture(scope="module")
def wide(trainers) -> Snapshot:
    return trainers[WIDE].snapshot((40, 40))


@pytest.fixture(scope="module")
def deep(trainers) -> Snapshot:
    return trainers[DEEP].snapshot((40, 40))


@pytest.fixture(scope="module")
def wide_focus(trainers) -> Snapshot:
    """The wide net with neuron 301 of layer 2 as the focus."""
    return trainers[WIDE].snapshot((40, 40), focus=(1, 300))


def test_the_snapshots_are_summarised(wide, deep, wide_focus):
    """What the tests below rely on: the trainer's snapshots of these nets are cut."""
    for snap in (wide, deep):
        assert snap.sizes[1] == 512 and snap.weights[1].shape == (MAX_PICTURED, MAX_PICTURED)
        assert snap.neuron_grids[1].shape[2] == MAX_PICTURED and snap.weight_stats[1].shape == (512, 512)
        assert snap.summarised and snap.focus is None
        assert snap.output_grid is not None and snap.output_grid.shape[0] < 40  # a coarser plane
    assert wide_focus.focus == (1, 300) and wide_focus.focus_grid is not None
    assert wide_focus.focus_grid.shape == wide_focus.output_grid.shape


# --- harness -------------------------------------------------------------------------------
class _Host(App):
    def __init__(self, widget: Widget) -> None:
        super().__init__()
        self.widget = widget

    def compose(self) -> ComposeResult:
        yield self.widget


@contextlib.asynccontextmanager
async def hosted(widget: Widget, size: tuple[int, int], show: Snapshot | None = None) -> AsyncIterator[Pilot]:
    widget.max_rate, widget.min_interval = None, 0.0  # every snapshot at once, no byte budget
    if hasattr(widget, "force_mode"):
        widget.force_mode = "truecolor"
    app = _Host(widget)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        if show is not None:
            widget.update_snapshot(show)
            await pilot.pause()
        yield pilot


def screen(widget: Widget) -> list[str]:
    return [widget.render_line(y).text for y in range(widget.size.height)]


def _redraw(widget: Widget, snap: Snapshot) -> None:
    """Build the widget's whole picture again for a new snapshot (a copy of ``snap``:
    nothing kept from the last one is reused)."""
    if isinstance(widget, (NetworkView, DecisionGrid)):
        widget.update_snapshot(dataclasses.replace(snap))
    else:
        widget.redraw(force=True)


def _views(widget: Widget, snap: Snapshot) -> list[object]:
    """What to look at in ``widget``: every column (or neuron view) at pictured and
    unpictured neurons; one view for the charts."""
    n_hidden = len(snap.sizes) - 2
    picks = [(layer, i) for layer in range(-1, n_hidden) for i in (0, MAX_PICTURED - 1, MAX_PICTURED, 300, 511)]
    picks.append((n_hidden, None))
    if isinstance(widget, NetworkView):
        return [lambda layer=layer, i=i: widget.select(layer, i) for layer, i in picks]
    if isinstance(widget, DecisionGrid):
        return [lambda layer=layer, i=i: widget.show_neuron(layer, i) for layer, i in picks]
    return [lambda: None]


# --- every widget, every size ---------------------------------------------------------------
@pytest.mark.parametrize("size", SIZES)
@async_test
async def test_every_widget_draws_the_largest_nets_at_every_size(size, wide, deep, wide_focus):
    for make in WIDGETS:
        for snap in (wide, deep, wide_focus):
            widget = make()
            async with hosted(widget, size, show=snap) as pilot:
                for look in _views(widget, snap):
                    look()
                    await pilot.pause()
                    lines = screen(widget)
                    assert all(cell_len(ln) == size[0] for ln in lines), (make.__name__, size)
                    _redraw(widget, snap)  # a redraw of the same snapshot keeps the screen
                    assert screen(widget) == lines, (make.__name__, size)


# --- the network view -----------------------------------------------------------------------
@pytest.mark.parametrize("size", [(40, 12), (40, 22), (80, 24)])
@async_test
async def test_network_view_says_more_neurons_and_what_was_summarised(size, wide, deep):
    for snap in (wide, deep):
        view = NetworkView()
        async with hosted(view, size, show=snap) as pilot:
            geo = view._geo
            assert geo is not None
            # A layer of 512 is drawn as its 64 pictured neurons and one "more" slot ...
            assert geo.pictured(1) == MAX_PICTURED and geo.more(1) == 512 - MAX_PICTURED
            assert geo.slots(1) == MAX_PICTURED + 1
            # ... and the summary is on screen, in whole sentences.
            text = "\n".join(screen(view))
            assert "plane drawn at" in text or "summarised" in text
            view.select(0, MAX_PICTURED)  # layer 1, the first neuron not pictured
            await pilot.pause()
            text = "\n".join(screen(view))
            assert "+448" in text, text
            assert f"neuron {MAX_PICTURED + 1}" in screen(view)[-1]


@async_test
async def test_the_selection_moves_over_every_neuron_showing_what_is_known(wide):
    view = NetworkView()
    async with hosted(view, (80, 24), show=wide) as pilot:
        view.focus()
        view.select(0, MAX_PICTURED - 2)
        await pilot.pause()
        info = screen(view)[-1]
        assert f"layer 1 neuron {MAX_PICTURED - 1} of 512" in info
        assert f"bias {float(wide.biases[0][MAX_PICTURED - 2]):+.2f}" in info  # within the block: its bias
        for _ in range(3):
            await pilot.press("down")
        assert view.selected == (0, MAX_PICTURED + 1)
        info = screen(view)[-1]
        assert f"layer 1 neuron {MAX_PICTURED + 2} of 512" in info and "bias" not in info
        assert "not pictured" in info
        # The "more" slot carries the selection mark.
        assert any("▶+448 more" in ln for ln in screen(view))
        view.select(0, 511)
        await pilot.press("down")
        assert view.selected == (0, 511)  # the last neuron, no further
        await pilot.press("right")
        assert view.selected == (1, 511)
        assert "layer 2 neuron 512 of 512" in screen(view)[-1]
        await pilot.press("right")  # to the output: one unit
        assert view.selected == (2, None)


@async_test
async def test_link_strips_stop_at_the_pictured_neurons(wide):
    view = NetworkView()
    async with hosted(view, (200, 40), show=wide) as pilot:
        geo = view._geo
        # A strip holds one link per pictured neuron of the next layer and one "…"
        # for the rest: 65 cells, not 512.
        assert geo.col_x[2] - geo.strip_x(1) < 80
        view.select(0, 0)
        await pilot.pause()
        row = 1 + geo.mid_row(0, 1) - view._scroll[1]
        x0 = geo.strip_x(1) - view._scroll[0]
        line = view.render_line(row).text
        strip = line[x0:x0 + MAX_PICTURED + 1]
        assert 0 <= x0 and x0 + MAX_PICTURED + 1 <= len(line), (x0, view._scroll)
        assert strip.endswith("…") and all(c in "▁▂▃▄▅▆▇█·" for c in strip[:-1]), strip
        # The range over a strip is the whole layer's (from its summary), not the block's.
        header = screen(view)[0]
        assert f"±{wide.weight_stats[0].max_abs:.2g}" in header


def test_link_cells_of_a_block_are_the_cells_of_each_link():
    """The strips' cells, made for a whole block at once, are those made link by link."""
    rng = np.random.default_rng(3)
    block = rng.normal(size=(6, 70)) * 2.0
    block[0, :6] = [0.0, -0.0, np.nan, np.inf, -np.inf, 1e-12]
    block[1, :3] = [5.0, -5.0, 2.0]  # beyond the scale: full bars
    for mode in ("truecolor", "256", "ansi", "mono"):
        painter = NetworkPainter()
        for base in (Style(), Style(bgcolor="black")):
            got = painter._link_cells(block, 2.0, mode, base, target=4)
            want = [[painter._link_cell(float(w), 2.0, mode, base, j == 4) for j, w in enumerate(row)] for row in block]
            assert got == want, mode


# --- the plane ------------------------------------------------------------------------------
def _plane(grid: DecisionGrid) -> list[str]:
    x0, _, cols, rows = grid.plane_box
    return [grid.render_line(y).text[x0:x0 + cols] for y in range(rows)]


def _caption(grid: DecisionGrid) -> str:
    return grid.render_line(grid.size.height - 1).text


@async_test
async def test_grid_neuron_300_of_layer_2_without_and_with_its_focus_grid(wide, wide_focus):
    for size in ((40, 12), (40, 22), (80, 24)):
        grid = DecisionGrid()
        async with hosted(grid, size, show=wide) as pilot:
            # The output of a large net is drawn on a coarser plane (when the widget has more pixels).
            assert ("(coarse)" in _caption(grid)) == (grid.desired_grid()[1] > wide.output_grid.shape[0])
            grid.show_neuron(1, 300)
            await pilot.pause()
            assert unpictured(wide, (1, 300))
            text = " ".join(" ".join(screen(grid)).split())
            assert "neuron 301 of 512" in text and "on its way" in text  # a message, not a crash
            assert grid.view == (1, 300)
            # The snapshot with its focus arrives: the neuron at the plane's resolution.
            grid.update_snapshot(wide_focus)
            await pilot.pause()
            assert "layer 2 neuron 301" in _caption(grid)
            assert any(HALF in ln for ln in _plane(grid))
            # A snapshot whose focus is another neuron has no picture of it: the message again.
            other = dataclasses.replace(wide_focus, focus=(1, 5))
            grid.update_snapshot(other)
            await pilot.pause()
            assert "on its way" in " ".join(" ".join(screen(grid)).split())


@async_test
async def test_grid_draws_the_focus_grid_itself(wide_focus):
    """The picture of the focused neuron comes from focus_grid: a left-high, right-low
    pattern put there shows blue on the left and orange on the right."""
    for sign in (1.0, -1.0):
        fg = np.empty_like(wide_focus.focus_grid)
        half = fg.shape[1] // 2
        fg[:, :half], fg[:, half:] = sign, -sign
        snap = dataclasses.replace(wide_focus, focus_grid=fg, train_points=None, test_points=None)
        grid = DecisionGrid()
        grid.force_mode = "truecolor"
        async with hosted(grid, (80, 24), show=snap) as pilot:
            grid.show_neuron(1, 300)
            await pilot.pause()
            assert "layer 2 neuron 301" in _caption(grid)
            x0, _, cols, rows = grid.plane_box
            segs = list(grid.render_line(rows // 2))

            def colour_at(x: int):
                pos = 0
                for seg in segs:
                    if pos + len(seg.text) > x:
                        style = seg.style
                        return style.color if seg.text[x - pos] == HALF else style.bgcolor
                    pos += len(seg.text)
                raise IndexError(x)

            left, right = colour_at(x0 + 2).get_truecolor(), colour_at(x0 + cols - 3).get_truecolor()
            if sign > 0:
                assert left.blue > left.red and right.red > right.blue  # blue > 0 > orange
            else:
                assert left.red > left.blue and right.blue > right.red


@async_test
async def test_grid_shows_a_pictured_neuron_of_a_large_layer_from_its_coarse_grid(deep):
    grid = DecisionGrid()
    async with hosted(grid, (80, 24), show=deep) as pilot:
        grid.show_neuron(1, 3)
        await pilot.pause()
        caption = _caption(grid)
        assert "layer 2 neuron 4" in caption and "(coarse)" in caption
        assert all(len(ln) == grid.plane_box[2] for ln in _plane(grid))


# --- charts ---------------------------------------------------------------------------------
def test_rebin_keeps_the_counts():
    assert rebin(np.array([1.0, 1.0, 1.0, 1.0]), 2).tolist() == [2.0, 2.0]
    assert rebin(np.array([4.0, 0.0]), 4).tolist() == [2.0, 2.0, 0.0, 0.0]
    counts = np.arange(64, dtype=np.float64)
    for bins in (4, 10, 30, 64, 100):
        out = rebin(counts, bins)
        assert len(out) == bins and abs(out.sum() - counts.sum()) < 1e-9


@async_test
async def test_weight_histogram_is_drawn_from_the_summaries(deep):
    # All of layer 2's weights in the two lowest of the 64 bins (large negative ones):
    # its bars must all sit at the far left, whatever the block of weights says.
    stats = list(deep.weight_stats)
    hist = np.zeros(64, dtype=np.int64)
    hist[:2] = 512 * 512 // 2
    stats[1] = dataclasses.replace(stats[1], histogram=hist)
    snap = dataclasses.replace(deep, weight_stats=tuple(stats))
    chart = WeightHistogram()
    async with hosted(chart, (80, 12), show=snap):
        lines = screen(chart)
        rows = {ln.split()[0]: ln for ln in lines[1:] if ln.strip()}
        assert len(rows) == len(deep.sizes) - 1  # one row per layer: all nine
        assert "512×512" in rows["L2"] and rows["L1"].split()[1] == "2×512" and "512×1" in rows["L9"]
        assert f"rms {_fmt(deep.weight_stats[1].rms)}" in rows["L2"]
        bars = [i for i, c in enumerate(rows["L2"]) if c in "▁▂▃▄▅▆▇█"]
        start = len("L2 512×512 ")
        assert bars and max(bars) - start < 6, rows["L2"]
        assert f"±{_fmt(deep.weight_stats[0].span)}" in lines[0]


@async_test
async def test_gradient_chart_takes_the_weight_rms_from_the_summaries(deep):
    snap = dataclasses.replace(deep, layer_stats=())
    chart = GradientChart()
    async with hosted(chart, (120, 12), show=snap):
        text = " ".join(screen(chart))
        assert "weight RMS" in text
        rms = deep.weight_stats[8].rms
        assert f"L9 {_fmt(rms)}" in text or f"L9 {_fmt(rms, 2)}" in text, text


# --- the summary ----------------------------------------------------------------------------
def test_summary_text_fits_in_whole_sentences():
    notes = ("plane drawn at 10x10 (a large network)", "pictures of the first 64 neurons of each layer")
    assert summary_text(notes, 200) == "; ".join(notes)
    assert summary_text(notes, 70) == "plane drawn at 10x10; pictures of the first 64 neurons of each layer"
    assert summary_text(notes, 30) == "plane drawn at 10x10; …"
    assert summary_text(notes, 12) == "summarised"
    assert summary_text(notes, 5) == ""
    assert summary_text((), 100) == ""


# --- the app, end to end --------------------------------------------------------------------
@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
@async_test
async def test_the_app_on_a_512x8_net_selects_neuron_300_and_gets_its_picture(size):
    app = PlaygroundApp(_config(DEEP).with_overrides(["training.epochs=0"]), pace=None)
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: app.snapshot is not None, timeout=60, what="first snapshot")
        await pilot.pause()
        view, grid = app.network_view, app.grid
        assert "(coarse)" in _caption(grid)
        view.select(1, 300, post=True)  # as arrow keys would, posting NeuronSelected
        # The app asks the trainer for that neuron; its snapshot brings the picture.
        await wait_for(pilot, lambda: app.snapshot is not None and app.snapshot.focus == (1, 300),
                       timeout=60, what="the focused snapshot")
        await wait_for(pilot, lambda: "layer 2 neuron 301" in grid.title, timeout=10, what="the picture")
        await pilot.press("down")
        await pilot.press("enter")
        assert view.selected == (1, 301)
        assert all(cell_len(ln) == view.size.width for ln in screen(view))
