"""A training history whose memory stays flat however long the run.

Rows are kept every ``stride`` epochs; when the buffer fills, every other row
is dropped and the stride doubles. A run of a million epochs keeps at most
``capacity`` rows, evenly spread, always including the first.
"""

from __future__ import annotations

import numpy as np

from ..i18n import _

__all__ = ["History"]


class History:
    def __init__(self, columns: tuple[str, ...], capacity: int = 1024) -> None:
        if capacity < 4 or capacity % 2:
            raise ValueError("capacity must be an even number >= 4")
        self.columns = columns
        self.capacity = capacity
        self.stride = 1
        self._rows = np.empty((capacity, len(columns)))
        self._n = 0
        self._index = {name: i for i, name in enumerate(columns)}

    def __len__(self) -> int:
        return self._n

    def wants(self, epoch: int) -> bool:
        """Whether a row for ``epoch`` would be kept (lets callers skip costly columns)."""
        return epoch % self.stride == 0

    def append(self, epoch: int, values: tuple[float, ...] | list[float]) -> bool:
        """Record a row (``values`` in column order, after ``epoch``); False if skipped."""
        if not self.wants(epoch):
            return False
        if self._n == self.capacity:
            # Keep rows whose epoch is a multiple of the doubled stride.
            self.stride *= 2
            keep = self._rows[: self._n, 0] % self.stride == 0
            kept = self._rows[: self._n][keep]
            self._n = len(kept)
            self._rows[: self._n] = kept
            if not self.wants(epoch):
                return False
        self._rows[self._n, 0] = epoch
        self._rows[self._n, 1:] = values
        self._n += 1
        return True

    def column(self, name: str) -> np.ndarray:
        """A copy of one column (safe to hand to another thread)."""
        return self._rows[: self._n, self._index[name]].copy()

    def last(self, name: str) -> float:
        return float(self._rows[self._n - 1, self._index[name]]) if self._n else float("nan")

    def export(self) -> tuple[np.ndarray, int]:
        """(the rows kept, the stride): all a saved session needs to continue it."""
        return self._rows[: self._n].copy(), self.stride

    def restore(self, rows: np.ndarray, stride: int) -> None:
        if rows.ndim != 2 or rows.shape[1] != len(self.columns) or len(rows) > self.capacity or stride < 1:
            raise ValueError(_("history does not fit"))
        self._rows[: len(rows)] = rows
        self._n = len(rows)
        self.stride = int(stride)

    def clear(self) -> None:
        self._n = 0
        self.stride = 1
