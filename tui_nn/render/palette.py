"""Indexed colour scales, and values mapped onto them.

The pictures are quantised to a few colour levels so the terminal sees few
distinct styles (fewer bytes, merged runs of equal colour). A :class:`Palette`
is a list of entries, each with an RGB colour, an ANSI colour name and a
shade in [0, 1] (for drawing without colour); values in [0, 1] fall into its
bins (:meth:`Palette.index`, with hysteresis, see :func:`bin_values`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from .colors import ANSI_CLASS, ANSI_DIVERGING, MID, RGB, blend, class_rgb, diverging_rgb

__all__ = [
    "CLASS_LEVELS",
    "Floats",
    "HYSTERESIS",
    "LEVELS",
    "Levels",
    "MODES",
    "Palette",
    "bin_values",
    "class_palette",
    "diverging_edges",
    "diverging_palette",
    "map_diverging",
    "neuron_range",
    "quantize",
]

Floats = npt.NDArray[np.float32]
Levels = npt.NDArray[np.int16]  # palette indices

LEVELS = 12  # colour levels of continuous scales (diverging)
CLASS_LEVELS = 6  # confidence levels per class in multi-class pictures
HYSTERESIS = 0.3  # see bin_values
# How colours reach the terminal: RGB, the nearest xterm-256 colour, a few of
# the 16 ANSI colours, or no colour at all (shading characters instead).
MODES = ("truecolor", "256", "ansi", "mono")


def _two_edges() -> Floats:
    return np.linspace(0.0, 1.0, 2, dtype=np.float32)


@dataclass(frozen=True, eq=False)
class Palette:
    """Indexed colours: RGB for truecolor and 256 colours, ANSI names for 16, shades for mono.

    ``edges`` (bins + 1 values over [0, 1]) map a value onto an entry, see
    :meth:`index`; for class palettes they apply to the confidence within a class.
    """

    name: str
    rgb: tuple[RGB, ...]
    ansi: tuple[str, ...]
    shade: tuple[float, ...]
    edges: Floats = field(default_factory=_two_edges)

    def __len__(self) -> int:
        return len(self.rgb)

    @property
    def bins(self) -> int:
        return len(self.edges) - 1

    def entry(self, i: int, mode: str) -> RGB | str | None:
        """Entry ``i`` as drawn in ``mode``: an RGB triple, an ANSI name, or None (mono)."""
        if mode == "mono":
            return None
        if mode == "ansi":
            return self.ansi[i]
        return self.rgb[i]

    def index(self, t: npt.ArrayLike, prev: Levels | None = None, margin: float = 0.0) -> Levels:
        """Bin of each value of ``t`` (in [0, 1]); see :func:`bin_values`."""
        return bin_values(t, self.edges, prev, margin)


def bin_values(t: npt.ArrayLike, edges: Floats, prev: Levels | None = None, margin: float = 0.0) -> Levels:
    """Values in [0, 1] onto bins 0..len(edges)-2 (int16), with hysteresis.

    With ``prev`` (the bins shown last time, same shape), a value keeps its old
    bin while it stays within that bin widened by ``margin`` of its width on
    each side: values hovering on an edge do not flicker between two colours,
    and fewer cells change (fewer bytes to the terminal) from one frame to the next.
    """
    v = np.asarray(t, dtype=np.float32)
    idx = np.searchsorted(edges[1:-1], v, side="right").astype(np.int16)
    if prev is not None and margin > 0 and prev.shape == idx.shape:
        p = np.clip(prev, 0, len(edges) - 2)
        lo = edges[p]
        hi = edges[p + 1]
        w = (hi - lo) * margin
        keep = (v >= lo - w) & (v < hi + w)
        idx = np.where(keep, p, idx).astype(np.int16)
    return idx


def diverging_edges(bins: int, power: float = 1.5) -> Floats:
    """Bin edges over [0, 1], symmetric about 0.5 and finer near it.

    With power > 1 the bins near the decision boundary (0.5) are narrow and
    those near the ends wide: nearly saturated areas stay one colour instead
    of a speckle of almost equal shades.
    """
    u = np.linspace(-1.0, 1.0, bins + 1)
    e = 0.5 + 0.5 * np.sign(u) * np.abs(u) ** power
    e[0], e[-1] = 0.0, 1.0
    return e.astype(np.float32)


@lru_cache(maxsize=16)
def diverging_palette(levels: int = LEVELS, power: float = 1.5) -> Palette:
    """``levels`` colours from full orange to full blue, over :func:`diverging_edges`."""
    pos = [i / (levels - 1) for i in range(levels)] if levels > 1 else [0.5]
    n_ansi = len(ANSI_DIVERGING)
    return Palette(
        f"diverging{levels}p{power:g}",
        tuple(diverging_rgb(t) for t in pos),
        tuple(ANSI_DIVERGING[min(int(t * n_ansi), n_ansi - 1)] for t in pos),
        tuple(pos),
        diverging_edges(levels, power),
    )


@lru_cache(maxsize=32)
def class_palette(k: int, levels: int = CLASS_LEVELS, power: float = 1.5) -> Palette:
    """Entry ``c * levels + j``: class c at confidence level j (0 weak .. levels-1 sure).

    ``edges`` bin the confidence (0 = a toss-up, 1 = certain), finer near 0.
    """
    rgb: list[RGB] = []
    ansi: list[str] = []
    shade: list[float] = []
    for c in range(k):
        strong, weak = ANSI_CLASS[c % len(ANSI_CLASS)]
        for j in range(levels):
            q = j / (levels - 1) if levels > 1 else 1.0
            rgb.append(blend(MID, class_rgb(c), 0.15 + 0.85 * q))
            ansi.append("white" if q < 0.25 else weak if q < 0.6 else strong)
            # Mono: each class its own shade (class cannot be told otherwise).
            shade.append((c + 0.5) / k)
    u = np.linspace(0.0, 1.0, levels + 1)
    edges = (u**power).astype(np.float32)
    return Palette(f"class{k}x{levels}p{power:g}", tuple(rgb), tuple(ansi), tuple(shade), edges)


def map_diverging(values: npt.ArrayLike, lo: float, hi: float, centre: float | None = None) -> Floats:
    """Values onto [0, 1] with ``centre`` (default mid-range) landing on 0.5."""
    v = np.asarray(values, dtype=np.float32)
    if not hi > lo:
        hi = lo + 1.0
    if centre is None or not lo < centre < hi:
        t = (v - lo) / (hi - lo)
    else:
        t = np.where(
            v < centre,
            0.5 * (v - lo) / (centre - lo),
            0.5 + 0.5 * (v - centre) / (hi - centre),
        )
    t = np.nan_to_num(t, nan=0.5, posinf=1.0, neginf=0.0)
    return np.clip(t, 0.0, 1.0, out=t if isinstance(t, np.ndarray) else None)


def quantize(t: npt.ArrayLike, levels: int) -> Levels:
    """[0, 1] floats onto 0..levels-1 (int16)."""
    q = (np.asarray(t, dtype=np.float32) * levels).astype(np.int16)
    np.clip(q, 0, levels - 1, out=q)
    return q


def neuron_range(values: npt.ArrayLike, bounds: tuple[float, float] | None = None) -> tuple[float, float]:
    """The range a neuron's heatmap is coloured over.

    ``bounds``, the range the activation declares (sigmoid 0..1, tanh -1..1),
    if it has one; anything else (ReLU, linear, inputs such as x1 over
    [-6, 6]) is scaled symmetrically by its largest magnitude, so zero stays white.
    """
    if bounds is not None:
        return (float(bounds[0]), float(bounds[1]))
    v = np.asarray(values)
    m = float(np.nanmax(np.abs(v))) if v.size else 1.0
    if not np.isfinite(m) or m <= 1e-12:
        m = 1.0
    return (-m, m)
