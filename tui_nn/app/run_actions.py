"""The keys that drive the run: play, step an epoch or a mini-batch, the pace,
new weights, new data, the learning rate."""

from __future__ import annotations

from dataclasses import replace

from textual.app import App
from textual.screen import ModalScreen
from textual.widgets import Input

from ..config import Config, Weights
from ..i18n import _
from ..session.protocol import Command, SetPace, Step, StepBatch, Toggle
from .bindings import LEARNING_RATES, PACES, pace_words

__all__ = ["RunActions"]


class RunActions(App[None]):
    """Actions that command the trainer (the app supplies ``_send`` and ``_set_config``)."""

    config: Config
    pace: float | None
    # The weights the run started from (a preset's hand-set ones), for `R`.
    start_weights: Weights | None = None

    def _send(self, command: Command) -> None:
        raise NotImplementedError

    def _set_config(self, config: Config, *, reason: str, live_path: str | None = None) -> None:
        raise NotImplementedError

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Space is a priority key so that it plays from the settings form too;
        # in a text field or a dialog it is a space, so the app steps aside.
        if action == "toggle_run" and (isinstance(self.focused, Input) or isinstance(self.screen, ModalScreen)):
            return False
        return True

    def action_toggle_run(self) -> None:
        self._send(Toggle())

    def action_step(self) -> None:
        self._send(Step(1))

    def action_step_batch(self) -> None:
        self._send(StepBatch())

    def action_reset(self) -> None:
        """New random weights: the next draw of the initialiser, same data."""
        draw = (self.config.network.init_seed + 1) % 2**32
        config = replace(self.config.with_value("network.init_seed", draw), weights=None)
        self._set_config(config, reason=_("New weights: draw {draw} (network.init_seed = {draw}); R goes back.").format(
            draw=draw))

    def action_restore(self) -> None:
        """Back to where the run started: the seed's first weights, or hand-set ones."""
        config = replace(self.config.with_value("network.init_seed", 0), weights=self.start_weights)
        if self.start_weights:
            reason = _("Back to the preset's hand-set weights (network.init_seed = 0).")
        else:
            reason = _("Back to the seed's first weights (network.init_seed = 0).")
        self._set_config(config, reason=reason)

    def action_regenerate(self) -> None:
        seed = (self.config.training.seed + 1) % (2**32)
        config = self.config.with_value("training.seed", seed)
        self._set_config(config, reason=_("New data (seed {seed}).").format(seed=seed))

    def _move_lr(self, direction: int) -> None:
        lr = self.config.training.learning_rate
        if direction > 0:
            options = [r for r in LEARNING_RATES if r > lr * (1 + 1e-9)]
            new = options[0] if options else LEARNING_RATES[-1]
        else:
            options = [r for r in LEARNING_RATES if r < lr * (1 - 1e-9)]
            new = options[-1] if options else LEARNING_RATES[0]
        # The status line shows the rate; no toast per key press (they piled up).
        self._set_config(self.config.with_value("training.learning_rate", new), reason="",
                         live_path="training.learning_rate")

    def action_lr_up(self) -> None:
        self._move_lr(+1)

    def action_lr_down(self) -> None:
        self._move_lr(-1)

    def _move_pace(self, direction: int) -> None:
        i = PACES.index(self.pace) if self.pace in PACES else PACES.index(30.0)
        self.pace = PACES[min(max(i + direction, 0), len(PACES) - 1)]
        self._send(SetPace(self.pace))
        self.sub_title = _("{name} · pace {pace}").format(name=self.config.name, pace=pace_words(self.pace))

    def action_pace_up(self) -> None:
        self._move_pace(+1)

    def action_pace_down(self) -> None:
        self._move_pace(-1)
