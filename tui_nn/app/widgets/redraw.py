"""How often each widget redraws for new snapshots, and how many bytes it may send: one table.

The session publishes snapshots at its ``fps``; the app hands every one to
every widget (``update_snapshot``). Each widget kind has a :class:`RedrawPolicy`
in :data:`POLICIES`, which :class:`SnapshotWidget` applies:

* ``redraws_per_s``: a snapshot arriving sooner than ``1 / redraws_per_s``
  after the last redraw is drawn when that interval is up (the latest one
  then); None = every snapshot as it comes;
* ``bytes_per_s`` / ``burst_bytes``: the byte budget of what goes to the
  terminal (see ``_lines.ByteBudget``): rows beyond it wait for a later
  frame, oldest first. None = no limit.

The plane follows training at the session's rate; the network view and the
charts cost the most to build and change least from one snapshot to the next.
The rates hold only while training runs: a snapshot of a paused run (after a
step, a reset, a change) is what the learner is waiting for, and it comes
once per command, so it is drawn at once. Selections, toggles and resizes
redraw at once too.
"""

from __future__ import annotations

from dataclasses import dataclass
from time import monotonic
from typing import ClassVar

from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget

from ...file_access import served
from ...training.snapshot import Snapshot
from ...training.state import RunState
from ._lines import LinesWidget
from .language import FollowsLanguage

__all__ = ["POLICIES", "SERVED_POLICIES", "LatestMessage", "RedrawPolicy", "SnapshotWidget"]


@dataclass(frozen=True)
class RedrawPolicy:
    redraws_per_s: float | None  # None: every snapshot
    bytes_per_s: float | None  # None: no limit
    burst_bytes: float

    @property
    def min_interval(self) -> float:
        """Seconds between redraws for new snapshots."""
        return 1.0 / self.redraws_per_s if self.redraws_per_s else 0.0


POLICIES: dict[str, RedrawPolicy] = {
    "plane": RedrawPolicy(redraws_per_s=None, bytes_per_s=20_000.0, burst_bytes=16_000.0),
    "network": RedrawPolicy(redraws_per_s=2.0, bytes_per_s=10_000.0, burst_bytes=16_000.0),
    "chart": RedrawPolicy(redraws_per_s=2.0, bytes_per_s=10_000.0, burst_bytes=16_000.0),
}
# Served to a class (tui-nn serve), thirty apps share the server's cores: the
# diagram and the charts once a second (the plane still follows every snapshot).
SERVED_POLICIES: dict[str, RedrawPolicy] = {
    **POLICIES,
    "network": RedrawPolicy(redraws_per_s=1.0, bytes_per_s=10_000.0, burst_bytes=16_000.0),
    "chart": RedrawPolicy(redraws_per_s=1.0, bytes_per_s=10_000.0, burst_bytes=16_000.0),
}


class SnapshotWidget(FollowsLanguage, LinesWidget):
    """A :class:`LinesWidget` that draws snapshots under the policy of its ``KIND``.

    Subclasses implement :meth:`draw_snapshot` (and call :meth:`drew` when they
    built a picture); :meth:`_accept` may say a snapshot brings nothing new,
    :meth:`_urgent` that it must be drawn at once. ``min_interval``,
    ``max_rate`` and ``burst`` start from the policy and may be changed.
    After a switch of language the snapshot is drawn again (``language_changed``).
    """

    KIND: ClassVar[str] = "chart"

    def __init__(self, snapshot: Snapshot | None = None, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        policy = (SERVED_POLICIES if served() else POLICIES)[self.KIND]
        self.min_interval = policy.min_interval
        self.max_rate = policy.bytes_per_s
        self.burst = policy.burst_bytes
        self.budget.tokens = policy.burst_bytes
        self._snap = snapshot
        self._drawn_at = -1e9
        self._later: Timer | None = None

    @property
    def snapshot(self) -> Snapshot | None:
        return self._snap

    def update_snapshot(self, snap: Snapshot | None) -> bool:
        """Take a snapshot; True if it brought something new to draw (now or when due)."""
        old = self._snap
        self._snap = snap
        if not self._accept(old, snap):
            return False
        wait = self._drawn_at + self.min_interval - monotonic()
        running = snap is not None and snap.run.state == RunState.RUNNING
        if wait > 0 and self.is_mounted and running and not self._urgent(old, snap):
            if self._later is None:
                self._later = self.set_timer(wait, self._draw_later)
            return True
        self.draw_snapshot()
        return True

    def language_changed(self) -> None:
        self.draw_snapshot()

    def drew(self) -> None:
        """Note that a picture was just built (the interval counts from here)."""
        self._drawn_at = monotonic()

    def draw_snapshot(self) -> None:
        raise NotImplementedError

    def _accept(self, old: Snapshot | None, snap: Snapshot | None) -> bool:
        return True

    def _urgent(self, old: Snapshot | None, snap: Snapshot | None) -> bool:
        return False

    def _draw_later(self) -> None:
        self._later = None
        self.draw_snapshot()


class LatestMessage(Message):
    """A message from a widget that replaces a queued one of its kind from the same widget."""

    def __init__(self, sender: Widget) -> None:
        super().__init__()
        self._from = sender

    @property
    def control(self) -> Widget:
        return self._from

    def can_replace(self, message: Message) -> bool:
        return type(message) is type(self) and message.control is self._from
