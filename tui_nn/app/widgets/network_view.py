"""TF Playground's network diagram, in text.

One column per layer (inputs, each hidden layer, the output). Each neuron is a
small heatmap thumbnail (half blocks, the same colour scale as the plane). The
links between two layers are drawn as a *fan-out strip* beside each source
neuron: one bar per neuron of the next layer, its height the weight's
magnitude (relative to the largest in that layer) and its colour the sign
(blue positive, orange negative). The incoming weights of the selected neuron
are underlined in the strips to its left.

Arrow keys (or a click) move the selection; each move posts
``NetworkView.NeuronSelected(layer, index)``: layer -1 = inputs, 0.. = hidden
layers, and the output layer (``layer == number of hidden layers``) with
``index=None`` for a single output unit (or the class for softmax units).
"""

from __future__ import annotations

from dataclasses import dataclass
from time import monotonic

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.strip import Strip

from ...training.snapshot import Snapshot
from . import colors as C
from ._lines import LinesWidget

__all__ = ["NetworkView"]

BARS = "▁▂▃▄▅▆▇█"
HALF = "▀"
MARK = "▶"
MONO_POS = "·+#"
MONO_NEG = "·-="


@dataclass(frozen=True)
class _Geometry:
    sizes: tuple[int, ...]
    th: int  # thumbnail height in cells
    tw: int  # thumbnail width in cells
    vgap: int  # blank rows between neurons
    label_w: int  # input names, left of the input column
    out_w: int  # output labels, right of the output column
    col_x: tuple[int, ...]  # x of each column's marker cell
    gap_x: tuple[int, ...]  # x of each gap (after column k)
    width: int  # total canvas width
    body_h: int  # total body height

    @property
    def pitch(self) -> int:
        return self.th + self.vgap

    def neuron_top(self, i: int) -> int:
        return i * self.pitch

    def mid_row(self, i: int) -> int:
        return i * self.pitch + (self.th - 1) // 2


def _geometry(sizes: tuple[int, ...], names: tuple[str, ...], out_names: tuple[str, ...],
              thumbs: bool, width: int, height: int) -> _Geometry:
    label_w = min(max((len(n) for n in names), default=2), 9) + 1
    out_w = (min(max((len(n) for n in out_names), default=3), 9) + 1) if out_names else 0
    n_max = max(sizes) if sizes else 1
    body_avail = max(height - 2, 1)
    # (thumbnail rows, blank rows between neurons); with no blank row, thumbnails
    # of 2+ rows keep a one-pixel gap (their last half-block row is half empty).
    options = [(3, 1), (2, 1), (3, 0), (2, 0), (1, 1), (1, 0)] if thumbs else [(1, 1), (1, 0)]

    def build(th: int, vgap: int) -> _Geometry:
        tw = 2 * th if thumbs else 1
        x = label_w
        col_x, gap_x = [], []
        for k, n in enumerate(sizes):
            col_x.append(x)
            x += 1 + tw
            if k + 1 < len(sizes):
                gap_x.append(x)
                x += sizes[k + 1] + 2
        x += out_w
        body_h = n_max * (th + vgap) - vgap
        return _Geometry(tuple(sizes), th, tw, vgap, label_w, out_w, tuple(col_x), tuple(gap_x), x, body_h)

    geos = [build(th, vg) for th, vg in options]
    for g in geos:
        if g.width <= width and g.body_h <= body_avail:
            return g
    for g in geos:
        if g.width <= width:
            return g
    return geos[-1]


class NetworkView(LinesWidget, can_focus=True):
    """The network as columns of neuron thumbnails with weight strips between them.

    Public API: ``update_snapshot(snap)``; ``select(layer, index, post=False)``;
    ``selected`` -> ``(layer, index)``; message ``NeuronSelected(layer, index)``.
    """

    DEFAULT_CSS = """
    NetworkView {
        width: 1fr;
        height: 1fr;
        min-height: 4;
    }
    """

    BINDINGS = [
        Binding("up", "move(0, -1)", "Up", show=False),
        Binding("down", "move(0, 1)", "Down", show=False),
        Binding("left", "move(-1, 0)", "Left", show=False),
        Binding("right", "move(1, 0)", "Right", show=False),
        Binding("enter", "choose", "Show neuron", show=False),
    ]

    class NeuronSelected(Message):
        """A neuron was chosen: layer -1 = inputs, index None = the output."""

        def __init__(self, view: "NetworkView", layer: int, index: int | None) -> None:
            super().__init__()
            self.view = view
            self.layer = layer
            self.index = index

        @property
        def control(self) -> "NetworkView":
            return self.view

        def can_replace(self, message: Message) -> bool:
            # While arrow keys repeat, only the latest selection matters.
            return isinstance(message, NetworkView.NeuronSelected) and message.view is self.view

    def __init__(self, snapshot: Snapshot | None = None, *, name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._snap = snapshot
        self._sel = (0, 0)  # (column, index): column 0 = inputs, last = output
        self._geo: _Geometry | None = None
        self._body: list[Strip] = []
        self._header = Strip([])
        self._info = Strip([])
        self._scroll = (0, 0)
        self._styles = C.StyleCache()
        self._mode = "truecolor"
        self.builds = 0
        self.force_mode: str | None = None  # "truecolor" | "256" | "ansi" | "mono" | None (detect)
        self.compact_colors = True  # 256-colour codes on truecolor terminals (fewer bytes)
        self.hysteresis = C.HYSTERESIS
        self._thumb_prev: dict = {}
        self.max_rate = 10_000.0  # bytes/s to the terminal (estimated); None = no limit
        self.min_interval = 0.2  # seconds between redraws for new snapshots
        self._built_at = -1e9
        self._later = None

    # ---- public API -----------------------------------------------------------------
    @property
    def snapshot(self) -> Snapshot | None:
        return self._snap

    @property
    def selected(self) -> tuple[int, int | None]:
        """The selection as ``(layer, index)`` (see ``NeuronSelected``)."""
        return self._as_layer(*self._sel)

    def update_snapshot(self, snap: Snapshot | None) -> None:
        """Draw a new snapshot (at most every ``min_interval`` s; later ones wait)."""
        old = self._snap
        self._snap = snap
        self._clamp()
        same_net = old is not None and snap is not None and old.sizes == snap.sizes
        wait = self._built_at + self.min_interval - monotonic()
        if same_net and wait > 0 and self.is_mounted:
            if self._later is None:
                self._later = self.set_timer(wait, self._draw_later)
            return
        self._rebuild()

    def _draw_later(self) -> None:
        self._later = None
        self._rebuild()

    def select(self, layer: int, index: int | None, post: bool = False) -> None:
        sizes = self._sizes()
        if not sizes:
            return
        col = len(sizes) - 1 if index is None or layer >= len(sizes) - 2 else layer + 1
        self._sel = (col, 0 if index is None else int(index))
        self._clamp()
        self._rebuild()
        if post:
            self._post()

    # ---- actions ----------------------------------------------------------------------
    def action_move(self, dx: int, dy: int) -> None:
        sizes = self._sizes()
        if not sizes:
            return
        col, idx = self._sel
        col = min(max(col + dx, 0), len(sizes) - 1)
        # Columns are top-aligned: moving sideways keeps the row (clamped).
        idx = min(max(idx + dy, 0), sizes[col] - 1)
        if (col, idx) == self._sel:
            return
        self._sel = (col, idx)
        self._rebuild()
        self._post()

    def action_choose(self) -> None:
        self._post()

    # ---- events ----------------------------------------------------------------------
    def on_mount(self) -> None:
        self._rebuild(force=True)

    def on_resize(self, _event: events.Resize) -> None:
        self._rebuild(force=True)

    def on_focus(self) -> None:
        self._rebuild()

    def on_blur(self) -> None:
        self._rebuild()

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        geo = self._geo
        if offset is None or geo is None:
            return
        sx, sy = self._scroll
        x, y = offset.x + sx, offset.y - 1 + sy
        if offset.y < 1 or y >= geo.body_h or y % geo.pitch >= geo.th:
            return
        idx = y // geo.pitch
        for col, cx in enumerate(geo.col_x):
            x0 = 0 if col == 0 else cx
            x1 = cx + 1 + geo.tw + (geo.out_w if col == len(geo.sizes) - 1 else 0)
            if x0 <= x < x1 and idx < geo.sizes[col]:
                self.focus()
                self._sel = (col, idx)
                self._rebuild()
                self._post()
                return

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self._scroll_by(3)
        event.stop()

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._scroll_by(-3)
        event.stop()

    # ---- internals ---------------------------------------------------------------------
    def _sizes(self) -> tuple[int, ...]:
        return tuple(self._snap.sizes) if self._snap is not None else ()

    def _as_layer(self, col: int, idx: int) -> tuple[int, int | None]:
        sizes = self._sizes()
        if not sizes:
            return (-1, None)
        if col == len(sizes) - 1:
            return (len(sizes) - 2, None if sizes[-1] == 1 else idx)
        return (col - 1, idx)

    def _post(self) -> None:
        if self._sizes():
            layer, index = self.selected
            self.post_message(self.NeuronSelected(self, layer, index))

    def _clamp(self) -> None:
        sizes = self._sizes()
        if not sizes:
            self._sel = (0, 0)
            return
        col = min(max(self._sel[0], 0), len(sizes) - 1)
        self._sel = (col, min(max(self._sel[1], 0), sizes[col] - 1))

    def _scroll_by(self, dy: int) -> None:
        geo = self._geo
        if geo is None:
            return
        view_h = max(self.size.height - 2, 1)
        sx, sy = self._scroll
        sy = min(max(sy + dy, 0), max(geo.body_h - view_h, 0))
        if (sx, sy) != self._scroll:
            self._scroll = (sx, sy)
            self._compose_screen(force=True)

    def _follow_selection(self, geo: _Geometry) -> None:
        width, height = self.size
        view_h = max(height - 2, 1)
        sx, sy = self._scroll
        col, idx = self._sel
        top = geo.neuron_top(idx)
        bottom = top + geo.th
        if top < sy:
            sy = top
        elif bottom > sy + view_h:
            sy = bottom - view_h
        sy = min(max(sy, 0), max(geo.body_h - view_h, 0))
        left = geo.col_x[col] - (geo.label_w if col == 0 else 2)
        right = geo.col_x[col] + 1 + geo.tw + (geo.out_w if col == len(geo.sizes) - 1 else 0)
        if left < sx:
            sx = max(left, 0)
        elif right > sx + width:
            sx = right - width
        sx = min(max(sx, 0), max(geo.width - width, 0))
        self._scroll = (sx, sy)

    def _rebuild(self, force: bool = False) -> None:
        if not self.is_mounted:
            return
        width, height = self.size
        if width <= 0 or height <= 0:
            return
        snap = self._snap
        base = self.rich_style
        if snap is None or not snap.sizes:
            self._geo = None
            self.set_lines([Strip([Segment(" No network yet.", base)]).adjust_cell_length(width, base)], force=True)
            return
        mode = C.color_mode(self.app, override=self.force_mode, compact=self.compact_colors)
        if mode != self._mode:
            self._mode = mode
            force = True
        thumbs = snap.input_grids is not None and snap.output_grid is not None
        out_names = snap.class_names if (len(snap.sizes) and snap.sizes[-1] > 1) else ("out",)
        geo = _geometry(tuple(snap.sizes), tuple(snap.input_names), tuple(out_names), thumbs, width, height)
        if geo != self._geo:
            force = True
            self._geo = geo
            self._thumb_prev.clear()
        self._follow_selection(geo)
        self._body = self._build_body(snap, geo, thumbs, out_names, mode)
        self._header = self._build_header(snap, geo, mode)
        self._info = self._build_info(snap, mode)
        self.builds += 1
        self._built_at = monotonic()
        self._compose_screen(force=force)

    def _compose_screen(self, force: bool = False) -> None:
        width, height = self.size
        base = self.rich_style
        sx, sy = self._scroll
        screen: list[Strip] = []
        screen.append(self._header.crop(sx, sx + width).adjust_cell_length(width, base))
        body_rows = max(height - 2, 0) if height >= 3 else max(height - 1, 0)
        blank = Strip.blank(width, base)
        for r in range(body_rows):
            y = sy + r
            if y < len(self._body):
                screen.append(self._body[y].crop(sx, sx + width).adjust_cell_length(width, base))
            else:
                screen.append(blank)
        if height >= 3:
            screen.append(self._info.crop(0, width).adjust_cell_length(width, base))
        self.set_lines(screen[:height], force=force)

    # ---- drawing pieces ------------------------------------------------------------------
    def _build_header(self, snap: Snapshot, geo: _Geometry, mode: str) -> Strip:
        base = self.rich_style
        bold = base + Style(bold=True)
        cells = [" "] * geo.width
        styles: list[Style] = [base] * geo.width
        n = len(geo.sizes)

        def put(x: int, text: str, width: int, style: Style) -> None:
            text = text[:width]
            for i, ch in enumerate(text):
                if 0 <= x + i < geo.width:
                    cells[x + i] = ch
                    styles[x + i] = style

        for k in range(n):
            if k == 0:
                title = "inputs"
                x, w = 0, geo.label_w + 1 + geo.tw
            elif k == n - 1:
                act = snap.output_name or ""
                w = 1 + geo.tw + geo.out_w
                title = f"out {act}" if len(act) + 4 <= w else "out"
                x = geo.col_x[k]
            else:
                act = snap.activations[k - 1] if k - 1 < len(snap.activations) else ""
                x, w = geo.col_x[k], 1 + geo.tw + (geo.gap_x[k] - geo.col_x[k] - 1 - geo.tw) // 2
                title = f"L{k} {act}" if len(act) + 3 <= w else f"L{k}"
            put(x, title, w, bold)
        for k, gx in enumerate(geo.gap_x):
            w = snap.weights[k] if k < len(snap.weights) else None
            if w is None or not w.size:
                continue
            m = float(np.nanmax(np.abs(w)))
            label = f"±{m:.2g}"
            if len(label) <= geo.sizes[k + 1]:
                put(gx + 1, label, geo.sizes[k + 1], base + Style(dim=True))
        return _merge(cells, styles)

    def _build_info(self, snap: Snapshot, mode: str) -> Strip:
        base = self.rich_style
        layer, index = self.selected
        n_hidden = len(snap.sizes) - 2
        parts: list[str] = []
        if layer == -1:
            name = snap.input_names[index] if index is not None and index < len(snap.input_names) else "?"
            parts.append(f"input {name}")
            if snap.weights:
                w = snap.weights[0][index]
                parts.append("out w " + " ".join(f"{v:+.2f}" for v in w[:8]))
        else:
            if layer == n_hidden:
                act = snap.output_name
                head = "output" + (f" {snap.class_names[index]}" if index is not None and index < len(snap.class_names) else "")
                unit = index or 0
            else:
                act = snap.activations[layer] if layer < len(snap.activations) else ""
                head = f"layer {layer + 1} neuron {(index or 0) + 1}"
                unit = index or 0
            parts.append(f"{head} ({act})" if act else head)
            if layer < len(snap.biases):
                parts.append(f"bias {float(snap.biases[layer][unit]):+.2f}")
                w = snap.weights[layer][:, unit]
                parts.append("in w " + " ".join(f"{v:+.2f}" for v in w[:8]) + (" …" if len(w) > 8 else ""))
        text = " " + " · ".join(parts) + "   ←↑↓→ select"
        return Strip([Segment(text, base + Style(dim=not self.has_focus))])

    def _build_body(self, snap: Snapshot, geo: _Geometry, thumbs: bool, out_names, mode: str) -> list[Strip]:
        base = self.rich_style
        n = len(geo.sizes)
        rows_cells: list[list[tuple[str, Style]]] = [[] for _ in range(geo.body_h)]
        blank = (" ", base)
        for r in range(geo.body_h):
            rows_cells[r] = [blank] * geo.width
        sel_col, sel_idx = self._sel
        mark_style = base + Style(bold=True, color="bright_white" if self.has_focus else None,
                                  dim=not self.has_focus)
        if mode == "mono":
            mark_style = base + Style(bold=True)

        def put(r: int, x: int, text: str, style: Style) -> None:
            row = rows_cells[r]
            for i, ch in enumerate(text):
                if 0 <= x + i < geo.width:
                    row[x + i] = (ch, style)

        for k in range(n):
            cx = geo.col_x[k]
            for i in range(geo.sizes[k]):
                top = geo.neuron_top(i)
                mid = geo.mid_row(i)
                if k == 0:
                    name = snap.input_names[i] if i < len(snap.input_names) else f"x{i + 1}"
                    name = name[: geo.label_w - 1]
                    put(mid, geo.label_w - 1 - len(name), name, base)
                if k == n - 1 and geo.out_w:
                    label = out_names[i] if i < len(out_names) else ""
                    put(mid, cx + 1 + geo.tw + 1, label[: geo.out_w - 1], base)
                if (k, i) == (sel_col, sel_idx):
                    put(mid, cx, MARK, mark_style)
                cells = self._thumbnail(snap, k, i, geo, thumbs, mode)
                for dr, row in enumerate(cells):
                    for dc, cell in enumerate(row):
                        rows_cells[top + dr][cx + 1 + dc] = cell
            # Fan-out strips to the next layer.
            if k + 1 < n and k < len(snap.weights):
                W = np.asarray(snap.weights[k], dtype=np.float64)
                finite = np.isfinite(W)
                m = float(np.max(np.abs(W[finite]))) if finite.any() else 1.0
                m = m or 1.0
                gx = geo.gap_x[k]
                target = sel_idx if sel_col == k + 1 else -1
                for i in range(geo.sizes[k]):
                    mid = geo.mid_row(i)
                    for j in range(geo.sizes[k + 1]):
                        w = W[i, j] if i < W.shape[0] and j < W.shape[1] else 0.0
                        rows_cells[mid][gx + 1 + j] = self._link_cell(w, m, mode, j == target)
        return [_merge([c for c, _ in row], [s for _, s in row]) for row in rows_cells]

    def _link_cell(self, w: float, m: float, mode: str, underline: bool) -> tuple[str, Style]:
        base = self.rich_style
        if not np.isfinite(w):
            return ("?", base)
        q = min(abs(w) / m, 1.0)
        if mode == "mono":
            chars = MONO_POS if w >= 0 else MONO_NEG
            ch = chars[min(int(q * len(chars)), len(chars) - 1)]
            return (ch, base + Style(underline=underline) if underline else base)
        ch = BARS[min(int(q * len(BARS)), len(BARS) - 1)]
        if mode == "ansi":
            color = C.to_color("blue" if w >= 0 else "yellow", mode)
        else:
            color = C.to_color(C.sign_rgb(w, q), mode)
        style = self._styles.get(color, None)
        if underline:
            style = style + Style(underline=True)
        return (ch, base + style)

    def _thumbnail(self, snap: Snapshot, col: int, i: int, geo: _Geometry, thumbs: bool,
                   mode: str) -> list[list[tuple[str, Style]]]:
        base = self.rich_style
        if not thumbs:
            # Tabular data: a dot coloured by the bias (inputs plain).
            if col == 0 or col - 1 >= len(snap.biases):
                return [[("●", base)]]
            b = float(snap.biases[col - 1][i])
            if mode == "mono":
                return [[("+" if b >= 0 else "-", base)]]
            q = min(abs(b), 1.0)
            color = C.to_color(("blue" if b >= 0 else "yellow") if mode == "ansi" else C.sign_rgb(b, q), mode)
            return [[("●", base + self._styles.get(color, None))]]
        gap = geo.vgap == 0 and geo.th >= 2  # keep the last pixel row blank
        palette, levels = self._thumb_levels(snap, col, i, geo, geo.th * 2 - gap)
        if gap:
            levels = np.vstack([levels, np.full((1, levels.shape[1]), -1, dtype=levels.dtype)])
        if mode == "mono":
            shade = np.asarray((*palette.shade, 0.0), dtype=np.float32)  # -1: blank
            s = 0.5 * (shade[levels[0::2]] + shade[levels[1::2]])
            q = C.quantize(s, len(C.SHADES))
            return [[(C.SHADES[v], base) for v in row] for row in q.tolist()]
        out = []
        get = self._styles.get
        for top_row, bot_row in zip(levels[0::2].tolist(), levels[1::2].tolist()):
            row = []
            for t, b in zip(top_row, bot_row):
                ct = palette.color(t, mode)
                if b < 0:
                    row.append((HALF, base + get(ct, None)))
                    continue
                cb = palette.color(b, mode)
                if ct == cb:
                    row.append((" ", get(None, cb)))
                else:
                    row.append((HALF, get(ct, cb)))
            out.append(row)
        return out

    def _thumb_levels(self, snap: Snapshot, col: int, i: int, geo: _Geometry,
                      prows: int) -> tuple[C.Palette, np.ndarray]:
        n = len(geo.sizes)
        pcols = geo.tw
        if col == 0:
            g = snap.input_grids[:, :, i]
            lo, hi = C.neuron_range(g)
            centre = None
        elif col < n - 1:
            g = snap.neuron_grids[col - 1][:, :, i]
            act = snap.activations[col - 1] if col - 1 < len(snap.activations) else None
            lo, hi = C.neuron_range(g, act)
            centre = None
        else:
            out = snap.output_grid
            if out.ndim == 3:
                k = out.shape[2]
                pal = C.class_palette(k)
                g = _sample(out[:, :, i], prows, pcols)
                j = self._thumb_bin(pal, g, (col, i))
                return pal, (j + i * pal.bins).astype(np.int32)
            g = out
            lo, hi = snap.output_range
            centre = 0.5 * (lo + hi) if snap.task == "regression" else snap.threshold
        g = _sample(g, prows, pcols)
        t = C.map_diverging(g, lo, hi, centre)
        pal = C.diverging_palette()
        return pal, self._thumb_bin(pal, t, (col, i)).astype(np.int32)

    def _thumb_bin(self, pal: C.Palette, t: np.ndarray, where: tuple[int, int]) -> np.ndarray:
        key = (*where, t.shape, pal.name)
        lv = pal.index(t, self._thumb_prev.get(key), self.hysteresis)
        self._thumb_prev[key] = lv
        return lv


def _sample(g: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Nearest-neighbour sample of a (r, c) grid at rows x cols cell centres."""
    r, c = g.shape[:2]
    ri = ((np.arange(rows) + 0.5) * (r / rows)).astype(np.intp)
    ci = ((np.arange(cols) + 0.5) * (c / cols)).astype(np.intp)
    return g[ri[:, None], ci[None, :]]


def _merge(chars: list[str], styles: list[Style]) -> Strip:
    """One segment per run of equal style."""
    segs: list[Segment] = []
    if not chars:
        return Strip([])
    run = [chars[0]]
    style = styles[0]
    for ch, st in zip(chars[1:], styles[1:]):
        if st == style:
            run.append(ch)
        else:
            segs.append(Segment("".join(run), style))
            run = [ch]
            style = st
    segs.append(Segment("".join(run), style))
    return Strip(segs, len(chars))
