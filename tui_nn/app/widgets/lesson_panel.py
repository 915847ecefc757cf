"""The lesson's text beside the plots: what the learner is looking at, what to
try and the question it answers, in the current language."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from ...i18n import _
from ...lessons import LESSONS, Lesson
from .activation_plot import activation_plot, slopes_line
from .colors import color_mode

__all__ = ["LessonPanel", "lesson_text"]


def lesson_text(lesson: Lesson) -> Text:
    """The lesson as one Rich text: its number and title, then Look, Try and Question,
    then the keys that move between lessons."""
    text = Text()
    text.append(_("Lesson {number} of {count}").format(number=lesson.number, count=len(LESSONS)) + "\n",
                style="dim")
    text.append(_(lesson.title) + "\n\n", style="bold")
    for heading, body in ((_("Look"), lesson.look), (_("Try"), lesson.try_), (_("Question"), lesson.question)):
        text.append(heading + "\n", style="bold underline")
        text.append(_(body) + "\n\n")
    text.append(_("e hides this text · . next lesson · , previous"), style="dim")
    return text


class LessonPanel(VerticalScroll, can_focus=True):
    """Shows one lesson's text; scrolls (arrow keys once Tab has reached it, or the wheel)
    when it is longer than the panel."""

    DEFAULT_CSS = """
    LessonPanel { width: 38; padding: 0 1; border-right: vkey $panel; }
    LessonPanel > Static { width: 100%; }
    """

    def __init__(self, lesson: Lesson | None = None, *, activation: str = "", id: str | None = None) -> None:
        super().__init__(id=id)
        self.lesson = lesson
        self.activation = activation
        self._body = Static("", markup=False)
        self._plot = Static("", markup=False)

    def compose(self) -> ComposeResult:
        yield self._body
        yield self._plot

    def on_mount(self) -> None:
        self.show(self.lesson)

    def on_resize(self) -> None:
        self._draw_plot()

    def show(self, lesson: Lesson | None, activation: str | None = None) -> None:
        """Show ``lesson`` (None: nothing) from its top; ``activation``: the network's now."""
        self.lesson = lesson
        if activation is not None:
            self.activation = activation
        self._body.update(lesson_text(lesson) if lesson is not None else "")
        self._draw_plot()
        self.scroll_home(animate=False)

    def set_activation(self, name: str) -> None:
        if name != self.activation:
            self.activation = name
            self._draw_plot()

    def _draw_plot(self) -> None:
        """The activation lessons (those that vary it) draw the network's activation and
        its derivative, and list each compared activation's largest slope."""
        lesson = self.lesson
        if lesson is None or lesson.vary is None or lesson.vary[0] != "network.activation" or not self.activation:
            self._plot.update("")
            return
        width = max(self.content_region.width, 20)
        text = Text("\n").join(activation_plot(self.activation, width, 8, color_mode(self.app)))
        text.append("\n" + slopes_line(lesson.vary[1]), style="dim")
        self._plot.update(text)
