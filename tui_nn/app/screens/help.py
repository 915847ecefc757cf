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
  Type a value and press Enter; a value out of range is refused and the old one
  stays. Learning rate, optimizer parameters, regularisation, batch size and
  epochs change while training runs; anything else resets the weights.
- **Network**: inputs on the left, each hidden layer, the output on the right. Each
  neuron shows what it responds to over the plane; links are coloured by sign
  (blue positive, orange negative) and drawn stronger for larger weights. Arrow keys
  or a click select a neuron: the decision grid then shows that neuron large.
- **Decision grid**: the network's output over the input plane (blue one class,
  orange the other, pale where unsure), with the training points; `t` adds the test
  points, `d` shows the hard decision only.
- **Loss**: train and test loss per epoch (`l` for a log scale) with accuracy.
- **Gradients**: each layer's gradient size over time. With deep sigmoid nets the
  first layers' lines sink: vanishing gradients. `w` swaps in the weight
  distributions per layer (both show on tall terminals).
- **Status line**: running, paused, reset and why, diverged (with advice), finished.

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
