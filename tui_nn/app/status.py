"""The status area: what the run is doing and its figures on the first line,
then the latest note or advice in full, wrapped (the advice is the teaching,
so it is never cut off)."""

from __future__ import annotations

import math

from rich.text import Text
from textual.widgets import Static

from ..i18n import N_, _
from ..session.protocol import RunState, Snapshot
from .bindings import pace_words
from .widgets.language import FollowsLanguage

__all__ = ["STATE_WORDS", "StatusLine", "describe", "figures"]

ICONS = {RunState.RUNNING: "▶", RunState.PAUSED: "⏸", RunState.DIVERGED: "⚠", RunState.FINISHED: "■"}
# The state as the status line says it (in capitals where the language has them).
STATE_WORDS = {
    RunState.PAUSED: N_("PAUSED"), RunState.RUNNING: N_("RUNNING"), RunState.FINISHED: N_("FINISHED"),
    RunState.DIVERGED: N_("DIVERGED"), RunState.ERROR: N_("ERROR"),
}


def figures(snap: Snapshot) -> str:
    """The first line: state, epoch, speed, losses, metric, learning rate, pace."""
    run = snap.run
    state = run.state
    last = snap.last
    word = _(STATE_WORDS[state]) if state in STATE_WORDS else state.upper()
    parts = [f"{ICONS.get(state, '•')} {word}", _("epoch {epoch}").format(epoch=snap.epoch)]
    done, total = run.batch
    if done:
        parts.append(_("batch {done}/{total}").format(done=done, total=total))
    if state == RunState.RUNNING:
        speed = run.epochs_per_second
        parts.append(_("{speed} epochs/s").format(speed=f"{speed:.1f}" if 0 < speed < 10 else f"{speed:,.0f}"))
    if math.isfinite(last.train_loss):
        parts.append(_("loss {train} / {test}").format(train=f"{last.train_loss:.4f}",
                                                        test=f"{last.test_loss:.4f}"))
    if snap.metric_name == "accuracy":
        parts.append(_("acc {train} / {test}").format(train=f"{last.train_metric:.1%}",
                                                       test=f"{last.test_metric:.1%}"))
    else:
        parts.append(f"rmse {last.train_metric:.4g} / {last.test_metric:.4g}")
    parts.append(_("lr {rate}").format(rate=f"{run.learning_rate:g}"))
    parts.append(_("pace {pace}").format(pace=pace_words(run.pace)))
    return " · ".join(parts)


def describe(snap: Snapshot) -> tuple[str, str]:
    """(figures, note): a divergence says so itself; otherwise advice wins over the last note."""
    run = snap.run
    note = run.note if run.state == RunState.DIVERGED else (snap.advice or run.note)
    return figures(snap), note


class StatusLine(FollowsLanguage, Static):
    """State and figures, then the note or advice (wrapped, in full); a hint of
    the app's own (e.g. how to leave the settings) comes after."""

    def __init__(self, content: str = "", *, id: str | None = None) -> None:
        super().__init__(content, id=id)
        self._figures, self._note, self.hint = "", "", ""
        self._advice = False
        self._snap: Snapshot | None = None
        self._height = -1  # the wrapped text's lines at the last update

    def language_changed(self) -> None:
        # The figures' words now; the note comes in the new language with the
        # trainer's next snapshot.
        if self._snap is not None:
            self._figures = figures(self._snap)
            self._redraw()

    def show(self, snap: Snapshot) -> None:
        self._snap = snap
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
        # A layout of the whole screen costs more than drawing the status (it was
        # half of the app's time while training): only when the height changes.
        width = self.content_size.width
        height = len(text.wrap(self.app.console, width)) if width > 0 else -1
        self.update(text, layout=height != self._height or height < 0)
        self._height = height
