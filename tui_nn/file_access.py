"""Which files of this machine a run may read and write.

In a terminal: any the user names (it is their own machine and account). When
the playground is served to browsers (``tui-nn serve``), the person at the keys
is not the server's owner, so nothing they type may name a server path: every
save becomes a download in their browser, and files are read only from the
folder the teacher named (``tui-nn serve --files DIR``), if any.

The choice lives in the environment (``TUI_NN_SERVED``, ``TUI_NN_FILES``), not in
a module variable, because a served app starts its trainers both by fork and by
spawn: every child inherits the environment, and a spawned child's modules are
fresh. Every reader and writer of user-named files calls ``readable`` or
``check_writable`` first (CSV data, presets, models, sessions, exports); the
test that drives the served app with hostile paths watches every ``open`` the
process makes (an audit hook), so a reader that forgets is caught.
"""

from __future__ import annotations

import os
from pathlib import Path

from .i18n import _
from .rules import ConfigError, printable

__all__ = ["FILES_VAR", "SERVED_VAR", "PathRefused", "check_writable", "confine", "folder", "readable", "served"]

SERVED_VAR = "TUI_NN_SERVED"
FILES_VAR = "TUI_NN_FILES"


class PathRefused(ConfigError):
    """A served app was asked for a server path it may not touch."""


def confine(files: str | Path | None) -> None:
    """From now on (in this process and every child it starts): served mode,
    reading only inside ``files`` (None: no server file at all)."""
    os.environ[SERVED_VAR] = "1"
    if files is None:
        os.environ.pop(FILES_VAR, None)
    else:
        os.environ[FILES_VAR] = str(Path(files).resolve())


def served() -> bool:
    return os.environ.get(SERVED_VAR) == "1"


def folder() -> Path | None:
    """The teacher's folder, when served with one."""
    value = os.environ.get(FILES_VAR, "") if served() else ""
    return Path(value) if value else None


def readable(path: str | Path, what: str) -> Path:
    """The file to open for ``path`` (``what`` names it in a refusal): as given in a
    terminal; when served, resolved inside the teacher's folder (relative names are
    taken from there), or ``PathRefused``."""
    if not served():
        return Path(path).expanduser()
    shown = printable(str(path))
    base = folder()
    if base is None:
        raise PathRefused(_(
            "{what} {path}: in the browser tui-nn reads no file of the server; the built-in presets and "
            "data sets are all there is (a teacher can offer files with tui-nn serve --files DIR)").format(
            what=what, path=shown))
    resolved = (base / path).resolve()  # an absolute ``path`` replaces ``base``; symlinks are followed
    if not resolved.is_relative_to(base):
        raise PathRefused(_(
            "{what} {path}: in the browser only files in the teacher's folder can be read: give a name "
            "inside it, such as {example}").format(what=what, path=shown, example=_example(base)))
    return resolved


def check_writable(path: str | Path) -> None:
    """Served: no server file is ever written from the browser (saves are downloads)."""
    if served():
        raise PathRefused(_("{path}: in the browser files are saved as downloads, never on the server").format(
            path=printable(str(path))))


def _example(base: Path) -> str:
    try:
        names = sorted(p.name for p in base.iterdir() if p.is_file() and not p.name.startswith("."))
    except OSError:
        names = []
    return names[0] if names else "data.csv"
