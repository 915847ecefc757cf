"""TF Playground's network diagram, in text (drawn by :mod:`.network_draw`).

Arrow keys (or a click) move the selection; each move posts
``NetworkView.NeuronSelected(layer, index)``: layer -1 = inputs, 0.. = hidden
layers, and the output layer (``layer == number of hidden layers``) with
``index=None`` for a single output unit (or the class for softmax units).
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from textual import events
from textual.binding import Binding, BindingType
from textual.strip import Strip

from ...training.snapshot import Snapshot
from .colors import color_mode
from .network_draw import Geometry, NetworkPainter, fit_geometry
from .redraw import LatestMessage, SnapshotWidget

__all__ = ["NetworkView"]


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
        Binding("up", "move(0, -1)", "Up", show=False),
        Binding("down", "move(0, 1)", "Down", show=False),
        Binding("left", "move(-1, 0)", "Left", show=False),
        Binding("right", "move(1, 0)", "Right", show=False),
        Binding("enter", "choose", "Show neuron", show=False),
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
        self._body: list[Strip] = []
        self._header = Strip([])
        self._info = Strip([])
        self._scroll = (0, 0)
        self._mode = "truecolor"
        self.painter = NetworkPainter()
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
        # Columns are top-aligned: moving sideways keeps the row (clamped).
        idx = min(max(idx + dy, 0), sizes[col] - 1)
        if (col, idx) != self._sel:
            self._choose(col, idx)

    def action_choose(self) -> None:
        self._post()

    def on_mount(self) -> None:
        self._rebuild(force=True)

    def on_resize(self, _event: events.Resize) -> None:
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
        x, y = offset.x + sx, offset.y - 1 + sy
        if offset.y < 1 or y >= geo.body_h or y % geo.pitch >= geo.th:
            return
        idx = y // geo.pitch
        for col, cx in enumerate(geo.col_x):
            x0 = 0 if col == 0 else cx
            if x0 <= x < geo.column_end(col) and idx < geo.sizes[col]:
                self.focus()
                self._choose(col, idx)
                return

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
        view_h = max(self.size.height - 2, 1)
        sx, sy = self._scroll
        sy = min(max(sy + dy, 0), max(geo.body_h - view_h, 0))
        if (sx, sy) != self._scroll:
            self._scroll = (sx, sy)
            self._compose_screen(force=True)

    def _follow_selection(self, geo: Geometry) -> None:
        width, height = self.size
        view_h = max(height - 2, 1)
        sx, sy = self._scroll
        col, idx = self._sel
        top = geo.neuron_top(idx)
        bottom = top + geo.th
        if top < sy:
            sy = top
        elif bottom > sy + view_h:
            sy = bottom - view_h
        sy = min(max(sy, 0), max(geo.body_h - view_h, 0))
        left = geo.col_x[col] - (geo.label_w if col == 0 else 2)
        right = geo.column_end(col)
        if left < sx:
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
            self.set_lines([Strip([Segment(" No network yet.", base)]).adjust_cell_length(width, base)], force=True)
            return
        mode = color_mode(self.app, override=self.force_mode, compact=self.compact_colors)
        if mode != self._mode:
            self._mode = mode
            force = True
        thumbs = snap.input_grids is not None and snap.output_grid is not None
        out_names = snap.class_names if snap.sizes[-1] > 1 else ("out",)
        geo = fit_geometry(tuple(snap.sizes), tuple(snap.input_names), tuple(out_names), thumbs, width, height)
        if geo != self._geo:
            force = True
            self._geo = geo
            self.painter.reset()
        self._follow_selection(geo)
        painter, focused = self.painter, self.has_focus
        self._body = painter.body(snap, geo, tuple(out_names), mode, base, self._sel, focused)
        self._header = painter.header(snap, geo, base)
        self._info = painter.info(snap, *self.selected, base, focused)
        self.builds += 1
        self.drew()
        self._compose_screen(force=force)

    def _compose_screen(self, force: bool = False) -> None:
        width, height = self.size
        base = self.rich_style
        sx, sy = self._scroll
        screen: list[Strip] = []
        screen.append(self._header.crop(sx, sx + width).adjust_cell_length(width, base))
        body_rows = max(height - 2, 0) if height >= 3 else max(height - 1, 0)
        blank = Strip.blank(width, base)
        for r in range(body_rows):
            y = sy + r
            if y < len(self._body):
                screen.append(self._body[y].crop(sx, sx + width).adjust_cell_length(width, base))
            else:
                screen.append(blank)
        if height >= 3:
            screen.append(self._info.crop(0, width).adjust_cell_length(width, base))
        self.set_lines(screen[:height], force=force)
