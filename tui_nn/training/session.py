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
from dataclasses import dataclass, field
from typing import Any, Callable

from ..config import Config, ConfigError
from ..data import DataError
from .snapshot import Snapshot
from .trainer import Trainer

__all__ = ["Command", "Notice", "Session", "SessionState"]


@dataclass(frozen=True)
class Command:
    name: str  # play | pause | toggle | step | reset | live | grid | save_model | export_data | stop
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SessionState:
    """What the status line says, carried in ``Snapshot.extra['session']``."""

    state: str  # paused | running | diverged | finished | error
    note: str  # the last thing that happened, in words
    epochs_per_second: float
    target_epochs: int | None
    learning_rate: float = 0.0


@dataclass(frozen=True)
class Notice:
    """A one-off message for the user (a file saved, a command that failed).

    ``config`` is set when a settings change was refused here: it is the
    config still in force, so the app can put its form back in step.
    """

    text: str
    severity: str = "information"  # information | warning | error
    config: Config | None = None


class Session:
    def __init__(
        self,
        config: Config,
        publish: Callable[[Snapshot], Any],
        *,
        fps: float = 10.0,
        grid: tuple[int, int] = (48, 48),
        trainer: Trainer | None = None,
        commands: Any = None,
    ) -> None:
        self.publish = publish
        self.interval = 1.0 / fps
        self.grid = grid
        self.trainer = trainer or Trainer(config, track_layers=True)
        self.state = "paused"
        self.note = "Paused at epoch 0: press space to train."
        self.target: int | None = config.training.epochs or None
        # Anything with queue.Queue's get() and get_nowait(): a queue when the
        # session runs in a thread, a pipe reader when it runs in a process.
        self._commands = commands if commands is not None else queue.Queue()
        self._speed = 0.0
        self._stopped = False

    # ---- called from any thread ------------------------------------------
    def send(self, name: str, *args, **kwargs) -> None:
        self._commands.put(Command(name, args, kwargs))

    # ---- the loop that owns the trainer (a thread or a child process) ----
    def run(self) -> None:
        """Process commands and train until ``stop``; publishes as it goes."""
        self._publish()
        last_publish = time.perf_counter()
        window_start, window_epochs = last_publish, 0
        while not self._stopped:
            if self.state != "running":
                # Paused: block until something happens.
                self._handle(self._commands.get())
                self._drain()
                self._publish()
                last_publish = window_start = time.perf_counter()
                window_epochs = 0
                continue
            self._drain()
            if self.state != "running" or self._stopped:
                self._publish()
                continue
            self._train_one()
            window_epochs += 1
            now = time.perf_counter()
            if now - last_publish >= self.interval or self.state != "running":
                if now > window_start:
                    self._speed = window_epochs / (now - window_start)
                if now - window_start > 1.0:
                    window_start, window_epochs = now, 0
                self._publish()
                last_publish = now

    def _drain(self) -> None:
        while True:
            try:
                cmd = self._commands.get_nowait()
            except queue.Empty:
                return
            self._handle(cmd)

    def _train_one(self) -> None:
        t = self.trainer
        try:
            t.train_epoch()
        except Exception as exc:  # a bug or an odd corner must not kill the run
            self.state = "paused"
            self.note = f"Training stopped: {type(exc).__name__}: {exc}"
            self.publish(Notice(self.note, "error"))
            return
        if t.status == "diverged":
            self.state = "diverged"
            self.note = t.message
        elif self.target is not None and t.epoch >= self.target:
            self.state = "finished"
            self.note = (
                f"Finished {t.epoch} epochs (training.epochs). Press space to keep training."
            )
            self.target = None

    def _handle(self, cmd: Command) -> None:
        t = self.trainer
        try:
            if cmd.name == "stop":
                self._stopped = True
            elif cmd.name in ("play", "toggle", "step") and not t.trainable:
                self.note = (
                    "Nothing to train: step units have no gradient. These weights were set "
                    "by hand; for a learning step unit use training.optimizer = perceptron."
                )
            elif cmd.name in ("play", "toggle") and self.state != "running":
                if t.status == "diverged":
                    t.reset_divergence()
                self.state = "running"
                self.note = "Training."
            elif cmd.name in ("pause", "toggle") and self.state == "running":
                self.state = "paused"
                self.note = f"Paused at epoch {t.epoch}."
            elif cmd.name == "step":
                if t.status == "diverged":
                    t.reset_divergence()
                self.state = "paused"
                for _ in range(int(cmd.args[0]) if cmd.args else 1):
                    self._train_one()
                    if self.state != "paused":  # diverged or finished
                        break
                else:
                    self.note = f"Stepped to epoch {t.epoch}."
            elif cmd.name == "reset":
                config = cmd.args[0] if cmd.args else t.config
                reason = cmd.kwargs.get("reason", "Weights reset.")
                self.trainer = Trainer(config, track_layers=True)
                self.target = config.training.epochs or None
                self.state = "paused"
                self.note = f"{reason} Paused at epoch 0."
            elif cmd.name == "live":
                path, value = cmd.args
                t.set_live(path, value)
                if path == "training.epochs":
                    self.target = value if value > t.epoch else None
                if self.state != "running":
                    self.note = f"{path} = {value:g}" if isinstance(value, float) else f"{path} = {value}"
            elif cmd.name == "grid":
                self.grid = (max(2, int(cmd.args[0])), max(2, int(cmd.args[1])))
            elif cmd.name == "save_model":
                from ..model_io import save_model

                path = save_model(cmd.args[0], t)
                self.publish(Notice(f"Model saved to {path}"))
            elif cmd.name == "export_data":
                from ..data.export import write_data_csv

                path = write_data_csv(t.dataset, cmd.args[0])
                self.publish(Notice(f"Data written to {path}"))
        except (ConfigError, DataError, ValueError) as exc:
            self.note = f"Not applied: {exc}"
            self.publish(Notice(self.note, "error", config=self.trainer.config))
        except OSError as exc:
            self.publish(Notice(f"Could not write: {exc}", "error"))

    def _publish(self) -> None:
        t = self.trainer
        if self.state != "running":
            t.refresh()
            if t.status == "diverged" and self.state != "diverged":
                self.state, self.note = "diverged", t.message
        state = SessionState(
            state=self.state,
            note=self.note,
            epochs_per_second=self._speed if self.state == "running" else 0.0,
            target_epochs=self.target,
            learning_rate=t.config.training.learning_rate,
        )
        self.publish(t.snapshot(self.grid, session=state))

