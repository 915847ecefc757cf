"""The help screen (? or F1): every key and what each panel shows.

The key list is read from the app's bindings, so it cannot go stale.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

from ...i18n import N_, _

# Each section a message of its own, so a translator meets one panel at a time.
SECTIONS = (
    N_("""## Settings (left; `s` shows or hides it)
*Data*, *Network* and *Training* tabs. Tab moves between fields, Enter applies a
typed value, Esc gives the keys back to the playground; space plays from anywhere
but a text field. A value out of range is refused and the old one stays.
Learning rate, optimizer parameters, regularisation, batch size, shuffling and
epochs change while training runs; anything else draws new weights. "auto" for
the output and the loss says what it resolves to."""),
    N_("""## Network
Inputs on the left, each hidden layer (L1, L2, ...), the output on the right;
each column's title says its activation, the output's also its loss.
- **Neuron thumbnails**: what the neuron outputs over the input plane, in the
  decision grid's colours (blue high, orange low, white in between). A dot
  instead of a picture: tabular data (its colour is the bias's sign).
- **▶** marks the selected neuron (arrow keys or a click); the decision grid
  then shows it large, and the line under the diagram gives its bias and
  incoming weights.
- **Link strips** beside each neuron: one bar per neuron of the next layer.
  Height ▁ to █ is the weight's size relative to the largest in that layer
  (the **±0.5** over a gap); blue is a positive weight, orange a negative one.
  **·** is a dead link (a weight of exactly 0, as L1 leaves them), **?** a weight
  that is not a number, **…** the links to neurons not drawn. The selected
  neuron's incoming weights are underlined.
- **+448 more**: a layer larger than the snapshot pictures (64 neurons); the
  selection still reaches every neuron. **→ 3 more layers**: the net is wider
  than the panel; ← → scroll."""),
    N_("""## Decision grid
The network's output over the input plane: blue for one class (or high values),
orange for the other (or low), white at the decision threshold, pale where the
network is unsure; the scale under it gives the values of its ends.
**●** are training points and **◆** test points (`t`), in their class's colour;
without colour, letters tell the classes apart. `d` shows the hard decision only.
The ticks on the edges are x1 (across) and x2 (up). **(coarse)**: a large
network's picture computed on fewer pixels than the panel has."""),
    N_("""## Charts
- **Loss**: training loss (━ in the first colour) and test loss (━ in the second)
  per epoch, the epoch along the bottom; `l` for a logarithmic axis. The line
  above gives the latest figures and the accuracy (train / test).
- **Gradients** (log axis): each layer's gradient RMS over time, L1 first. With a
  deep sigmoid stack the first layers' lines sink: vanishing gradients. **L1/L3
  ×0.01** is how much smaller the first layer's gradient is than the last's.
- **Weights** (`w` swaps it with the gradients on short terminals): one row per
  layer, its shape (inputs×neurons), its RMS and a histogram of its weights
  over the range in the title."""),
    N_("""## Status line
**▶ RUNNING**, **⏸ PAUSED**, **■ FINISHED** (the epochs asked for are done) or
**⚠ DIVERGED** (the loss blew up; the weights went back to the last finite
epoch). Then the epoch, "batch 3/25" inside an epoch after `b`, epochs a second,
"loss train / test", "acc train / test" (or "rmse" for regression), the
learning rate and the pace. The line below says the last thing that happened, or
advice: what was measured and what to try."""),
    N_("""## Pace and steps
Training runs at a pace you can watch (30 epochs a second to start); `[` and `]`
step it through 1, 3, 10, 30, 100, 300 epochs a second and "max". `n` trains one
epoch, `b` one mini-batch (a single update: watch what one SGD step does). `r`
draws new random weights (the next draw, saved as `network.init_seed`, so a saved
preset starts from the same weights); `R` goes back to the first ones."""),
    N_("""## Lessons
`e` shows or hides the lesson's text (what you are looking at, what to try, the
question it answers); `.` opens the next lesson and `,` the previous one. The
command palette lists every lesson, and `tui-nn lessons` prints them."""),
    N_("""## Command palette (ctrl+p)
Open a lesson or a preset, compare runs, switch the language (English, 한국어),
save the set-up as a preset, save the model, the session or a screenshot,
export the data as CSV."""),
    N_("""## See the maths
`i` opens the backprop inspector on the worst-predicted example: step with ← →
through the forward pass (z = x·w + b with the numbers), the loss and the
backward pass (δ = dL/da · f'(z), each dL/dw beside its numerical estimate),
then the optimizer's update; ↑ ↓ for other examples, t for the test split.
`E` types the selected neuron's bias and incoming weights. `L` shows the loss
landscape around the weights with the path the optimizer took; the palette's
"Optimizer paths" draws SGD, momentum and Adam from one start on one landscape."""),
)


def help_markdown(bindings: list[Binding]) -> str:
    """The whole help text in the current language: the keys, then each panel."""
    rows = ["# " + _("tui-nn: keys"), "", "| " + _("key") + " | " + _("does") + " |", "|---|---|"]
    for b in bindings:
        key = b.key_display or b.key.replace(",", " / ")
        rows.append(f"| `{key}` | {_(b.tooltip or b.description)} |")
    return "\n".join(rows) + "\n\n" + "\n\n".join(_(section) for section in SECTIONS)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,question_mark,f1", "dismiss", N_("Close help"), id="help.close",
                tooltip=N_("Close this screen")),
        # A modal screen cuts the app's own keys off: q quits from here too.
        Binding("q", "app.quit", N_("Quit"), id="help.quit", tooltip=N_("Quit tui-nn (or ctrl+q)")),
    ]

    def __init__(self, bindings: list[Binding]) -> None:
        super().__init__()
        self._key_list = bindings

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Markdown(help_markdown(self._key_list))
