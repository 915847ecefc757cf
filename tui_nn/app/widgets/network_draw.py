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

A large net's snapshot holds the weights and pictures of the first neurons
of each layer only (``MAX_PICTURED``, see ``training/snapshot.py``): a column
draws those, and one more slot below them says how many are left out
("+448 more"); its strips hold a link per drawn neuron of the next layer and
a "…" for the rest, scaled by the whole layer's largest weight (from
``weight_stats``). The selection still moves over every neuron; the info line
says what the snapshot knows of it, and a line under the legend what the
snapshot summarised (``snap.summarised``). Small nets are drawn whole, as before.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from ...i18n import _
from ...render.cells import BLANK, encode
from ...render.colors import BLUE, DEAD, DIM, ORANGE, sign_rgb
from ...render.field import BinMemory, thumbnail_levels
from ...render.palette import HYSTERESIS, Palette
from ...training.snapshot import Snapshot
from .cell_styles import CellPainter
from .colors import StyleCache, to_color

__all__ = ["DEAD_GLYPH", "Canvas", "Geometry", "NetworkPainter", "Window", "fit_geometry", "layer_scale", "more_counts",
           "pictured_counts"]

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
    # Neurons of each column the snapshot pictures (() = all of them); the rest of a
    # column share one slot below them, its "+N more" marker.
    shown: tuple[int, ...] = ()

    @property
    def pitch(self) -> int:
        return self.th + self.vgap

    def pictured(self, col: int) -> int:
        """How many of column ``col``'s neurons are drawn (the first ones)."""
        return self.shown[col] if self.shown else self.sizes[col]

    def more(self, col: int) -> int:
        """How many of column ``col``'s neurons are not drawn (they share the "more" slot)."""
        return self.sizes[col] - self.pictured(col)

    def slots(self, col: int) -> int:
        """Rows of neurons in column ``col``: the pictured ones and the "more" slot, if any."""
        return self.pictured(col) + (1 if self.more(col) else 0)

    def _top(self, col: int | None) -> int:
        if col is None or not self.col_top:
            return 0
        return self.col_top[col]

    def neuron_top(self, i: int, col: int | None = None) -> int:
        """The first row of neuron ``i`` of column ``col`` (a neuron beyond the
        pictured ones: the "more" slot's)."""
        if col is not None and self.shown:
            i = min(i, self.pictured(col))
        return self._top(col) + i * self.pitch

    def mid_row(self, i: int, col: int | None = None) -> int:
        return self.neuron_top(i, col) + (self.th - 1) // 2

    def column_start(self, col: int) -> int:
        """The x where column ``col`` starts (the input column: its names)."""
        return 0 if col == 0 else self.col_x[col]

    def column_end(self, col: int) -> int:
        """The x just right of column ``col`` (its labels, and the output's title "out", included)."""
        if col == len(self.sizes) - 1:
            return max(self.col_x[col] + 1 + self.tw + self.out_w, self.col_x[col] + cell_len(_("out")))
        return self.col_x[col] + 1 + self.tw

    def strip_x(self, k: int) -> int:
        """The x of the first link of the strips between column ``k`` and the next."""
        return self.gap_x[k] + 1

    def hit(self, x: int, y: int) -> tuple[int, int] | None:
        """The neuron (column, index) drawn at body cell (x, y), if any."""
        for col in range(len(self.sizes)):
            if self.column_start(col) <= x < self.column_end(col):
                rel = y - self._top(col)
                if rel < 0 or rel % self.pitch >= self.th:
                    return None
                idx = rel // self.pitch
                return (col, idx) if idx < self.slots(col) else None
        return None

    def more_label(self, col: int) -> str:
        """The "more" slot's text, as long as fits beside column ``col`` ("" without one)."""
        n = self.more(col)
        if not n:
            return ""
        room = self.more_room(col)
        return next((v for v in (more_words(n), f"+{n}", "+") if cell_len(v) <= room), "")

    def more_room(self, col: int) -> int:
        """Cells right of column ``col``'s marker the "more" label may take: through the
        links' area (no strip starts from the "more" slot), one blank before the next column."""
        end = self.col_x[col + 1] - 1 if col + 1 < len(self.sizes) else self.width
        return end - (self.col_x[col] + 1)


def more_words(n: int) -> str:
    """The "more" slot's full text: "+448 more"."""
    return _("+{count} more").format(count=n)


def _column_height(n: int, th: int, vgap: int) -> int:
    return n * th + max(n - 1, 0) * vgap


def _build_geometry(sizes: tuple[int, ...], label_w: int, out_w: int, th: int, tw: int, vgap: int,
                    compact: bool, avail: int, spread: int = 0, shown: tuple[int, ...] = ()) -> Geometry:
    """``spread`` extra cells after each strip (columns spread over the width); ``shown``
    the neurons pictured in each column (() = all)."""
    pad_r = (0 if compact else 1) + spread
    shown = shown if shown and shown != sizes else ()
    pictured = shown or sizes
    slots = tuple(p + (1 if p < n else 0) for p, n in zip(pictured, sizes))
    x = label_w
    col_x, gap_x = [], []
    for k in range(len(sizes)):
        col_x.append(x)
        x += 1 + tw
        if k + 1 < len(sizes):
            gap_x.append(x)
            # A strip holds one link per neuron of the next column (its "more" slot: one
            # cell); a column with a "more" slot keeps room for its "+N" label.
            room = slots[k + 1] + pad_r
            if pictured[k] < sizes[k]:
                room = max(room, cell_len(more_words(sizes[k] - pictured[k])) - tw)
            x += 1 + room
    x += out_w
    x = max(x, col_x[-1] + cell_len(_("out"))) if col_x else x  # room for the output's title
    tallest = _column_height(max(slots, default=1), th, vgap)
    body_h = max(tallest, avail)
    tops = tuple((body_h - _column_height(n, th, vgap)) // 2 for n in slots)
    return Geometry(sizes, th, tw, vgap, label_w, out_w, tuple(col_x), tuple(gap_x), x, body_h, tops, compact,
                    shown)


def fit_geometry(sizes: tuple[int, ...], names: tuple[str, ...], out_names: tuple[str, ...],
                 thumbs: bool, width: int, height: int, shown: tuple[int, ...] = ()) -> Geometry:
    """The largest thumbnails that fit ``width`` x ``height`` body cells, neurons spread
    over the height; else the one that fits the width with the least to scroll; else
    the most compact one (the view then scrolls sideways). ``shown``: the neurons of
    each column the snapshot pictures (() = all); the rest take one "+N more" slot."""
    names_w = min(max((cell_len(n) for n in names), default=2), 9)
    outs_w = min(max((cell_len(n) for n in out_names), default=3), 9) if out_names else 0
    single_out = len(out_names) <= 1
    avail = max(height, 1)
    n_max = max((min(p + 1, n) for p, n in zip(shown, sizes)), default=1) if shown else max(sizes, default=1)
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
        geo = _build_geometry(sizes, label_w, out_w, th, tw, vgap, tight, avail if fits_h else 0, shown=shown)
        geos.append((geo, fits_h))
    for g, fits_h in geos:
        if g.width <= width and fits_h:
            return _spread(g, width)
    narrow = [g for g, _fits in geos if g.width <= width]
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
                        geo.body_h, each, geo.shown)
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
        if st is style or st == style:
            run.append(ch)
        else:
            segs.append(Segment("".join(run), style))
            run = [ch]
            style = st
    segs.append(Segment("".join(run), style))
    return Strip(segs, len(cells))


class Canvas:
    """The cells of a window onto the diagram; writes use diagram coordinates and are clipped.

    A wide character takes two cells (the second holds an empty string).
    """

    def __init__(self, window: Window, base: Style) -> None:
        self.window = window
        self.base = base
        self.rows: list[list[TextCell]] = [[(" ", base)] * window.width for _row in range(window.height)]

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


def layer_scale(snap: Snapshot, k: int) -> float | None:
    """The largest |w| of dense layer ``k`` when the snapshot holds only a block of its
    weights (from its summary); None when it holds them all (measure those)."""
    if k < len(snap.weight_stats) and k < len(snap.weights):
        stats = snap.weight_stats[k]
        if tuple(snap.weights[k].shape) != tuple(stats.shape) and math.isfinite(stats.max_abs) and stats.max_abs > 0:
            return float(stats.max_abs)
    return None


def pictured_counts(snap: Snapshot, thumbs: bool) -> tuple[int, ...]:
    """How many neurons of each column (inputs, hidden layers, output) the snapshot
    holds pictures and weights of: all of a small net's, the first ones of a large one's."""
    sizes = tuple(snap.sizes)
    n = len(sizes)
    counts = list(sizes)
    for c in range(n):
        if c < len(snap.weights):  # the links out of column c
            counts[c] = min(counts[c], snap.weights[c].shape[0])
        if c >= 1 and c - 1 < len(snap.weights):  # the links into it
            counts[c] = min(counts[c], snap.weights[c - 1].shape[1])
        if c >= 1 and c - 1 < len(snap.biases):
            counts[c] = min(counts[c], snap.biases[c - 1].shape[0])
        if not thumbs:
            continue
        if c == 0 and snap.input_grids is not None:
            counts[c] = min(counts[c], snap.input_grids.shape[2])
        elif 1 <= c < n - 1 and c - 1 < len(snap.neuron_grids):
            counts[c] = min(counts[c], snap.neuron_grids[c - 1].shape[2])
        elif c == n - 1 and c > 0 and snap.output_grid is not None and snap.output_grid.ndim == 3:
            counts[c] = min(counts[c], snap.output_grid.shape[2])
        elif 1 <= c < n - 1:
            counts[c] = 0  # no picture of this layer
    return tuple(max(v, 0) for v in counts)


def _cut(text: str, cells: int) -> str:
    """``text`` cut to at most ``cells`` terminal cells (never half a wide character)."""
    if cell_len(text) <= cells:
        return text
    return set_cell_size(text, max(cells, 0)).rstrip()


class NetworkPainter:
    """The diagram's body for a snapshot (thumbnails and links); its words are ``NetworkLabels``'.

    ``base`` is the widget's style; ``mode`` the colour mode. Thumbnails keep
    their bins between pictures (hysteresis) until :meth:`reset`.
    """

    def __init__(self) -> None:
        self.styles = StyleCache()
        self.hysteresis = HYSTERESIS
        self.memory = BinMemory(keep_all=True)
        self._painters: dict[tuple[str, str, Style], CellPainter] = {}
        # Link cells by what decides their look (see _link_cells): a large net's strips
        # hold thousands of links, most of them looking like others.
        self._link_memo: dict[tuple[object, ...], TextCell] = {}
        self._link_context: tuple[str, Style] | None = None
        # Thumbnails of the snapshot last drawn (a selection or a scroll draws it again).
        self._thumb_memo: dict[tuple[object, ...], list[list[TextCell]]] = {}
        self._thumb_snap: Snapshot | None = None
        # What the header had no room for (see NetworkLabels), written under the
        # output neurons instead: (its activation, its loss).
        self.notes = (False, False)

    def reset(self) -> None:
        self.memory.clear()
        self._thumb_memo.clear()

    # ---- body ------------------------------------------------------------------------
    def body(self, snap: Snapshot, geo: Geometry, out_names: tuple[str, ...], mode: str, base: Style,
             selected: tuple[int, int], focused: bool, window: Window | None = None) -> list[Strip]:
        """The body rows in ``window`` (default: all of it): every neuron (thumbnail, name,
        selection mark) and the links, one strip per row."""
        if window is None:
            window = Window(0, 0, geo.width, geo.body_h)
        canvas = Canvas(window, base)
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
            # Only the neurons whose rows are in view (and the "more" slot, if any).
            slots = geo.slots(k)
            lo = max((y0 - geo.col_top[k] - geo.th) // geo.pitch, 0) if geo.pitch else 0
            hi = min((y1 - geo.col_top[k]) // geo.pitch + 1, slots) if geo.pitch else slots
            for i in range(lo, hi) if in_view else ():
                top = geo.neuron_top(i, k)
                if top >= y1 or top + geo.th <= y0:
                    continue
                mid = geo.mid_row(i, k)
                if i >= geo.pictured(k):
                    # The neurons the snapshot does not picture: "+448 more".
                    here = selected[0] == k and selected[1] >= i
                    if here:
                        canvas.put(mid, cx, MARK, mark_style)
                    canvas.put(mid, cx + 1, geo.more_label(k), base + Style(bold=here, dim=not here))
                    continue
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
                self._links(canvas, snap.weights[k], geo, k, target, mode, base, layer_scale(snap, k))
        self._output_note(canvas, snap, geo, base)
        return canvas.strips()

    def _output_note(self, canvas: Canvas, snap: Snapshot, geo: Geometry, base: Style) -> None:
        """The output's activation and loss under the output neurons, when the header
        had no room for them (and the rows below are free)."""
        note_activation, note_loss = self.notes
        if len(geo.sizes) < 2 or not (note_activation or note_loss):
            return
        k = len(geo.sizes) - 1
        right = max(geo.width, canvas.window.x + canvas.window.width)
        loss = snap.loss_name
        lines = [snap.output_name] if note_activation else []
        if note_loss:
            lines.append(_("{loss} loss").format(loss=loss))
        x = geo.col_x[k] + 1  # under the thumbnail ...
        if note_loss and x + cell_len(lines[-1]) > right:
            lines[-1:] = [_("loss"), loss]
        if any(x + cell_len(t) > right for t in lines):
            x = geo.col_x[k]  # ... or from the marker's column (free below the neurons)
        row = geo.neuron_top(geo.slots(k) - 1, k) + geo.th
        if row + len(lines) > geo.body_h or any(x + cell_len(t) > right for t in lines):
            return
        dim = base + Style(dim=True)
        for i, text in enumerate(lines):
            canvas.put(row + i, x, text, dim)

    def _links(self, canvas: Canvas, weights: np.ndarray, geo: Geometry, k: int, target: int,
               mode: str, base: Style, scale: float | None = None) -> None:
        """The fan-out strips from layer ``k`` to the next (the part in view), ``target``
        (a unit of it) underlined; bar heights relative to ``scale`` (default: the
        largest |w| of ``weights``)."""
        w = canvas.window
        sx = geo.strip_x(k)
        n_to = geo.pictured(k + 1)
        j0, j1 = max(w.x - sx, 0), min(w.x + w.width - sx, n_to)
        more = geo.more(k + 1) > 0 and w.x <= sx + n_to < w.x + w.width
        if j0 >= j1 and not more:
            return
        W = np.asarray(weights, dtype=np.float64)
        m = scale
        if m is None:
            finite = np.isfinite(W)
            m = (float(np.max(np.abs(W[finite]))) if finite.any() else 1.0) or 1.0
        # Only the sources whose rows are in view.
        lo = max((w.y - geo.col_top[k]) // geo.pitch - 1, 0) if geo.pitch and geo.col_top else 0
        hi = min((w.y + w.height - geo.col_top[k]) // geo.pitch + 1, geo.pictured(k)) if geo.pitch and geo.col_top \
            else geo.pictured(k)
        dim = base + Style(dim=True)
        sources = [i for i in range(lo, hi) if canvas.has_row(geo.mid_row(i, k))]
        if not sources:
            return
        block = np.zeros((len(sources), max(j1 - j0, 0)))
        have = [n for n, i in enumerate(sources) if i < W.shape[0]]
        if have and j1 > j0:
            part = W[[sources[n] for n in have], j0:j1]
            block[have, :part.shape[1]] = part
        for i, cells in zip(sources, self._link_cells(block, m, mode, base, target - j0)):
            if more:
                # The links to the next column's neurons that are not drawn.
                cells.append(("…", dim + Style(underline=True) if target >= n_to else dim))
            canvas.put_cells(geo.mid_row(i, k), sx + j0, cells)

    def _link_cells(self, block: np.ndarray, m: float, mode: str, base: Style, target: int) -> list[list[TextCell]]:
        """``_link_cell`` of each weight of each row of ``block`` (column ``target`` underlined).

        A cell's look depends only on the weight's sign, its bar (one of 8) and its
        colour (an RGB triple from its strength), so cells are looked up by those,
        computed for the whole block at once; the first of each kind is made by
        ``_link_cell``. The same cells as ``_link_cell`` weight by weight.
        """
        if self._link_context != (mode, base) or len(self._link_memo) > 8192:
            self._link_context = (mode, base)
            self._link_memo.clear()
        if not block.size:
            return [[] for _row in range(block.shape[0])]
        with np.errstate(all="ignore"):
            q = np.minimum(np.abs(block) / m, 1.0)
            level = np.minimum((q * len(BARS)).astype(np.int64), len(BARS) - 1)
            pos = block >= 0
            # sign_rgb: blend(DIM, BLUE or ORANGE, 0.3 + 0.7 q), channel by channel.
            t = np.clip(0.3 + 0.7 * q, 0.0, 1.0)[..., None]
            dim, blue, orange = np.array(DIM, float), np.array(BLUE, float), np.array(ORANGE, float)
            rgb = np.round(dim + (np.where(pos[..., None], blue, orange) - dim) * t)
        finite = np.isfinite(block)
        kind = np.where(~finite, 0, np.where(block == 0.0, 1, 2))
        rgb = np.where(finite[..., None], rgb, 0).astype(np.int64)
        # One integer per look: kind, sign, bar and colour.
        code = ((((kind * 2 + pos) * 8 + np.where(finite, level, 0)) * 256 + rgb[..., 0]) * 256 + rgb[..., 1]) * 256 \
            + rgb[..., 2]
        memo = self._link_memo
        out: list[list[TextCell]] = []
        for r, codes in enumerate(code.tolist()):
            cells: list[TextCell] = []
            for j, c in enumerate(codes):
                key = (c, j == target)
                cell = memo.get(key)
                if cell is None:
                    cell = memo[key] = self._link_cell(float(block[r, j]), m, mode, base, j == target)
                cells.append(cell)
            out.append(cells)
        return out

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
            if col == 0 or col - 1 >= len(snap.biases) or i >= len(snap.biases[col - 1]):
                return [[("●", base)]]
            b = float(snap.biases[col - 1][i])
            if mode == "mono":
                return [[("+" if b >= 0 else "-", base)]]
            q = min(abs(b), 1.0)
            color = to_color(("blue" if b >= 0 else "yellow") if mode == "ansi" else sign_rgb(b, q), mode)
            return [[("●", base + self.styles.get(color, None))]]
        gap = geo.vgap == 0 and geo.th >= 2  # keep the last pixel row blank
        if snap is not self._thumb_snap or len(self._thumb_memo) > 4096:
            self._thumb_snap = snap
            self._thumb_memo.clear()
        # The same snapshot drawn again gives the same bins (hysteresis against its own
        # picture keeps it), so a thumbnail is made once per snapshot.
        key = (col, i, geo.th, geo.tw, gap, mode, base)
        cells = self._thumb_memo.get(key)
        if cells is not None:
            return cells
        palette, levels = thumbnail_levels(snap, col - 1, i, geo.th * 2 - gap, geo.tw, self.memory, self.hysteresis)
        if gap:
            levels = np.vstack([levels, np.full((1, levels.shape[1]), BLANK, dtype=levels.dtype)])
        painter = self._painter(palette, mode, base)
        cells = self._thumb_memo[key] = painter.grid(encode(levels, painter.canon, painter.shades))
        return cells

    def _painter(self, palette: Palette, mode: str, base: Style) -> CellPainter:
        key = (palette.name, mode, base)
        painter = self._painters.get(key)
        if painter is None:
            if len(self._painters) > 16:
                self._painters.clear()
            painter = self._painters[key] = CellPainter(palette, mode, base, self.styles)
        return painter
