"""Drawing TF Playground's network diagram in text: geometry, thumbnails, links, labels.

One column per layer (inputs, each hidden layer, the output), each column
centred vertically. Each neuron is a small heatmap thumbnail (half blocks,
the same colour scale as the plane), as large as the panel allows. The
links between two layers are drawn as a *fan-out strip* beside each source
neuron: one bar per neuron of the next layer, its height the weight's
magnitude (relative to the largest in that layer) and its colour the sign
(blue positive, orange negative); a weight that is exactly zero (a dead
link, as L1 regularisation leaves them) is a grey ``·``. The incoming
weights of the selected neuron are underlined in the strips to its left.

When the whole net does not fit the width, a compact geometry follows
(tighter gaps, one-cell thumbnails); when even that does not fit, the view
scrolls sideways and says how many layers lie beyond each edge.

Only the part of the diagram in view is drawn (``window``), so a net of
hundreds of units costs what the panel shows, not what the net holds.
Text is measured in terminal cells (``rich.cells.cell_len``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from ...render.cells import BLANK, encode
from ...render.colors import BLUE, DEAD, ORANGE, sign_rgb
from ...render.field import BinMemory, thumbnail_levels
from ...render.palette import HYSTERESIS, Palette
from ...training.snapshot import Snapshot
from .cell_styles import CellPainter
from .colors import StyleCache, to_color

__all__ = ["DEAD_GLYPH", "Geometry", "NetworkPainter", "Window", "fit_geometry", "more_counts"]

BARS = "▁▂▃▄▅▆▇█"
MARK = "▶"
DEAD_GLYPH = "·"  # a weight of exactly 0.0: a dead link
# Without colour the sign is told by the glyph, two strengths each.
MONO_POS = "+#"
MONO_NEG = "-="
MAX_THUMB_ROWS = 5  # thumbnails up to 10 x 10 pixels

TextCell = tuple[str, Style]


@dataclass(frozen=True)
class Window:
    """The part of the diagram in view: from (x, y), ``width`` x ``height`` cells."""

    x: int
    y: int
    width: int
    height: int


@dataclass(frozen=True)
class Geometry:
    sizes: tuple[int, ...]
    th: int  # thumbnail height in cells
    tw: int  # thumbnail width in cells
    vgap: int  # blank rows between neurons
    label_w: int  # input names, left of the input column
    out_w: int  # output labels, right of the output column
    col_x: tuple[int, ...]  # x of each column's marker cell
    gap_x: tuple[int, ...]  # x of each gap (after column k); its strip starts at gap_x + 1
    width: int  # total canvas width
    body_h: int  # total body height
    col_top: tuple[int, ...] = ()  # first row of each column (columns are centred)
    compact: bool = False  # tighter gaps (and one-cell thumbnails when tw == 1)

    @property
    def pitch(self) -> int:
        return self.th + self.vgap

    def _top(self, col: int | None) -> int:
        if col is None or not self.col_top:
            return 0
        return self.col_top[col]

    def neuron_top(self, i: int, col: int | None = None) -> int:
        """The first row of neuron ``i`` of column ``col``."""
        return self._top(col) + i * self.pitch

    def mid_row(self, i: int, col: int | None = None) -> int:
        return self.neuron_top(i, col) + (self.th - 1) // 2

    def column_start(self, col: int) -> int:
        """The x where column ``col`` starts (the input column: its names)."""
        return 0 if col == 0 else self.col_x[col]

    def column_end(self, col: int) -> int:
        """The x just right of column ``col`` (its labels, and the output's title "out", included)."""
        if col == len(self.sizes) - 1:
            return max(self.col_x[col] + 1 + self.tw + self.out_w, self.col_x[col] + len("out"))
        return self.col_x[col] + 1 + self.tw

    def strip_x(self, k: int) -> int:
        """The x of the first link of the strips between column ``k`` and the next."""
        return self.gap_x[k] + 1

    def hit(self, x: int, y: int) -> tuple[int, int] | None:
        """The neuron (column, index) drawn at body cell (x, y), if any."""
        for col, size in enumerate(self.sizes):
            if self.column_start(col) <= x < self.column_end(col):
                rel = y - self._top(col)
                if rel < 0 or rel % self.pitch >= self.th:
                    return None
                idx = rel // self.pitch
                return (col, idx) if idx < size else None
        return None


def _column_height(n: int, th: int, vgap: int) -> int:
    return n * th + max(n - 1, 0) * vgap


def _build_geometry(sizes: tuple[int, ...], label_w: int, out_w: int, th: int, tw: int, vgap: int,
                    compact: bool, avail: int, spread: int = 0) -> Geometry:
    """``spread`` extra cells after each strip (columns spread over the width)."""
    pad_r = (0 if compact else 1) + spread
    x = label_w
    col_x, gap_x = [], []
    for k in range(len(sizes)):
        col_x.append(x)
        x += 1 + tw
        if k + 1 < len(sizes):
            gap_x.append(x)
            x += 1 + sizes[k + 1] + pad_r
    x += out_w
    x = max(x, col_x[-1] + len("out")) if col_x else x  # room for the output's title
    tallest = _column_height(max(sizes, default=1), th, vgap)
    body_h = max(tallest, avail)
    tops = tuple((body_h - _column_height(n, th, vgap)) // 2 for n in sizes)
    return Geometry(sizes, th, tw, vgap, label_w, out_w, tuple(col_x), tuple(gap_x), x, body_h, tops, compact)


def fit_geometry(sizes: tuple[int, ...], names: tuple[str, ...], out_names: tuple[str, ...],
                 thumbs: bool, width: int, height: int) -> Geometry:
    """The largest thumbnails that fit ``width`` x ``height`` body cells, neurons spread
    over the height; else the one that fits the width with the least to scroll; else
    the most compact one (the view then scrolls sideways)."""
    names_w = min(max((cell_len(n) for n in names), default=2), 9)
    outs_w = min(max((cell_len(n) for n in out_names), default=3), 9) if out_names else 0
    single_out = len(out_names) <= 1
    avail = max(height, 1)
    n_max = max(sizes, default=1)
    shapes = [(th, 2 * th) for th in range(MAX_THUMB_ROWS, 0, -1)] if thumbs else [(1, 1)]
    options = [(th, tw, tight) for th, tw in shapes for tight in (False, True)]
    if thumbs:
        options.append((1, 1, True))  # one-cell thumbnails
    geos: list[tuple[Geometry, bool]] = []
    for th, tw, tight in options:
        label_w = names_w + (0 if tight else 1)
        out_w = 0 if (tight and single_out) or not out_names else outs_w + 1
        vmax = max(th, 2)
        room = (avail - n_max * th) // (n_max - 1) if n_max > 1 else vmax
        fits_h = room >= 0
        vgap = min(vmax, room) if fits_h else (1 if th == 1 and not tight and n_max * 2 - 1 <= avail else 0)
        geo = _build_geometry(sizes, label_w, out_w, th, tw, vgap, tight, avail if fits_h else 0)
        geos.append((geo, fits_h))
    for g, fits_h in geos:
        if g.width <= width and fits_h:
            return _spread(g, width)
    narrow = [g for g, _ in geos if g.width <= width]
    if narrow:
        return min(narrow, key=lambda g: g.body_h)
    return geos[-1][0]


MAX_SPREAD = 8  # extra cells per gap when there is room to spare


def _spread(geo: Geometry, width: int) -> Geometry:
    """``geo`` with its columns spread over ``width`` (wider gaps, up to MAX_SPREAD each)."""
    gaps = len(geo.gap_x)
    extra = width - geo.width
    if gaps == 0 or extra < gaps:
        return geo
    each = min(extra // gaps, MAX_SPREAD)
    g = _build_geometry(geo.sizes, geo.label_w, geo.out_w, geo.th, geo.tw, geo.vgap, geo.compact,
                        geo.body_h, each)
    return g


def more_counts(geo: Geometry, window: Window) -> tuple[int, int]:
    """How many columns lie (partly) beyond the left and the right edge of ``window``."""
    left = sum(1 for c in range(len(geo.sizes)) if geo.column_start(c) < window.x)
    right = sum(1 for c in range(len(geo.sizes)) if geo.column_end(c) > window.x + window.width)
    return left, right


def merge_cells(cells: list[TextCell]) -> Strip:
    """One segment per run of equal style."""
    if not cells:
        return Strip([])
    segs: list[Segment] = []
    run = [cells[0][0]]
    style = cells[0][1]
    for ch, st in cells[1:]:
        if st == style:
            run.append(ch)
        else:
            segs.append(Segment("".join(run), style))
            run = [ch]
            style = st
    segs.append(Segment("".join(run), style))
    return Strip(segs, len(cells))


class _Canvas:
    """The cells of a window onto the diagram; writes use diagram coordinates and are clipped.

    A wide character takes two cells (the second holds an empty string).
    """

    def __init__(self, window: Window, base: Style) -> None:
        self.window = window
        self.base = base
        self.rows: list[list[TextCell]] = [[(" ", base)] * window.width for _ in range(window.height)]

    def has_row(self, r: int) -> bool:
        return 0 <= r - self.window.y < self.window.height

    def put(self, r: int, x: int, text: str, style: Style) -> None:
        w = self.window
        if not self.has_row(r):
            return
        row = self.rows[r - w.y]
        at = x - w.x
        for ch in text:
            n = cell_len(ch)
            if n == 2:
                if 0 <= at and at + 1 < w.width:
                    row[at] = (ch, style)
                    row[at + 1] = ("", style)
                elif 0 <= at < w.width or 0 <= at + 1 < w.width:
                    row[max(at, 0)] = (" ", style)
            elif n == 1 and 0 <= at < w.width:
                row[at] = (ch, style)
            at += n

    def put_cells(self, r: int, x: int, cells: list[TextCell]) -> None:
        w = self.window
        if not self.has_row(r):
            return
        row = self.rows[r - w.y]
        a = max(x - w.x, 0)
        b = min(x - w.x + len(cells), w.width)
        if a < b:
            row[a:b] = cells[a - (x - w.x): b - (x - w.x)]

    def strips(self) -> list[Strip]:
        return [merge_cells(row) for row in self.rows]


def _cut(text: str, cells: int) -> str:
    """``text`` cut to at most ``cells`` terminal cells (never half a wide character)."""
    if cell_len(text) <= cells:
        return text
    return set_cell_size(text, max(cells, 0)).rstrip()


@dataclass(frozen=True)
class HeaderItem:
    x: int
    text: str
    style: Style
    short: str = ""  # shown instead when ``text`` does not fit the view (a column's short title)


class NetworkPainter:
    """The diagram's pieces for a snapshot: header, body (thumbnails and links), link
    legend and info line.

    ``base`` is the widget's style; ``mode`` the colour mode. Thumbnails keep
    their bins between pictures (hysteresis) until :meth:`reset`.
    """

    def __init__(self) -> None:
        self.styles = StyleCache()
        self.hysteresis = HYSTERESIS
        self.memory = BinMemory(keep_all=True)
        self._painters: dict[tuple[str, str, Style], CellPainter] = {}
        # What the header had no room for: written under the output neurons instead.
        self.note_activation = False
        self.note_loss = False

    def reset(self) -> None:
        self.memory.clear()

    # ---- header ----------------------------------------------------------------------
    @staticmethod
    def output_titles(snap: Snapshot) -> list[str]:
        """The output column's title, longest first: its activation and loss by name."""
        act, loss = snap.output_name, snap.loss_name
        titles = []
        if act and loss:
            titles += [f"out {act} · {loss} loss", f"out {act} · {loss}", f"out {act}·{loss}"]
        if act:
            titles.append(f"out {act}")
        return titles

    def header_items(self, snap: Snapshot, geo: Geometry, view_width: int, base: Style) -> list[HeaderItem]:
        """Column titles and each gap's weight range, none overlapping another or cut.

        Every column gets its short title first ("inputs", "L1", "out"); then, as
        room allows, the output's activation and loss ("out sigmoid · bce loss",
        moved left over the last gap if need be), each hidden layer's activation,
        and the weight ranges over the strips.
        """
        bold = base + Style(bold=True)
        dim = base + Style(dim=True)
        n = len(geo.sizes)
        right = max(geo.width, view_width)
        slots: list[HeaderItem | None] = []
        for k in range(n):
            x = geo.column_start(k)
            title = "inputs" if k == 0 else ("out" if k == n - 1 else f"L{k}")
            if k == 0 and n > 1 and cell_len(title) + 1 > geo.col_x[1]:
                title = "in"
            slots.append(HeaderItem(x, title, bold))

        def free(x: int, w: int, skip: int) -> bool:
            if x < 0 or x + w > right:
                return False
            for j, it in enumerate(slots):
                if j == skip or it is None:
                    continue
                # The output's title keeps two cells from its neighbour, so that
                # "L2 relu out softmax" does not read as one title.
                gap = 2 if n - 1 in (j, skip) else 1
                if not (x + w <= it.x - gap or x >= it.x + cell_len(it.text) + gap):
                    return False
            return True

        if n > 1:
            for title in self.output_titles(snap):
                w = cell_len(title)
                x = min(geo.col_x[-1], right - w)
                if free(x, w, n - 1):
                    slots[n - 1] = HeaderItem(x, title, bold, "out")
                    break
        for k in range(1, n - 1):
            act = snap.activations[k - 1] if k - 1 < len(snap.activations) else ""
            title = f"L{k} {act}"
            limit = geo.col_x[k + 1] - 1
            if act and geo.col_x[k] + cell_len(title) <= limit and free(geo.col_x[k], cell_len(title), k):
                slots[k] = HeaderItem(geo.col_x[k], title, bold, f"L{k}")
        items = [it for it in slots if it is not None]
        out_title = items[-1].text if n > 1 else ""
        self.note_activation = bool(snap.output_name) and snap.output_name not in out_title
        self.note_loss = bool(snap.loss_name) and snap.loss_name not in out_title
        for k, gx in enumerate(geo.gap_x):
            wk = snap.weights[k] if k < len(snap.weights) else None
            if wk is None or not wk.size:
                continue
            finite = np.abs(wk[np.isfinite(wk)])
            if not finite.size:
                continue
            label = f"±{float(finite.max()):.2g}"
            x = geo.strip_x(k)
            w = cell_len(label)
            if w > geo.col_x[k + 1] - x - 1:
                continue
            if any(not (x + w <= it.x - 1 or x >= it.x + cell_len(it.text) + 1) for it in items):
                continue
            items.append(HeaderItem(x, label, dim))
        return items

    @staticmethod
    def header(items: list[HeaderItem], window: Window, base: Style) -> Strip:
        """The header row of ``window``: the items wholly inside it."""
        canvas = _Canvas(Window(window.x, 0, window.width, 1), base)
        for it in items:
            for text in (it.text, it.short):
                if text and it.x >= window.x and it.x + cell_len(text) <= window.x + window.width:
                    canvas.put(0, it.x, text, it.style)
                    break
        return canvas.strips()[0]

    # ---- info line and legend -------------------------------------------------------
    def info(self, snap: Snapshot, layer: int, index: int | None, base: Style, focused: bool,
             width: int = 1000) -> Strip:
        """The selected neuron: its name, bias and weights (as many as fit; nothing cut)."""
        n_hidden = len(snap.sizes) - 2
        head = ""
        bias = ""
        label = ""
        weights: list[float] = []
        if layer == -1:
            name = snap.input_names[index] if index is not None and index < len(snap.input_names) else "?"
            head = f"input {name}"
            if snap.weights and index is not None and index < snap.weights[0].shape[0]:
                label, weights = "out w", [float(v) for v in snap.weights[0][index]]
        else:
            unit = index or 0
            if layer == n_hidden:
                act = snap.output_name
                named = index is not None and index < len(snap.class_names)
                head = "output" + (f" {snap.class_names[unit]}" if named else "")
                extra = f", {snap.loss_name} loss" if snap.loss_name else ""
                head = f"{head} ({act}{extra})" if act else head
            else:
                act = snap.activations[layer] if layer < len(snap.activations) else ""
                head = f"layer {layer + 1} neuron {unit + 1}"
                head = f"{head} ({act})" if act else head
            if layer < len(snap.biases) and unit < snap.biases[layer].shape[0]:
                bias = f"bias {float(snap.biases[layer][unit]):+.2f}"
                label, weights = "in w", [float(v) for v in snap.weights[layer][:, unit]]
        hint = "   ←↑↓→ select"
        room = width - 1
        parts = [head] + ([bias] if bias else [])
        text = " · ".join(parts)

        def with_weights(count: int) -> str:
            shown = " ".join(f"{v:+.2f}" for v in weights[:count])
            more = " …" if count < len(weights) else ""
            return f"{text} · {label} {shown}{more}"

        best = text
        if weights:
            for count in range(min(len(weights), 8), 0, -1):
                cand = with_weights(count)
                if cell_len(cand) <= room:
                    best = cand
                    break
        if cell_len(best) > room:
            best = _cut(head, room)
        if cell_len(best + hint) <= room:
            best += hint
        return Strip([Segment(" " + best, base + Style(dim=not focused))])

    def legend(self, mode: str, base: Style, width: int, right: str = "") -> Strip:
        """What the link strips mean (sign by colour, size by bar height, · = dead), as
        long as fits beside ``right`` (the "more layers" marker, which comes first)."""
        pos, neg, dead = self._legend_styles(mode, base)
        dim = base + Style(dim=True)
        if mode == "mono":
            variants = [
                [("links: ", dim), ("+ #", pos), (" w>0  ", dim), ("- =", neg), (" w<0  (# = larger |w|)  ", dim),
                 (DEAD_GLYPH, dead), (" dead (w=0)", dim)],
                [("links: ", dim), ("+#", pos), (" w>0  ", dim), ("-=", neg), (" w<0  #= larger  ", dim),
                 (DEAD_GLYPH, dead), (" dead (0)", dim)],
                [("links: ", dim), ("+#", pos), (" w>0 ", dim), ("-=", neg), (" w<0 #=strong ", dim), (DEAD_GLYPH, dead),
                 (" w=0", dim)],
                [("links: ", dim), ("+#", pos), (" w>0 ", dim), ("-=", neg), (" w<0 ", dim), (DEAD_GLYPH, dead),
                 (" w=0", dim)],
                [("+#", pos), (" w>0 ", dim), ("-=", neg), (" w<0 ", dim), (DEAD_GLYPH, dead), (" w=0", dim)],
                [("+", pos), (" ", dim), ("-", neg), (" ", dim), (DEAD_GLYPH, dead), ("0", dim)],
            ]
        else:
            neg_name = "yellow" if mode == "ansi" else "orange"
            variants = [
                [("links: ", dim), ("▆", pos), (" blue w>0  ", dim), ("▆", neg),
                 (f" {neg_name} w<0  taller = larger |w|  ", dim), (DEAD_GLYPH, dead), (" dead (w=0)", dim)],
                [("links: ", dim), ("▆", pos), (" blue +  ", dim), ("▆", neg), (f" {neg_name} −  height |w|  ", dim),
                 (DEAD_GLYPH, dead), (" dead (0)", dim)],
                [("links: ", dim), ("▆", pos), (" w>0 ", dim), ("▆", neg), (" w<0 height=|w| ", dim),
                 (DEAD_GLYPH, dead), (" w=0", dim)],
                [("▆", pos), (" w>0 ", dim), ("▆", neg), (" w<0 height=|w| ", dim), (DEAD_GLYPH, dead), (" w=0", dim)],
                [("▆", pos), (" w>0 ", dim), ("▆", neg), (" w<0 ", dim), (DEAD_GLYPH, dead), (" w=0", dim)],
                [("▆", pos), ("+ ", dim), ("▆", neg), ("- ", dim), (DEAD_GLYPH, dead), ("0", dim)],
            ]
        room = width - 1 - (cell_len(right) + 2 if right else 0)
        segs: list[Segment] = [Segment(" ", base)]
        for v in variants:
            if sum(cell_len(t) for t, _ in v) <= room:
                segs += [Segment(t, s) for t, s in v]
                break
        strip = Strip(segs)
        if right and cell_len(right) <= width:
            gap = max(width - strip.cell_length - cell_len(right), 0)
            strip = Strip([*segs, Segment(" " * gap, base), Segment(right, base + Style(bold=True))])
        return strip.crop(0, width)

    def _legend_styles(self, mode: str, base: Style) -> tuple[Style, Style, Style]:
        if mode == "mono":
            return base + Style(bold=True), base + Style(bold=True), base
        if mode == "ansi":
            pos, neg, dead = to_color("blue", mode), to_color("yellow", mode), to_color("bright_black", mode)
        else:
            pos, neg, dead = to_color(BLUE, mode), to_color(ORANGE, mode), to_color(DEAD, mode)
        get = self.styles.get
        return base + get(pos, None), base + get(neg, None), base + get(dead, None)

    # ---- body ------------------------------------------------------------------------
    def body(self, snap: Snapshot, geo: Geometry, out_names: tuple[str, ...], mode: str, base: Style,
             selected: tuple[int, int], focused: bool, window: Window | None = None) -> list[Strip]:
        """The body rows in ``window`` (default: all of it): every neuron (thumbnail, name,
        selection mark) and the links, one strip per row."""
        if window is None:
            window = Window(0, 0, geo.width, geo.body_h)
        canvas = _Canvas(window, base)
        thumbs = snap.input_grids is not None and snap.output_grid is not None
        if mode == "mono":
            mark_style = base + Style(bold=True)
        else:
            mark_style = base + Style(bold=True, color="bright_white" if focused else None, dim=not focused)
        n = len(geo.sizes)
        y0, y1 = window.y, window.y + window.height
        x0, x1 = window.x, window.x + window.width
        for k in range(n):
            cx = geo.col_x[k]
            in_view = geo.column_start(k) < x1 and geo.column_end(k) > x0
            # Only the neurons whose rows are in view.
            lo = max((y0 - geo.col_top[k] - geo.th) // geo.pitch, 0) if geo.pitch else 0
            hi = min((y1 - geo.col_top[k]) // geo.pitch + 1, geo.sizes[k]) if geo.pitch else geo.sizes[k]
            for i in range(lo, hi) if in_view else ():
                top = geo.neuron_top(i, k)
                if top >= y1 or top + geo.th <= y0:
                    continue
                mid = geo.mid_row(i, k)
                if k == 0:
                    name = snap.input_names[i] if i < len(snap.input_names) else f"x{i + 1}"
                    room = geo.label_w - (0 if geo.compact else 1)
                    name = _cut(name, room)
                    canvas.put(mid, cx - (0 if geo.compact else 1) - cell_len(name), name, base)
                if k == n - 1 and geo.out_w:
                    label = out_names[i] if i < len(out_names) else ""
                    canvas.put(mid, cx + 1 + geo.tw + 1, _cut(label, geo.out_w - 1), base)
                if (k, i) == selected:
                    canvas.put(mid, cx, MARK, mark_style)
                cells = self._thumbnail(snap, k, i, geo, thumbs, mode, base)
                for dr, row in enumerate(cells):
                    canvas.put_cells(top + dr, cx + 1, row)
            if k + 1 < n and k < len(snap.weights):
                target = selected[1] if selected[0] == k + 1 else -1
                self._links(canvas, snap.weights[k], geo, k, target, mode, base)
        self._output_note(canvas, snap, geo, base)
        return canvas.strips()

    def _output_note(self, canvas: _Canvas, snap: Snapshot, geo: Geometry, base: Style) -> None:
        """The output's activation and loss under the output neurons, when the header
        had no room for them (and the rows below are free)."""
        if len(geo.sizes) < 2 or not (self.note_activation or self.note_loss):
            return
        k = len(geo.sizes) - 1
        right = max(geo.width, canvas.window.x + canvas.window.width)
        loss = snap.loss_name
        lines = [snap.output_name] if self.note_activation else []
        if self.note_loss:
            lines.append(f"{loss} loss")
        x = geo.col_x[k] + 1  # under the thumbnail ...
        if self.note_loss and x + cell_len(lines[-1]) > right:
            lines[-1:] = ["loss", loss]
        if any(x + cell_len(t) > right for t in lines):
            x = geo.col_x[k]  # ... or from the marker's column (free below the neurons)
        row = geo.neuron_top(geo.sizes[k] - 1, k) + geo.th
        if row + len(lines) > geo.body_h or any(x + cell_len(t) > right for t in lines):
            return
        dim = base + Style(dim=True)
        for i, text in enumerate(lines):
            canvas.put(row + i, x, text, dim)

    def _links(self, canvas: _Canvas, weights: np.ndarray, geo: Geometry, k: int, target: int,
               mode: str, base: Style) -> None:
        """The fan-out strips from layer ``k`` to the next (the part in view), ``target``
        (a unit of it) underlined."""
        w = canvas.window
        sx = geo.strip_x(k)
        n_to = geo.sizes[k + 1]
        j0, j1 = max(w.x - sx, 0), min(w.x + w.width - sx, n_to)
        if j0 >= j1:
            return
        W = np.asarray(weights, dtype=np.float64)
        finite = np.isfinite(W)
        m = (float(np.max(np.abs(W[finite]))) if finite.any() else 1.0) or 1.0
        for i in range(geo.sizes[k]):
            r = geo.mid_row(i, k)
            if not canvas.has_row(r):
                continue
            row = W[i, j0:j1] if i < W.shape[0] else np.zeros(0)
            cells = [self._link_cell(float(row[j - j0]) if j - j0 < len(row) else 0.0, m, mode, base, j == target)
                     for j in range(j0, j1)]
            canvas.put_cells(r, sx + j0, cells)

    def _link_cell(self, w: float, m: float, mode: str, base: Style, underline: bool) -> TextCell:
        if not np.isfinite(w):
            return ("?", base)
        if w == 0.0:
            # A dead link (L1 regularisation sets weights to exactly zero).
            if mode == "mono":
                style = base
            else:
                color = to_color("bright_black" if mode == "ansi" else DEAD, mode)
                style = base + self.styles.get(color, None)
            return (DEAD_GLYPH, style + Style(underline=True) if underline else style)
        q = min(abs(w) / m, 1.0)
        if mode == "mono":
            chars = MONO_POS if w > 0 else MONO_NEG
            ch = chars[min(int(q * len(chars)), len(chars) - 1)]
            return (ch, base + Style(underline=underline) if underline else base)
        ch = BARS[min(int(q * len(BARS)), len(BARS) - 1)]
        if mode == "ansi":
            color = to_color("blue" if w >= 0 else "yellow", mode)
        else:
            color = to_color(sign_rgb(w, q), mode)
        style = self.styles.get(color, None)
        if underline:
            style = style + Style(underline=True)
        return (ch, base + style)

    def _thumbnail(self, snap: Snapshot, col: int, i: int, geo: Geometry, thumbs: bool, mode: str,
                   base: Style) -> list[list[TextCell]]:
        if not thumbs:
            # Tabular data: a dot coloured by the bias (inputs plain).
            if col == 0 or col - 1 >= len(snap.biases):
                return [[("●", base)]]
            b = float(snap.biases[col - 1][i])
            if mode == "mono":
                return [[("+" if b >= 0 else "-", base)]]
            q = min(abs(b), 1.0)
            color = to_color(("blue" if b >= 0 else "yellow") if mode == "ansi" else sign_rgb(b, q), mode)
            return [[("●", base + self.styles.get(color, None))]]
        gap = geo.vgap == 0 and geo.th >= 2  # keep the last pixel row blank
        palette, levels = thumbnail_levels(snap, col - 1, i, geo.th * 2 - gap, geo.tw, self.memory, self.hysteresis)
        if gap:
            levels = np.vstack([levels, np.full((1, levels.shape[1]), BLANK, dtype=levels.dtype)])
        painter = self._painter(palette, mode, base)
        return painter.grid(encode(levels, painter.canon, painter.shades))

    def _painter(self, palette: Palette, mode: str, base: Style) -> CellPainter:
        key = (palette.name, mode, base)
        painter = self._painters.get(key)
        if painter is None:
            if len(self._painters) > 16:
                self._painters.clear()
            painter = self._painters[key] = CellPainter(palette, mode, base, self.styles)
        return painter
