"""Saving a run's whole state and continuing from it, exactly.

``export_state`` gives everything that decides how a run goes on, as arrays and
JSON-able values; ``restore_state`` puts it into a trainer of the same config.
The file format around them is io/session_files.py.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from ..i18n import _
from .state import EpochResult
from .trainer import Trainer

__all__ = ["export_state", "restore_state"]


def export_state(trainer: Trainer) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Everything that decides how the run goes on, as arrays and JSON-able values:
    the weights, batch-norm statistics, the optimizer's moments, the shuffle and
    dropout streams, the epoch in progress, the histories and the last good state."""
    net = trainer.network
    arrays: dict[str, np.ndarray] = {"params": net.params.copy(), "good_params": trainer.good.params.copy()}
    for k, (m, v) in enumerate(zip(net.running_mean, net.running_var)):
        arrays[f"bn_mean{k}"], arrays[f"bn_var{k}"] = m.copy(), v.copy()
    for k, stat in enumerate(trainer.good.stats):
        arrays[f"good_stat{k}"] = stat.copy()
    moments, t = trainer.optimizer.state() if trainer.optimizer is not None else ({}, 0)
    arrays.update({f"moment_{name}": value for name, value in moments.items()})
    steps_arrays, steps_meta = trainer.steps.export()
    arrays.update(steps_arrays)
    for name, hist in (("history", trainer.history), ("layer_history", trainer.layer_history)):
        arrays[name], stride = hist.export()
        steps_meta[f"{name}_stride"] = stride
    meta = {
        "epoch": trainer.epoch, "message": trainer.message, "last": list(dataclasses.astuple(trainer.last)),
        "explosion_loss": trainer.explosion_loss, "good_epoch": trainer.good.epoch, "optimizer_t": t,
        "dropout_rng": net.dropout_rng.bit_generator.state, "steps": steps_meta,
    }
    return arrays, meta


def restore_state(trainer: Trainer, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
    """Continue exactly where ``export_state`` was taken (on a trainer of the same config)."""
    net = trainer.network
    np.copyto(net.params, _fitting(arrays["params"], net.params, "params"))
    np.copyto(trainer.good.params, _fitting(arrays["good_params"], net.params, "good_params"))
    for k, (m, v) in enumerate(zip(net.running_mean, net.running_var)):
        np.copyto(m, _fitting(arrays[f"bn_mean{k}"], m, "bn_mean"))
        np.copyto(v, _fitting(arrays[f"bn_var{k}"], v, "bn_var"))
    for k, stat in enumerate(trainer.good.stats):
        np.copyto(stat, _fitting(arrays[f"good_stat{k}"], stat, "good_stat"))
    if trainer.optimizer is not None:
        moments = {m: _fitting(arrays[f"moment_{m}"], net.params, m) for m in trainer.optimizer.moments}
        trainer.optimizer.load_state(moments, int(meta["optimizer_t"]))
    steps_meta = meta["steps"]
    trainer.steps.restore(arrays, steps_meta)
    trainer.history.restore(arrays["history"], int(steps_meta["history_stride"]))
    trainer.layer_history.restore(arrays["layer_history"], int(steps_meta["layer_history_stride"]))
    net.dropout_rng.bit_generator.state = meta["dropout_rng"]
    trainer.epoch = int(meta["epoch"])
    trainer.message = str(meta["message"])
    epoch, *figures = meta["last"]
    trainer.last = EpochResult(int(epoch), *(float(v) for v in figures))
    trainer.explosion_loss = float(meta["explosion_loss"])
    trainer.good.epoch = int(meta["good_epoch"])


def _fitting(saved: np.ndarray, like: np.ndarray, name: str) -> np.ndarray:
    if saved.shape != like.shape:
        raise ValueError(_("{name} has shape {shape}, this run needs {needed}").format(
            name=name, shape=saved.shape, needed=like.shape))
    return saved
