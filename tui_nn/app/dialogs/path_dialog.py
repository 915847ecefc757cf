"""A small dialog asking where to save something."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from ...i18n import N_, _


class PathDialog(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="dialog.cancel", tooltip=N_("Close without saving"))]

    def __init__(self, title: str, default: str, hint: str | None = None) -> None:
        super().__init__()
        self._title = title
        self._default = default
        self._hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self._title)
            yield Input(self._default, id="path")
            yield Label(self._hint or _("Enter to save, Escape to cancel"), classes="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
