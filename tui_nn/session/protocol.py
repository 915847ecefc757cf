"""Every message between the app and the trainer, as small frozen dataclasses.

Commands go from the app to the session loop; events come back: a
``Snapshot`` of the run (with the session's ``RunStatus`` in it), a
``Notice`` for the user, or ``TrainerFailed`` when the loop died. They are
pickled across the process boundary, so each holds only plain data.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ..config import Config
from ..i18n import N_
from ..training.backprop import Trace
from ..training.landscape import Landscape, PathTrace
from ..training.snapshot import Snapshot
from ..training.state import RunState, RunStatus

__all__ = [
    "Command", "ComputeLandscape", "Event", "ExportData", "Inspect", "LandscapeReady", "Traced", "Notice", "Pause", "Play", "Reset", "RunState", "RunStatus",
    "ResumeSession", "SaveModel", "SaveSession", "SetAutosave", "SetFocus", "SetGrid", "SetLanguage", "SetLive",
    "SetPace", "SetWeights", "Severity", "Snapshot", "Step", "StepBatch", "Stop", "Toggle",
    "TrainerFailed",
]


# ---- commands: app -> session -------------------------------------------------------


@dataclass(frozen=True)
class Play:
    """Start training (after a divergence: try again from the last good weights)."""


@dataclass(frozen=True)
class Pause:
    pass


@dataclass(frozen=True)
class Toggle:
    """Play if paused, pause if running: the space bar."""


@dataclass(frozen=True)
class Step:
    """Train ``epochs`` epochs, then pause."""

    epochs: int = 1


@dataclass(frozen=True)
class StepBatch:
    """Train one mini-batch (one sample for the perceptron rule), then pause."""


@dataclass(frozen=True)
class SetPace:
    """Train at most ``epochs_per_second`` while running (None: as fast as possible)."""

    epochs_per_second: float | None


@dataclass(frozen=True)
class Reset:
    """A new trainer for ``config`` (None: the same config again), epoch 0; ``reason``
    in the app's words (the default is worded by the session)."""

    config: Config | None = None
    reason: str = N_("Weights reset.")


@dataclass(frozen=True)
class SetLive:
    """Change a live setting (see ``Setting.live``) while the weights stay."""

    path: str
    value: object


@dataclass(frozen=True)
class SetGrid:
    """The plane's picture size in pixels (cols, rows) the app draws."""

    cols: int
    rows: int


@dataclass(frozen=True)
class SetWeights:
    """Hand-chosen weights for one neuron: its bias and incoming weights (dense layer
    ``layer``: 0 feeds the first hidden layer). The run keeps going from them."""

    layer: int
    neuron: int
    bias: float
    weights: tuple[float, ...]


@dataclass(frozen=True)
class Inspect:
    """Trace one example's forward and backward pass (``split``: "train" or "test";
    ``sample``: its row; None: the worst-predicted training example) and send it
    back as ``Traced``; ``neuron`` (dense layer, index): checked numerically
    whatever the network's size."""

    sample: int | None
    split: str = "train"
    neuron: tuple[int, int] | None = None


@dataclass(frozen=True)
class ComputeLandscape:
    """The training loss over a plane through the weights (the first two principal
    directions of the path taken so far), with that path on it: sent back as
    ``LandscapeReady``."""

    steps: int = 25


@dataclass(frozen=True)
class SetFocus:
    """The hidden neuron the plane shows large ((layer, index); None: the output):
    snapshots then carry its picture at the plane's resolution."""

    neuron: tuple[int, int] | None


# The three saves: to ``path``, or with ``download`` (served to a browser, which
# must never name a server path) as a ``FileReady`` of that name's bytes.
@dataclass(frozen=True)
class SaveModel:
    path: str
    download: bool = False


@dataclass(frozen=True)
class ExportData:
    path: str
    download: bool = False


@dataclass(frozen=True)
class SaveSession:
    """The whole run to ``path``; ``quiet``: an autosave (no message unless it fails)."""

    path: str
    quiet: bool = False
    download: bool = False


@dataclass(frozen=True)
class ResumeSession:
    """Replace the run with the one saved at ``path``, exactly where it stopped."""

    path: str


@dataclass(frozen=True)
class SetAutosave:
    """Save the session to ``path`` every ``seconds`` while training (None: never)."""

    path: str | None
    seconds: float = 60.0


@dataclass(frozen=True)
class SetLanguage:
    """Word the notes, advice and refusals in ``code``'s language from now on ("en",
    "ko"): the app's, which ``SessionProcess`` sends whenever it switches."""

    code: str


@dataclass(frozen=True)
class Stop:
    pass


Command = (
    Play | Pause | Toggle | Step | StepBatch | SetPace | Reset | SetLive | SetGrid | SetFocus | SetWeights | Inspect | ComputeLandscape
    | SaveModel    | ExportData | SaveSession | ResumeSession | SetAutosave | SetLanguage | Stop
)


# ---- events: session -> app ------------------------------------------------------------


class Severity(StrEnum):
    INFORMATION = "information"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class Notice:
    """A one-off message for the user (a file saved, a change refused).

    ``config`` is set when a settings change was refused: it is the config
    still in force, so the app can put its form back in step.
    """

    text: str
    severity: Severity = Severity.INFORMATION
    config: Config | None = None


@dataclass(frozen=True)
class TrainerFailed:
    """The session loop died of an exception (a bug): its type and message."""

    error: str
    message: str


@dataclass(frozen=True)
class Traced:
    """One example's backprop trace (``training/backprop.py``) at ``epoch``, or why
    there is none (``error``)."""

    trace: Trace | None
    epoch: int
    error: str = ""


@dataclass(frozen=True)
class LandscapeReady:
    """The loss landscape around the run's weights and its path projected on it."""

    landscape: Landscape | None
    paths: tuple[PathTrace, ...]
    explained: tuple[float, float] | None
    epoch: int
    error: str = ""


@dataclass(frozen=True)
class FileReady:
    """A save's file as bytes, for the app to hand to the browser as a download
    named ``name``; ``text``: what to tell the user once it is on its way."""

    name: str
    data: bytes
    text: str


Event = Snapshot | Notice | Traced | LandscapeReady | FileReady | TrainerFailed
