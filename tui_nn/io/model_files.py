"""Model files: ``.npz`` with arrays W0, b0, W1, b1, ... (W is fan_in x fan_out),
batch-norm parameters when used, ``epoch``, and ``config`` holding the run's
config as TOML text, so a model file alone says how it was made.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from ..config import Config, ConfigError
from ..i18n import _
from ..rules import printable
from ..training.trainer import Trainer
from .files import BadFile, read_npz, write_atomic

__all__ = ["ModelFileError", "load_model", "model_writer", "save_model"]


class ModelFileError(BadFile):
    """A model file that cannot be read or does not fit the network."""


def save_model(path: str | Path, trainer: Trainer) -> Path:
    """Write the model beside ``path`` and rename it there (never a half-written file)."""
    return write_atomic(path, model_writer(trainer))


def model_writer(trainer: Trainer) -> Callable[[BinaryIO], object]:
    """What writes the model (its weights now) to a file object."""
    arrays: dict[str, Any] = trainer.network.state_arrays()
    arrays["config"] = np.array(trainer.config.to_toml())
    arrays["epoch"] = np.array(trainer.epoch)
    # np.savez on a file object: a path would have .npz appended to other names.
    return lambda fh: np.savez(fh, **arrays)


def load_model(path: str | Path) -> tuple[Config, dict[str, np.ndarray], int]:
    """(config stored in the file, arrays, epoch); ModelFileError if unusable."""
    shown = printable(str(path))
    try:
        arrays = read_npz(path, _("tui-nn model file"))
    except BadFile as exc:
        raise ModelFileError(str(exc)) from None
    if "config" not in arrays or "W0" not in arrays:
        raise ModelFileError(_("{file} is not a tui-nn model file (.npz with W0, b0, ..., config)").format(file=shown))
    config_text = arrays.pop("config")
    if config_text.ndim != 0 or config_text.dtype.kind != "U":
        raise ModelFileError(_("{file}: config must be the run's settings as TOML text").format(file=shown))
    try:
        config = Config.from_toml(str(config_text), source=_("{file} config").format(file=shown))
    except ConfigError as exc:
        raise ModelFileError(str(exc)) from None
    epoch_arr = arrays.pop("epoch", np.array(0))
    if epoch_arr.ndim != 0 or not np.issubdtype(epoch_arr.dtype, np.integer) or int(epoch_arr) < 0:
        raise ModelFileError(_("{file}: epoch must be a whole number >= 0").format(file=shown))
    for name, arr in arrays.items():
        want = 2 if name.startswith("W") else 1
        if arr.ndim != want or not np.issubdtype(arr.dtype, np.number) or arr.dtype.kind == "U":
            raise ModelFileError(_("{file}: {name} must be a {dims}-D array of numbers").format(
                file=shown, name=printable(name), dims=want))
        if not np.all(np.isfinite(arr)):
            raise ModelFileError(_("{file}: {name} holds NaN or infinite values").format(
                file=shown, name=printable(name)))
    return config, arrays, int(epoch_arr)


def apply_model(trainer: Trainer, arrays: dict[str, np.ndarray], epoch: int, source: str) -> None:
    """Put a model file's weights into ``trainer`` (shapes must match its network)."""
    try:
        trainer.network.load_state_arrays(arrays)
    except (KeyError, ValueError) as exc:
        raise ModelFileError(_("{file}: does not fit this network: {error}").format(file=source, error=exc)) from None
    trainer.restart_from(epoch)
