"""Line charts as plain arrays: round tick values, short tick labels and braille dots.

* :func:`nice_step`, :func:`linear_ticks`, :func:`log_ticks`: axis ticks at
  round values (steps of 1, 2 or 5 x 10^k; powers of ten on a log axis);
* :func:`tick_labels`, :func:`decade_label`: short labels for them
  ("250", "1.5k", "0.02", "1e-4"), never a long run of digits;
* :func:`braille_dots`: series drawn as lines of braille dots. A braille
  character is 2 dots wide and 4 high, so a ``cols`` x ``rows`` chart has
  ``2 * cols`` x ``4 * rows`` dots; each cell also says which series drew in
  it last (its colour).

The widgets turn the dots into characters and styles.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = [
    "BRAILLE_BASE",
    "Dots",
    "braille_dots",
    "decade_label",
    "log_ticks",
    "linear_ticks",
    "nice_step",
    "tick_labels",
]

BRAILLE_BASE = 0x2800
# The bit of each dot of a braille cell, by (dot row 0..3, dot column 0..1).
_BITS = np.array([[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]], dtype=np.int32)
_EPS = 1e-9


def nice_step(span: float, max_ticks: int, integer: bool = False) -> float:
    """The smallest step of 1, 2 or 5 x 10^k with at most ``max_ticks`` ticks over ``span``.

    With ``integer`` the step is a whole number (at least 1).
    """
    max_ticks = max(int(max_ticks), 2)
    if not (span > 0 and math.isfinite(span)):
        return 1.0
    raw = span / (max_ticks - 1)
    k = math.floor(math.log10(raw))
    step = 10.0 ** (k + 1)
    for e in (k, k + 1):
        found = next((m * 10.0**e for m in (1.0, 2.0, 5.0) if m * 10.0**e >= raw * (1 - _EPS)), None)
        if found is not None:
            step = found
            break
    if integer:
        step = max(float(round(step)), 1.0)
    return step


def _count(lo: float, hi: float, step: float) -> int:
    return math.floor(hi / step + _EPS) - math.ceil(lo / step - _EPS) + 1


def linear_ticks(lo: float, hi: float, max_ticks: int, integer: bool = False) -> tuple[list[float], float]:
    """Multiples of the smallest round step (1, 2 or 5 x 10^k; whole with ``integer``)
    that puts at most ``max_ticks`` of them within [lo, hi]; and the step."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return [], 1.0
    if hi < lo:
        lo, hi = hi, lo
    max_ticks = max(int(max_ticks), 2)
    step = nice_step(hi - lo, max_ticks, integer)
    if hi > lo:
        k = math.floor(math.log10((hi - lo) / max_ticks))
        for e in (k - 1, k, k + 1):
            smaller = [m * 10.0**e for m in (1.0, 2.0, 5.0) if m * 10.0**e < step * (1 - _EPS)]
            if integer:
                smaller = [c for c in smaller if c >= 1 and abs(c - round(c)) < _EPS]
            found = next((c for c in smaller if _count(lo, hi, c) <= max_ticks), None)
            if found is not None:
                step = found
                break
    first = math.ceil(lo / step - _EPS)
    last = math.floor(hi / step + _EPS)
    ticks = [i * step for i in range(first, last + 1)]
    if integer:
        ticks = [float(round(t)) for t in ticks]
    return ticks, step


def log_ticks(lo_exp: int, hi_exp: int, max_ticks: int) -> list[int]:
    """Powers of ten (as exponents) from ``lo_exp`` to ``hi_exp``: every decade, or every
    second, fifth ... when there are more than ``max_ticks``."""
    if hi_exp < lo_exp:
        lo_exp, hi_exp = hi_exp, lo_exp
    n = hi_exp - lo_exp
    every = 1
    while n // every + 1 > max(max_ticks, 2):
        every += 1
    return [e for e in range(lo_exp, hi_exp + 1) if e % every == 0] or [lo_exp]


def decade_label(exp: int) -> str:
    """10^exp, short: "0.01" ... "1000" near one, "1e-4" and "1e5" beyond."""
    if -2 <= exp <= 3:
        return f"{10.0**exp:.{max(-exp, 0)}f}"
    return f"1e{exp}"


def _trim(label: str) -> str:
    """"1.50" -> "1.5", "2.0" -> "2"; "-0" -> "0"."""
    if "." in label:
        label = label.rstrip("0").rstrip(".")
    return "0" if label in ("-0", "") else label


def tick_labels(ticks: Sequence[float], step: float) -> list[str]:
    """Short labels for ticks ``step`` apart: as many decimals as the step needs;
    thousands as "k" and millions as "M" when the values are that large; and
    a short scientific form for steps below 0.001."""
    if not ticks:
        return []
    top = max(abs(t) for t in ticks)
    if (step < 1e-3 and top > 0) or top >= 1e9:
        return ["0" if abs(t) < step * 1e-6 else _sci(t) for t in ticks]
    for unit, suffix, least in ((1e6, "M", 1e6), (1e3, "k", 1e4)):
        if top >= least and step >= unit / 10:
            return [_fixed(t / unit, step / unit) + ("" if abs(t) < step * 1e-6 else suffix) for t in ticks]
    return [_fixed(t, step) for t in ticks]


def _fixed(v: float, step: float) -> str:
    decimals = max(0, -math.floor(math.log10(step) + _EPS)) if step > 0 else 0
    return _trim(f"{v:.{decimals}f}")


def _sci(v: float) -> str:
    mantissa, _, exp = f"{v:.2g}".partition("e")
    if not exp:
        m, e = f"{v:.1e}".split("e")
        mantissa, exp = _trim(m), e
    return f"{_trim(mantissa)}e{int(exp)}"


@dataclass(frozen=True, eq=False)
class Dots:
    """Braille dots of a chart: ``bits`` (rows, cols) the dots of each cell (0 = empty,
    else the character is ``BRAILLE_BASE + bits``), ``owner`` the series that drew in
    each cell last (-1 none)."""

    bits: npt.NDArray[np.int32]
    owner: npt.NDArray[np.int16]

    def chars(self, row: int) -> str:
        """Row ``row`` as text (a space where no dot is set)."""
        return "".join(chr(BRAILLE_BASE + b) if b else " " for b in self.bits[row].tolist())


def _dots_of_line(px: npt.NDArray[np.float64], py: npt.NDArray[np.float64]) -> tuple[
        npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Dot coordinates along the polyline through (px, py), one dot per dot-step."""
    if len(px) < 2:
        return np.rint(px).astype(np.intp), np.rint(py).astype(np.intp)
    dx, dy = np.diff(px), np.diff(py)
    n = np.maximum(np.ceil(np.maximum(np.abs(dx), np.abs(dy))), 1.0).astype(np.intp)
    seg = np.repeat(np.arange(len(n)), n)
    start = np.repeat(np.cumsum(n) - n, n)
    t = (np.arange(int(n.sum())) - start) / n[seg]
    xs = np.append(px[seg] + dx[seg] * t, px[-1])
    ys = np.append(py[seg] + dy[seg] * t, py[-1])
    return np.rint(xs).astype(np.intp), np.rint(ys).astype(np.intp)


def braille_dots(series: Sequence[tuple[npt.ArrayLike, npt.ArrayLike]], x_range: tuple[float, float],
                 y_range: tuple[float, float], cols: int, rows: int, lines: bool = True) -> Dots:
    """Each (x, y) series as braille dots over ``cols`` x ``rows`` cells (y up), joined by
    lines (``lines``) or as points; later series own the cells they share with earlier
    ones. Values outside the ranges are drawn at the edge; non-finite ones are skipped."""
    cols, rows = max(int(cols), 0), max(int(rows), 0)
    bits = np.zeros((rows, cols), dtype=np.int32)
    owner = np.full((rows, cols), -1, dtype=np.int16)
    if cols == 0 or rows == 0:
        return Dots(bits, owner)
    w, h = 2 * cols, 4 * rows
    x0, x1 = x_range
    y0, y1 = y_range
    sx = (w - 1) / (x1 - x0) if x1 > x0 else 0.0
    sy = (h - 1) / (y1 - y0) if y1 > y0 else 0.0
    for i, (x, y) in enumerate(series):
        xa = np.asarray(x, dtype=np.float64)
        ya = np.asarray(y, dtype=np.float64)
        keep = np.isfinite(xa) & np.isfinite(ya)
        xa, ya = xa[keep], ya[keep]
        if len(xa) == 0:
            continue
        px = np.clip((xa - x0) * sx if sx else np.full(len(xa), (w - 1) / 2), 0, w - 1)
        py = np.clip((y1 - ya) * sy if sy else np.full(len(ya), (h - 1) / 2), 0, h - 1)
        ix, iy = _dots_of_line(px, py) if lines else (np.rint(px).astype(np.intp), np.rint(py).astype(np.intp))
        np.clip(ix, 0, w - 1, out=ix)
        np.clip(iy, 0, h - 1, out=iy)
        on = np.zeros((h, w), dtype=bool)
        on[iy, ix] = True
        cell = np.einsum("rdcb,db->rc", on.reshape(rows, 4, cols, 2).astype(np.int32), _BITS)
        bits |= cell.astype(np.int32)
        owner[cell > 0] = i
    return Dots(bits, owner)
