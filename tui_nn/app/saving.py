"""The playground's file commands: save the set-up as a preset, save the
model, export the data, save a screenshot. Each asks for a path first."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from textual.app import App

from ..config import Config
from ..session.protocol import Command, ExportData, SaveModel
from .dialogs.path_dialog import PathDialog

__all__ = ["SaveActions"]


class SaveActions(App[None]):
    """Actions of the app that write files (the palette lists them)."""

    config: Config

    def _send(self, command: Command) -> None:
        raise NotImplementedError

    def _ask_path(self, title: str, default: str, then: Callable[[str], None]) -> None:
        def done(path: str | None) -> None:
            if path:
                then(str(Path(path).expanduser()))

        self.push_screen(PathDialog(title, default), done)

    def action_save_preset(self) -> None:
        def save(path: str) -> None:
            config = replace(self.config, name=Path(path).stem,
                             description=self.config.description or f"Saved from tui-nn ({self.config.name})")
            try:
                Path(path).write_text(config.to_toml(), encoding="utf-8")
            except OSError as exc:
                self.notify(f"Cannot write {path}: {exc.strerror}", severity="error")
                return
            self.notify(f"Preset saved to {path}: open it with `tui-nn {path}`")

        self._ask_path("Save the set-up as a preset (TOML):", f"{self.config.name}-mine.toml", save)

    def action_save_model(self) -> None:
        self._ask_path("Save the model (.npz):", f"{self.config.name}.npz",
                       lambda path: self._send(SaveModel(path)))

    def action_export_data(self) -> None:
        self._ask_path("Export the data (CSV):", f"{self.config.name}-data.csv",
                       lambda path: self._send(ExportData(path)))

    def action_save_screenshot(self) -> None:
        def save(path: str) -> None:
            p = Path(path)
            try:
                saved = self.save_screenshot(filename=p.name, path=str(p.parent or "."))
            except OSError as exc:
                self.notify(f"Cannot write {path}: {exc.strerror}", severity="error")
                return
            self.notify(f"Screenshot saved to {saved}")

        self._ask_path("Save a screenshot (SVG):", f"{self.config.name}.svg", save)
