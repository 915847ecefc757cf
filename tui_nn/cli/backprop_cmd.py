"""``tui-nn backprop PRESET [--sample I] [--split train|test] [--epochs N]``: one
example's forward and backward pass through the preset's network, the
numbers plugged into every formula (``z1 = 0·5 + 1·5 - 8 = -3``,
``a1 = step(-3) = 0``), the chain rule output layer first, each gradient
beside its numerical estimate, and the update one step on this example would
make. The network is the preset's as built (``--epochs N`` trains N epochs
first). Layers wider than 8 neurons show their first 8.

``--json`` prints one object: ``preset``, ``split``, ``sample``, ``inputs``,
``x``, ``label``, ``y``, ``prediction``, ``loss``, ``loss_name``, ``output``,
``backprop``, ``combined``, ``agreement`` (null without gradients), the
other fields of ``tui_nn.training.backprop.Trace`` and ``layers``: per layer
``layer`` (1 is the first hidden layer), ``activation``, ``x``, ``W``, ``b``,
``z``, ``a``, ``dL_da``, ``fprime``, ``delta``, ``dL_dW``, ``numeric_dW``,
``dL_db``, ``numeric_db``, ``penalty_dW``, ``update_W``, ``update_b`` and
``batch_norm`` (null, or its statistics and gradients); a number not computed
is null. A sample out of range is exit status 2 with one line on stderr.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import TYPE_CHECKING, Any

from ..config import ConfigError
from ..data.synthetic import shown_class_name
from ..i18n import _, ngettext
from ..io.presets import DEFAULT_PRESET, load_preset
from ..training.backprop_text import (
    MAX_SHOWN, bn_eps, factor, layer_title, num, numeric_note, signed, sum_of_products,
)

if TYPE_CHECKING:
    from ..training.backprop import LayerTrace, Trace

__all__ = ["MAX_SHOWN", "add_backprop_parser", "cmd_backprop", "format_trace", "trace_dict"]

EXIT_OK = 0


def add_backprop_parser(sub: "argparse._SubParsersAction[Any]") -> argparse.ArgumentParser:
    """Add the ``backprop`` command to the CLI's subcommands."""
    p: argparse.ArgumentParser = sub.add_parser(
        "backprop", help=_("trace one example's forward and backward pass"),
        description=_("One example's forward pass and backpropagation through a preset's network, with the "
                      "numbers plugged into every formula and each gradient beside its numerical derivative."),
    )
    p.add_argument("preset", nargs="?", default=DEFAULT_PRESET,
                   help=_("a built-in preset name or a .toml file (default: {preset})").format(preset=DEFAULT_PRESET))
    p.add_argument("--sample", type=int, default=0, metavar="I",
                   help=_("which example of the split to trace, from 0 (default: 0)"))
    p.add_argument("--split", choices=("train", "test"), default="train",
                   help=_("take the example from the training or the test data (default: train)"))
    p.add_argument("--epochs", type=int, default=0, metavar="N",
                   help=_("train N epochs first (default: 0, the network as the preset builds it)"))
    p.add_argument("--seed", type=int, help=_("override training.seed"))
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="SECTION.KEY=VALUE",
                   help=_("override a setting of the preset (repeatable)"))
    p.add_argument("--json", action="store_true", help=_("print one JSON object instead of text"))
    return p


def cmd_backprop(args: argparse.Namespace) -> int:
    from ..training import Trainer
    from ..training.backprop import trace

    overrides = list(args.overrides)
    if args.seed is not None:
        overrides.append(f"training.seed={args.seed}")
    config = load_preset(args.preset).with_overrides(overrides)
    if args.epochs < 0:
        raise ConfigError(_("--epochs {epochs}: allowed 0 or more").format(epochs=args.epochs))
    trainer = Trainer(config)
    if args.epochs:
        if not trainer.trainable:
            raise ConfigError(_("--epochs {epochs}: this network has step units and no training rule to "
                                "follow; trace it as it is (--epochs 0)").format(epochs=args.epochs))
        result = trainer.run(args.epochs)
        if result.status == "diverged":
            print(f"tui-nn: {result.message}", file=sys.stderr)
    t = trace(trainer, args.sample, split=args.split)
    if args.json:
        print(json.dumps(trace_dict(t), allow_nan=False, ensure_ascii=False))
    else:
        size = len(trainer.dataset.X_train if args.split == "train" else trainer.dataset.X_test)
        print("\n".join(format_trace(t, size)))
    return EXIT_OK


# ---- JSON ----------------------------------------------------------------------------


def _json(value: Any) -> Any:
    """Arrays as nested lists, NaN and infinities as null."""
    if value is None:
        return None
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, list):
        return [_json(v) for v in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return value


def _layer_dict(layer: "LayerTrace") -> dict[str, Any]:
    bn = layer.bn
    return {
        "layer": layer.index + 1,
        "activation": layer.activation,
        "output": layer.is_output,
        "x": _json(layer.x), "W": _json(layer.W), "b": _json(layer.b),
        "z": _json(layer.z), "a": _json(layer.a),
        "dL_da": _json(layer.dL_da), "fprime": _json(layer.fprime), "jacobian": _json(layer.jacobian),
        "delta": _json(layer.delta), "combined": layer.combined,
        "dL_dW": _json(layer.dL_dW), "numeric_dW": _json(layer.numeric_dW),
        "dL_db": _json(layer.dL_db), "numeric_db": _json(layer.numeric_db),
        "dL_dx": _json(layer.dL_dx),
        "penalty_dW": _json(layer.penalty_dW),
        "update_W": _json(layer.update_W), "update_b": _json(layer.update_b),
        "batch_norm": None if bn is None else {
            "mean": _json(bn.mean), "var": _json(bn.var), "gamma": _json(bn.gamma), "beta": _json(bn.beta),
            "xhat": _json(bn.xhat), "zn": _json(bn.zn), "dL_dzn": _json(bn.dL_dzn),
            "dL_dgamma": _json(bn.dL_dgamma), "numeric_dgamma": _json(bn.numeric_dgamma),
            "dL_dbeta": _json(bn.dL_dbeta), "numeric_dbeta": _json(bn.numeric_dbeta),
            "update_gamma": _json(bn.update_gamma), "update_beta": _json(bn.update_beta),
        },
    }


def trace_dict(t: "Trace") -> dict[str, Any]:
    """The trace as JSON (see the module's docstring for the keys)."""
    from ..training.backprop import notes

    return {
        "preset": t.preset, "split": t.split, "sample": t.sample, "inputs": list(t.input_names),
        "x": _json(t.x), "label": _json(t.label), "label_name": t.label_name, "y": _json(t.y),
        "prediction": _json(t.prediction), "predicted_class": t.predicted_class,
        "loss": _json(t.loss), "loss_name": t.loss_name, "output": t.output_name,
        "backprop": t.backprop, "combined": t.combined, "eval_mode": t.eval_mode, "dropout": t.dropout,
        "batch_norm": t.batch_norm, "regularization": t.regularization,
        "regularization_rate": t.regularization_rate, "penalty_in_dL_dW": t.penalty_in_dL_dW,
        "eps": t.eps, "agreement": _json(t.agreement), "max_difference": _json(t.max_difference), "numeric_complete": t.numeric_complete,
        "numeric_count": t.numeric_count, "update_rule": t.update_rule, "update_stateful": t.update_stateful,
        "update_includes_penalty": t.update_includes_penalty, "learning_rate": t.learning_rate,
        "notes": notes(t),
        "layers": [_layer_dict(layer) for layer in t.layers],
    }


# ---- text ------------------------------------------------------------------------------


def _more_neurons(width: int) -> list[str]:
    more = width - MAX_SHOWN
    if more <= 0:
        return []
    return ["  " + ngettext("… and {count} more neuron", "… and {count} more neurons", more).format(count=more)]


def _forward_lines(t: "Trace", layer: "LayerTrace") -> list[str]:
    lines = [layer_title(t, layer)]
    bn = layer.bn
    for j in range(min(layer.z.size, MAX_SHOWN)):
        n = j + 1
        pairs = [(float(layer.x[i]), float(layer.W[i, j])) for i in range(layer.x.size)]
        lines.append(f"  z{n} = {sum_of_products(pairs, float(layer.b[j]))} = {num(layer.z[j])}")
        f_in = float(layer.z[j])
        if bn is not None:
            std = 1.0 / math.sqrt(float(bn.var[j]) + bn_eps())
            lines.append(f"  zn{n} = {factor(bn.gamma[j])}·({num(layer.z[j])} - {factor(bn.mean[j])})/{num(std)}"
                         f" {signed(float(bn.beta[j]))} = {num(bn.zn[j])}")
            f_in = float(bn.zn[j])
        if layer.elementwise:
            lines.append(f"  a{n} = {layer.activation}({num(f_in)}) = {num(layer.a[j])}")
        else:
            lines.append(f"  a{n} = {layer.activation}(z)[{n}] = {num(layer.a[j])}")
    lines += _more_neurons(layer.z.size)
    return lines


def _backward_lines(t: "Trace", layer: "LayerTrace", above: "LayerTrace | None") -> list[str]:
    assert layer.delta is not None and layer.dL_dW is not None and layer.dL_db is not None
    assert layer.dL_da is not None
    lines = [layer_title(t, layer)]
    bn = layer.bn
    for j in range(min(layer.z.size, MAX_SHOWN)):
        n = j + 1
        d = float(layer.delta[j])
        if layer.combined:
            lines.append(f"  δ{n} = a{n} - y{n} = {num(layer.a[j])} - {factor(t.y[j])} = {num(d)}   "
                         + _("({output} with {loss}: combined)").format(output=t.output_name, loss=t.loss_name))
        else:
            if above is None:
                lines.append(f"  dL/da{n} = {num(layer.dL_da[j])}   " + _("(the loss's derivative)"))
            else:
                assert above.delta is not None
                pairs = [(float(above.W[j, c]), float(above.delta[c])) for c in range(above.delta.size)]
                lines.append(f"  dL/da{n} = Σ w·δ = {sum_of_products(pairs)} = {num(layer.dL_da[j])}")
            if layer.fprime is None:
                lines.append(f"  δ{n} = (Jᵀ·dL/da)[{n}] = {num(d)}   " + _("(the softmax Jacobian)"))
            else:
                fp = float(layer.fprime[j])
                if bn is None:
                    lines.append(f"  f'(z{n}) = {num(fp)}")
                    lines.append(f"  δ{n} = dL/da{n} · f'(z{n}) = {factor(layer.dL_da[j])}·{factor(fp)} = {num(d)}")
                else:
                    assert bn.dL_dzn is not None
                    std = 1.0 / math.sqrt(float(bn.var[j]) + bn_eps())
                    lines.append(f"  f'(zn{n}) = {num(fp)}")
                    lines.append(f"  dL/dzn{n} = dL/da{n} · f'(zn{n}) = {factor(layer.dL_da[j])}·{factor(fp)}"
                                 f" = {num(bn.dL_dzn[j])}")
                    lines.append(f"  δ{n} = dL/dzn{n} · γ/σ = {factor(bn.dL_dzn[j])}·{factor(bn.gamma[j])}/"
                                 f"{num(std)} = {num(d)}")
        fan_in = layer.x.size
        for i in range(min(fan_in, MAX_SHOWN)):
            g = float(layer.dL_dW[i, j])
            line = f"    dL/dw({i + 1}→{n}) = {factor(layer.x[i])}·{factor(d)} = {num(g)}"
            lines.append(_with_numeric(line, layer.numeric_dW, (i, j)))
        if fan_in > MAX_SHOWN:
            more = fan_in - MAX_SHOWN
            lines.append("    " + ngettext("… and {count} more weight", "… and {count} more weights", more).format(
                count=more))
        lines.append(_with_numeric(f"    dL/db{n} = δ{n} = {num(layer.dL_db[j])}", layer.numeric_db, (j,)))
        if bn is not None and bn.dL_dgamma is not None and bn.dL_dbeta is not None:
            lines.append(_with_numeric(f"    dL/dγ{n} = {num(bn.dL_dgamma[j])}", bn.numeric_dgamma, (j,)))
            lines.append(_with_numeric(f"    dL/dβ{n} = {num(bn.dL_dbeta[j])}", bn.numeric_dbeta, (j,)))
    lines += _more_neurons(layer.z.size)
    return lines


def _with_numeric(line: str, numeric: Any, at: tuple[int, ...]) -> str:
    if numeric is None:
        return line
    extra = numeric_note(float(numeric[at]))
    return f"{line}   {extra}" if extra else line


def _update_lines(t: "Trace") -> list[str]:
    if not t.update_rule:
        return []
    lr = num(t.learning_rate)
    lines: list[str] = []
    plain_sgd = t.update_rule == "sgd" and not t.update_includes_penalty
    if t.update_rule == "perceptron":
        y_hat = float(t.prediction[0])
        lines.append(_("Update by the perceptron rule, learning rate {lr}: Δw = lr·(y - ŷ)·x").format(lr=lr))
        for layer in t.layers:
            assert layer.update_W is not None and layer.update_b is not None
            lr_error = f"{factor(t.learning_rate)}·({num(t.y[0])} - {num(y_hat)})"
            for i in range(min(layer.x.size, MAX_SHOWN)):
                lines.append(f"  Δw({i + 1}→1) = {lr_error}·{factor(layer.x[i])} = {num(layer.update_W[i, 0])}")
            lines.append(f"  Δb1 = {lr_error} = {num(layer.update_b[0])}")
        return lines
    if plain_sgd:
        lines.append(_("Update by {rule}, learning rate {lr}: Δw = -lr · dL/dw").format(rule=t.update_rule, lr=lr))
    else:
        lines.append(_("Update by {rule}, learning rate {lr}, for this example's gradient:").format(
            rule=t.update_rule, lr=lr))
    for layer in reversed(t.layers):
        assert layer.update_W is not None and layer.update_b is not None and layer.dL_dW is not None
        lines.append("  " + _("Layer {layer}").format(layer=layer.index + 1))
        for j in range(min(layer.z.size, MAX_SHOWN)):
            n = j + 1
            for i in range(min(layer.x.size, MAX_SHOWN)):
                u = num(layer.update_W[i, j])
                if plain_sgd:
                    lines.append(f"    Δw({i + 1}→{n}) = -{factor(t.learning_rate)}·{factor(layer.dL_dW[i, j])} = {u}")
                else:
                    lines.append(f"    Δw({i + 1}→{n}) = {u}")
            if plain_sgd and layer.dL_db is not None:
                lines.append(f"    Δb{n} = -{factor(t.learning_rate)}·{factor(layer.dL_db[j])} = {num(layer.update_b[j])}")
            else:
                lines.append(f"    Δb{n} = {num(layer.update_b[j])}")
        lines += ["  " + more for more in _more_neurons(layer.z.size)]
    return lines


def format_trace(t: "Trace", size: int) -> list[str]:
    """The trace as text lines; ``size``: how many examples the split has."""
    from ..training.backprop import notes

    lines = [_("Backpropagation through {preset}: {split} example {sample} of {count}").format(
        preset=t.preset, split=t.split, sample=t.sample, count=size)]
    names = t.input_names
    shown = ", ".join(f"{names[i]} = {num(t.x[i])}" for i in range(min(len(names), MAX_SHOWN)))
    if len(names) > MAX_SHOWN:
        shown += ", …"
    lines.append(_("Inputs: {inputs}").format(inputs=shown))
    target = ", ".join(num(v) for v in t.y)
    if t.label_name and t.label_name == str(t.label):
        lines.append(_("Target: y = {target} (class {label})").format(target=target, label=t.label))
    elif t.label_name:
        lines.append(_("Target: y = {target} (class {label}: {name})").format(
            target=target, label=t.label, name=shown_class_name(t.label_name)))
    else:
        lines.append(_("Target: y = {target} (in the data's units: {value})").format(
            target=target, value=num(float(t.label))))
    lines += ["  " + note for note in notes(t)]
    lines += ["", _("Forward pass")]
    for layer in t.layers:
        lines += _forward_lines(t, layer)
    prediction = ", ".join(num(v) for v in t.prediction)
    if t.predicted_class is not None:
        lines.append(_("Prediction: a = {prediction} (class {label})").format(
            prediction=prediction, label=t.predicted_class))
    else:
        lines.append(_("Prediction: a = {prediction}").format(prediction=prediction))
    lines.append(_("Loss for this example ({name}): {loss}").format(name=t.loss_name, loss=num(t.loss)))
    if t.backprop:
        lines += ["", _("Backward pass, output layer first")]
        above = None
        for layer in reversed(t.layers):
            lines += _backward_lines(t, layer, above)
            above = layer
        if math.isfinite(t.agreement):
            lines.append(_("Backpropagation against the numerical derivatives (eps = {eps}): largest difference "
                           "{difference}, largest relative difference {agreement}").format(
                eps=f"{t.eps:g}", difference=f"{t.max_difference:.2g}", agreement=f"{t.agreement:.2g}"))
    update = _update_lines(t)
    if update:
        lines += ["", *update]
    return lines
