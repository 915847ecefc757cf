"""A headless run of a number of epochs, timed: what ``tui-nn train`` does."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from .state import EpochResult, Outcome, RunResult

__all__ = ["EpochSource", "run_epochs"]


class EpochSource(Protocol):
    """What a run needs of a trainer."""

    last: EpochResult
    message: str

    @property
    def diverged(self) -> bool: ...

    def train_epoch(self) -> EpochResult: ...

    def refresh(self) -> EpochResult: ...


def run_epochs(
    trainer: EpochSource,
    epochs: int,
    on_epoch: Callable[[EpochResult], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> RunResult:
    """Train ``epochs`` more epochs (stops at once on divergence)."""
    t0 = time.perf_counter()
    done = 0
    result = trainer.last
    if trainer.diverged:
        return RunResult(0, 0.0, Outcome.DIVERGED, result, trainer.message)
    for _epoch in range(epochs):
        if should_stop is not None and should_stop():
            break
        result = trainer.train_epoch()
        done += 1
        if trainer.diverged:
            break
        if on_epoch is not None:
            on_epoch(result)
    result = trainer.refresh()
    seconds = time.perf_counter() - t0
    status = Outcome.DIVERGED if trainer.diverged else Outcome.OK
    return RunResult(done, seconds, status, result, trainer.message)
