"""Charts of a run: loss over epochs, per-layer gradients, weight distributions.

The line charts are drawn here in braille dots (``tui_nn.render.chart``: a
character holds 2 x 4 dots), with round tick values: integer epochs at steps
of 1, 2 or 5 x 10^k along the bottom, and at the left a linear loss axis
from zero (an honest scale: a flat loss stays flat) or, on a log axis,
powers of ten. Small charts drop the axis line, then the epoch labels, to
keep at least three rows of plot. Every series is cut down to about two
points per column first, keeping each bucket's minimum and maximum so
spikes survive; and a chart is rebuilt only when the snapshot brought new
data or the widget changed size.

Headers are flowed by ``_flow``: a part is shown whole or not at all, on a
second line (or more) when there is room, shortened or dropped by priority
when there is not.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from rich.cells import cell_len
from rich.color import Color
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.reactive import reactive
from textual.strip import Strip

from ...render.chart import braille_dots, decade_label, linear_ticks, log_ticks, tick_labels
from ...i18n import N_, _, language
from ...render.colors import RGB, series_color, sign_rgb
from ...training.snapshot import Snapshot
from ._flow import Part, flow
from .colors import color_mode, to_color
from .redraw import SnapshotWidget

__all__ = ["GradientChart", "LossChart", "WeightHistogram", "chart_body", "downsample", "no_gradient_reason", "rebin"]

BARS = " ▁▂▃▄▅▆▇█"
# The loss chart's two series: (name, its shortest form) each.
SERIES_NAMES = ((N_("train"), N_("tr")), (N_("test"), N_("te")))


def downsample(x: np.ndarray, y: np.ndarray, max_points: int) -> tuple[np.ndarray, np.ndarray]:
    """At most ``max_points`` points of (x, y): each bucket's minimum and maximum, in order.

    Non-finite values are dropped first.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    keep = np.isfinite(x) & np.isfinite(y)
    if not keep.all():
        x, y = x[keep], y[keep]
    n = len(y)
    max_points = max(int(max_points), 2)
    if n <= max_points:
        return x, y
    buckets = max_points // 2
    starts = np.linspace(0, n, buckets + 1).astype(np.intp)[:-1]
    counts = np.diff(np.append(starts, n))
    pos = np.arange(n)
    lo_v = np.minimum.reduceat(y, starts)
    hi_v = np.maximum.reduceat(y, starts)
    # The first index of each bucket's minimum and maximum.
    lo_i = np.minimum.reduceat(np.where(y == np.repeat(lo_v, counts), pos, n), starts)
    hi_i = np.minimum.reduceat(np.where(y == np.repeat(hi_v, counts), pos, n), starts)
    idx = np.unique(np.concatenate([lo_i, hi_i]))  # sorted; a flat bucket gives one point
    return x[idx], y[idx]


Series = tuple[np.ndarray, np.ndarray, RGB | int | None]  # x, y, colour (see series_color)


def _series_style(color: RGB | int | None, mode: str) -> Style:
    if mode == "mono" or color is None:
        return Style()
    if isinstance(color, int):
        return Style(color=Color.from_ansi(color))
    return Style(color=to_color(color, mode))


def _y_axis(ys: Sequence[np.ndarray], log_y: bool, max_ticks: int) -> tuple[tuple[float, float], list[float], list[str]]:
    """(range, tick positions, labels) of the y axis, in plot units (log10 on a log axis)."""
    values = np.concatenate([np.asarray(y, dtype=np.float64) for y in ys]) if ys else np.zeros(0)
    values = values[np.isfinite(values)]
    if log_y:
        values = values[values > 0]
        if not values.size:
            return (0.0, 1.0), [], []
        lo_e = math.floor(math.log10(float(values.min())) + 1e-9)
        hi_e = math.ceil(math.log10(float(values.max())) - 1e-9)
        if hi_e <= lo_e:
            hi_e = lo_e + 1
        exps = log_ticks(lo_e, hi_e, max_ticks)
        return (float(lo_e), float(hi_e)), [float(e) for e in exps], [decade_label(e) for e in exps]
    if not values.size:
        return (0.0, 1.0), [], []
    # Linear from zero: a flat loss stays flat, noise stays small.
    lo = min(0.0, float(values.min()))
    hi = float(values.max())
    if not hi > lo:
        hi = lo + (abs(lo) or 1.0)
    # The top snapped up to the next round tick, so the top row is labelled.
    _ticks, step = linear_ticks(lo, hi, max_ticks)
    hi = math.ceil(hi / step - 1e-9) * step
    lo = math.floor(lo / step + 1e-9) * step
    n = round((hi - lo) / step)
    ticks = [lo + i * step for i in range(n + 1)]
    return (lo, hi), ticks, tick_labels(ticks, step)


def chart_body(series: Sequence[Series], width: int, rows: int, mode: str, *, log_y: bool = False) -> list[Text]:
    """The plot: y tick labels and axis at the left, the series in braille, epoch ticks below.

    With fewer than 7 rows the axis line goes, with fewer than 4 the epoch
    labels too: the plot keeps at least three rows while it can.
    """
    live = [(x, y, c) for x, y, c in series if len(x)]
    if rows <= 0 or width <= 0 or not live:
        return []
    x_labels = rows >= 4
    axis_line = rows >= 7
    plot_rows = rows - x_labels - axis_line
    ys = [y for _x, y, _c in live]
    (y0, y1), yticks, ylabels = _y_axis(ys, log_y, max(2, min(6, plot_rows // 2 + 1)))
    if log_y:
        live = [(x, np.log10(np.where(y > 0, y, np.nan)), c) for x, y, c in live]
    lab_w = max((cell_len(s) for s in ylabels), default=0)
    if width - lab_w - 1 < 8:
        lab_w = -1  # no room for the y axis: the plot alone
    px0 = lab_w + 1
    cols = width - px0
    xs = np.concatenate([np.asarray(x, dtype=np.float64) for x, _y, _c in live])
    x0, x1 = float(np.min(xs)), float(np.max(xs))
    if not x1 > x0:
        x1 = x0 + 1.0
    dots = braille_dots([(x, y) for x, y, _c in live], (x0, x1), (y0, y1), cols, plot_rows)
    dim = Style() if mode == "mono" else Style(dim=True)
    styles = [_series_style(c, mode) for _x, _y, c in live]
    # y tick labels on the rows they fall on (the first one wins a row).
    sy = (4 * plot_rows - 1) / (y1 - y0) if y1 > y0 else 0.0
    row_label: dict[int, str] = {}
    for t, lab in zip(yticks, ylabels):
        r = int(round((y1 - t) * sy)) // 4
        if 0 <= r < plot_rows:
            row_label.setdefault(r, lab)
    lines = []
    for r in range(plot_rows):
        line = Text(no_wrap=True, overflow="crop")
        if lab_w >= 0:
            here = row_label.get(r, "")
            line.append((" " * (lab_w - cell_len(here)) + here + "┤") if here else " " * lab_w + "│", dim)
        owners = dots.owner[r].tolist()
        chars = dots.chars(r)
        start = 0
        for c in range(1, cols + 1):
            if c == cols or owners[c] != owners[start]:
                o = owners[start]
                line.append(chars[start:c], styles[o] if o >= 0 else None)
                start = c
        lines.append(line)
    if x_labels:
        lines += _epoch_axis(x0, x1, px0, cols, width, lab_w, axis_line, dim)
    return lines


def _epoch_axis(x0: float, x1: float, px0: int, cols: int, width: int, lab_w: int, axis_line: bool,
                dim: Style) -> list[Text]:
    """The epoch ticks under a plot (whole numbers at round steps, as many as have
    room), with the axis line above them when ``axis_line``."""
    widest = cell_len(str(int(x1))) + 2
    xt, step = linear_ticks(x0, x1, max(2, cols // (widest + 3)), integer=True)
    xl = tick_labels(xt, step)
    sx = (2 * cols - 1) / (x1 - x0)
    label_row = [" "] * width
    marks: list[int] = []
    end = -2
    for t, lab in zip(xt, xl):
        c = int(round((t - x0) * sx)) // 2
        n = cell_len(lab)
        at = min(max(px0 + c - (n - 1) // 2, 0), width - n)
        if at <= end + 1 or n > width:
            continue
        label_row[at:at + n] = list(lab)
        marks.append(c)
        end = at + n - 1
    if axis_line:
        axis = ["─"] * cols
        for c in marks:
            axis[c] = "┬"
        out = [Text((" " * lab_w + "└" if lab_w >= 0 else "") + "".join(axis), dim, no_wrap=True)]
    else:
        out = []
    out.append(Text("".join(label_row), dim, no_wrap=True))
    return out


def _fmt(v: float, digits: int = 4, large: float = 1000) -> str:
    """A value, short: "0.6931", "1.2e-6", "inf"; "—" for a missing (NaN) one;
    in exponent form from ``large`` up and below 0.001."""
    if math.isnan(v):
        return "—"
    if not math.isfinite(v):
        return "inf" if v > 0 else "-inf"
    if v == 0:
        return "0"
    a = abs(v)
    if a >= large or a < 0.001:
        mantissa, _e, exp = f"{v:.{max(digits - 2, 0)}e}".partition("e")
        return f"{mantissa}e{int(exp)}"
    return f"{v:.{digits}g}"


def _header_lines(height: int, most: int) -> int:
    """How many header lines a chart of ``height`` rows affords (the plot keeps the rest)."""
    if height < 7:
        return 1
    return max(1, min(most, 2 + (height - 7) // 4))


class _Chart(SnapshotWidget):
    """Keeps the last snapshot; rebuilds its picture only when the data, the size or
    a setting changed, and then repaints only the rows that differ."""

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(None, name=name, id=id, classes=classes)
        self._sig: tuple[object, ...] | None = None
        self._cache_key: tuple[object, ...] | None = None
        self.builds = 0  # chart rebuilds done (for tests and measurements)
        self.plotted_points = 0  # the largest series length last plotted
        self.force_mode: str | None = None  # "truecolor" | "256" | "ansi" | "mono" | None (detect)

    def _accept(self, old: Snapshot | None, snap: Snapshot | None) -> bool:
        """A snapshot is new to a chart when its signature (what the chart shows) changed."""
        sig = None if snap is None else self._signature(snap)
        if sig == self._sig and snap is not None:
            return False
        self._sig = sig
        return True

    def draw_snapshot(self) -> None:
        self.redraw()

    def _signature(self, snap: Snapshot) -> tuple[object, ...]:
        return (snap.epoch,)

    def _mode(self) -> str:
        return color_mode(self.app, override=self.force_mode)

    def redraw(self, force: bool = False) -> None:
        """Rebuild the picture if anything it depends on changed."""
        if not self.can_draw:
            return
        width, height = self.size
        mode = self._mode()
        key = (self._sig, width, height, mode, self._extra_key(), language())
        if key == self._cache_key and not force:
            return
        resized = self._cache_key is None or self._cache_key[1:3] != (width, height)
        self._cache_key = key
        text = self._build(self._snap, width, height, mode)
        self.builds += 1
        self.drew()
        self.set_lines(self.text_lines(text), force=force or resized)

    def text_lines(self, text: Text) -> list[Strip]:
        """A Rich Text as full-width strips (cropped, padded with the widget's style)."""
        width, height = self.size
        console = self.app.console
        options = console.options.update(width=width, height=None, no_wrap=True, overflow="crop")
        base = self.rich_style
        lines = console.render_lines(text, options, style=base, pad=True, new_lines=False)
        return [Strip(line, width).simplify() for line in lines[:height]]

    def on_mount(self) -> None:
        self.redraw(force=True)

    def on_resize(self, _event: events.Resize) -> None:
        self.redraw(force=True)

    def language_changed(self) -> None:
        self.redraw(force=True)

    def _extra_key(self) -> tuple[object, ...]:
        return ()

    def _build(self, snap: Snapshot | None, width: int, height: int, mode: str) -> Text:
        raise NotImplementedError


def _legend(label: str, color: RGB | int | None, mode: str, gap: str = " ") -> Text:
    style = _series_style(color, mode) + Style(bold=True)
    return Text.assemble(("━", style), (f"{gap}{label}", style))


def _join(lines: Sequence[Text]) -> Text:
    return Text("\n", no_wrap=True, overflow="crop").join(lines)


def _wrapped(message: str, width: int, rows: int, style: str = "dim") -> list[Text]:
    """A sentence wrapped at word boundaries into at most ``rows`` lines (whole words only)."""
    words = message.split()
    lines: list[str] = []
    for word in words:
        if lines and cell_len(lines[-1]) + 1 + cell_len(word) <= width:
            lines[-1] += " " + word
        elif cell_len(word) <= width:
            lines.append(word)
        else:
            break
    return [Text(s, style=style, no_wrap=True) for s in lines[:max(rows, 0)]]


class LossChart(_Chart):
    """Train and test loss over epochs; the title shows the last losses and the metric.

    ``update_snapshot(snap)``; ``log_scale`` (reactive) toggles a log y axis;
    ``plotted_points`` is the largest series length last plotted.
    """

    DEFAULT_CSS = """
    LossChart { width: 1fr; height: 1fr; min-height: 4; }
    """

    log_scale: reactive[bool] = reactive(False, repaint=False)

    def _signature(self, snap: Snapshot) -> tuple[object, ...]:
        h = snap.history
        ep = h.get("epoch")
        if ep is None or len(ep) == 0:
            return (0,)
        return (len(ep), float(ep[-1]), float(h["train_loss"][-1]), float(h["test_loss"][-1]), snap.diverged)

    def _extra_key(self) -> tuple[object, ...]:
        return (self.log_scale,)

    def watch_log_scale(self, _value: bool) -> None:
        self.redraw()

    def header_parts(self, snap: Snapshot | None, mode: str) -> list[Part]:
        title = _("loss (log)") if self.log_scale else _("loss")
        parts = [Part.of(Text(title, style="bold"), priority=100)]
        if snap is None or not len(snap.history.get("epoch", ())):
            return parts
        h = snap.history
        # After a divergence the history ends at the last finite epoch, the one
        # the run went back to: the header shows its figures, as the status does.
        tr, te = float(h["train_loss"][-1]), float(h["test_loss"][-1])
        if snap.diverged:
            parts.append(Part.of(Text(_("diverged"), style="bold red" if mode != "mono" else "bold"), priority=95))
        for i, ((long_name, short_name), v) in enumerate(zip(SERIES_NAMES, (tr, te))):
            name, short = _(long_name), _(short_name)
            c = series_color(i, mode)
            parts.append(Part((_legend(f"{name} {_fmt(v)}", c, mode), _legend(f"{name} {_fmt(v, 2)}", c, mode),
                               _legend(f"{short} {_fmt(v, 2)}", c, mode, gap="")), priority=90))
        mtr, mte = float(h["train_metric"][-1]), float(h["test_metric"][-1])
        if snap.metric_name == "accuracy":
            parts.append(Part.of(
                _("accuracy {train} / {test}").format(train=f"{mtr * 100:.1f}%", test=f"{mte * 100:.1f}%"),
                _("acc {train}/{test}").format(train=f"{mtr * 100:.0f}%", test=f"{mte * 100:.0f}%"), priority=50))
        else:
            m = snap.metric_name.upper()
            parts.append(Part.of(f"{m} {_fmt(mtr)} / {_fmt(mte)}", f"{m} {_fmt(mtr, 2)}/{_fmt(mte, 2)}", priority=50))
        parts.append(Part.of(_("epoch {epoch}").format(epoch=snap.epoch), _("ep {epoch}").format(epoch=snap.epoch),
                             priority=30, style="dim"))
        return parts

    def header(self, snap: Snapshot | None, mode: str, width: int = 1000, lines: int = 2) -> Text:
        return _join(flow(self.header_parts(snap, mode), width, lines))

    def _build(self, snap: Snapshot | None, width: int, height: int, mode: str) -> Text:
        head = flow(self.header_parts(snap, mode), width, _header_lines(height, 2))
        if snap is None or width < 16:
            return _join(head)
        rows = height - len(head)
        h = snap.history
        ep = h.get("epoch")
        if ep is None or len(ep) < 2:
            return _join([*head, *_wrapped(_("waiting for a few epochs…"), width, rows)])
        max_points = 2 * width
        series = []
        for i, col in enumerate(("train_loss", "test_loss")):
            x, y = downsample(ep, h[col], max_points)
            if self.log_scale:
                pos = y > 0
                x, y = x[pos], y[pos]
            series.append((x, y, series_color(i, mode)))
        self.plotted_points = max(len(s[0]) for s in series)
        if self.plotted_points == 0:
            return _join([*head, *_wrapped(_("no finite loss to plot"), width, rows)])
        return _join([*head, *chart_body(series, width, rows, mode, log_y=self.log_scale)])


def no_gradient_reason(snap: Snapshot) -> str | None:
    """Why a run has no gradients to chart (step units), or None."""
    acts = (*snap.activations, snap.output_name)
    if "step" in acts:
        return _("step units have no gradient: nothing to plot (hand-set weights or the perceptron rule train them)")
    lh = snap.layer_history
    keys = [k for k in lh if k.startswith("grad")]
    if keys and len(lh.get("epoch", ())) and not any(np.isfinite(lh[k]).any() for k in keys):
        return _("these units have no gradient: nothing to plot")
    return None


class GradientChart(_Chart):
    """Gradient RMS per dense layer over time (log y), one series per layer L1..Ln,
    and the current weight RMS per layer: vanishing gradients show as the early
    layers' lines sinking orders of magnitude below the last layer's."""

    DEFAULT_CSS = """
    GradientChart { width: 1fr; height: 1fr; min-height: 5; }
    """

    def _signature(self, snap: Snapshot) -> tuple[object, ...]:
        lh = snap.layer_history
        ep = lh.get("epoch")
        n = 0 if ep is None else len(ep)
        last = tuple(float(lh[k][-1]) for k in sorted(lh) if k != "epoch") if n else ()
        stats = (tuple(round(s.weight_rms, 6) for s in snap.layer_stats)
                 or tuple(round(s.rms, 6) for s in snap.weight_stats))
        return (n, float(ep[-1]) if ep is not None and n else -1.0, last, stats)

    @staticmethod
    def _layers(snap: Snapshot) -> list[str]:
        keys = [k for k in snap.layer_history if k.startswith("grad")]
        return sorted(keys, key=lambda k: int(k[4:]) if k[4:].isdigit() else 0)

    def header_parts(self, snap: Snapshot | None, mode: str) -> list[Part]:
        parts = [Part.of(Text(_("grad RMS (log)"), style="bold"), Text(_("grad"), style="bold"), priority=100)]
        if snap is None:
            return parts
        lh = snap.layer_history
        keys = self._layers(snap)
        if keys and len(lh.get("epoch", ())) and no_gradient_reason(snap) is None:
            lasts = []
            for i, k in enumerate(keys):
                v = float(lh[k][-1])
                lasts.append(v)
                c = series_color(i, mode)
                parts.append(Part((_legend(f"L{i + 1} {_fmt(v)}", c, mode), _legend(f"L{i + 1} {_fmt(v, 3)}", c, mode),
                                   _legend(f"L{i + 1}", c, mode, gap="")), priority=90, gap=2))
            if len(lasts) > 1 and lasts[-1] > 0 and math.isfinite(lasts[0]):
                ratio = lasts[0] / lasts[-1]
                style = "bold red" if ratio < 1e-2 and mode != "mono" else ""
                n = len(lasts)
                parts.append(Part.of(Text(f"L1/L{n} ×{ratio:.2g}", style=style), priority=60))
        # Every weight's RMS per layer (layer_stats, else the summaries: a large net's
        # snapshot holds only blocks of its weights).
        rms = [s.weight_rms for s in snap.layer_stats] or [s.rms for s in snap.weight_stats]
        if rms:
            title = _("weight RMS") + " "
            full = Text.assemble((title, "bold"), "  ".join(f"L{i + 1} {_fmt(v)}" for i, v in enumerate(rms)))
            short = Text.assemble((title, "bold"), " ".join(f"L{i + 1} {_fmt(v, 2)}" for i, v in enumerate(rms)))
            tiny = Text.assemble((_("w RMS") + " ", "bold"), " ".join(_fmt(v, 2) for v in rms))
            parts.append(Part((full, short, tiny), priority=40, newline=True))
        return parts

    def header(self, snap: Snapshot | None, mode: str, width: int = 1000, lines: int = 4) -> Text:
        return _join(flow(self.header_parts(snap, mode), width, lines))

    def _build(self, snap: Snapshot | None, width: int, height: int, mode: str) -> Text:
        head = flow(self.header_parts(snap, mode), width, _header_lines(height, 4))
        if snap is None:
            return _join(head)
        rows = height - len(head)
        reason = no_gradient_reason(snap)
        if reason is not None:
            return _join([*head, *_wrapped(reason, width, rows)])
        lh = snap.layer_history
        ep = lh.get("epoch")
        keys = self._layers(snap)
        if ep is None or len(ep) < 2 or not keys:
            return _join([*head, *_wrapped(_("per-layer gradients appear after a few epochs (track_layers)"),
                                           width, rows)])
        if rows < 3 or width < 16:
            return _join(head)
        series = []
        for i, k in enumerate(keys):
            # One point per column (min/max of two): several noisy series
            # cost more, and a band reads as well as a line here.
            x, y = downsample(ep, lh[k], width)
            pos = y > 0
            series.append((x[pos], y[pos], series_color(i, mode)))
        self.plotted_points = max(len(s[0]) for s in series)
        if self.plotted_points == 0:
            return _join(head)
        return _join([*head, *chart_body(series, width, rows, mode, log_y=True)])


def _whole_weights(snap: Snapshot) -> list[np.ndarray] | None:
    """Every layer's weights when the snapshot holds all of them (else None: it holds
    blocks of a large net's, and ``weight_stats`` summarise them)."""
    ws = [np.asarray(w, dtype=np.float64) for w in snap.weights]
    stats = snap.weight_stats
    if len(stats) == len(ws) and any(tuple(w.shape) != tuple(s.shape) for w, s in zip(ws, stats)):
        return None
    return ws


def rebin(counts: np.ndarray, bins: int) -> np.ndarray:
    """``counts`` over equal bins of a range, as ``bins`` equal bins of the same range
    (a bin split between two new ones shares its count in proportion)."""
    n = len(counts)
    if n == 0:
        return np.zeros(bins)
    if n == bins:
        return counts.astype(np.float64)
    cum = np.concatenate([[0.0], np.cumsum(counts, dtype=np.float64)])
    at = np.interp(np.linspace(0.0, n, bins + 1), np.arange(n + 1), cum)
    return np.maximum(np.diff(at), 0.0)


class WeightHistogram(_Chart):
    """Per-layer weight distributions as one-line histograms over a shared range.

    One row per dense layer: ``L1 2×8 ▁▃█▆▂  rms 0.65``; bars left of zero are
    orange (negative weights), right of zero blue, as on TF Playground's links.
    A small net's weights are binned as they are; of a large net the snapshot
    holds a block, and the rows come from ``weight_stats`` (the whole layer's
    shape, RMS and 64-bin histogram, rebinned to the width).
    """

    DEFAULT_CSS = """
    WeightHistogram { width: 1fr; height: auto; min-height: 2; }
    """

    def _signature(self, snap: Snapshot) -> tuple[object, ...]:
        return (snap.epoch, tuple(w.shape for w in snap.weights), float(sum(float(np.abs(w).sum()) for w in snap.weights)),
                tuple((s.shape, s.rms, s.max_abs) for s in snap.weight_stats))

    def update_snapshot(self, snap: Snapshot | None) -> bool:
        before = len(self._snap.weights) if self._snap is not None else -1
        after = len(snap.weights) if snap is not None else -1
        if before != after:
            self.refresh(layout=True)  # one row per layer
        return super().update_snapshot(snap)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        snap = self._snap
        return (len(snap.weights) if snap is not None else 0) + 1

    def _build(self, snap: Snapshot | None, width: int, height: int, mode: str) -> Text:
        if snap is None or not snap.weights:
            return Text(_("weights"), style="bold")
        whole = _whole_weights(snap)
        if whole is not None:
            # The snapshot holds every weight (a small net): bin them as they are.
            finite = [w[np.isfinite(w)] for w in whole]
            m = max((float(np.max(np.abs(f))) for f in finite if f.size), default=1.0) or 1.0
            shapes = [w.shape for w in whole]
            rms = [float(np.sqrt(np.mean(f * f))) if f.size else 0.0 for f in finite]
        else:
            # A large net's snapshot holds a block of each layer's weights, and a summary
            # of all of them: a histogram over [-span, span], rebinned to the width below.
            finite = []
            ws = snap.weight_stats
            m = ws[0].span if ws and math.isfinite(ws[0].span) and ws[0].span > 0 else 1.0
            shapes = [s.shape for s in ws]
            rms = [s.rms for s in ws]
        labels = [f"L{i + 1} {shape[0]}×{shape[1]}" for i, shape in enumerate(shapes)]
        lab_w = max(cell_len(s) for s in labels) + 1
        stats = [f" rms {_fmt(v)}" for v in rms]
        st_w = max(cell_len(s) for s in stats)
        bins = max(width - lab_w - st_w, 4)
        if bins % 2:
            bins -= 1  # an even number of bins puts zero on a bin edge
        edges = np.linspace(-m, m, bins + 1)
        if whole is not None:
            histograms = [np.histogram(f, bins=edges)[0] for f in finite]
        else:
            histograms = [rebin(np.asarray(s.histogram, dtype=np.float64), bins) for s in snap.weight_stats]
        centres = 0.5 * (edges[:-1] + edges[1:])
        bin_styles = []
        for c in centres:
            q = min(abs(c) / m, 1.0)
            if mode == "mono":
                bin_styles.append(Style())
            elif mode == "ansi":
                bin_styles.append(Style(color="blue" if c >= 0 else "yellow"))
            else:
                bin_styles.append(Style(color=to_color(sign_rgb(c, 0.4 + 0.6 * q), mode)))
        lines = [Text.assemble((_("weights"), "bold"), "  " + _("range ±{range}  (orange < 0 < blue)").format(
            range=_fmt(m)))]
        for label, counts, st in zip(labels, histograms, stats):
            top = counts.max() if counts.size else 0
            line = Text(label + " " * (lab_w - cell_len(label)), no_wrap=True, overflow="crop")
            for cnt, style in zip(counts.tolist(), bin_styles):
                if cnt == 0 or top == 0:
                    line.append(" ")
                else:
                    level = max(1, min(8, int(round(8 * cnt / top))))
                    line.append(BARS[level], style)
            line.append(st)
            lines.append(line)
        out = Text("\n", no_wrap=True, overflow="crop").join(lines)
        return out
