"""Where the plane goes in a widget of a given size (in terminal cells), and its axis ticks."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .chart import linear_ticks
from .points import pixel_coords

__all__ = ["AxisTick", "PlaneLayout", "axis_label_width", "plane_ticks"]

# Room the plane needs before tick labels are drawn beside and below it.
_TICKS_MIN_HEIGHT = 8
_TICKS_MIN_PLANE = 12


def plane_ticks(extent: float, max_ticks: int = 5) -> list[float]:
    """Round tick values over [-extent, extent], zero included.

    A whole-number extent is labelled at its ends and zero (-6, 0, 6; with
    room and an even extent its halves too); any other at round steps
    inside it (extent 1.5: -1, 0, 1, the corners of a truth table).
    """
    e = float(extent)
    if not (e > 0 and math.isfinite(e)):
        return [0.0]
    max_ticks = max(int(max_ticks), 1)
    if max_ticks < 3:
        return [0.0]
    if abs(e - round(e)) < 1e-9:
        if max_ticks >= 5 and round(e) % 2 == 0:
            return [-e, -e / 2, 0.0, e / 2, e]
        return [-e, 0.0, e]
    ticks, _ = linear_ticks(-e, e, min(max_ticks, 5))
    return ticks


def tick_text(v: float) -> str:
    """A plane tick's label: "-6", "0", "1.5"."""
    return f"{v:g}" if v != 0 else "0"


def axis_label_width(extent: float) -> int:
    """Cells the x2 tick labels take left of the plane (a space included)."""
    return max(len(tick_text(v)) for v in plane_ticks(extent)) + 1


@dataclass(frozen=True)
class AxisTick:
    """A tick label: ``text`` starting at cell ``x`` of row ``y`` (in widget cells)."""

    x: int
    y: int
    text: str


@dataclass(frozen=True)
class PlaneLayout:
    """The plane within ``width`` x ``height`` cells: ``rows`` x ``cols`` cells from
    column ``x0`` (centred), and a caption on row ``caption_y`` (-1: no room).

    With ticks (see :meth:`fit`) the x2 tick labels take the ``axis_w`` cells left
    of the plane and the x1 labels row ``tick_y`` under it (-1: none)."""

    width: int
    height: int
    rows: int
    cols: int
    x0: int
    caption_y: int
    axis_w: int = 0
    tick_y: int = -1

    @classmethod
    def fit(cls, width: int, height: int, keep_aspect: bool = True, axis_w: int = 0) -> PlaneLayout:
        """A caption below if there are 3 rows or more; with ``keep_aspect`` a square
        plane (a half-block cell is about two pixels high and one wide). With
        ``axis_w`` > 0 and room enough, tick labels left of and below the plane."""
        caption = 1 if height >= 3 else 0
        ticks = axis_w > 0 and height >= _TICKS_MIN_HEIGHT and width >= axis_w + _TICKS_MIN_PLANE
        label_w = axis_w if ticks else 0
        avail = max(height - caption - (1 if ticks else 0), 0)
        plot_w = width - label_w
        if keep_aspect:
            rows = min(avail, plot_w // 2)
            cols = rows * 2
        else:
            rows, cols = avail, plot_w
        x0 = (width - label_w - cols) // 2 + label_w
        return cls(width, height, rows, cols, x0, height - 1 if caption else -1, label_w, rows if ticks else -1)

    @property
    def pixels(self) -> tuple[int, int]:
        """(cols, rows) in pixels: two pixel rows per cell row."""
        return (self.cols, self.rows * 2)

    def cell_of(self, x1: float, x2: float, extent: float) -> tuple[int, int]:
        """The cell (x, y) where plane point (x1, x2) is drawn, the plane spanning ±``extent``."""
        pr, pc = pixel_coords(np.array([[x1, x2]]), extent or 1.0, self.rows * 2, self.cols)
        return (self.x0 + int(pc[0]), int(pr[0]) // 2)

    def ticks(self, extent: float) -> tuple[list[AxisTick], list[AxisTick]]:
        """The x1 labels (row ``tick_y``, under the plane) and the x2 labels (right-aligned
        left of the plane, on the rows of their values); none without room."""
        if self.tick_y < 0 or self.rows <= 0 or not extent > 0:
            return [], []
        e = float(extent)
        xs: list[AxisTick] = []
        end = self.x0 - self.axis_w - 1
        for v in plane_ticks(e, max(self.cols // 6, 1)):
            text = tick_text(v)
            n = len(text)
            c = min(int((v + e) / (2 * e) * self.cols), self.cols - 1)
            if v <= -e:
                at = self.x0
            elif v >= e:
                at = self.x0 + self.cols - n
            else:
                at = self.x0 + c - (n - 1) // 2
            at = min(max(at, 0), self.width - n)
            if at > end + 1:
                xs.append(AxisTick(at, self.tick_y, text))
                end = at + n - 1
        ys: list[AxisTick] = []
        last = -2
        for v in reversed(plane_ticks(e, max(self.rows // 3, 1))):
            text = tick_text(v)
            r = min(int((e - v) / (2 * e) * self.rows), self.rows - 1)
            if r > last + 1 and len(text) < self.axis_w:
                ys.append(AxisTick(self.x0 - 1 - len(text), r, text))
                last = r
        return xs, ys
