"""Line-API plumbing shared by the widgets: repaint only changed rows, within a byte budget.

Textual (8.x) writes a widget's dirty line from the widget's left edge to the
end of the dirty span, as one escape sequence per segment. So the cost of an
update is roughly the bytes of each changed row up to its last change;
:class:`ByteBudget` holds a widget to an average rate, and :class:`LinesWidget`
keeps what is on screen, repaints the spans that differ (rows waiting longest
first) and leaves the rest for a short timer when the budget is spent.
"""

from __future__ import annotations

from collections.abc import Sequence
from os.path import commonprefix
from time import monotonic

from rich.cells import cell_len
from rich.color import ColorSystem
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region
from textual.strip import Strip
from textual.timer import Timer
from textual.widget import Widget

__all__ = ["ByteBudget", "LinesWidget", "changed_span", "color_system_of", "strip_cost"]

_COLOR_SYSTEMS = {
    "truecolor": ColorSystem.TRUECOLOR,
    "256": ColorSystem.EIGHT_BIT,
    "standard": ColorSystem.STANDARD,
    "windows": ColorSystem.WINDOWS,
}


def color_system_of(widget: Widget) -> ColorSystem:
    try:
        name = widget.app.console.color_system or ""
    except Exception:  # pragma: no cover - not running
        name = ""
    return _COLOR_SYSTEMS.get(name, ColorSystem.TRUECOLOR)


def strip_cost(strip: Strip, end: int, color_system: ColorSystem, cache: dict[Style, int]) -> int:
    """Estimated bytes Textual writes for ``strip`` up to cell ``end``."""
    total = 0
    x = 0
    for seg in strip:
        if x >= end:
            break
        text, style = seg.text, seg.style
        ascii_text = text.isascii()
        total += len(text) if ascii_text else len(text.encode())
        if style is not None:
            o = cache.get(style)
            if o is None:
                o = len(style.render("x", color_system=color_system)) - 1
                cache[style] = o
            total += o
        # ``end`` counts cells: a wide (Korean) character takes two.
        x += len(text) if ascii_text else cell_len(text)
    return total


def _same_cells(old: Sequence[Segment], new: Sequence[Segment], from_end: bool = False) -> int:
    """How many cells two segment lists have in common at the start (or the end); never too many."""
    n = min(len(old), len(new))
    i = 0
    if from_end:
        while i < n and old[-1 - i] == new[-1 - i]:
            i += 1
        same = sum(seg.cell_length for seg in new[len(new) - i:])
        if i == n:
            return same
        a, b = old[-1 - i], new[-1 - i]
    else:
        while i < n and old[i] == new[i]:
            i += 1
        same = sum(seg.cell_length for seg in new[:i])
        if i == n:
            return same
        a, b = old[i], new[i]
    if a.style == b.style and not a.control and not b.control:
        ta, tb = (a.text[::-1], b.text[::-1]) if from_end else (a.text, b.text)
        same += cell_len(commonprefix([ta, tb]))
    return same


def changed_span(old: Strip, new: Strip) -> tuple[int, int] | None:
    """The cells ``[a, b)`` where ``new`` differs from ``old``; None if they show the same."""
    if old is new:
        return None
    was, now = list(old), list(new)
    length = new.cell_length
    start = _same_cells(was, now)
    end = length - _same_cells(was, now, from_end=True)
    if start >= end:
        return None if old.cell_length == length else (0, length)
    return (start, end)


class ByteBudget:
    """A token bucket of bytes: ``rate`` per second on average, ``burst`` at once."""

    def __init__(self, rate: float | None, burst: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self._at = monotonic()

    def available(self) -> float:
        if not self.rate:
            return float("inf")
        now = monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self._at) * self.rate)
        self._at = now
        return self.tokens

    def spend(self, n: float) -> None:
        if self.rate:
            self.tokens -= n

    def wait_for(self, cost: float) -> float:
        """Seconds until ``cost`` bytes are available."""
        if not self.rate:
            return 0.0
        return max((min(cost, self.burst) - self.tokens) / self.rate, 0.0)


class LinesWidget(Widget):
    """A widget that shows whole lines (strips) and repaints only those that changed.

    Subclasses call :meth:`set_lines` with the full picture; ``max_rate`` /
    ``burst`` (bytes) bound what goes to the terminal (None = no limit).
    """

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._shown_lines: list[Strip] = []
        self._target_lines: list[Strip] = []
        self._line_age: list[int] = []
        self._cost_cache: dict[Style, int] = {}
        self._line_flush: Timer | None = None
        self._shown_width = -1
        self.budget = ByteBudget(None, 16_000.0)
        self.flush_interval = 0.05
        self.rows_repainted = 0
        self.pending_rows = 0
        self.bytes_estimate = 0

    @property
    def max_rate(self) -> float | None:
        return self.budget.rate

    @max_rate.setter
    def max_rate(self, value: float | None) -> None:
        self.budget.rate = value

    @property
    def burst(self) -> float:
        return self.budget.burst

    @burst.setter
    def burst(self, value: float) -> None:
        self.budget.burst = value

    @property
    def can_draw(self) -> bool:
        """Mounted, with room to draw in."""
        width, height = self.size
        return self.is_mounted and width > 0 and height > 0

    def render_line(self, y: int) -> Strip:
        lines = self._shown_lines
        if 0 <= y < len(lines):
            return lines[y]
        return Strip.blank(self.size.width, self.rich_style)

    def set_lines(self, lines: list[Strip], force: bool = False) -> None:
        """Show ``lines`` (one per row, full width); repaint only what changed."""
        width, height = self.size
        blank = Strip.blank(width, self.rich_style)
        lines = [*lines[:height], *([blank] * max(height - len(lines), 0))]
        self._target_lines = lines
        if force or len(self._shown_lines) != height or self._shown_width != width:
            self._shown_width = width
            self._shown_lines = list(lines)
            self._line_age = [0] * height
            self.rows_repainted = height
            self.pending_rows = 0
            cs = color_system_of(self)
            self.bytes_estimate = sum(strip_cost(s, width, cs, self._cost_cache) for s in lines)
            self.budget.available()
            self.budget.spend(self.bytes_estimate)
            self.refresh()
            return
        self._paint_lines()

    def _paint_lines(self) -> None:
        shown, target, age = self._shown_lines, self._target_lines, self._line_age
        if len(shown) != len(target):
            return
        spans: dict[int, tuple[int, int]] = {}
        for y, (was, now) in enumerate(zip(shown, target)):
            span = changed_span(was, now)
            if span is None:
                shown[y] = now
            else:
                spans[y] = span
        rows = sorted(spans, key=lambda y: -age[y])
        budget = self.budget.available()
        cs = color_system_of(self)
        spent = 0
        painted: list[int] = []
        next_cost = 0
        for y in rows:
            cost = strip_cost(target[y], spans[y][1], cs, self._cost_cache)
            if spent + cost > budget and not (not painted and budget >= self.budget.burst):
                next_cost = cost
                break
            spent += cost
            painted.append(y)
        for y in painted:
            shown[y] = target[y]
            age[y] = 0
        waiting = rows[len(painted):]
        for y in waiting:
            age[y] += 1
        self.budget.spend(spent)
        self.rows_repainted = len(painted)
        self.pending_rows = len(waiting)
        self.bytes_estimate = spent
        if waiting and self._line_flush is None:
            wait = max(self.flush_interval, self.budget.wait_for(next_cost))
            self._line_flush = self.set_timer(wait, self._flush_lines)
        if painted:
            self.refresh(*(Region(spans[y][0], y, spans[y][1] - spans[y][0], 1) for y in painted))

    def _flush_lines(self) -> None:
        self._line_flush = None
        if self.is_mounted:
            self._paint_lines()
