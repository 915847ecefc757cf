"""The pictures of a run as plain arrays: no terminal, no Textual, no Rich.

* :mod:`.colors`: RGB colours and colour arithmetic;
* :mod:`.palette`: indexed colour scales, values onto their bins (hysteresis);
* :mod:`.field`: which values a picture shows (output, a neuron, a class's
  probability) as palette indices;
* :mod:`.points`: data points on the pixel grid and their colours;
* :mod:`.cells`: pixels to terminal cells (half blocks, shades, points, runs);
* :mod:`.layout`: where the plane goes in a widget.

The widgets (``tui_nn.app.widgets``) turn these into Rich styles and strips.
"""

from .cells import Cell, Cells, encode, first_equal, sample
from .field import BinMemory, ColourField, Field, Legend, thumbnail_levels
from .layout import PlaneLayout
from .palette import Palette, bin_values, class_palette, diverging_edges, diverging_palette, map_diverging
from .points import Points, pixel_coords, point_layer

__all__ = [
    "BinMemory",
    "Cell",
    "Cells",
    "ColourField",
    "Field",
    "Legend",
    "Palette",
    "PlaneLayout",
    "Points",
    "bin_values",
    "class_palette",
    "diverging_edges",
    "diverging_palette",
    "encode",
    "first_equal",
    "map_diverging",
    "pixel_coords",
    "point_layer",
    "sample",
    "thumbnail_levels",
]
