"""The status area: what the run is doing and its figures on the first line,
then the latest note or advice in full, wrapped (the advice is the teaching,
so it is never cut off)."""

from __future__ import annotations

import math

from rich.text import Text
from textual.widgets import Static

from ..session.protocol import RunState, Snapshot
from .bindings import pace_words

__all__ = ["StatusLine", "describe", "figures"]

ICONS = {RunState.RUNNING: "▶", RunState.PAUSED: "⏸", RunState.DIVERGED: "⚠", RunState.FINISHED: "■"}


def figures(snap: Snapshot) -> str:
    """The first line: state, epoch, speed, losses, metric, learning rate, pace."""
    run = snap.run
    state = run.state
    last = snap.last
    parts = [f"{ICONS.get(state, '•')} {state.upper()}", f"epoch {snap.epoch}"]
    done, total = run.batch
    if done:
        parts.append(f"batch {done}/{total}")
    if state == RunState.RUNNING:
        parts.append(f"{run.epochs_per_second:,.0f} epochs/s")
    if math.isfinite(last.train_loss):
        parts.append(f"loss {last.train_loss:.4f} / {last.test_loss:.4f}")
    if snap.metric_name == "accuracy":
        parts.append(f"acc {last.train_metric:.1%} / {last.test_metric:.1%}")
    else:
        parts.append(f"rmse {last.train_metric:.4g} / {last.test_metric:.4g}")
    parts.append(f"lr {run.learning_rate:g}")
    parts.append(f"pace {pace_words(run.pace)}")
    return " · ".join(parts)


def describe(snap: Snapshot) -> tuple[str, str]:
    """(figures, note): a divergence says so itself; otherwise advice wins over the last note."""
    run = snap.run
    note = run.note if run.state == RunState.DIVERGED else (snap.advice or run.note)
    return figures(snap), note


class StatusLine(Static):
    """State and figures, then the note or advice (wrapped, in full); a hint of
    the app's own (e.g. how to leave the settings) comes after."""

    def __init__(self, content: str = "", *, id: str | None = None) -> None:
        super().__init__(content, id=id)
        self._figures, self._note, self.hint = "", "", ""
        self._advice = False

    def show(self, snap: Snapshot) -> None:
        self._figures, self._note = describe(snap)
        self._advice = bool(snap.advice) or snap.run.state == RunState.DIVERGED
        self.set_class(snap.run.state == RunState.DIVERGED, "-diverged")
        self._redraw()

    def say(self, text: str) -> None:
        """A line of the app's own in place of the trainer's note (until the next snapshot)."""
        self._note, self._advice = text, False
        self._redraw()

    def set_hint(self, hint: str) -> None:
        self.hint = hint
        self._redraw()

    def _redraw(self) -> None:
        text = Text(self._figures, style="bold")
        if self._note:
            text.append("\n")
            text.append(self._note, style="italic" if self._advice else "")
        if self.hint:
            text.append("\n")
            text.append(self.hint, style="dim")
        self.update(text)
