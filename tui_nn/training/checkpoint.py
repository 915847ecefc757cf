"""The last good state of a run, to go back to when training diverges."""

from __future__ import annotations

import numpy as np

from ..engine.network import Network

__all__ = ["Checkpoint"]


class Checkpoint:
    """A copy of a network's parameters and batch-norm statistics, and its epoch."""

    def __init__(self, network: Network) -> None:
        self.network = network
        self.params = network.params.copy()
        self.stats = [a.copy() for a in self._live_stats()]
        self.epoch = 0

    def _live_stats(self) -> list[np.ndarray]:
        return [*self.network.running_mean, *self.network.running_var]

    def keep(self, epoch: int) -> None:
        np.copyto(self.params, self.network.params)
        for dst, src in zip(self.stats, self._live_stats()):
            np.copyto(dst, src)
        self.epoch = epoch

    def restore(self) -> int:
        """Put the kept state back into the network; returns its epoch."""
        np.copyto(self.network.params, self.params)
        for dst, src in zip(self._live_stats(), self.stats):
            np.copyto(dst, src)
        return self.epoch
