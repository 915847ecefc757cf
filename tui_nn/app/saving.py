"""The playground's file commands: save the set-up as a preset, save the
model, export the data, save a screenshot. Each asks for a path first; served
to a browser (``tui-nn serve``), each is a download instead, since nothing
typed in a browser may name a path on the server (file_access.py).

Every file is written beside its target and renamed over it, so a failed
save (a full disk) leaves the old file whole; the suggested names are made
from the preset's name with anything but letters, digits, - and _ removed, so
a preset cannot point a save outside the working directory.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from textual import events
from textual.app import App
from textual.notifications import SeverityLevel

from ..config import Config
from ..file_access import folder, served
from ..i18n import _
from ..io.files import write_text_atomic
from ..rules import printable
from ..session.protocol import Command, ExportData, ResumeSession, SaveModel, SaveSession
from ..session.process import SessionProcess
from ..training.snapshot import Snapshot
from .dialogs.choice import ChoiceDialog
from .dialogs.path_dialog import PathDialog
from .messages import FileReceived

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
    _after_download: Callable[[], object] | None = None  # served: what waits for a download to go

    def _stop_session(self, exiting: bool = True, timeout: float = 2.0) -> None:
        raise NotImplementedError

    def _send(self, command: Command) -> None:
        raise NotImplementedError

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        # Messages carry file names and settings ("[data]"): shown as text, one line.
        super().notify(printable(message), title=title, severity=severity, timeout=timeout, markup=markup)

    def _ask_path(self, title: str, default: str, then: Callable[[str], None], hint: str | None = None) -> None:
        def done(path: str | None) -> None:
            if path:
                # Served, "~" is no one's home: expanding it would name the server's.
                then(path if served() else str(Path(path).expanduser()))

        self.push_screen(PathDialog(title, default, hint=hint), done)

    def _write(self, path: str, text: str, done: str, sent: str) -> None:
        """``text`` to ``path`` (``done``: what to say), or served, to the browser as ``path`` (``sent``)."""
        if served():
            self._download(path, text.encode("utf-8"), sent)
            return
        try:
            write_text_atomic(path, text)
        except OSError as exc:
            self.notify(_("Cannot write {path}: {error}").format(path=path, error=exc.strerror), severity="error")
            return
        self.notify(done)

    def _save(self, title: str, name: str, then: Callable[[str], None]) -> None:
        """Ask where to save (a terminal) or go on with ``name`` as the download's name (served)."""
        if served():
            then(name)
        else:
            self._ask_path(title, name, then)

    def _download(self, name: str, data: bytes, said: str) -> None:
        """Hand ``data`` to the browser, which saves it as ``name`` (served only)."""
        self.deliver_binary(io.BytesIO(data), save_filename=name)
        self.notify(said)

    def on_file_received(self, message: FileReceived) -> None:
        self._download(message.file.name, message.file.data, message.file.text)

    def on_delivery_complete(self, event: events.DeliveryComplete) -> None:
        after, self._after_download = self._after_download, None
        if after is not None:
            after()

    def on_delivery_failed(self, event: events.DeliveryFailed) -> None:
        self._after_download = None
        self.notify(_("The download failed: {error}").format(error=event.exception), severity="error")

    def action_save_preset(self) -> None:
        def save(path: str) -> None:
            description = self.config.description or _("Saved from tui-nn ({name})").format(name=self.config.name)
            config = replace(self.config, name=Path(path).stem, description=description)
            self._write(path, config.to_toml(), _("Preset saved to {path}: open it with `tui-nn {path}`").format(
                path=path), _("Preset {name} sent to the browser").format(name=path))

        self._save(_("Save the set-up as a preset (TOML):"), f"{safe_stem(self.config.name)}-mine.toml", save)

    def action_save_model(self) -> None:
        self._save(_("Save the model (.npz):"), f"{safe_stem(self.config.name)}.npz",
                   lambda path: self._send(SaveModel(path, download=served())))

    def action_export_data(self) -> None:
        self._save(_("Export the data (CSV):"), f"{safe_stem(self.config.name)}-data.csv",
                   lambda path: self._send(ExportData(path, download=served())))

    def action_save_session(self, then: Callable[[], object] | None = None) -> None:
        """The whole run, to continue later exactly where it stopped (``then``: after asking,
        or served, once the download has gone)."""
        def save(path: str) -> None:
            self._send(SaveSession(path, download=served()))
            if then is not None and served():
                self._after_download = then
            elif then is not None:
                then()

        self._save(_("Save the session (.npz), to resume it later:"),
                   f"{safe_stem(self.config.name)}-session.npz", save)

    def action_resume_session(self) -> None:
        if served() and folder() is None:
            self.notify(_("In the browser a session can be resumed only from a folder the teacher offers "
                          "(tui-nn serve --files DIR)"), severity="warning")
            return
        title = _("Resume a session from the teacher's folder (a name in it):") if served() else _(
            "Resume a saved session (.npz):")
        self._ask_path(title, f"{safe_stem(self.config.name)}-session.npz",
                       lambda path: self._send(ResumeSession(path)), hint=_("Enter to open, Escape to cancel"))

    def action_save_screenshot(self) -> None:
        self._save(_("Save a screenshot (SVG):"), f"{safe_stem(self.config.name)}.svg",
                   lambda path: self._write(path, self.export_screenshot(),
                                            _("Screenshot saved to {path}").format(path=path),
                                            _("Screenshot {name} sent to the browser").format(name=path)))

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
