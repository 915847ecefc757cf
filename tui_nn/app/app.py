"""The playground app: settings on the left, the network, the decision grid,
the loss and the gradients on the right, a status line that says what is
happening.

Training runs in a child process (``SessionProcess``) that owns the trainer;
this side only sends commands and draws the snapshots it publishes. A Textual
thread worker waits on the pipe and posts each snapshot as ``SnapshotReady``,
which replaces a queued predecessor, so a slow frame never builds a backlog.
The charts and the network diagram are redrawn at most ``SLOW_PANEL_HZ`` times
a second while training runs: they cost the most to draw and to send to the
terminal, and change least from one snapshot to the next.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Footer, Header, Static
from textual.worker import Worker, WorkerState

from ..config import SPECS, Config, ConfigError
from ..presets import load_preset
from ..training.process import SessionProcess
from ..training.session import Notice as SessionNotice
from ..training.session import SessionState
from ..training.snapshot import Snapshot
from .commands import PlaygroundCommands
from .screens.help import HelpScreen
from .screens.path_dialog import PathDialog
from .settings import SettingsPanel
from .widgets import DecisionGrid, GradientChart, LossChart, NetworkView, WeightHistogram

# TensorFlow Playground's learning-rate choices, extended to 10.
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)

SLOW_PANEL_HZ = 2.0

RESET_REASONS = {
    "data": "Reset: the data changed.",
    "network": "Reset: the architecture changed.",
    "training": "Reset: {key} changed.",
}


class SnapshotReady(Message):
    """A new picture of the run, relayed from the trainer process."""

    def __init__(self, snapshot: Snapshot) -> None:
        super().__init__()
        self.snapshot = snapshot

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SnapshotReady)


class Notice(Message):
    """A line for the user from the trainer (saved files, refused changes)."""

    def __init__(self, text: str, severity: str = "information", config: Config | None = None) -> None:
        super().__init__()
        self.text = text
        self.severity = severity
        self.config = config  # set when the trainer refused a change: the config in force


class StatusLine(Static):
    """One line: state, epoch, speed, losses, then the latest note or advice."""


class PlaygroundApp(App):
    TITLE = "tui-nn"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {PlaygroundCommands}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall"), (50, "-very-tall")]
    BINDINGS = [
        Binding("space", "toggle_run", "Play/Pause", id="run.toggle",
                tooltip="Start or pause training"),
        Binding("n", "step", "Step", id="run.step", tooltip="Train exactly one epoch"),
        Binding("r", "reset", "Reset", id="run.reset", tooltip="New random weights, same data"),
        Binding("g", "regenerate", "New data", id="data.regenerate",
                tooltip="Draw new data (next seed) and reset"),
        Binding("plus,equals_sign", "lr_up", "LR+", key_display="+", id="lr.up",
                tooltip="Learning rate one step up the ladder 0.00001 ... 10"),
        Binding("minus", "lr_down", "LR-", key_display="-", id="lr.down",
                tooltip="Learning rate one step down the ladder"),
        Binding("t", "toggle_test", "Test pts", id="view.test", tooltip="Show or hide the test points"),
        Binding("d", "toggle_discretize", "Discretize", id="view.discretize",
                tooltip="Show the hard decision instead of confidence"),
        Binding("l", "toggle_log", "Log loss", id="view.log", show=False,
                tooltip="Loss chart on a logarithmic axis"),
        Binding("s", "toggle_settings", "Settings", id="view.settings",
                tooltip="Show or hide the settings panel"),
        Binding("v", "toggle_gradients", "Grads", id="view.gradients", show=False,
                tooltip="Swap the loss chart and the gradient chart (narrow terminals)"),
        Binding("w", "toggle_weights", "Weights", id="view.weights", show=False,
                tooltip="Swap the gradient chart and the weight distributions (shorter terminals)"),
        Binding("escape", "focus_main", "Leave field", show=False, id="focus.main",
                tooltip="Leave a settings field and give the keys back to the playground"),
        Binding("question_mark,f1", "help", "Help", key_display="?", id="help.show",
                tooltip="Every key and what each panel shows"),
        Binding("q,ctrl+q", "quit", "Quit", id="app.quit", tooltip="Quit tui-nn"),
    ]

    def __init__(self, config: Config, *, fps: float = 10.0) -> None:
        super().__init__()
        self.config = config
        self.fps = fps
        self.snapshot: Snapshot | None = None
        self._launch_time = time.perf_counter()
        self.first_frame_seconds: float | None = None
        self.snapshots_seen = 0
        self._slow_panels_at = 0.0
        self._exiting = False
        # Forked here, before Textual starts its threads.
        self.session: SessionProcess | None = SessionProcess(config, fps=fps)

    # ---- layout -------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="◉")
        with Horizontal(id="body"):
            yield SettingsPanel(self.config, id="sidebar")
            with Vertical(id="main"):
                with Horizontal(id="top"):
                    yield NetworkView(id="network")
                    yield DecisionGrid(id="grid")
                with Horizontal(id="bottom"):
                    yield LossChart(id="loss")
                    with Vertical(id="gradients"):
                        yield GradientChart(id="gradient-chart")
                        yield WeightHistogram(id="weights")
        yield StatusLine("Starting…", id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.config.name
        self._start_relay()
        self.query_one("#network").focus()
        self.call_after_refresh(self._sync_grid)

    def _start_session(self, config: Config) -> None:
        # A restart happens with Textual's threads running: spawn, not fork.
        self.session = SessionProcess(config, fps=self.fps, grid=self._grid_size(), fork=False)
        self._start_relay()

    def _start_relay(self) -> None:
        session = self.session
        self.run_worker(lambda: session.receive(self._deliver), thread=True, name="trainer",
                        group="trainer", exit_on_error=False)

    def _deliver(self, item) -> None:
        # In the relay thread: post_message is thread-safe and does not wait
        # for the UI (call_from_thread would).
        if isinstance(item, Snapshot):
            self.post_message(SnapshotReady(item))
        elif isinstance(item, SessionNotice):
            self.post_message(Notice(item.text, item.severity, item.config))

    def _grid_size(self) -> tuple[int, int]:
        try:
            return self.query_one(DecisionGrid).desired_grid()
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
        session: SessionState | None = snap.extra.get("session")
        running = session is not None and session.state == "running"
        self.query_one(DecisionGrid).update_snapshot(snap)
        now = time.perf_counter()
        if not running or now - self._slow_panels_at >= 1.0 / SLOW_PANEL_HZ:
            self._slow_panels_at = now
            for widget in (self.query_one(NetworkView), self.query_one(LossChart),
                           self.query_one(GradientChart), self.query_one(WeightHistogram)):
                widget.update_snapshot(snap)
        self._update_status(snap)

    @on(NetworkView.NeuronSelected)
    def _neuron_selected(self, message: NetworkView.NeuronSelected) -> None:
        self.query_one(DecisionGrid).show_neuron(message.layer, message.index)

    @on(DecisionGrid.GridSizeChanged)
    def _grid_resized(self, message: DecisionGrid.GridSizeChanged) -> None:
        self._sync_grid()

    def _sync_grid(self) -> None:
        wanted = self._grid_size()
        if self.session is not None and wanted != self.session.grid:
            self.session.send("grid", *wanted)

    def _update_status(self, snap: Snapshot) -> None:
        session: SessionState | None = snap.extra.get("session")
        state = session.state if session else snap.status
        icons = {"running": "▶", "paused": "⏸", "diverged": "⚠", "finished": "■"}
        last = snap.last
        parts = [f"{icons.get(state, '•')} {state.upper()}", f"epoch {snap.epoch}"]
        if session and state == "running":
            parts.append(f"{session.epochs_per_second:,.0f} epochs/s")
        if math.isfinite(last.train_loss):
            parts.append(f"loss {last.train_loss:.4f} / {last.test_loss:.4f}")
        if snap.metric_name == "accuracy":
            parts.append(f"acc {last.train_metric:.1%} / {last.test_metric:.1%}")
        else:
            parts.append(f"rmse {last.train_metric:.4g} / {last.test_metric:.4g}")
        parts.append(f"lr {session.learning_rate if session else self.config.training.learning_rate:g}")
        note = ""
        if state == "diverged":
            note = session.note if session else snap.advice
        elif snap.advice:
            note = snap.advice
        elif session:
            note = session.note
        status = self.query_one(StatusLine)
        status.set_class(state == "diverged", "-diverged")
        status.update(" · ".join(parts) + (f" — {note}" if note else ""))

    @on(Notice)
    def _on_notice(self, message: Notice) -> None:
        self.notify(message.text, severity=message.severity)  # type: ignore[arg-type]
        if message.config is not None and message.config != self.config:
            # The trainer kept its settings: the form shows them again.
            self.config = message.config
            self.query_one(SettingsPanel).sync(message.config)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name != "trainer":
            return
        if event.state == WorkerState.SUCCESS and not self._exiting:
            self.query_one(StatusLine).update(
                "⚠ The training process ended. Press r to start again."
            )
            self._stop_session(exiting=False)
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            self.query_one(StatusLine).update(
                f"⚠ Training stopped by an error: {type(error).__name__}: {error}. "
                "Press r to start again."
            )
            self.notify(f"Training error: {error}", severity="error")
            self._stop_session(exiting=False)

    # ---- settings -------------------------------------------------------------
    @on(SettingsPanel.SettingChanged)
    def _setting_changed(self, message: SettingsPanel.SettingChanged) -> None:
        spec = SPECS[message.path]
        reason = RESET_REASONS[spec.section].format(key=spec.path)
        self._apply_config(message.config, reason=reason,
                           live_path=spec.path if spec.live else None)

    @on(Button.Pressed, "#regenerate")
    def _regenerate_pressed(self) -> None:
        self.action_regenerate()

    @on(SettingsPanel.SettingRefused)
    def _setting_refused(self, message: SettingsPanel.SettingRefused) -> None:
        self.notify(message.reason, title="Value refused", severity="error")
        self.query_one(StatusLine).update(f"Refused: {message.reason}")

    def _set_config(self, config: Config, *, reason: str, live_path: str | None = None) -> None:
        """Apply a config change made by a key or a command, not the form."""
        self.query_one(SettingsPanel).sync(config)
        self._apply_config(config, reason=reason, live_path=live_path)

    def _apply_config(self, config: Config, *, reason: str, live_path: str | None) -> None:
        """Send a new config to the trainer: a live change, or a reset saying why."""
        self.config = config
        if self.session is None:
            self._start_session(config)
        elif live_path is not None:
            self.session.send("live", live_path, config.get(live_path))
        else:
            self.session.send("reset", config, reason=reason)

    def load_preset(self, name: str) -> None:
        try:
            config = load_preset(name)
        except ConfigError as exc:
            self.notify(str(exc), severity="error")
            return
        self.sub_title = config.name
        self._set_config(config, reason=f"Loaded preset {config.name}.")

    # ---- actions ----------------------------------------------------------------
    def _send(self, *args, **kwargs) -> None:
        if self.session is not None:
            self.session.send(*args, **kwargs)

    def action_toggle_run(self) -> None:
        self._send("toggle")

    def action_step(self) -> None:
        self._send("step", 1)

    def action_reset(self) -> None:
        if self.session is None:
            self._start_session(self.config)
        else:
            self._send("reset", self.config, reason="Weights reset.")

    def action_regenerate(self) -> None:
        seed = (self.config.training.seed + 1) % (2**32)
        config = self.config.with_value("training.seed", seed)
        self._set_config(config, reason=f"New data (seed {seed}).")

    def _move_lr(self, direction: int) -> None:
        lr = self.config.training.learning_rate
        if direction > 0:
            options = [r for r in LEARNING_RATES if r > lr * (1 + 1e-9)]
            new = options[0] if options else LEARNING_RATES[-1]
        else:
            options = [r for r in LEARNING_RATES if r < lr * (1 - 1e-9)]
            new = options[-1] if options else LEARNING_RATES[0]
        config = self.config.with_value("training.learning_rate", new)
        self._set_config(config, reason="", live_path="training.learning_rate")
        self.notify(f"learning rate {new:g}", timeout=1.5)

    def action_lr_up(self) -> None:
        self._move_lr(+1)

    def action_lr_down(self) -> None:
        self._move_lr(-1)

    def action_toggle_test(self) -> None:
        grid = self.query_one(DecisionGrid)
        grid.show_test = not grid.show_test

    def action_toggle_discretize(self) -> None:
        grid = self.query_one(DecisionGrid)
        grid.discretize = not grid.discretize

    def action_toggle_log(self) -> None:
        chart = self.query_one(LossChart)
        chart.log_scale = not chart.log_scale

    def action_toggle_settings(self) -> None:
        self.screen.toggle_class("-settings-toggled")

    def action_toggle_gradients(self) -> None:
        self.screen.toggle_class("-show-gradients")

    def action_toggle_weights(self) -> None:
        self.screen.toggle_class("-show-weights")

    def action_focus_main(self) -> None:
        self.query_one("#network").focus()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(list(self.BINDINGS)))

    async def action_quit(self) -> None:
        self._stop_session()
        self.exit()

    def on_unmount(self) -> None:
        self._stop_session()

    def _stop_session(self, exiting: bool = True) -> None:
        self._exiting = self._exiting or exiting
        if self.session is not None:
            self.session.stop()
            self.session = None

    # ---- files --------------------------------------------------------------------
    def _ask_path(self, title: str, default: str, then) -> None:
        def done(path: str | None) -> None:
            if path:
                then(str(Path(path).expanduser()))

        self.push_screen(PathDialog(title, default), done)

    def action_save_preset(self) -> None:
        def save(path: str) -> None:
            from dataclasses import replace

            stem = Path(path).stem
            config = replace(self.config, name=stem,
                             description=self.config.description or f"Saved from tui-nn ({self.config.name})")
            try:
                Path(path).write_text(config.to_toml(), encoding="utf-8")
            except OSError as exc:
                self.notify(f"Cannot write {path}: {exc.strerror}", severity="error")
                return
            self.notify(f"Preset saved to {path}: open it with `tui-nn {path}`")

        self._ask_path("Save the set-up as a preset (TOML):", f"{self.config.name}-mine.toml", save)

    def action_save_model(self) -> None:
        self._ask_path("Save the model (.npz):", f"{self.config.name}.npz",
                       lambda path: self._send("save_model", path))

    def action_export_data(self) -> None:
        self._ask_path("Export the data (CSV):", f"{self.config.name}-data.csv",
                       lambda path: self._send("export_data", path))

    def action_screenshot(self) -> None:
        def save(path: str) -> None:
            p = Path(path)
            try:
                saved = self.save_screenshot(filename=p.name, path=str(p.parent or "."))
            except OSError as exc:
                self.notify(f"Cannot write {path}: {exc.strerror}", severity="error")
                return
            self.notify(f"Screenshot saved to {saved}")

        self._ask_path("Save a screenshot (SVG):", f"{self.config.name}.svg", save)
