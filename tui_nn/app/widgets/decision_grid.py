"""The plane picture: the network's output (or one neuron) over the input plane.

Every cell is a half block ``▀`` whose foreground is the upper pixel and whose
background is the lower one, so a cell carries two pixels. What to show and
how it maps onto colours, where the data points go and which cells are equal
is worked out by ``tui_nn.render`` (plain NumPy); this widget turns the cells
into strips (:class:`CellPainter`), adds the caption and leaves repainting
the rows that changed, within the byte budget, to :class:`LinesWidget`.

A large network is pictured on a coarser plane than the widget asks for
(the caption then says "(coarse)"); its pictures are sampled up to the
widget's pixels. A hidden neuron is drawn from ``snap.focus_grid`` when the
snapshot carries it as its focus (the app asks for the selected one), else
from its thumbnail grid; a neuron of a large layer that the snapshot has no
picture of yet gets a sentence saying its picture is on its way.
"""

from __future__ import annotations

import re

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.reactive import var
from textual.strip import Strip

from ...data.synthetic import shown_class_name
from ...i18n import _
from ...render.cells import Cells, encode, sample
from ...render.colors import ANSI_CLASS, SHADES, point_rgb
from ...render.field import ColourField, Field, Legend, unpictured
from ...render.layout import PlaneLayout, axis_label_width
from ...render.palette import class_palette, diverging_palette
from ...render.points import point_layer
from ...training.snapshot import Snapshot
from .cell_styles import HALF, MONO_TEST, MONO_TRAIN, TEST_GLYPH, TRAIN_GLYPH, CellPainter
from .colors import StyleCache, color_mode, palette_color, to_color
from .redraw import LatestMessage, SnapshotWidget

__all__ = ["DecisionGrid", "HALF", "TEST_GLYPH", "TRAIN_GLYPH", "caption_segments", "caption_title", "coarse",
           "tabular_message", "unpictured_message"]


def tabular_message(snap: Snapshot) -> str:
    """What the plane says for data that has no plane (e.g. Iris)."""
    n = snap.sizes[0] if snap.sizes else len(snap.input_names)
    name = snap.dataset_name
    metric = "RMSE" if snap.task == "regression" else _("accuracy")
    if name:
        message = _("{name} has {count} inputs: no plane to draw. Watch the loss and {metric} instead, "
                    "and the network view for the weights.")
    else:
        message = _("This data set has {count} inputs: no plane to draw. Watch the loss and {metric} instead, "
                    "and the network view for the weights.")
    return message.format(name=name.capitalize(), count=n, metric=metric)


def unpictured_message(snap: Snapshot, layer: int, index: int) -> str:
    """What the plane says for a neuron of a large layer that the snapshot has no picture of."""
    size = snap.sizes[layer + 1] if layer + 1 < len(snap.sizes) else 0
    shown = snap.neuron_grids[layer].shape[2] if layer < len(snap.neuron_grids) else 0
    return _("Layer {layer} neuron {index} of {size}: its picture is on its way (snapshots of a large network "
             "picture the first {shown} neurons of each layer and the one selected).").format(
        layer=layer + 1, index=index + 1, size=size, shown=shown)


_NEURON_TITLE = re.compile(r"layer (\d+) neuron (\d+)(?: \((.*)\))?")


def caption_title(title: str) -> str:
    """A picture's title (``render.field``'s, in English) in the current language:
    "output", "input x1", "layer 1 neuron 3 (tanh)"; "P(class)" as it is."""
    if title == "output":
        return _("output")
    if title.startswith("input "):
        return _("input {name}").format(name=title[len("input "):])
    neuron = _NEURON_TITLE.fullmatch(title)
    if neuron:
        layer, index, act = neuron.groups()
        words = _("layer {layer} neuron {index}").format(layer=layer, index=index)
        return f"{words} ({act})" if act else words
    return title


def coarse(snap: Snapshot, field: Field, pixels: tuple[int, int]) -> bool:
    """True when a large network's picture is coarser than the plane's pixels (cols, rows)."""
    rows, cols = field.levels.shape[:2]
    return bool(snap.summarised) and (rows < pixels[1] or cols < pixels[0])


def _legend_segments(legend: Legend, mode: str, base: Style, styles: StyleCache, colours: ColourField) -> list[Segment]:
    """The colour scale: lo ... hi over the diverging scale, or 0 ... 1 for a class's probability."""
    if legend.kind == "range":
        pal = diverging_palette(colours.levels)
        entries = list(range(0, len(pal), max(len(pal) // 8, 1)))
        ends = (f"{legend.lo:.3g} ", f" {legend.hi:.3g}")
    elif legend.kind == "prob":
        pal = class_palette(max(legend.index + 1, 2), colours.class_levels)
        entries = [legend.index * pal.bins + j for j in range(pal.bins)]
        ends = ("0 ", " 1")
    else:
        return []
    if mode == "mono":
        scale = [Segment(SHADES, base)]
    else:
        scale = [Segment(" ", styles.get(None, palette_color(pal, i, mode))) for i in entries]
    return [Segment(ends[0], base), *scale, Segment(ends[1], base)]


def caption_segments(snap: Snapshot, field: Field, mode: str, base: Style, styles: StyleCache,
                     colours: ColourField, show_test: bool, width: int | None = None,
                     is_coarse: bool = False) -> list[Segment]:
    """The line under the plane: title (and "(coarse)" for a large net's picture drawn
    on fewer pixels than the plane has), axes, colour scale and the data points' key.

    With ``width``, only the parts that fit whole (in that order): nothing is cut.
    """
    title = [Segment(f" {caption_title(field.title)}", base + Style(bold=True))]
    if is_coarse:
        title.append(Segment(" " + _("(coarse)"), base + Style(dim=True)))
    groups = [title, [Segment(f"  x1 → x2 ↑ ±{snap.extent:g}  ", base)]]
    groups.append(_legend_segments(field.legend, mode, base, styles, colours))
    if snap.task != "regression" and snap.train_points is not None:
        names = tuple(map(shown_class_name, snap.class_names)) or tuple(str(i) for i in range(2))
        for c, name in enumerate(names):
            if mode == "mono":
                groups.append([Segment(f"  {MONO_TRAIN[c % len(MONO_TRAIN)]} {name}", base)])
                continue
            color = to_color(ANSI_CLASS[c % len(ANSI_CLASS)][0] if mode == "ansi" else point_rgb(c), mode)
            groups.append([Segment("  ", base), Segment(TRAIN_GLYPH, styles.get(color, None, bold=True)),
                           Segment(f" {name}", base)])
    if show_test and snap.test_points is not None:
        glyph = MONO_TEST[0] if mode == "mono" else TEST_GLYPH
        groups.append([Segment(f"  {glyph} " + _("test"), base)])
    segs: list[Segment] = []
    used = 0
    for group in groups:
        n = sum(seg.cell_length for seg in group)
        if width is not None and used + n > width:
            break
        segs += group
        used += n
    return segs


class DecisionGrid(SnapshotWidget, can_focus=False):
    """Heatmap of the output (or a selected neuron) over the plane, with the data points.

    Public API:

    * ``update_snapshot(snap)``: draw a new snapshot (repaints changed rows only);
    * ``show_neuron(layer, index)``: show one neuron large (layer -1 = inputs,
      0.. = hidden layers; the output layer or ``index=None`` = the output);
    * ``show_output()``: back to the network's output;
    * ``desired_grid()`` -> ``(cols, rows)`` in pixels, what to ask the trainer
      for (``trainer.snapshot(grid=...)``); a ``GridSizeChanged`` message is
      posted when it changes;
    * ``show_test``, ``discretize``, ``monochrome``, ``keep_aspect``: toggles;
      ``force_mode`` ("truecolor" | "256" | "ansi" | "mono" | None = detect) sets the colours.
    """

    DEFAULT_CSS = """
    DecisionGrid {
        width: 1fr;
        height: 1fr;
        min-height: 3;
    }
    """
    KIND = "plane"

    show_test: var[bool] = var(False, init=False)
    discretize: var[bool] = var(False, init=False)
    monochrome: var[bool] = var(False, init=False)  # force shading even with colour
    keep_aspect: var[bool] = var(True, init=False)  # square plane (half blocks are ~square)
    force_mode: var[str | None] = var(None, init=False)  # "truecolor" | "256" | "ansi" | "mono" | None (auto)

    class GridSizeChanged(LatestMessage):
        """The plane's size in pixels changed: ask the trainer for ``(cols, rows)``."""

        def __init__(self, grid: DecisionGrid, cols: int, rows: int) -> None:
            super().__init__(grid)
            self.grid = grid
            self.cols = cols
            self.rows = rows

    def __init__(self, snapshot: Snapshot | None = None, *, name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(snapshot, name=name, id=id, classes=classes)
        self._view: tuple[int, int] | None = None  # None = output
        self.colours = ColourField()  # levels, class levels and hysteresis of the picture
        self.compact_colors = True  # 256-colour codes on truecolor terminals (fewer bytes)
        self.frames = 0  # pictures built (for tests and measurements)
        self._styles = StyleCache()
        self._painter: CellPainter | None = None
        self._painted_for: tuple[object, ...] | None = None  # what the painter and the rows were made for
        self._cells: Cells | None = None  # the plane's cells, and their rows as strips
        self._rows: list[Strip] = []
        self._caption: tuple[list[Segment], Strip] = ([], Strip([]))
        self._mode = "truecolor"
        self._title = ""
        self._last_desired: tuple[int, int] | None = None

    # ---- public API --------------------------------------------------------------
    @property
    def view(self) -> tuple[int, int | None] | None:
        """``None`` when showing the output, else ``(layer, index)``."""
        return self._view

    @property
    def color_mode(self) -> str:
        return self._mode

    @property
    def title(self) -> str:
        return self._title

    def show_neuron(self, layer: int, index: int | None) -> None:
        """Show one neuron's heatmap: layer -1 = inputs, 0.. = hidden layers.

        The output layer (``layer == number of hidden layers``) shows the
        output, or with softmax the probability of class ``index``;
        ``index=None`` always shows the output.
        """
        if index is None:
            self.show_output()
            return
        self._view = (int(layer), int(index))
        self._rebuild(force=True)

    def show_output(self) -> None:
        self._view = None
        self._rebuild(force=True)

    def desired_grid(self) -> tuple[int, int]:
        """(cols, rows) in pixels for the current content size (rows = 2 x cell rows)."""
        return self._layout().pixels

    @property
    def plane_box(self) -> tuple[int, int, int, int]:
        """(x, y, cols, rows) of the plane within the content area, in cells."""
        g = self._layout()
        return (g.x0, 0, g.cols, g.rows)

    def cell_of(self, x1: float, x2: float) -> tuple[int, int]:
        """The content cell (x, y) where plane point (x1, x2) is drawn."""
        return self._layout().cell_of(x1, x2, self._snap.extent if self._snap is not None else 0.0)

    def draw_snapshot(self) -> None:
        self._rebuild()

    # ---- reactive toggles and Textual hooks ------------------------------------------
    def watch_show_test(self, _value: bool) -> None:
        self._rebuild()

    def watch_discretize(self, _value: bool) -> None:
        self._rebuild()

    def watch_monochrome(self, _value: bool) -> None:
        self._rebuild(force=True)

    def watch_force_mode(self, _value: str | None) -> None:
        self._rebuild(force=True)

    def watch_keep_aspect(self, _value: bool) -> None:
        self._rebuild(force=True)
        self._post_size()

    def on_mount(self) -> None:
        self._rebuild(force=True)

    def on_resize(self, _event: events.Resize) -> None:
        self._rebuild(force=True)
        self._post_size()

    def language_changed(self) -> None:
        self._rebuild(force=True)

    def _layout(self) -> PlaneLayout:
        width, height = self.size
        snap = self._snap
        extent = snap.extent if snap is not None and snap.extent > 0 else 6.0
        return PlaneLayout.fit(width, height, self.keep_aspect, axis_w=axis_label_width(extent))

    def _post_size(self) -> None:
        grid = self.desired_grid()
        if grid != self._last_desired and grid[0] > 0 and grid[1] > 0:
            self._last_desired = grid
            self.post_message(self.GridSizeChanged(self, *grid))

    # ---- drawing ----------------------------------------------------------------------
    def _rebuild(self, force: bool = False) -> None:
        if not self.can_draw:
            return
        layout = self._layout()
        snap = self._snap
        if snap is not None and unpictured(snap, self._view):
            self._show_message(layout, snap)  # a large layer's neuron: its picture is on its way
            return
        field = self.colours.field(snap, self._view, self.discretize) if snap is not None else None
        if snap is None or field is None or layout.rows <= 0:
            self._show_message(layout, snap)
            return
        self._title = field.title
        mode = color_mode(self.app, self.monochrome, self.force_mode, self.compact_colors)
        base = self.rich_style
        painter = self._painter_for(layout, field, mode, base, snap.task == "regression")
        if painter is not self._painter:
            force = True
            self._painter = painter
        cells = self._encode(snap, layout, field, painter)
        self.frames += 1
        caption = self._caption_strip(snap, field, layout, base)
        lines = self._lines(layout, cells, caption, base, force)
        self._add_ticks(lines, layout, snap.extent, base)
        self.set_lines(lines, force=force)
        self._post_size()

    def _painter_for(self, layout: PlaneLayout, field: Field, mode: str, base: Style,
                     regression: bool) -> CellPainter:
        """The painter for this layout, palette and mode; a new one (repaint all) when they change."""
        context = (layout, mode, field.palette.name, base, regression)
        if context == self._painted_for and self._painter is not None:
            return self._painter
        self._painted_for = context
        self._mode = mode
        return CellPainter(field.palette, mode, base, self._styles, regression=regression,
                           point_levels=self.colours.levels)

    def _encode(self, snap: Snapshot, layout: PlaneLayout, field: Field, painter: CellPainter) -> Cells:
        pcols, prows = layout.pixels
        pixels = field.levels
        if pixels.shape != (prows, pcols):
            pixels = sample(pixels, prows, pcols)
        points = point_layer(snap, prows, pcols, self.show_test, self.colours.levels)
        return encode(pixels, painter.canon, painter.shades, points)

    def _lines(self, layout: PlaneLayout, cells: Cells, caption: Strip | None, pad: Style,
               force: bool) -> list[Strip]:
        """Every row of the widget; plane rows whose cells did not change keep their strips."""
        painter = self._painter
        assert painter is not None
        width = layout.width
        left = Segment(" " * layout.x0, pad) if layout.x0 else None
        right_n = width - layout.x0 - layout.cols
        right = Segment(" " * right_n, pad) if right_n > 0 else None
        changed = cells.changed_rows(None if force else self._cells)
        if len(self._rows) != cells.shape[0]:
            self._rows = [Strip([])] * cells.shape[0]
        rows = changed.nonzero()[0].tolist()
        for y, strip in zip(rows, painter.strips(cells, rows, left, right, width)):
            self._rows[y] = strip
        self._cells = cells
        lines = [*self._rows, *[Strip.blank(width, pad)] * (layout.height - layout.rows)]
        if caption is not None:
            lines[layout.caption_y] = caption
        return lines

    def _add_ticks(self, lines: list[Strip], layout: PlaneLayout, extent: float, base: Style) -> None:
        """The x1 tick labels under the plane and the x2 ones left of it, written into ``lines``."""
        xs, ys = layout.ticks(extent)
        if not xs and not ys:
            return
        style = base + Style(dim=True)
        x0, width = layout.x0, layout.width
        for t in ys:
            if 0 <= t.y < len(lines):
                pad = Segment(" " * t.x + t.text + " " * (x0 - t.x - len(t.text)), style)
                lines[t.y] = Strip.join([Strip([pad], x0), lines[t.y].crop(x0, width)])
        if xs and 0 <= layout.tick_y < len(lines):
            row = [" "] * width
            for t in xs:
                row[t.x: t.x + len(t.text)] = list(t.text)
            lines[layout.tick_y] = Strip([Segment("".join(row), style)], width)

    def _caption_strip(self, snap: Snapshot, field: Field, layout: PlaneLayout, base: Style) -> Strip | None:
        if layout.caption_y < 0:
            return None
        segs = caption_segments(snap, field, self._mode, base, self._styles, self.colours, self.show_test,
                                layout.width, coarse(snap, field, layout.pixels))
        if segs != self._caption[0]:
            self._caption = (segs, Strip(segs).adjust_cell_length(layout.width, base))
        return self._caption[1]

    def _show_message(self, layout: PlaneLayout, snap: Snapshot | None) -> None:
        if snap is None:
            msg = _("No run yet.")
        elif snap.output_grid is None:
            msg = tabular_message(snap)
        elif unpictured(snap, self._view) and self._view is not None:
            msg = unpictured_message(snap, *self._view)
        else:
            msg = _("Too small to draw the plane.")
        width, height = layout.width, layout.height
        context = ("message", msg, width, height)
        self._title = ""
        self._cells = None
        console = self.app.console
        lines = Text(msg, justify="center").wrap(console, max(width - 2, 1))
        base = self.rich_style
        strips = [Strip.blank(width, base)] * height
        top = max((height - len(lines)) // 2, 0)
        for i, line in enumerate(lines[: max(height - top, 0)]):
            segs = [Segment(s.text, base + s.style if s.style else base) for s in line.render(console)]
            strips[top + i] = Strip([Segment(" ", base), *segs]).adjust_cell_length(width, base)
        self.set_lines(strips, force=context != self._painted_for)
        self._painted_for = context
