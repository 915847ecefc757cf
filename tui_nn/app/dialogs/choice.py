"""A question with a few answers, each on its own key (quit without saving?
continue the run you left?)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label

from ...i18n import N_, _

__all__ = ["Choice", "ChoiceDialog"]

# (key, words on screen, the answer the dialog returns)
Choice = tuple[str, str, str]


class ChoiceDialog(ModalScreen[str]):
    """Shows ``question`` and ``detail``; each choice's key dismisses it with that
    choice's answer; Escape answers ``cancel``."""

    BINDINGS = [Binding("escape", "choose('cancel')", N_("Cancel"), id="dialog.cancel",
                        tooltip=N_("Close, changing nothing"))]

    def __init__(self, question: str, detail: str, choices: list[Choice], cancel: str = "cancel") -> None:
        super().__init__()
        self._question, self._detail, self._choices, self._cancel = question, detail, choices, cancel

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self._question, classes="question")
            if self._detail:
                yield Label(self._detail, classes="hint")
            for key, words, _answer in self._choices:
                yield Label(f"[{key}]  {words}", markup=False)
            yield Label(_("Esc: cancel"), classes="hint")

    def on_key(self, event: object) -> None:
        key = getattr(event, "key", "")
        for choice_key, _words, answer in self._choices:
            if key == choice_key:
                getattr(event, "stop")()
                self.dismiss(answer)
                return

    def action_choose(self, answer: str) -> None:
        self.dismiss(self._cancel if answer == "cancel" else answer)
