"""The command line: ``tui-nn [PRESET]`` opens the app; ``train``, ``data`` and
``presets`` work without a screen."""

from .main import main

__all__ = ["main"]
