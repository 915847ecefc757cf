"""The backprop inspector's words and numbers: one example's pass (a ``Trace``,
``training/backprop.py``) cut into stages a learner steps through like a
debugger, each stage as lines of text with the numbers plugged in.

Stages: the example (its inputs, its target as the network sees it, the notes
on how the trace was taken), then one forward stage per dense layer (first
hidden layer ... output: ``z1 = 0.05·0.15 + 0.10·0.20 + 0.35 = 0.3775``,
``a1 = sigmoid(0.3775) = 0.5933``), the example's loss, one backward stage
per layer from the output (``dL/da``, ``f'(z)``, ``δ = dL/da · f'(z)`` or the
fused ``δ = a - y``, each weight's gradient beside its central-difference
estimate and ✓ where they agree), and the update one step would make.
Networks of step units stop after the loss (a perceptron still gets its rule's
update).

Layers of up to ``MAX_SHOWN`` (8) neurons show every neuron; a larger one shows
one (the selected neuron where it is in that layer, else its first) and says
how many more there are. The formulas are the CLI's (``tui-nn backprop``,
``cli/backprop_cmd.py``): the same wording, the same number format
(``training/backprop_text.py``).

``wrap`` breaks a line into lines of at most ``width`` cells (Korean letters
take two), at spaces, an operator moving to the start of the next line.
Headless: no Textual here, only Rich text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rich.cells import cell_len
from rich.style import Style
from rich.text import Text

from ...data.synthetic import shown_class_name
from ...i18n import N_, _, ngettext
from ...training.backprop import LayerTrace, Trace, notes
from ...training.backprop_text import (
    MAX_SHOWN, bn_eps, factor, layer_title, num, numeric_note, signed, sum_of_products,
)

__all__ = [
    "AGREE_ABS", "AGREE_REL", "MAX_LISTED", "Stage", "agrees", "breadcrumb", "shown_neurons", "stage_lines",
    "stage_name", "stages", "wrap",
]

# A gradient agrees with its numerical estimate when
# |analytic - numeric| <= max(AGREE_REL * max(|a|, |n|), AGREE_ABS * max(1, |loss|)):
# float64 central differences (eps 1e-6) carry about 1e-10 of the loss's rounding.
AGREE_REL = 1e-6
AGREE_ABS = 2e-9
# Inputs and incoming weights listed for one neuron shown alone (a large layer's).
MAX_LISTED = 64

TITLE = Style(bold=True)
NOTE = Style(italic=True)
GOOD = Style(color="green", bold=True)
BAD = Style(color="red", bold=True)
MARK_OK = "✓"
MARK_BAD = "✗"

_SPLITS = {"train": N_("training example {sample}"), "test": N_("test example {sample}")}


@dataclass(frozen=True)
class Stage:
    kind: str  # "example", "forward", "loss", "backward", "update"
    layer: int = -1  # the dense layer (forward, backward)


def stages(t: Trace) -> list[Stage]:
    """The stages of ``t``'s pass in the order a debugger steps through them."""
    out = [Stage("example")]
    out += [Stage("forward", layer.index) for layer in t.layers]
    out.append(Stage("loss"))
    if t.backprop:
        out += [Stage("backward", layer.index) for layer in reversed(t.layers)]
    if t.update_rule and all(layer.update_W is not None for layer in t.layers):
        out.append(Stage("update"))
    return out


def stage_name(t: Trace, stage: Stage) -> str:
    """A stage's short name: "example", "forward 2/3", "loss", "backward 1/3", "update"."""
    count = len(t.layers)
    if stage.kind == "forward":
        return _("forward {step}/{count}").format(step=stage.layer + 1, count=count)
    if stage.kind == "backward":
        return _("backward {step}/{count}").format(step=count - stage.layer, count=count)
    if stage.kind == "loss":
        return _("loss")
    if stage.kind == "update":
        return _("update")
    return _("example")


def breadcrumb(t: Trace, index: int, width: int) -> Text:
    """Where the stepping is: every stage's name with the current one highlighted,
    or (when that is wider than ``width``) the previous, current and next stage."""
    all_stages = stages(t)
    index = max(0, min(index, len(all_stages) - 1))
    names = [stage_name(t, s) for s in all_stages]
    position = _("stage {step} of {count}").format(step=index + 1, count=len(all_stages))
    here = Style(reverse=True, bold=True)
    full = Text()
    for i, name in enumerate(names):
        if i:
            full.append(" › ")
        full.append(f" {name} ", style=here if i == index else None)
    full.append("  " + position, style=Style(dim=True))
    if full.cell_len <= width:
        return full
    short = Text()
    if index > 0:
        short.append("‹ " + names[index - 1] + " ")
    short.append(f" {names[index]} ", style=here)
    if index < len(names) - 1:
        short.append(" " + names[index + 1] + " ›")
    short.append("  " + position, style=Style(dim=True))
    if short.cell_len <= width:
        return short
    tiny = Text(f" {names[index]} ", style=here)
    tiny.append(f" {index + 1}/{len(names)}")
    return tiny


def example_words(t: Trace, worst: bool) -> str:
    """"training example 3" (", the worst predicted")."""
    words = _(_SPLITS.get(t.split, _SPLITS["train"])).format(sample=t.sample)
    if worst:
        words = _("{example}, the worst predicted").format(example=words)
    return words


def agrees(analytic: float, numeric: float, loss: float = 1.0) -> bool | None:
    """Whether a gradient and its numerical estimate agree (None: no estimate)."""
    if not math.isfinite(numeric):
        return None
    if not math.isfinite(analytic):
        return False
    a, n = abs(analytic), abs(numeric)
    scale = abs(loss) if math.isfinite(loss) else 1.0
    return abs(analytic - numeric) <= max(AGREE_REL * max(a, n), AGREE_ABS * max(1.0, scale))


def shown_neurons(layer: LayerTrace, neuron: tuple[int, int] | None) -> list[int]:
    """The neurons of ``layer`` written out: all of up to MAX_SHOWN, else one (the
    selected one where it is in this layer, else the first)."""
    width = layer.z.size
    if width <= MAX_SHOWN:
        return list(range(width))
    if neuron is not None and neuron[0] == layer.index and 0 <= neuron[1] < width:
        return [neuron[1]]
    return [0]


def _more(layer: LayerTrace, shown: Sequence[int]) -> list[Text]:
    more = layer.z.size - len(shown)
    if more <= 0:
        return []
    lines = [Text("  " + ngettext("… and {count} more neuron", "… and {count} more neurons", more).format(
        count=more))]
    if len(shown) == 1:
        lines.append(Text("  " + _("Showing neuron {n} of {count}: select another in the network panel (arrow "
                                   "keys) before pressing i.").format(n=shown[0] + 1, count=layer.z.size),
                          style=NOTE))
    return lines


def _listed(count: int, several: bool) -> int:
    return min(count, MAX_SHOWN if several else MAX_LISTED)


def _values(names: Sequence[str], values: np.ndarray, limit: int) -> str:
    text = ", ".join(f"{names[i]} = {num(values[i])}" for i in range(min(len(names), limit)))
    return text + (", …" if len(names) > limit else "")


def _target_line(t: Trace) -> str:
    # The CLI's words.
    target = ", ".join(num(v) for v in t.y)
    if t.label_name and t.label_name == str(t.label):
        return _("Target: y = {target} (class {label})").format(target=target, label=t.label)
    if t.label_name:
        return _("Target: y = {target} (class {label}: {name})").format(target=target, label=t.label,
                                                                        name=shown_class_name(t.label_name))
    return _("Target: y = {target} (in the data's units: {value})").format(target=target,
                                                                             value=num(float(t.label)))


def _prediction_line(t: Trace) -> str:
    prediction = ", ".join(num(v) for v in t.prediction)
    if t.predicted_class is not None:
        return _("Prediction: a = {prediction} (class {label})").format(prediction=prediction,
                                                                         label=t.predicted_class)
    return _("Prediction: a = {prediction}").format(prediction=prediction)


def _close(shown: float, value: float) -> bool:
    return math.isfinite(shown) and math.isfinite(value) and abs(shown - value) <= 1e-9 * max(1.0, abs(value))


# ---- the stages ------------------------------------------------------------------------


def _example_lines(t: Trace, worst: bool) -> list[Text]:
    lines = [Text(_("The example"), style=TITLE)]
    lines.append(Text(example_words(t, worst)[:1].upper() + example_words(t, worst)[1:]))
    lines.append(Text(_("Inputs, as the network sees them:")))
    names = t.input_names
    limit = min(len(names), MAX_LISTED)
    lines += [Text(f"  {names[i]} = {num(t.x[i])}") for i in range(limit)]
    if len(names) > limit:
        more = len(names) - limit
        lines.append(Text("  " + ngettext("… and {count} more input", "… and {count} more inputs", more).format(
            count=more)))
    lines.append(Text(_target_line(t)))
    found = notes(t)
    if found:
        lines.append(Text(""))
        lines += [Text("• " + note, style=NOTE) for note in found]
    lines += [Text(""), Text(_("→ steps forward through the pass, ← back; ↓ and ↑ trace the next and the "
                               "previous example, w the worst predicted one, t the other split."),
                             style=Style(dim=True))]
    return lines


def _forward_lines(t: Trace, layer: LayerTrace, neuron: tuple[int, int] | None) -> list[Text]:
    count = len(t.layers)
    lines = [Text(_("Forward pass, step {step} of {count}").format(step=layer.index + 1, count=count), style=TITLE),
             Text(layer_title(t, layer))]
    fan_in = layer.x.size
    if layer.index == 0:
        inputs = _values(t.input_names, layer.x, MAX_SHOWN)
        lines.append(Text(_("Inputs: {inputs}").format(inputs=inputs)))
    else:
        names = [f"x{i + 1}" for i in range(fan_in)]
        lines.append(Text(_("Inputs x, the activations of layer {layer}: {inputs}").format(
            layer=layer.index, inputs=_values(names, layer.x, MAX_SHOWN))))
    lines.append(Text(_("Each neuron: z = x·w + b, then a = f(z).")))
    shown = shown_neurons(layer, neuron)
    bn = layer.bn
    for j in shown:
        n = j + 1
        lines.append(Text(""))
        pairs = [(float(layer.x[i]), float(layer.W[i, j])) for i in range(fan_in)]
        lines.append(Text(f"  z{n} = {sum_of_products(pairs, float(layer.b[j]))} = {num(layer.z[j])}"))
        f_in = float(layer.z[j])
        if bn is not None:
            std = 1.0 / math.sqrt(float(bn.var[j]) + bn_eps())
            lines.append(Text(f"  zn{n} = {factor(bn.gamma[j])}·({num(layer.z[j])} - {factor(bn.mean[j])})/"
                              f"{num(std)} {signed(float(bn.beta[j]))} = {num(bn.zn[j])}"))
            f_in = float(bn.zn[j])
        if layer.elementwise:
            lines.append(Text(f"  a{n} = {layer.activation}({num(f_in)}) = {num(layer.a[j])}"))
        else:
            lines.append(Text(f"  a{n} = {layer.activation}(z)[{n}] = {num(layer.a[j])}"))
    lines += _more(layer, shown)
    if layer.is_output:
        lines += [Text(""), Text(_prediction_line(t))]
    return lines


def _loss_formula(t: Trace) -> str:
    """The example's loss with its numbers, when the formula gives the trace's value."""
    a, y = [float(v) for v in t.prediction], [float(v) for v in t.y]
    k = len(a)
    if not k:
        return ""
    name = t.loss_name
    value: float
    if name in ("mse", "square"):
        half = "½·" if name == "square" else ""
        coefficient = 0.5 if name == "square" else 1.0
        if k == 1:
            text = f"L = {half}({num(a[0])} - {factor(y[0])})²"
        else:
            terms = " + ".join(f"({num(a[i])} - {factor(y[i])})²" for i in range(min(k, MAX_SHOWN)))
            text = f"L = {half}({terms}{' + …' if k > MAX_SHOWN else ''})/{k}"
        value = coefficient * sum((a[i] - y[i]) ** 2 for i in range(k)) / k
    elif name == "mae":
        terms = " + ".join(f"|{num(a[i])} - {factor(y[i])}|" for i in range(min(k, MAX_SHOWN)))
        text = f"L = {terms}" if k == 1 else f"L = ({terms}{' + …' if k > MAX_SHOWN else ''})/{k}"
        value = sum(abs(a[i] - y[i]) for i in range(k)) / k
    elif name == "bce" and k == 1:
        if not 0.0 < a[0] < 1.0:
            return ""
        text = f"L = -({factor(y[0])}·ln {num(a[0])} + (1 - {factor(y[0])})·ln(1 - {num(a[0])}))"
        value = -(y[0] * math.log(a[0]) + (1.0 - y[0]) * math.log(1.0 - a[0]))
    elif name == "cce":
        hot = [i for i in range(k) if y[i] != 0.0]
        if len(hot) != 1 or y[hot[0]] != 1.0 or not 0.0 < a[hot[0]] <= 1.0:
            return ""
        c = hot[0]
        text = f"L = -ln a{c + 1} = -ln {num(a[c])}"
        value = -math.log(a[c])
    else:
        return ""
    if not (math.isfinite(value) and abs(value - t.loss) <= 1e-7 * max(1.0, abs(t.loss))):
        return ""
    return f"{text} = {num(t.loss)}"


def _loss_lines(t: Trace) -> list[Text]:
    lines = [Text(_("The loss: how far the prediction is from the target"), style=TITLE),
             Text(_prediction_line(t)), Text(_target_line(t))]
    formula = _loss_formula(t)
    if formula:
        lines.append(Text("  " + formula))
    lines.append(Text(_("Loss for this example ({name}): {loss}").format(name=t.loss_name, loss=num(t.loss))))
    lines.append(Text(""))
    if t.backprop:
        lines.append(Text(_("Next, the backward pass: the chain rule from the output layer back, how much each "
                            "weight is to blame for this loss."), style=NOTE))
    else:
        lines.append(Text(_("The pass stops here: a step unit has no gradient, so there is no backward pass."),
                          style=NOTE))
    return lines


def _output_dL_da(t: Trace, layer: LayerTrace, j: int) -> str:
    """``dL/da1 = 2·(a1 - y1) = 2·(0.75 - 0) = 1.5``: the loss's derivative with its numbers."""
    assert layer.dL_da is not None
    n, k = j + 1, layer.a.size
    a, y, d = float(layer.a[j]), float(t.y[j]), float(layer.dL_da[j])
    name = t.loss_name
    formula = ""
    if name == "mse":
        scale = "" if k == 1 else f"/{k}"
        if _close(2.0 * (a - y) / k, d):
            formula = f"2·(a{n} - y{n}){scale} = 2·({num(a)} - {factor(y)}){scale} = "
    elif name == "square":
        scale = "" if k == 1 else f"/{k}"
        if _close((a - y) / k, d):
            formula = f"(a{n} - y{n}){scale} = ({num(a)} - {factor(y)}){scale} = "
    elif name == "mae":
        scale = "" if k == 1 else f"/{k}"
        if _close(float(np.sign(a - y)) / k, d):
            formula = f"sign(a{n} - y{n}){scale} = sign({num(a)} - {factor(y)}){scale} = "
    return f"  dL/da{n} = {formula}{num(d)}   " + _("(the loss's derivative)")


def _fprime_line(layer: LayerTrace, j: int, var: str) -> str:
    """``f'(z1) = a1·(1 - a1) = 0.59·(1 - 0.59) = 0.24`` where the activation's formula is known."""
    assert layer.fprime is not None
    n, fp, a = j + 1, float(layer.fprime[j]), float(layer.a[j])
    z = float(layer.bn.zn[j]) if layer.bn is not None else float(layer.z[j])
    act = layer.activation
    formula = ""
    if act == "sigmoid" and _close(a * (1.0 - a), fp):
        formula = f"a{n}·(1 - a{n}) = {num(a)}·(1 - {num(a)}) = "
    elif act == "tanh" and _close(1.0 - a * a, fp):
        formula = f"1 - a{n}² = 1 - {factor(a)}² = "
    elif act == "relu" and fp in (0.0, 1.0):
        formula = f"({var}{n} > 0) = " if fp == 1.0 and z > 0.0 else (f"({var}{n} ≤ 0) = " if fp == 0.0 else "")
    return f"  f'({var}{n}) = {formula}{num(fp)}"


def _check(line: str, analytic: float, numeric: np.ndarray | None, at: tuple[int, ...], loss: float) -> Text:
    """``line`` with the numerical estimate beside it and ✓ (or ✗) for their agreement."""
    out = Text(line)
    if numeric is None:
        return out
    value = float(numeric[at])
    extra = numeric_note(value)
    if not extra:
        return out
    out.append("   " + extra)
    ok = agrees(analytic, value, loss)
    if ok is not None:
        out.append(" ")
        out.append(MARK_OK if ok else MARK_BAD, style=GOOD if ok else BAD)
    return out


def _agreement_count(t: Trace, layer: LayerTrace) -> tuple[int, int]:
    """(agreeing, checked) over every parameter of the layer with a numerical estimate."""
    pairs: list[tuple[np.ndarray, np.ndarray]] = []
    if layer.dL_dW is not None and layer.numeric_dW is not None:
        pairs.append((layer.dL_dW, layer.numeric_dW))
    if layer.dL_db is not None and layer.numeric_db is not None:
        pairs.append((layer.dL_db, layer.numeric_db))
    bn = layer.bn
    if bn is not None:
        if bn.dL_dgamma is not None and bn.numeric_dgamma is not None:
            pairs.append((bn.dL_dgamma, bn.numeric_dgamma))
        if bn.dL_dbeta is not None and bn.numeric_dbeta is not None:
            pairs.append((bn.dL_dbeta, bn.numeric_dbeta))
    good = checked = 0
    for analytic, numeric in pairs:
        for a, n in zip(analytic.reshape(-1), numeric.reshape(-1)):
            ok = agrees(float(a), float(n), t.loss)
            if ok is None:
                continue
            checked += 1
            good += bool(ok)
    return good, checked


def _backward_lines(t: Trace, layer: LayerTrace, above: LayerTrace | None,
                    neuron: tuple[int, int] | None) -> list[Text]:
    assert layer.delta is not None and layer.dL_dW is not None and layer.dL_db is not None
    assert layer.dL_da is not None
    lines = _backward_heading(t, layer)
    shown = shown_neurons(layer, neuron)
    several = len(shown) > 1
    for j in shown:
        lines.append(Text(""))
        lines += _delta_lines(t, layer, above, j)
        lines += _gradient_lines(t, layer, j, several)
    lines += _more(layer, shown)
    lines.append(Text(""))
    lines += _backward_summary(t, layer)
    return lines


def _backward_heading(t: Trace, layer: LayerTrace) -> list[Text]:
    """The stage's title, the layer and the rule its neurons follow."""
    count = len(t.layers)
    lines = [Text(_("Backward pass, step {step} of {count}").format(step=count - layer.index, count=count),
                  style=TITLE),
             Text(layer_title(t, layer))]
    if layer.combined:
        lines.append(Text(_("{output} output with {loss} loss: δ = a - y, no dL/da · f'(z) step.").format(
            output=t.output_name, loss=t.loss_name)))
    elif layer.is_output:
        lines.append(Text(_("Each neuron: δ = dL/da · f'(z), then dL/dw = x · δ for each incoming weight.")))
    else:
        lines.append(Text(_("Each neuron: dL/da = Σ w·δ over the layer above, δ = dL/da · f'(z), then "
                            "dL/dw = x · δ.")))
    return lines


def _delta_lines(t: Trace, layer: LayerTrace, above: LayerTrace | None, j: int) -> list[Text]:
    """How neuron j's δ comes about: fused (a - y), or dL/da (from the loss, or Σ w·δ of the
    layer above) times f'(z) (through batch norm's γ/σ), or the softmax Jacobian."""
    assert layer.delta is not None and layer.dL_da is not None
    n = j + 1
    d = float(layer.delta[j])
    if layer.combined:
        return [Text(f"  δ{n} = a{n} - y{n} = {num(layer.a[j])} - {factor(t.y[j])} = {num(d)}   "
                     + _("({output} with {loss}: combined)").format(output=t.output_name, loss=t.loss_name))]
    lines: list[Text] = []
    if above is None:
        lines.append(Text(_output_dL_da(t, layer, j)))
    else:
        assert above.delta is not None
        pairs = [(float(above.W[j, c]), float(above.delta[c])) for c in range(above.delta.size)]
        lines.append(Text(f"  dL/da{n} = Σ w·δ = {sum_of_products(pairs)} = {num(layer.dL_da[j])}"))
    if layer.fprime is None:
        jac = layer.jacobian
        lines.append(Text(f"  δ{n} = (Jᵀ·dL/da)[{n}] = {num(d)}   " + _("(the softmax Jacobian)")))
        if jac is not None and jac.shape[0] <= MAX_SHOWN:
            row = ", ".join(num(v) for v in jac[:, j])
            lines.append(Text(f"    J[:, {n}] = ({row})"))
        return lines
    fp = float(layer.fprime[j])
    bn = layer.bn
    lines.append(Text(_fprime_line(layer, j, "zn" if bn is not None else "z")))
    if bn is None:
        lines.append(Text(f"  δ{n} = dL/da{n} · f'(z{n}) = {factor(layer.dL_da[j])}·{factor(fp)}"
                          f" = {num(d)}"))
    else:
        assert bn.dL_dzn is not None
        std = 1.0 / math.sqrt(float(bn.var[j]) + bn_eps())
        lines.append(Text(f"  dL/dzn{n} = dL/da{n} · f'(zn{n}) = {factor(layer.dL_da[j])}·"
                          f"{factor(fp)} = {num(bn.dL_dzn[j])}"))
        lines.append(Text(f"  δ{n} = dL/dzn{n} · γ/σ = {factor(bn.dL_dzn[j])}·{factor(bn.gamma[j])}/"
                          f"{num(std)} = {num(d)}"))
    return lines


def _gradient_lines(t: Trace, layer: LayerTrace, j: int, several: bool) -> list[Text]:
    """Neuron j's weight, bias (and batch-norm γ, β) gradients, each checked against its
    numerical estimate; a neuron shown alone lists more of its weights (``_listed``)."""
    assert layer.delta is not None and layer.dL_dW is not None and layer.dL_db is not None
    n = j + 1
    d = float(layer.delta[j])
    lines: list[Text] = []
    fan_in = layer.x.size
    listed = _listed(fan_in, several)
    for i in range(listed):
        g = float(layer.dL_dW[i, j])
        line = f"    dL/dw({i + 1}→{n}) = x{i + 1}·δ{n} = {factor(layer.x[i])}·{factor(d)} = {num(g)}"
        lines.append(_check(line, g, layer.numeric_dW, (i, j), t.loss))
    if fan_in > listed:
        more = fan_in - listed
        lines.append(Text("    " + ngettext("… and {count} more weight", "… and {count} more weights",
                                            more).format(count=more)))
    lines.append(_check(f"    dL/db{n} = δ{n} = {num(layer.dL_db[j])}", float(layer.dL_db[j]), layer.numeric_db,
                        (j,), t.loss))
    bn = layer.bn
    if bn is not None and bn.dL_dgamma is not None and bn.dL_dbeta is not None:
        lines.append(_check(f"    dL/dγ{n} = {num(bn.dL_dgamma[j])}", float(bn.dL_dgamma[j]),
                            bn.numeric_dgamma, (j,), t.loss))
        lines.append(_check(f"    dL/dβ{n} = {num(bn.dL_dbeta[j])}", float(bn.dL_dbeta[j]),
                            bn.numeric_dbeta, (j,), t.loss))
    return lines


def _backward_summary(t: Trace, layer: LayerTrace) -> list[Text]:
    """How many of the layer's gradients agree with their estimates; at the first layer
    (the last backward stage) the whole network's largest differences too."""
    lines: list[Text] = []
    good, checked = _agreement_count(t, layer)
    if checked:
        summary = Text(_("Backprop and the numerical derivatives (eps = {eps}) agree for {good} of this "
                         "layer's {count} parameters").format(
            eps=f"{t.eps:g}", good=good, count=checked))
        summary.append(" ")
        summary.append(MARK_OK if good == checked else MARK_BAD, style=GOOD if good == checked else BAD)
        lines.append(summary)
    if layer.index == 0 and math.isfinite(t.agreement):
        lines.append(Text(_("Backpropagation against the numerical derivatives (eps = {eps}): largest difference "
                            "{difference}, largest relative difference {agreement}").format(
            eps=f"{t.eps:g}", difference=f"{t.max_difference:.2g}", agreement=f"{t.agreement:.2g}"),
            style=Style(dim=True)))
    return lines


def _update_lines(t: Trace, neuron: tuple[int, int] | None) -> list[Text]:
    lr = num(t.learning_rate)
    lines = [Text(_("The update one step on this example would make"), style=TITLE)]
    if t.update_rule == "perceptron":
        lines.append(Text(_("Update by the perceptron rule, learning rate {lr}: Δw = lr·(y - ŷ)·x").format(lr=lr)))
        lines.append(Text("  w ← w + lr·(y - ŷ)·x"))
        y_hat = float(t.prediction[0])
        lr_error = f"{factor(t.learning_rate)}·({num(t.y[0])} - {num(y_hat)})"
        for layer in t.layers:
            assert layer.update_W is not None and layer.update_b is not None
            for i in range(_listed(layer.x.size, False)):
                w, u = float(layer.W[i, 0]), float(layer.update_W[i, 0])
                lines.append(Text(f"    w({i + 1}→1) ← {num(w)} + {lr_error}·{factor(layer.x[i])} = {num(w + u)}"))
            b, ub = float(layer.b[0]), float(layer.update_b[0])
            lines.append(Text(f"    b1 ← {num(b)} + {lr_error} = {num(b + ub)}"))
        return lines
    plain_sgd = t.update_rule == "sgd" and not t.update_includes_penalty
    penalised = t.update_includes_penalty
    if plain_sgd:
        lines.append(Text(_("Update by {rule}, learning rate {lr}: Δw = -lr · dL/dw").format(rule=t.update_rule,
                                                                                            lr=lr)))
        lines.append(Text("  w ← w - lr·dL/dw"))
    else:
        lines.append(Text(_("Update by {rule}, learning rate {lr}, for this example's gradient:").format(
            rule=t.update_rule, lr=lr)))
        lines.append(Text("  w ← w + Δw"))
        if t.update_includes_penalty:
            lines.append(Text("  " + _("(the {kind} penalty included, as in training)").format(
                kind=t.regularization.upper()), style=NOTE))
    for layer in reversed(t.layers):
        assert layer.update_W is not None and layer.update_b is not None and layer.dL_dW is not None
        lines += [Text(""), Text("  " + _("Layer {layer}").format(layer=layer.index + 1), style=TITLE)]
        shown = shown_neurons(layer, neuron)
        listed = _listed(layer.x.size, len(shown) > 1)
        for j in shown:
            n = j + 1
            for i in range(listed):
                w, u, g = float(layer.W[i, j]), float(layer.update_W[i, j]), float(layer.dL_dW[i, j])
                if plain_sgd:
                    text = f"    w({i + 1}→{n}) ← {num(w)} - {factor(t.learning_rate)}·{factor(g)} = {num(w + u)}"
                else:
                    text = f"    w({i + 1}→{n}) ← {num(w)} + {factor(u)} = {num(w + u)}   (dL/dw = {num(g)}"
                    if penalised:
                        text += f"; {t.regularization.upper()} {num(layer.penalty_dW[i, j])}"
                    text += ")"
                lines.append(Text(text))
            if layer.x.size > listed:
                more = layer.x.size - listed
                lines.append(Text("    " + ngettext("… and {count} more weight", "… and {count} more weights",
                                                    more).format(count=more)))
            b, ub = float(layer.b[j]), float(layer.update_b[j])
            if plain_sgd and layer.dL_db is not None:
                lines.append(Text(f"    b{n} ← {num(b)} - {factor(t.learning_rate)}·{factor(layer.dL_db[j])} = "
                                  f"{num(b + ub)}"))
            else:
                lines.append(Text(f"    b{n} ← {num(b)} + {factor(ub)} = {num(b + ub)}"))
        lines += _more(layer, shown)[:1]
    lines += [Text(""), Text(_("Nothing is changed: training changes the weights, the inspector only shows what "
                               "one step would do."), style=NOTE)]
    return lines


def stage_lines(t: Trace, stage: Stage, neuron: tuple[int, int] | None = None, worst: bool = False) -> list[Text]:
    """The lines of one stage (not yet wrapped to a width)."""
    if stage.kind == "forward":
        return _forward_lines(t, t.layers[stage.layer], neuron)
    if stage.kind == "loss":
        return _loss_lines(t)
    if stage.kind == "backward":
        k = stage.layer
        above = t.layers[k + 1] if k + 1 < len(t.layers) else None
        return _backward_lines(t, t.layers[k], above, neuron)
    if stage.kind == "update":
        return _update_lines(t, neuron)
    return _example_lines(t, worst)


# ---- wrapping ----------------------------------------------------------------------------

_OPERATORS = frozenset({"+", "-", "−", "=", "·", "←", "→", "×"})
_MARKS = frozenset({MARK_OK, MARK_BAD})
_WORD = re.compile(r"\S+")


def _cut(word: str, room: int) -> list[tuple[int, int]]:
    """``word`` as (start, end) pieces of at most ``room`` cells."""
    out, start, used = [], 0, 0
    for i, ch in enumerate(word):
        w = cell_len(ch)
        if used + w > room and i > start:
            out.append((start, i))
            start, used = i, 0
        used += w
    out.append((start, len(word)))
    return out


def wrap(text: Text, width: int) -> list[Text]:
    """``text`` as lines of at most ``width`` cells, broken at spaces (a formula's
    operator starts the next line), each continuation indented a little more."""
    plain = text.plain
    if width <= 0 or cell_len(plain) <= width:
        return [text]
    indent = len(plain) - len(plain.lstrip(" "))
    if indent > width // 3:  # a deep indent in a narrow width: less of it
        return wrap(Text(" " * (width // 3)) + text[indent:], width)
    step = 4 if (" = " in plain or " ← " in plain) else 2
    cont = min(indent + step, max(width // 3, 0))
    words = [(m.start(), m.end()) for m in _WORD.finditer(plain)]
    # Words longer than a line of their own are cut first.
    pieces: list[tuple[int, int]] = []
    room = max(width - max(cont, indent), 1)
    for a, b in words:
        if cell_len(plain[a:b]) > room:
            pieces += [(a + s, a + e) for s, e in _cut(plain[a:b], room)]
        else:
            pieces.append((a, b))
    rows: list[list[tuple[int, int]]] = []
    row: list[tuple[int, int]] = []
    for piece in pieces:
        if row:
            start, prefix = (0, 0) if not rows else (row[0][0], cont)
            if prefix + cell_len(plain[start:piece[1]]) > width:

                def fits(first: tuple[int, int], end: int = piece[1]) -> bool:
                    return cont + cell_len(plain[first[0]:end]) <= width

                gaps = [g for g in range(1, len(row)) if row[g][0] - row[g - 1][1] >= 3]
                if gaps and fits(row[gaps[-1]]):
                    keep, carry = row[:gaps[-1]], row[gaps[-1]:]  # break at a wide gap ("   numerical: ...")
                else:
                    keep, carry = list(row), []
                    if len(keep) > 1 and plain[piece[0]:piece[1]] in _MARKS:
                        carry.insert(0, keep.pop())  # a mark stays with the number it marks
                    if len(keep) > 1 and plain[keep[-1][0]:keep[-1][1]] in _OPERATORS:
                        carry.insert(0, keep.pop())  # "+ 0.2·0.3" rather than "... +" / "0.2·0.3"
                    if carry and not fits(carry[0]):
                        keep, carry = list(row), []
                rows.append(keep)
                row = carry
        row.append(piece)
    if row:
        rows.append(row)
    out = []
    for n, r in enumerate(rows):
        start = 0 if n == 0 else r[0][0]
        line = text[start:r[-1][1]]
        if n:
            line = Text(" " * cont) + line
        out.append(line)
    return out
