"""Pixels to terminal cells: half blocks, shades, data points and runs of equal cells.

A cell carries two pixels, one above the other: drawn as a half block ``▀``
with the upper pixel's colour in front of the lower one's (a plain space when
the two are the same colour). Without colour a cell is a shade ``" ░▒▓█"``
of its two pixels' mean. A data point replaces its cell with a glyph drawn
over the colour of the pixel it lies on.

:class:`Cells` holds what each cell shows as three small arrays (what, front,
back); equal cells side by side make one run (one segment on the terminal).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

import numpy as np
import numpy.typing as npt

from .colors import SHADES
from .palette import Levels, quantize
from .points import Points

_T = TypeVar("_T", bound=np.generic)

__all__ = ["BLANK", "Cell", "Cells", "PLAIN", "Run", "SHADE", "encode", "first_equal", "sample"]

# What a cell shows (``Cells.glyph``): PLAIN, SHADE, or a point's kind
# (points.TRAIN, points.TEST: fg = its colour, bg = the pixel under it).
PLAIN = 0  # a half block: fg = upper pixel, bg = lower pixel (palette indices)
SHADE = 3  # no colour: fg = a shade, an index into SHADES
BLANK = -1  # a pixel (or a point's background) with nothing drawn: the widget's own colour


class Cell(NamedTuple):
    """One cell, or a run of equal ones: ``glyph`` (PLAIN, SHADE, points.TRAIN or points.TEST), ``fg``, ``bg``."""

    glyph: int
    fg: int
    bg: int


Run = tuple[int, tuple[int, int, int]]  # (length, (glyph, fg, bg))


@dataclass(frozen=True, eq=False)
class Cells:
    """What every cell of a picture shows: (rows, cols) arrays, see :class:`Cell`."""

    glyph: npt.NDArray[np.int8]
    fg: npt.NDArray[np.int16]
    bg: npt.NDArray[np.int16]

    @property
    def shape(self) -> tuple[int, int]:
        rows, cols = self.glyph.shape
        return (rows, cols)

    def changed_rows(self, other: Cells | None) -> npt.NDArray[np.bool_]:
        """Per row: does it differ from ``other`` (all True if the shapes differ)."""
        rows = self.shape[0]
        if other is None or other.shape != self.shape:
            return np.ones(rows, dtype=bool)
        diff = (self.glyph != other.glyph) | (self.fg != other.fg) | (self.bg != other.bg)
        return np.asarray(diff.any(axis=1))

    def runs(self, y: int) -> list[Run]:
        """Row ``y`` as runs of equal cells, left to right (see :meth:`row_runs`)."""
        return self.row_runs([y])[0]

    def row_runs(self, rows: Sequence[int]) -> list[list[Run]]:
        """Each of ``rows`` as (length, (glyph, fg, bg)) runs of equal cells, left to right.

        The cells are plain tuples (equal to, and hashed like, :class:`Cell`).
        """
        if len(rows) == 0:
            return []
        idx = np.asarray(rows, dtype=np.intp)
        g, f, b = self.glyph[idx], self.fg[idx], self.bg[idx]
        starts = np.ones(g.shape, dtype=bool)
        starts[:, 1:] = (g[:, 1:] != g[:, :-1]) | (f[:, 1:] != f[:, :-1]) | (b[:, 1:] != b[:, :-1])
        ys, xs = np.nonzero(starts)  # row by row, left to right
        last = np.append(ys[1:] != ys[:-1], True)  # the last run of its row
        lengths = np.where(last, g.shape[1], np.append(xs[1:], 0)) - xs
        cells = zip(g[ys, xs].tolist(), f[ys, xs].tolist(), b[ys, xs].tolist())
        runs = list(zip(lengths.tolist(), cells))
        out, at = [], 0
        for n in starts.sum(axis=1).tolist():
            out.append(runs[at: at + n])
            at += n
        return out

    def rows(self) -> list[list[Run]]:
        return self.row_runs(range(self.shape[0]))


def sample(g: npt.NDArray[_T], rows: int, cols: int) -> npt.NDArray[_T]:
    """Nearest-neighbour sample of a (r, c) grid at rows x cols cell centres."""
    r, c = g.shape[:2]
    ri = ((np.arange(rows) + 0.5) * (r / rows)).astype(np.intp)
    ci = ((np.arange(cols) + 0.5) * (c / cols)).astype(np.intp)
    picked: npt.NDArray[_T] = g[ri[:, None], ci[None, :]]
    return picked


def first_equal(items: Sequence[Hashable]) -> Levels:
    """For each item, the index of the first equal one.

    With palette entries as drawn (a 256-colour terminal merges neighbouring
    levels), this gives equal colours equal indices: runs merge, and a cell
    whose two pixels look the same is drawn as a plain space.
    """
    first: dict[Hashable, int] = {}
    return np.array([first.setdefault(item, i) for i, item in enumerate(items)], dtype=np.int16)


def encode(
    pixels: Levels,
    canon: Levels | None = None,
    shades: Sequence[float] | None = None,
    points: Sequence[Points] = (),
) -> Cells:
    """Cells of a picture of (2 * rows, cols) pixels (palette indices, BLANK for none).

    ``canon`` (see :func:`first_equal`) first maps each index onto the first
    one of the same colour. With ``shades`` (each entry's shade in [0, 1])
    the cells are drawn without colour. ``points`` are drawn in order over
    the picture (a later one wins a shared cell).
    """
    if canon is not None:
        pixels = np.where(pixels >= 0, canon[np.maximum(pixels, 0)], BLANK).astype(np.int16)
    top, bottom = pixels[0::2], pixels[1::2]
    if shades is not None:
        shade = np.asarray((*shades, 0.0), dtype=np.float32)  # BLANK (-1): no shade
        s = 0.5 * (shade[top] + shade[bottom])
        glyph = np.full(top.shape, SHADE, dtype=np.int8)
        fg = quantize(s, len(SHADES))
        bg = np.zeros(top.shape, dtype=np.int16)
    else:
        glyph = np.full(top.shape, PLAIN, dtype=np.int8)
        fg = top.astype(np.int16)
        bg = bottom.astype(np.int16)
    for p in points:
        r, c = p.row // 2, p.col
        glyph[r, c] = p.kind
        fg[r, c] = p.colour
        bg[r, c] = 0 if shades is not None else pixels[p.row, p.col]
    return Cells(glyph, fg, bg)
