"""Every key of the playground, with its id, its footer word and what it does,
and the ladders the keys step along.

The footer shows the keys a learner needs first; every key, shown or not, is
in the help screen (``?``), which reads this list.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from textual.binding import Binding, BindingType
from textual.dom import DOMNode

from ..i18n import N_, _

__all__ = ["BINDINGS", "LEARNING_RATES", "PACES", "pace_words", "translate_keys", "translated"]

# TensorFlow Playground's learning-rate choices, extended to 10.
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
# Epochs a second the trainer may run while playing; None: as fast as it can.
PACES: tuple[float | None, ...] = (1.0, 3.0, 10.0, 30.0, 100.0, 300.0, None)
DEFAULT_PACE = 30.0


def translated(bindings: Iterable[Binding]) -> list[Binding]:
    """``bindings`` (declared with English ``N_`` words) with their footer words and
    tooltips in the current language."""
    return [replace(b, description=_(b.description) if b.description else b.description,
                    tooltip=_(b.tooltip) if b.tooltip else b.tooltip) for b in bindings]


def translate_keys(node: DOMNode) -> None:
    """A freshly built screen's or widget's own keys in the current language (its
    bindings still hold the English words they were declared with)."""
    keys = node._bindings.key_to_bindings
    for key, bindings in list(keys.items()):
        keys[key] = translated(bindings)


def pace_words(pace: float | None) -> str:
    return "max" if pace is None else f"{pace:g}/s"


BINDINGS: list[BindingType] = [
    # priority: space plays from anywhere, the settings form included (the
    # app steps aside when a text field has the focus: see check_action).
    Binding("space", "toggle_run", N_("Play"), id="run.toggle", priority=True,
            tooltip=N_("Start or pause training (from anywhere but a text field)")),
    Binding("n", "step", N_("Epoch"), id="run.step", tooltip=N_("Train exactly one epoch, then pause")),
    Binding("b", "step_batch", N_("Batch"), id="run.batch",
            tooltip=N_("Train one mini-batch (one SGD update), then pause")),
    # The footer shows each pair once ("[ ] Pace", "+ - LR"); help lists both keys.
    Binding("left_square_bracket", "pace_down", N_("Pace"), key_display="[ ]", id="pace.down",
            tooltip=N_("Train fewer epochs a second: 1 3 10 30 100 300 max")),
    Binding("right_square_bracket", "pace_up", N_("Faster"), key_display="]", id="pace.up", show=False,
            tooltip=N_("Train more epochs a second, up to as fast as the machine can")),
    Binding("minus", "lr_down", N_("LR"), key_display="- +", id="lr.down",
            tooltip=N_("Learning rate one step down the ladder 0.00001 ... 10 (no reset)")),
    Binding("plus,equals_sign", "lr_up", N_("LR+"), key_display="+", id="lr.up", show=False,
            tooltip=N_("Learning rate one step up the ladder (no reset)")),
    Binding("question_mark,f1", "help", N_("Help"), key_display="?", id="help.show",
            tooltip=N_("Every key and what each panel shows")),
    Binding("r", "reset", N_("Reset"), id="run.reset",
            tooltip=N_("Draw new random weights (the next draw), same data: try another start")),
    Binding("R", "restore", N_("First weights"), id="run.restore", show=False,
            tooltip=N_("Back to the seed's own first weights (or the preset's hand-set ones)")),
    Binding("g", "regenerate", N_("New data"), id="data.regenerate", show=False,
            tooltip=N_("Draw new data (next seed) and reset")),
    Binding("s", "toggle_settings", N_("Settings"), id="view.settings",
            tooltip=N_("Show or hide the settings panel")),
    Binding("t", "toggle_test", N_("Test pts"), id="view.test", show=False, tooltip=N_("Show or hide the test points")),
    Binding("d", "toggle_discretize", N_("Discretize"), id="view.discretize", show=False,
            tooltip=N_("Show the hard decision instead of confidence")),
    Binding("l", "toggle_log", N_("Log loss"), id="view.log", show=False,
            tooltip=N_("Loss chart on a logarithmic axis")),
    Binding("v", "toggle_gradients", N_("Grads"), id="view.gradients", show=False,
            tooltip=N_("Swap the loss chart and the gradient chart (narrow terminals)")),
    Binding("w", "toggle_weights", N_("Weights"), id="view.weights", show=False,
            tooltip=N_("Swap the gradient chart and the weight distributions (shorter terminals)")),
    Binding("e", "explain", N_("Lesson"), id="lesson.explain",
            tooltip=N_("Show or hide the lesson's text: what you see, what to try, the question")),
    # The footer has room for one of "s Settings" and "e Lesson" at 80 columns: the
    # other key works from these twins, hidden (see OpenActions.check_action).
    Binding("e", "explain_key", N_("Lesson"), id="lesson.explain.key", show=False,
            tooltip=N_("Show or hide the lesson's text: what you see, what to try, the question")),
    Binding("s", "toggle_settings_key", N_("Settings"), id="view.settings.key", show=False,
            tooltip=N_("Show or hide the settings panel")),
    Binding("full_stop", "next_lesson", N_("Next lesson"), key_display=".", id="lesson.next", show=False,
            tooltip=N_("Open the next lesson")),
    Binding("comma", "previous_lesson", N_("Previous lesson"), key_display=",", id="lesson.previous", show=False,
            tooltip=N_("Open the previous lesson")),
    Binding("i", "inspect", N_("Inspect"), id="backprop.inspect", show=False,
            tooltip=N_("Backprop inspector: one example's forward and backward pass in numbers")),
    Binding("L", "landscape", N_("Landscape"), id="landscape.show", show=False,
            tooltip=N_("The loss landscape around the weights, with the path the optimizer took")),
    Binding("E", "edit_weights", N_("Edit weights"), id="weights.edit", show=False,
            tooltip=N_("Type the selected neuron's bias and incoming weights; training goes on from them")),
    Binding("escape", "focus_main", N_("Leave field"), show=False, id="focus.main",
            tooltip=N_("Leave the settings and give the keys back to the playground")),
    # ctrl+q quits too (Textual's own binding).
    Binding("q", "quit", N_("Quit"), id="app.quit", tooltip=N_("Quit tui-nn (or ctrl+q)")),
]
