"""What a session does for each command: ``CommandHandlers``, a mixin of
``Session`` (loop.py), one handler per command, dispatched on the command's type.

The loop owns the trainer and the timing; these handlers change the run's state
and its note, and answer with a ``Notice`` where the app must hear of it (a
save, a refused change, hand-set weights that no longer fit).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import singledispatchmethod
from pathlib import Path
from typing import BinaryIO

import numpy as np

from ..i18n import N_, _, set_language
from ..io.data_csv import data_csv_writer, write_data_csv
from ..io.files import to_bytes
from ..io.model_files import model_writer, save_model
from ..io.session_files import load_session, save_session, session_writer
from ..rules import printable
from ..training.backprop import trace, worst_example
from ..training.landscape import (
    PathRecorder, PathTrace, compute_landscape, pca_directions, project, random_directions,
)
from ..training.state import RunState
from ..training.trainer import Trainer, WeightsMismatch
from .notes import NOTHING_TO_TRAIN, Words, as_is, words
from .pacing import SteadyAdvice
from .protocol import (
    Command, Event, ExportData, FileReady, Notice, Pause, Play, Reset, ResumeSession, SaveModel, SaveSession,
    ComputeLandscape, Inspect, LandscapeReady, SetAutosave, SetFocus, SetGrid, SetLanguage, SetLive, SetPace, SetWeights, Severity, Traced, Step, StepBatch, Stop, Toggle,
)

__all__ = ["CommandHandlers"]


class CommandHandlers:
    """The session's handler for each command (``Session`` supplies ``_adopt``
    and ``_train_some``, and sets the state below in its ``__init__``)."""

    trainer: Trainer
    state: RunState
    target: int | None  # the epoch to stop at (training.epochs), None: no end
    pace: float | None
    grid: tuple[int, int]
    focus: tuple[int, int] | None
    publish: Callable[[Event], object]
    _note: Words
    _advice: SteadyAdvice
    _saved_epoch: int
    _autosave: tuple[str, float] | None
    _stopped: bool
    path: PathRecorder

    def _adopt(self, trainer: Trainer) -> None:
        raise NotImplementedError

    def _train_some(self, whole: bool = False) -> bool:
        raise NotImplementedError

    # ---- the note ---------------------------------------------------------
    @property
    def note(self) -> str:
        """The last thing that happened, in words (in the current language)."""
        return self._note()

    def _divergence(self) -> str:
        """The trainer's advice on its divergence (worded in the language of the moment)."""
        return self.trainer.message

    # ---- a command: handled, or refused in a Notice -------------------------
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
    def _set_weights(self, command: SetWeights) -> None:
        self.trainer.set_neuron(command.layer, command.neuron, command.bias, command.weights)
        self._note = words(N_("Layer {layer} neuron {neuron}: weights set by hand. Training goes on from them."),
                           layer=command.layer + 1, neuron=command.neuron + 1)

    @_on.register
    def _inspect(self, command: Inspect) -> None:
        t = self.trainer
        try:
            sample = worst_example(t, command.split) if command.sample is None else command.sample
            self.publish(Traced(trace(t, sample, split=command.split, neuron=command.neuron), t.epoch))
        except ValueError as exc:  # a sample out of range, batch norm refused: said in the inspector
            self.publish(Traced(None, t.epoch, str(exc)))

    @_on.register
    def _compute_landscape(self, command: ComputeLandscape) -> None:
        t = self.trainer
        try:
            self.publish(landscape_of_run(t, self.path, command.steps))
        except ValueError as exc:
            self.publish(LandscapeReady(None, (), None, t.epoch, str(exc)))

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
        if command.download:
            self._deliver(command.path, session_writer(self.trainer), _("Session {name} sent to the browser"))
            self._saved_epoch = self.trainer.epoch
            return
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
        if command.download:
            self._deliver(command.path, model_writer(self.trainer), _("Model {name} sent to the browser"))
            return
        path = save_model(command.path, self.trainer)
        self.publish(Notice(_("Model saved to {path}").format(path=path)))

    @_on.register
    def _export_data(self, command: ExportData) -> None:
        if command.download:
            self._deliver(command.path, data_csv_writer(self.trainer.dataset, self.trainer.targets),
                          _("Data {name} sent to the browser"))
            return
        path = write_data_csv(self.trainer.dataset, self.trainer.targets, command.path)
        self.publish(Notice(_("Data written to {path}").format(path=path)))

    def _deliver(self, name: str, writer: Callable[[BinaryIO], object], said: str) -> None:
        """A save as bytes for the browser: only the name of ``name`` goes with them."""
        file_name = Path(name).name or "tui-nn"
        self.publish(FileReady(file_name, to_bytes(writer), said.format(name=printable(file_name))))


def landscape_of_run(trainer: Trainer, path: PathRecorder, steps: int) -> LandscapeReady:
    """The loss around the run's weights on the plane of its path's first two
    principal directions (random per-filter directions before there is a path),
    spanning the path with a margin, and the path projected on it."""
    points = path.points()
    if len(points) >= 3 and np.ptp(points, axis=0).any():
        directions = pca_directions(points)
    else:
        directions = random_directions(trainer.network, seed=trainer.config.training.seed)
    center = np.array(trainer.network.params, dtype=np.float64)
    alphas, betas = project(points, center, directions.d1, directions.d2)
    span_a = max(float(np.max(np.abs(alphas))) * 1.25, 1e-3) if len(alphas) else 1.0
    span_b = max(float(np.max(np.abs(betas))) * 1.25, span_a * 0.2, 1e-3) if len(betas) else 1.0
    landscape = compute_landscape(trainer, center, directions.d1, directions.d2, (span_a, span_b), steps)
    explained = None if np.isnan(directions.explained).any() else (float(directions.explained[0]),
                                                                     float(directions.explained[1]))
    run = PathTrace(_("this run"), alphas, betas)
    return LandscapeReady(landscape, (run,), explained, trainer.epoch)
