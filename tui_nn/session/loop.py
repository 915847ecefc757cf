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
from ..i18n import N_, _, set_language
from ..io.data_csv import write_data_csv
from ..io.model_files import save_model
from ..io.session_files import load_session, save_session
from ..rules import printable
from ..training.state import RunState, RunStatus
from ..training.trainer import Trainer, WeightsMismatch
from .pacing import Slicer, SteadyAdvice
from .protocol import (
    Command, Event, ExportData, Notice, Pause, Play, Reset, ResumeSession, SaveModel, SaveSession,
    SetAutosave, SetFocus, SetGrid, SetLanguage, SetLive, SetPace, Severity, Step,
    StepBatch, Stop, Toggle,
)

__all__ = ["CommandSource", "Session"]

NOTHING_TO_TRAIN = N_(
    "Nothing to train: step units have no gradient. These weights were set "
    "by hand; for a learning step unit use training.optimizer = perceptron."
)

# A note as it is shown: worded when a snapshot is made, so that after a switch of
# language (SetLanguage) the note in force reads in the new one.
Words = Callable[[], str]


def words(msgid: str, /, **fields: object) -> Words:
    """``msgid`` (marked with ``N_``) with ``fields``, in the language of the moment."""
    return lambda: _(msgid).format(**fields)


def as_is(shown: str) -> Words:
    """Text worded already (a refusal, the app's reason for a reset): as it is."""
    return lambda: shown


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

    @property
    def note(self) -> str:
        """The last thing that happened, in words (in the current language)."""
        return self._note()

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
        if t.diverged:
            self.state = RunState.DIVERGED
            self._note = self._divergence
        elif self.target is not None and t.epoch >= self.target:
            self.state = RunState.FINISHED
            self._note = words(N_("Finished {epochs} epochs (training.epochs). Press space to keep training."),
                               epochs=t.epoch)
            self.target = None

    def _divergence(self) -> str:
        """The trainer's advice on its divergence (worded in the language of the moment)."""
        return self.trainer.message

    def _handle(self, command: Command) -> None:
        try:
            self._on(command)
        except ValueError as exc:  # ConfigError and DataError too: a refused change
            self._note = words(N_("Not applied: {reason}"), reason=exc)
            self.publish(Notice(self.note, Severity.ERROR, config=self.trainer.config))
        except OSError as exc:
            self.publish(Notice(_("Could not write: {error}").format(error=exc), Severity.ERROR))

    # ---- one handler per command ------------------------------------------
    @singledispatchmethod
    def _on(self, command: Command) -> None:
        raise TypeError(f"not a session command: {command!r}")  # a bug, not a user's mistake

    @_on.register
    def _stop(self, command: Stop) -> None:
        self._stopped = True

    @_on.register
    def _play(self, command: Play) -> None:
        if not self.trainer.trainable:
            self._note = words(NOTHING_TO_TRAIN)
        elif self.state != RunState.RUNNING:
            self.trainer.reset_divergence()
            self.state = RunState.RUNNING
            self._note = words(N_("Training."))

    @_on.register
    def _pause(self, command: Pause) -> None:
        if self.state == RunState.RUNNING:
            self.state = RunState.PAUSED
            self._note = words(N_("Paused at epoch {epoch}."), epoch=self.trainer.epoch)

    @_on.register
    def _toggle(self, command: Toggle) -> None:
        if self.state == RunState.RUNNING:
            self._pause(Pause())
        else:
            self._play(Play())

    def _ready_to_step(self) -> bool:
        """A step pauses the run first (and retries after a divergence)."""
        if not self.trainer.trainable:
            self._note = words(NOTHING_TO_TRAIN)
            return False
        self.trainer.reset_divergence()
        self.state = RunState.PAUSED
        return True

    @_on.register
    def _step(self, command: Step) -> None:
        t = self.trainer
        if not self._ready_to_step():
            return
        for _epoch in range(command.epochs):
            self._train_some(whole=True)
            if self.state != RunState.PAUSED:  # diverged or finished
                return
        self._note = words(N_("Stepped to epoch {epoch}."), epoch=t.epoch)

    @_on.register
    def _step_batch(self, command: StepBatch) -> None:
        t = self.trainer
        if not self._ready_to_step():
            return
        epoch = t.epoch
        t.train_step()
        if t.diverged:
            self.state, self._note = RunState.DIVERGED, self._divergence
            return
        done, total = t.batch_in_epoch
        if t.epoch > epoch:
            self._note = words(N_("One mini-batch: that was the last of epoch {epoch}."), epoch=t.epoch)
        else:
            self._note = words(N_("One mini-batch: {done} of {total} in epoch {epoch} done."),
                               done=done, total=total, epoch=t.epoch + 1)

    @_on.register
    def _set_pace(self, command: SetPace) -> None:
        self.pace = command.epochs_per_second

    @_on.register
    def _reset(self, command: Reset) -> None:
        config = command.config or self.trainer.config
        # The app words its reasons; the default one (N_) is worded here.
        reason = command.reason
        try:
            self._adopt(Trainer(config, track_layers=True))
        except WeightsMismatch:
            # The change gave the network other shapes: the hand-set weights
            # cannot come along, and the app's config must lose them too.
            config = replace(config, weights=None)
            self._adopt(Trainer(config, track_layers=True))
            reason = _("{reason} The hand-set weights do not fit the new network: it starts from the initialiser."
                       ).format(reason=_(reason))
            self.publish(Notice(reason, Severity.WARNING, config=config))
        self.target = config.training.epochs or None
        self.state = RunState.PAUSED
        self._note = lambda: _("{reason} Paused at epoch 0.").format(reason=_(reason))

    @_on.register
    def _set_live(self, command: SetLive) -> None:
        t = self.trainer
        t.set_live(command.path, command.value)
        value = t.config.get(command.path)
        if command.path == "training.epochs":
            self.target = value if value > t.epoch else None
        if self.state != RunState.RUNNING:
            shown = f"{value:g}" if isinstance(value, float) else f"{value}"
            self._note = as_is(f"{command.path} = {shown}")

    @_on.register
    def _set_grid(self, command: SetGrid) -> None:
        self.grid = (max(2, command.cols), max(2, command.rows))

    @_on.register
    def _set_focus(self, command: SetFocus) -> None:
        self.focus = command.neuron

    @_on.register
    def _set_language(self, command: SetLanguage) -> None:
        set_language(command.code)
        self._advice = SteadyAdvice()  # the advice held is in the old language

    @_on.register
    def _save_session(self, command: SaveSession) -> None:
        path = save_session(command.path, self.trainer)
        self._saved_epoch = self.trainer.epoch
        if not command.quiet:
            self.publish(Notice(_("Session saved to {path}: resume it with `tui-nn --resume {path}`").format(
                path=path)))

    @_on.register
    def _resume_session(self, command: ResumeSession) -> None:
        trainer, _extra = load_session(command.path)
        self._adopt(trainer)
        self.target = None
        self.state = RunState.PAUSED
        self._note = words(N_("Resumed {path} at epoch {epoch}: press space to go on."),
                           path=printable(command.path), epoch=trainer.epoch)
        # The app's form and config follow the resumed run's settings.
        self.publish(Notice(self.note, config=trainer.config))

    @_on.register
    def _set_autosave(self, command: SetAutosave) -> None:
        self._autosave = (command.path, command.seconds) if command.path else None

    @_on.register
    def _save_model(self, command: SaveModel) -> None:
        path = save_model(command.path, self.trainer)
        self.publish(Notice(_("Model saved to {path}").format(path=path)))

    @_on.register
    def _export_data(self, command: ExportData) -> None:
        path = write_data_csv(self.trainer.dataset, self.trainer.targets, command.path)
        self.publish(Notice(_("Data written to {path}").format(path=path)))

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
