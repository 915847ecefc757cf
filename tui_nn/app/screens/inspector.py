"""The backprop inspector (`i`): one example's forward and backward pass, stepped
through like a debugger, every number plugged into its formula.

``InspectorScreen(send, neuron=...)`` is pushed over the playground (which
pauses the run first, ``EditActions.action_inspect``). On mount it asks the
trainer for a trace of the worst-predicted training example
(``send(Inspect(None))``) and says "tracing…" until ``show_trace(traced)``
brings it (the app calls that for every ``Traced`` event); an error comes
back in place, one line, and the screen keeps what it showed.

Keys: → / n / l the next stage, ← / p / h the previous one, Home / End the
first and the last; ↓ / ↑ trace the next and the previous example of the
same split, ``w`` the worst-predicted training example again, ``t`` the
other split (its first example); PageUp / PageDown scroll; Esc goes back to
the playground, ``q`` quits. The stages and their text are
``widgets/inspector_text.py``'s.

It is a modal screen: the playground's own keys wait behind it (space, its
priority key, steps aside for modal screens: ``RunActions.check_action``),
so nothing trains while the inspector is up.

Layout: a header line (the preset, the example, its split, the epoch the
trace was taken at, the loss), a status line only while there is something to
say ("tracing…", an error), the stage's lines in a scrollable area (wrapped
to its width in cells: Korean letters take two), a "where am I" line and the
footer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from ...i18n import N_, _, on_change
from ...session.protocol import Command, Inspect, Traced
from ...training.backprop import Trace
from ...training.backprop_text import num
from ..bindings import translate_keys
from ..widgets.compare_table import TextLines
from ..widgets.inspector_text import (
    Stage,
    breadcrumb,
    example_words,
    stage_lines,
    stages,
    wrap,
)

__all__ = ["INSPECTOR_BINDINGS", "InspectorScreen"]

INSPECTOR_BINDINGS: list[BindingType] = [
    Binding("escape", "back", N_("Back"), id="inspector.back", tooltip=N_("Back to the playground")),
    Binding("right,n,l", "next_stage", N_("Step"), key_display="← →", id="inspector.next",
            tooltip=N_("The next stage of the pass")),
    Binding("left,p,h", "previous_stage", N_("Step back"), key_display="←", show=False, id="inspector.previous",
            tooltip=N_("The previous stage of the pass")),
    # Space steps too: the playground's space (play) steps aside on this modal screen.
    Binding("space", "next_stage", N_("Step"), show=False, id="inspector.next.space",
            tooltip=N_("The next stage of the pass")),
    Binding("home", "first_stage", N_("First"), show=False, id="inspector.first",
            tooltip=N_("The first stage: the example")),
    Binding("end", "last_stage", N_("Last"), show=False, id="inspector.last",
            tooltip=N_("The last stage: the update")),
    Binding("down,j", "next_example", N_("Example"), key_display="↑ ↓", id="inspector.example.next",
            tooltip=N_("Trace the next example")),
    Binding("up,k", "previous_example", N_("Previous example"), key_display="↑", show=False,
            id="inspector.example.previous", tooltip=N_("Trace the previous example")),
    Binding("w", "worst", N_("Worst"), id="inspector.worst",
            tooltip=N_("Trace the worst-predicted training example")),
    Binding("t", "toggle_split", N_("Train/test"), id="inspector.split",
            tooltip=N_("Trace an example of the test data (or back to the training data)")),
    Binding("pagedown", "scroll_body(1)", N_("Scroll"), show=False, id="inspector.scroll.down",
            tooltip=N_("Scroll the stage down")),
    Binding("pageup", "scroll_body(-1)", N_("Scroll up"), show=False, id="inspector.scroll.up",
            tooltip=N_("Scroll the stage up")),
    # A modal screen hides the app's keys: q quits from here as everywhere.
    Binding("q", "app.quit", N_("Quit"), id="inspector.quit", tooltip=N_("Quit tui-nn (or ctrl+q)")),
]


class InspectorScreen(ModalScreen[None]):
    """One example's pass, stage by stage (see the module)."""

    BINDINGS: ClassVar[list[BindingType]] = INSPECTOR_BINDINGS

    DEFAULT_CSS = """
    InspectorScreen { layout: vertical; background: $background; }
    InspectorScreen > #inspector-head { height: 1; text-style: bold; }
    InspectorScreen > #inspector-status { height: 1; color: $warning; }
    InspectorScreen > #inspector-body { height: 1fr; scrollbar-gutter: stable; padding: 0 0 0 1; }
    InspectorScreen #inspector-lines { width: 1fr; height: auto; }
    InspectorScreen > #inspector-where { height: 1; }
    """

    def __init__(self, send: Callable[[Command], None], *, neuron: tuple[int, int] | None = None) -> None:
        super().__init__()
        self._send_command = send
        self.neuron = neuron
        self.trace: Trace | None = None
        self.epoch = 0
        self.worst = False  # the trace shown is the worst-predicted example's
        self.stage = 0
        self.error = ""
        self.pending = 0  # requests sent and not answered
        self._asked_worst = False
        self._retried = False
        self._stop_listening: Callable[[], None] | None = None
        self.head = TextLines(id="inspector-head")
        self.status = TextLines(id="inspector-status")
        self.body = VerticalScroll(id="inspector-body", can_focus=False)
        self.lines = Static(id="inspector-lines", markup=False)
        self.where = TextLines(id="inspector-where")
        self.body_lines: list[Text] = []  # what the scroll area shows, wrapped
        self._translate_bindings()

    def compose(self) -> ComposeResult:
        yield self.head
        yield self.status
        with self.body:
            yield self.lines
        yield self.where
        yield Footer(compact=True, show_command_palette=False)

    def _translate_bindings(self) -> None:
        """The keys' words (footer) in the current language."""
        translate_keys(self)

    def on_mount(self) -> None:
        self._stop_listening = on_change(lambda _code: self.refresh_text())
        self.request(None)

    def on_unmount(self) -> None:
        if self._stop_listening is not None:
            self._stop_listening()
            self._stop_listening = None

    def on_resize(self, event: events.Resize) -> None:
        self.call_after_refresh(self.refresh_text)

    # ---- the trainer ------------------------------------------------------------------

    def request(self, sample: int | None, split: str = "train") -> None:
        """Ask for a trace (None: the worst-predicted training example)."""
        self._asked_worst = sample is None
        self.pending += 1
        self._send_command(Inspect(sample, split, self.neuron) if self.neuron is not None else Inspect(sample, split))
        self.refresh_text()

    def show_trace(self, traced: Traced) -> None:
        """A trace from the trainer (or why there is none): show it."""
        self.pending = max(0, self.pending - 1)
        if traced.trace is None:
            self.error = traced.error or _("No trace came back.")
            if self.trace is None and self.neuron is not None and not self._retried:
                # The selected neuron may not be this network's: trace without it.
                self._retried = True
                self.neuron = None
                self.request(None)
                return
        else:
            old = stages(self.trace) if self.trace is not None else []
            self.trace = traced.trace
            self.epoch = traced.epoch
            self.worst = self._asked_worst
            self.error = ""
            new = stages(traced.trace)
            if old != new:
                self.stage = min(self.stage, len(new) - 1)
        self.refresh_text()

    # ---- drawing ----------------------------------------------------------------------

    def _width(self, widget: TextLines | VerticalScroll) -> int:
        if isinstance(widget, VerticalScroll):
            return widget.scrollable_content_region.width
        return widget.size.width or self.size.width

    def header_text(self) -> Text:
        t = self.trace
        width = self._width(self.head)
        if t is None:
            return Text(_("Backprop inspector"))
        parts = [_("Backprop inspector · {preset}").format(preset=t.preset), example_words(t, self.worst),
                 _("epoch {epoch}").format(epoch=self.epoch), _("loss {loss}").format(loss=num(t.loss))]
        # The least needed part goes first when the line is too narrow for all.
        while len(parts) > 1 and Text(" · ".join(parts)).cell_len > width:
            parts.pop(0)
        return Text(" · ".join(parts))

    def status_text(self) -> Text:
        if self.error:
            return Text(self.error, style=Style(bold=True))
        if self.pending:
            return Text(_("tracing…"))
        return Text("")

    def current_stage(self) -> Stage | None:
        if self.trace is None:
            return None
        return stages(self.trace)[self.stage]

    def stage_text(self) -> list[Text]:
        """The current stage's lines, unwrapped."""
        stage = self.current_stage()
        if self.trace is None or stage is None:
            return [Text(_("tracing…"))]
        return stage_lines(self.trace, stage, self.neuron, self.worst)

    def refresh_text(self) -> None:
        if not self.is_mounted:
            return
        self.head.show([self.header_text()])
        status = self.status_text()
        self.status.display = bool(status.plain)
        self.status.show([status])
        width = max(self._width(self.body) - 1, 10)  # a cell for the eye at the right
        wrapped: list[Text] = []
        for line in self.stage_text():
            wrapped += wrap(line, width)
        if [w.plain for w in wrapped] != [w.plain for w in self.body_lines]:
            self.body.scroll_home(animate=False)
        self.body_lines = wrapped
        content = Text("\n").join(wrapped)
        content.no_wrap = True
        content.overflow = "crop"
        self.lines.update(content)
        where = breadcrumb(self.trace, self.stage, self._width(self.where)) if self.trace is not None else Text("")
        self.where.show([where])

    # ---- keys -------------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss(None)

    def _go(self, index: int) -> None:
        if self.trace is None:
            return
        index = max(0, min(index, len(stages(self.trace)) - 1))
        if index != self.stage:
            self.stage = index
            self.refresh_text()

    def action_next_stage(self) -> None:
        self._go(self.stage + 1)

    def action_previous_stage(self) -> None:
        self._go(self.stage - 1)

    def action_first_stage(self) -> None:
        self._go(0)

    def action_last_stage(self) -> None:
        self._go(10**9)

    def _example(self, step: int) -> None:
        t = self.trace
        if t is None:
            return
        sample = t.sample + step
        if sample < 0:
            self.error = _("This is the first example.")
            self.refresh_text()
            return
        self.request(sample, t.split)

    def action_next_example(self) -> None:
        self._example(1)

    def action_previous_example(self) -> None:
        self._example(-1)

    def action_worst(self) -> None:
        self.request(None)

    def action_toggle_split(self) -> None:
        split = "test" if self.trace is None or self.trace.split == "train" else "train"
        self.request(0, split)

    def action_scroll_body(self, direction: int) -> None:
        if direction > 0:
            self.body.scroll_page_down(animate=False)
        else:
            self.body.scroll_page_up(animate=False)
