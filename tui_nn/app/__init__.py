"""The Textual playground. Imported only when the app is launched."""

from __future__ import annotations

from ..config import Config


def run_app(config: Config) -> None:
    from .app import PlaygroundApp

    PlaygroundApp(config).run()
