"""Command palette entries (ctrl+p): presets, saving, exporting."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from ..presets import list_presets

if TYPE_CHECKING:
    from .app import PlaygroundApp


class PlaygroundCommands(Provider):
    def _commands(self) -> list[tuple[str, str, object]]:
        app: "PlaygroundApp" = self.app  # type: ignore[assignment]
        items: list[tuple[str, str, object]] = [
            ("Save set-up as preset", "Write the current settings to a TOML preset file", app.action_save_preset),
            ("Save model", "Write the weights and settings to an .npz model file", app.action_save_model),
            ("Export data", "Write the data set as the network sees it to CSV", app.action_export_data),
            ("Save screenshot", "Save the screen as an SVG image", app.action_screenshot),
            ("Toggle log scale", "Loss chart on a logarithmic axis", app.action_toggle_log),
        ]
        for p in list_presets():
            items.append((f"Load preset: {p.name}", p.description, partial(app.load_preset, p.name)))
        return items

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
