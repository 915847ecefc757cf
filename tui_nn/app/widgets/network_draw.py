"""Drawing TF Playground's network diagram in text: geometry, thumbnails, links, labels.

One column per layer (inputs, each hidden layer, the output). Each neuron is a
small heatmap thumbnail (half blocks, the same colour scale as the plane). The
links between two layers are drawn as a *fan-out strip* beside each source
neuron: one bar per neuron of the next layer, its height the weight's
magnitude (relative to the largest in that layer) and its colour the sign
(blue positive, orange negative). The incoming weights of the selected neuron
are underlined in the strips to its left.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from ...render.cells import BLANK, encode
from ...render.colors import sign_rgb
from ...render.field import BinMemory, thumbnail_levels
from ...render.palette import HYSTERESIS, Palette
from ...training.snapshot import Snapshot
from .cell_styles import CellPainter
from .colors import StyleCache, to_color

__all__ = ["Geometry", "NetworkPainter", "fit_geometry"]

BARS = "▁▂▃▄▅▆▇█"
MARK = "▶"
MONO_POS = "·+#"
MONO_NEG = "·-="

TextCell = tuple[str, Style]


@dataclass(frozen=True)
class Geometry:
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

    def column_end(self, col: int) -> int:
        """The x just right of column ``col`` (its labels included)."""
        return self.col_x[col] + 1 + self.tw + (self.out_w if col == len(self.sizes) - 1 else 0)


def _build_geometry(sizes: tuple[int, ...], label_w: int, out_w: int, th: int, vgap: int, thumbs: bool) -> Geometry:
    tw = 2 * th if thumbs else 1
    x = label_w
    col_x, gap_x = [], []
    for k in range(len(sizes)):
        col_x.append(x)
        x += 1 + tw
        if k + 1 < len(sizes):
            gap_x.append(x)
            x += sizes[k + 1] + 2
    x += out_w
    body_h = max(sizes, default=1) * (th + vgap) - vgap
    return Geometry(sizes, th, tw, vgap, label_w, out_w, tuple(col_x), tuple(gap_x), x, body_h)


def fit_geometry(sizes: tuple[int, ...], names: tuple[str, ...], out_names: tuple[str, ...],
                 thumbs: bool, width: int, height: int) -> Geometry:
    """The largest thumbnails (and gaps) that fit ``width`` x ``height`` (or at least the width)."""
    label_w = min(max((len(n) for n in names), default=2), 9) + 1
    out_w = (min(max((len(n) for n in out_names), default=3), 9) + 1) if out_names else 0
    body_avail = max(height - 2, 1)
    # (thumbnail rows, blank rows between neurons); with no blank row, thumbnails
    # of 2+ rows keep a one-pixel gap (their last half-block row is half empty).
    options = [(3, 1), (2, 1), (3, 0), (2, 0), (1, 1), (1, 0)] if thumbs else [(1, 1), (1, 0)]
    geos = [_build_geometry(sizes, label_w, out_w, th, vg, thumbs) for th, vg in options]
    for g in geos:
        if g.width <= width and g.body_h <= body_avail:
            return g
    for g in geos:
        if g.width <= width:
            return g
    return geos[-1]


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
    """Rows of (character, style) cells to write text into."""

    def __init__(self, width: int, height: int, base: Style) -> None:
        self.width = width
        self.rows: list[list[TextCell]] = [[(" ", base)] * width for _ in range(height)]

    def put(self, r: int, x: int, text: str, style: Style) -> None:
        row = self.rows[r]
        for i, ch in enumerate(text):
            if 0 <= x + i < self.width:
                row[x + i] = (ch, style)

    def strips(self) -> list[Strip]:
        return [merge_cells(row) for row in self.rows]


class NetworkPainter:
    """The diagram's pieces for a snapshot: header, body (thumbnails and links) and info line.

    ``base`` is the widget's style; ``mode`` the colour mode. Thumbnails keep
    their bins between pictures (hysteresis) until :meth:`reset`.
    """

    def __init__(self) -> None:
        self.styles = StyleCache()
        self.hysteresis = HYSTERESIS
        self.memory = BinMemory(keep_all=True)
        self._painters: dict[tuple[str, str, Style], CellPainter] = {}

    def reset(self) -> None:
        self.memory.clear()

    def header(self, snap: Snapshot, geo: Geometry, base: Style) -> Strip:
        canvas = _Canvas(geo.width, 1, base)
        bold = base + Style(bold=True)
        n = len(geo.sizes)
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
            canvas.put(0, x, title[:w], bold)
        for k, gx in enumerate(geo.gap_x):
            wk = snap.weights[k] if k < len(snap.weights) else None
            if wk is None or not wk.size:
                continue
            label = f"±{float(np.nanmax(np.abs(wk))):.2g}"
            if len(label) <= geo.sizes[k + 1]:
                canvas.put(0, gx + 1, label, base + Style(dim=True))
        return canvas.strips()[0]

    def info(self, snap: Snapshot, layer: int, index: int | None, base: Style, focused: bool) -> Strip:
        """The selected neuron: its name, bias and weights."""
        n_hidden = len(snap.sizes) - 2
        parts: list[str] = []
        if layer == -1:
            name = snap.input_names[index] if index is not None and index < len(snap.input_names) else "?"
            parts.append(f"input {name}")
            if snap.weights:
                w = snap.weights[0][index]
                parts.append("out w " + " ".join(f"{v:+.2f}" for v in w[:8]))
        else:
            unit = index or 0
            if layer == n_hidden:
                act = snap.output_name
                named = index is not None and index < len(snap.class_names)
                head = "output" + (f" {snap.class_names[unit]}" if named else "")
            else:
                act = snap.activations[layer] if layer < len(snap.activations) else ""
                head = f"layer {layer + 1} neuron {unit + 1}"
            parts.append(f"{head} ({act})" if act else head)
            if layer < len(snap.biases):
                parts.append(f"bias {float(snap.biases[layer][unit]):+.2f}")
                w = snap.weights[layer][:, unit]
                parts.append("in w " + " ".join(f"{v:+.2f}" for v in w[:8]) + (" …" if len(w) > 8 else ""))
        text = " " + " · ".join(parts) + "   ←↑↓→ select"
        return Strip([Segment(text, base + Style(dim=not focused))])

    def body(self, snap: Snapshot, geo: Geometry, out_names: tuple[str, ...], mode: str, base: Style,
             selected: tuple[int, int], focused: bool) -> list[Strip]:
        """Every neuron (thumbnail, name, selection mark) and the links, one strip per row."""
        canvas = _Canvas(geo.width, geo.body_h, base)
        thumbs = snap.input_grids is not None and snap.output_grid is not None
        if mode == "mono":
            mark_style = base + Style(bold=True)
        else:
            mark_style = base + Style(bold=True, color="bright_white" if focused else None, dim=not focused)
        n = len(geo.sizes)
        for k in range(n):
            cx = geo.col_x[k]
            for i in range(geo.sizes[k]):
                mid = geo.mid_row(i)
                if k == 0:
                    name = snap.input_names[i] if i < len(snap.input_names) else f"x{i + 1}"
                    name = name[: geo.label_w - 1]
                    canvas.put(mid, geo.label_w - 1 - len(name), name, base)
                if k == n - 1 and geo.out_w:
                    label = out_names[i] if i < len(out_names) else ""
                    canvas.put(mid, cx + 1 + geo.tw + 1, label[: geo.out_w - 1], base)
                if (k, i) == selected:
                    canvas.put(mid, cx, MARK, mark_style)
                cells = self._thumbnail(snap, k, i, geo, thumbs, mode, base)
                for dr, row in enumerate(cells):
                    canvas.rows[geo.neuron_top(i) + dr][cx + 1: cx + 1 + len(row)] = row
            if k + 1 < n and k < len(snap.weights):
                target = selected[1] if selected[0] == k + 1 else -1
                self._links(canvas, snap.weights[k], geo, k, target, mode, base)
        return canvas.strips()

    def _links(self, canvas: _Canvas, weights: np.ndarray, geo: Geometry, k: int, target: int,
               mode: str, base: Style) -> None:
        """The fan-out strips from layer ``k`` to the next, ``target`` (a unit of it) underlined."""
        W = np.asarray(weights, dtype=np.float64)
        finite = np.isfinite(W)
        m = (float(np.max(np.abs(W[finite]))) if finite.any() else 1.0) or 1.0
        gx = geo.gap_x[k]
        for i in range(geo.sizes[k]):
            row = canvas.rows[geo.mid_row(i)]
            for j in range(geo.sizes[k + 1]):
                w = float(W[i, j]) if i < W.shape[0] and j < W.shape[1] else 0.0
                row[gx + 1 + j] = self._link_cell(w, m, mode, base, j == target)

    def _link_cell(self, w: float, m: float, mode: str, base: Style, underline: bool) -> TextCell:
        if not np.isfinite(w):
            return ("?", base)
        q = min(abs(w) / m, 1.0)
        if mode == "mono":
            chars = MONO_POS if w >= 0 else MONO_NEG
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
