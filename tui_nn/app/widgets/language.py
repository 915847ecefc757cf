"""Widgets that word themselves again when the language is switched.

The app switches with ``tui_nn.i18n.set_language`` (the command palette,
``--lang``); every widget mixing in :class:`FollowsLanguage` then gets a call
to ``language_changed`` on its own message queue (so a switch from any thread
is safe), while it is mounted, and redraws its words in the new language.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from textual.widget import Widget

from ...i18n import on_change

__all__ = ["FollowsLanguage"]


class FollowsLanguage:
    """Mix into a Widget (before it in the bases): ``language_changed`` is called
    after each switch of language while the widget is mounted."""

    _stop_following: Callable[[], None] | None = None

    # Textual calls the handler of every class in the MRO that defines one (each
    # class's own), so a widget's own on_mount and on_unmount run as well.
    def on_mount(self) -> None:
        if self._stop_following is None:
            self._stop_following = on_change(self._language_switched)

    def on_unmount(self) -> None:
        if self._stop_following is not None:
            self._stop_following()
            self._stop_following = None

    def _language_switched(self, code: str) -> None:
        cast(Widget, self).call_later(self.language_changed)

    def language_changed(self) -> None:
        """Draw the words again in the current language."""
