"""The loss landscape as a heatmap, with optimizers' paths drawn over it.

It draws what it is given and computes nothing heavy: ``show(landscape,
paths)`` takes a ``training.landscape.Landscape`` (the loss on a grid over
a plane of parameter space, made off the UI thread) and the paths'
coordinates in that plane (``PathTrace``: a name, alphas and betas).

* The heatmap is half blocks ``▀`` (two pixels a cell, as the decision grid
  draws its plane) on a sequential scale: low loss dark blue, high loss bright
  yellow-white, on a log scale by default (``log_scale``) because a loss spans
  decades between a valley and the hills around it. A cell where the loss is
  not finite (a diverged region) is drawn dark red and the legend says
  "diverged".
* Each path is drawn in its own colour as a line of braille dots (2 x 4 a
  cell, so a mini-batch's wobble smaller than a cell still shows; the segments
  between its points filled in, so a long step stays a line), ``◆`` at its end
  and ``●`` at its start, over the heatmap's colour there. Without colour each
  path marks its cells with its own glyph (``·``, ``+``, ``x`` ...). The first
  path given is drawn on top of the others (give the short, noisy one first).
* At the left the d2 axis (its range, the label "d2"), under the plot the d1
  axis; below them the legend, flowed onto up to three lines: start and end
  marks, each path by name, the loss range with the colour scale, and what the
  landscape's budget changed (a coarser grid, a subsample of the rows). Widths
  are terminal cells (``rich.cells.cell_len``), so Korean text lays out right.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from rich.cells import cell_len
from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.reactive import var
from textual.strip import Strip

from ...i18n import _
from ...render.cells import BLANK, Cells, encode, sample
from ...render.chart import BRAILLE_BASE
from ...render.colors import RGB, SHADES, blend
from ...render.palette import Levels, Palette, quantize
from ...training.landscape import Landscape, PathTrace
from ._flow import Part, flow
from ._lines import LinesWidget
from .cell_styles import CellPainter
from .colors import StyleCache, color_mode, palette_color, to_color
from .language import FollowsLanguage

__all__ = ["END_GLYPH", "LandscapeView", "PATH_GLYPH", "START_GLYPH", "landscape_palette", "loss_levels",
           "path_cells"]

START_GLYPH = "●"
END_GLYPH = "◆"
PATH_GLYPH = "·"
MONO_PATH_GLYPHS = "·+x*~#"  # without colour, path k's own glyph
LANDSCAPE_LEVELS = 16
LEGEND_LINE = "━"
# The bit of each dot of a braille cell, by (dot row 0..3, dot column 0..1) (see render.chart).
_BITS = np.array([[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]], dtype=np.int32)

# The sequential scale, low to high: deep blue, blue, teal, green, yellow, pale.
_STOPS: tuple[RGB, ...] = ((12, 10, 58), (32, 52, 148), (8, 119, 189), (36, 170, 170), (122, 200, 100),
                           (232, 218, 84), (255, 250, 214))
_ANSI_STOPS = ("blue", "bright_blue", "cyan", "bright_cyan", "green", "yellow", "bright_yellow", "bright_white")
DIVERGED_RGB: RGB = (150, 28, 36)
# Path colours that stand out on both ends of the scale.
PATH_RGB: tuple[RGB, ...] = ((255, 82, 82), (255, 255, 255), (80, 255, 160), (255, 120, 255), (255, 170, 30),
                             (120, 240, 255))
PATH_ANSI = ("bright_red", "bright_white", "bright_green", "bright_magenta", "bright_yellow", "bright_cyan")


def _stop(t: float) -> RGB:
    x = min(max(t, 0.0), 1.0) * (len(_STOPS) - 1)
    i = min(int(x), len(_STOPS) - 2)
    return blend(_STOPS[i], _STOPS[i + 1], x - i)


def landscape_palette(levels: int = LANDSCAPE_LEVELS) -> Palette:
    """``levels`` colours from low (dark blue) to high (bright), then one for a non-finite loss."""
    pos = [i / (levels - 1) if levels > 1 else 0.5 for i in range(levels)]
    n = len(_ANSI_STOPS)
    return Palette(
        f"landscape{levels}",
        (*(_stop(t) for t in pos), DIVERGED_RGB),
        (*(_ANSI_STOPS[min(int(t * n), n - 1)] for t in pos), "red"),
        (*pos, 1.0),
        np.linspace(0.0, 1.0, levels + 1, dtype=np.float32),
    )


def _range(values: npt.NDArray[np.float64], log: bool) -> tuple[float, float, bool] | None:
    """(low, high, log) the colours span: the finite values' range (the positive ones' on a
    log scale, which falls back to linear when there are none); None when none is finite."""
    v = values[np.isfinite(values)]
    if not v.size:
        return None
    lo, hi = float(v.min()), float(v.max())
    if log:
        pos = v[v > 0]
        if pos.size:
            return max(float(pos.min()), float(pos.max()) * 1e-12), float(pos.max()), True
    return lo, hi, False


ColourRange = tuple[float, float, bool]  # (low, high, log scale)


def loss_levels(loss: npt.NDArray[np.float64], log: bool,
                levels: int = LANDSCAPE_LEVELS) -> tuple[Levels, ColourRange | None]:
    """Palette indices of each loss (``levels`` = a non-finite one) and the range they span."""
    got = _range(loss, log)
    out = np.full(loss.shape, levels, dtype=np.int16)
    if got is None:
        return out, None
    lo, hi, is_log = got
    finite = np.isfinite(loss)
    with np.errstate(all="ignore"):
        if is_log:
            v = np.log10(np.maximum(loss, lo))
            a, b = math.log10(lo), math.log10(hi)
        else:
            v, a, b = loss, lo, hi
        t = (v - a) / (b - a) if b > a else np.zeros_like(v)
    q = quantize(np.where(finite, t, 0.0), levels)
    out[finite] = q[finite]
    return out, got


def path_cells(alphas: npt.ArrayLike, betas: npt.ArrayLike, a_range: tuple[float, float],
               b_range: tuple[float, float], pcols: int,
               prows: int) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """The pixels (row, col; row 0 at the top) a path passes through on a ``prows`` x ``pcols``
    picture of ``a_range`` x ``b_range``: its points and the segments between consecutive
    finite ones, in order; pixels outside the picture left out."""
    a = np.asarray(alphas, dtype=np.float64)
    b = np.asarray(betas, dtype=np.float64)
    a0, a1 = a_range
    b0, b1 = b_range
    x = (a - a0) / (a1 - a0) * pcols if a1 > a0 else np.full(a.shape, pcols / 2.0)
    y = (b1 - b) / (b1 - b0) * prows if b1 > b0 else np.full(b.shape, prows / 2.0)
    ok = np.isfinite(x) & np.isfinite(y)
    # Keep coordinates bounded before filling segments in (a far point is off the picture anyway).
    lim = 4.0 * (pcols + prows) + 8.0
    x, y = np.clip(np.where(ok, x, 0.0), -lim, lim), np.clip(np.where(ok, y, 0.0), -lim, lim)
    xs, ys = [x[:1][ok[:1]]], [y[:1][ok[:1]]]
    if len(x) > 1:
        seg = ok[1:] & ok[:-1]
        dx, dy = np.diff(x), np.diff(y)
        n = np.where(seg, np.maximum(np.ceil(np.maximum(np.abs(dx), np.abs(dy)) * 2.0), 1.0), 0.0).astype(np.intp)
        k = np.repeat(np.arange(len(n)), n)
        starts = np.cumsum(n) - n
        frac = (np.arange(int(n.sum())) - starts[k] + 1) / np.maximum(n[k], 1)
        xs.append(x[k] + dx[k] * frac)
        ys.append(y[k] + dy[k] * frac)
        lone = ok[1:] & ~ok[:-1]  # a finite point after a gap
        xs.append(x[1:][lone])
        ys.append(y[1:][lone])
    px, py = np.concatenate(xs), np.concatenate(ys)
    col = np.floor(px).astype(np.intp)
    row = np.floor(py).astype(np.intp)
    inside = (col >= 0) & (col < pcols) & (row >= 0) & (row < prows)
    return row[inside], col[inside]


def _fmt(v: float) -> str:
    """A short number for an axis or the legend: "0.52", "-3.1", "1.2e-4"."""
    if not math.isfinite(v):
        return "inf" if v > 0 else "-inf" if v < 0 else "nan"
    if v == 0:
        return "0"
    if 1e-3 <= abs(v) < 1e4:
        return f"{v:.3g}"
    mantissa, _e, exp = f"{v:.1e}".partition("e")
    return f"{mantissa.rstrip('0').rstrip('.')}e{int(exp)}"


def _extent(coords: npt.NDArray[np.float64]) -> tuple[float, float]:
    """The range a row (or column) of grid values covers: half a step beyond each end."""
    lo, hi = float(coords[0]), float(coords[-1])
    half = 0.5 * (hi - lo) / (len(coords) - 1) if len(coords) > 1 else max(abs(lo), 1.0)
    return lo - half, hi + half


class LandscapeView(FollowsLanguage, LinesWidget, can_focus=False):
    """A loss landscape (heatmap) with paths over it; see the module.

    Public API:

    * ``show(landscape, paths=(), explained=None)``: draw ``landscape`` with each
      ``PathTrace`` of ``paths`` over it (``explained``: the share of the paths'
      spread along d1 and d2, shown by the axis labels); ``show(None)`` clears;
    * ``log_scale`` (default True), ``monochrome``, ``force_mode`` ("truecolor" |
      "256" | "ansi" | "mono" | None = detect): reactive toggles;
    * ``landscape``, ``paths``: what it shows; ``builds``: pictures drawn.
    """

    DEFAULT_CSS = """
    LandscapeView {
        width: 1fr;
        height: 1fr;
        min-height: 3;
    }
    """

    log_scale: var[bool] = var(True, init=False)
    monochrome: var[bool] = var(False, init=False)
    force_mode: var[str | None] = var(None, init=False)

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._landscape: Landscape | None = None
        self._paths: tuple[PathTrace, ...] = ()
        self._explained: tuple[float, float] | None = None
        self._styles = StyleCache()
        self.palette = landscape_palette()
        self.builds = 0
        self.color_mode = "truecolor"

    # ---- public API ---------------------------------------------------------------
    @property
    def landscape(self) -> Landscape | None:
        return self._landscape

    @property
    def paths(self) -> tuple[PathTrace, ...]:
        return self._paths

    def show(self, landscape: Landscape | None, paths: Sequence[PathTrace] = (),
             explained: tuple[float, float] | None = None) -> None:
        """Draw ``landscape`` with ``paths`` over it (nothing is computed here but the picture)."""
        self._landscape = landscape
        self._paths = tuple(paths)
        self._explained = explained
        self.redraw()

    # ---- toggles and Textual hooks ---------------------------------------------------
    def watch_log_scale(self, _value: bool) -> None:
        self.redraw()

    def watch_monochrome(self, _value: bool) -> None:
        self.redraw()

    def watch_force_mode(self, _value: str | None) -> None:
        self.redraw()

    def on_mount(self) -> None:
        self.redraw()

    def on_resize(self, _event: events.Resize) -> None:
        self.redraw()

    def language_changed(self) -> None:
        self.redraw()

    # ---- drawing ------------------------------------------------------------------------
    def redraw(self) -> None:
        if not self.can_draw:
            return
        width, height = self.size
        land = self._landscape
        if land is None:
            self._message(_("No loss landscape yet."), width, height)
            return
        mode = color_mode(self.app, self.monochrome, self.force_mode)
        self.color_mode = mode
        base = self.rich_style
        levels, rng = loss_levels(land.loss, self.log_scale, LANDSCAPE_LEVELS)
        # Each grid value fills its own share of the picture, centred on its coordinate:
        # the picture's edges are half a grid step beyond the first and last ones.
        a_lo, a_hi = _extent(land.alphas)
        b_lo, b_hi = _extent(land.betas)
        d1, d2 = "d1", "d2"
        if self._explained is not None:
            d1 = f"d1 {self._explained[0] * 100:.0f}%"
            d2 = f"d2 {self._explained[1] * 100:.0f}%"
        labels = [_fmt(b_hi), d2, _fmt(b_lo)]
        margin = max(cell_len(s) for s in labels) + 1
        if width - margin < 8:
            margin = 0
        caption_max = 3 if height >= 14 else 2 if height >= 8 else 1 if height >= 4 else 0
        caption = flow(self._legend(land, rng, mode, levels), width, caption_max)
        axis = 1 if height - len(caption) >= 5 else 0
        rows = height - len(caption) - axis
        cols = width - margin
        if rows < 1 or cols < 2:
            self._message(_("Too small to draw the loss landscape."), width, height)
            return
        prows, pcols = 2 * rows, cols
        # Rows of the landscape are d2 ascending: the picture puts the highest at the top.
        pixels = sample(levels[::-1], prows, pcols).astype(np.int16)
        painter = CellPainter(self.palette, mode, base, self._styles)
        cells = encode(pixels, painter.canon, painter.shades)
        over = self._overlay(pixels, (a_lo, a_hi), (b_lo, b_hi), mode, painter)
        lines = self._plot_lines(cells, over, painter, margin, labels, width, base)
        if axis:
            lines.append(self._axis_line(margin, cols, width, a_lo, a_hi, d1, base))
        lines += self._caption_lines(caption, width, base)
        self.builds += 1
        self.set_lines(lines, force=True)

    def _path_colour(self, k: int, mode: str) -> Color | None:
        if mode == "ansi":
            return to_color(PATH_ANSI[k % len(PATH_ANSI)], mode)
        return to_color(PATH_RGB[k % len(PATH_RGB)], mode)

    def _path_glyph(self, k: int, mode: str) -> str:
        return MONO_PATH_GLYPHS[k % len(MONO_PATH_GLYPHS)] if mode == "mono" else PATH_GLYPH

    def _overlay(self, pixels: Levels, a_range: tuple[float, float], b_range: tuple[float, float], mode: str,
                 painter: CellPainter) -> dict[tuple[int, int], tuple[str, Style]]:
        """The cells the paths cover: (cell row, col) -> (glyph, style over the heatmap there).

        With colour a path is a line of braille dots (2 x 4 a cell, so a step
        smaller than a cell still shows), in the colour of the first path given
        that passes the cell, over the colour of the pixel (upper or lower) most
        of its dots fall on; without colour each path marks the cells it passes
        with its own glyph. The start and end marks go over every line.
        """
        prows, pcols = pixels.shape
        rows = prows // 2
        over: dict[tuple[int, int], tuple[str, Style]] = {}

        def style(colour: Color | None, prow: int, pcol: int) -> Style:
            if mode == "mono":
                return painter.base + Style(bold=True)
            level = int(pixels[prow, pcol])
            bg = painter.colour(level) if level != BLANK else None
            return self._styles.get(colour, bg, bold=True)

        colours = [self._path_colour(k, mode) for k in range(len(self._paths))]
        order = list(reversed(list(enumerate(self._paths))))  # the first path is drawn last: on top
        if mode == "mono":
            for k, trace in order:
                row, col = path_cells(trace.alphas, trace.betas, a_range, b_range, pcols, prows)
                glyph = self._path_glyph(k, mode)
                for r, c in zip(row.tolist(), col.tolist()):
                    over[(r // 2, c)] = (glyph, style(None, r, c))
        else:
            bits = np.zeros((rows, pcols), dtype=np.int32)
            owner = np.full((rows, pcols), -1, dtype=np.intp)
            lower = np.zeros((rows, pcols), dtype=np.int32)  # dots in the lower half minus the upper
            for k, trace in order:
                dr, dc = path_cells(trace.alphas, trace.betas, a_range, b_range, 2 * pcols, 4 * rows)
                r, c = dr // 4, dc // 2
                np.bitwise_or.at(bits, (r, c), _BITS[dr % 4, dc % 2])
                np.add.at(lower, (r, c), np.where(dr % 4 >= 2, 1, -1))
                owner[r, c] = k
            for r, c in zip(*np.nonzero(bits)):
                y, x = int(r), int(c)
                prow = 2 * y + (1 if lower[y, x] > 0 else 0)
                over[(y, x)] = (chr(BRAILLE_BASE + int(bits[y, x])), style(colours[int(owner[y, x])], prow, x))
        marks: list[tuple[int, int, str, Color | None]] = []
        for k, trace in order:
            a, b = np.asarray(trace.alphas, dtype=np.float64), np.asarray(trace.betas, dtype=np.float64)
            finite = np.flatnonzero(np.isfinite(a) & np.isfinite(b))
            if finite.size:
                for i, glyph_at in ((finite[-1], END_GLYPH), (finite[0], START_GLYPH)):
                    pr, pc = path_cells(a[i:i + 1], b[i:i + 1], a_range, b_range, pcols, prows)
                    if pr.size:
                        marks.append((int(pr[0]), int(pc[0]), glyph_at, colours[k]))
        # Ends, then starts, over every path's line: a common start stays visible.
        for r, c, glyph, colour in sorted(marks, key=lambda m: m[2] == START_GLYPH):
            over[(r // 2, c)] = (glyph, style(colour, r, c))
        return over

    def _plot_lines(self, cells: Cells, over: dict[tuple[int, int], tuple[str, Style]], painter: CellPainter,
                    margin: int, labels: list[str], width: int, base: Style) -> list[Strip]:
        rows, cols = cells.shape
        dim = base + Style(dim=True)
        label_at = {0: labels[0], rows // 2: labels[1], rows - 1: labels[2]} if margin else {}
        if rows == 1 and margin:
            label_at = {0: labels[1]}
        out = []
        for y, runs in enumerate(cells.rows()):
            segs: list[Segment] = []
            if margin:
                text = label_at.get(y, "")
                segs.append(Segment(" " * (margin - 1 - cell_len(text)) + text + " ", dim))
            chars: list[str] = []
            style: Style | None = None
            x = 0
            for n, cell in runs:
                for c in range(x, x + n):
                    got = over.get((y, c))
                    char, st = got if got is not None else painter.decode(cell)
                    if st != style and chars:
                        segs.append(Segment("".join(chars), style))
                        chars = []
                    chars.append(char)
                    style = st
                x += n
            if chars:
                segs.append(Segment("".join(chars), style))
            out.append(Strip(segs).adjust_cell_length(width, base))
        return out

    def _axis_line(self, margin: int, cols: int, width: int, lo: float, hi: float, label: str,
                   base: Style) -> Strip:
        """Under the plot: the d1 range at its ends and the axis's name in the middle."""
        left, right = _fmt(lo), _fmt(hi)
        row = [" "] * width
        name = f"{label} →"
        spots = [(margin, left), (margin + cols - cell_len(right), right),
                 (margin + (cols - cell_len(name)) // 2, name)]
        used: list[tuple[int, int]] = []
        for at, text in spots:
            end = at + cell_len(text)
            if at < 0 or end > width or any(at < b + 1 and a < end + 1 for a, b in used):
                continue
            row[at:end] = list(text)
            used.append((at, end))
        return Strip([Segment("".join(row), base + Style(dim=True))], width)

    def _legend(self, land: Landscape, rng: tuple[float, float, bool] | None, mode: str,
                levels: Levels) -> list[Part]:
        parts = [Part.of(f"{START_GLYPH} " + _("start"), START_GLYPH, priority=60),
                 Part.of(f"{END_GLYPH} " + _("end"), END_GLYPH, priority=60)]
        for k, trace in enumerate(self._paths):
            colour = self._path_colour(k, mode)
            mark = Style(color=colour, bold=True) if mode != "mono" else Style(bold=True)
            glyph = self._path_glyph(k, mode) if mode == "mono" else LEGEND_LINE
            parts.append(Part((Text.assemble((glyph, mark), " " + trace.name),), priority=100))
        if rng is None:
            parts.append(Part.of(_("no finite loss"), priority=90))
        else:
            lo, hi, is_log = rng
            ends = {"lo": _fmt(lo), "hi": _fmt(hi)}
            words = (_("loss {lo} to {hi}, log scale") if is_log else _("loss {lo} to {hi}")).format(**ends)
            scale = self._scale(mode)
            short = f"{ends['lo']}–{ends['hi']}" + (" log" if is_log else "")
            parts.append(Part((Text.assemble(words, " ", scale), Text.assemble(short, " ", scale), Text(short)),
                              priority=90))
        if bool((levels == LANDSCAPE_LEVELS).any()) and rng is not None:
            swatch = self._swatch(LANDSCAPE_LEVELS, mode)
            parts.append(Part((Text.assemble(swatch, " " + _("diverged")),), priority=80))
        if land.coarse:
            parts.append(Part.of(_("coarse grid {steps}x{steps}").format(steps=land.steps), priority=40,
                                 style="dim"))
        if land.subsampled:
            parts.append(Part.of(_("{rows} of {total} training rows").format(rows=land.rows, total=land.total_rows),
                                 priority=40, style="dim"))
        return parts

    def _swatch(self, level: int, mode: str) -> Text:
        if mode == "mono":
            return Text(SHADES[-1])
        return Text(" ", style=Style(bgcolor=palette_color(self.palette, level, mode)))

    def _scale(self, mode: str) -> Text:
        """The colour scale, low to high, in a few cells."""
        if mode == "mono":
            return Text(SHADES)
        out = Text()
        for i in range(0, LANDSCAPE_LEVELS, 2):
            out.append(" ", style=Style(bgcolor=palette_color(self.palette, i, mode)))
        return out

    def _caption_lines(self, caption: list[Text], width: int, base: Style) -> list[Strip]:
        console = self.app.console
        out = []
        for text in caption:
            segs = [Segment(s.text, base + s.style if s.style else base) for s in text.render(console)
                    if s.text != "\n"]
            out.append(Strip(segs).adjust_cell_length(width, base))
        return out

    def _message(self, msg: str, width: int, height: int) -> None:
        console = self.app.console
        base = self.rich_style
        lines = Text(msg, justify="center").wrap(console, max(width - 2, 1))
        strips = [Strip.blank(width, base)] * height
        top = max((height - len(lines)) // 2, 0)
        for i, line in enumerate(lines[: max(height - top, 0)]):
            segs = [Segment(s.text, base + s.style if s.style else base) for s in line.render(console)
                    if s.text != "\n"]
            strips[top + i] = Strip([Segment(" ", base), *segs]).adjust_cell_length(width, base)
        self.set_lines(strips, force=True)
