"""Model files: ``.npz`` with arrays W0, b0, W1, b1, ... (W is fan_in x fan_out),
batch-norm parameters when used, ``epoch``, and ``config`` holding the run's
config as TOML text, so a model file alone says how it was made.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from .config import Config, ConfigError
from .training.trainer import Trainer

__all__ = ["ModelFileError", "load_model", "save_model"]


class ModelFileError(ValueError):
    """A model file that cannot be read or does not fit the network."""


def save_model(path: str | Path, trainer: Trainer) -> Path:
    path = Path(path)
    arrays = trainer.network.state_arrays()
    arrays["config"] = np.array(trainer.config.to_toml())
    arrays["epoch"] = np.array(trainer.epoch)
    with open(path, "wb") as fh:  # np.savez would append .npz to other names
        np.savez(fh, **arrays)
    return path


def load_model(path: str | Path) -> tuple[Config, dict[str, np.ndarray], int]:
    """(config stored in the file, arrays, epoch)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
    except FileNotFoundError:
        raise ModelFileError(f"model file {path} does not exist") from None
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise ModelFileError(f"model file {path} is not a readable .npz: {exc}") from None
    if "config" not in arrays or "W0" not in arrays:
        raise ModelFileError(f"model file {path} has no config or no W0: not a tui-nn model")
    try:
        config = Config.from_toml(str(arrays.pop("config")), source=f"{path} config")
    except ConfigError as exc:
        raise ModelFileError(str(exc)) from None
    epoch = int(arrays.pop("epoch", 0))
    return config, arrays, epoch


def apply_model(trainer: Trainer, arrays: dict[str, np.ndarray], epoch: int, source: str) -> None:
    """Put a model file's weights into ``trainer`` (shapes must match its network)."""
    try:
        trainer.network.load_state_arrays(arrays)
    except (KeyError, ValueError) as exc:
        raise ModelFileError(f"{source}: does not fit this network: {exc}") from None
    trainer.epoch = epoch
    trainer._keep_good()
    trainer.history.clear()
    trainer.last = trainer._evaluate()
    trainer._record(trainer.last)
