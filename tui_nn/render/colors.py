"""Plain colour arithmetic and the colours the pictures use (RGB tuples, ANSI names).

TensorFlow Playground paints the plane with a diverging scale: orange for low
values (class 0, negative), a pale grey-white in the middle and blue for high
values (class 1, positive); classes beyond two get colours of their own.
Nothing here knows about a terminal: the widgets turn these into Rich colours.
"""

from __future__ import annotations

__all__ = [
    "ANSI_CLASS",
    "ANSI_DIVERGING",
    "BLUE",
    "CLASS_RGB",
    "DEAD",
    "DIM",
    "MID",
    "ORANGE",
    "RGB",
    "SERIES_ANSI",
    "SERIES_RGB",
    "SHADES",
    "blend",
    "class_rgb",
    "darken",
    "diverging_rgb",
    "point_rgb",
    "series_color",
    "sign_rgb",
]

RGB = tuple[int, int, int]

ORANGE: RGB = (245, 147, 34)  # TF Playground's #f59322: low values, class 0
MID: RGB = (232, 234, 235)  # #e8eaeb: the middle of the scale
BLUE: RGB = (8, 119, 189)  # #0877bd: high values, class 1
DIM: RGB = (88, 92, 96)  # weak links in the network view
DEAD: RGB = (128, 128, 128)  # a dead link (a weight of exactly zero): grey

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

SHADES = " ░▒▓█"  # without colour, the value as shading: empty .. full


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
    """Colour of the i-th chart series: RGB, an ANSI colour number in "ansi", None in mono."""
    if mode == "mono":
        return None
    if mode == "ansi":
        return SERIES_ANSI[i % len(SERIES_ANSI)]
    return SERIES_RGB[i % len(SERIES_RGB)]
