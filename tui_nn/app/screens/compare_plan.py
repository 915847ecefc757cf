"""The runs of a comparison: one config per value of the varied setting, and
what they share (the data, the initial weights). No Textual here: the compare
screen (compare.py) builds its runs from a ``ComparePlan``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from ...config import Config, ConfigError, Weights, format_value, resolve_output_and_loss
from ...data.dataset import Dataset
from ...i18n import _
from ...training.trainer import Trainer, WeightsMismatch, build_dataset_for

__all__ = ["INIT_PATHS", "MAX_RUNS", "MIN_RUNS", "ComparePlan", "plan_comparison"]

MIN_RUNS, MAX_RUNS = 2, 6
# Settings that decide how the initial weights are drawn: varying one of them
# varies the initial weights, so they are not shared.
INIT_PATHS = ("network.init", "network.init_seed", "training.seed")


@dataclass(frozen=True)
class ComparePlan:
    """The runs' configs and what they share."""

    path: str
    values: tuple[str, ...]
    configs: tuple[Config, ...]
    shared_data: bool
    shared_init: bool
    same_shapes: bool

    def notes(self) -> list[tuple[str, str]]:
        """(long, short) words for what the runs share, in the current language."""
        data = ((_("same data"), _("same data")) if self.shared_data else
                (_("the data differ: {path} draws them").format(path=self.path), _("data differ")))
        if self.shared_init:
            weights = (_("same initial weights"), _("same initial weights"))
        elif not self.same_shapes:
            weights = (_("initial weights differ: the shapes differ"), _("initial weights differ"))
        else:
            weights = (_("initial weights differ: {path} draws them").format(path=self.path),
                       _("initial weights differ"))
        return [data, weights]


def _data_path(path: str) -> bool:
    return path.startswith("data.") or path == "training.seed"


def _sizes(config: Config, dataset: Dataset) -> tuple[int, ...]:
    """The layer sizes of the network ``config`` builds for ``dataset`` (as the trainer does)."""
    output, _loss = resolve_output_and_loss(dataset.task, config.network.output, config.network.loss)
    n_out = dataset.n_classes if output == "softmax" else 1
    return (dataset.n_inputs, *config.network.hidden, n_out)


def _weights_fit(weights: Weights, sizes: tuple[int, ...]) -> bool:
    shapes = [(len(W), len(b)) for W, b in weights]
    return shapes == [(sizes[k], sizes[k + 1]) for k in range(len(sizes) - 1)]


def _initial_weights(trainer: Trainer) -> Weights:
    net = trainer.network
    return tuple(
        (tuple(tuple(row) for row in net.W(k).tolist()), tuple(net.b(k).tolist())) for k in range(net.n_layers)
    )


def plan_comparison(config: Config, path: str, values: Sequence[str]) -> ComparePlan:
    """``config`` with ``path`` set to each of ``values`` (2 to 6, each checked by the
    config's rules), sharing the first run's initial weights where the shapes match.

    Builds the first run's trainer once (headless) to read its initial weights.
    Raises ``ConfigError`` for a bad setting, value or number of values.
    """
    values = tuple(str(v) for v in values)
    if not MIN_RUNS <= len(values) <= MAX_RUNS:
        raise ConfigError(_("{path}: give {low} to {high} values to compare, got {count}").format(
            path=path, low=MIN_RUNS, high=MAX_RUNS, count=len(values)))
    configs = [config.with_overrides([f"{path}={v}"]) for v in values]
    shown = [format_value(c.get(path)) for c in configs]
    if len(set(shown)) != len(shown):
        raise ConfigError(_("{path}: each value once, please (got {values})").format(
            path=path, values=", ".join(shown)))
    try:
        first = Trainer(configs[0])
    except WeightsMismatch:
        configs[0] = replace(configs[0], weights=None)
        first = Trainer(configs[0])
    shared_data = not _data_path(path)
    datasets = [first.dataset if shared_data or k == 0 else build_dataset_for(c) for k, c in enumerate(configs)]
    sizes = [_sizes(c, d) for c, d in zip(configs, datasets)]
    same_shapes = all(s == sizes[0] for s in sizes)
    shared_init = same_shapes and path not in INIT_PATHS
    if shared_init:
        start = _initial_weights(first)
        configs = [replace(c, weights=start) for c in configs]
    else:
        # Hand-set weights (a preset's) stay where they fit and go where they do not.
        configs = [c if c.weights is None or _weights_fit(c.weights, s) else replace(c, weights=None)
                   for c, s in zip(configs, sizes)]
    return ComparePlan(path, values, tuple(configs), shared_data, shared_init, same_shapes)
