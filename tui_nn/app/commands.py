"""Command palette entries (ctrl+p): presets, saving, exporting.

The provider asks the app for its entries (``palette_commands``), so it needs
nothing from the app's module but that one method.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

__all__ = ["PaletteEntry", "PlaygroundCommands"]

# (name, help, what it does)
PaletteEntry = tuple[str, str, Callable[[], object]]


class _HasCommands(Protocol):
    def palette_commands(self) -> list[PaletteEntry]: ...


class PlaygroundCommands(Provider):
    def _commands(self) -> list[PaletteEntry]:
        return cast(_HasCommands, self.app).palette_commands()

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
