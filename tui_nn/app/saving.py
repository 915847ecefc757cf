"""The playground's file commands: save the set-up as a preset, save the
model, export the data, save a screenshot. Each asks for a path first.

Every file is written beside its target and renamed over it, so a failed
save (a full disk) leaves the old file whole; the suggested names are made
from the preset's name with anything but letters, digits, - and _ removed, so
a preset cannot point a save outside the working directory.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from textual.app import App
from textual.notifications import SeverityLevel

from ..config import Config
from ..i18n import _
from ..io.files import write_text_atomic
from ..rules import printable
from ..session.protocol import Command, ExportData, ResumeSession, SaveModel, SaveSession
from ..session.process import SessionProcess
from ..training.snapshot import Snapshot
from .dialogs.choice import ChoiceDialog
from .dialogs.path_dialog import PathDialog

__all__ = ["SaveActions", "safe_stem"]


def safe_stem(name: str) -> str:
    """A file name stem from a preset's name: no directories, no dots, no escapes."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")[:40]
    return stem or "untitled"


class SaveActions(App[None]):
    """Actions of the app that write files (the palette lists them), and the quit
    that offers to save the session first."""

    config: Config
    snapshot: Snapshot | None
    session: SessionProcess | None
    autosave: tuple[Path, float] | None

    def _stop_session(self, exiting: bool = True, timeout: float = 2.0) -> None:
        raise NotImplementedError

    def _send(self, command: Command) -> None:
        raise NotImplementedError

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        # Messages carry file names and settings ("[data]"): shown as text, one line.
        super().notify(printable(message), title=title, severity=severity, timeout=timeout, markup=markup)

    def _ask_path(self, title: str, default: str, then: Callable[[str], None]) -> None:
        def done(path: str | None) -> None:
            if path:
                then(str(Path(path).expanduser()))

        self.push_screen(PathDialog(title, default), done)

    def _write(self, path: str, text: str, done: str) -> None:
        try:
            write_text_atomic(path, text)
        except OSError as exc:
            self.notify(_("Cannot write {path}: {error}").format(path=path, error=exc.strerror), severity="error")
            return
        self.notify(done)

    def action_save_preset(self) -> None:
        def save(path: str) -> None:
            description = self.config.description or _("Saved from tui-nn ({name})").format(name=self.config.name)
            config = replace(self.config, name=Path(path).stem, description=description)
            self._write(path, config.to_toml(), _("Preset saved to {path}: open it with `tui-nn {path}`").format(
                path=path))

        self._ask_path(_("Save the set-up as a preset (TOML):"), f"{safe_stem(self.config.name)}-mine.toml", save)

    def action_save_model(self) -> None:
        self._ask_path(_("Save the model (.npz):"), f"{safe_stem(self.config.name)}.npz",
                       lambda path: self._send(SaveModel(path)))

    def action_export_data(self) -> None:
        self._ask_path(_("Export the data (CSV):"), f"{safe_stem(self.config.name)}-data.csv",
                       lambda path: self._send(ExportData(path)))

    def action_save_session(self, then: Callable[[], object] | None = None) -> None:
        """The whole run, to continue later exactly where it stopped (``then``: after asking)."""
        def save(path: str) -> None:
            self._send(SaveSession(path))
            if then is not None:
                then()

        self._ask_path(_("Save the session (.npz), to resume it later:"),
                       f"{safe_stem(self.config.name)}-session.npz", save)

    def action_resume_session(self) -> None:
        self._ask_path(_("Resume a saved session (.npz):"), f"{safe_stem(self.config.name)}-session.npz",
                       lambda path: self._send(ResumeSession(path)))

    def action_save_screenshot(self) -> None:
        self._ask_path(_("Save a screenshot (SVG):"), f"{safe_stem(self.config.name)}.svg",
                       lambda path: self._write(path, self.export_screenshot(),
                                                _("Screenshot saved to {path}").format(path=path)))

    # ---- quitting ------------------------------------------------------------------
    async def action_quit(self) -> None:
        unsaved = self.snapshot.run.unsaved_epochs if self.snapshot is not None else 0
        if unsaved and self.session is not None:
            self.push_screen(ChoiceDialog(_("Quit? {count} epochs of training are not saved.").format(
                count=unsaved), "", [
                ("s", _("save the session, then quit"), "save"),
                ("q", _("quit without saving"), "quit"),
            ]), self._quit_answered)
            return
        self._quit()

    def _quit_answered(self, answer: str | None) -> None:
        if answer == "save":
            self.action_save_session(then=self._quit)
        elif answer == "quit":
            self._quit()

    def _quit(self) -> None:
        # A deliberate end: the autosave is for runs cut off (a dropped SSH link).
        self._forget_autosave()
        self._stop_session(timeout=10.0)  # a session being saved gets time to finish
        self.exit()

    def _forget_autosave(self) -> None:
        if self.autosave is not None:
            self.autosave[0].unlink(missing_ok=True)
