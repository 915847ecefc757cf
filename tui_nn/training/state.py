"""What a run is and has done: its figures per epoch, how it ended, its state.

``Outcome`` is how a headless run ended (it is also the ``status`` of
``tui-nn train --json``); ``RunState`` is what the session loop is doing, which
the status line shows. Both are ``StrEnum`` so they print and serialise as the
words users see.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["EpochResult", "Outcome", "RunResult", "RunState", "RunStatus"]


class Outcome(StrEnum):
    OK = "ok"
    DIVERGED = "diverged"


class RunState(StrEnum):
    PAUSED = "paused"
    RUNNING = "running"
    FINISHED = "finished"
    DIVERGED = "diverged"
    ERROR = "error"


@dataclass(frozen=True)
class RunStatus:
    """The session's account of the run, carried by every snapshot it publishes."""

    state: RunState = RunState.PAUSED
    note: str = ""  # the last thing that happened, in words
    epochs_per_second: float = 0.0
    target_epochs: int | None = None
    learning_rate: float = 0.0
    pace: float | None = None  # the most epochs a second it trains at; None: as fast as it can
    batch: tuple[int, int] = (0, 0)  # (mini-batches done, in all) of an epoch a step began
    unsaved_epochs: int = 0  # epochs trained since the session was last saved (or resumed)


@dataclass(frozen=True)
class EpochResult:
    epoch: int
    train_loss: float
    test_loss: float
    train_metric: float  # accuracy (classification) or RMSE (regression)
    test_metric: float

    @property
    def finite(self) -> bool:
        return math.isfinite(self.train_loss) and math.isfinite(self.test_loss)


@dataclass(frozen=True)
class RunResult:
    epochs: int
    seconds: float
    status: Outcome
    last: EpochResult
    message: str = ""

    @property
    def epochs_per_second(self) -> float:
        return self.epochs / self.seconds if self.seconds > 0 else float("inf")
