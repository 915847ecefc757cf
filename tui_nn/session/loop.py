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
from ..training.state import RunState, RunStatus
from ..training.trainer import Trainer, WeightsMismatch
from .protocol import (
    Command, Event, ExportData, Notice, Pause, Play, Reset, SaveModel, SetGrid, SetLive, Severity, Step,
    Stop, Toggle,
)

__all__ = ["CommandSource", "Session"]

NOTHING_TO_TRAIN = (
    "Nothing to train: step units have no gradient. These weights were set "
    "by hand; for a learning step unit use training.optimizer = perceptron."
)


class CommandSource(Protocol):
    """queue.Queue's get/get_nowait: a queue in a thread, a pipe reader in a process."""

    def get(self) -> Command: ...

    def get_nowait(self) -> Command: ...


class Session:
    def __init__(
        self,
        config: Config,
        publish: Callable[[Event], object],
        *,
        fps: float = 10.0,
        grid: tuple[int, int] = (48, 48),
        commands: CommandSource | None = None,
    ) -> None:
        self.publish = publish
        self.interval = 1.0 / fps
        self.grid = grid
        self.trainer = Trainer(config, track_layers=True)
        self.state = RunState.PAUSED
        self.note = "Paused at epoch 0: press space to train."
        self.target: int | None = config.training.epochs or None
        self._queue: queue.Queue[Command] | None = None
        if commands is None:
            self._queue = queue.Queue()
            commands = self._queue
        self._commands: CommandSource = commands
        self._speed = 0.0
        self._stopped = False

    # ---- called from any thread (when the session runs in a thread) -------
    def send(self, command: Command) -> None:
        if self._queue is None:
            raise RuntimeError("this session reads its commands from elsewhere")
        self._queue.put(command)

    # ---- the loop that owns the trainer (a thread or a child process) ----
    def run(self) -> None:
        """Process commands and train until ``Stop``; publishes as it goes."""
        self._publish()
        last_publish = time.perf_counter()
        window_start, window_epochs = last_publish, 0
        while not self._stopped:
            if self.state != RunState.RUNNING:
                # Paused: block until something happens.
                self._handle(self._commands.get())
                self._drain()
                self._publish()
                last_publish = window_start = time.perf_counter()
                window_epochs = 0
                continue
            self._drain()
            if self.state != RunState.RUNNING or self._stopped:
                self._publish()
                continue
            self._train_one()
            window_epochs += 1
            now = time.perf_counter()
            if now - last_publish >= self.interval or self.state != RunState.RUNNING:
                if now > window_start:
                    self._speed = window_epochs / (now - window_start)
                if now - window_start > 1.0:
                    window_start, window_epochs = now, 0
                self._publish()
                last_publish = now

    def _drain(self) -> None:
        while True:
            try:
                command = self._commands.get_nowait()
            except queue.Empty:
                return
            self._handle(command)

    def _train_one(self) -> None:
        t = self.trainer
        try:
            t.train_epoch()
        except Exception as exc:  # a bug or an odd corner must not kill the run
            self.state = RunState.PAUSED
            self.note = f"Training stopped: {type(exc).__name__}: {exc}"
            self.publish(Notice(self.note, Severity.ERROR))
            return
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

    @_on.register
    def _step(self, command: Step) -> None:
        t = self.trainer
        if not t.trainable:
            self.note = NOTHING_TO_TRAIN
            return
        t.reset_divergence()
        self.state = RunState.PAUSED
        for _ in range(command.epochs):
            self._train_one()
            if self.state != RunState.PAUSED:  # diverged or finished
                return
        self.note = f"Stepped to epoch {t.epoch}."

    @_on.register
    def _reset(self, command: Reset) -> None:
        config = command.config or self.trainer.config
        reason = command.reason
        try:
            self.trainer = Trainer(config, track_layers=True)
        except WeightsMismatch:
            # The change gave the network other shapes: the hand-set weights
            # cannot come along, and the app's config must lose them too.
            config = replace(config, weights=None)
            self.trainer = Trainer(config, track_layers=True)
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
    def _save_model(self, command: SaveModel) -> None:
        path = save_model(command.path, self.trainer)
        self.publish(Notice(f"Model saved to {path}"))

    @_on.register
    def _export_data(self, command: ExportData) -> None:
        path = write_data_csv(self.trainer.dataset, command.path)
        self.publish(Notice(f"Data written to {path}"))

    # ---- publishing -------------------------------------------------------
    def _publish(self) -> None:
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
        )
        self.publish(t.snapshot(self.grid, run=status))
