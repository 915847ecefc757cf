"""The words and numbers of a backprop trace, shared by ``tui-nn backprop``
(``cli/backprop_cmd.py``) and the app's inspector (``app/widgets/inspector_text.py``,
``app/screens/inspector.py``): the number format a learner reads, the pieces of
a formula with its numbers plugged in (``0·5 + 1·5 - 8``) and a layer's title,
so that the command line and the app write a trace in the same words.

Plain strings only (no Rich, no Textual): the CLI prints them, the app wraps
them in its own text.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..engine.batch_norm import BN_EPS
from ..i18n import _, ngettext

if TYPE_CHECKING:
    from .backprop import LayerTrace, Trace

__all__ = ["MAX_SHOWN", "bn_eps", "factor", "layer_title", "num", "numeric_note", "signed", "sum_of_products"]

# Neurons per layer, and terms per sum, written out; the rest are counted.
MAX_SHOWN = 8


def num(v: float) -> str:
    """A number as a learner reads it: whole numbers without a point, else 4 significant digits."""
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if v == 0.0:
        return "0"
    if v == round(v) and abs(v) < 1e6:
        return str(int(v))
    return f"{v:.4g}"


def factor(v: float) -> str:
    """A number inside a product: negative ones in parentheses."""
    s = num(v)
    return f"({s})" if s.startswith("-") else s


def sum_of_products(pairs: Sequence[tuple[float, float]], bias: float | None = None) -> str:
    """``0·5 + 1·5 - 8``: the first MAX_SHOWN products, then the bias."""
    terms = [f"{factor(a)}·{factor(b)}" for a, b in pairs[:MAX_SHOWN]]
    text = " + ".join(terms)
    if len(pairs) > MAX_SHOWN:
        text += " + …"
    if bias is not None:
        s = num(bias)
        sign, mag = ("-", s[1:]) if s.startswith("-") else ("+", s)
        text = f"{text} {sign} {mag}" if text else s
    return text


def signed(v: float) -> str:
    """A number added at the end of a formula: ``+ 0.5``, ``- 0.5``."""
    s = num(v)
    return f"- {s[1:]}" if s.startswith("-") else f"+ {s}"


def bn_eps() -> float:
    """Batch norm's epsilon, as ``sqrt(var + eps)`` in the written formulas uses it."""
    return BN_EPS


def numeric_note(value: float) -> str:
    """"numerical: 0.25" beside a gradient; "" when there is no finite estimate."""
    return _("numerical: {value}").format(value=num(value)) if math.isfinite(value) else ""


def layer_title(t: Trace, layer: LayerTrace) -> str:
    """"Layer 2 (output, sigmoid): 1 neuron"."""
    width = layer.z.size
    if layer.is_output:
        return ngettext("Layer {layer} (output, {activation}): {count} neuron",
                        "Layer {layer} (output, {activation}): {count} neurons", width).format(
            layer=layer.index + 1, activation=layer.activation, count=width)
    return ngettext("Layer {layer} (hidden, {activation}): {count} neuron",
                    "Layer {layer} (hidden, {activation}): {count} neurons", width).format(
        layer=layer.index + 1, activation=layer.activation, count=width)
