"""Every Textual message the playground's parts post to each other, in one module.

Widget-local messages (a neuron selected, the plane's size changed) live on
their widgets, as Textual's own widgets do; these are the ones the app routes.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from ..config import Config
from ..session.protocol import FileReady, LandscapeReady, Notice, Traced
from ..training.snapshot import Snapshot

__all__ = ["FileReceived", "NoticeReceived", "SettingChanged", "SettingRefused", "SnapshotReady", "LandscapeReceived", "TraceReceived"]


@dataclass
class SnapshotReady(Message):
    """A new picture of the run, relayed from the trainer process."""

    snapshot: Snapshot

    def can_replace(self, message: Message) -> bool:
        # Only the newest picture matters: a slow frame never builds a backlog.
        return isinstance(message, SnapshotReady)


@dataclass
class NoticeReceived(Message):
    """A line for the user from the trainer (a saved file, a refused change)."""

    notice: Notice


@dataclass
class SettingChanged(Message):
    """The settings form made a new, validated config by changing ``path``."""

    path: str
    config: Config


@dataclass
class SettingRefused(Message):
    """The form refused a value for ``path`` and put the old one back."""

    path: str
    reason: str


@dataclass
class TraceReceived(Message):
    """A backprop trace (or why there is none) from the trainer, for the inspector."""

    traced: Traced


@dataclass
class LandscapeReceived(Message):
    """A loss landscape computed by the trainer, for the landscape screen."""

    ready: LandscapeReady


@dataclass
class FileReceived(Message):
    """A save's bytes from the trainer, to send to the browser as a download."""

    file: FileReady
