"""Model files: ``.npz`` with arrays W0, b0, W1, b1, ... (W is fan_in x fan_out),
batch-norm parameters when used, ``epoch``, and ``config`` holding the run's
config as TOML text, so a model file alone says how it was made.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from ..config import Config, ConfigError
from ..training.trainer import Trainer

__all__ = ["ModelFileError", "load_model", "save_model"]


class ModelFileError(ValueError):
    """A model file that cannot be read or does not fit the network."""


def save_model(path: str | Path, trainer: Trainer) -> Path:
    path = Path(path)
    arrays: dict[str, Any] = trainer.network.state_arrays()
    arrays["config"] = np.array(trainer.config.to_toml())
    arrays["epoch"] = np.array(trainer.epoch)
    with open(path, "wb") as fh:  # np.savez would append .npz to other names
        np.savez(fh, **arrays)
    return path


def load_model(path: str | Path) -> tuple[Config, dict[str, np.ndarray], int]:
    """(config stored in the file, arrays, epoch); ModelFileError if unusable."""
    not_model = f"{path} is not a tui-nn model file (.npz with W0, b0, ..., config)"
    try:
        data = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise ModelFileError(f"model file {path} does not exist") from None
    except (OSError, ValueError, EOFError, zipfile.BadZipFile):
        raise ModelFileError(not_model) from None
    if not isinstance(data, np.lib.npyio.NpzFile):
        raise ModelFileError(not_model)
    try:
        with data:
            arrays = {k: data[k] for k in data.files}
    except (OSError, ValueError, zipfile.BadZipFile):
        raise ModelFileError(not_model) from None
    if "config" not in arrays or "W0" not in arrays:
        raise ModelFileError(not_model)
    try:
        config = Config.from_toml(str(arrays.pop("config")), source=f"{path} config")
    except ConfigError as exc:
        raise ModelFileError(str(exc)) from None
    epoch_arr = arrays.pop("epoch", np.array(0))
    if epoch_arr.ndim != 0 or not np.issubdtype(epoch_arr.dtype, np.integer) or int(epoch_arr) < 0:
        raise ModelFileError(f"{path}: epoch must be a whole number >= 0")
    for name, arr in arrays.items():
        want = 2 if name.startswith("W") else 1
        if arr.ndim != want or not np.issubdtype(arr.dtype, np.number):
            raise ModelFileError(f"{path}: {name} must be a {want}-D array of numbers")
        if not np.all(np.isfinite(arr)):
            raise ModelFileError(f"{path}: {name} holds NaN or infinite values")
    return config, arrays, int(epoch_arr)


def apply_model(trainer: Trainer, arrays: dict[str, np.ndarray], epoch: int, source: str) -> None:
    """Put a model file's weights into ``trainer`` (shapes must match its network)."""
    try:
        trainer.network.load_state_arrays(arrays)
    except (KeyError, ValueError) as exc:
        raise ModelFileError(f"{source}: does not fit this network: {exc}") from None
    trainer.restart_from(epoch)
