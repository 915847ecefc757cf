"""Compare mode: 2 to 6 runs of one set-up, one setting varied, trained side by side.

``CompareScreen(config, "network.activation", ("tanh", "relu"))`` is pushed over
the playground. Each run is a ``SessionProcess`` of its own (a child process,
spawned: the app's threads are running), so training never blocks the UI, and
the runs train together: space plays or pauses all, ``n`` trains one epoch of
each, ``b`` one mini-batch of each, ``[`` ``]`` step the pace along the
playground's ladder, ``r`` puts every run back to its start. Esc closes the
screen, and every run's process stops with it (and with the app).

So that the varied setting is the only difference, every run has the same data
(the same seed draws the same data set) and, where the networks' layer shapes
are equal, the same initial weights: the first run's trainer is built here once,
headless, and its initial weights go into every run's config as hand-set
weights. The screen says which: "same initial weights", or "initial weights
differ: the shapes differ" (``network.hidden``, ``data.features``...), or that
the varied setting is how the weights are drawn.

On screen: the runs' training losses overlaid in one chart with a legend naming
each value (``t`` adds the test losses, ``l`` a log axis), each run's decision
grid small beside it (as many as have room: fewer and smaller at 80x24), and a
table of the figures with the epochs each run took to reach a target loss (the
highest final training loss among the runs that did not diverge: every one of
them reached it, so each gets a count and the fastest shows).
The UI thread only draws: relay threads wait on the runs' pipes and keep each
run's newest snapshot; the screen takes them at most once per message (never a
backlog) and redraws the chart, table and labels at most 4 times a second, each
plane at most 3 times a second.

The runs' configs are planned in compare_plan.py; their processes, relay threads
and messages are compare_runs.py's (``CompareRuns``, this screen's base); this
module lays out and draws the screen and holds its keys.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container, Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import Footer

from ...config import Config, format_value
from ...i18n import N_, _
from ...render.colors import series_color
from ...render.layout import PlaneLayout, axis_label_width
from ...session.process import SessionProcess
from ...session.protocol import Pause, Play, Reset, SetPace, Snapshot, Step, StepBatch
from ...training.state import RunState
from ..bindings import PACES, pace_words, translate_keys
from ..widgets.colors import color_mode
from ..widgets.compare_chart import CompareChart
from ..widgets.compare_table import CompareTable, TextLines, fit_text, fmt_value, last_losses, run_style, state_words
from ..widgets.decision_grid import DecisionGrid
# The plan and the runs' plumbing were defined here: their names are still importable from here.
from .compare_plan import INIT_PATHS, MAX_RUNS, MIN_RUNS, ComparePlan, plan_comparison
from .compare_runs import NICE, CompareRuns, RunEnded, RunNotice, RunsUpdated

__all__ = ["COMPARE_BINDINGS", "ComparePlan", "CompareScreen", "grid_arrangement", "plan_comparison"]

FPS = 3.0  # snapshots a second each run sends while training
TICK_S = 0.25  # how often the screen looks for something to redraw
TEXT_REDRAW_S = 0.5  # while training, the chart, the table and the labels: at most 2 redraws a second
PLANE_REDRAW_S = 1 / 3  # each plane: at most 3 redraws a second while training ...
PLANES_PER_S = 9.0  # ... and all of them together at most about this many
MIN_PLANE_ROWS = 4  # a plane smaller than this many cell rows is not drawn


# ---- where the planes go ------------------------------------------------------------------


@dataclass(frozen=True)
class GridArrangement:
    shown: int  # planes drawn (the first ``shown`` runs)
    columns: int
    rows: int
    box_width: int  # cells per plane box, its title line and left margin included
    box_height: int
    plane_rows: int  # cell rows of each plane


def grid_arrangement(width: int, height: int, runs: int, extent: float = 6.0) -> GridArrangement:
    """How to lay out ``runs`` small planes in a ``width`` x ``height`` body beside the
    chart: the largest planes that fit, the chart keeping at least 2/5 of the width
    (and 30 cells); fewer planes when not even the smallest readable ones fit."""
    chart_min = max(30, width * 2 // 5)
    room = width - chart_min
    axis = axis_label_width(extent)

    def plane(w: int, h: int) -> int:
        # a box: one cell of margin at the left, a title line at the top
        return PlaneLayout.fit(w - 1, h - 1, True, axis_w=axis).rows if w > 1 and h > 1 else 0

    for shown in range(runs, 0, -1):
        best: GridArrangement | None = None
        for columns in range(1, shown + 1):
            rows = math.ceil(shown / columns)
            box_h = height // rows
            box_w = room // columns
            if box_w < 8 or box_h < 3:
                continue
            p = plane(box_w, box_h)
            while box_w > 8 and plane(box_w - 1, box_h) == p:
                box_w -= 1  # no wider than the plane needs: the rest is the chart's
            if best is None or p > best.plane_rows:
                best = GridArrangement(shown, columns, rows, max(box_w, 12), box_h, p)
        if best is not None and best.plane_rows >= MIN_PLANE_ROWS and best.columns * best.box_width <= room:
            return best
    return GridArrangement(0, 1, 1, 0, 0, 0)


class RunBox(Vertical):
    """One run's plane with its value above it."""

    DEFAULT_CSS = """
    RunBox { width: 1fr; height: 1fr; padding: 0 0 0 1; }
    RunBox > TextLines { height: 1; }
    RunBox > DecisionGrid { height: 1fr; min-height: 1; }
    """

    def __init__(self, index: int, label: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.index = index
        self.label = label
        self.title = TextLines(classes="compare-run-title")
        self.grid = DecisionGrid()

    def compose(self) -> ComposeResult:
        yield self.title
        yield self.grid


COMPARE_BINDINGS: list[BindingType] = [
    Binding("escape", "back", N_("Back"), id="compare.back",
            tooltip=N_("Close the comparison: its runs stop, the playground is as it was")),
    # priority, as the playground's: space plays from anywhere on this screen
    # (the app steps aside for this screen: see the wiring in the module notes).
    Binding("space", "toggle_all", N_("Play"), priority=True, id="compare.toggle",
            tooltip=N_("Start or pause every run")),
    Binding("n", "step_all", N_("Epoch"), id="compare.step", tooltip=N_("Train exactly one epoch of every run")),
    Binding("b", "batch_all", N_("Batch"), id="compare.batch",
            tooltip=N_("Train one mini-batch of every run, then pause")),
    Binding("left_square_bracket", "pace_down", N_("Pace"), key_display="[ ]", id="compare.pace.down",
            tooltip=N_("Train fewer epochs a second: 1 3 10 30 100 300 max")),
    Binding("right_square_bracket", "pace_up", N_("Faster"), key_display="]", show=False, id="compare.pace.up",
            tooltip=N_("Train more epochs a second, up to as fast as the machine can")),
    Binding("r", "reset_all", N_("Reset"), id="compare.reset",
            tooltip=N_("Every run back to its initial weights, epoch 0")),
    Binding("t", "toggle_test_loss", N_("Test loss"), id="compare.test",
            tooltip=N_("Show or hide each run's test loss (paler lines)")),
    Binding("l", "toggle_log", N_("Log loss"), show=False, id="compare.log",
            tooltip=N_("Loss chart on a logarithmic axis")),
    Binding("d", "toggle_discretize", N_("Discretize"), show=False, id="compare.discretize",
            tooltip=N_("Show the hard decision instead of confidence")),
    # The playground's help, off the footer: at 80 columns (in Korean too) it needs the room.
    Binding("question_mark,f1", "app.help", N_("Help"), show=False, id="compare.help"),
    # The playground's keys that change its own run or layout wait behind this screen.
    Binding("minus,plus,equals_sign,R,g,s,v,w,e,full_stop,comma", "playground_key", show=False,
            id="compare.playground-keys"),
]


class CompareScreen(CompareRuns):
    """Runs of ``config`` with ``path`` set to each of ``values``, side by side (see the module).

    ``pace``: epochs a second each run trains at (None: as fast as it can);
    ``title``: the heading (default: "Comparing <path>"). Raises ``ConfigError``
    for a bad setting or values, before anything starts.
    """

    BINDINGS: ClassVar[list[BindingType]] = COMPARE_BINDINGS
    # The playground's actions that must not run while this screen is up (its
    # check_action asks ``blocks``): space is a priority key of the app's.
    BLOCKED_APP_ACTIONS: ClassVar[frozenset[str]] = frozenset({"toggle_run"})

    DEFAULT_CSS = """
    CompareScreen { layout: vertical; }
    CompareScreen #compare-head { height: 1; }
    CompareScreen #compare-body { height: 1fr; }
    CompareScreen #compare-chart { width: 1fr; height: 1fr; }
    CompareScreen #compare-grids { layout: grid; grid-size: 1; width: 0; height: 1fr; }
    CompareScreen #compare-table { height: auto; }
    """

    def __init__(self, config: Config, path: str, values: tuple[str, ...], pace: float | None = 30.0,
                 title: str = "", *, fps: float = FPS) -> None:
        super().__init__()
        self.plan = plan_comparison(config, path, values)
        self.path = path
        self.values = tuple(values)
        self.labels = [format_value(c.get(path)) for c in self.plan.configs]
        self.pace = pace
        self.fps = fps
        self.heading = title
        n = len(self.labels)
        self.sessions: list[SessionProcess | None] = [None] * n
        self.snapshots: list[Snapshot | None] = [None] * n
        self.first_snapshots: list[Snapshot | None] = [None] * n  # each run's first, as it started
        self.snapshots_seen = [0] * n
        self.failed = [""] * n
        self.arrangement = GridArrangement(0, 1, 1, 0, 0, 0)
        self._inbox: dict[int, Snapshot] = {}
        self._inbox_lock = threading.Lock()
        self._wake_pending = False
        self._played_at: float | None = None  # when space last played (its snapshots may be on the way)
        self._runs_stopped = False
        self._dirty = True
        self._texts_drawn_at = -1e9
        self._tick_timer: Timer | None = None
        # While training, each plane is drawn at most every plane_interval seconds.
        self.plane_interval = max(PLANE_REDRAW_S, n / PLANES_PER_S)
        self._plane_drawn_at = [-1e9] * n
        self._plane_due = [False] * n
        self._grid_sent: list[tuple[int, int] | None] = [None] * n
        self._translate_bindings()

    @classmethod
    def from_text(cls, config: Config, text: str, pace: float | None = 30.0, title: str = "") -> CompareScreen:
        """The screen for ``--vary``-style text, ``"network.activation=tanh,relu"``
        (``;`` between values that hold commas: ``network.hidden=4;8,8``).
        Raises ``ConfigError`` naming the setting and what is allowed."""
        from ...training.compare import parse_vary

        path, values = parse_vary(text, config)
        return cls(config, path, values, pace=pace, title=title)

    # ---- what the runs share ----------------------------------------------------------
    @property
    def shared_init(self) -> bool:
        return self.plan.shared_init

    def sharing_note(self) -> str:
        return ", ".join(long for long, _short in self.plan.notes())

    # ---- layout -----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        self.head = TextLines(id="compare-head")
        self.chart = CompareChart(self.labels, id="compare-chart")
        self.boxes = [RunBox(i, label, id=f"compare-run-{i}") for i, label in enumerate(self.labels)]
        self.grids = [box.grid for box in self.boxes]
        self.table = CompareTable(self.labels, setting=self.path.rpartition(".")[2], id="compare-table")
        yield self.head
        with Horizontal(id="compare-body"):
            yield self.chart
            with Container(id="compare-grids"):
                yield from self.boxes
        yield self.table
        yield Footer(compact=True, show_command_palette=False)

    def _translate_bindings(self) -> None:
        """The keys' words (footer) in the current language."""
        translate_keys(self)

    def on_mount(self) -> None:
        for i in range(len(self.labels)):
            self._start_run(i)
        self._tick_timer = self.set_interval(TICK_S, self._tick)
        self._arrange(self.size.width, self.size.height)
        self._redraw_texts(force=True)

    def on_resize(self, event: events.Resize) -> None:
        self._arrange(event.size.width, event.size.height)
        self._dirty = True

    def _arrange(self, width: int, height: int) -> None:
        """Size the plane boxes for a ``width`` x ``height`` screen (see ``grid_arrangement``)."""
        n = len(self.labels)
        body = height - 1 - (n + 2) - 1  # the heading, the table, the footer
        extent = next((s.extent for s in self.snapshots if s is not None and s.extent > 0), 6.0)
        tabular = any(s is not None and s.output_grid is None for s in self.snapshots)
        a = grid_arrangement(width, max(body, 0), n, extent) if not tabular else GridArrangement(0, 1, 1, 0, 0, 0)
        self.arrangement = a
        try:
            grids = self.query_one("#compare-grids", Container)
        except Exception:
            return
        grids.styles.grid_size_columns = max(a.columns, 1)
        grids.styles.grid_size_rows = max(a.rows, 1)
        grids.styles.width = a.columns * a.box_width if a.shown else 0
        grids.styles.height = a.rows * a.box_height if a.shown else 0
        grids.display = a.shown > 0
        for i, box in enumerate(self.boxes):
            shown = i < a.shown
            was = box.display
            box.display = shown
            if shown and not was:
                self._draw_plane(i, time.monotonic())

    # ---- drawing (the runs' processes are compare_runs.py's) ---------------------------
    def _draw_plane(self, i: int, now: float) -> None:
        self._plane_due[i] = False
        snap = self.snapshots[i]
        if snap is not None and self.boxes[i].display:
            self._plane_drawn_at[i] = now
            self.grids[i].update_snapshot(snap)

    def _tick(self) -> None:
        if self._runs_stopped:
            return
        now = time.monotonic()
        for i, due in enumerate(self._plane_due):
            if due and now - self._plane_drawn_at[i] >= self.plane_interval:
                self._draw_plane(i, now)
        if self._dirty and now - self._texts_drawn_at >= TEXT_REDRAW_S - TICK_S / 2:
            self._redraw_texts()

    def _redraw_texts(self, force: bool = False) -> None:
        self._dirty = False
        self._texts_drawn_at = time.monotonic()
        if not self.is_mounted:
            return
        self.chart.redraw(force)
        self.table.redraw(force)
        mode = color_mode(self.app)
        for i, box in enumerate(self.boxes):
            if box.display:
                box.title.show(self._box_title(i, box.title.size.width, mode))
        self.head.show([self._heading(self.head.size.width, mode)])

    def _box_title(self, i: int, width: int, mode: str) -> list[Text]:
        style = run_style(series_color(i, mode), mode, bold=True)
        snap = self.snapshots[i]
        name = Text.assemble(("━ ", style), (self.labels[i], style))
        if snap is None:
            return [fit_text(name, width)]
        loss = last_losses(snap)[0]
        mark = state_words(snap, self.failed[i])[1]
        for extra in (f"  {fmt_value(loss, 3)} {mark}", f" {mark}", ""):
            line = name + Text(extra, style="" if "⚠" not in extra else "bold red")
            if line.cell_len <= width:
                return [line]
        return [fit_text(name, width)]

    def _heading(self, width: int, mode: str) -> Text:
        title = self.heading or _("Comparing {path}").format(path=self.path)
        running = sum(1 for s in self.snapshots if s is not None and s.run.state == RunState.RUNNING)
        state = (_("{count} running").format(count=running) if running else _("paused"))
        pace = _("pace {pace}").format(pace=pace_words(self.pace))
        notes = self.plan.notes()
        hidden = len(self.labels) - self.arrangement.shown
        more = (_("{count} planes need a larger terminal").format(count=hidden)
                if hidden and self.arrangement.shown else "")
        bold, dim = Style(bold=True), Style() if mode == "mono" else Style(dim=True)
        candidates: list[list[tuple[str, Style]]] = []
        for long in (True, False):
            words = [note[0] if long else note[1] for note in notes]
            sharing = ", ".join(words)
            candidates.append([(title, bold), (sharing, Style()), (pace, dim), (state, dim), (more, dim)])
            candidates.append([(title, bold), (sharing, Style()), (pace, dim), (state, dim)])
            candidates.append([(title, bold), (sharing, Style()), (pace, dim)])
            candidates.append([(title, bold), (sharing, Style())])
        candidates.append([(self.path, bold), (", ".join(n[1] for n in notes), Style())])
        for parts in candidates:
            line = Text("  ·  ").join(Text(s, st) for s, st in parts if s)
            if line.cell_len <= width:
                return line
        return fit_text(Text(", ".join(n[1] for n in notes)), width)

    # ---- actions ------------------------------------------------------------------------
    def blocks(self, action: str) -> bool:
        """Whether the playground's ``action`` must wait while this screen is up."""
        return action in self.BLOCKED_APP_ACTIONS

    def action_back(self) -> None:
        self.stop_runs()
        self.dismiss()

    def _any_running(self) -> bool:
        recent = self._played_at is not None and time.monotonic() - self._played_at < 1.0
        return recent or any(s is not None and s.run.state == RunState.RUNNING for s in self.snapshots)

    def action_toggle_all(self) -> None:
        if self._any_running():
            self._played_at = None
            self._send_all(Pause())
        else:
            self._played_at = time.monotonic()
            self._send_all(Play(), skip_diverged=True)

    def action_step_all(self) -> None:
        self._played_at = None
        self._send_all(Step(1), skip_diverged=True)

    def action_batch_all(self) -> None:
        self._played_at = None
        self._send_all(StepBatch(), skip_diverged=True)

    def _move_pace(self, direction: int) -> None:
        i = PACES.index(self.pace) if self.pace in PACES else PACES.index(30.0)
        self.pace = PACES[min(max(i + direction, 0), len(PACES) - 1)]
        self._send_all(SetPace(self.pace))
        self._dirty = True
        self._redraw_texts()

    def action_pace_up(self) -> None:
        self._move_pace(+1)

    def action_pace_down(self) -> None:
        self._move_pace(-1)

    def action_reset_all(self) -> None:
        """Every run back to its start (a stopped run's process starts again)."""
        self._played_at = None
        for i, session in enumerate(self.sessions):
            if session is None:
                self._start_run(i)
            else:
                session.send(Reset(None, _("Reset: every run back to its start.")))

    def action_toggle_test_loss(self) -> None:
        self.chart.show_test = not self.chart.show_test
        self.chart.redraw()

    def action_toggle_log(self) -> None:
        self.chart.log_scale = not self.chart.log_scale
        self.chart.redraw()

    def action_toggle_discretize(self) -> None:
        for grid in self.grids:
            grid.discretize = not grid.discretize

    def action_playground_key(self) -> None:
        self.notify(_("That key acts on the playground: press Esc to go back to it."))


