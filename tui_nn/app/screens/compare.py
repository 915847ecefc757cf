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
table of the figures with the epochs each run took to reach a target loss.
The UI thread only draws: relay threads wait on the runs' pipes and keep each
run's newest snapshot; the screen takes them at most once per message (never a
backlog) and redraws the chart, table and labels at most 4 times a second, each
plane at most 3 times a second.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container, Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer

from ...config import Config, ConfigError, Weights, format_value, resolve_output_and_loss
from ...data.dataset import Dataset
from ...i18n import N_, _
from ...render.colors import series_color
from ...render.layout import PlaneLayout, axis_label_width
from ...session.process import SessionProcess
from ...session.protocol import Command, Event, Notice, Pause, Play, Reset, SetGrid, SetPace, Snapshot, Step, StepBatch, Stop
from ...training.state import RunState
from ...training.trainer import Trainer, WeightsMismatch, build_dataset_for
from ..bindings import PACES, pace_words
from ..widgets.colors import color_mode
from ..widgets.compare_chart import CompareChart
from ..widgets.compare_table import CompareTable, TextLines, fit_text, fmt_value, last_losses, run_style, state_words
from ..widgets.decision_grid import DecisionGrid

__all__ = ["COMPARE_BINDINGS", "ComparePlan", "CompareScreen", "grid_arrangement", "plan_comparison"]

MIN_RUNS, MAX_RUNS = 2, 6
# Settings that decide how the initial weights are drawn: varying one of them
# varies the initial weights, so they are not shared.
INIT_PATHS = ("network.init", "network.init_seed", "training.seed")
FPS = 3.0  # snapshots a second each run sends while training
TICK_S = 0.25  # how often the screen looks for something to redraw
TEXT_REDRAW_S = 0.5  # while training, the chart, the table and the labels: at most 2 redraws a second
PLANE_REDRAW_S = 1 / 3  # each plane: at most 3 redraws a second while training ...
PLANES_PER_S = 9.0  # ... and all of them together at most about this many
MIN_PLANE_ROWS = 4  # a plane smaller than this many cell rows is not drawn
NICE = 5  # the runs' processes yield to the UI by this much niceness


# ---- the runs: one config per value, the shared start ---------------------------------


@dataclass(frozen=True)
class ComparePlan:
    """The runs' configs and what they share."""

    path: str
    values: tuple[str, ...]
    configs: tuple[Config, ...]
    shared_data: bool
    shared_init: bool
    same_shapes: bool

    def notes(self) -> list[tuple[str, str]]:
        """(long, short) words for what the runs share, in the current language."""
        data = ((_("same data"), _("same data")) if self.shared_data else
                (_("the data differ: {path} draws them").format(path=self.path), _("data differ")))
        if self.shared_init:
            weights = (_("same initial weights"), _("same initial weights"))
        elif not self.same_shapes:
            weights = (_("initial weights differ: the shapes differ"), _("initial weights differ"))
        else:
            weights = (_("initial weights differ: {path} draws them").format(path=self.path),
                       _("initial weights differ"))
        return [data, weights]


def _data_path(path: str) -> bool:
    return path.startswith("data.") or path == "training.seed"


def _sizes(config: Config, dataset: Dataset) -> tuple[int, ...]:
    """The layer sizes of the network ``config`` builds for ``dataset`` (as the trainer does)."""
    output, _loss = resolve_output_and_loss(dataset.task, config.network.output, config.network.loss)
    n_out = dataset.n_classes if output == "softmax" else 1
    return (dataset.n_inputs, *config.network.hidden, n_out)


def _weights_fit(weights: Weights, sizes: tuple[int, ...]) -> bool:
    shapes = [(len(W), len(b)) for W, b in weights]
    return shapes == [(sizes[k], sizes[k + 1]) for k in range(len(sizes) - 1)]


def _initial_weights(trainer: Trainer) -> Weights:
    net = trainer.network
    return tuple(
        (tuple(tuple(row) for row in net.W(k).tolist()), tuple(net.b(k).tolist())) for k in range(net.n_layers)
    )


def plan_comparison(config: Config, path: str, values: Sequence[str]) -> ComparePlan:
    """``config`` with ``path`` set to each of ``values`` (2 to 6, each checked by the
    config's rules), sharing the first run's initial weights where the shapes match.

    Builds the first run's trainer once (headless) to read its initial weights.
    Raises ``ConfigError`` for a bad setting, value or number of values.
    """
    values = tuple(str(v) for v in values)
    if not MIN_RUNS <= len(values) <= MAX_RUNS:
        raise ConfigError(_("{path}: give {low} to {high} values to compare, got {count}").format(
            path=path, low=MIN_RUNS, high=MAX_RUNS, count=len(values)))
    configs = [config.with_overrides([f"{path}={v}"]) for v in values]
    shown = [format_value(c.get(path)) for c in configs]
    if len(set(shown)) != len(shown):
        raise ConfigError(_("{path}: each value once, please (got {values})").format(
            path=path, values=", ".join(shown)))
    try:
        first = Trainer(configs[0])
    except WeightsMismatch:
        configs[0] = replace(configs[0], weights=None)
        first = Trainer(configs[0])
    shared_data = not _data_path(path)
    datasets = [first.dataset if shared_data or k == 0 else build_dataset_for(c) for k, c in enumerate(configs)]
    sizes = [_sizes(c, d) for c, d in zip(configs, datasets)]
    same_shapes = all(s == sizes[0] for s in sizes)
    shared_init = same_shapes and path not in INIT_PATHS
    if shared_init:
        start = _initial_weights(first)
        configs = [replace(c, weights=start) for c in configs]
    else:
        # Hand-set weights (a preset's) stay where they fit and go where they do not.
        configs = [c if c.weights is None or _weights_fit(c.weights, s) else replace(c, weights=None)
                   for c, s in zip(configs, sizes)]
    return ComparePlan(path, values, tuple(configs), shared_data, shared_init, same_shapes)


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


# ---- messages from the relay threads ---------------------------------------------------------


class RunsUpdated(Message, bubble=False):
    """New snapshots are waiting in the screen's inbox (one message however many)."""


@dataclass
class RunNotice(Message, bubble=False):
    index: int
    notice: Notice


class RunEnded(Message, bubble=False):
    """A run's relay stopped: its process ended (``error``: the exception it died of)."""

    def __init__(self, index: int, session: SessionProcess, error: str) -> None:
        super().__init__()
        self.index = index
        self.session = session
        self.error = error


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


class CompareScreen(Screen[None]):
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
        for key, bindings in list(self._bindings.key_to_bindings.items()):
            self._bindings.key_to_bindings[key] = [
                replace(b, description=_(b.description) if b.description else b.description,
                        tooltip=_(b.tooltip) if b.tooltip else b.tooltip) for b in bindings]

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

    # ---- the runs' processes ------------------------------------------------------------
    def _start_run(self, i: int) -> None:
        # The app's threads are running: spawn, never fork.
        grid = self._grid_sent[i] or (24, 24)
        session = SessionProcess(self.plan.configs[i], fps=self.fps, grid=grid, fork=False, pace=self.pace)
        _yield_to_ui(session)
        self.sessions[i] = session
        self.failed[i] = ""
        self.table.set_failed(i, "")
        # A thread of its own per run, not a Textual thread worker: those share
        # asyncio's default executor (cpu_count + 4 threads), which six relays
        # blocked on their pipes, and the playground's own, would fill.
        relay = threading.Thread(target=self._relay, args=(i, session), name=f"compare-run-{i}", daemon=True)
        relay.start()

    def _relay(self, i: int, session: SessionProcess) -> None:
        # In the relay thread until the run's process ends.
        error = ""
        try:
            session.receive(partial(self._deliver, i))
        except Exception as exc:  # TrainerError: the run died of an exception
            error = str(exc) or type(exc).__name__
        self.post_message(RunEnded(i, session, error))

    def _deliver(self, i: int, event: Event) -> None:
        # In a relay thread: keep the newest snapshot of each run, and wake the
        # screen once for however many arrive before it looks.
        if isinstance(event, Snapshot):
            with self._inbox_lock:
                self._inbox[i] = event
                wake = not self._wake_pending
                self._wake_pending = True
            if wake:
                self.post_message(RunsUpdated())
        elif isinstance(event, Notice):
            self.post_message(RunNotice(i, event))

    def _send_all(self, command: Command, *, skip_diverged: bool = False) -> None:
        for i, session in enumerate(self.sessions):
            if session is None:
                continue
            snap = self.snapshots[i]
            if skip_diverged and snap is not None and snap.run.state == RunState.DIVERGED:
                continue
            session.send(command)

    def stop_runs(self) -> None:
        """Stop every run's process and reap it (Stop to all first, then wait for each)."""
        self._runs_stopped = True
        if self._tick_timer is not None:
            self._tick_timer.stop()
        sessions = [s for s in self.sessions if s is not None]
        self.sessions = [None] * len(self.sessions)
        for s in sessions:
            s.send(Stop())
        for s in sessions:
            s.stop(2.0)

    def on_unmount(self) -> None:
        self.stop_runs()

    @on(RunsUpdated)
    def _runs_updated(self, message: RunsUpdated) -> None:
        with self._inbox_lock:
            waiting, self._inbox = self._inbox, {}
            self._wake_pending = False
        if self._runs_stopped:
            return
        now = time.monotonic()
        for i, snap in waiting.items():
            first = self.first_snapshots[i] is None
            if first:
                self.first_snapshots[i] = snap
            self.snapshots[i] = snap
            self.snapshots_seen[i] += 1
            self.chart.update_run(i, snap)
            self.table.update_run(i, snap)
            running = snap.run.state == RunState.RUNNING
            if running and now - self._plane_drawn_at[i] < self.plane_interval:
                self._plane_due[i] = True  # drawn by the tick when its time comes
            else:
                self._draw_plane(i, now)
            if first and i == 0:
                self._arrange(self.size.width, self.size.height)  # the plane's extent, or no plane
        self._dirty = True
        if not any(s is not None and s.run.state == RunState.RUNNING for s in self.snapshots):
            self._redraw_texts()  # a step or a pause: drawn at once

    def _draw_plane(self, i: int, now: float) -> None:
        self._plane_due[i] = False
        snap = self.snapshots[i]
        if snap is not None and self.boxes[i].display:
            self._plane_drawn_at[i] = now
            self.grids[i].update_snapshot(snap)

    @on(RunNotice)
    def _run_notice(self, message: RunNotice) -> None:
        notice = message.notice
        label = self.labels[message.index]
        self.notify(f"{label}: {notice.text}", severity=notice.severity.value)

    @on(DecisionGrid.GridSizeChanged)
    def _grid_resized(self, message: DecisionGrid.GridSizeChanged) -> None:
        message.stop()  # the playground's own plane has not changed
        for i, grid in enumerate(self.grids):
            if grid is message.grid:
                wanted = (message.cols, message.rows)
                session = self.sessions[i]
                if session is not None and wanted != self._grid_sent[i]:
                    session.send(SetGrid(*wanted))
                self._grid_sent[i] = wanted

    @on(RunEnded)
    def _run_ended(self, message: RunEnded) -> None:
        i = message.index
        if self._runs_stopped or self.sessions[i] is not message.session:
            return  # the screen is closing, or the run was started again
        if message.error:
            why = _("training stopped by an error: {error}").format(error=message.error)
        else:
            why = _("its process ended")
        self.failed[i] = why
        self.table.set_failed(i, why)
        self.sessions[i] = None
        message.session.stop(0.5)
        self.notify(_("{value}: {why}. Press r to start it again.").format(value=self.labels[i], why=why),
                    severity="error")
        self._dirty = True

    # ---- drawing ------------------------------------------------------------------------
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


def _yield_to_ui(session: SessionProcess) -> None:
    """Lower the run's priority a little (Linux, macOS): six runs at full speed on two
    cores then leave the UI its turn."""
    if not hasattr(os, "setpriority"):
        return
    try:
        pid = session.process.pid
        if pid is not None:
            os.setpriority(os.PRIO_PROCESS, pid, min(os.getpriority(os.PRIO_PROCESS, 0) + NICE, 19))
    except OSError:
        pass
