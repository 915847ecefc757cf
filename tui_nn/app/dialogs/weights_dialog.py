"""Typing a neuron's weights by hand: its bias and each incoming weight, the way
the curriculum's XOR network was found (5, 5, -8 ...)."""

from __future__ import annotations

import math

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from ...i18n import N_, _

__all__ = ["MAX_EDITABLE", "WeightsDialog", "parse_weight"]

MAX_EDITABLE = 16  # incoming weights a dialog row each; wider neurons are edited elsewhere

Answer = tuple[float, tuple[float, ...]]  # (bias, incoming weights)


def parse_weight(text: str) -> float | None:
    """A finite number, or None."""
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


class WeightsDialog(ModalScreen[Answer | None]):
    """The bias and the incoming weights of one neuron, each in its own field;
    Enter applies them all, Escape keeps the weights as they were."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="dialog.cancel", tooltip=N_("Keep the weights"))]

    def __init__(self, title: str, sources: list[str], bias: float, weights: list[float]) -> None:
        super().__init__()
        self._title = title
        self._sources = sources
        self._bias = bias
        self._weights = weights

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="weights"):
            yield Label(self._title)
            with VerticalScroll(classes="weight-rows"):
                with Horizontal(classes="weight-row"):
                    yield Label(_("bias"), classes="weight-name")
                    yield Input(f"{self._bias:g}", id="w-bias", classes="weight")
                for i, (name, w) in enumerate(zip(self._sources, self._weights)):
                    with Horizontal(classes="weight-row"):
                        yield Label(_("w from {source}").format(source=name), classes="weight-name")
                        yield Input(f"{w:g}", id=f"w-{i}", classes="weight")
            yield Label(_("Enter applies, Escape cancels; Tab moves between fields"), classes="hint", id="w-hint")

    def on_mount(self) -> None:
        self.query_one("#w-bias", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        values = [parse_weight(w.value) for w in self.query(Input)]
        bad = [i for i, v in enumerate(values) if v is None]
        if bad:
            field = self.query(Input)[bad[0]]
            self.query_one("#w-hint", Label).update(
                _("Not a finite number: {text!r}. Nothing was changed.").format(text=field.value))
            field.focus()
            return
        numbers = [v for v in values if v is not None]
        self.dismiss((numbers[0], tuple(numbers[1:])))

    def action_cancel(self) -> None:
        self.dismiss(None)
