"""The help screen (? or F1): every key and what each panel shows.

The key list is read from the app's bindings, so it cannot go stale.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

PANELS = """
## Panels
- **Settings** (left; `s` shows or hides it): *Data*, *Network* and *Training* tabs.
  Tab moves between fields, Enter applies a typed value, Esc gives the keys back
  to the playground; space plays from anywhere but a text field. A value out of
  range is refused and the old one stays. Learning rate, optimizer parameters,
  regularisation, batch size, shuffling and epochs change while training runs;
  anything else resets the weights. "auto" for the output and the loss says what
  it resolves to.
- **Network**: inputs on the left, each hidden layer, the output on the right. Each
  neuron shows what it responds to over the plane (the same colours as the
  decision grid). Between two layers, each neuron has a strip of bars, one per
  neuron of the next layer: the bar's height is the weight's size (relative to
  the largest in that layer), its colour the sign (blue positive, orange
  negative); a dead link (a weight L1 has set to exactly 0) is a faint dot.
  Arrow keys or a click select a neuron: the decision grid then shows that neuron
  large. A net wider than the panel scrolls; the panel says how many layers are
  out of view.
- **Decision grid**: the network's output over the input plane (blue one class,
  orange the other, pale where unsure), with the training points (● in their
  class's colour); `t` adds the test points (◆), `d` shows the hard decision only.
  The ticks along the edges are x1 (across) and x2 (up).
- **Loss**: train and test loss per epoch (`l` for a log scale) with accuracy.
- **Gradients**: each layer's gradient size over time. With deep sigmoid nets the
  first layers' lines sink: vanishing gradients. `w` swaps in the weight
  distributions per layer (both show on tall terminals).
- **Status**: running, paused, finished or diverged; the epoch (and the mini-batch
  within it after `b`), the losses, accuracy or RMSE, the learning rate and the
  pace; below it the last thing that happened, or advice, in full.

## Pace and steps
Training runs at a pace you can watch (30 epochs a second to start); `[` and `]`
step it through 1, 3, 10, 30, 100, 300 epochs a second and "max". `n` trains one
epoch, `b` one mini-batch (a single update: watch what one SGD step does).
`r` draws new random weights (the next draw, saved as `network.init_seed`, so a
saved preset starts from the same weights); `R` goes back to the first ones.

## Command palette (ctrl+p)
Load a preset, save the set-up as a preset, save the model, export the data as CSV,
save a screenshot (SVG).
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        # q is not here: it quits, on this screen as everywhere.
        Binding("escape,question_mark,f1", "dismiss", "Close help", id="help.close",
                tooltip="Close this screen"),
    ]

    def __init__(self, bindings: list[Binding]) -> None:
        super().__init__()
        self._key_list = bindings

    def compose(self) -> ComposeResult:
        rows = ["# tui-nn: keys", "", "| key | does |", "|---|---|"]
        for b in self._key_list:
            key = b.key_display or b.key.replace(",", " / ")
            rows.append(f"| `{key}` | {b.tooltip or b.description} |")
        with VerticalScroll(id="help-body"):
            yield Markdown("\n".join(rows) + "\n" + PANELS)
