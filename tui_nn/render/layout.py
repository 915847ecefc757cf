"""Where the plane goes in a widget of a given size (in terminal cells)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .points import pixel_coords

__all__ = ["PlaneLayout"]


@dataclass(frozen=True)
class PlaneLayout:
    """The plane within ``width`` x ``height`` cells: ``rows`` x ``cols`` cells from
    column ``x0`` (centred), and a caption on row ``caption_y`` (-1: no room)."""

    width: int
    height: int
    rows: int
    cols: int
    x0: int
    caption_y: int

    @classmethod
    def fit(cls, width: int, height: int, keep_aspect: bool = True) -> PlaneLayout:
        """A caption below if there are 3 rows or more; with ``keep_aspect`` a square
        plane (a half-block cell is about two pixels high and one wide)."""
        caption = 1 if height >= 3 else 0
        avail = max(height - caption, 0)
        if keep_aspect:
            rows = min(avail, width // 2)
            cols = rows * 2
        else:
            rows, cols = avail, width
        x0 = (width - cols) // 2
        return cls(width, height, rows, cols, x0, height - 1 if caption else -1)

    @property
    def pixels(self) -> tuple[int, int]:
        """(cols, rows) in pixels: two pixel rows per cell row."""
        return (self.cols, self.rows * 2)

    def cell_of(self, x1: float, x2: float, extent: float) -> tuple[int, int]:
        """The cell (x, y) where plane point (x1, x2) is drawn, the plane spanning ±``extent``."""
        pr, pc = pixel_coords(np.array([[x1, x2]]), extent or 1.0, self.rows * 2, self.cols)
        return (self.x0 + int(pc[0]), int(pr[0]) // 2)
