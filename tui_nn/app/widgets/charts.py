"""Charts of a run: loss over epochs, per-layer gradients, weight distributions.

The line charts use plotext (6.x: ``plotext.figure`` is the plot; ``build()``
gives a matrix whose ``string()`` carries ANSI colour codes), rendered through
``rich.text.Text.from_ansi``. plotext is slow with many points, so every series
is cut down to about two points per column first, keeping each bucket's
minimum and maximum so spikes survive; and a chart is rebuilt only when the
snapshot brought new data or the widget changed size.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from rich.color import Color
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.reactive import reactive
from textual.strip import Strip

from ...render.colors import RGB, series_color, sign_rgb
from ...training.snapshot import Snapshot
from .colors import color_mode, to_color
from .redraw import SnapshotWidget

__all__ = ["GradientChart", "LossChart", "WeightHistogram", "downsample", "plot_lines"]

BARS = " ▁▂▃▄▅▆▇█"


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


def plot_lines(
    series: Sequence[Series],
    width: int,
    height: int,
    *,
    log_y: bool = False,
    mono: bool = False,
) -> str:
    """Draw (x, y, colour) series with plotext at ``width`` x ``height``; the ANSI string."""
    # Imported on first use: plotext's import takes ~90 ms, which would
    # otherwise sit between launch and the first frame.
    import plotext as plt

    fig = plt.figure
    fig.clear()
    plt.terminal.limit(False, False)  # our size is the widget's, not the terminal's
    fig.plot_size(width, height)
    fig.theme("colorless" if mono else "simple")
    for x, y, color in series:
        if len(x) == 0:
            continue
        marker = "braille" if (mono or color is None) else plt.marker("braille", color)
        sig = fig.signal(x.tolist(), y.tolist(), marker=marker)
        if len(x) > 1:
            sig.lines()
        fig.draw(sig)
    if log_y:
        fig.ruler("y").scale("log")
    ansi: str = fig.build().string(colorless=mono)  # plotext is untyped
    return ansi.rstrip("\n")


def _fmt(v: float) -> str:
    if not math.isfinite(v):
        return "inf" if v > 0 else "nan"
    if v == 0:
        return "0"
    a = abs(v)
    if a >= 1000 or a < 0.001:
        return f"{v:.2e}"
    return f"{v:.4g}"


class _Chart(SnapshotWidget):
    """Keeps the last snapshot; rebuilds its picture only when the data, the size or
    a setting changed (plotext takes ~5-15 ms), and then repaints only the rows that differ."""

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(None, name=name, id=id, classes=classes)
        self._sig: tuple[object, ...] | None = None
        self._cache_key: tuple[object, ...] | None = None
        self.builds = 0  # chart rebuilds done (for tests and measurements)
        self.plotted_points = 0  # the largest series length last handed to plotext
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
        key = (self._sig, width, height, mode, self._extra_key())
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

    def _extra_key(self) -> tuple[object, ...]:
        return ()

    def _build(self, snap: Snapshot | None, width: int, height: int, mode: str) -> Text:
        raise NotImplementedError


def _legend(label: str, color: RGB | int | None, mode: str) -> Text:
    if mode == "mono" or color is None:
        style = Style(bold=True)
    elif isinstance(color, int):
        style = Style(color=Color.from_ansi(color), bold=True)
    else:
        style = Style(color=to_color(color, mode), bold=True)
    return Text.assemble(("━", style), (f" {label}", style))


def _body(ansi: str) -> Text:
    body = Text.from_ansi(ansi, no_wrap=True)
    body.no_wrap = True
    body.overflow = "crop"
    return body


class LossChart(_Chart):
    """Train and test loss over epochs; the title shows the last losses and the metric.

    ``update_snapshot(snap)``; ``log_scale`` (reactive) toggles a log y axis;
    ``plotted_points`` is the largest series length last handed to plotext.
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

    def header(self, snap: Snapshot | None, mode: str) -> Text:
        text = Text("loss", style="bold", no_wrap=True, overflow="crop")
        if self.log_scale:
            text.append(" (log)")
        if snap is None or not len(snap.history.get("epoch", ())):
            return text
        h = snap.history
        tr, te = float(h["train_loss"][-1]), float(h["test_loss"][-1])
        if snap.diverged:
            tr = te = math.inf
        text.append("  ")
        text.append_text(_legend(f"train {_fmt(tr)}", series_color(0, mode), mode))
        text.append("  ")
        text.append_text(_legend(f"test {_fmt(te)}", series_color(1, mode), mode))
        mtr, mte = float(h["train_metric"][-1]), float(h["test_metric"][-1])
        if snap.metric_name == "accuracy":
            text.append(f"  accuracy {mtr * 100:.1f}% / {mte * 100:.1f}%")
        else:
            text.append(f"  {snap.metric_name.upper()} {_fmt(mtr)} / {_fmt(mte)}")
        text.append(f"  epoch {snap.epoch}", style="dim")
        return text

    def _build(self, snap: Snapshot | None, width: int, height: int, mode: str) -> Text:
        head = self.header(snap, mode)
        if snap is None or height < 4 or width < 16:
            return head
        h = snap.history
        ep = h.get("epoch")
        if ep is None or len(ep) < 2:
            return Text.assemble(head, "\n", Text("waiting for a few epochs…", style="dim"))
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
            return Text.assemble(head, "\n", Text("no finite loss to plot", style="dim"))
        body = plot_lines(series, width, height - 1, log_y=self.log_scale, mono=mode == "mono")
        return Text.assemble(head, "\n", _body(body), no_wrap=True, overflow="crop")


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
        stats = tuple(round(s.weight_rms, 6) for s in snap.layer_stats)
        return (n, float(ep[-1]) if ep is not None and n else -1.0, last, stats)

    @staticmethod
    def _layers(snap: Snapshot) -> list[str]:
        keys = [k for k in snap.layer_history if k.startswith("grad")]
        return sorted(keys, key=lambda k: int(k[4:]) if k[4:].isdigit() else 0)

    def header(self, snap: Snapshot | None, mode: str) -> Text:
        text = Text("grad RMS (log)", style="bold", no_wrap=True, overflow="crop")
        if snap is None:
            return text
        lh = snap.layer_history
        keys = self._layers(snap)
        if keys and len(lh.get("epoch", ())):
            lasts = []
            for i, k in enumerate(keys):
                v = float(lh[k][-1])
                lasts.append(v)
                text.append(" ")
                text.append_text(_legend(f"L{i + 1} {_fmt(v)}", series_color(i, mode), mode))
            if len(lasts) > 1 and lasts[-1] > 0 and math.isfinite(lasts[0]):
                ratio = lasts[0] / lasts[-1]
                text.append(f"  L1/L{len(lasts)} ×{ratio:.2g}", style="bold red" if ratio < 1e-2 and mode != "mono" else "")
        if snap.layer_stats:
            text.append("\nweight RMS ", style="bold")
            text.append("  ".join(f"L{i + 1} {_fmt(s.weight_rms)}" for i, s in enumerate(snap.layer_stats)))
        return text

    def _build(self, snap: Snapshot | None, width: int, height: int, mode: str) -> Text:
        head = self.header(snap, mode)
        head_lines = len(head.plain.split("\n"))
        if snap is None:
            return head
        lh = snap.layer_history
        ep = lh.get("epoch")
        keys = self._layers(snap)
        if ep is None or len(ep) < 2 or not keys:
            return Text.assemble(
                head, "\n", Text("per-layer gradients appear after a few epochs (track_layers)", style="dim")
            )
        if height - head_lines < 4 or width < 16:
            return head
        series = []
        for i, k in enumerate(keys):
            # One point per column (min/max of two): several noisy series are
            # slow for plotext, and a band reads as well as a line here.
            x, y = downsample(ep, lh[k], width)
            pos = y > 0
            series.append((x[pos], y[pos], series_color(i, mode)))
        self.plotted_points = max(len(s[0]) for s in series)
        if self.plotted_points == 0:
            return head
        body = plot_lines(series, width, height - head_lines, log_y=True, mono=mode == "mono")
        return Text.assemble(head, "\n", _body(body), no_wrap=True, overflow="crop")


class WeightHistogram(_Chart):
    """Per-layer weight distributions as one-line histograms over a shared range.

    One row per dense layer: ``L1 2×8 ▁▃█▆▂  rms 0.65``; bars left of zero are
    orange (negative weights), right of zero blue, as on TF Playground's links.
    """

    DEFAULT_CSS = """
    WeightHistogram { width: 1fr; height: auto; min-height: 2; }
    """

    def _signature(self, snap: Snapshot) -> tuple[object, ...]:
        return (snap.epoch, tuple(w.shape for w in snap.weights), float(sum(float(np.abs(w).sum()) for w in snap.weights)))

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
            return Text("weights", style="bold")
        ws = [np.asarray(w, dtype=np.float64) for w in snap.weights]
        finite = [w[np.isfinite(w)] for w in ws]
        m = max((float(np.max(np.abs(f))) for f in finite if f.size), default=1.0) or 1.0
        labels = [f"L{i + 1} {w.shape[0]}×{w.shape[1]}" for i, w in enumerate(ws)]
        lab_w = max(len(s) for s in labels) + 1
        stats = [f" rms {_fmt(float(np.sqrt(np.mean(f * f))) if f.size else 0.0)}" for f in finite]
        st_w = max(len(s) for s in stats)
        bins = max(width - lab_w - st_w, 4)
        if bins % 2:
            bins -= 1  # an even number of bins puts zero on a bin edge
        edges = np.linspace(-m, m, bins + 1)
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
        lines = [Text.assemble(("weights", "bold"), f"  range ±{_fmt(m)}  (orange < 0 < blue)")]
        for label, f, st in zip(labels, finite, stats):
            counts, _ = np.histogram(f, bins=edges)
            top = counts.max() if counts.size else 0
            line = Text(label.ljust(lab_w), no_wrap=True, overflow="crop")
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
