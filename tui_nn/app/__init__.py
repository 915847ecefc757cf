"""The Textual playground. Imported only when the app is launched."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Config

if TYPE_CHECKING:
    from ..io.session_files import SessionSummary
    from ..lessons import Lesson


def run_app(config: Config, *, autosave: tuple[Path, float] | None = None, resume: str | None = None,
            offer: "SessionSummary | None" = None, lesson: "Lesson | None" = None) -> None:
    from .app import PlaygroundApp

    PlaygroundApp(config, autosave=autosave, resume=resume, offer=offer, lesson=lesson).run()
