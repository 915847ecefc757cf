"""The mini-batch steps of an epoch: the shuffle, each batch's forward and
backward pass, the weight penalty and the update.

An epoch can be taken whole (``run_epoch``) or one mini-batch at a time
(``run``), so a learner can watch what a single SGD update does; an epoch
begun by single steps is finished by the next whole one.

L1 works as TensorFlow Playground's does: the data gradient goes through the
optimizer, then each weight is shrunk by ``lr * rate * sign(w)``; a weight
the shrinking carries across zero becomes exactly 0 and stays there while L1
is on (a dead link). That is what makes L1 give sparse networks, which is its
lesson. (For SGD this is TF Playground's update to the letter.)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..engine.network import Network
from ..engine.optimizers import Optimizer
from ..i18n import _
from .fast_epoch import FastBatches
from .perceptron import perceptron_epoch

__all__ = ["Steps"]


class Steps:
    def __init__(self, network: Network, xa_train: np.ndarray, Y_train: np.ndarray,
                 shuffle_rng: np.random.Generator, fast: FastBatches | None = None) -> None:
        self.network = network
        # The compiled path for this run's batches (fast_epoch.py), or None for NumPy's.
        self.fast = fast
        self._xa, self._Y = xa_train, Y_train
        self._rng = shuffle_rng
        self._n = len(xa_train)
        # Shuffled copies, refilled once per epoch; batches are views of these.
        self._xs = np.array(xa_train)
        self._ys = np.array(Y_train)
        self.starts: range = range(0)
        self.position = 0  # the next batch of the epoch in progress
        # Weights L1 has carried across zero: held at exactly 0 from then on.
        self.dead = np.zeros(network.n_params, dtype=bool)
        self._any_dead = False
        self._tmp = np.empty_like(network.params)
        self._before = np.empty_like(network.params)

    def export(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """Arrays and plain values that let a saved session continue mid-epoch, exactly."""
        arrays = {"steps_xs": self._xs.copy(), "steps_ys": self._ys.copy(), "steps_dead": self.dead.copy()}
        meta: dict[str, Any] = {"position": self.position, "batch": self.starts.step if len(self.starts) else 0,
                "last_start": self.starts[-1] if len(self.starts) else 0,
                "shuffle_rng": self._rng.bit_generator.state}
        return arrays, meta

    def restore(self, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
        for name, dst in (("steps_xs", self._xs), ("steps_ys", self._ys), ("steps_dead", self.dead)):
            if arrays[name].shape != dst.shape:
                raise ValueError(_("{name} does not fit this run").format(name=name))
            np.copyto(dst, arrays[name])
        self._any_dead = bool(self.dead.any())
        self._rng.bit_generator.state = meta["shuffle_rng"]
        batch, last_start = int(meta["batch"]), int(meta["last_start"])
        self.starts = range(0, last_start + 1, batch) if batch else range(0)
        self.position = int(meta["position"])

    @property
    def in_epoch(self) -> bool:
        """True between the first and the last mini-batch of an epoch."""
        return self.position > 0

    def begin(self, batch_size: int, reshuffle: bool) -> None:
        """Start an epoch: shuffle the training rows (or keep their order) and cut the batches."""
        if reshuffle:
            perm = self._rng.permutation(self._n)
            np.take(self._xa, perm, axis=0, out=self._xs)
            np.take(self._Y, perm, axis=0, out=self._ys)
        n = self._n
        starts = range(0, n, batch_size)
        if self.network.batch_norm and n % batch_size == 1 and n > batch_size:
            # Batch statistics of one sample are zero: fold it into the batch before.
            starts = range(0, n - 1, batch_size)
        self.starts = starts
        self.position = 0

    def run(self, count: int, optimizer: Optimizer | None, lr: float, reg: str, rate: float) -> bool:
        """Take up to ``count`` more mini-batches of the epoch; True when it is complete.

        ``optimizer`` None is Rosenblatt's perceptron rule: one sample a step.
        """
        if self._any_dead and not (reg == "l1" and rate > 0.0):
            # Without L1 nothing holds a dead link at zero: it may grow again.
            self.dead[:] = False
            self._any_dead = False
        first = self.position
        last = min(first + count, len(self.starts))
        with np.errstate(all="ignore"):
            if optimizer is None:
                self._perceptron(first, last, lr)
            else:
                self._gradient(first, last, optimizer, reg, rate)
        self.position = last if last < len(self.starts) else 0
        return self.position == 0

    def _bounds(self, i: int) -> tuple[int, int]:
        starts = self.starts
        lo = starts[i]
        return lo, (self._n if i == len(starts) - 1 else lo + starts.step)

    def _perceptron(self, first: int, last: int, lr: float) -> None:
        lo, _end = self._bounds(first)
        _start, hi = self._bounds(last - 1)
        perceptron_epoch(self.network, self._xs[lo:hi], self._ys[lo:hi], lr)

    def _gradient(self, first: int, last: int, optimizer: Optimizer, reg: str, rate: float) -> None:
        net = self.network
        if self.fast is not None and not self.fast.ready():
            self.fast = None  # no kernels on this machine: the run is NumPy's from here, its first batch
        if self.fast is not None and not net.freeze_dropout:
            self._any_dead = self.fast.run(self._xs, self._ys, self.starts[first:last], self.starts,
                                           optimizer, reg, rate, self.dead, self._any_dead)
            return
        xs, ys, n = self._xs, self._ys, self._n
        step = optimizer.step
        params, grad = net.params, net.grad
        train_batch = net.train_batch
        l2 = reg == "l2" and rate > 0.0
        l1 = reg == "l1" and rate > 0.0
        mask, tmp = net.penalty_mask, self._tmp
        starts = self.starts
        width = starts.step
        last_start = starts[-1] if len(starts) else 0
        for lo in starts[first:last]:
            hi = n if lo == last_start else lo + width
            train_batch(xs[lo:hi], ys[lo:hi])
            if l2:
                # + rate * w on the weights (biases masked out), through the optimizer.
                np.multiply(params, mask, out=tmp)
                tmp *= rate
                grad += tmp
            if l1:
                np.sign(params, out=tmp)  # the shrink's direction, at the old weights
                tmp *= mask
            step(params, grad)
            if l1:
                self._shrink(optimizer.lr * rate)

    def _shrink(self, amount: float) -> None:
        """TF Playground's L1: shrink each weight; one that crosses zero is dead."""
        params, tmp, before = self.network.params, self._tmp, self._before
        np.copyto(before, params)
        tmp *= amount
        params -= tmp
        crossed = before * params < 0.0
        if crossed.any():
            self.dead |= crossed
            self._any_dead = True
        if self._any_dead:
            params[self.dead] = 0.0
