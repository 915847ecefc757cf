"""Tests for tui_nn.render: the pictures as plain arrays, with hand-computed expectations."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from tui_nn.render.cells import BLANK, PLAIN, SHADE, Cell, Cells, encode, first_equal, sample
from tui_nn.render.colors import BLUE, DIM, MID, ORANGE, SERIES_ANSI, blend, darken, point_rgb, series_color, sign_rgb
from tui_nn.render.field import BinMemory, ColourField, Legend, thumbnail_levels
from tui_nn.render.layout import PlaneLayout
from tui_nn.render.palette import (
    bin_values,
    class_palette,
    diverging_edges,
    diverging_palette,
    map_diverging,
    neuron_range,
    quantize,
)
from tui_nn.render.points import TEST, TRAIN, Points, pixel_coords, point_class, point_colours, point_layer
from tui_nn.training.snapshot import Snapshot

ROOT = Path(__file__).resolve().parents[1]


def snapshot(**fields: object) -> Snapshot:
    base: dict[str, object] = dict(epoch=0, diverged=False, advice="", task="binary", metric_name="accuracy",
                                   last=None, history={}, layer_history={}, extent=1.0)
    base.update(fields)
    return Snapshot(**base)  # type: ignore[arg-type]


# --- no terminal UI --------------------------------------------------------------------------
def test_render_imports_no_textual_or_rich() -> None:
    script = textwrap.dedent(
        """
        import json, sys
        import numpy as np
        import tui_nn.render as R
        cells = R.encode(np.zeros((4, 4), dtype=np.int16))
        ui = sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "rich"))
        print(json.dumps({"ui": ui, "shape": list(cells.shape)}))
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["shape"] == [2, 4]
    assert report["ui"] == [], f"tui_nn.render imported {report['ui']}"


# --- colours and palettes ----------------------------------------------------------------------
def test_colour_arithmetic() -> None:
    assert blend((0, 0, 0), (10, 20, 30), 0.5) == (5, 10, 15)
    assert blend((0, 0, 0), (10, 20, 30), 2.0) == (10, 20, 30)  # q clipped to [0, 1]
    assert darken((100, 50, 10), 0.5) == (50, 25, 5)
    assert sign_rgb(1.0, 1.0) == BLUE and sign_rgb(-1.0, 1.0) == ORANGE
    assert sign_rgb(0.5, 0.0) == blend(DIM, BLUE, 0.3) == (64, 100, 124)
    assert point_rgb(1) == (5, 71, 113)  # BLUE * 0.6
    assert series_color(9, "ansi") == SERIES_ANSI[1] and series_color(0, "mono") is None


def test_bin_values_and_hysteresis() -> None:
    edges = np.array([0.0, 0.25, 0.5, 0.75, 1.0], dtype=np.float32)
    assert bin_values([0.0, 0.24, 0.25, 0.6, 1.0], edges).tolist() == [0, 0, 1, 2, 3]
    prev = np.array([1, 1], dtype=np.int16)
    # Bin 1 is [0.25, 0.5); widened by 0.3 of its width (0.075): [0.175, 0.575).
    assert bin_values([0.24, 0.17], edges, prev, 0.3).tolist() == [1, 0]
    assert bin_values([0.24, 0.56], edges, prev, 0.3).tolist() == [1, 1]
    assert bin_values([0.24], edges, prev[:1], 0.0).tolist() == [0]  # no margin, no memory


def test_diverging_edges_are_symmetric_and_finer_near_the_middle() -> None:
    assert np.allclose(diverging_edges(4, power=1.0), [0.0, 0.25, 0.5, 0.75, 1.0])
    assert np.allclose(diverging_edges(4, power=2.0), [0.0, 0.375, 0.5, 0.625, 1.0])


def test_map_diverging_quantize_and_neuron_range() -> None:
    assert np.allclose(map_diverging([0, 1, 2, 4], 0, 4), [0, 0.25, 0.5, 1])
    assert np.allclose(map_diverging([0, 1, 2, 4], 0, 4, centre=1), [0, 0.5, 0.5 + 0.5 / 3, 1])
    assert np.allclose(map_diverging([np.nan, np.inf, -np.inf, 9], 0, 1), [0.5, 1, 0, 1])
    assert np.allclose(map_diverging([0.5], 3, 3), [0.0])  # empty range: lo .. lo + 1
    assert quantize([0, 0.19, 0.2, 0.99, 1.0, -1], 5).tolist() == [0, 0, 1, 4, 4, 0]
    assert neuron_range(np.array([-3.0, 2.0])) == (-3.0, 3.0)
    assert neuron_range(np.array([-3.0, 2.0]), (0.0, 1.0)) == (0.0, 1.0)  # the activation's own
    assert neuron_range(np.zeros(3)) == (-1.0, 1.0)
    assert neuron_range(np.array([np.inf])) == (-1.0, 1.0)


def test_palettes() -> None:
    div = diverging_palette(3)
    assert div.rgb == (ORANGE, MID, BLUE)
    assert div.ansi == ("yellow", "white", "blue")
    assert div.entry(2, "truecolor") == BLUE and div.entry(2, "ansi") == "blue" and div.entry(2, "mono") is None
    cls = class_palette(2, levels=3, power=1.0)
    assert len(cls) == 6 and cls.bins == 3
    assert cls.rgb[0] == (234, 221, 205)  # class 0, weakest: MID with 15 % orange
    assert cls.rgb[5] == BLUE  # class 1, surest
    assert cls.ansi[:3] == ("white", "bright_yellow", "yellow")
    assert cls.shade == (0.25,) * 3 + (0.75,) * 3
    assert np.allclose(cls.edges, [0, 1 / 3, 2 / 3, 1])


# --- cells ----------------------------------------------------------------------------------------
def test_encode_half_blocks_and_equal_colours() -> None:
    pixels = np.array([[0, 1], [0, 2]], dtype=np.int16)
    cells = encode(pixels)
    assert cells.shape == (1, 2)
    assert cells.glyph.tolist() == [[PLAIN, PLAIN]]
    assert cells.fg.tolist() == [[0, 1]] and cells.bg.tolist() == [[0, 2]]
    # Entry 2 drawn like entry 0: it takes 0's index.
    canon = first_equal(["a", "b", "a"])
    assert canon.tolist() == [0, 1, 0]
    assert encode(pixels, canon).bg.tolist() == [[0, 0]]
    blank = encode(np.array([[1], [BLANK]], dtype=np.int16), np.array([0, 0], dtype=np.int16))
    assert blank.fg.tolist() == [[0]] and blank.bg.tolist() == [[BLANK]]


def test_encode_mono_shades() -> None:
    shades = (0.0, 0.5, 1.0)
    cells = encode(np.array([[0, 2, 2], [1, 2, BLANK]], dtype=np.int16), shades=shades)
    assert cells.glyph.tolist() == [[SHADE] * 3]
    # Means 0.25, 1.0 and 0.5 (a blank pixel has no shade) onto 5 shades.
    assert cells.fg.tolist() == [[1, 4, 2]] and cells.bg.tolist() == [[0, 0, 0]]


def test_encode_points_over_the_picture() -> None:
    pixels = np.array([[0, 1], [2, 3], [4, 5], [6, 7]], dtype=np.int16)
    train = Points(np.array([1, 3]), np.array([0, 1]), TRAIN, np.array([7, 8], dtype=np.int16))
    test = Points(np.array([2]), np.array([1]), TEST, np.array([9], dtype=np.int16))
    cells = encode(pixels, points=[train, test])
    assert cells.glyph.tolist() == [[TRAIN, PLAIN], [PLAIN, TEST]]  # the test point wins cell (1, 1)
    assert cells.fg.tolist() == [[7, 1], [4, 9]]
    assert cells.bg.tolist() == [[2, 3], [6, 5]]  # the pixel under each point
    mono = encode(pixels, shades=[i / 7 for i in range(8)], points=[train])
    assert mono.glyph[0, 0] == TRAIN and mono.bg[0, 0] == 0


def test_runs_and_changed_rows() -> None:
    glyph = np.zeros((2, 5), dtype=np.int8)
    fg = np.array([[1, 1, 2, 2, 2], [0, 0, 0, 0, 0]], dtype=np.int16)
    bg = np.array([[0, 0, 0, 0, 1], [0, 0, 0, 0, 0]], dtype=np.int16)
    cells = Cells(glyph, fg, bg)
    assert cells.runs(0) == [(2, Cell(PLAIN, 1, 0)), (2, Cell(PLAIN, 2, 0)), (1, Cell(PLAIN, 2, 1))]
    assert cells.runs(1) == [(5, Cell(PLAIN, 0, 0))]
    other = Cells(glyph.copy(), fg.copy(), bg.copy())
    other.bg[1, 3] = 4
    assert cells.changed_rows(other).tolist() == [False, True]
    assert cells.changed_rows(None).tolist() == [True, True]
    assert cells.changed_rows(Cells(glyph[:1], fg[:1], bg[:1])).tolist() == [True, True]


def test_sample_nearest_cell_centres() -> None:
    g = np.arange(16).reshape(4, 4)
    assert sample(g, 2, 2).tolist() == [[5, 7], [13, 15]]
    assert sample(np.array([[1, 2], [3, 4]]), 4, 4).tolist() == [[1, 1, 2, 2]] * 2 + [[3, 3, 4, 4]] * 2


# --- points and layout ---------------------------------------------------------------------------
def test_pixel_coords() -> None:
    pts = np.array([[-1.0, 1.0], [0.999, -0.999], [0.0, 0.0], [1.0, 1.0], [-5.0, 5.0]])
    rows, cols = pixel_coords(pts, 1.0, 4, 4)
    assert cols.tolist() == [0, 3, 2, 3, 0]  # x1 = 1 is the right edge: the last column
    assert rows.tolist() == [0, 3, 2, 0, 0]  # x2 grows upwards: row 0 at the top


def test_point_colours_and_layer() -> None:
    reg = snapshot(task="regression", output_range=(0.0, 10.0))
    levels = point_colours(reg, [0.0, 5.0, 10.0])
    assert levels.tolist() == [0, 6, 11]  # 5 is the middle, 0.5 an edge of the 12 levels
    assert [point_class(c, True) for c in (5, 6)] == [0, 1]
    assert point_colours(snapshot(), [-1, 0, 2]).tolist() == [0, 0, 2]
    assert point_class(3, False) == 3
    snap = snapshot(train_points=np.array([[-1.0, 1.0]]), train_labels=np.array([1]),
                    test_points=np.array([[0.9, -0.9], [0.0, 0.0]]), test_labels=np.array([0, 1]))
    (train,) = point_layer(snap, 4, 4, show_test=False)
    assert (train.kind, train.row.tolist(), train.col.tolist(), train.colour.tolist()) == (TRAIN, [0], [0], [1])
    layers = point_layer(snap, 4, 4, show_test=True)
    assert [p.kind for p in layers] == [TRAIN, TEST] and layers[1].col.tolist() == [3, 2]


def test_plane_layout() -> None:
    g = PlaneLayout.fit(100, 34)
    assert (g.rows, g.cols, g.x0, g.caption_y, g.pixels) == (33, 66, 17, 33, (66, 66))
    assert g.cell_of(0.0, 0.0, 1.0) == (17 + 33, 16)
    assert PlaneLayout.fit(10, 2) == PlaneLayout(10, 2, 2, 4, 3, -1)  # no room for a caption
    assert PlaneLayout.fit(100, 34, keep_aspect=False) == PlaneLayout(100, 34, 33, 100, 0, 33)


# --- the colour field ------------------------------------------------------------------------------
def plane_snapshot(out: np.ndarray, **fields: object) -> Snapshot:
    r, c = out.shape[:2]
    hidden = np.array([[[0.0, -2.0], [0.25, 0.0]], [[0.75, 1.0], [1.0, 2.0]]], dtype=np.float32)  # 2 units
    plane: dict[str, object] = dict(output_grid=out, neuron_grids=(hidden,), activations=("sigmoid",),
                                    hidden_ranges=((0.0, 1.0),), input_grids=np.zeros((r, c, 2), dtype=np.float32),
                                    input_names=("x1", "x2"))
    return snapshot(**{**plane, **fields})


def test_output_field_and_discretize() -> None:
    out = np.array([[0.0, 0.49], [0.51, 1.0]], dtype=np.float32)
    field = ColourField().field(plane_snapshot(out), None)
    assert field is not None and field.title == "output" and field.legend == Legend("range", 0.0, 1.0)
    assert field.levels.tolist() == [[0, 5], [6, 11]]  # either side of the 0.5 edge
    discrete = ColourField().field(plane_snapshot(out), None, discretize=True)
    assert discrete is not None and discrete.levels.tolist() == [[0, 0], [11, 11]]


def test_output_field_hysteresis_and_memory() -> None:
    colours = ColourField()
    first = plane_snapshot(np.full((2, 2), 0.49, dtype=np.float32))
    later = plane_snapshot(np.full((2, 2), 0.501, dtype=np.float32))
    assert colours.field(first, None).levels[0, 0] == 5  # type: ignore[union-attr]
    # Bin 5 is [0.466, 0.5); 0.501 stays within 0.3 of its width above it.
    assert colours.field(later, None).levels[0, 0] == 5  # type: ignore[union-attr]
    assert ColourField(hysteresis=0.0).field(later, None).levels[0, 0] == 6  # type: ignore[union-attr]
    colours.field(first, None)
    colours.field(later, (0, 0))  # another picture in between: the output starts afresh
    assert colours.field(later, None).levels[0, 0] == 6  # type: ignore[union-attr]


def test_neuron_fields_use_the_declared_range() -> None:
    snap = plane_snapshot(np.zeros((2, 2), dtype=np.float32))
    field = ColourField().field(snap, (0, 0))
    assert field is not None and field.title == "layer 1 neuron 1 (sigmoid)"
    assert field.legend == Legend("range", 0.0, 1.0)
    assert field.levels.tolist() == [[0, 2], [9, 11]]  # 0.25 in [0.228, 0.323): level 2
    unbounded = ColourField().field(plane_snapshot(snap.output_grid, hidden_ranges=(None,)), (0, 1))
    assert unbounded is not None and unbounded.legend == Legend("range", -2.0, 2.0)
    assert unbounded.levels.tolist() == [[0, 6], [9, 11]]  # -2, 0, 1, 2 over ±2
    inp = ColourField().field(snap, (-1, 1))
    assert inp is not None and inp.title == "input x2" and inp.legend == Legend("range", -1.0, 1.0)
    missing = ColourField().field(snap, (5, 0))  # no such neuron: the output
    assert missing is not None and missing.title == "output"


def test_softmax_fields() -> None:
    out = np.array([[[0.9, 0.05, 0.05], [0.2, 0.3, 0.5]]], dtype=np.float32)
    snap = plane_snapshot(out, class_names=("a", "b", "c"))
    field = ColourField().field(snap, None)
    # Confidence (p - 1/3) / (2/3): 0.85 (level 5 of class 0), 0.25 (level 2 of class 2).
    assert field is not None and field.legend == Legend("classes", index=3)
    assert field.levels.tolist() == [[5, 2 * 6 + 2]]
    discrete = ColourField().field(snap, None, discretize=True)
    assert discrete is not None and discrete.levels.tolist() == [[5, 17]]
    prob = ColourField().field(snap, (1, 1))  # the output layer, class b
    assert prob is not None and prob.title == "P(b)" and prob.legend == Legend("prob", index=1)
    assert prob.levels.tolist() == [[6 + 0, 6 + 2]]  # p = 0.05 and 0.3 on class b's levels


def test_no_plane_no_field() -> None:
    assert ColourField().field(snapshot(), None) is None


def test_thumbnail_levels() -> None:
    out = np.array([[0.0, 0.2], [0.7, 1.0]], dtype=np.float32)
    snap = plane_snapshot(out)
    memory = BinMemory(keep_all=True)
    pal, levels = thumbnail_levels(snap, 1, 0, 1, 1, memory, 0.3)  # the output, one pixel: out[1, 1]
    assert pal is diverging_palette() and levels.tolist() == [[11]]
    _, hidden = thumbnail_levels(snap, 0, 0, 2, 2, memory, 0.3)
    assert hidden.tolist() == [[0, 2], [9, 11]]
    assert len(memory._bins) == 2  # one memory per unit
    with pytest.raises(AssertionError):
        thumbnail_levels(snap, 0, 7, 2, 2, memory, 0.3)


# --- charts: round ticks and braille dots ------------------------------------------------------
from tui_nn.render.chart import braille_dots, decade_label, linear_ticks, log_ticks, nice_step, tick_labels  # noqa: E402
from tui_nn.render.layout import axis_label_width, plane_ticks  # noqa: E402


def _round(step: float) -> bool:
    m = step / 10 ** np.floor(np.log10(step))
    return bool(np.isclose(m, [1.0, 2.0, 5.0]).any())


@pytest.mark.parametrize("hi", [283.3, 494.0, 769.0, 7.0, 1.0, 60.0, 100_000.0])
def test_epoch_ticks_are_round_integers(hi: float) -> None:
    ticks, step = linear_ticks(0.0, hi, 6, integer=True)
    assert 2 <= len(ticks) <= 6 and ticks[0] == 0.0
    assert step >= 1 and step == int(step) and _round(step)
    assert np.allclose(np.diff(ticks), step)  # evenly spaced
    labels = tick_labels(ticks, step)
    assert all("." not in s and "e" not in s for s in labels), labels
    # The review's "0.0 141.7 283.3": whole numbers at round values instead.
    assert tick_labels(*linear_ticks(0.0, 283.3, 4, integer=True)) == ["0", "100", "200"]


def test_linear_and_log_tick_labels_are_short() -> None:
    ticks, step = linear_ticks(0.0, 0.8, 5)
    assert tick_labels(ticks, step) == ["0", "0.2", "0.4", "0.6", "0.8"]
    assert tick_labels(*linear_ticks(0.0, 2e-6, 3)) == ["0", "1e-6", "2e-6"]
    assert tick_labels([0.0, 5000.0, 10000.0, 15000.0], 5000.0) == ["0", "5k", "10k", "15k"]
    assert [decade_label(e) for e in (-6, -4, -2, 0, 2, 5)] == ["1e-6", "1e-4", "0.01", "1", "100", "1e5"]
    assert log_ticks(-6, -1, 6) == [-6, -5, -4, -3, -2, -1]
    assert log_ticks(-6, -1, 3) == [-6, -4, -2]  # every second decade
    assert nice_step(0.7, 4) == 0.5 and nice_step(283.3, 4) == 100.0


def test_braille_dots_draw_lines_and_owners() -> None:
    # A diagonal from the bottom-left to the top-right over 2 x 1 cells (4 x 4 dots).
    dots = braille_dots([([0.0, 1.0], [0.0, 1.0])], (0.0, 1.0), (0.0, 1.0), 2, 1)
    assert dots.bits.shape == (1, 2) and (dots.bits > 0).all()
    assert dots.bits[0, 0] & 0x40  # bottom-left dot of the left cell
    assert dots.bits[0, 1] & 0x08  # top-right dot ... top row, right column of the right cell
    assert dots.owner.tolist() == [[0, 0]]
    # Two series: the later one owns the cells it draws; none is -1.
    two = braille_dots([([0.0, 1.0], [0.0, 0.0]), ([0.0, 1.0], [1.0, 1.0])], (0.0, 1.0), (0.0, 1.0), 4, 2)
    assert two.owner[1].tolist() == [0, 0, 0, 0] and two.owner[0].tolist() == [1, 1, 1, 1]
    assert two.chars(0) == chr(0x2800 + 0x09) * 4  # the top dot row: dots 1 and 4
    empty = braille_dots([([np.nan], [np.nan])], (0.0, 1.0), (0.0, 1.0), 3, 2)
    assert not empty.bits.any() and (empty.owner == -1).all() and empty.chars(0) == "   "


def test_plane_ticks_and_layout_with_ticks() -> None:
    assert plane_ticks(6.0, 3) == [-6.0, 0.0, 6.0]
    assert plane_ticks(6.0, 5) == [-6.0, -3.0, 0.0, 3.0, 6.0]
    assert plane_ticks(1.5, 5) == [-1.0, 0.0, 1.0]  # a truth table's corners 0 and 1
    assert axis_label_width(6.0) == 3 and axis_label_width(1.5) == 3
    g = PlaneLayout.fit(40, 22, axis_w=3)
    assert (g.rows, g.cols, g.x0, g.tick_y, g.caption_y, g.axis_w) == (18, 36, 3, 18, 21, 3)
    assert g.cols == 2 * g.rows  # still square
    xs, ys = g.ticks(6.0)
    assert [t.text for t in xs] == ["-6", "-3", "0", "3", "6"] and all(t.y == 18 for t in xs)
    assert xs[0].x == g.x0 and xs[-1].x + len(xs[-1].text) == g.x0 + g.cols
    assert [t.text for t in ys] == ["6", "3", "0", "-3", "-6"] and ys[0].y == 0 and ys[-1].y == g.rows - 1
    assert all(t.x + len(t.text) == g.x0 - 1 for t in ys)  # right-aligned, a space before the plane
    # No room: no ticks, as before.
    assert PlaneLayout.fit(10, 6, axis_w=3).tick_y == -1
    assert PlaneLayout.fit(10, 6, axis_w=3) == PlaneLayout.fit(10, 6)
