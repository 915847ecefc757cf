"""Finding and loading presets: TOML files that reproduce a lesson.

Built-in presets live in the top-level ``presets/`` folder of a checkout; a
wheel carries the same files as ``tui_nn/presets`` (see pyproject.toml), so
they are found after ``pip install .`` from any working directory.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..config import Config, ConfigError
from ..data import DataError
from ..file_access import folder, readable, served
from ..i18n import _

__all__ = ["DEFAULT_PRESET", "PresetInfo", "folder_presets", "list_presets", "load_preset", "preset_dir"]

DEFAULT_PRESET = "spiral"


def preset_dir() -> Path:
    package = Path(__file__).resolve().parent.parent
    installed = package / "presets"
    return installed if installed.is_dir() else package.parent / "presets"


@dataclass(frozen=True)
class PresetInfo:
    name: str
    description: str
    path: Path


def list_presets() -> list[PresetInfo]:
    """Built-in presets, sorted by name, with their one-line descriptions."""
    return _presets_in(preset_dir())


def folder_presets() -> list[PresetInfo]:
    """Served with a teacher's folder: the presets in it (none otherwise)."""
    base = folder()
    return _presets_in(base) if base is not None else []


def _presets_in(directory: Path) -> list[PresetInfo]:
    out = []
    for path in sorted(directory.glob("*.toml")):
        try:
            doc = tomllib.loads(path.read_text(encoding="utf-8"))
            description = str(doc.get("description", "")).strip().splitlines()[0:1]
        except (OSError, tomllib.TOMLDecodeError):
            description = [_("(unreadable)")]
        out.append(PresetInfo(path.stem, description[0] if description else "", path))
    return out


def resolve_preset(name_or_path: str) -> Path:
    """A preset's file: a path to a .toml file, or the name of a built-in one."""
    path_like = name_or_path.endswith(".toml") or "/" in name_or_path
    if not path_like and not served():
        path_like = Path(name_or_path).expanduser().is_file()  # a file named without .toml
    if path_like:
        candidate = readable(name_or_path, _("preset"))  # served: the teacher's folder only
        if not candidate.is_file():
            raise ConfigError(_("preset file {file} does not exist").format(file=name_or_path))
        return candidate
    builtin = preset_dir() / f"{name_or_path}.toml"
    if not builtin.is_file():
        names = ", ".join(p.name for p in list_presets())
        raise ConfigError(_("no preset named {name}: built-in presets are {names}").format(
            name=repr(name_or_path), names=names))
    return builtin


def load_preset(name_or_path: str = DEFAULT_PRESET) -> Config:
    """Load and validate a preset; raises ConfigError with a one-line message."""
    path = resolve_preset(name_or_path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(_("cannot read preset {file}: {error}").format(
            file=path, error=exc.__class__.__name__)) from None
    try:
        cfg = Config.from_toml(text, source=str(path.name))
    except DataError as exc:
        raise ConfigError(f"{path.name}: {exc}") from None
    if cfg.name == "untitled":
        from dataclasses import replace

        cfg = replace(cfg, name=path.stem)
    return cfg
