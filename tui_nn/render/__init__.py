"""The pictures of a run as plain arrays: no terminal, no Textual, no Rich.

* :mod:`.colors`: RGB colours and colour arithmetic;
* :mod:`.palette`: indexed colour scales, values onto their bins (hysteresis);
* :mod:`.field`: which values a picture shows (output, a neuron, a class's
  probability) as palette indices;
* :mod:`.points`: data points on the pixel grid and their colours;
* :mod:`.cells`: pixels to terminal cells (half blocks, shades, points, runs);
* :mod:`.layout`: where the plane goes in a widget, and its axis ticks;
* :mod:`.chart`: line charts: round tick values, short labels, braille dots.

The widgets (``tui_nn.app.widgets``) turn these into Rich styles and strips.
"""

from .cells import Cell, Cells, encode, first_equal, sample
from .chart import Dots, braille_dots, linear_ticks, log_ticks, tick_labels
from .field import BinMemory, ColourField, Field, Legend, thumbnail_levels
from .layout import AxisTick, PlaneLayout, plane_ticks
from .palette import Palette, bin_values, class_palette, diverging_edges, diverging_palette, map_diverging
from .points import Points, pixel_coords, point_layer

__all__ = [
    "AxisTick",
    "BinMemory",
    "Cell",
    "Cells",
    "ColourField",
    "Dots",
    "Field",
    "Legend",
    "Palette",
    "PlaneLayout",
    "Points",
    "bin_values",
    "braille_dots",
    "class_palette",
    "diverging_edges",
    "diverging_palette",
    "encode",
    "first_equal",
    "linear_ticks",
    "log_ticks",
    "map_diverging",
    "pixel_coords",
    "plane_ticks",
    "point_layer",
    "sample",
    "thumbnail_levels",
    "tick_labels",
]
