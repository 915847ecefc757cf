"""A training session: one loop owns the Trainer; others send commands and
receive snapshots.

``Session.run`` runs in a thread or, for the app, in a child process (see
process.py). Only that loop touches the trainer, so no array is ever read
while it is being written: the UI sees ``Snapshot`` copies handed to
``publish`` (at most ``fps`` a second while training runs, plus one after
every command). Nothing here imports the UI.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Callable
from dataclasses import replace
from functools import singledispatchmethod
from typing import Protocol

from ..config import Config
from ..io.data_csv import write_data_csv
from ..io.model_files import save_model
from ..io.session_files import load_session, save_session
from ..rules import printable
from ..training.state import RunState, RunStatus
from ..training.trainer import Trainer, WeightsMismatch
from .pacing import Slicer, SteadyAdvice
from .protocol import (
    Command, Event, ExportData, Notice, Pause, Play, Reset, ResumeSession, SaveModel, SaveSession,
    SetAutosave, SetFocus, SetGrid, SetLive, SetPace, Severity, Step,
    StepBatch, Stop, Toggle,
)

__all__ = ["CommandSource", "Session"]

NOTHING_TO_TRAIN = (
    "Nothing to train: step units have no gradient. These weights were set "
    "by hand; for a learning step unit use training.optimizer = perceptron."
)


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


class Session:
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
    ) -> None:
        self.publish = publish
        self.interval = 1.0 / fps
        self.grid = grid
        self.focus: tuple[int, int] | None = None  # the hidden neuron the app shows large
        # resume: a session file to go on from (its own config), else a fresh run.
        self._adopt(load_session(resume)[0] if resume else Trainer(config, track_layers=True))
        self._autosave: tuple[str, float] | None = None  # (path, seconds)
        self._autosaved_at = time.perf_counter()
        self.state = RunState.PAUSED
        self.note = (f"Resumed at epoch {self.trainer.epoch}: press space to go on." if resume
                     else "Paused at epoch 0: press space to train.")
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

    # ---- called from any thread (when the session runs in a thread) -------
    def send(self, command: Command) -> None:
        if self._queue is None:
            raise RuntimeError("this session reads its commands from elsewhere")
        self._queue.queue.put(command)

    # ---- the loop that owns the trainer (a thread or a child process) ----
    def run(self) -> None:
        """Process commands and train until ``Stop``; publishes as it goes."""
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
            ended = self._train_some()
            now = time.perf_counter()
            if ended:
                window_epochs += 1
                # The pace holds the trainer back by waiting for commands, not by
                # spinning; an epoch slower than the pace does not build up a debt.
                due = max(due + 1.0 / self.pace, now) if self.pace else now
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
        while command is not None:
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
            self.note = f"Training stopped: {type(exc).__name__}: {exc}"
            self.publish(Notice(self.note, Severity.ERROR))
            return False
        if ended:
            self._after_epoch()
        return ended

    def _after_epoch(self) -> None:
        t = self.trainer
        if t.diverged:
            self.state = RunState.DIVERGED
            self.note = t.message
        elif self.target is not None and t.epoch >= self.target:
            self.state = RunState.FINISHED
            self.note = f"Finished {t.epoch} epochs (training.epochs). Press space to keep training."
            self.target = None

    def _handle(self, command: Command) -> None:
        try:
            self._on(command)
        except ValueError as exc:  # ConfigError and DataError too: a refused change
            self.note = f"Not applied: {exc}"
            self.publish(Notice(self.note, Severity.ERROR, config=self.trainer.config))
        except OSError as exc:
            self.publish(Notice(f"Could not write: {exc}", Severity.ERROR))

    # ---- one handler per command ------------------------------------------
    @singledispatchmethod
    def _on(self, command: Command) -> None:
        raise TypeError(f"not a session command: {command!r}")

    @_on.register
    def _stop(self, command: Stop) -> None:
        self._stopped = True

    @_on.register
    def _play(self, command: Play) -> None:
        if not self.trainer.trainable:
            self.note = NOTHING_TO_TRAIN
        elif self.state != RunState.RUNNING:
            self.trainer.reset_divergence()
            self.state = RunState.RUNNING
            self.note = "Training."

    @_on.register
    def _pause(self, command: Pause) -> None:
        if self.state == RunState.RUNNING:
            self.state = RunState.PAUSED
            self.note = f"Paused at epoch {self.trainer.epoch}."

    @_on.register
    def _toggle(self, command: Toggle) -> None:
        if self.state == RunState.RUNNING:
            self._pause(Pause())
        else:
            self._play(Play())

    def _ready_to_step(self) -> bool:
        """A step pauses the run first (and retries after a divergence)."""
        if not self.trainer.trainable:
            self.note = NOTHING_TO_TRAIN
            return False
        self.trainer.reset_divergence()
        self.state = RunState.PAUSED
        return True

    @_on.register
    def _step(self, command: Step) -> None:
        t = self.trainer
        if not self._ready_to_step():
            return
        for _ in range(command.epochs):
            self._train_some(whole=True)
            if self.state != RunState.PAUSED:  # diverged or finished
                return
        self.note = f"Stepped to epoch {t.epoch}."

    @_on.register
    def _step_batch(self, command: StepBatch) -> None:
        t = self.trainer
        if not self._ready_to_step():
            return
        epoch = t.epoch
        t.train_step()
        if t.diverged:
            self.state, self.note = RunState.DIVERGED, t.message
            return
        done, total = t.batch_in_epoch
        if t.epoch > epoch:
            self.note = f"One mini-batch: that was the last of epoch {t.epoch}."
        else:
            self.note = f"One mini-batch: {done} of {total} in epoch {t.epoch + 1} done."

    @_on.register
    def _set_pace(self, command: SetPace) -> None:
        self.pace = command.epochs_per_second

    @_on.register
    def _reset(self, command: Reset) -> None:
        config = command.config or self.trainer.config
        reason = command.reason
        try:
            self._adopt(Trainer(config, track_layers=True))
        except WeightsMismatch:
            # The change gave the network other shapes: the hand-set weights
            # cannot come along, and the app's config must lose them too.
            config = replace(config, weights=None)
            self._adopt(Trainer(config, track_layers=True))
            reason += " The hand-set weights do not fit the new network: it starts from the initialiser."
            self.publish(Notice(reason, Severity.WARNING, config=config))
        self.target = config.training.epochs or None
        self.state = RunState.PAUSED
        self.note = f"{reason} Paused at epoch 0."

    @_on.register
    def _set_live(self, command: SetLive) -> None:
        t = self.trainer
        t.set_live(command.path, command.value)
        value = t.config.get(command.path)
        if command.path == "training.epochs":
            self.target = value if value > t.epoch else None
        if self.state != RunState.RUNNING:
            self.note = f"{command.path} = {value:g}" if isinstance(value, float) else f"{command.path} = {value}"

    @_on.register
    def _set_grid(self, command: SetGrid) -> None:
        self.grid = (max(2, command.cols), max(2, command.rows))

    @_on.register
    def _set_focus(self, command: SetFocus) -> None:
        self.focus = command.neuron

    @_on.register
    def _save_session(self, command: SaveSession) -> None:
        path = save_session(command.path, self.trainer)
        self._saved_epoch = self.trainer.epoch
        if not command.quiet:
            self.publish(Notice(f"Session saved to {path}: resume it with `tui-nn --resume {path}`"))

    @_on.register
    def _resume_session(self, command: ResumeSession) -> None:
        trainer, _ = load_session(command.path)
        self._adopt(trainer)
        self.target = None
        self.state = RunState.PAUSED
        self.note = f"Resumed {printable(command.path)} at epoch {trainer.epoch}: press space to go on."
        # The app's form and config follow the resumed run's settings.
        self.publish(Notice(self.note, config=trainer.config))

    @_on.register
    def _set_autosave(self, command: SetAutosave) -> None:
        self._autosave = (command.path, command.seconds) if command.path else None

    @_on.register
    def _save_model(self, command: SaveModel) -> None:
        path = save_model(command.path, self.trainer)
        self.publish(Notice(f"Model saved to {path}"))

    @_on.register
    def _export_data(self, command: ExportData) -> None:
        path = write_data_csv(self.trainer.dataset, self.trainer.targets, command.path)
        self.publish(Notice(f"Data written to {path}"))

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
                self.state, self.note = RunState.DIVERGED, t.message
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
