"""The colour field: which values a picture shows, as palette indices.

The plane shows the network's output (a diverging scale around the decision
threshold, or for softmax the winning class shaded by its confidence), one
neuron (an input, a hidden unit over the range its activation declares) or
one softmax class's probability. :class:`ColourField` maps those values onto
palette levels, with hysteresis against the last picture of the same thing
(:class:`BinMemory`) so values near a bin edge do not flicker; the network
view's thumbnails use the same values through :func:`thumbnail_levels`.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from ..data.synthetic import shown_class_name
from .cells import sample
from .palette import (
    CLASS_LEVELS,
    HYSTERESIS,
    LEVELS,
    Floats,
    Levels,
    Palette,
    class_palette,
    diverging_palette,
    map_diverging,
    neuron_range,
)

if TYPE_CHECKING:
    from ..training.snapshot import Snapshot

__all__ = ["BinMemory", "ColourField", "Field", "Legend", "Values", "neuron_values", "output_centre", "thumbnail_levels",
           "unpictured"]


@dataclass(frozen=True)
class Legend:
    """What the caption explains: ``"range"`` (lo..hi on the diverging scale),
    ``"prob"`` (0..1 for class ``index``) or ``"classes"`` (``index`` = k classes)."""

    kind: str
    lo: float = 0.0
    hi: float = 1.0
    index: int = 0


@dataclass(frozen=True, eq=False)
class Field:
    """A picture: palette indices at the snapshot's resolution, its title and legend."""

    palette: Palette
    levels: Levels
    title: str
    legend: Legend


@dataclass(frozen=True, eq=False)
class Values:
    """One neuron's (or the single output's) values over the plane, and their scale."""

    grid: npt.NDArray[np.floating]
    lo: float
    hi: float
    centre: float | None
    title: str


class BinMemory:
    """The bins last shown for a picture, for hysteresis (see ``palette.bin_values``).

    A picture is told by its key, its shape and its palette. With ``keep_all``
    False only the latest picture is remembered: coming back to a picture
    shown before starts afresh.
    """

    def __init__(self, keep_all: bool = False) -> None:
        self.keep_all = keep_all
        self._bins: dict[Hashable, Levels] = {}

    @staticmethod
    def _key(tag: Hashable, t: npt.NDArray[np.generic], palette: Palette) -> Hashable:
        return (tag, t.shape, palette.name)

    def get(self, tag: Hashable, t: npt.NDArray[np.generic], palette: Palette) -> Levels | None:
        return self._bins.get(self._key(tag, t, palette))

    def put(self, tag: Hashable, t: npt.NDArray[np.generic], palette: Palette, levels: Levels) -> None:
        if not self.keep_all:
            self._bins.clear()
        self._bins[self._key(tag, t, palette)] = levels

    def bin(self, palette: Palette, t: Floats, tag: Hashable, margin: float) -> Levels:
        """Bins of ``t`` with hysteresis against the last picture of the same thing."""
        prev = self.get(tag, t, palette) if margin > 0 else None
        levels = palette.index(t, prev, margin)
        self.put(tag, t, palette, levels)
        return levels

    def clear(self) -> None:
        self._bins.clear()


def unpictured(snap: Snapshot, view: tuple[int, int] | None) -> bool:
    """True when ``view`` is a hidden unit of the network that this snapshot has no
    picture of: one of a large layer's beyond the first ones, not (yet) its focus."""
    if view is None or snap.output_grid is None:
        return False
    layer, index = view
    n_hidden = len(snap.sizes) - 2
    if not (0 <= layer < n_hidden and 0 <= index < snap.sizes[layer + 1]):
        return False
    return neuron_values(snap, layer, index, focus=True) is None


def output_centre(snap: Snapshot) -> float:
    """The output value drawn white: mid-range for regression, else the decision threshold."""
    lo, hi = snap.output_range
    return 0.5 * (lo + hi) if snap.task == "regression" else snap.threshold


def neuron_values(snap: Snapshot, layer: int, index: int, focus: bool = False) -> Values | None:
    """Input (``layer`` -1) or hidden unit ``index``'s values; None if the snapshot has
    no picture of it (no such unit, or one of a large layer's that it leaves out).

    With ``focus``, a hidden unit the snapshot carries as its focus (``snap.focus``)
    comes from ``snap.focus_grid``, at the plane's full resolution; otherwise from
    ``snap.neuron_grids``, which for a large net may be coarser than the plane.
    """
    if layer == -1:
        grids = snap.input_grids
        if grids is None or not 0 <= index < grids.shape[2]:
            return None
        g = grids[:, :, index]
        lo, hi = neuron_range(g)
        name = snap.input_names[index] if index < len(snap.input_names) else f"input {index + 1}"
        return Values(g, lo, hi, None, f"input {name}")
    if focus and snap.focus == (layer, index) and snap.focus_grid is not None and 0 <= layer < len(snap.neuron_grids):
        g = snap.focus_grid
    elif not (0 <= layer < len(snap.neuron_grids) and 0 <= index < snap.neuron_grids[layer].shape[2]):
        return None
    else:
        g = snap.neuron_grids[layer][:, :, index]
    bounds = snap.hidden_ranges[layer] if layer < len(snap.hidden_ranges) else None
    lo, hi = neuron_range(g, bounds)
    act = snap.activations[layer] if layer < len(snap.activations) else None
    title = f"layer {layer + 1} neuron {index + 1}" + (f" ({act})" if act else "")
    return Values(g, lo, hi, None, title)


class ColourField:
    """Turns a snapshot into a :class:`Field` for one view of the plane.

    ``levels``: colours of the orange-white-blue scale; ``class_levels``:
    confidence levels per class (softmax); ``hysteresis``: 0 = none.
    """

    def __init__(self, levels: int = LEVELS, class_levels: int = CLASS_LEVELS, hysteresis: float = HYSTERESIS) -> None:
        self.levels = levels
        self.class_levels = class_levels
        self.hysteresis = hysteresis
        self.memory = BinMemory()

    def field(self, snap: Snapshot, view: tuple[int, int] | None, discretize: bool = False) -> Field | None:
        """The picture of ``view`` (None = the output, else ``(layer, index)``); None without a plane.

        A view that does not fit the snapshot (no such neuron) shows the output.
        """
        out = snap.output_grid
        if out is None:
            return None
        if view is not None:
            layer, index = view
            values = neuron_values(snap, layer, index, focus=True)
            if values is not None:
                return self._diverging(values, discretize=False)
            if layer == len(snap.neuron_grids) and out.ndim == 3 and 0 <= index < out.shape[2]:
                return self._class_probability(snap, out, index)
        if out.ndim == 3:
            return self._classes(out, discretize)
        lo, hi = snap.output_range
        return self._diverging(Values(out, lo, hi, output_centre(snap), "output"), discretize)

    def _diverging(self, v: Values, discretize: bool) -> Field:
        t = map_diverging(v.grid, v.lo, v.hi, v.centre)
        pal = diverging_palette(self.levels)
        if discretize:
            lv = np.where(t >= 0.5, pal.bins - 1, 0).astype(np.int16)
        else:
            lv = self.memory.bin(pal, t, (v.title, v.lo, v.hi, v.centre), self.hysteresis)
        return Field(pal, lv, v.title, Legend("range", v.lo, v.hi))

    def _class_probability(self, snap: Snapshot, out: Floats, index: int) -> Field:
        pal = class_palette(out.shape[2], self.class_levels)
        j = self.memory.bin(pal, out[:, :, index], ("prob", index), self.hysteresis)
        name = shown_class_name(snap.class_names[index]) if index < len(snap.class_names) else str(index)
        return Field(pal, (j + index * pal.bins).astype(np.int16), f"P({name})", Legend("prob", index=index))

    def _classes(self, out: Floats, discretize: bool) -> Field:
        """The winning class, shaded by its confidence (a toss-up .. certain)."""
        k = out.shape[2]
        pal = class_palette(k, self.class_levels)
        n = pal.bins
        cls = np.argmax(out, axis=2).astype(np.int16)
        if discretize:
            j = np.full(cls.shape, n - 1, dtype=np.int16)
        else:
            p = np.max(out, axis=2)
            q = (p - 1.0 / k) / (1.0 - 1.0 / k)
            tag = ("classes", k)
            prev = self.memory.get(tag, q, pal)
            j = pal.index(q)
            if prev is not None and self.hysteresis > 0:
                same = prev // n == cls  # the same class as last time: keep its level near an edge
                j = np.where(same, pal.index(q, (prev % n).astype(np.int16), self.hysteresis), j).astype(np.int16)
            self.memory.put(tag, q, pal, (cls * n + j).astype(np.int16))
        return Field(pal, (cls * n + j).astype(np.int16), "output", Legend("classes", index=k))


def thumbnail_levels(
    snap: Snapshot, layer: int, index: int, rows: int, cols: int, memory: BinMemory, margin: float
) -> tuple[Palette, Levels]:
    """Palette indices of a ``rows`` x ``cols`` pixel thumbnail of one unit.

    ``layer`` -1 = inputs, 0.. hidden layers, ``len(neuron_grids)`` = the
    output (for softmax, the probability of class ``index``). The snapshot
    must have a plane.
    """
    out = snap.output_grid
    assert out is not None
    tag = (layer, index)
    if layer == len(snap.neuron_grids) and out.ndim == 3:
        pal = class_palette(out.shape[2])
        j = memory.bin(pal, sample(out[:, :, index], rows, cols), tag, margin)
        return pal, (j + index * pal.bins).astype(np.int16)
    if layer == len(snap.neuron_grids):
        lo, hi = snap.output_range
        values = Values(out, lo, hi, output_centre(snap), "output")
    else:
        got = neuron_values(snap, layer, index)
        assert got is not None, (layer, index)
        values = got
    t = map_diverging(sample(values.grid, rows, cols), values.lo, values.hi, values.centre)
    pal = diverging_palette()
    return pal, memory.bin(pal, t, tag, margin)
