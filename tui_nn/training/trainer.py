"""The trainer: turns a Config into data, a network and an optimizer, runs
epochs, watches for divergence and publishes read-only snapshots.

The app runs it in a child process (see session.py and process.py) and only
ever reads the ``Snapshot`` copies it publishes; the CLI calls ``run``
directly.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..config import Config, ConfigError, SPECS, resolve_output_and_loss
from ..data import Dataset, build_dataset
from ..engine.activations import get_activation
from ..engine.losses import get_loss
from ..engine.network import LayerStats, Network
from ..engine.optimizers import make_optimizer
from . import advice
from .history import History
from .perceptron import perceptron_epoch
from .snapshot import Snapshot, make_snapshot

__all__ = ["EpochResult", "RunResult", "Trainer", "build_dataset_for"]

# Streams of the run's seed: the data uses [seed, 0] (see tui_nn.data).
INIT_STREAM, SHUFFLE_STREAM, DROPOUT_STREAM = 1, 2, 3

HISTORY_COLUMNS = (
    "epoch", "train_loss", "test_loss", "train_metric", "test_metric",
)


@dataclass(frozen=True)
class EpochResult:
    epoch: int
    train_loss: float
    test_loss: float
    train_metric: float  # accuracy (classification) or RMSE (regression)
    test_metric: float

    @property
    def finite(self) -> bool:
        return math.isfinite(self.train_loss) and math.isfinite(self.test_loss)


@dataclass(frozen=True)
class RunResult:
    epochs: int
    seconds: float
    status: str  # "ok" | "diverged"
    last: EpochResult
    message: str = ""

    @property
    def epochs_per_second(self) -> float:
        return self.epochs / self.seconds if self.seconds > 0 else float("inf")


def build_dataset_for(config: Config) -> Dataset:
    d = config.data
    return build_dataset(
        d.dataset,
        points=d.points,
        noise=d.noise,
        train_ratio=d.train_ratio,
        features=d.features,
        seed=config.training.seed,
        csv=d.csv or None,
        target=d.target or None,
    )


class Trainer:
    """One run: dataset, network, optimizer and history, driven an epoch at a time."""

    def __init__(
        self,
        config: Config,
        dataset: Dataset | None = None,
        *,
        track_layers: bool = False,
        history_capacity: int = 1024,
    ) -> None:
        self.config = config.validate()
        self.dataset = dataset if dataset is not None else build_dataset_for(config)
        ds = self.dataset
        self.task = ds.task
        self.output_name, self.loss_name = resolve_output_and_loss(
            ds.task, config.network.output, config.network.loss
        )
        net_cfg, tr = config.network, config.training
        seed = tr.seed
        out_act = get_activation(self.output_name)
        n_out = ds.n_classes if self.output_name == "softmax" else 1
        sizes = (ds.n_inputs, *net_cfg.hidden, n_out)
        self.network = Network(
            sizes,
            [get_activation(a, leaky_slope=net_cfg.leaky_slope) for a in net_cfg.activations()],
            out_act,
            get_loss(self.loss_name),
            init=net_cfg.init,
            dropout=tr.dropout,
            batch_norm=tr.batch_norm,
            rng=np.random.default_rng([seed, INIT_STREAM]),
            dropout_rng=np.random.default_rng([seed, DROPOUT_STREAM]),
        )
        if config.weights is not None:
            try:
                self.network.set_weights(config.weights)
            except ValueError as exc:
                raise ConfigError(str(exc)) from None
        self._shuffle_rng = np.random.default_rng([seed, SHUFFLE_STREAM])
        self.optimizer = self._make_optimizer()
        # Regression targets of tabular data (e.g. disease progression 25..346)
        # are standardised so one learning rate suits every data set; losses are
        # then in units of the target's variance and RMSE is scaled back.
        self.y_shift, self.y_scale = 0.0, 1.0
        if ds.task == "regression" and not ds.is_2d:
            self.y_shift = float(ds.y_train.mean())
            self.y_scale = float(ds.y_train.std()) or 1.0
        self.Y_train = self.encode(ds.y_train)
        self.Y_test = self.encode(ds.y_test)
        self._xa_train = Network.with_ones(ds.X_train)
        self._xa_all = Network.with_ones(np.vstack([ds.X_train, ds.X_test]))
        self._n_train = len(ds.X_train)
        # Evaluating every train and test row costs a few percent of an epoch
        # on the playground's nets but a fifth of one on a 64-64-64 net over
        # 2000 points; evaluating every k-th epoch keeps it near 2%. k depends
        # only on the sizes, so runs stay reproducible.
        self.eval_every = max(1, math.ceil(len(self._xa_all) * self.network.n_params / 2e6))
        # Shuffled copies, refilled once per epoch; batches are views of these.
        self._xs = np.empty_like(self._xa_train)
        self._ys = np.empty_like(self.Y_train)
        self._last_good = self.network.params.copy()
        self._last_good_bn = [a.copy() for a in self._bn_stats()]
        self._good_epoch = 0
        self.track_layers = track_layers
        self.history = History(HISTORY_COLUMNS, history_capacity)
        self.layer_history = History(
            ("epoch", *(f"grad{k}" for k in range(self.network.n_layers))), history_capacity
        )
        self.epoch = 0
        self.status = "ready"  # ready | diverged
        self.message = ""
        self.last = self._evaluate()
        self._record(self.last)
        # A loss this far above where it started is on its way to overflow:
        # stopping here keeps weights a lower learning rate can still use.
        first = self.last.train_loss if math.isfinite(self.last.train_loss) else 1.0
        self._explosion_loss = max(1e6, 1e4 * first)

    def _bn_stats(self) -> list[np.ndarray]:
        return [*self.network.running_mean, *self.network.running_var]

    def _make_optimizer(self):
        tr = self.config.training
        if tr.optimizer == "perceptron":
            return None
        return make_optimizer(
            tr.optimizer, self.network.n_params, tr.learning_rate, **tr.optimizer_params()
        )

    def _keep_good(self) -> None:
        np.copyto(self._last_good, self.network.params)
        for dst, src in zip(self._last_good_bn, self._bn_stats()):
            np.copyto(dst, src)
        self._good_epoch = self.epoch

    def _restore_good(self) -> None:
        """Back to the last finite epoch, its weights and its figures; the
        optimizer's state starts afresh because its moments hold the same
        overflow that broke the weights."""
        np.copyto(self.network.params, self._last_good)
        for dst, src in zip(self._bn_stats(), self._last_good_bn):
            np.copyto(dst, src)
        self.optimizer = self._make_optimizer()
        self.epoch = self._good_epoch

    @property
    def trainable(self) -> bool:
        """False for a hand-set net of step units: there is nothing to follow.
        The perceptron rule (no optimizer) needs no gradient."""
        return self.optimizer is None or self.network.has_gradient

    # ---- targets and metrics --------------------------------------------
    def encode(self, y: np.ndarray) -> np.ndarray:
        """Targets as the output layer sees them: (n, outputs) floats."""
        if self.task == "regression":
            return ((y - self.y_shift) / self.y_scale).reshape(-1, 1).astype(float)
        if self.output_name == "softmax":
            onehot = np.zeros((len(y), self.dataset.n_classes))
            onehot[np.arange(len(y)), y] = 1.0
            return onehot
        lo, hi = self.network.output.binary_targets
        return np.where(y == 1, hi, lo).reshape(-1, 1).astype(float)

    def predict_classes(self, p: np.ndarray) -> np.ndarray:
        if p.shape[1] > 1:
            return p.argmax(axis=1)
        return (p[:, 0] >= self.network.output.threshold).astype(np.int64)

    def _metric(self, p: np.ndarray, y_raw: np.ndarray, Y: np.ndarray) -> float:
        if self.task == "regression":
            d = p[:, 0] - Y[:, 0]
            return float(np.sqrt(np.mean(d * d))) * self.y_scale
        return float(np.mean(self.predict_classes(p) == y_raw))

    def r2(self) -> tuple[float, float]:
        """R^2 on train and test (regression only)."""
        p, _ = self.network.evaluate(self._xa_all)
        n = self._n_train
        out = []
        for pp, Y in ((p[:n], self.Y_train), (p[n:], self.Y_test)):
            ss_res = float(np.sum((pp[:, 0] - Y[:, 0]) ** 2))
            ss_tot = float(np.sum((Y[:, 0] - Y[:, 0].mean()) ** 2)) or 1.0
            out.append(1.0 - ss_res / ss_tot)
        return out[0], out[1]

    @property
    def metric_name(self) -> str:
        return "rmse" if self.task == "regression" else "accuracy"

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
                self._metric(p[:n], ds.y_train, self.Y_train),
                self._metric(p[n:], ds.y_test, self.Y_test),
            )

    def _record(self, r: EpochResult) -> None:
        self.history.append(
            r.epoch, (r.train_loss, r.test_loss, r.train_metric, r.test_metric)
        )
        if self.track_layers and self.layer_history.wants(r.epoch):
            stats = self.layer_stats()
            self.layer_history.append(r.epoch, [s.grad_rms for s in stats])

    def layer_stats(self) -> list[LayerStats]:
        return self.network.layer_stats(self.dataset.X_train, self.Y_train)

    # ---- live settings ----------------------------------------------------
    def set_live(self, path: str, value: object) -> None:
        """Change a setting that does not need new weights (see FieldSpec.live)."""
        spec = SPECS.get(path)
        if spec is None:
            raise ConfigError(f"unknown setting {path!r}")
        if not spec.live:
            raise ConfigError(f"{path} cannot change during a run: it needs a reset")
        cfg = self.config.with_value(path, value).validate()
        self.config = cfg
        if self.optimizer is not None:
            if spec.key == "learning_rate":
                self.optimizer.lr = cfg.training.learning_rate
            elif spec.key in type(self.optimizer).params:
                setattr(self.optimizer, spec.key, float(getattr(cfg.training, spec.key)))

    # ---- training -----------------------------------------------------------
    def train_epoch(self) -> EpochResult:
        """One pass over the shuffled training set; on divergence, roll back."""
        tr = self.config.training
        net = self.network
        perm = self._shuffle_rng.permutation(self._n_train)
        np.take(self._xa_train, perm, axis=0, out=self._xs)
        np.take(self.Y_train, perm, axis=0, out=self._ys)
        with np.errstate(all="ignore"):
            if self.optimizer is None:
                perceptron_epoch(net, self._xs, self._ys, tr.learning_rate)
            else:
                self._gradient_epoch(tr.batch_size, tr.regularization, tr.regularization_rate)
        self.epoch += 1
        if self.epoch % self.eval_every and math.isfinite(float(net.params.sum())):
            return self.last  # not an evaluation epoch: the last figures stand
        return self._evaluate_and_check()

    def restart_from(self, epoch: int) -> None:
        """After new weights were put in (a model file): count from ``epoch``,
        with a fresh history and figures for these weights."""
        self.epoch = epoch
        self._keep_good()
        self.history.clear()
        self.layer_history.clear()
        self.last = self._evaluate()
        self._record(self.last)

    def refresh(self) -> EpochResult:
        """Evaluate now if the last figures are from an earlier epoch."""
        if self.last.epoch != self.epoch and self.status != "diverged":
            return self._evaluate_and_check()
        return self.last

    def _evaluate_and_check(self) -> EpochResult:
        """Evaluate now; on a blow-up go back to the last good weights."""
        tr = self.config.training
        net = self.network
        result = self._evaluate()
        if not (result.finite and math.isfinite(float(net.params.sum()))) or (
            result.train_loss > self._explosion_loss
        ):
            # Back to the last good weights (and their epoch and figures), so
            # the picture, a saved model and a later resume all agree.
            self.message = advice.diverged(self.epoch, tr.learning_rate, tr.optimizer)
            self._restore_good()
            self.status = "diverged"
            return self.last
        self._keep_good()
        self.last = result
        self._record(result)
        return result

    def _gradient_epoch(self, batch_size: int, reg: str, rate: float) -> None:
        net = self.network
        xs, ys, n = self._xs, self._ys, self._n_train
        step = self.optimizer.step
        params, grad = net.params, net.grad
        train_batch = net.train_batch
        penalise = reg != "none" and rate > 0.0
        if penalise:
            mask = net.penalty_mask
            tmp = np.empty_like(params)
        starts = range(0, n, batch_size)
        if net.batch_norm and n % batch_size == 1 and n > batch_size:
            # Batch statistics of one sample are zero: fold it into the batch before.
            starts = range(0, n - 1, batch_size)
        last_start = starts[-1] if len(starts) else 0
        for lo in starts:
            hi = n if lo == last_start else lo + batch_size
            train_batch(xs[lo:hi], ys[lo:hi])
            if penalise:
                # L2: + rate*w; L1: + rate*sign(w); biases masked out.
                if reg == "l2":
                    np.multiply(params, mask, out=tmp)
                else:
                    np.sign(params, out=tmp)
                    tmp *= mask
                tmp *= rate
                grad += tmp
            step(params, grad)

    def run(
        self,
        epochs: int,
        on_epoch: Callable[[EpochResult], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> RunResult:
        """Train ``epochs`` more epochs (stops at once on divergence)."""
        t0 = time.perf_counter()
        done = 0
        result = self.last
        if self.status == "diverged":
            return RunResult(0, 0.0, "diverged", result, self.message)
        for _ in range(epochs):
            if should_stop is not None and should_stop():
                break
            result = self.train_epoch()
            done += 1
            if self.status == "diverged":
                break
            if on_epoch is not None:
                on_epoch(result)
        result = self.refresh()
        seconds = time.perf_counter() - t0
        status = "diverged" if self.status == "diverged" else "ok"
        return RunResult(done, seconds, status, result, self.message)

    def reset_divergence(self) -> None:
        """Allow training again after a divergence (e.g. the rate was lowered)."""
        self.status = "ready"
        self.message = ""

    def diagnose(self) -> str:
        """Advice for the current state of the run, or ''."""
        return advice.diagnose(self)

    def snapshot(self, grid: int = 48, **extra) -> Snapshot:
        return make_snapshot(self, grid, **extra)
