"""The compare screen's words: a line of text that fits, and the table of runs.

:class:`TextLines` shows a few lines of Rich ``Text``, cropped to the widget's
width in terminal cells (a wide character is never cut in half).

:class:`CompareTable` has one row per run: the value, the training and test
loss, the accuracy (RMSE for regression), the epoch, the epochs it took to
reach a target loss and the run's state (diverged runs marked). The target is
the highest final training loss among the runs that did not diverge: the loss
every one of them has reached, so each gets a count and the fastest shows (none
while it is not below every such run's starting loss); the title says so. Columns are measured in cells (``rich.cells.cell_len``), so
Korean headers line up; when the width is short, headers and cells take their
short forms, then the least needed columns go.

The figures come from each run's latest ``Snapshot`` (``rows()`` gives them to
tests); drawing happens only when the owner calls ``redraw``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rich.cells import cell_len
from rich.color import Color
from rich.style import Style
from rich.text import Text
from textual import events
from textual.strip import Strip

from ...i18n import _
from ...render.colors import RGB, series_color
from ...training.compare import common_target
from ...training.snapshot import Snapshot
from ...training.state import RunState
from ._lines import LinesWidget
from .charts import _fmt
from .colors import color_mode, to_color

__all__ = [
    "CompareTable", "TextLines", "epochs_to", "fit_text", "fmt_value", "last_losses",
    "run_style", "state_words", "target_loss",
]

def fmt_value(v: float, digits: int = 4) -> str:
    """A figure, short: "0.6931", "1.2e-06" -> "1.2e-6", "inf"; "—" when missing (NaN).
    The loss chart's form, plain up to 10,000 (a table has the room)."""
    return _fmt(v, digits, large=10_000)


def fit_text(text: Text, width: int) -> Text:
    """``text`` cut to ``width`` cells with an ellipsis (never half a wide character)."""
    if text.cell_len <= width:
        return text
    out = text.copy()
    out.truncate(max(width, 0), overflow="ellipsis")
    return out


def run_style(color: RGB | int | None, mode: str, bold: bool = False) -> Style:
    """The style of a run's colour (see ``series_color``) in ``mode``."""
    if mode == "mono" or color is None:
        return Style(bold=bold)
    if isinstance(color, int):
        return Style(color=Color.from_ansi(color), bold=bold)
    return Style(color=to_color(color, mode), bold=bold)


def last_losses(snap: Snapshot) -> tuple[float, float, float, float]:
    """(train loss, test loss, train metric, test metric) of the latest evaluated epoch.

    After a divergence the history ends at the last finite epoch, the one the
    run went back to: its figures, as the playground's chart shows them.
    """
    h = snap.history
    ep = h.get("epoch")
    if ep is not None and len(ep):
        return (float(h["train_loss"][-1]), float(h["test_loss"][-1]),
                float(h["train_metric"][-1]), float(h["test_metric"][-1]))
    last = snap.last
    return (last.train_loss, last.test_loss, last.train_metric, last.test_metric)


def target_loss(snaps: Sequence[Snapshot | None]) -> float | None:
    """The highest latest training loss of the runs that did not diverge, the
    loss every one of them has reached (``common_target``, from the first and
    the last row of each run's history). None before any run has a finite one,
    or while it is not below every such run's starting loss."""
    runs = []
    for snap in snaps:
        if snap is None or snap.diverged:
            continue
        losses = snap.history.get("train_loss")
        if losses is not None and len(losses):
            runs.append((float(losses[0]), float(losses[-1])))
    return common_target(runs)


def epochs_to(snap: Snapshot, target: float) -> int | None:
    """The first epoch in the run's history whose training loss is at or below
    ``target`` (0: the initial weights already are); None if none is. Exact
    while the history holds every epoch, then to the history's stride."""
    h = snap.history
    ep = h.get("epoch")
    if ep is None or not len(ep):
        return None
    hit = np.flatnonzero(np.asarray(h["train_loss"]) <= target)
    return int(ep[hit[0]]) if hit.size else None


def state_words(snap: Snapshot | None, failed: str = "") -> tuple[str, str]:
    """(long, short) words for a run's state: "▶ running" / "▶"."""
    if failed:
        return ("✖ " + _("stopped"), "✖")
    if snap is None:
        return ("… " + _("starting"), "…")
    if snap.diverged or snap.run.state == RunState.DIVERGED:
        return ("⚠ " + _("diverged"), "⚠")
    words = {
        RunState.RUNNING: ("▶", _("running")),
        RunState.PAUSED: ("⏸", _("paused")),
        RunState.FINISHED: ("■", _("finished")),
        RunState.ERROR: ("✖", _("error")),
    }
    mark, word = words.get(snap.run.state, ("", str(snap.run.state)))
    return (f"{mark} {word}", mark)


class TextLines(LinesWidget):
    """A few lines of text, each cropped to the width (in cells) and padded."""

    DEFAULT_CSS = """
    TextLines { width: 1fr; height: 1; }
    """

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._texts: list[Text] = []

    @property
    def texts(self) -> list[Text]:
        return list(self._texts)

    @property
    def plain(self) -> str:
        return "\n".join(t.plain for t in self._texts)

    def show(self, lines: Sequence[Text], force: bool = False) -> None:
        """Show ``lines`` (one per row); repaints only rows that changed."""
        lines = list(lines)
        if not force and [(t.plain, t.spans) for t in lines] == [(t.plain, t.spans) for t in self._texts]:
            return
        self._texts = lines
        self._paint(force)

    def _paint(self, force: bool = False) -> None:
        if not self.can_draw:
            return
        self.set_lines(self.strips(self._texts), force=force)

    def strips(self, lines: Sequence[Text]) -> list[Strip]:
        """Rich Text lines as full-width strips (cut to the width, padded with the widget's style)."""
        width, height = self.size
        console = self.app.console
        base = self.rich_style
        out: list[Strip] = []
        for text in lines[:height]:
            segments = list(fit_text(text, width).render(console, end=""))
            out.append(Strip(segments).apply_style(base).adjust_cell_length(width, base).simplify())
        return out

    def on_mount(self) -> None:
        self._paint(force=True)

    def on_resize(self, _event: events.Resize) -> None:
        self._paint(force=True)


@dataclass(frozen=True)
class _Column:
    """A column: its renderings (header, cells), longest first; lower priority goes first."""

    variants: tuple[tuple[str, tuple[Text, ...]], ...]
    priority: int
    right: bool = True


class _RunCells:
    """The table's cells, one per run in each column, long and short forms: the
    best final training loss and the fewest epochs to the target in bold, what
    is missing as a dim "—", a diverged or stopped run's state in red."""

    def __init__(self, rows: Sequence[dict[str, object]], snaps: Sequence[Snapshot | None],
                 failed: Sequence[str], mode: str) -> None:
        self.rows = rows
        self.snaps = snaps  # the state words come from the snapshots themselves
        self.failed = failed
        self.mode = mode
        self.bold = Style(bold=True)
        self.dim = Style() if mode == "mono" else Style(dim=True)
        finals = [r.get("train_loss") for r in rows if not r["diverged"]]
        self.best = min((v for v in finals if isinstance(v, float) and math.isfinite(v)), default=None)
        metric = next((str(r["metric"]) for r in rows if "metric" in r), "accuracy")
        self.regression = metric != "accuracy"
        hits = [r.get("epochs_to_target") for r in rows]
        self.min_reached = min((n for n in hits if isinstance(n, int)), default=None)

    def figure(self, r: dict[str, object], key: str, digits: int = 4) -> Text:
        v = r.get(key)
        if not isinstance(v, float):
            return Text("—", self.dim)
        style = self.bold if key == "train_loss" and self.best is not None and v == self.best else Style()
        return Text(fmt_value(v, digits), style)

    def figures(self, key: str, digits: int = 4) -> tuple[Text, ...]:
        return tuple(self.figure(r, key, digits) for r in self.rows)

    def values(self, short: bool) -> tuple[Text, ...]:
        cells = []
        for i, r in enumerate(self.rows):
            style = run_style(series_color(i, self.mode), self.mode, bold=True)
            cells.append(Text.assemble(("━" if short else "━ ", style), (str(r["value"]), style)))
        return tuple(cells)

    def metric_cells(self, both: bool) -> tuple[Text, ...]:
        cells = []
        for r in self.rows:
            mtr, mte = r.get("train_metric"), r.get("test_metric")
            if not isinstance(mtr, float) or not isinstance(mte, float):
                cells.append(Text("—", self.dim))
            elif self.regression:
                cells.append(Text(f"{fmt_value(mtr, 3)} / {fmt_value(mte, 3)}" if both else fmt_value(mte, 3)))
            else:
                cells.append(Text(f"{mtr * 100:.1f}% / {mte * 100:.1f}%" if both else f"{mte * 100:.0f}%"))
        return tuple(cells)

    def reached(self) -> tuple[Text, ...]:
        cells = []
        for r in self.rows:
            n = r.get("epochs_to_target")
            if isinstance(n, int):
                cells.append(Text(str(n), self.bold if n == self.min_reached else Style()))
            else:
                cells.append(Text("—" if r.get("epochs") is not None else "", self.dim))
        return tuple(cells)

    def states(self, short: bool) -> tuple[Text, ...]:
        cells = []
        for i in range(len(self.rows)):
            long_word, short_word = state_words(self.snaps[i], self.failed[i])
            word = short_word if short else long_word
            if word.startswith(("⚠", "✖")):
                cells.append(Text(word, Style(bold=True) if self.mode == "mono" else Style(bold=True, color="red")))
            else:
                cells.append(Text(word, self.dim if word.startswith("…") else Style()))
        return tuple(cells)

    def columns(self, setting: str) -> list[_Column]:
        """The table's columns; ``setting``: the varied setting's name, the first header."""
        metric_head = (_("RMSE (train / test)"), _("RMSE")) if self.regression else (
            _("accuracy (train / test)"), _("test acc"))
        epochs = tuple(Text(str(r["epochs"])) if isinstance(r.get("epochs"), int) else Text("—", self.dim)
                       for r in self.rows)
        return [
            _Column(((setting or _("value"), self.values(False)),
                     (setting or _("value"), self.values(True))), priority=100, right=False),
            _Column(((_("train loss"), self.figures("train_loss")),
                     (_("train"), self.figures("train_loss", 3))), priority=95),
            _Column(((_("test loss"), self.figures("test_loss")),
                     (_("test"), self.figures("test_loss", 3))), priority=70),
            _Column(((metric_head[0], self.metric_cells(True)), (metric_head[1], self.metric_cells(False))),
                    priority=60),
            _Column(((_("epochs"), epochs), (_("ep"), epochs)), priority=90),
            _Column(((_("epochs to target"), self.reached()), (_("to target"), self.reached())), priority=85),
            _Column(((_("state"), self.states(False)), ("", self.states(True))), priority=80, right=False),
        ]


class CompareTable(TextLines):
    """One row per run (see the module). ``update_run(i, snap)`` takes a run's
    latest snapshot, ``set_failed(i, why)`` marks a run whose process stopped;
    ``redraw()`` draws when something changed; ``rows()`` gives the figures."""

    DEFAULT_CSS = """
    CompareTable { width: 1fr; height: auto; }
    """

    def __init__(self, labels: Sequence[str], *, setting: str = "", name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.labels = list(labels)
        self.setting = setting  # the varied setting's name: the first column's header
        self.snaps: list[Snapshot | None] = [None] * len(self.labels)
        self.failed: list[str] = [""] * len(self.labels)
        self._drawn_key: object = None
        self.builds = 0

    # ---- data ---------------------------------------------------------------
    def update_run(self, index: int, snap: Snapshot | None) -> None:
        self.snaps[index] = snap
        if snap is not None:
            self.failed[index] = ""

    def set_failed(self, index: int, why: str) -> None:
        self.failed[index] = why

    def target(self) -> float | None:
        return target_loss(self.snaps)

    def rows(self) -> list[dict[str, object]]:
        """Per run: value, train_loss, test_loss, train_metric, test_metric, metric,
        epochs, epochs_to_target (None: not reached), target, diverged, state."""
        goal = self.target()
        out: list[dict[str, object]] = []
        for label, snap, failed in zip(self.labels, self.snaps, self.failed):
            if snap is None:
                out.append({"value": label, "epochs": None, "diverged": False, "target": goal,
                            "state": state_words(None, failed)[0]})
                continue
            tr, te, mtr, mte = last_losses(snap)
            out.append({
                "value": label, "train_loss": tr, "test_loss": te, "train_metric": mtr, "test_metric": mte,
                "metric": snap.metric_name, "epochs": snap.epoch,
                "epochs_to_target": epochs_to(snap, goal) if goal is not None else None,
                "target": goal, "diverged": snap.diverged, "state": state_words(snap, failed)[0],
            })
        return out

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        return len(self.labels) + 2

    # ---- drawing ------------------------------------------------------------
    def _mode(self) -> str:
        return color_mode(self.app)

    def redraw(self, force: bool = False) -> None:
        """Build the table again if a figure, the size or the colours changed."""
        if not self.can_draw:
            return
        rows = self.rows()
        width = self.size.width
        mode = self._mode()
        key = (repr(rows), width, self.size.height, mode)
        if key == self._drawn_key and not force:
            return
        self._drawn_key = key
        self.builds += 1
        self.show(self.build(rows, width, mode), force=force)

    def on_mount(self) -> None:
        self.redraw(force=True)

    def on_resize(self, _event: events.Resize) -> None:
        self.redraw(force=True)

    def build(self, rows: Sequence[dict[str, object]], width: int, mode: str) -> list[Text]:
        """The title line, the header and one line per run, each at most ``width`` cells."""
        goal = rows[0]["target"] if rows else None
        lines = [self._title(goal if isinstance(goal, float) else None, width)]
        cells = _RunCells(rows, self.snaps, self.failed, mode)
        return lines + _lay_out(cells.columns(self.setting), width, len(rows), cells.dim)

    def _title(self, goal: float | None, width: int) -> Text:
        bold = Style(bold=True)
        if goal is None:
            learning = any(s is not None and not s.diverged and math.isfinite(last_losses(s)[0])
                           for s in self.snaps)
            options = [Text(_("Epochs to a target loss: none yet (not every run is below its starting loss)")
                            if learning else _("Epochs to a target loss: none yet (no run has a finite loss)"), bold),
                       Text(_("Epochs to target: none yet"), bold)]
        else:
            target = fmt_value(goal)
            options = [
                Text.assemble((_("Epochs to {target}").format(target=target), bold), "  ",
                              (_("target: the highest final training loss, which every run reached"), "dim")),
                Text.assemble((_("Epochs to {target}").format(target=target), bold), "  ",
                              (_("(the highest final loss)"), "dim")),
                Text(_("Epochs to {target}").format(target=target), bold),
            ]
        for option in options:
            if option.cell_len <= width:
                return option
        return fit_text(options[-1], width)


def _lay_out(columns: list[_Column], width: int, n_rows: int, dim: Style) -> list[Text]:
    """The header and the rows of ``columns`` in ``width`` cells: short forms first
    for the least needed columns, then those columns go; the first column is cut
    with an ellipsis as a last resort."""
    choice = [0] * len(columns)
    shown = [True] * len(columns)
    gap = 2

    def col_width(k: int) -> int:
        head, cells = columns[k].variants[choice[k]]
        return max([cell_len(head), *(c.cell_len for c in cells)])

    def total() -> int:
        widths = [col_width(k) for k in range(len(columns)) if shown[k]]
        return sum(widths) + gap * (len(widths) - 1)

    order = sorted(range(len(columns)), key=lambda k: columns[k].priority)
    for k in order:  # short forms, least needed first
        if total() <= width:
            break
        choice[k] = len(columns[k].variants) - 1
    for k in order:  # then drop columns, least needed first (never the first)
        if total() <= width or k == 0:
            continue
        shown[k] = False
    widths = {k: col_width(k) for k in range(len(columns)) if shown[k]}
    spare = width - total()
    if spare < 0:
        widths[0] = max(widths[0] + spare, 1)

    def line(cells: list[Text]) -> Text:
        out = Text(no_wrap=True, overflow="crop")
        first = True
        for k, cell in zip([k for k in range(len(columns)) if shown[k]], cells):
            if not first:
                out.append(" " * gap)
            first = False
            w = widths[k]
            cell = fit_text(cell, w)
            pad = " " * (w - cell.cell_len)
            if columns[k].right:
                out.append(pad)
                out.append_text(cell)
            else:
                out.append_text(cell)
                out.append(pad)
        return out

    ks = [k for k in range(len(columns)) if shown[k]]
    head = line([Text(columns[k].variants[choice[k]][0], Style(bold=True, underline=True)) for k in ks])
    body = [line([columns[k].variants[choice[k]][1][i] for k in ks]) for i in range(n_rows)]
    return [head, *body]
