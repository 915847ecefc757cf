"""The loss landscape screen (`L`): the training loss over a plane through the
weights with the path the optimizer took, recomputed by the trainer every few
seconds while the run goes on; or (from the palette) the optimizer lesson's
SGD, momentum and Adam paths from one start on one landscape.

Nothing heavy runs on the UI thread: the run's landscape is computed in the
trainer's process (``ComputeLandscape``), the optimizers' in a thread worker.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static

from ...i18n import N_, _
from ...session.protocol import Command, ComputeLandscape, LandscapeReady
from ...training.landscape import OptimizerPaths, optimizer_lesson
from ..bindings import translate_keys
from ..widgets.landscape_view import LandscapeView

__all__ = ["LandscapeScreen", "REFRESH_SECONDS"]

REFRESH_SECONDS = 2.0  # how often the run's landscape is asked for again


class LandscapeScreen(Screen[None]):
    """``send`` reaches the trainer; ``optimizers``: show the optimizer lesson's
    paths (seed ``seed``) instead of this run's."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", N_("Back"), id="landscape.back", show=False,
                tooltip=N_("Back to the playground")),
        # The screen's own keys are named on its last line: at 80 columns the footer
        # has room for the playground's keys only.
        Binding("r", "refresh", N_("Recompute"), id="landscape.refresh", show=False,
                tooltip=N_("Compute the landscape around the weights as they are now")),
        Binding("a", "toggle_auto", N_("Auto"), id="landscape.auto", show=False,
                tooltip=N_("Recompute every two seconds while the run goes on, or not")),
        Binding("l", "toggle_log", N_("Log loss"), id="landscape.log", show=False, tooltip=N_("Loss colours on a log scale")),
    ]

    DEFAULT_CSS = """
    LandscapeScreen { layout: vertical; }
    LandscapeScreen #landscape-head { height: auto; padding: 0 1; }
    LandscapeScreen LandscapeView { height: 1fr; }
    LandscapeScreen #landscape-keys { height: 1; padding: 0 1; color: $text-muted; }
    """

    def __init__(self, send: Callable[[Command], None], *, optimizers: bool = False, seed: int = 0) -> None:
        super().__init__()
        self.send = send
        self.optimizers = optimizers
        self.seed = seed
        self.auto = not optimizers
        self.received = 0
        self.view = LandscapeView()
        self.head = Static("", id="landscape-head", markup=False)
        self.keys = Static(_("r recompute · a auto-refresh on/off · l log scale · esc back"), id="landscape-keys",
                           markup=False)

    def compose(self) -> ComposeResult:
        yield self.head
        yield self.view
        yield self.keys
        # At 80 columns the keys need the room the palette hint takes (ctrl+p still opens it).
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        translate_keys(self)
        self.head.update(_("Computing the loss landscape…"))
        if self.optimizers:
            self._optimizer_paths()
        else:
            self.action_refresh()
            self.set_interval(REFRESH_SECONDS, self._tick)

    def _tick(self) -> None:
        if self.auto:
            self.action_refresh()

    def action_refresh(self) -> None:
        if self.optimizers:
            self._optimizer_paths()
        else:
            self.send(ComputeLandscape())

    def action_toggle_auto(self) -> None:
        self.auto = not self.auto

    def action_toggle_log(self) -> None:
        self.view.log_scale = not self.view.log_scale

    def show_landscape(self, ready: LandscapeReady) -> None:
        """The trainer's answer to ``ComputeLandscape``."""
        self.received += 1
        if ready.error or ready.landscape is None:
            self.head.update(_("No loss landscape: {reason}").format(reason=ready.error or "?"))
            return
        self.view.show(ready.landscape, ready.paths, ready.explained)
        self.head.update(_(
            "Loss landscape at epoch {epoch}: the training loss on the plane of the path's first two principal "
            "directions through the weights now (centre). The line is the path the optimizer took.").format(
            epoch=ready.epoch))

    @work(thread=True, exclusive=True, group="landscape")
    def _optimizer_paths(self) -> None:
        lesson = optimizer_lesson(self.seed)
        self.app.call_from_thread(self._show_optimizers, lesson)

    def _show_optimizers(self, lesson: OptimizerPaths) -> None:
        self.received += 1
        # The noisiest first: it is drawn on top.
        order = sorted(range(len(lesson.traces)), key=lambda k: lesson.names[k] != lesson.names[0])
        self.view.show(lesson.landscape, tuple(lesson.traces[k] for k in order), lesson.directions.explained)
        self.head.update(_(
            "{names} from the same start on the same data, on one loss landscape (the plane of their paths' first "
            "two principal directions): SGD's path is noisy, momentum's and Adam's smooth.").format(
            names=", ".join(lesson.names)))
