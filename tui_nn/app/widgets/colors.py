"""Rich colours and styles for the pictures of ``tui_nn.render``, and the colour mode.

Four colour modes (``render.palette.MODES``):

* ``"truecolor"``: RGB colours;
* ``"256"``: the nearest of the xterm 256 colours: what a 256-colour terminal
  gets anyway, and on a truecolor terminal a compact choice: ``38;5;208`` is
  half the bytes of ``38;2;245;147;34``, and the plane is mostly colour codes;
* ``"ansi"``: a few of the 16 ANSI colours, for terminals (or ``App.ansi_color``)
  where RGB would be remapped or lost;
* ``"mono"``: no colour at all (``NO_COLOR``): shading characters ``" ░▒▓█"``
  carry the value instead.

Widgets look palette entries up with :func:`palette_color` and styles through
:class:`StyleCache`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from rich.color import Color, ColorSystem, ColorType
from rich.color_triplet import ColorTriplet
from rich.style import Style

from ...render.colors import RGB
from ...render.palette import MODES, Palette

if TYPE_CHECKING:
    from textual.app import App

__all__ = ["StyleCache", "color_mode", "palette_color", "to_color"]


@lru_cache(maxsize=512)
def _rgb(c: RGB) -> Color:
    return Color.from_rgb(*c)


@lru_cache(maxsize=512)
def _eight_bit(c: RGB) -> Color:
    """The nearest xterm-256 colour, *with* its RGB triplet attached.

    Textual turns colours without a triplet into truecolor before writing
    (unless the app passes ANSI colours through); with the triplet kept it
    writes the short ``38;5;N`` code, which is the point of this mode.
    """
    number = Color.from_rgb(*c).downgrade(ColorSystem.EIGHT_BIT).number
    assert number is not None
    t = Color.from_ansi(number).get_truecolor()
    return Color(f"color({number})", ColorType.EIGHT_BIT, number=number, triplet=ColorTriplet(t.red, t.green, t.blue))


@lru_cache(maxsize=64)
def _ansi(name: str) -> Color:
    return Color.parse(name)


def to_color(c: RGB | str | None, mode: str) -> Color | None:
    """An RGB triple or an ANSI name as a Rich colour for ``mode`` (None in mono)."""
    if c is None or mode == "mono":
        return None
    if isinstance(c, str):
        return _ansi(c)
    if mode == "256":
        return _eight_bit(c)
    return _rgb(c)


def palette_color(palette: Palette, i: int, mode: str) -> Color | None:
    """Entry ``i`` of ``palette`` as a Rich colour for ``mode`` (None in mono)."""
    return to_color(palette.entry(i, mode), mode)


def color_mode(app: App[object] | None, monochrome: bool = False, override: str | None = None,
               compact: bool = False) -> str:
    """The colour mode to draw with.

    ``"mono"`` under NO_COLOR (``app.no_color``) or when asked; ``override`` (one
    of ``MODES``) if given; ``"ansi"`` when the app passes ANSI colours through
    (``App.ansi_color`` / an ANSI theme) or the terminal has 16 colours;
    ``"256"`` on 256-colour terminals, or on truecolor ones when ``compact``;
    else ``"truecolor"``.
    """
    if monochrome:
        return "mono"
    if override in MODES:
        assert override is not None
        return override
    if app is None:
        return "256" if compact else "truecolor"
    if getattr(app, "no_color", False):
        return "mono"
    ansi = getattr(app, "native_ansi_color", None)
    if ansi is None:
        ansi = getattr(app, "ansi_color", False)
    if ansi:
        return "ansi"
    try:
        system = app.console.color_system
    except Exception:  # pragma: no cover - no console
        system = None
    if system in ("standard", "windows"):
        return "ansi"
    if system == "256" or compact:
        return "256"
    return "truecolor"


class StyleCache:
    """Rich styles by (foreground, background, bold), created once each."""

    def __init__(self) -> None:
        self._styles: dict[tuple[Color | None, Color | None, bool], Style] = {}

    def get(self, fg: Color | None, bg: Color | None, bold: bool = False) -> Style:
        key = (fg, bg, bold)
        style = self._styles.get(key)
        if style is None:
            style = Style(color=fg, bgcolor=bg, bold=bold or None)
            self._styles[key] = style
        return style
