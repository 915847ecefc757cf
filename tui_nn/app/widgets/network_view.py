"""TF Playground's network diagram, in text (drawn by :mod:`.network_draw`).

The panel shows a header (each layer's title), the diagram, a line saying
what the link strips mean (and, when the net is wider than the panel, how
many layers lie beyond each edge), for a large net's snapshot a line saying
what it summarised (``snap.summarised``: a coarser plane, the first 64
neurons of each layer pictured), and the selected neuron's details. The
view scrolls to follow the selection, so arrow keys reach every layer (and
every neuron of a large layer: those beyond the pictured ones share its
"+N more" slot).

Arrow keys (or a click) move the selection; each move posts
``NetworkView.NeuronSelected(layer, index)``: layer -1 = inputs, 0.. = hidden
layers, and the output layer (``layer == number of hidden layers``) with
``index=None`` for a single output unit (or the class for softmax units).
"""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.strip import Strip

from ...data.synthetic import shown_class_name
from ...i18n import N_, _, ngettext
from ...training.snapshot import Snapshot
from .colors import color_mode
from .network_draw import Geometry, NetworkPainter, Window, fit_geometry, more_counts, pictured_counts
from .network_labels import HeaderItem, NetworkLabels
from .redraw import LatestMessage, SnapshotWidget

__all__ = ["NetworkView"]


def plan_rows(height: int, summarised: bool = False) -> tuple[int, bool, bool, bool]:
    """(body rows, a legend / "more layers" row?, a row saying what a large net's
    snapshot left out?, an info row?) for a panel of ``height`` rows."""
    info = height >= 3
    extra = height >= 6
    summary = summarised and height >= 10
    return max(height - 1 - info - extra - summary, 0), extra, summary, info


class NetworkView(SnapshotWidget, can_focus=True):
    """The network as columns of neuron thumbnails with weight strips between them.

    Public API: ``update_snapshot(snap)``; ``select(layer, index, post=False)``;
    ``selected`` -> ``(layer, index)``; message ``NeuronSelected(layer, index)``.
    """

    DEFAULT_CSS = """
    NetworkView {
        width: 1fr;
        height: 1fr;
        min-height: 4;
    }
    """
    KIND = "network"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(0, -1)", N_("Up"), show=False),
        Binding("down", "move(0, 1)", N_("Down"), show=False),
        Binding("left", "move(-1, 0)", N_("Left"), show=False),
        Binding("right", "move(1, 0)", N_("Right"), show=False),
        Binding("enter", "choose", N_("Show neuron"), show=False),
    ]

    class NeuronSelected(LatestMessage):
        """A neuron was chosen: layer -1 = inputs, index None = the output.

        While arrow keys repeat, only the latest selection matters.
        """

        def __init__(self, view: NetworkView, layer: int, index: int | None) -> None:
            super().__init__(view)
            self.view = view
            self.layer = layer
            self.index = index

    def __init__(self, snapshot: Snapshot | None = None, *, name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(snapshot, name=name, id=id, classes=classes)
        self._sel = (0, 0)  # (column, index): column 0 = inputs, last = output
        self._geo: Geometry | None = None
        self._header_items: list[HeaderItem] = []
        self._out_names: tuple[str, ...] = ()
        self._body_rows = 0
        self._extra_row = False
        self._summary_row = False
        self._info_row = False
        self._scroll = (0, 0)
        self._mode = "truecolor"
        self.painter = NetworkPainter()
        self.labels = NetworkLabels(self.painter.styles)
        self.builds = 0
        self.force_mode: str | None = None  # "truecolor" | "256" | "ansi" | "mono" | None (detect)
        self.compact_colors = True  # 256-colour codes on truecolor terminals (fewer bytes)

    # ---- public API -----------------------------------------------------------------
    @property
    def selected(self) -> tuple[int, int | None]:
        """The selection as ``(layer, index)`` (see ``NeuronSelected``)."""
        return self._as_layer(*self._sel)

    def select(self, layer: int, index: int | None, post: bool = False) -> None:
        sizes = self._sizes()
        if not sizes:
            return
        col = len(sizes) - 1 if index is None or layer >= len(sizes) - 2 else layer + 1
        self._sel = (col, 0 if index is None else int(index))
        self._clamp()
        self._rebuild()
        if post:
            self._post()

    def draw_snapshot(self) -> None:
        self._rebuild()

    def _accept(self, old: Snapshot | None, snap: Snapshot | None) -> bool:
        self._clamp()
        return True

    def _urgent(self, old: Snapshot | None, snap: Snapshot | None) -> bool:
        """Another network (or none): draw it at once."""
        return old is None or snap is None or old.sizes != snap.sizes

    # ---- actions and events -------------------------------------------------------------
    def action_move(self, dx: int, dy: int) -> None:
        sizes = self._sizes()
        if not sizes:
            return
        col, idx = self._sel
        col = min(max(col + dx, 0), len(sizes) - 1)
        # Moving sideways keeps the unit's index (clamped), as it always has.
        idx = min(max(idx + dy, 0), sizes[col] - 1)
        if (col, idx) != self._sel:
            self._choose(col, idx)

    def action_choose(self) -> None:
        self._post()

    def on_mount(self) -> None:
        self._rebuild(force=True)

    def on_resize(self, _event: events.Resize) -> None:
        self._rebuild(force=True)

    def language_changed(self) -> None:
        self._rebuild(force=True)

    def on_focus(self) -> None:
        self._rebuild()

    def on_blur(self) -> None:
        self._rebuild()

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        geo = self._geo
        if offset is None or geo is None:
            return
        sx, sy = self._scroll
        if not 1 <= offset.y <= self._body_rows:
            return
        hit = geo.hit(offset.x + sx, offset.y - 1 + sy)
        if hit is not None:
            self.focus()
            self._choose(*hit)

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self._scroll_by(3)
        event.stop()

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._scroll_by(-3)
        event.stop()

    # ---- selection and scrolling -----------------------------------------------------
    def _sizes(self) -> tuple[int, ...]:
        return tuple(self._snap.sizes) if self._snap is not None else ()

    def _as_layer(self, col: int, idx: int) -> tuple[int, int | None]:
        sizes = self._sizes()
        if not sizes:
            return (-1, None)
        if col == len(sizes) - 1:
            return (len(sizes) - 2, None if sizes[-1] == 1 else idx)
        return (col - 1, idx)

    def _choose(self, col: int, idx: int) -> None:
        self._sel = (col, idx)
        self._rebuild()
        self._post()

    def _post(self) -> None:
        if self._sizes():
            layer, index = self.selected
            self.post_message(self.NeuronSelected(self, layer, index))

    def _clamp(self) -> None:
        sizes = self._sizes()
        if not sizes:
            self._sel = (0, 0)
            return
        col = min(max(self._sel[0], 0), len(sizes) - 1)
        self._sel = (col, min(max(self._sel[1], 0), sizes[col] - 1))

    def _scroll_by(self, dy: int) -> None:
        geo = self._geo
        if geo is None:
            return
        view_h = max(self._body_rows, 1)
        sx, sy = self._scroll
        sy = min(max(sy + dy, 0), max(geo.body_h - view_h, 0))
        if (sx, sy) != self._scroll:
            self._scroll = (sx, sy)
            self._draw(force=True)

    def _follow_selection(self, geo: Geometry) -> None:
        width = self.size.width
        view_h = max(self._body_rows, 1)
        sx, sy = self._scroll
        col, idx = self._sel
        top = geo.neuron_top(idx, col)
        bottom = top + geo.th
        if geo.shown and (top < sy or bottom > sy + view_h):
            sy = top - (view_h - geo.th) // 2  # a large net's tall columns: the selection to the middle
        elif top < sy:
            sy = top
        elif bottom > sy + view_h:
            sy = bottom - view_h
        sy = min(max(sy, 0), max(geo.body_h - view_h, 0))
        left = 0 if col == 0 else geo.col_x[col] - 2
        right = geo.column_end(col)
        if idx >= geo.pictured(col):
            right = max(right, geo.col_x[col] + 1 + cell_len(geo.more_label(col)))  # "+448 more"
        if geo.shown and (left < sx or right > sx + width):
            # A large net's wide strips: the column a quarter in, its links in and out beside it.
            sx = max(min(left - width // 4, right - width), 0)
        elif left < sx:
            sx = max(left, 0)
        elif right > sx + width:
            sx = right - width
        sx = min(max(sx, 0), max(geo.width - width, 0))
        self._scroll = (sx, sy)

    # ---- drawing ---------------------------------------------------------------------
    def _rebuild(self, force: bool = False) -> None:
        if not self.can_draw:
            return
        width, height = self.size
        snap = self._snap
        base = self.rich_style
        if snap is None or not snap.sizes:
            self._geo = None
            self.set_lines([Strip([Segment(" " + _("No network yet."), base)]).adjust_cell_length(width, base)],
                           force=True)
            return
        mode = color_mode(self.app, override=self.force_mode, compact=self.compact_colors)
        if mode != self._mode:
            self._mode = mode
            force = True
        thumbs = snap.input_grids is not None and snap.output_grid is not None
        out_names = tuple(map(shown_class_name, snap.class_names)) if snap.sizes[-1] > 1 else (_("out"),)
        self._out_names = tuple(out_names)
        body_rows, self._extra_row, self._summary_row, self._info_row = plan_rows(height, bool(snap.summarised))
        self._body_rows = body_rows
        geo = fit_geometry(tuple(snap.sizes), tuple(snap.input_names), tuple(out_names), thumbs, width,
                           max(body_rows, 1), pictured_counts(snap, thumbs))
        if geo != self._geo:
            force = True
            self._geo = geo
            self.painter.reset()
        self._follow_selection(geo)
        self._header_items = self.labels.header_items(snap, geo, width, base)
        self.painter.notes = (self.labels.note_activation, self.labels.note_loss)
        self.builds += 1
        self.drew()
        self._draw(force=force)

    def more_marker(self, width: int) -> str:
        """Says how many layers lie beyond the edges of the view ("" if none), to fit ``width``."""
        geo = self._geo
        if geo is None:
            return ""
        sx, sy = self._scroll
        left, right = more_counts(geo, Window(sx, sy, self.size.width, max(self._body_rows, 1)))
        if not left and not right:
            return ""

        def layers(n: int) -> str:
            return ngettext("{count} more layer", "{count} more layers", n).format(count=n)

        scroll = _("←→ to scroll")
        if left and right:
            marker = f"← {left} · {layers(right)} →"
            variants = [f"{marker}, {scroll}", marker, f"←{left} {right}→"]
        elif right:
            variants = [f"→ {layers(right)}, {scroll}", f"→ {layers(right)}", f"→ +{right}"]
        else:
            variants = [f"← {layers(left)}, {scroll}", f"← {layers(left)}", f"← +{left}"]
        return next((v for v in variants if cell_len(v) <= width), "")

    def _draw(self, force: bool = False) -> None:
        """The screen for the current scroll position (only what is in view is drawn)."""
        snap, geo = self._snap, self._geo
        if snap is None or geo is None or not self.can_draw:
            return
        width, height = self.size
        base = self.rich_style
        sx, sy = self._scroll
        body_rows = self._body_rows
        window = Window(sx, sy, width, body_rows)
        painter, focused = self.painter, self.has_focus
        marker = self.more_marker(width - 2)
        header_window = Window(sx, 0, width, 1)
        if marker and not self._extra_row:
            # No row of its own: the marker takes the end of the header.
            marker = self.more_marker(max(width - 12, 0))
            header_window = Window(sx, 0, max(width - cell_len(marker) - 1, 0), 1)
        header = self.labels.header(self._header_items, header_window, base)
        if marker and not self._extra_row:
            header = Strip.join([header.adjust_cell_length(header_window.width + 1, base),
                                 Strip([Segment(marker, base + Style(bold=True))])])
        screen = [header.adjust_cell_length(width, base)]
        if body_rows:
            body = painter.body(snap, geo, self._out_names, self._mode, base, self._sel, focused, window)
            screen += [row.adjust_cell_length(width, base) for row in body]
        if self._extra_row:
            screen.append(self.labels.legend(self._mode, base, width, marker).adjust_cell_length(width, base))
        if self._summary_row:
            screen.append(self.labels.summary(snap, base, width).adjust_cell_length(width, base))
        if self._info_row:
            info = self.labels.info(snap, *self.selected, base, focused, width)
            screen.append(info.crop(0, width).adjust_cell_length(width, base))
        self.set_lines(screen[:height], force=force)
