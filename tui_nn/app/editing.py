"""The maths by hand in the app: the selected neuron's bias and incoming weights
typed in a dialog (`E`), applied at once without a reset and kept in the set-up
(so "Save set-up as preset" writes them as its [weights]); and the backprop
inspector (`i`), one example's forward and backward pass traced by the trainer;
and the loss landscape with the optimizer's path (`L`)."""

from __future__ import annotations

from dataclasses import replace

from textual import on
from textual.app import App

from ..config import Config, Weights
from ..i18n import _
from ..session.protocol import Command, Pause, SetWeights
from ..training.snapshot import Snapshot
from .dialogs.weights_dialog import MAX_EDITABLE, WeightsDialog
from .messages import LandscapeReceived, TraceReceived
from .settings_panel import SettingsPanel
from .widgets import NetworkView

__all__ = ["EditActions", "edited_weights"]


def edited_weights(snap: Snapshot, layer: int, neuron: int, bias: float, weights: tuple[float, ...]) -> Weights | None:
    """The snapshot's weights with one neuron's replaced, as a preset holds them;
    None when the snapshot holds only part of a large network's weights."""
    if snap.summarised and any(w.shape != s.shape for w, s in zip(snap.weights, snap.weight_stats)):
        return None
    out = []
    for k, (W, b) in enumerate(zip(snap.weights, snap.biases)):
        W, b = W.copy(), b.copy()
        if k == layer:
            W[:, neuron] = weights
            b[neuron] = bias
        out.append((tuple(tuple(float(v) for v in row) for row in W), tuple(float(v) for v in b)))
    return tuple(out)


class EditActions(App[None]):
    """The app supplies ``network_view``, ``snapshot``, ``config`` and ``_send``."""

    config: Config
    snapshot: Snapshot | None
    network_view: NetworkView
    settings: SettingsPanel

    def _send(self, command: Command) -> None:
        raise NotImplementedError

    def action_inspect(self) -> None:
        """Pause and open the backprop inspector on the worst-predicted training example."""
        from .screens.inspector import InspectorScreen

        if isinstance(self.screen, InspectorScreen):
            return
        self._send(Pause())
        layer, index = self.network_view.selected
        neuron = (layer, index or 0) if layer >= 0 else None
        self.push_screen(InspectorScreen(self._send, neuron=neuron))

    @on(TraceReceived)
    def _trace_received(self, message: TraceReceived) -> None:
        from .screens.inspector import InspectorScreen

        for screen in self.screen_stack:
            if isinstance(screen, InspectorScreen):
                screen.show_trace(message.traced)

    def action_landscape(self) -> None:
        """The loss landscape around the run's weights, with its path, while it trains."""
        from .screens.landscape import LandscapeScreen

        if not isinstance(self.screen, LandscapeScreen):
            self.push_screen(LandscapeScreen(self._send))

    def open_optimizer_paths(self) -> None:
        """SGD, momentum and Adam from one start on one landscape (the optimizer lesson)."""
        from .screens.landscape import LandscapeScreen

        self.push_screen(LandscapeScreen(self._send, optimizers=True))

    @on(LandscapeReceived)
    def _landscape_received(self, message: LandscapeReceived) -> None:
        from .screens.landscape import LandscapeScreen

        for screen in self.screen_stack:
            if isinstance(screen, LandscapeScreen):
                screen.show_landscape(message.ready)

    def action_edit_weights(self) -> None:
        snap = self.snapshot
        layer, index = self.network_view.selected
        if snap is None or layer < 0 or layer >= len(snap.weights):
            self.notify(_("Select a hidden or an output neuron first (arrow keys): inputs have no weights."))
            return
        neuron = index or 0
        W, b = snap.weights[layer], snap.biases[layer]
        if neuron >= W.shape[1] or W.shape[0] > MAX_EDITABLE:
            self.notify(_("This neuron has too many incoming weights to type here (at most {count}).").format(
                count=MAX_EDITABLE), severity="warning")
            return
        if layer == 0:
            sources = list(snap.input_names[: W.shape[0]])
        else:
            sources = [_("L{layer} neuron {n}").format(layer=layer, n=i + 1) for i in range(W.shape[0])]
        title = (_("Output neuron: bias and incoming weights") if layer == len(snap.weights) - 1 else
                 _("Layer {layer} neuron {n}: bias and incoming weights").format(layer=layer + 1, n=neuron + 1))

        def apply(answer: tuple[float, tuple[float, ...]] | None) -> None:
            if answer is None or self.snapshot is None:
                return
            bias, weights = answer
            self._send(SetWeights(layer, neuron, bias, weights))
            kept = edited_weights(self.snapshot, layer, neuron, bias, weights)
            if kept is not None:
                # The set-up now starts from these weights, as a preset's hand-set ones do
                # (and the form's copy of it keeps them through later changes).
                self.config = replace(self.config, weights=kept)
                self.settings.sync(self.config)

        self.push_screen(WeightsDialog(title, sources, float(b[neuron]), [float(v) for v in W[:, neuron]]), apply)
