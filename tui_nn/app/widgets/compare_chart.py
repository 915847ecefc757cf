"""The compare screen's chart: every run's training loss over epochs, overlaid.

One colour per run (``series_color``: the same colour marks the run's plane
and its row in the table); the legend above the plot names each value with
its latest training loss, and marks a diverged run with ⚠. ``show_test`` adds
each run's test loss in a paler shade of its colour (drawn first, so the
training lines stay on top where they cross); ``log_scale`` puts the loss on a
logarithmic axis. The plot itself is ``chart_body`` (braille, round ticks),
as in the playground's loss chart.

The chart keeps each run's latest snapshot (``update_run``) and rebuilds its
picture only in ``redraw``, when what it shows (the runs' histories), its size
or a toggle changed: the owner calls ``redraw`` a few times a second at most.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import events

from ...i18n import _
from ...render.colors import RGB, blend, series_color
from ...training.snapshot import Snapshot
from ._flow import Part, flow
from .charts import Series, chart_body, downsample
from .colors import color_mode
from .compare_table import TextLines, fit_text, fmt_value, last_losses, run_style

__all__ = ["CompareChart", "paler"]

GREY: RGB = (128, 128, 128)


def paler(color: RGB | int | None) -> RGB | int | None:
    """A run's test-loss colour: its own, half-way to grey (ANSI and mono: the same)."""
    if isinstance(color, tuple):
        return blend(color, GREY, 0.55)
    return color


class CompareChart(TextLines):
    """Training loss per run over epochs (see the module).

    ``update_run(i, snap)``; ``redraw()``; ``show_test`` and ``log_scale``
    toggles; ``series_points`` is, per run, the points of its training-loss
    line last plotted (0: none yet); ``builds`` counts pictures built.
    """

    DEFAULT_CSS = """
    CompareChart { width: 1fr; height: 1fr; min-width: 16; }
    """

    def __init__(self, labels: Sequence[str], *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.labels = list(labels)
        self.snaps: list[Snapshot | None] = [None] * len(self.labels)
        self.show_test = False
        self.log_scale = False
        self.series_points = [0] * len(self.labels)
        self.builds = 0
        self.force_mode: str | None = None
        self._key: object = None
        self.header_lines = 0  # lines of title and legend last built

    def update_run(self, index: int, snap: Snapshot | None) -> None:
        self.snaps[index] = snap

    @staticmethod
    def _signature(snap: Snapshot | None) -> tuple[object, ...]:
        if snap is None:
            return ()
        h = snap.history
        ep = h.get("epoch")
        if ep is None or not len(ep):
            return (0, snap.diverged)
        return (len(ep), float(ep[-1]), float(h["train_loss"][-1]), float(h["test_loss"][-1]), snap.diverged)

    def _mode(self) -> str:
        return color_mode(self.app, override=self.force_mode)

    def redraw(self, force: bool = False) -> None:
        """Build the picture again if the data, the size or a toggle changed."""
        if not self.can_draw:
            return
        width, height = self.size
        mode = self._mode()
        key = (tuple(self._signature(s) for s in self.snaps), width, height, mode, self.show_test, self.log_scale)
        if key == self._key and not force:
            return
        self._key = key
        self.builds += 1
        self.show(self.build(width, height, mode), force=force)

    def on_mount(self) -> None:
        self.redraw(force=True)

    def on_resize(self, _event: events.Resize) -> None:
        self.redraw(force=True)

    def header_parts(self, mode: str) -> list[Part]:
        title = _("training loss (log)") if self.log_scale else _("training loss")
        parts = [Part.of(Text(title, style="bold"), priority=100)]
        if self.show_test:
            parts.append(Part.of(_("paler: test loss"), _("pale: test"), priority=40, style="dim"))
        for i, (label, snap) in enumerate(zip(self.labels, self.snaps)):
            style = run_style(series_color(i, mode), mode, bold=True)
            if snap is None:
                figures = ["…"]
            else:
                loss = last_losses(snap)[0]
                mark = " ⚠" if snap.diverged else ""
                figures = [f" {fmt_value(loss)}{mark}", f" {fmt_value(loss, 2)}{mark}", mark]
            variants = [Text.assemble(("━ ", style), (label, style), (f, "")) for f in figures]
            # The value alone, cut if need be: a run is never missing from the legend.
            parts.append(Part(tuple(variants), priority=90))
        return parts

    def build(self, width: int, height: int, mode: str) -> list[Text]:
        lines_most = 1 if height < 7 else max(1, min(4, 2 + (height - 7) // 4))
        parts = self.header_parts(mode)
        head = flow(parts, width, lines_most)
        # flow drops what does not fit: put back any value it dropped, cut to the width.
        shown = " ".join(t.plain for t in head)
        missing = [lab for lab in self.labels if lab not in shown]
        if missing and len(head) < lines_most:
            head.append(fit_text(Text("  ".join(f"━ {m}" for m in missing)), width))
        self.header_lines = len(head)
        rows = height - len(head)
        live = [s for s in self.snaps if s is not None and len(s.history.get("epoch", ())) >= 2]
        if not live or rows < 2 or width < 12:
            self.series_points = [0] * len(self.labels)
            note = _("waiting for a few epochs…") if rows >= 1 and width >= 12 else ""
            return [*head, *([Text(note, style="dim")] if note else [])]
        max_points = 2 * width
        train: list[Series] = []
        test: list[Series] = []
        points = []
        for i, snap in enumerate(self.snaps):
            color = series_color(i, mode)
            if snap is None or not len(snap.history.get("epoch", ())):
                points.append(0)
                continue
            h = snap.history
            for column, out, c in (("train_loss", train, color), ("test_loss", test, paler(color))):
                if column == "test_loss" and not self.show_test:
                    continue
                x, y = downsample(h["epoch"], h[column], max_points)
                if self.log_scale:
                    pos = y > 0
                    x, y = x[pos], y[pos]
                out.append((x, y, c))
            points.append(len(train[-1][0]))
        self.series_points = points
        series = [*test, *train]  # training lines drawn last: on top where they cross
        if not any(len(s[0]) for s in series):
            return [*head, Text(_("no finite loss to plot"), style="dim")]
        body = chart_body(series, width, rows, mode, log_y=self.log_scale)
        return [*head, *body]

    def legend_text(self) -> str:
        """The title and legend lines last built, as plain text (for tests)."""
        return "\n".join(t.plain for t in self.texts[: self.header_lines])
