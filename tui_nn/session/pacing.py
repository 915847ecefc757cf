"""How the session loop spends its time: epochs whole or in slices, and advice
that holds steady."""

from __future__ import annotations

import time

from ..training.trainer import Trainer

__all__ = ["CHUNK_MACS", "CHUNK_SECONDS", "Slicer", "SteadyAdvice"]

CHUNK_SECONDS = 0.05  # a slice of a large network's epoch takes about this long
CHUNK_MACS = 5e8  # an epoch estimated to cost more than this is sliced from the start


class Slicer:
    """Trains whole epochs, or a large network's epoch in slices of mini-batches
    of about CHUNK_SECONDS, so that pause and the other keys act at once and
    snapshots come during the epoch."""

    def __init__(self, trainer: Trainer) -> None:
        self.chunk: int | None = 1 if trainer.epoch_cost > CHUNK_MACS else None

    def train(self, trainer: Trainer) -> bool:
        """An epoch or a slice of one; True when an epoch ended."""
        start = time.perf_counter()
        if self.chunk is None:
            trainer.train_epoch()
            if time.perf_counter() - start > 4 * CHUNK_SECONDS:
                self.chunk = 1  # epochs this slow go in slices from now on
            return True
        ended = trainer.train_batches(self.chunk) is not None
        took = max(time.perf_counter() - start, 1e-6)
        self.chunk = max(1, min(int(self.chunk * CHUNK_SECONDS / took) + 1, 2 * self.chunk))
        return ended


class SteadyAdvice:
    """The advice to show: a new piece at once; one that stops applying only
    after 10 epochs and 3 s without it, so it does not flicker in and out while
    the figures wobble around its threshold."""

    def __init__(self) -> None:
        self.text = ""
        self._gone: tuple[int, float] | None = None  # (epoch, time) it stopped applying

    def update(self, advice: str, epoch: int) -> str:
        if advice:
            self.text, self._gone = advice, None
        elif self.text:
            now = time.perf_counter()
            if self._gone is None:
                self._gone = (epoch, now)
            elif epoch - self._gone[0] >= 10 and now - self._gone[1] >= 3.0:
                self.text, self._gone = "", None
        return self.text
