"""The trainer: turns a Config into data, a network and an optimizer, runs
epochs, watches for divergence and publishes read-only snapshots.

The app runs it in a child process (see session.py and process.py) and only
ever reads the ``Snapshot`` copies it publishes; the CLI calls ``run``
directly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Callable

import numpy as np

from ..config import Config, ConfigError, SPECS, resolve_output_and_loss
from ..data import Dataset, build
from ..engine.activations import get_activation
from ..engine.losses import get_loss
from ..engine.network import LayerStats, Network
from ..engine.optimizers import Optimizer, make_optimizer
from ..i18n import _
from . import advice
from .checkpoint import Checkpoint
from .fast_epoch import fast_batches, unsupported
from .history import History
from .snapshot import Snapshot
from .runs import run_epochs
from .state import EpochResult, RunResult, RunStatus
from .steps import Steps
from .targets import Targets
from .trainer_snapshot import take_snapshot

__all__ = ["EpochResult", "RunResult", "Trainer", "WeightsMismatch", "build_dataset_for"]

# Streams of the run's seed: the data uses [seed, 0] (see tui_nn.data).
INIT_STREAM, SHUFFLE_STREAM, DROPOUT_STREAM = 1, 2, 3

# Multiply-adds the per-layer gradient sizes may cost (they are drawn, not trained on).
STATS_MACS = 2e7

HISTORY_COLUMNS = (
    "epoch", "train_loss", "test_loss", "train_metric", "test_metric",
)


class WeightsMismatch(ConfigError):
    """Hand-set weights whose shapes do not fit the configured network."""


def build_dataset_for(config: Config) -> Dataset:
    return build(config.data, config.training.seed)


def build_network(config: Config, dataset: Dataset, output: str, loss: str) -> Network:
    """The network ``config`` describes for ``dataset``, initialised from the seed's
    weight stream (or set by hand from ``config.weights``)."""
    net_cfg, tr = config.network, config.training
    n_out = dataset.n_classes if output == "softmax" else 1
    network = Network(
        (dataset.n_inputs, *net_cfg.hidden, n_out),
        [get_activation(a, leaky_slope=net_cfg.leaky_slope) for a in net_cfg.activations()],
        get_activation(output),
        get_loss(loss),
        init=net_cfg.init,
        dropout=tr.dropout,
        batch_norm=tr.batch_norm,
        # Draw 0 is the seed's own first weights; `r` in the app draws the next.
        rng=np.random.default_rng([tr.seed, INIT_STREAM, *([net_cfg.init_seed] if net_cfg.init_seed else [])]),
        dropout_rng=np.random.default_rng([tr.seed, DROPOUT_STREAM]),
    )
    if config.weights is not None:
        try:
            network.set_weights(config.weights)
        except ValueError as exc:
            raise WeightsMismatch(str(exc)) from None
    return network


class Trainer:
    """One run: dataset, network, optimizer and history, driven an epoch at a time."""

    def __init__(
        self,
        config: Config,
        dataset: Dataset | None = None,
        *,
        track_layers: bool = False,
        history_capacity: int = 1024,
        engine: str = "auto",
    ) -> None:
        """``engine``: "auto" takes the compiled path when the run allows it
        (fast_epoch.py), "numpy" never does."""
        self.config = config.validate()
        self.dataset = dataset if dataset is not None else build_dataset_for(config)
        ds = self.dataset
        self.task = ds.task
        self.output_name, self.loss_name = resolve_output_and_loss(
            ds.task, config.network.output, config.network.loss
        )
        self.network = build_network(config, ds, self.output_name, self.loss_name)
        self.optimizer = self._make_optimizer()
        self.targets = Targets(ds, self.network.output)
        self.Y_train = self.targets.encode(ds.y_train)
        self.Y_test = self.targets.encode(ds.y_test)
        self._xa_train = Network.with_ones(ds.X_train)
        self._xa_all = Network.with_ones(np.vstack([ds.X_train, ds.X_test]))
        self._n_train = len(ds.X_train)
        # Evaluating every train and test row costs a few percent of an epoch
        # on the playground's nets but a fifth of one on a 64-64-64 net over
        # 2000 points; evaluating every k-th epoch keeps it near 2%. k depends
        # only on the sizes, so runs stay reproducible. An epoch long enough to be
        # watched one by one (over 2e8 multiply-adds, under a few a second: a
        # 512-512 net on 1000 points) is evaluated every time, or its loss would
        # stand still for minutes.
        every = math.ceil(len(self._xa_all) * self.network.n_params / 2e6)
        watched = math.ceil(2e8 / max(3.0 * len(ds.X_train) * self.network.n_params, 1.0))
        self.eval_every = max(1, min(every, watched))
        # The path is chosen once, here, and kept: each is deterministic from the seed.
        fast = fast_batches(self.network, config.training.optimizer) if engine == "auto" else None
        self.steps = Steps(self.network, self._xa_train, self.Y_train,
                           np.random.default_rng([config.training.seed, SHUFFLE_STREAM]), fast)
        self.good = Checkpoint(self.network)
        self.track_layers = track_layers
        self.history = History(HISTORY_COLUMNS, history_capacity)
        self.layer_history = History(
            ("epoch", *(f"grad{k}" for k in range(self.network.n_layers))), history_capacity
        )
        self.epoch = 0
        # The divergence's figures (what the advice words), None while it has not
        # diverged; or the advice as text (a resumed session's).
        self._divergence: tuple[int, int, float, str, float, float] | None = None
        self._message = ""
        self.last = self._evaluate()
        self._record(self.last)
        # A loss this far above where it started is on its way to overflow:
        # stopping here keeps weights a lower learning rate can still use.
        first = self.last.train_loss if math.isfinite(self.last.train_loss) else 1.0
        self.explosion_loss = max(1e6, 1e4 * first)

    @property
    def engine(self) -> str:
        """"numba" when the run's batches take the compiled path, else "numpy"."""
        return "numpy" if self.steps.fast is None else "numba"

    def why_numpy(self) -> str | None:
        """Why this run stays on NumPy (None when it takes the compiled path)."""
        if self.steps.fast is not None:
            return None
        return unsupported(self.network, self.config.training.optimizer) or "engine=numpy was asked for"

    def _make_optimizer(self) -> Optimizer | None:
        tr = self.config.training
        if tr.optimizer == "perceptron":
            return None
        return make_optimizer(
            tr.optimizer, self.network.n_params, tr.learning_rate, **tr.hyperparameters()
        )

    def _restore_good(self) -> None:
        """Back to the last finite epoch, its weights and its figures; the
        optimizer's state starts afresh because its moments hold the same
        overflow that broke the weights."""
        self.epoch = self.good.restore()
        self.steps.position = 0  # the epoch a step had begun starts again
        self.optimizer = self._make_optimizer()

    @property
    def message(self) -> str:
        """The advice given when the run diverged, in the current language; "" while it has not."""
        if self._divergence is not None:
            return advice.diverged(*self._divergence)
        return self._message

    @message.setter
    def message(self, text: str) -> None:
        self._divergence, self._message = None, text

    @property
    def diverged(self) -> bool:
        return self._divergence is not None or bool(self._message)

    @property
    def trainable(self) -> bool:
        """False for a hand-set net of step units: there is nothing to follow.
        The perceptron rule (no optimizer) needs no gradient."""
        return self.optimizer is None or self.network.has_gradient

    # ---- metrics ------------------------------------------------------------
    def predict_classes(self, p: np.ndarray) -> np.ndarray:
        return self.targets.classes(p)

    def r2(self) -> tuple[float, float]:
        """R^2 on train and test (regression only)."""
        p, _z = self.network.evaluate(self._xa_all)
        n = self._n_train
        return Targets.r2(p[:n], self.Y_train), Targets.r2(p[n:], self.Y_test)

    @property
    def metric_name(self) -> str:
        return self.targets.metric_name

    def _evaluate(self) -> EpochResult:
        with np.errstate(all="ignore"):
            p, z = self.network.evaluate(self._xa_all)
            n = self._n_train
            loss = self.network.loss
            ds = self.dataset
            return EpochResult(
                self.epoch,
                loss.value(self.Y_train, p[:n], z[:n]),
                loss.value(self.Y_test, p[n:], z[n:]),
                self.targets.metric(p[:n], ds.y_train, self.Y_train),
                self.targets.metric(p[n:], ds.y_test, self.Y_test),
            )

    def _record(self, r: EpochResult) -> None:
        self.history.append(
            r.epoch, (r.train_loss, r.test_loss, r.train_metric, r.test_metric)
        )
        if self.track_layers and self.layer_history.wants(r.epoch):
            stats = self.layer_stats()
            self.layer_history.append(r.epoch, [s.grad_rms for s in stats])

    def layer_stats(self) -> list[LayerStats]:
        """Each layer's weight and gradient sizes: the gradient over the training
        set, or over its first rows when the whole of it would cost more than
        STATS_MACS (a large network on many points)."""
        rows = min(self._n_train, max(64, int(STATS_MACS / max(self.network.n_params, 1))))
        return self.network.layer_stats(self.dataset.X_train[:rows], self.Y_train[:rows])

    # ---- live settings ----------------------------------------------------
    def set_live(self, path: str, value: object) -> None:
        """Change a setting that does not need new weights (see FieldSpec.live)."""
        spec = SPECS.get(path)
        if spec is None:
            raise ConfigError(_("unknown setting {path}").format(path=repr(path)))
        if not spec.live:
            raise ConfigError(_("{path} cannot change during a run: it needs a reset").format(path=path))
        cfg = self.config.with_value(path, value).validate()
        self.config = cfg
        if self.optimizer is not None:
            if spec.key == "learning_rate":
                self.optimizer.lr = cfg.training.learning_rate
            elif spec.key in type(self.optimizer).hyperparameter_names():
                setattr(self.optimizer, spec.key, float(cfg.get(path)))

    # ---- training -----------------------------------------------------------
    def train_epoch(self) -> EpochResult:
        """One pass over the shuffled training set (or the rest of the epoch a
        single step began); on divergence, roll back."""
        self._take_batches(None)
        return self._end_epoch()

    def train_batches(self, count: int) -> EpochResult | None:
        """Up to ``count`` more mini-batches of the epoch in progress; the epoch's
        figures when they end it, else None (no evaluation in between)."""
        return self._end_epoch() if self._take_batches(count) else None

    @property
    def epoch_cost(self) -> float:
        """Multiply-adds of one epoch's forward and backward passes, roughly."""
        return 3.0 * self._n_train * self.network.n_params

    def train_step(self) -> EpochResult:
        """One mini-batch (one sample for the perceptron rule): the figures after
        it; when it ends the epoch, the epoch's."""
        if self._take_batches(1):
            return self._end_epoch()
        self.last = self._evaluate_and_check(record=False)
        return self.last

    @property
    def batch_in_epoch(self) -> tuple[int, int]:
        """(mini-batches done, mini-batches in all) of the epoch in progress; (0, n) between epochs."""
        size = 1 if self.optimizer is None else self.config.training.batch_size
        return self.steps.position, len(self.steps.starts) if self.steps.in_epoch else -(-self._n_train // size)

    def _take_batches(self, count: int | None) -> bool:
        tr = self.config.training
        steps = self.steps
        if not steps.in_epoch:
            steps.begin(1 if self.optimizer is None else tr.batch_size, reshuffle=tr.shuffle == "epoch")
        return steps.run(count or len(steps.starts), self.optimizer, tr.learning_rate,
                         tr.regularization, tr.regularization_rate)

    def _end_epoch(self) -> EpochResult:
        self.epoch += 1
        if self.epoch % self.eval_every and math.isfinite(float(self.network.params.sum())):
            return self.last  # not an evaluation epoch: the last figures stand
        return self._evaluate_and_check()

    def restart_from(self, epoch: int) -> None:
        """After new weights were put in (a model file): count from ``epoch``,
        with a fresh history and figures for these weights."""
        self.epoch = epoch
        self.good.keep(self.epoch)
        self.history.clear()
        self.layer_history.clear()
        self.last = self._evaluate()
        self._record(self.last)

    def refresh(self) -> EpochResult:
        """Evaluate now if the last figures are from an earlier epoch."""
        if self.last.epoch != self.epoch and not self.diverged:
            return self._evaluate_and_check()
        return self.last

    def _evaluate_and_check(self, record: bool = True) -> EpochResult:
        """Evaluate now; on a blow-up go back to the last good weights.
        ``record``: keep the figures in the history (a whole epoch's)."""
        tr = self.config.training
        net = self.network
        result = self._evaluate()
        if not (result.finite and math.isfinite(float(net.params.sum()))) or (
            result.train_loss > self.explosion_loss
        ):
            # Back to the last good weights (and their epoch and figures), so
            # the picture, a saved model and a later resume all agree.
            self._divergence = (self.epoch, self.good.epoch, tr.learning_rate, tr.optimizer,
                                result.train_loss, self.last.train_loss)
            self._message = ""
            self._restore_good()
            return self.last
        if record:
            self.good.keep(self.epoch)
            self.last = result
            self._record(result)
        return result

    def run(
        self,
        epochs: int,
        on_epoch: Callable[[EpochResult], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> RunResult:
        """Train ``epochs`` more epochs (stops at once on divergence)."""
        return run_epochs(self, epochs, on_epoch, should_stop)

    def set_neuron(self, layer: int, neuron: int, bias: float, weights: Sequence[float]) -> EpochResult:
        """Put a hand-chosen bias and incoming weights into ``neuron`` of dense layer
        ``layer`` and return the figures for them; no reset: training goes on from
        here, and a later divergence rolls back to these weights at the latest."""
        net = self.network
        if not 0 <= layer < net.n_layers or not 0 <= neuron < net.W(layer).shape[1]:
            raise ValueError(_("no neuron {neuron} in layer {layer}").format(neuron=neuron + 1, layer=layer + 1))
        values = np.asarray(weights, dtype=np.float64)
        if values.shape != (net.W(layer).shape[0],):
            raise ValueError(_("layer {layer} neuron {neuron} has {count} incoming weights, not {given}").format(
                layer=layer + 1, neuron=neuron + 1, count=net.W(layer).shape[0], given=values.size))
        if not (np.all(np.isfinite(values)) and math.isfinite(bias)):
            raise ValueError(_("weights must be finite numbers"))
        net.W(layer)[:, neuron] = values  # views into the one parameter vector
        net.b(layer)[neuron] = bias
        self.message = ""
        self.last = self._evaluate()
        self.good.keep(self.epoch)
        return self.last

    def reset_divergence(self) -> None:
        """Allow training again after a divergence (e.g. the rate was lowered)."""
        self.message = ""

    def diagnose(self) -> str:
        """Advice for the current state of the run, or ''."""
        if self.diverged:
            return self.message
        grads: list[float] | None = None
        if self.network.has_gradient and self.network.n_layers >= 3:
            if self.track_layers and len(self.layer_history):
                grads = [self.layer_history.last(f"grad{k}") for k in range(self.network.n_layers)]
            else:
                grads = [s.grad_rms for s in self.layer_stats()]
        return advice.diagnose(self.history, grads, self.task, self.config.training.optimizer)

    def snapshot(self, grid: tuple[int, int] = (48, 48), run: RunStatus = RunStatus(),
                 focus: tuple[int, int] | None = None) -> Snapshot:
        """Copies of what the UI draws, bounded in size whatever the network (see
        snapshot.py); ``grid`` is the plane's resolution (cols, rows), ``focus``
        the (hidden layer, neuron) to picture at that resolution too."""
        return take_snapshot(self, grid, run, focus)

    @property
    def output_range(self) -> tuple[float, float]:
        """The range the output is coloured over: the activation's own, else the
        standardised regression target's (-1, 1) or a probability's (0, 1)."""
        bounded = self.network.output.output_range
        if bounded is not None:
            return bounded
        return (-1.0, 1.0) if self.task == "regression" else (0.0, 1.0)

