"""``tui-nn compare PRESET --vary section.key=v1,v2,...``: runs of a preset side
by side, one setting varied, as a table or (``--json``) a list of objects.

Each run's JSON object has the keys of ``tui-nn train --json`` (the same
function makes them) plus ``vary`` (the setting's path), ``value`` (its value
in this run, as JSON: a number, text, a list or true/false), ``seed``,
``target_loss``, ``epochs_to_target`` (null if never), ``shared_data`` and
``shared_init``. Values that hold commas are separated with ``;``:
``--vary network.hidden=8;8,8;8,8,8``.

The epochs to a target loss are counted to ``--target`` or, by default, to the
highest final training loss of the runs that did not diverge (over every seed):
the loss each of them reached, so every such run gets a count and the fastest
shows. No target (``-`` and null) when every run diverged or when that loss is
not below every run's starting loss.

``--seeds 0-4`` (or ``0,2,5``) repeats the comparison for each seed (data and
initial weights drawn from it): a row per value and seed, and a mean row per
value. A run that diverges is a result, not an error: it is marked in the
table (``status`` in JSON) and the exit status stays 0. Bad input (an unknown
setting, a bad value, 1 or 7+ values, a bad seed range) is exit status 2 with
one line on stderr, as everywhere in the CLI.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len

from ..config import ConfigError
from ..i18n import _
from ..io.presets import DEFAULT_PRESET, load_preset

if TYPE_CHECKING:
    from ..training import RunResult, Trainer
    from ..training.compare import Comparison

__all__ = ["MAX_SEEDS", "add_compare_parser", "cmd_compare", "format_table", "parse_seeds"]

MAX_SEEDS = 10
MAX_SEED = 2**32 - 1
# Rows of history kept per run: epochs to the target are exact up to this many
# epochs (and to the history's stride beyond), at about 0.3 MB a run.
MAX_HISTORY = 4096

Summary = Callable[["Trainer", "RunResult"], dict[str, Any]]


def add_compare_parser(sub: "argparse._SubParsersAction[Any]") -> argparse.ArgumentParser:
    """Add the ``compare`` command to the CLI's subcommands."""
    p: argparse.ArgumentParser = sub.add_parser(
        "compare", help=_("train runs of a preset side by side, one setting varied"),
        description=_("Train runs of a preset side by side with one setting varied, from the same data and, "
                      "where the networks' shapes match, the same initial weights."),
    )
    p.add_argument("preset", nargs="?", default=DEFAULT_PRESET,
                   help=_("a built-in preset name or a .toml file (default: {preset})").format(preset=DEFAULT_PRESET))
    p.add_argument("--vary", required=True, metavar="SECTION.KEY=V1,V2,...",
                   help=_("the setting to vary and 2 to 6 values, e.g. training.optimizer=sgd,adam; separate "
                          "values that hold commas with ';', e.g. network.hidden=8;8,8;8,8,8"))
    p.add_argument("--epochs", type=int, help=_("override training.epochs"))
    p.add_argument("--seeds", metavar="A-B",
                   help=_("repeat for each seed, e.g. 0-4 or 0,2,5 (at most {n}): a row per value and seed, "
                          "and a mean row per value").format(n=MAX_SEEDS))
    p.add_argument("--target", type=float, metavar="LOSS",
                   help=_("count the epochs to this training loss (default: the highest final training loss "
                          "of the runs that did not diverge, which each of them reached)"))
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="SECTION.KEY=VALUE",
                   help=_("override a setting of the preset (repeatable)"))
    p.add_argument("--json", action="store_true", help=_("print a JSON list, one object per run"))
    return p


def parse_seeds(text: str) -> list[int]:
    """``"0-4"`` (inclusive), ``"0,2,5"`` or ``"3"`` as a list of 1 to MAX_SEEDS
    different seeds; ConfigError naming what is allowed otherwise."""
    seeds: list[int] = []
    try:
        for part in text.split(","):
            low, dash, high = part.strip().partition("-")
            first = int(low)
            last = int(high) if dash else first
            if not 0 <= first <= last <= MAX_SEED or last - first >= MAX_SEEDS:
                raise ValueError
            seeds.extend(range(first, last + 1))
    except ValueError:
        seeds = []
    if not seeds or len(seeds) > MAX_SEEDS or len(set(seeds)) != len(seeds):
        raise ConfigError(
            _("--seeds {text}: allowed a range like 0-4 or a list like 0,2,5 of 1 to {n} different seeds "
              "from 0 to {high}").format(text=repr(text), n=MAX_SEEDS, high=MAX_SEED)
        )
    return seeds


def cmd_compare(args: argparse.Namespace, summary: Summary) -> int:
    """Run the comparison ``args`` ask for; ``summary`` is ``tui-nn train --json``'s
    object for one run (passed in so the keys are the same by construction)."""
    from ..training.compare import Comparison, common_target, parse_vary

    overrides = list(args.overrides)
    if args.epochs is not None:
        overrides.append(f"training.epochs={args.epochs}")
    base = load_preset(args.preset).with_overrides(overrides)
    path, values = parse_vary(args.vary, base)
    seeds = parse_seeds(args.seeds) if args.seeds is not None else [base.training.seed]
    if args.seeds is not None and path == "training.seed":
        raise ConfigError(_("--seeds and --vary training.seed both set the seed: give one of them"))
    if args.target is not None and not (math.isfinite(args.target) and args.target >= 0):
        raise ConfigError(_("--target {target}: allowed a finite loss >= 0").format(target=args.target))
    # Enough history for every epoch's figures (up to MAX_HISTORY): exact epochs to the target.
    capacity = min(MAX_HISTORY, max(1024, base.training.epochs + 2 + base.training.epochs % 2))
    comparisons = [Comparison(base, path, values, seed=seed, history_capacity=capacity) for seed in seeds]
    results = _run_all(comparisons, show_progress=not args.json and sys.stderr.isatty())
    if args.target is not None:
        target: float | None = args.target
    else:
        # One target for every seed: the highest final loss of all the runs that did not diverge.
        target = common_target(pair for c in comparisons for pair in c.target_runs())
    if args.json:
        out = []
        for comparison, runs in zip(comparisons, results):
            reached = comparison.epochs_to(target) if target is not None else [None] * len(runs)
            for run, result, epochs_to in zip(comparison.runs, runs, reached):
                item = summary(run.trainer, result)
                item.update(
                    vary=path, value=_json_value(run.config.get(path)), seed=comparison.seed,
                    target_loss=target, epochs_to_target=epochs_to,
                    shared_data=comparison.shared_data, shared_init=comparison.shared_init,
                )
                out.append(item)
        print(json.dumps(out, allow_nan=False))
        return 0
    print(_header(args.preset, base.name, comparisons, seeds, args.seeds))
    print(comparisons[0].sharing_note())
    print()
    rows = [row for c in comparisons for row in c.rows(target)]
    if target is None:  # no target for all the seeds: no counts (rows() would take each seed's own)
        for row in rows:
            row.update(epochs_to_target=None, target=None)
    for line in format_table(path, rows, target, several_seeds=len(seeds) > 1):
        print(line)
    print()
    print(_target_line(target, given=args.target is not None,
                       all_diverged=all(r.diverged for c in comparisons for r in c.runs)))
    return 0


def _run_all(comparisons: Sequence["Comparison"], show_progress: bool) -> list[list["RunResult"]]:
    if not show_progress:
        return [c.run() for c in comparisons]
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    total = sum(r.planned for c in comparisons for r in c.runs)
    done = 0
    columns = (TextColumn("[bold]" + _("epochs")), MofNCompleteColumn(), BarColumn(), TimeRemainingColumn())
    results = []
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("compare", total=total)
        for c in comparisons:
            def tick(c: "Comparison" = c) -> bool:
                progress.update(task, completed=done + sum(r.trainer.epoch for r in c.runs))
                return False

            results.append(c.run(should_stop=tick))
            done += sum(r.planned for r in c.runs)
    return results


def _json_value(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _header(preset: str, name: str, comparisons: Sequence["Comparison"], seeds: list[int],
            seeds_text: str | None) -> str:
    first = comparisons[0]
    # Values that hold commas (8,8) are listed as they are typed to --vary: with ';'.
    shown = ("; " if any("," in r.shown for r in first.runs) else ", ").join(r.shown for r in first.runs)
    epochs = max(r.planned for r in first.runs)
    seed_words = (_("seeds {seeds}").format(seeds=seeds_text.strip()) if len(seeds) > 1 and seeds_text
                  else _("seed {seed}").format(seed=seeds[0]))
    return _("{preset}: {dataset}; {path} = {values}; {epochs} epochs; {seeds}").format(
        preset=name or preset, dataset=first.dataset.name, path=first.path, values=shown, epochs=epochs,
        seeds=seed_words)


def _target_line(target: float | None, given: bool, all_diverged: bool = False) -> str:
    if target is None:
        if all_diverged:
            return _("Every run diverged: there is no target loss to count epochs to.")
        return _("Not every run's training loss fell below its starting loss: there is no target loss "
                 "to count epochs to.")
    rule = (_("the --target given") if given
            else _("the highest final training loss of the runs that did not diverge: each of them reached it"))
    return _("Epochs to loss {target}: the first epoch whose training loss is at or below {target} "
             "({rule}); - if never.").format(target=_loss(target), rule=rule)


def _loss(x: float) -> str:
    if not math.isfinite(x):
        return "-"
    return f"{x:.4f}" if 1e-3 <= x < 1e3 else f"{x:.3g}"


def _metric(x: float, metric: str) -> str:
    if not math.isfinite(x):
        return "-"
    return f"{x:.1%}" if metric == "accuracy" else f"{x:.4g}"


def _mean(xs: Sequence[float]) -> float:
    finite = [x for x in xs if math.isfinite(x)]
    return sum(finite) / len(finite) if finite else math.nan


def format_table(path: str, rows: Sequence[dict[str, Any]], target: float | None, *,
                 several_seeds: bool = False) -> list[str]:
    """``Comparison.rows()`` (of one or several seeds) as aligned lines, columns
    measured in terminal cells; with ``several_seeds`` a seed column, and after
    each value's rows a mean row."""
    metrics = {r["metric"] for r in rows}
    if metrics == {"accuracy"}:
        train_m, test_m = _("train acc"), _("test acc")
    elif metrics == {"rmse"}:
        train_m, test_m = _("train RMSE"), _("test RMSE")
    else:
        train_m, test_m = _("train metric"), _("test metric")
    to_target = (_("epochs to loss {target}").format(target=_loss(target)) if target is not None
                 else _("epochs to target"))
    header = [path, *([_("seed")] if several_seeds else []), _("train loss"), _("test loss"), train_m, test_m,
              _("epochs"), to_target, _("status")]
    table = [header]

    def cells(value: str, seed: str, r: dict[str, Any], reached: str, status: str) -> list[str]:
        return [value, *([seed] if several_seeds else []), _loss(r["train_loss"]), _loss(r["test_loss"]),
                _metric(r["train_metric"], r["metric"]), _metric(r["test_metric"], r["metric"]),
                str(r["epochs"]), reached, status]

    order: list[str] = []
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        if r["value"] not in groups:
            order.append(r["value"])
        groups.setdefault(r["value"], []).append(r)
    for value in order:
        group = groups[value]
        for r in group:
            reached = "-" if r["epochs_to_target"] is None else str(r["epochs_to_target"])
            table.append(cells(r["shown"], str(r["seed"]), r, reached, _("diverged") if r["diverged"] else _("ok")))
        if several_seeds and len(group) > 1:
            hits = [r["epochs_to_target"] for r in group if r["epochs_to_target"] is not None]
            reached = "-" if not hits else f"{sum(hits) / len(hits):.0f}"
            if hits and len(hits) < len(group):
                reached += f" ({len(hits)}/{len(group)})"
            n_div = sum(1 for r in group if r["diverged"])
            status = (_("{n}/{total} diverged").format(n=n_div, total=len(group)) if n_div else _("ok"))
            mean = {
                "metric": group[0]["metric"],
                **{k: _mean([r[k] for r in group])
                   for k in ("train_loss", "test_loss", "train_metric", "test_metric")},
                "epochs": f"{_mean([float(r['epochs']) for r in group]):.0f}",
            }
            table.append(cells(group[0]["shown"], _("mean"), mean, reached, status))
    widths = [max(cell_len(row[k]) for row in table) for k in range(len(header))]
    lines = []
    for i, row in enumerate(table):
        parts = []
        for k, text in enumerate(row):
            pad = " " * (widths[k] - cell_len(text))
            # The value and the status read left to right; figures align on the right.
            parts.append(text + pad if k == 0 or k == len(row) - 1 else pad + text)
        lines.append("  ".join(parts).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines
