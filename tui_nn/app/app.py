"""The playground app: settings on the left, the network, the decision grid,
the loss and the gradients on the right, a status line that says what is
happening.

Training runs in a child process (``SessionProcess``) that owns the trainer;
this side only sends commands and draws the snapshots it publishes. A Textual
thread worker waits on the pipe and posts each snapshot as ``SnapshotReady``,
which replaces a queued predecessor, so a slow frame never builds a backlog.
Every widget gets every snapshot and redraws at its own pace (see
``widgets/redraw.py``).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

from textual import events, on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Footer, Header
from textual.worker import Worker, WorkerState

from ..config import SPECS, Config
from ..i18n import N_, _
from ..lessons import Lesson
from ..session.process import SessionProcess
from ..session.protocol import (
    Command, Event, FileReady, Notice, Reset, ResumeSession, SetAutosave, SetFocus, SetGrid, SetLive, Snapshot, Traced, LandscapeReady,
)
from ..io.session_files import SessionSummary
from .commands import PaletteEntry, PlaygroundCommands
from .dialogs.choice import ChoiceDialog
from .messages import FileReceived, LandscapeReceived, NoticeReceived, SettingChanged, SettingRefused, SnapshotReady, TraceReceived
from .screens.help import HelpScreen
from .bindings import BINDINGS, DEFAULT_PACE
from .run_actions import RunActions
from .editing import EditActions
from .memory import TRIM_SECONDS, release_free_memory
from .opening import OpenActions
from .saving import SaveActions
from .settings_panel import SettingsPanel
from .status import StatusLine
from .widgets import DecisionGrid, GradientChart, LossChart, NetworkView, WeightHistogram
from .widgets.lesson_panel import LessonPanel

SETTINGS_HINT = N_(
    "In the settings: Tab moves, Enter applies a value, space plays (not inside a text field), "
    "Esc goes back to the playground."
)

RESET_REASONS = {
    "data": N_("Reset: the data changed."),
    "network": N_("Reset: the architecture changed."),
    "training": N_("Reset: {key} changed."),
}


class PlaygroundApp(OpenActions, RunActions, SaveActions, EditActions):
    TITLE = "tui-nn"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {PlaygroundCommands}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall"), (50, "-very-tall")]
    BINDINGS: ClassVar[list[BindingType]] = BINDINGS

    def __init__(self, config: Config, *, fps: float = 10.0, pace: float | None = DEFAULT_PACE,
                 autosave: tuple[Path, float] | None = None, resume: str | None = None,
                 offer: SessionSummary | None = None, lesson: Lesson | None = None) -> None:
        """``autosave``: (file, seconds) to save the session to while training;
        ``resume``: a session file to start from; ``offer``: an autosaved run to
        offer to continue; ``lesson``: the lesson whose preset ``config`` is."""
        super().__init__()
        self.config = config
        self.lesson = lesson
        self.autosave, self.offer = autosave, offer
        self.start_weights = config.weights
        self.fps = fps
        self.pace = pace
        self.snapshot: Snapshot | None = None
        self._launch_time = time.perf_counter()
        self.first_frame_seconds: float | None = None
        self.snapshots_seen = 0
        self._exiting = False
        # Forked here, before Textual starts its threads.
        self.session: SessionProcess | None = SessionProcess(config, fps=fps, pace=pace, resume=resume)
        self._grid_sent: tuple[int, int] = (48, 48)  # what the trainer draws the plane at

    # ---- layout -------------------------------------------------------------
    def compose(self) -> ComposeResult:
        # The panels are held by reference: messages that arrive while another
        # screen is on top, or while the app tears down, must not look them up.
        self.settings = SettingsPanel(self.config, id="sidebar")
        self.network_view, self.grid = NetworkView(id="network"), DecisionGrid(id="grid")
        self.loss_chart, self.gradient_chart = LossChart(id="loss"), GradientChart(id="gradient-chart")
        self.weight_histogram, self.status = WeightHistogram(id="weights"), StatusLine("Starting…", id="status")
        self.lesson_panel = LessonPanel(self.lesson, activation=_first(self.config.network.activation), id="lesson")
        yield Header(show_clock=False, icon="◉")
        with Horizontal(id="body"):
            yield self.lesson_panel
            yield self.settings
            with Vertical(id="main"):
                with Horizontal(id="top"):
                    yield self.network_view
                    yield self.grid
                with Horizontal(id="bottom"):
                    yield self.loss_chart
                    with Vertical(id="gradients"):
                        yield self.gradient_chart
                        yield self.weight_histogram
        yield self.status
        self.footer = Footer(compact=True)
        yield self.footer

    def on_resize(self, event: events.Resize) -> None:
        # Under 100 columns the footer's keys need the room "^p palette" takes
        # (ctrl+p still opens it; help says so).
        self.footer.show_command_palette = event.size.width >= 100

    def on_mount(self) -> None:
        self.sub_title = self.config.name
        self.translate_bindings()
        self.set_interval(TRIM_SECONDS, release_free_memory, name="release memory")
        if self.lesson is not None:
            self.screen.add_class("-lesson")
            self.sub_title = _("Lesson {number}: {title}").format(number=self.lesson.number,
                                                                   title=_(self.lesson.title))
            if self.lesson.vary is not None:
                self.call_after_refresh(self.open_compare_for, self.lesson)
        self._start_relay()
        self.network_view.focus()
        self.call_after_refresh(self._sync_grid)
        if self.autosave is not None:
            self.autosave[0].parent.mkdir(parents=True, exist_ok=True)
            self._send(SetAutosave(str(self.autosave[0]), self.autosave[1]))
        if self.offer is not None:
            offer = self.offer
            detail = _("{name}, epoch {epoch}, autosaved {minutes} min ago ({path})").format(
                name=offer.config.name, epoch=offer.epoch, minutes=f"{offer.age_seconds / 60:.0f}", path=offer.path)
            self.push_screen(ChoiceDialog(_("Continue the run you left?"), detail, [
                ("c", _("continue it, exactly where it stopped"), "continue"),
                ("n", _("start afresh (the autosave is discarded)"), "fresh"),
            ], cancel="fresh"), self._offer_answered)

    def _offer_answered(self, answer: str | None) -> None:
        if answer == "continue" and self.offer is not None:
            self._send(ResumeSession(str(self.offer.path)))
        else:
            self._forget_autosave()

    def _start_session(self, config: Config) -> None:
        # A restart happens with Textual's threads running: spawn, not fork.
        self._grid_sent = self._grid_size()
        self.session = SessionProcess(config, fps=self.fps, grid=self._grid_sent, fork=False, pace=self.pace)
        self._start_relay()

    def _start_relay(self) -> None:
        session = self.session
        if session is None:
            return
        self.run_worker(lambda: session.receive(self._deliver), thread=True, name="trainer",
                        group="trainer", exit_on_error=False)

    def _deliver(self, event: Event) -> None:
        # In the relay thread: post_message is thread-safe and does not wait
        # for the UI (call_from_thread would).
        if isinstance(event, Snapshot):
            self.post_message(SnapshotReady(event))
        elif isinstance(event, Notice):
            self.post_message(NoticeReceived(event))
        elif isinstance(event, Traced):
            self.post_message(TraceReceived(event))
        elif isinstance(event, LandscapeReady):
            self.post_message(LandscapeReceived(event))
        elif isinstance(event, FileReady):
            self.post_message(FileReceived(event))

    def _grid_size(self) -> tuple[int, int]:
        try:
            return self.grid.desired_grid()
        except Exception:
            return (48, 48)

    # ---- snapshots -------------------------------------------------------------
    @on(SnapshotReady)
    def _on_snapshot(self, message: SnapshotReady) -> None:
        snap = message.snapshot
        self.snapshot = snap
        self.snapshots_seen += 1
        if self.first_frame_seconds is None:
            self.first_frame_seconds = time.perf_counter() - self._launch_time
        if not self.status.is_mounted:
            return  # the app is closing
        for panel in (self.grid, self.network_view, self.loss_chart, self.gradient_chart, self.weight_histogram):
            panel.update_snapshot(snap)
        self.status.show(snap)

    @on(NetworkView.NeuronSelected)
    def _neuron_selected(self, message: NetworkView.NeuronSelected) -> None:
        self.grid.show_neuron(message.layer, message.index)
        # A hidden neuron: the trainer sends its picture at the plane's resolution.
        hidden = 0 <= message.layer < len(self.snapshot.sizes) - 2 if self.snapshot else False
        self._send(SetFocus((message.layer, message.index) if hidden and message.index is not None else None))

    @on(DecisionGrid.GridSizeChanged)
    def _grid_resized(self, message: DecisionGrid.GridSizeChanged) -> None:
        self._sync_grid()

    def _sync_grid(self) -> None:
        wanted = self._grid_size()
        if self.session is not None and wanted != self._grid_sent:
            self._grid_sent = wanted
            self.session.send(SetGrid(*wanted))

    @on(NoticeReceived)
    def _on_notice(self, message: NoticeReceived) -> None:
        notice = message.notice
        self.notify(notice.text, severity=notice.severity.value)
        if notice.config is not None and notice.config != self.config:
            # The trainer kept its settings: the form shows them again.
            self.config = notice.config
            self.settings.sync(notice.config)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name != "trainer":
            return
        if event.state == WorkerState.SUCCESS and not self._exiting:
            self.status.say(
                "⚠ " + _("The training process ended. Press r to start again.")
            )
            self._stop_session(exiting=False)
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            self.status.say(
                "⚠ " + _("Training stopped by an error: {error}. Press r to start again.").format(
                    error=f"{type(error).__name__}: {error}")
            )
            self.notify(_("Training error: {error}").format(error=error), severity="error")
            self._stop_session(exiting=False)

    # ---- settings -------------------------------------------------------------
    @on(SettingChanged)
    def _setting_changed(self, message: SettingChanged) -> None:
        spec = SPECS[message.path]
        reason = _(RESET_REASONS[spec.section]).format(key=spec.path)
        self._apply_config(message.config, reason=reason,
                           live_path=spec.path if spec.live else None)

    @on(Button.Pressed, "#regenerate")
    def _regenerate_pressed(self) -> None:
        self.action_regenerate()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # Keys mean something else in the settings form: say how to get back.
        in_form = any(isinstance(w, SettingsPanel) for w in event.widget.ancestors_with_self)
        self.status.set_hint(_(SETTINGS_HINT) if in_form else "")

    @on(SettingRefused)
    def _setting_refused(self, message: SettingRefused) -> None:
        self.notify(message.reason, title=_("Value refused"), severity="error")
        self.status.say(_("Refused: {reason}").format(reason=message.reason))

    def _set_config(self, config: Config, *, reason: str, live_path: str | None = None) -> None:
        """Apply a config change made by a key or a command, not the form."""
        self.settings.sync(config)
        self._apply_config(config, reason=reason, live_path=live_path)

    def _apply_config(self, config: Config, *, reason: str, live_path: str | None) -> None:
        """Send a new config to the trainer: a live change, or a reset saying why."""
        self.config = config
        self.lesson_panel.set_activation(_first(config.network.activation))
        if self.session is None:
            self._start_session(config)
        elif live_path is not None:
            self.session.send(SetLive(live_path, config.get(live_path)))
        else:
            self.session.send(Reset(config, reason))

    def palette_commands(self) -> list[PaletteEntry]:
        """The command palette's entries (see commands.py)."""
        items: list[PaletteEntry] = [
            (_("Save set-up as preset"), _("Write the current settings to a TOML preset file"),
             self.action_save_preset),
            (_("Save model"), _("Write the weights and settings to an .npz model file"), self.action_save_model),
            (_("Export data"), _("Write the data set as the network sees it to CSV"), self.action_export_data),
            (_("Save screenshot"), _("Save the screen as an SVG image"), self.action_save_screenshot),
            (_("Save session"), _("The whole run, to continue later exactly where it stopped"),
             self.action_save_session),
            (_("Resume session"), _("Continue a saved session where it stopped"), self.action_resume_session),
            (_("Toggle log scale"), _("Loss chart on a logarithmic axis"), self.action_toggle_log),
        ]
        return items + self.open_commands()

    # ---- actions ----------------------------------------------------------------
    def _send(self, command: Command) -> None:
        if self.session is not None:
            self.session.send(command)

    def action_toggle_test(self) -> None:
        self.grid.show_test = not self.grid.show_test

    def action_toggle_discretize(self) -> None:
        self.grid.discretize = not self.grid.discretize

    def action_toggle_log(self) -> None:
        self.loss_chart.log_scale = not self.loss_chart.log_scale

    def action_toggle_gradients(self) -> None:
        self.screen.toggle_class("-show-gradients")

    def action_toggle_weights(self) -> None:
        self.screen.toggle_class("-show-weights")

    def action_focus_main(self) -> None:
        self.network_view.focus()

    async def redraw_all(self) -> None:
        """Build every panel again (a language switch): the run goes on in its process."""
        await self.recompose()
        self.network_view.focus()
        if self.snapshot is not None:
            self.post_message(SnapshotReady(self.snapshot))
        self.call_after_refresh(self._sync_grid)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        # Textual's own "Screenshot" saves to a fixed place and failed here; the
        # palette's "Save screenshot" asks where and works.
        for command in super().get_system_commands(screen):
            if command.title != "Screenshot":
                yield command

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen([b for b in self.BINDINGS if isinstance(b, Binding)]))

    def on_unmount(self) -> None:
        self._stop_session()

    def _stop_session(self, exiting: bool = True, timeout: float = 2.0) -> None:
        self._exiting = self._exiting or exiting
        if self.session is not None:
            self.session.stop(timeout)
            self.session = None



def _first(activation: str | tuple[str, ...]) -> str:
    """The hidden activation a lesson draws: the first layer's when each has its own."""
    return activation if isinstance(activation, str) else (activation[0] if activation else "")
