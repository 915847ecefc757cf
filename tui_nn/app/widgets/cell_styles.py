"""Cells of ``tui_nn.render.cells`` as Rich text: a character and a style each.

Used by the plane and the network view's thumbnails. A :class:`CellPainter`
serves one palette in one colour mode over one base style (the widget's);
each distinct cell is decoded once, and rows become strips of one segment
per run of equal cells.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from ...render.cells import BLANK, PLAIN, SHADE, Cell, Cells, first_equal
from ...render.colors import ANSI_CLASS, SHADES, darken, point_rgb
from ...render.palette import LEVELS, Levels, Palette, diverging_palette
from ...render.points import TEST, point_class
from .colors import StyleCache, palette_color, to_color

__all__ = ["CellPainter", "HALF", "MONO_TEST", "MONO_TRAIN", "TEST_GLYPH", "TRAIN_GLYPH"]

HALF = "▀"
TRAIN_GLYPH = "●"
TEST_GLYPH = "◆"
# Without colour the class is told by the glyph: train lower case, test upper case.
MONO_TRAIN = "ox+*%&@~"
MONO_TEST = "OX#=$?!^"


class CellPainter:
    """(character, style) of each cell for ``palette`` in colour ``mode`` over ``base``.

    Data points are coloured by class, or with ``regression`` by their
    target's level on the diverging scale of ``point_levels`` colours.
    """

    def __init__(self, palette: Palette, mode: str, base: Style, styles: StyleCache, *,
                 regression: bool = False, point_levels: int = LEVELS) -> None:
        self.palette = palette
        self.mode = mode
        self.base = base
        self.styles = styles
        self.regression = regression
        self.point_levels = point_levels
        mono = mode == "mono"
        self.shades = palette.shade if mono else None
        drawn = [(palette.shade[i],) if mono else palette_color(palette, i, mode) for i in range(len(palette))]
        self.canon: Levels = first_equal(drawn)
        self._decoded: dict[tuple[int, int, int], tuple[str, Style]] = {}

    def colour(self, i: int) -> Color | None:
        return palette_color(self.palette, i, self.mode)

    def decode(self, key: tuple[int, int, int]) -> tuple[str, Style]:
        """A cell as (glyph, fg, bg) (see ``render.cells.Cell``) -> (character, style)."""
        got = self._decoded.get(key)
        if got is None:
            cell = Cell(*key)
            if cell.glyph == SHADE:
                got = (SHADES[cell.fg], self.base)
            elif cell.glyph == PLAIN:
                got = self._half_block(cell.fg, cell.bg)
            else:
                got = self._point(cell)
            self._decoded[key] = got
        return got

    def _half_block(self, top: int, bottom: int) -> tuple[str, Style]:
        get = self.styles.get
        if bottom == BLANK:
            return (HALF, self.base + get(self.colour(top), None))
        if top == bottom:
            return (" ", get(None, self.colour(bottom)))
        return (HALF, get(self.colour(top), self.colour(bottom)))

    def _point(self, cell: Cell) -> tuple[str, Style]:
        test = cell.glyph == TEST
        cls = point_class(cell.fg, self.regression, self.point_levels)
        if self.mode == "mono":
            glyphs = MONO_TEST if test else MONO_TRAIN
            return (glyphs[cls % len(glyphs)], self.base)
        pal = self.palette
        bg = self.colour(cell.bg)
        if self.mode == "ansi":
            strong, weak = ANSI_CLASS[cls % len(ANSI_CLASS)]
            fg = to_color(weak if pal.ansi[cell.bg] == strong else strong, self.mode)
        elif self.regression:
            fg = to_color(darken(diverging_palette(self.point_levels).rgb[cell.fg], 0.55), self.mode)
        else:
            fg = to_color(point_rgb(cls), self.mode)
        return (TEST_GLYPH if test else TRAIN_GLYPH, self.styles.get(fg, bg, bold=True))

    def strips(self, cells: Cells, rows: Sequence[int], left: Segment | None, right: Segment | None,
               width: int) -> list[Strip]:
        """Each of ``rows`` of ``cells`` as a strip of ``width`` cells, between optional pads."""
        decode = self.decode
        out = []
        for runs in cells.row_runs(rows):
            segs = [left] if left is not None else []
            for n, cell in runs:
                char, style = decode(cell)
                segs.append(Segment(char * n, style))
            if right is not None:
                segs.append(right)
            out.append(Strip(segs, width))
        return out

    def grid(self, cells: Cells) -> list[list[tuple[str, Style]]]:
        """Every cell's (character, style), row by row."""
        decode = self.decode
        return [[decode(cell) for n, cell in runs for _i in range(n)] for runs in cells.rows()]
