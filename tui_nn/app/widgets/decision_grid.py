"""The plane picture: the network's output (or one neuron) over the input plane.

Drawn through Textual's Line API: every cell is a half block ``▀`` whose
foreground is the upper pixel and whose background is the lower one, so a
cell carries two pixels. Values are quantised to a few colour levels, styles
are created once per colour pair, runs of equal cells are merged into one
segment, and after a new snapshot only the rows that changed are repainted.
"""

from __future__ import annotations

from dataclasses import dataclass
from time import monotonic

import numpy as np
from rich.color import ColorSystem
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Region
from textual.message import Message
from textual.reactive import var
from textual.strip import Strip
from textual.widget import Widget

from ...training.snapshot import Snapshot
from . import colors as C
from ._lines import color_system_of, strip_cost

__all__ = ["DecisionGrid", "TRAIN_GLYPH", "TEST_GLYPH", "tabular_message"]

TRAIN_GLYPH = "●"
TEST_GLYPH = "◆"
HALF = "▀"
# Without colour the class is told by the glyph: train lower case, test upper case.
MONO_TRAIN = "ox+*%&@~"
MONO_TEST = "OX#=$?!^"

# Cell keys (int32): a plain cell is top * P + bottom (palette indices) in colour,
# or a shade index 0..4 in mono; a cell with a data point is
# (1 + kind) << 20 | colour << 10 | palette index of the pixel under it.
_POINT = 1 << 20
_REG_POINT = 512  # point colours from here on are regression levels


def tabular_message(snap: Snapshot) -> str:
    """What the plane says for data that has no plane (e.g. Iris)."""
    n = snap.sizes[0] if snap.sizes else len(snap.input_names)
    name = str(snap.extra.get("dataset", "")) if snap.extra else ""
    what = f"{name.capitalize()} has" if name else "This data set has"
    metric = "RMSE" if snap.task == "regression" else "accuracy"
    return (
        f"{what} {n} inputs: no plane to draw. "
        f"Watch the loss and {metric} instead, and the network view for the weights."
    )


@dataclass(frozen=True)
class _Layout:
    width: int
    height: int
    rows: int  # cell rows of the plane
    cols: int  # cell columns (= pixel columns)
    x0: int  # left margin (plane centred)
    caption_y: int  # -1 if there is no room for a caption

    @property
    def pixels(self) -> tuple[int, int]:
        return (self.cols, self.rows * 2)


class DecisionGrid(Widget, can_focus=False):
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
      ``force_mode`` ("truecolor" | "ansi" | "mono" | None = detect) sets the colours.
    """

    DEFAULT_CSS = """
    DecisionGrid {
        width: 1fr;
        height: 1fr;
        min-height: 3;
    }
    """

    show_test: var[bool] = var(False, init=False)
    discretize: var[bool] = var(False, init=False)
    monochrome: var[bool] = var(False, init=False)  # force shading even with colour
    keep_aspect: var[bool] = var(True, init=False)  # square plane (half blocks are ~square)
    force_mode: var[str | None] = var(None, init=False)  # "truecolor" | "ansi" | "mono" | None (auto)

    class GridSizeChanged(Message):
        """The plane's size in pixels changed: ask the trainer for ``(cols, rows)``."""

        def __init__(self, grid: "DecisionGrid", cols: int, rows: int) -> None:
            super().__init__()
            self.grid = grid
            self.cols = cols
            self.rows = rows

        @property
        def control(self) -> "DecisionGrid":
            return self.grid

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, DecisionGrid.GridSizeChanged) and message.grid is self.grid

    def __init__(
        self,
        snapshot: Snapshot | None = None,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._snap: Snapshot | None = snapshot
        self._view: tuple[int, int | None] | None = None  # None = output
        self._geom: _Layout | None = None
        self._keys: np.ndarray | None = None
        self._strips: list[Strip] = []
        self._paint_key: tuple | None = None
        self._decoded: dict[int, tuple[str, Style | None]] = {}
        self._styles = C.StyleCache()
        self._palette: C.Palette = C.diverging_palette(C.LEVELS)
        self._mode = "truecolor"
        self._caption: list[Segment] = []
        self._last_desired: tuple[int, int] | None = None
        self._title = ""
        self._prev_levels: dict = {}
        self._shown: np.ndarray | None = None  # keys of what is on screen, per row
        self._age = np.zeros(0, dtype=np.int32)  # frames each row has waited
        self._flush_timer = None
        self._overhead: dict[Style, int] = {}
        self._canon_cache: dict = {}
        self._base = Style()
        self._color_system = ColorSystem.TRUECOLOR
        # Output budget (a token bucket, estimated bytes): at most ``max_rate``
        # bytes/s on average and ``burst`` at once; None = no limit.
        self.max_rate: float | None = 20_000.0
        self.burst = 16_000.0
        self._tokens = self.burst
        self._tokens_at = monotonic()
        self.flush_interval = 0.05  # shortest wait before painting rows left waiting
        self.compact_colors = True  # 256-colour codes on truecolor terminals (fewer bytes)
        self.pending_rows = 0
        self.bytes_estimate = 0
        self.levels = C.LEVELS  # colours of the orange-white-blue scale
        self.class_levels = C.CLASS_LEVELS  # confidence levels per class (softmax)
        self.hysteresis = C.HYSTERESIS  # 0 = none; see colors.bin_values
        self.frames = 0  # rebuilds done (for tests and measurements)
        self.rows_repainted = 0  # rows rebuilt by the last update

    # ---- public API --------------------------------------------------------------
    @property
    def snapshot(self) -> Snapshot | None:
        return self._snap

    @property
    def view(self) -> tuple[int, int | None] | None:
        """``None`` when showing the output, else ``(layer, index)``."""
        return self._view

    @property
    def color_mode(self) -> str:
        return self._mode

    def update_snapshot(self, snap: Snapshot | None) -> None:
        self._snap = snap
        self._rebuild()

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
        return self._compute_layout().pixels

    @property
    def title(self) -> str:
        return self._title

    @property
    def plane_box(self) -> tuple[int, int, int, int]:
        """(x, y, cols, rows) of the plane within the content area, in cells."""
        g = self._compute_layout()
        return (g.x0, 0, g.cols, g.rows)

    def cell_of(self, x1: float, x2: float) -> tuple[int, int]:
        """The content cell (x, y) where plane point (x1, x2) is drawn."""
        g = self._compute_layout()
        extent = (self._snap.extent if self._snap is not None else 0.0) or 1.0
        pr, pc = _pixel_coords(np.array([[x1, x2]]), extent, g.rows * 2, g.cols)
        return (g.x0 + int(pc[0]), int(pr[0]) // 2)

    def point_at(self, x: int, y: int) -> tuple[float, float] | None:
        """The plane point (x1, x2) at the centre of content cell (x, y), or None."""
        g = self._compute_layout()
        if self._snap is None or not (g.x0 <= x < g.x0 + g.cols and 0 <= y < g.rows):
            return None
        e = self._snap.extent or 1.0
        return (-e + (x - g.x0 + 0.5) * 2 * e / g.cols, e - (y + 0.5) * 2 * e / g.rows)

    # ---- reactive toggles ----------------------------------------------------------
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

    # ---- Textual hooks -----------------------------------------------------------------
    def on_mount(self) -> None:
        self._rebuild(force=True)

    def on_resize(self, _event: events.Resize) -> None:
        self._rebuild(force=True)
        self._post_size()

    def render_line(self, y: int) -> Strip:
        strips = self._strips
        if 0 <= y < len(strips):
            return strips[y]
        return Strip.blank(self.size.width, self.rich_style)

    # ---- layout ----------------------------------------------------------------------
    def _compute_layout(self) -> _Layout:
        width, height = self.size
        caption = 1 if height >= 3 else 0
        avail = max(height - caption, 0)
        if self.keep_aspect:
            rows = min(avail, width // 2)
            cols = rows * 2
        else:
            rows, cols = avail, width
        x0 = (width - cols) // 2
        return _Layout(width, height, rows, cols, x0, height - 1 if caption else -1)

    def _post_size(self) -> None:
        grid = self.desired_grid()
        if grid != self._last_desired and grid[0] > 0 and grid[1] > 0:
            self._last_desired = grid
            self.post_message(self.GridSizeChanged(self, *grid))

    # ---- what to draw ------------------------------------------------------------------
    def _field(self, snap: Snapshot) -> tuple[C.Palette, np.ndarray, str, tuple | None] | None:
        """(palette, level indices at the snapshot's resolution, title, legend)."""
        out = snap.output_grid
        if out is None:
            return None
        view = self._view
        n_hidden = len(snap.neuron_grids)
        if view is not None:
            layer, index = view
            if layer == -1 and snap.input_grids is not None and 0 <= index < snap.input_grids.shape[2]:
                g = snap.input_grids[:, :, index]
                lo, hi = C.neuron_range(g)
                name = snap.input_names[index] if index < len(snap.input_names) else f"input {index + 1}"
                return self._diverging(g, lo, hi, None, f"input {name}", (lo, hi))
            if 0 <= layer < n_hidden and 0 <= index < snap.neuron_grids[layer].shape[2]:
                g = snap.neuron_grids[layer][:, :, index]
                act = snap.activations[layer] if layer < len(snap.activations) else None
                lo, hi = C.neuron_range(g, act)
                title = f"layer {layer + 1} neuron {index + 1}" + (f" ({act})" if act else "")
                return self._diverging(g, lo, hi, None, title, (lo, hi))
            if layer == n_hidden and out.ndim == 3 and 0 <= index < out.shape[2]:
                k = out.shape[2]
                pal = C.class_palette(k, self.class_levels)
                j = self._bin(pal, out[:, :, index], ("prob", index))
                name = snap.class_names[index] if index < len(snap.class_names) else str(index)
                return pal, j + index * pal.bins, f"P({name})", ("prob", index)
        # The output.
        if out.ndim == 3:
            k = out.shape[2]
            pal = C.class_palette(k, self.class_levels)
            L = pal.bins
            cls = np.argmax(out, axis=2).astype(np.int16)
            if self.discretize:
                j = np.full(cls.shape, L - 1, dtype=np.int16)
            else:
                p = np.max(out, axis=2)
                q = (p - 1.0 / k) / (1.0 - 1.0 / k)
                tag = ("classes", k)
                prev = self._prev_levels.get((tag, q.shape, pal.name))
                j = pal.index(q)
                if prev is not None and self.hysteresis > 0:
                    same = prev // L == cls
                    j = np.where(same, pal.index(q, prev % L, self.hysteresis), j).astype(np.int16)
                self._prev_levels = {(tag, q.shape, pal.name): cls * L + j}
            return pal, cls * L + j, "output", ("classes", k)
        lo, hi = snap.output_range
        centre = 0.5 * (lo + hi) if snap.task == "regression" else snap.threshold
        return self._diverging(out, lo, hi, centre, "output", (lo, hi), output=True)

    def _bin(self, pal: C.Palette, t: np.ndarray, tag) -> np.ndarray:
        """Bins of ``t`` with hysteresis against the last picture of the same thing."""
        key = (tag, t.shape, pal.name)
        prev = self._prev_levels.get(key) if self.hysteresis > 0 else None
        lv = pal.index(t, prev, self.hysteresis)
        self._prev_levels = {key: lv}
        return lv

    def _diverging(self, g, lo, hi, centre, title, legend, output: bool = False):
        t = C.map_diverging(g, lo, hi, centre)
        pal = C.diverging_palette(self.levels)
        if output and self.discretize:
            lv = np.where(t >= 0.5, pal.bins - 1, 0).astype(np.int16)
        else:
            lv = self._bin(pal, t, (title, lo, hi, centre))
        return pal, lv, title, ("range", legend)

    # ---- building rows -------------------------------------------------------------------
    def _rebuild(self, force: bool = False) -> None:
        if not self.is_mounted:
            return
        layout = self._compute_layout()
        self._geom = layout
        width, height = layout.width, layout.height
        if width <= 0 or height <= 0:
            self._strips = []
            self._keys = None
            self._shown = None
            return
        mode = C.color_mode(self.app, self.monochrome, self.force_mode, self.compact_colors)
        self._color_system = color_system_of(self)
        snap = self._snap
        field = self._field(snap) if snap is not None else None
        if field is None or layout.rows <= 0:
            self._show_message(layout, snap)
            return
        palette, levels, title, legend = field
        self._title = title
        base = self.rich_style
        context = (layout, mode, palette.name, base)
        if context != self._paint_key:
            force = True
            self._paint_key = context
            self._mode = mode
            self._palette = palette
            self._base = base
            self._decoded.clear()
        if force or len(self._strips) != height:
            self._strips = [Strip.blank(width, self.rich_style)] * height

        keys = self._cell_keys(snap, layout, palette, mode, levels)
        if self._keys is None or self._keys.shape != keys.shape:
            force = True
        self._keys = keys
        self.frames += 1

        pad_style = self.rich_style
        caption_region = None
        if layout.caption_y >= 0:
            segs = self._caption_segments(snap, title, legend, mode)
            if force or segs != self._caption:
                self._caption = segs
                self._strips[layout.caption_y] = Strip(segs).adjust_cell_length(width, pad_style)
                caption_region = Region(0, layout.caption_y, width, 1)
        self._paint(force, caption_region)

    def _paint(self, force: bool = False, extra: Region | None = None) -> None:
        """Rebuild and repaint rows whose cells differ from what is on screen.

        Textual (8.x) sends a widget's line from its left edge to the end of the
        dirty span, so each row gets one region ending at its last change.
        Output is held to ``max_rate`` bytes/s (estimated, a token bucket of
        ``burst`` bytes): the rows waiting longest go first and the rest follow
        from a timer, so a fast-changing picture sweeps over a few frames
        instead of flooding the terminal. Layout changes paint everything.
        """
        keys, layout = self._keys, self._geom
        if keys is None or layout is None:
            return
        width = layout.width
        pad_style = self.rich_style
        left = Segment(" " * layout.x0, pad_style) if layout.x0 else None
        right_n = width - layout.x0 - layout.cols
        right = Segment(" " * right_n, pad_style) if right_n > 0 else None
        n_rows = keys.shape[0]
        rate = self.max_rate
        if rate:
            now = monotonic()
            self._tokens = min(self.burst, self._tokens + (now - self._tokens_at) * rate)
            self._tokens_at = now
        if force or self._shown is None or self._shown.shape != keys.shape:
            for y in range(n_rows):
                self._strips[y] = self._row_strip(keys[y], left, right, width)
            self._shown = keys.copy()
            self._age = np.zeros(n_rows, dtype=np.int32)
            self.rows_repainted = n_rows
            self.pending_rows = 0
            self.bytes_estimate = sum(self._cost(self._strips[y], width) for y in range(n_rows))
            self._tokens -= self.bytes_estimate
            self.refresh()
            return
        diff = keys != self._shown
        rows = np.flatnonzero(diff.any(axis=1))
        budget = self._tokens if rate else float("inf")
        spent = 0
        regions = [extra] if extra is not None else []
        painted = 0
        next_cost = 0
        # Oldest waiting rows first, then top to bottom.
        order = rows[np.argsort(-self._age[rows], kind="stable")] if len(rows) else rows
        done = np.zeros(n_rows, dtype=bool)
        for y in order.tolist():
            cols = np.flatnonzero(diff[y])
            a, b = int(cols[0]), int(cols[-1]) + 1
            strip = self._row_strip(keys[y], left, right, width)
            cost = self._cost(strip, layout.x0 + b)
            if spent + cost > budget and not (painted == 0 and budget >= self.burst):
                next_cost = cost
                break
            spent += cost
            painted += 1
            self._strips[y] = strip
            self._shown[y] = keys[y]
            done[y] = True
            regions.append(Region(layout.x0 + a, y, b - a, 1))
        waiting = rows[~done[rows]] if len(rows) else rows
        self._age[done] = 0
        self._age[waiting] += 1
        if rate:
            self._tokens -= spent
        self.rows_repainted = painted
        self.pending_rows = len(waiting)
        self.bytes_estimate = spent
        if len(waiting) and self._flush_timer is None:
            wait = self.flush_interval
            if rate:
                wait = max(wait, (min(next_cost, self.burst) - self._tokens) / rate)
            self._flush_timer = self.set_timer(wait, self._flush)
        if regions:
            self.refresh(*regions)

    def _flush(self) -> None:
        self._flush_timer = None
        if self.is_mounted:
            self._paint()

    def _cost(self, strip: Strip, end: int) -> int:
        """Estimated bytes Textual writes for ``strip`` up to cell ``end``."""
        return strip_cost(strip, end, self._color_system, self._overhead)

    def _show_message(self, layout: _Layout, snap: Snapshot | None) -> None:
        width = layout.width
        if snap is None:
            msg = "No run yet."
        elif snap.output_grid is None:
            msg = tabular_message(snap)
        else:
            msg = "Too small to draw the plane."
        console = self.app.console
        text = Text(msg, justify="center")
        lines = text.wrap(console, max(width - 2, 1))
        base = self.rich_style
        strips = [Strip.blank(width, base)] * layout.height
        top = max((layout.height - len(lines)) // 2, 0)
        for i, line in enumerate(lines):
            if top + i >= layout.height:
                break
            segs = list(line.render(console))
            strips[top + i] = Strip(
                [Segment(" ", base), *(Segment(s.text, base + s.style if s.style else base) for s in segs)]
            ).adjust_cell_length(width, base)
        self._strips = strips
        self._keys = None
        self._shown = None
        self._paint_key = ("message", msg, width, layout.height)
        self._title = ""
        self.refresh()

    def _cell_keys(self, snap: Snapshot, layout: _Layout, palette: C.Palette, mode: str, levels: np.ndarray) -> np.ndarray:
        prows, pcols = layout.rows * 2, layout.cols
        levels = self._canon(palette, mode)[levels]  # equal colours, equal keys
        sr, sc = levels.shape
        if (sr, sc) != (prows, pcols):
            ri = ((np.arange(prows) + 0.5) * (sr / prows)).astype(np.intp)
            ci = ((np.arange(pcols) + 0.5) * (sc / pcols)).astype(np.intp)
            levels = levels[ri[:, None], ci[None, :]]
        top = levels[0::2].astype(np.int32)
        bottom = levels[1::2].astype(np.int32)
        if mode == "mono":
            shade = np.asarray(palette.shade, dtype=np.float32)
            s = 0.5 * (shade[top] + shade[bottom])
            keys = C.quantize(s, len(C.SHADES)).astype(np.int32)
        else:
            keys = top * len(palette) + bottom
        extent = snap.extent or 1.0
        sets = [(0, snap.train_points, snap.train_labels)]
        if self.show_test:
            sets.append((1, snap.test_points, snap.test_labels))
        for kind, pts, labels in sets:
            if pts is None or labels is None or len(pts) == 0:
                continue
            pr, pc = _pixel_coords(pts, extent, prows, pcols)
            ids = self._point_colors(snap, labels)
            bg = levels[pr, pc].astype(np.int32) if mode != "mono" else 0
            keys[pr // 2, pc] = (1 + kind) * _POINT + ids * 1024 + bg
        return keys

    def _canon(self, palette: C.Palette, mode: str) -> np.ndarray:
        """Palette index -> the first index drawn in the same colour (in ``mode``).

        256 or 16 colours merge neighbouring levels; giving them one key lets
        runs merge and keeps cells with equal halves as plain spaces.
        """
        key = (palette.name, mode)
        got = self._canon_cache.get(key)
        if got is None:
            first: dict = {}
            got = np.empty(len(palette), dtype=np.int16)
            for i in range(len(palette)):
                c = (palette.shade[i],) if mode == "mono" else palette.color(i, mode)
                got[i] = first.setdefault(c, i)
            self._canon_cache[key] = got
        return got

    def _point_colors(self, snap: Snapshot, labels: np.ndarray) -> np.ndarray:
        if snap.task == "regression":
            lo, hi = snap.output_range
            t = C.map_diverging(np.asarray(labels, dtype=np.float32), lo, hi)
            return _REG_POINT + C.diverging_palette(self.levels).index(t).astype(np.int32)
        return np.clip(np.asarray(labels).astype(np.int32), 0, _REG_POINT - 1)

    def _row_strip(self, row: np.ndarray, left: Segment | None, right: Segment | None, width: int) -> Strip:
        cuts = np.flatnonzero(row[1:] != row[:-1]) + 1
        starts = [0, *cuts.tolist()]
        ends = [*cuts.tolist(), len(row)]
        vals = row[starts].tolist()
        decode = self._decode
        segs = [left] if left is not None else []
        for a, b, key in zip(starts, ends, vals):
            char, style = decode(key)
            segs.append(Segment(char * (b - a), style))
        if right is not None:
            segs.append(right)
        return Strip(segs, width)

    def _decode(self, key: int) -> tuple[str, Style]:
        got = self._decoded.get(key)
        if got is not None:
            return got
        mode, pal, styles = self._mode, self._palette, self._styles
        if key < _POINT:
            if mode == "mono":
                got = (C.SHADES[key], self._base)
            else:
                top, bottom = divmod(key, len(pal))
                if top == bottom:
                    got = (" ", styles.get(None, pal.color(bottom, mode)))
                else:
                    got = (HALF, styles.get(pal.color(top, mode), pal.color(bottom, mode)))
        else:
            kind = key // _POINT - 1
            cid = (key % _POINT) // 1024
            bg = key % 1024
            point_pal = C.diverging_palette(self.levels)
            if cid >= _REG_POINT:
                level = cid - _REG_POINT
                cls = 1 if level >= point_pal.bins // 2 else 0
            else:
                level, cls = -1, cid
            if mode == "mono":
                glyphs = MONO_TEST if kind else MONO_TRAIN
                got = (glyphs[cls % len(glyphs)], self._base)
            else:
                glyph = TEST_GLYPH if kind else TRAIN_GLYPH
                bg_color = pal.color(bg, mode) if bg < len(pal) else None
                if mode == "ansi":
                    strong, weak = C.ANSI_CLASS[cls % len(C.ANSI_CLASS)]
                    name = strong if (bg >= len(pal) or pal.ansi[bg] != strong) else weak
                    fg = C.to_color(name, mode)
                elif level >= 0:
                    fg = C.to_color(C.darken(point_pal.rgb[level], 0.55), mode)
                else:
                    fg = C.to_color(C.point_rgb(cls), mode)
                got = (glyph, styles.get(fg, bg_color, bold=True))
        self._decoded[key] = got
        return got

    # ---- caption -----------------------------------------------------------------------
    def _caption_segments(self, snap: Snapshot, title: str, legend, mode: str) -> list[Segment]:
        base = self.rich_style
        bold = base + Style(bold=True)
        e = snap.extent
        segs = [Segment(f" {title}", bold), Segment(f"  x1 → x2 ↑ ±{e:g}  ", base)]
        styles = self._styles
        kind = legend[0] if legend else None
        if kind == "range":
            lo, hi = legend[1]
            segs.append(Segment(f"{lo:.3g} ", base))
            if mode == "mono":
                segs.append(Segment(C.SHADES, base))
            else:
                pal = C.diverging_palette(self.levels)
                for i in range(0, len(pal), max(len(pal) // 8, 1)):
                    segs.append(Segment(" ", styles.get(None, pal.color(i, mode))))
            segs.append(Segment(f" {hi:.3g}", base))
        elif kind == "prob":
            cls = legend[1]
            segs.append(Segment("0 ", base))
            if mode == "mono":
                segs.append(Segment(C.SHADES, base))
            else:
                pal = C.class_palette(max(cls + 1, 2), self.class_levels)
                for j in range(pal.bins):
                    segs.append(Segment(" ", styles.get(None, pal.color(cls * pal.bins + j, mode))))
            segs.append(Segment(" 1", base))
        # The data points' key (classes), for classification.
        if snap.task != "regression" and snap.train_points is not None:
            names = snap.class_names or tuple(str(i) for i in range(2))
            for c, name in enumerate(names):
                if mode == "mono":
                    segs.append(Segment(f"  {MONO_TRAIN[c % len(MONO_TRAIN)]} {name}", base))
                else:
                    color = C.to_color(C.ANSI_CLASS[c % len(C.ANSI_CLASS)][0] if mode == "ansi" else C.point_rgb(c), mode)
                    segs.append(Segment("  ", base))
                    segs.append(Segment(TRAIN_GLYPH, styles.get(color, None, bold=True)))
                    segs.append(Segment(f" {name}", base))
        if self.show_test and snap.test_points is not None:
            glyph = MONO_TEST[0] if mode == "mono" else TEST_GLYPH
            segs.append(Segment(f"  {glyph} test", base))
        return segs


def _pixel_coords(pts: np.ndarray, extent: float, prows: int, pcols: int) -> tuple[np.ndarray, np.ndarray]:
    """Raw plane coordinates -> (pixel row, pixel column), row 0 at the top."""
    p = np.asarray(pts, dtype=np.float64)
    scale = 1.0 / (2.0 * extent)
    pc = np.floor((p[:, 0] + extent) * scale * pcols).astype(np.intp)
    pr = np.floor((extent - p[:, 1]) * scale * prows).astype(np.intp)
    np.clip(pc, 0, pcols - 1, out=pc)
    np.clip(pr, 0, prows - 1, out=pr)
    return pr, pc

