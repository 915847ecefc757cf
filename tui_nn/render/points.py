"""The point layer: data points on the plane's pixel grid, with their colours.

A point's colour is its class for classification; for regression it is its
target's level on the diverging scale (the widget draws it darker than the
heatmap, and without colour by the side of 0.5 it falls on, see
:func:`point_class`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from .palette import LEVELS, diverging_palette, map_diverging

if TYPE_CHECKING:
    from ..training.snapshot import Snapshot

__all__ = ["TEST", "TRAIN", "Points", "pixel_coords", "point_class", "point_colours", "point_layer"]

# A point's kind, also what its cell shows (see cells.Cells.glyph).
TRAIN = 1
TEST = 2


@dataclass(frozen=True, eq=False)
class Points:
    """Points on a pixel grid: ``kind`` TRAIN or TEST, ``colour`` per point (see the module)."""

    row: npt.NDArray[np.intp]
    col: npt.NDArray[np.intp]
    kind: int
    colour: npt.NDArray[np.int16]


def pixel_coords(
    pts: npt.ArrayLike, extent: float, prows: int, pcols: int
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Raw plane coordinates (n, 2) over [-extent, extent] -> (pixel row, pixel column), row 0 at the top."""
    p = np.asarray(pts, dtype=np.float64)
    scale = 1.0 / (2.0 * extent)
    pc = np.floor((p[:, 0] + extent) * scale * pcols).astype(np.intp)
    pr = np.floor((extent - p[:, 1]) * scale * prows).astype(np.intp)
    np.clip(pc, 0, pcols - 1, out=pc)
    np.clip(pr, 0, prows - 1, out=pr)
    return pr, pc


def point_colours(snap: Snapshot, labels: npt.ArrayLike, levels: int = LEVELS) -> npt.NDArray[np.int16]:
    """Each label's colour: its class, or for regression its level on the ``levels`` scale."""
    if snap.task == "regression":
        lo, hi = snap.output_range
        t = map_diverging(np.asarray(labels, dtype=np.float32), lo, hi)
        return diverging_palette(levels).index(t)
    return np.clip(np.asarray(labels).astype(np.int32), 0, np.iinfo(np.int16).max).astype(np.int16)


def point_class(colour: int, regression: bool, levels: int = LEVELS) -> int:
    """The class a point stands for: its colour, or for regression high (1) or low (0)."""
    if regression:
        return 1 if colour >= diverging_palette(levels).bins // 2 else 0
    return colour


def point_layer(snap: Snapshot, prows: int, pcols: int, show_test: bool, levels: int = LEVELS) -> list[Points]:
    """The training points (and with ``show_test`` the test points) on a prows x pcols grid."""
    extent = snap.extent or 1.0
    sets = [(TRAIN, snap.train_points, snap.train_labels)]
    if show_test:
        sets.append((TEST, snap.test_points, snap.test_labels))
    layer = []
    for kind, pts, labels in sets:
        if pts is None or labels is None or len(pts) == 0:
            continue
        pr, pc = pixel_coords(pts, extent, prows, pcols)
        layer.append(Points(pr, pc, kind, point_colours(snap, labels, levels)))
    return layer
