"""A training session: one loop owns the Trainer; others send commands and
receive snapshots.

``Session.run`` runs in a thread or, for the app, in a child process (see
process.py). Only that loop touches the trainer, so no array is ever read
while it is being written: the UI sees ``Snapshot`` copies handed to
``publish`` (at most ``fps`` a second while training runs, plus one after
every command). Nothing here imports the UI. What the loop does for each
command is in handlers.py (``CommandHandlers``, a mixin of ``Session``).
"""

from __future__ import annotations

import queue
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Protocol

from ..config import Config
from ..i18n import N_
from ..io.session_files import load_session
from ..training.fast_epoch import compile_kernels
from ..training.landscape import PathRecorder
from ..training.state import RunState, RunStatus
from ..training.trainer import Trainer
from .handlers import CommandHandlers
# NOTHING_TO_TRAIN, Words, words and as_is were defined here: still importable from here.
from .notes import NOTHING_TO_TRAIN as NOTHING_TO_TRAIN, Words as Words, as_is as as_is, words
from .limits import rest_after
from .pacing import Slicer, SteadyAdvice
from .protocol import Command, Event, Notice, SaveSession, Severity

__all__ = ["CommandSource", "Session"]


class CommandSource(Protocol):
    """Where commands come from: a queue in a thread, a pipe reader in a process."""

    def get(self) -> Command:
        """The next command, waiting as long as it takes."""
        ...

    def get_within(self, seconds: float) -> Command | None:
        """The next command if one comes within ``seconds`` (0: only one already waiting)."""
        ...


class _QueueCommands:
    def __init__(self) -> None:
        self.queue: queue.Queue[Command] = queue.Queue()

    def get(self) -> Command:
        return self.queue.get()

    def get_within(self, seconds: float) -> Command | None:
        try:
            return self.queue.get(timeout=seconds) if seconds > 0 else self.queue.get_nowait()
        except queue.Empty:
            return None


class Session(CommandHandlers):
    def __init__(
        self,
        config: Config,
        publish: Callable[[Event], object],
        *,
        fps: float = 10.0,
        grid: tuple[int, int] = (48, 48),
        commands: CommandSource | None = None,
        pace: float | None = None,
        resume: str | None = None,
        cpu_share: float | None = None,
    ) -> None:
        """``cpu_share``: the most of a core the training may use (None: all; limits.py)."""
        self.publish = publish
        self.cpu_share = cpu_share
        self.interval = 1.0 / fps
        self.grid = grid
        self.focus: tuple[int, int] | None = None  # the hidden neuron the app shows large
        # resume: a session file to go on from (its own config), else a fresh run.
        self._adopt(load_session(resume)[0] if resume else Trainer(config, track_layers=True))
        self._autosave: tuple[str, float] | None = None  # (path, seconds)
        self._autosaved_at = time.perf_counter()
        self.state = RunState.PAUSED
        if resume:
            self._note: Words = words(N_("Resumed at epoch {epoch}: press space to go on."), epoch=self.trainer.epoch)
        else:
            self._note = words(N_("Paused at epoch 0: press space to train."))
        self.target: int | None = config.training.epochs or None
        self._queue: _QueueCommands | None = None
        if commands is None:
            self._queue = _QueueCommands()
            commands = self._queue
        self._commands: CommandSource = commands
        self.pace = pace
        self._speed = 0.0
        self._stopped = False
        self._publish_seconds = 0.0  # what the last snapshot cost to make

    def _adopt(self, trainer: Trainer) -> None:
        """Make ``trainer`` the run: a fresh one, a reset's or a resumed session's."""
        self.trainer = trainer
        self._saved_epoch = trainer.epoch  # the epoch the last save (or resume) holds
        self._slicer = Slicer(trainer)
        self._advice = SteadyAdvice()
        # The weights after each epoch, for the loss landscape's path (bounded).
        self.path = PathRecorder(512)
        self.path.record(trainer.network.params)

    # ---- called from any thread (when the session runs in a thread) -------
    def send(self, command: Command) -> None:
        if self._queue is None:
            raise RuntimeError("this session reads its commands from elsewhere")
        self._queue.queue.put(command)

    # ---- the loop that owns the trainer (a thread or a child process) ----
    def run(self) -> None:
        """Process commands and train until ``Stop``; publishes as it goes."""
        self._publish()
        if self.trainer.engine == "numba":
            # The compiled path's kernels load now (~1 s; a first compilation on
            # a machine ~15 s), after the first snapshot is out, while epoch 0 is
            # looked at, rather than when the first epoch is asked for; the
            # status says why keys wait meanwhile.
            note = self._note
            self._note = words(N_("Loading the compiled engine (about 15 s the first time on this machine, "
                                  "a second after that); keys act once it is ready."))
            self._publish()
            compile_kernels()
            self._note = note
            self._publish()
        last_publish = time.perf_counter()
        window_start, window_epochs = last_publish, 0
        due = last_publish  # when the next epoch may start, at the pace
        while not self._stopped:
            if self.state != RunState.RUNNING:
                # Paused: block until something happens.
                self._handle(self._commands.get())
                self._drain()
                self._publish()
                last_publish = window_start = due = time.perf_counter()
                window_epochs = 0
                continue
            self._drain(max(due - time.perf_counter(), 0.0))
            if self.state != RunState.RUNNING or self._stopped:
                self._publish()
                continue
            if time.perf_counter() < due:
                continue  # a command came while waiting for the pace
            started = time.perf_counter()
            ended = self._train_some()
            now = time.perf_counter()
            if ended:
                window_epochs += 1
                # The pace holds the trainer back by waiting for commands, not by
                # spinning; an epoch slower than the pace does not build up a debt.
                due = max(due + 1.0 / self.pace, now) if self.pace else now
            # Served to a class: rest in proportion to the work (commands still answered).
            due = max(due, now + rest_after(now - started, self.cpu_share))
            # A snapshot of a large network costs time too: at most a fifth of it.
            interval = max(self.interval, 4.0 * self._publish_seconds)
            if now - last_publish >= interval or self.state != RunState.RUNNING:
                if now > window_start:
                    self._speed = window_epochs / (now - window_start)
                if now - window_start > 1.0:
                    window_start, window_epochs = now, 0
                self._publish()
                last_publish = now
            self._maybe_autosave(now)

    def _maybe_autosave(self, now: float) -> None:
        if self._autosave is None or self.trainer.epoch == self._saved_epoch:
            return
        path, seconds = self._autosave
        if now - self._autosaved_at >= seconds:
            self._autosaved_at = now
            self._handle(SaveSession(path, quiet=True))

    def _drain(self, wait: float = 0.0) -> None:
        """Handle the commands waiting, or the first to come within ``wait`` seconds."""
        command = self._commands.get_within(wait)
        # Not past Stop: a command source that has gone (the app died without
        # taking this process down) answers Stop for ever.
        while command is not None and not self._stopped:
            self._handle(command)
            command = self._commands.get_within(0.0)

    def _train_some(self, whole: bool = False) -> bool:
        """An epoch, or for a large network a slice of one (so that commands and
        snapshots come between slices; ``whole``: a step's whole epoch): True
        when an epoch ended."""
        try:
            ended = self.trainer.train_epoch() is not None if whole else self._slicer.train(self.trainer)
        except Exception as exc:  # a bug or an odd corner must not kill the run
            self.state = RunState.PAUSED
            self._note = words(N_("Training stopped: {error}: {message}"), error=type(exc).__name__, message=exc)
            self.publish(Notice(self.note, Severity.ERROR))
            return False
        if ended:
            self._after_epoch()
        return ended

    def _after_epoch(self) -> None:
        t = self.trainer
        self.path.record(t.network.params)
        if t.diverged:
            self.state = RunState.DIVERGED
            self._note = self._divergence
        elif self.target is not None and t.epoch >= self.target:
            self.state = RunState.FINISHED
            self._note = words(N_("Finished {epochs} epochs (training.epochs). Press space to keep training."),
                               epochs=t.epoch)
            self.target = None

    # ---- publishing -------------------------------------------------------
    def _publish(self) -> None:
        started = time.perf_counter()
        self._send_snapshot()
        self._publish_seconds = time.perf_counter() - started

    def _send_snapshot(self) -> None:
        t = self.trainer
        if self.state != RunState.RUNNING:
            t.refresh()
            if t.diverged and self.state != RunState.DIVERGED:
                self.state, self._note = RunState.DIVERGED, self._divergence
        status = RunStatus(
            state=self.state,
            note=self.note,
            epochs_per_second=self._speed if self.state == RunState.RUNNING else 0.0,
            target_epochs=self.target,
            learning_rate=t.config.training.learning_rate,
            pace=self.pace,
            batch=t.batch_in_epoch if t.steps.in_epoch else (0, 0),
            unsaved_epochs=max(t.epoch - self._saved_epoch, 0),
        )
        snap = t.snapshot(self.grid, run=status, focus=self.focus)
        advice = self._advice.update(snap.advice, t.epoch)
        self.publish(snap if advice == snap.advice else replace(snap, advice=advice))
