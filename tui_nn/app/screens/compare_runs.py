"""The compare screen's runs: a child process per run, a relay thread per
process, and what comes back to the screen (snapshots, notices, a run's end).

``CompareRuns`` is a mixin of ``CompareScreen`` (compare.py), which sets the
state declared below and supplies the drawing (``_arrange``, ``_redraw_texts``,
``_draw_plane``). Relay threads only keep each run's newest snapshot and post
one message for however many arrive; everything else happens on the UI thread.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from functools import partial

from textual import on
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer

from ...i18n import _
from ...session.limits import cpu_share
from ...session.process import SessionProcess
from ...session.protocol import Command, Event, Notice, SetGrid, Snapshot, Stop
from ...training.state import RunState
from ..widgets.compare_chart import CompareChart
from ..widgets.compare_table import CompareTable
from ..widgets.decision_grid import DecisionGrid
from .compare_plan import ComparePlan

__all__ = ["NICE", "CompareRuns", "RunEnded", "RunNotice", "RunsUpdated"]

NICE = 5  # the runs' processes yield to the UI by this much niceness


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


class CompareRuns(Screen[None]):
    """Starting, commanding and stopping the runs' processes, and taking in what
    they send (the screen supplies the drawing)."""

    plan: ComparePlan
    labels: list[str]
    pace: float | None
    fps: float
    sessions: list[SessionProcess | None]
    snapshots: list[Snapshot | None]
    first_snapshots: list[Snapshot | None]
    snapshots_seen: list[int]
    failed: list[str]
    chart: CompareChart
    table: CompareTable
    grids: list[DecisionGrid]
    plane_interval: float
    _inbox: dict[int, Snapshot]
    _inbox_lock: threading.Lock
    _wake_pending: bool
    _runs_stopped: bool
    _dirty: bool
    _tick_timer: Timer | None
    _plane_drawn_at: list[float]
    _plane_due: list[bool]
    _grid_sent: list[tuple[int, int] | None]

    # ---- the screen's drawing (CompareScreen's) --------------------------------------
    def _arrange(self, width: int, height: int) -> None:
        raise NotImplementedError

    def _redraw_texts(self, force: bool = False) -> None:
        raise NotImplementedError

    def _draw_plane(self, i: int, now: float) -> None:
        raise NotImplementedError

    # ---- the runs' processes ------------------------------------------------------------
    def _start_run(self, i: int) -> None:
        # The app's threads are running: spawn, never fork.
        grid = self._grid_sent[i] or (24, 24)
        # Served to a class, the runs share one trainer's part of the machine.
        share = cpu_share()
        session = SessionProcess(self.plan.configs[i], fps=self.fps, grid=grid, fork=False, pace=self.pace,
                                 cpu_share=share / len(self.plan.configs) if share is not None else None)
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

    # ---- what the relays post -----------------------------------------------------------
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
