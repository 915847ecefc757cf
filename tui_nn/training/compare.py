"""Runs of one set-up side by side, one setting varied: what ``tui-nn compare``
prints and what a compare screen steps.

``Comparison(base, "training.optimizer", ("sgd", "adam"))`` builds one
``Trainer`` per value, from ``base`` with that one setting changed (and checked
by the config's own rules). So that the varied setting is the only difference:

- **the data are built once and shared** (the same read-only arrays), unless
  the varied setting is a data setting or ``training.seed``, which make the data
  (``shared_data`` False);
- **the initial weights are the same, bit for bit,** wherever the networks'
  layer shapes match (varying the activation, the optimizer, the learning rate,
  the regularisation, dropout, batch norm...): the first run's initial weights
  are copied into the others where they differ (with the same seed they are
  already equal, so the copy changes nothing and every run trains exactly as a
  plain ``Trainer`` of its config would). Not where the shapes differ
  (``network.hidden``, ``data.features``, an output with several units) and not
  when the varied setting is how the weights are drawn (``network.init``,
  ``network.init_seed``, ``training.seed``): then ``shared_init`` is False and
  ``sharing_note()`` says why.

Stepping is cheap enough for a UI loop: ``step_epoch()`` trains one epoch of
each run still going, allocating nothing that grows; each trainer's history is
bounded (``history_capacity`` rows, thinned evenly as ``History`` does).

**Epochs to a target loss.** ``epochs_to(target)`` is, per run, the first epoch
whose *training* loss is at or below ``target`` in the run's history (None if
none is). It is exact while the history holds every evaluated epoch (the first
``history_capacity - 1`` epochs); after that, to the history's stride. The
default target (``target_loss()`` when no target was given) is the highest
final training loss among the runs that did not diverge (``common_target``):
the loss every one of them reached by its last epoch, so each run gets a count
and the fastest shows. None when every run diverged, or when that loss is not
below every such run's starting loss (a run that did not learn would "reach" it
at epoch 0).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..config import SPECS, Config, ConfigError, format_value
from ..i18n import _
from ..data import Dataset
from .state import Outcome, RunResult
from .trainer import Trainer, build_dataset_for

__all__ = [
    "ComparedRun",
    "Comparison",
    "INIT_PATHS",
    "MAX_VALUES",
    "MIN_VALUES",
    "check_values",
    "common_target",
    "parse_vary",
]

MIN_VALUES, MAX_VALUES = 2, 6
# Settings that decide how the initial weights are drawn: varying one of them
# is varying the initial weights, so they are not shared.
INIT_PATHS = ("network.init", "network.init_seed", "training.seed")


def _data_path(path: str) -> bool:
    """Whether ``path`` changes the data set (the data are drawn from the seed too)."""
    return path.startswith("data.") or path == "training.seed"


def common_target(runs: Iterable[tuple[float, float]]) -> float | None:
    """The default target loss of runs that did not diverge, from each one's
    (starting, final) training loss: the highest final loss, the one every run
    reached by its last epoch, so each gets an epoch count and the fastest shows.
    None when no run has a finite final loss, or when that loss is not below
    every run's starting loss (nobody learned, or one run did not: it would count
    as reaching the target at epoch 0)."""
    pairs = [(start, final) for start, final in runs if math.isfinite(final)]
    if not pairs:
        return None
    target = max(final for _start, final in pairs)
    return target if all(target < start for start, _final in pairs) else None


def parse_vary(text: str, base: Config | None = None) -> tuple[str, tuple[str, ...]]:
    """``"section.key=v1,v2,..."`` as ``(path, (v1, v2, ...))``, each value checked.

    Values are separated by commas, or by semicolons when the text has any:
    settings whose values hold commas themselves take ``;`` —
    ``network.hidden=8;8,8;8,8,8`` is three networks, of one, two and three
    layers of 8. Each value is checked by the config's own rules on ``base``
    (default ``Config()``) with ``Config.with_overrides``, so it reads as
    ``--set`` does. Raises ``ConfigError`` with one line naming the setting and
    what is allowed: 2 to 6 values, each valid, none twice.
    """
    path, sep, rest = text.partition("=")
    path = path.strip()
    if not sep or not path:
        raise ConfigError(
            _("--vary {text}: expected section.key=value1,value2,... (e.g. training.optimizer=sgd,adam; "
              "separate values with ';' when they hold commas, e.g. network.hidden=8;8,8)").format(text=repr(text))
        )
    pieces = rest.split(";") if ";" in rest else rest.split(",")
    values = tuple(p.strip() for p in pieces)
    check_values(base or Config(), path, values)
    return path, values


def check_values(base: Config, path: str, values: Sequence[str]) -> list[Config]:
    """The config of each value (``base`` with ``path`` set to it, validated); raises
    ``ConfigError`` naming the setting and what is allowed when the values are not
    2 to 6 different valid ones."""
    if path not in SPECS:
        base.with_overrides([f"{path}="])  # the config's own words for an unknown setting
    spec = SPECS[path]
    if not MIN_VALUES <= len(values) <= MAX_VALUES:
        raise ConfigError(
            _("{path}: give {low} to {high} values to compare, got {count} (allowed values: {allowed})").format(
                path=path, low=MIN_VALUES, high=MAX_VALUES, count=len(values), allowed=spec.allowed())
        )
    configs: list[Config] = []
    seen: set[str] = set()
    for k, value in enumerate(values, 1):
        if not value.strip():
            raise ConfigError(
                _("{path}: value {k} is empty: allowed {allowed}").format(path=path, k=k, allowed=spec.allowed())
            )
        cfg = base.with_overrides([f"{path}={value}"])
        shown = format_value(cfg.get(path))
        if shown in seen:
            raise ConfigError(
                _("{path}: {value} is given twice: give each value once (separate values that hold commas "
                  "with ';', e.g. network.hidden=8;8,8)").format(path=path, value=shown)
            )
        seen.add(shown)
        configs.append(cfg)
    return configs


@dataclass(eq=False)
class ComparedRun:
    """One value's run: its config and trainer, and what it has done since built or reset."""

    value: str  # the value as given, e.g. "adam" or "8,8"
    shown: str  # the value as the config holds it, as a user would type it
    config: Config
    trainer: Trainer
    planned: int  # the epoch this run trains to (step_epoch stops it there)
    epochs_run: int = 0  # epochs trained since built or reset (a diverged one included)
    seconds: float = 0.0  # time spent training them

    @property
    def diverged(self) -> bool:
        return self.trainer.diverged

    @property
    def finished(self) -> bool:
        """Nothing more to train: diverged, or at its planned epoch."""
        return self.trainer.diverged or self.trainer.epoch >= self.planned

    def result(self) -> RunResult:
        """What it has done since built or reset, as ``Trainer.run`` reports a run."""
        status = Outcome.DIVERGED if self.diverged else Outcome.OK
        return RunResult(self.epochs_run, self.seconds, status, self.trainer.last, self.trainer.message)


class Comparison:
    """Runs of ``base`` with ``path`` set to each of ``values`` (2 to 6), side by side.

    ``seed``: the runs' ``training.seed`` (default: ``base``'s). ``epochs``: the
    epoch each run trains to (default: each run's ``training.epochs``).
    ``target``: the training loss ``rows()`` counts epochs to (default: see
    ``target_loss``). Raises ``ConfigError`` for a bad setting or values.
    """

    def __init__(
        self,
        base: Config,
        path: str,
        values: Sequence[str],
        *,
        seed: int | None = None,
        epochs: int | None = None,
        target: float | None = None,
        history_capacity: int = 1024,
        track_layers: bool = False,
    ) -> None:
        if seed is not None:
            if path == "training.seed":
                raise ConfigError(_("training.seed is the setting varied: give no other seed"))
            base = base.with_overrides([f"training.seed={seed}"])
        if epochs is not None:
            base = base.with_overrides([f"training.epochs={epochs}"])
        if target is not None and not (math.isfinite(target) and target >= 0):
            raise ConfigError(_("target loss {target}: allowed a finite number >= 0").format(target=target))
        self.base = base
        self.path = path
        self.values = tuple(values)
        self.configs = check_values(base, path, self.values)
        self.seed = base.training.seed
        self.epochs = epochs
        self.target = target
        self.history_capacity = history_capacity
        self.track_layers = track_layers
        self.shared_data = not _data_path(path)
        self.shared_init = False
        self.same_shapes = False
        self.runs: list[ComparedRun] = []
        self.reset()

    # ---- building ------------------------------------------------------------
    def reset(self) -> None:
        """Every run back to its initial weights and epoch 0 (new trainers: read
        ``runs`` again); the shared data are kept."""
        shared = self.runs[0].trainer.dataset if self.runs and self.shared_data else None
        if shared is None and self.shared_data:
            shared = build_dataset_for(self.configs[0])
        trainers = [
            Trainer(cfg, shared, track_layers=self.track_layers, history_capacity=self.history_capacity)
            for cfg in self.configs
        ]
        shapes = [tuple(wa.shape for wa in t.network.Wa) for t in trainers]
        self.same_shapes = all(s == shapes[0] for s in shapes)
        self.shared_init = self.same_shapes and self.path not in INIT_PATHS
        if self.shared_init:
            first = trainers[0].network
            for t in trainers[1:]:
                net = t.network
                if not all(np.array_equal(a, b) for a, b in zip(net.Wa, first.Wa)):
                    for a, b in zip(net.Wa, first.Wa):
                        np.copyto(a, b)
                    t.restart_from(0)
        self.runs = [
            ComparedRun(
                value, format_value(cfg.get(self.path)) or "[]", cfg, t,
                self.epochs if self.epochs is not None else cfg.training.epochs,
            )
            for value, cfg, t in zip(self.values, self.configs, trainers)
        ]

    @property
    def dataset(self) -> Dataset:
        """The first run's data set (every run's, when ``shared_data``)."""
        return self.runs[0].trainer.dataset

    def sharing_note(self) -> str:
        """One or two sentences saying what the runs share, in the current language."""
        if self.shared_data and self.shared_init:
            return _("Every run has the same data and the same initial weights.")
        parts = [
            _("The data are the same for every run.") if self.shared_data
            else _("The data differ: {path} changes the data set.").format(path=self.path)
        ]
        if self.shared_init:
            parts.append(_("The initial weights are the same."))
        elif not self.same_shapes:
            parts.append(_("The initial weights differ: {path} changes the network's shape.").format(path=self.path))
        else:
            parts.append(_("The initial weights differ: {path} is how they are drawn.").format(path=self.path))
        return " ".join(parts)

    # ---- training ------------------------------------------------------------
    @property
    def finished(self) -> bool:
        return all(r.finished for r in self.runs)

    def _train(self, run: ComparedRun) -> None:
        t0 = time.perf_counter()
        run.trainer.train_epoch()
        run.seconds += time.perf_counter() - t0
        run.epochs_run += 1

    def step_epoch(self) -> bool:
        """One epoch of each run not yet finished (diverged or at its planned
        epoch); False when there was none."""
        trained = False
        for run in self.runs:
            if not run.finished:
                self._train(run)
                trained = True
        return trained

    def run(self, epochs: int | None = None, should_stop: Callable[[], bool] | None = None) -> list[RunResult]:
        """Train each run ``epochs`` more epochs (default: to its planned epoch),
        an epoch of each in turn; a run stops at once when it diverges. What each
        run did in this call, in the order of ``runs``."""
        goals = [r.planned if epochs is None else r.trainer.epoch + epochs for r in self.runs]
        before = [(r.epochs_run, r.seconds) for r in self.runs]
        going = True
        while going:
            if should_stop is not None and should_stop():
                break
            going = False
            for run, goal in zip(self.runs, goals):
                if not run.diverged and run.trainer.epoch < goal:
                    self._train(run)
                    going = True
        results = []
        for run, (done, seconds) in zip(self.runs, before):
            last = run.trainer.refresh()
            status = Outcome.DIVERGED if run.diverged else Outcome.OK
            results.append(RunResult(run.epochs_run - done, run.seconds - seconds, status, last, run.trainer.message))
        return results

    # ---- results -------------------------------------------------------------
    def target_runs(self) -> list[tuple[float, float]]:
        """(starting, final) training loss of each run that did not diverge: the
        first and the last row of its history (epoch 0 and its last epoch while
        the history holds every epoch), what ``epochs_to`` searches."""
        out = []
        for run in self.runs:
            if run.diverged:
                continue
            losses = run.trainer.history.column("train_loss")
            if losses.size:
                out.append((float(losses[0]), float(losses[-1])))
        return out

    def default_target(self) -> float | None:
        """The highest final training loss of the runs that did not diverge (see
        ``common_target``): every such run reached it. None when all diverged or
        when it is not below every such run's starting loss."""
        return common_target(self.target_runs())

    def target_loss(self, target: float | None = None) -> float | None:
        """``target``, else the one given when built, else ``default_target()``."""
        if target is not None:
            return target
        return self.target if self.target is not None else self.default_target()

    def epochs_to(self, target: float) -> list[int | None]:
        """Per run, the first epoch in its history whose training loss is at or
        below ``target`` (epoch 0 is the initial weights); None if none is."""
        out: list[int | None] = []
        for run in self.runs:
            history = run.trainer.history
            hit = np.flatnonzero(history.column("train_loss") <= target)
            out.append(int(history.column("epoch")[hit[0]]) if hit.size else None)
        return out

    def rows(self, target: float | None = None) -> list[dict[str, Any]]:
        """One dict per run: ``value`` (as given), ``shown`` (as typed), ``seed``,
        ``train_loss``, ``test_loss``, ``train_metric``, ``test_metric``,
        ``metric`` (accuracy or rmse), ``epochs`` (the epoch its figures are from),
        ``epochs_to_target`` (None if never), ``target`` (the loss used, see
        ``target_loss``; None when every run diverged) and ``diverged``. Runs whose
        last figures are older than their epoch are evaluated first."""
        for run in self.runs:
            run.trainer.refresh()
        goal = self.target_loss(target)
        reached = self.epochs_to(goal) if goal is not None else [None] * len(self.runs)
        rows = []
        for run, epochs_to in zip(self.runs, reached):
            last = run.trainer.last
            rows.append({
                "value": run.value,
                "shown": run.shown,
                "seed": self.seed,
                "train_loss": last.train_loss,
                "test_loss": last.test_loss,
                "train_metric": last.train_metric,
                "test_metric": last.test_metric,
                "metric": run.trainer.metric_name,
                "epochs": run.trainer.epoch,
                "epochs_to_target": epochs_to,
                "target": goal,
                "diverged": run.diverged,
            })
        return rows
