"""Session files: a whole run, to continue exactly where it stopped.

An ``.npz`` archive (no pickles) holding the weights, batch-norm statistics,
the optimizer's moments, the epoch in progress, the histories and the last
good state as arrays, plus ``session`` (JSON text: the format version, the
config as TOML, the shuffle and dropout random streams and the counters).
K epochs, save, resume, N - K more epochs give the same weights and figures,
bit for bit, as N epochs in one go.

A CSV data set is read again from its file when a session is resumed; a
digest of the data stored in the session says whether it is still the same.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from ..config import Config, ConfigError
from ..data import Dataset
from ..i18n import _
from ..rules import printable
from ..training.resume import export_state, restore_state
from ..training.trainer import Trainer
from .files import BadFile, read_npz, write_atomic

__all__ = ["FORMAT", "SessionFileError", "SessionSummary", "autosave_path", "load_session", "save_session", "session_writer",
           "session_summary"]

FORMAT = 1  # the version this code writes; a newer one is refused by name
KIND = "tui-nn session"


class SessionFileError(BadFile):
    """A session file that cannot be read or resumed."""


def data_digest(ds: Dataset) -> str:
    h = hashlib.sha256()
    for a in (ds.X_train, ds.y_train, ds.X_test, ds.y_test):
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


def save_session(path: str | Path, trainer: Trainer, extra: dict[str, Any] | None = None) -> Path:
    """Write ``trainer``'s whole state beside ``path`` and rename it there."""
    return write_atomic(path, session_writer(trainer, extra))


def session_writer(trainer: Trainer, extra: dict[str, Any] | None = None) -> Callable[[BinaryIO], object]:
    """What writes ``trainer``'s whole state to a file object (taken now)."""
    arrays, meta = export_state(trainer)
    doc = {
        "kind": KIND, "format": FORMAT, "config": trainer.config.to_toml(),
        "data_digest": data_digest(trainer.dataset), "state": meta, "extra": extra or {},
    }
    files: dict[str, Any] = dict(arrays)
    files["session"] = np.array(json.dumps(doc))
    return lambda fh: np.savez(fh, **files)


def load_session(path: str | Path, *, track_layers: bool = True) -> tuple[Trainer, dict[str, Any]]:
    """(a trainer where the saved one stopped, the extra values saved with it)."""
    shown = printable(str(path))
    try:
        arrays = read_npz(path, _("tui-nn session file"))
    except BadFile as exc:
        raise SessionFileError(str(exc)) from None
    doc = _document(arrays.pop("session", None), shown)
    try:
        config = Config.from_toml(str(doc["config"]), source=_("{file} config").format(file=shown))
        trainer = Trainer(config, track_layers=track_layers)
    except ConfigError as exc:
        raise SessionFileError(str(exc)) from None
    if data_digest(trainer.dataset) != doc.get("data_digest"):
        raise SessionFileError(
            _("{file}: the data is not what the session was trained on (its CSV file changed?)").format(file=shown)
        )
    try:
        restore_state(trainer, arrays, doc["state"])
    except (KeyError, ValueError, TypeError) as exc:
        raise SessionFileError(_("{file}: does not fit its own settings ({error})").format(
            file=shown, error=printable(str(exc))[:80])) from None
    extra = doc.get("extra")
    return trainer, extra if isinstance(extra, dict) else {}


def _document(text: np.ndarray | None, shown: str) -> dict[str, Any]:
    if text is None or text.ndim != 0 or text.dtype.kind != "U":
        raise SessionFileError(_("{file} is not a tui-nn session file (no session record)").format(file=shown))
    try:
        doc = json.loads(str(text))
    except (ValueError, RecursionError):
        raise SessionFileError(_("{file}: its session record is not valid JSON").format(file=shown)) from None
    if not isinstance(doc, dict) or doc.get("kind") != KIND:
        raise SessionFileError(_("{file} is not a tui-nn session file").format(file=shown))
    version = doc.get("format")
    if not isinstance(version, int) or version < 1:
        raise SessionFileError(_("{file}: unknown session format {version}").format(
            file=shown, version=printable(str(version))[:20]))
    if version > FORMAT:
        raise SessionFileError(_(
            "{file} was written by a newer tui-nn (session format {version}; this one reads up to {newest}): "
            "upgrade tui-nn to resume it"
        ).format(file=shown, version=version, newest=FORMAT))
    if not isinstance(doc.get("state"), dict) or not isinstance(doc.get("config"), str):
        raise SessionFileError(_("{file}: its session record is incomplete").format(file=shown))
    return doc


@dataclass(frozen=True)
class SessionSummary:
    """What the app says about a saved session before resuming it."""

    path: Path
    config: Config
    epoch: int
    age_seconds: float


def session_summary(path: str | Path) -> SessionSummary:
    """The settings and epoch of a session file; SessionFileError if it cannot be resumed."""
    shown = printable(str(path))
    try:
        arrays = read_npz(path, _("tui-nn session file"))
    except BadFile as exc:
        raise SessionFileError(str(exc)) from None
    doc = _document(arrays.get("session"), shown)
    try:
        config = Config.from_toml(str(doc["config"]), source=_("{file} config").format(file=shown))
        epoch = int(doc["state"]["epoch"])
    except (ConfigError, KeyError, TypeError, ValueError) as exc:
        raise SessionFileError(f"{shown}: {printable(str(exc))[:80]}") from None
    return SessionSummary(Path(path), config, epoch, max(time.time() - os.stat(path).st_mtime, 0.0))


def autosave_path() -> Path:
    """Where the app autosaves: the user's data directory ($XDG_DATA_HOME/tui-nn)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "tui-nn" / "autosave.npz"
