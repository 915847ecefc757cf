"""Colour scales shared by the decision grid, the neuron thumbnails and the charts.

TensorFlow Playground paints the plane with a diverging scale: orange for low
values (class 0, negative), a pale grey-white in the middle and blue for high
values (class 1, positive). We do the same, quantised to a few levels so the
terminal sees few distinct styles (fewer bytes, merged runs of equal colour).

Three colour modes:

* ``"truecolor"``: RGB colours;
* ``"256"``: the nearest of the xterm 256 colours: what a 256-colour terminal
  gets anyway, and on a truecolor terminal a compact choice: ``38;5;208`` is
  half the bytes of ``38;2;245;147;34``, and the plane is mostly colour codes;
* ``"ansi"``: a few of the 16 ANSI colours, for terminals (or ``App.ansi_color``)
  where RGB would be remapped or lost;
* ``"mono"``: no colour at all (``NO_COLOR``): shading characters ``" ░▒▓█"``
  carry the value instead.

A :class:`Palette` is a list of entries, each with an RGB colour, an ANSI
colour name and a shade in [0, 1]; widgets quantise values to palette indices
with :func:`quantize` and look styles up through :class:`StyleCache`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from rich.color import Color, ColorSystem, ColorType
from rich.color_triplet import ColorTriplet
from rich.style import Style

if TYPE_CHECKING:
    from textual.app import App

__all__ = [
    "ANSI_CLASS",
    "BLUE",
    "CLASS_RGB",
    "LEVELS",
    "MID",
    "MODES",
    "ORANGE",
    "Palette",
    "SHADES",
    "StyleCache",
    "bin_values",
    "blend",
    "class_palette",
    "class_rgb",
    "color_mode",
    "darken",
    "diverging_edges",
    "diverging_palette",
    "diverging_rgb",
    "hex_color",
    "map_diverging",
    "neuron_range",
    "point_rgb",
    "quantize",
    "series_color",
    "shade_char",
    "sign_rgb",
]

RGB = tuple[int, int, int]

ORANGE: RGB = (245, 147, 34)  # TF Playground's #f59322: low values, class 0
MID: RGB = (232, 234, 235)  # #e8eaeb: the middle of the scale
BLUE: RGB = (8, 119, 189)  # #0877bd: high values, class 1
DIM: RGB = (88, 92, 96)  # weak links in the network view

# One colour per class: orange and blue as in TF Playground, then others.
CLASS_RGB: tuple[RGB, ...] = (
    ORANGE,
    BLUE,
    (58, 166, 85),  # green
    (148, 103, 189),  # purple
    (214, 39, 40),  # red
    (23, 190, 207),  # teal
    (188, 189, 34),  # olive
    (227, 119, 194),  # pink
)
ANSI_CLASS: tuple[tuple[str, str], ...] = (
    # (strong, weak) ANSI names per class
    ("yellow", "bright_yellow"),
    ("blue", "bright_blue"),
    ("green", "bright_green"),
    ("magenta", "bright_magenta"),
    ("red", "bright_red"),
    ("cyan", "bright_cyan"),
    ("bright_black", "white"),
    ("bright_magenta", "magenta"),
)
# Low -> high over the diverging scale, in ANSI colours.
ANSI_DIVERGING: tuple[str, ...] = ("yellow", "bright_yellow", "white", "bright_blue", "blue")

# Series colours for line charts (readable on dark and light backgrounds).
SERIES_RGB: tuple[RGB, ...] = (
    (74, 163, 223),
    (245, 147, 34),
    (58, 166, 85),
    (176, 132, 204),
    (225, 87, 89),
    (23, 190, 207),
    (188, 189, 34),
    (156, 117, 95),
)
SERIES_ANSI: tuple[int, ...] = (12, 11, 10, 13, 9, 14, 3, 5)

SHADES = " ░▒▓█"
LEVELS = 12  # colour levels of continuous scales (diverging)
CLASS_LEVELS = 6  # confidence levels per class in multi-class pictures
HYSTERESIS = 0.3  # see bin_values
MODES = ("truecolor", "256", "ansi", "mono")


# ---- plain colour arithmetic ----------------------------------------------------
def blend(a: RGB, b: RGB, q: float) -> RGB:
    """Linear mix: ``a`` at q=0, ``b`` at q=1."""
    q = min(max(q, 0.0), 1.0)
    return (
        round(a[0] + (b[0] - a[0]) * q),
        round(a[1] + (b[1] - a[1]) * q),
        round(a[2] + (b[2] - a[2]) * q),
    )


def darken(c: RGB, factor: float) -> RGB:
    return (round(c[0] * factor), round(c[1] * factor), round(c[2] * factor))


def hex_color(c: RGB) -> str:
    return "#%02x%02x%02x" % c


def diverging_rgb(t: float) -> RGB:
    """TF Playground's scale: orange at 0, near-white at 0.5, blue at 1."""
    if t < 0.5:
        return blend(ORANGE, MID, t / 0.5)
    return blend(MID, BLUE, (t - 0.5) / 0.5)


def class_rgb(c: int) -> RGB:
    return CLASS_RGB[c % len(CLASS_RGB)]


def point_rgb(c: int) -> RGB:
    """A darker, saturated class colour for data points over the heatmap."""
    return darken(class_rgb(c), 0.6)


def sign_rgb(w: float, q: float) -> RGB:
    """A link colour: blue for positive, orange for negative, ``q`` = strength."""
    return blend(DIM, BLUE if w >= 0 else ORANGE, 0.3 + 0.7 * q)


def series_color(i: int, mode: str) -> RGB | int | None:
    """Colour of the i-th chart series in the form plotext takes."""
    if mode == "mono":
        return None
    if mode == "ansi":
        return SERIES_ANSI[i % len(SERIES_ANSI)]
    return SERIES_RGB[i % len(SERIES_RGB)]


def shade_char(s: float) -> str:
    """One of ``" ░▒▓█"`` for a shade in [0, 1]."""
    return SHADES[min(max(int(s * len(SHADES)), 0), len(SHADES) - 1)]


# ---- palettes ---------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Palette:
    """Indexed colours: RGB for truecolor, ANSI names for 16 colours, shades for mono.

    ``edges`` (bins + 1 values over [0, 1]) map a value onto an entry, see
    :meth:`index`; for class palettes they apply to the confidence within a class.
    """

    name: str
    rgb: tuple[RGB, ...]
    ansi: tuple[str, ...]
    shade: tuple[float, ...]
    edges: np.ndarray = field(default_factory=lambda: np.linspace(0.0, 1.0, 2))

    def __len__(self) -> int:
        return len(self.rgb)

    @property
    def bins(self) -> int:
        return len(self.edges) - 1

    def color(self, i: int, mode: str) -> Color | None:
        if mode == "mono":
            return None
        if mode == "ansi":
            return _ansi(self.ansi[i])
        if mode == "256":
            return _eight_bit(self.rgb[i])
        return _rgb(self.rgb[i])

    def index(self, t: np.ndarray, prev: np.ndarray | None = None, margin: float = 0.0) -> np.ndarray:
        """Bin of each value of ``t`` (in [0, 1]); see :func:`bin_values`."""
        return bin_values(t, self.edges, prev, margin)


def bin_values(t: np.ndarray, edges: np.ndarray, prev: np.ndarray | None = None,
               margin: float = 0.0) -> np.ndarray:
    """Values in [0, 1] onto bins 0..len(edges)-2 (int16), with hysteresis.

    With ``prev`` (the bins shown last time, same shape), a value keeps its old
    bin while it stays within that bin widened by ``margin`` of its width on
    each side: values hovering on an edge do not flicker between two colours,
    and fewer cells change (fewer bytes to the terminal) from one frame to the next.
    """
    t = np.asarray(t, dtype=np.float32)
    idx = np.searchsorted(edges[1:-1], t, side="right").astype(np.int16)
    if prev is not None and margin > 0 and prev.shape == idx.shape:
        p = np.clip(prev, 0, len(edges) - 2)
        lo = edges[p]
        hi = edges[p + 1]
        w = (hi - lo) * margin
        keep = (t >= lo - w) & (t < hi + w)
        idx = np.where(keep, p, idx).astype(np.int16)
    return idx


def diverging_edges(bins: int, power: float = 1.5) -> np.ndarray:
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
    rgb, ansi, shade = [], [], []
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


# ---- value mapping ------------------------------------------------------------------
def map_diverging(
    values: np.ndarray, lo: float, hi: float, centre: float | None = None
) -> np.ndarray:
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


def quantize(t: np.ndarray, levels: int) -> np.ndarray:
    """[0, 1] floats onto 0..levels-1 (int16)."""
    q = (np.asarray(t, dtype=np.float32) * levels).astype(np.int16)
    np.clip(q, 0, levels - 1, out=q)
    return q


_BOUNDED = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "softsign": (-1.0, 1.0), "step": (0.0, 1.0)}


def neuron_range(values: np.ndarray, activation: str | None = None) -> tuple[float, float]:
    """The range a neuron's heatmap is coloured over.

    Bounded activations use their own range; anything else (ReLU, linear,
    inputs such as x1 over [-6, 6]) is scaled symmetrically by its largest
    magnitude, so zero stays white.
    """
    if activation in _BOUNDED:
        return _BOUNDED[activation]
    v = np.asarray(values)
    m = float(np.nanmax(np.abs(v))) if v.size else 1.0
    if not np.isfinite(m) or m <= 1e-12:
        m = 1.0
    return (-m, m)


# ---- detecting the colour mode ----------------------------------------------------
def color_mode(
    app: "App | None", monochrome: bool = False, override: str | None = None, compact: bool = False
) -> str:
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
        self._styles: dict[tuple, Style] = {}

    def get(self, fg: Color | None, bg: Color | None, bold: bool = False) -> Style:
        key = (fg, bg, bold)
        style = self._styles.get(key)
        if style is None:
            style = Style(color=fg, bgcolor=bg, bold=bold or None)
            self._styles[key] = style
        return style

    def clear(self) -> None:
        self._styles.clear()

    def __len__(self) -> int:
        return len(self._styles)
