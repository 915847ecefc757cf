"""The status line: what the run is doing, its figures, and the latest note or advice."""

from __future__ import annotations

import math

from textual.widgets import Static

from ..session.protocol import RunState, Snapshot

__all__ = ["StatusLine", "describe"]

ICONS = {RunState.RUNNING: "▶", RunState.PAUSED: "⏸", RunState.DIVERGED: "⚠", RunState.FINISHED: "■"}


def describe(snap: Snapshot) -> str:
    """The status line's text for a snapshot."""
    run = snap.run
    state = run.state
    last = snap.last
    parts = [f"{ICONS.get(state, '•')} {state.upper()}", f"epoch {snap.epoch}"]
    if state == RunState.RUNNING:
        parts.append(f"{run.epochs_per_second:,.0f} epochs/s")
    if math.isfinite(last.train_loss):
        parts.append(f"loss {last.train_loss:.4f} / {last.test_loss:.4f}")
    if snap.metric_name == "accuracy":
        parts.append(f"acc {last.train_metric:.1%} / {last.test_metric:.1%}")
    else:
        parts.append(f"rmse {last.train_metric:.4g} / {last.test_metric:.4g}")
    parts.append(f"lr {run.learning_rate:g}")
    # A divergence says so itself; otherwise advice wins over the last note.
    note = run.note if state == RunState.DIVERGED else (snap.advice or run.note)
    return " · ".join(parts) + (f" — {note}" if note else "")


class StatusLine(Static):
    """One line: state, epoch, speed, losses, then the latest note or advice."""

    def show(self, snap: Snapshot) -> None:
        self.set_class(snap.run.state == RunState.DIVERGED, "-diverged")
        self.update(describe(snap))
