"""Batch normalisation of each hidden layer's pre-activations (Ioffe & Szegedy 2015).

Per hidden layer k: ``zn = gamma * (z - mean) / sqrt(var + eps) + beta``,
with the batch's statistics while training and the running averages when
evaluating. gamma and beta are views into the network's flat parameter
vector (after the dense layers), their gradients views into its gradient.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["BN_EPS", "BN_MOMENTUM", "BatchNorm"]

BN_EPS = 1e-5
BN_MOMENTUM = 0.9  # running = 0.9 * running + 0.1 * batch


class BatchNorm:
    def __init__(self, widths: Sequence[int], params: np.ndarray, grad: np.ndarray, offset: int) -> None:
        """``widths``: the hidden layers' sizes; their parameters start at ``offset``."""
        self.gamma: list[np.ndarray] = []
        self.beta: list[np.ndarray] = []
        self.ggamma: list[np.ndarray] = []
        self.gbeta: list[np.ndarray] = []
        self.running_mean: list[np.ndarray] = []
        self.running_var: list[np.ndarray] = []
        off = offset
        for h in widths:
            self.gamma.append(params[off : off + h])
            self.ggamma.append(grad[off : off + h])
            self.beta.append(params[off + h : off + 2 * h])
            self.gbeta.append(grad[off + h : off + 2 * h])
            off += 2 * h
            self.running_mean.append(np.zeros(h))
            self.running_var.append(np.ones(h))

    @staticmethod
    def size(widths: Sequence[int]) -> int:
        """Parameters it needs: a gamma and a beta per hidden neuron."""
        return 2 * sum(widths)

    def reset(self) -> None:
        for g, bt, m, v in zip(self.gamma, self.beta, self.running_mean, self.running_var):
            g.fill(1.0)
            bt.fill(0.0)
            m.fill(0.0)
            v.fill(1.0)

    def forward(self, k: int, z: np.ndarray, zn: np.ndarray, xhat: np.ndarray, inv: np.ndarray, train: bool) -> None:
        """Normalise ``z`` into ``zn``; keeps x-hat and 1/std for the backward pass."""
        if train:
            mean = z.mean(axis=0)
            var = z.var(axis=0)
            rm, rv = self.running_mean[k], self.running_var[k]
            rm *= BN_MOMENTUM
            rm += (1.0 - BN_MOMENTUM) * mean
            rv *= BN_MOMENTUM
            rv += (1.0 - BN_MOMENTUM) * var
        else:
            mean, var = self.running_mean[k], self.running_var[k]
        np.add(var, BN_EPS, out=inv)
        np.sqrt(inv, out=inv)
        np.divide(1.0, inv, out=inv)
        np.subtract(z, mean, out=xhat)
        xhat *= inv
        np.multiply(xhat, self.gamma[k], out=zn)
        zn += self.beta[k]

    def backward(self, k: int, dy: np.ndarray, xhat: np.ndarray, inv: np.ndarray, train: bool) -> None:
        """Turn dLoss/d(bn output) in ``dy`` into dLoss/dz, in place; fills gamma's and beta's gradients."""
        n = dy.shape[0]
        np.einsum("ij,ij->j", dy, xhat, out=self.ggamma[k])
        np.sum(dy, axis=0, out=self.gbeta[k])
        if not train:
            # Running statistics are constants: batch norm is then affine.
            dy *= self.gamma[k] * inv
            return
        # dxhat = dy * gamma; dz = inv/n * (n dxhat - sum dxhat - xhat sum(dxhat xhat))
        dy *= self.gamma[k]
        s1 = dy.sum(axis=0)
        s2 = np.einsum("ij,ij->j", dy, xhat)
        dy *= n
        dy -= s1
        dy -= xhat * s2
        dy *= inv / n

    def evaluate(self, k: int, z: np.ndarray, dtype: type[np.floating[Any]]) -> None:
        """Normalise ``z`` in place with the running statistics, in ``dtype`` (pictures)."""
        inv = (1.0 / np.sqrt(self.running_var[k] + BN_EPS)).astype(dtype)
        z -= self.running_mean[k].astype(dtype)
        z *= inv * self.gamma[k].astype(dtype)
        z += self.beta[k].astype(dtype)

    def state_arrays(self) -> dict[str, np.ndarray]:
        arrays: dict[str, np.ndarray] = {}
        for k in range(len(self.gamma)):
            for name, values in self._named(k):
                arrays[f"{name}{k}"] = values.copy()
        return arrays

    def load_state_arrays(self, arrays: dict[str, np.ndarray]) -> None:
        for k in range(len(self.gamma)):
            for name, dst in self._named(k):
                key = f"{name}{k}"
                if key not in arrays:
                    raise ValueError(f"model file: {key} is missing (batch norm is on)")
                dst[:] = arrays[key]

    def _named(self, k: int) -> tuple[tuple[str, np.ndarray], ...]:
        return (
            ("bn_gamma", self.gamma[k]),
            ("bn_beta", self.beta[k]),
            ("bn_mean", self.running_mean[k]),
            ("bn_var", self.running_var[k]),
        )
