#!/usr/bin/env python
"""Training speed of tui-nn's engine (compiled and NumPy paths) against TensorFlow
Playground's engine, PyTorch eager and scikit-learn.

Run on demand, never in CI (it takes about three and a half minutes and needs
the optional peers installed in the project's venv)::

    .venv/bin/pip install torch==2.13.0 scikit-learn   # once; see bench/README.md
    .venv/bin/pip install '.[fast]'                     # tui-nn's compiled path
    (cd ../shared/peers/tfp && npm ci)                  # TF Playground's engine (node)
    .venv/bin/python bench/engine.py                    # all workloads, table
    .venv/bin/python bench/engine.py --quick --only spiral
    .venv/bin/python bench/engine.py --json > bench.json

It measures, in one run on this machine, training epochs per second of the
same network, optimizer and data in every peer, on three workloads:

tfp     the preset ``playground``, TensorFlow Playground's default set-up:
        circle, 250 training and 250 test rows, 2-4-2-1 tanh, tanh output, its
        square loss 1/2 (p - y)^2 on -1/+1 labels, SGD 0.03, batch 10, shuffled
        once; tui-nn and TF Playground evaluate the loss over train and test
        every epoch. TF Playground's engine runs under node when node and
        ../shared/peers/tfp (with its node_modules) are there.
spiral  the built-in preset ``spiral`` as it is: 2-8-8-1 tanh, sigmoid output
        with binary cross-entropy, Adam lr 0.01 (0.9/0.999/1e-8), glorot init,
        1000 points at train_ratio 0.5 -> 500 training rows, batch 10.
large   2-64-64-64-3 relu, softmax with categorical cross-entropy, Adam lr 0.01,
        he init, batch 32, on ALL 2000 points of the 3-class spiral. The config
        caps data.train_ratio at 0.9, so the benchmark builds the data set with
        data.points=2000, data.train_ratio=0.9 and hands the Trainer a Dataset
        whose training split is all 2000 rows (the 1800 training rows, then the
        200 test rows) and whose test split is those 200 rows. Every peer trains
        on exactly these 2000 rows in this order (before its own shuffling).
        tui-nn's per-epoch evaluation therefore covers 2200 rows.

Peers, all in float64 unless a row says otherwise (tui-nn trains in float64):

- tui-nn ``Trainer.train_epoch()`` on the path the run takes (the compiled one
  with Numba installed), and with ``engine="numpy"``: what ``tui-nn train`` runs per epoch: the
  shuffle, the mini-batch steps, then an evaluation of the loss and accuracy
  on the train and test rows and the divergence check. This is the headline
  tui-nn figure.
- tui-nn loop only: the same shuffle and mini-batches (``trainer.steps``), with
  no evaluation: the figure comparable to a bare training loop in the peers.
- TF Playground's engine (tfp only): its nn.ts compiled unmodified, under node,
  with its per-epoch loss (the compared peer) and training only; each repeat
  is one node process training that many epochs, timed by its driver.
- PyTorch eager (CPU, ``torch.set_num_threads(1)``): ``nn.Sequential`` of the
  same layers, ``torch.optim.Adam`` with the same hyperparameters (default
  implementation), ``BCEWithLogitsLoss`` (one logit) or ``CrossEntropyLoss``,
  ``torch.randperm`` reshuffle every epoch, then per batch zero_grad, forward,
  loss, backward, step. float64 is the compared peer; float32 is shown for
  information.
- scikit-learn ``MLPClassifier(solver="adam", alpha=0, shuffle=True, ...)``
  with ``partial_fit`` once per epoch (keeps Adam's state across epochs; each
  call re-validates the input). ``random_state=None`` on purpose: with an int,
  every ``partial_fit`` call re-seeds and the "shuffle" is the same order each
  epoch. A second row (for information) uses ``fit`` with ``warm_start=True``,
  ``max_iter=k`` and ``n_iter_no_change`` too large to stop: one call per timed
  chunk, but Adam's moments restart at every ``fit`` call. scikit-learn's Adam
  adds eps to sqrt(v) without bias correction (a negligible difference).

Every peer starts from tui-nn's initial weights for the workload (copied in)
and first trains the same number of untimed epochs (--check-epochs; 100 on
spiral, 20 on large): the training accuracy after them ("acc@N") is the sanity
check that every peer trains the same problem alike. The accuracy after all
epochs ("acc end") is printed too, but peers have then run different numbers
of epochs (the faster, the more).

Method: OMP/OpenBLAS/MKL pinned to one thread before NumPy or torch is
imported; each peer is warmed up (growing chunks of epochs for about
--warmup seconds), which also calibrates a fixed number of epochs per repeat
taking about --seconds; then --repeats repeats are run round-robin over the
peers (so a burst of load from other processes hits every peer alike), and
the best repeat is reported (with the median beside it). The machine may be
running other work: figures are best-of-N, not averages.
"""

from __future__ import annotations

import os

# Pin every BLAS / OpenMP pool to one thread BEFORE numpy or torch is imported.
for _var in (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from tui_nn.config import Config  # noqa: E402
from tui_nn.data import Dataset  # noqa: E402
from tui_nn.io.presets import load_preset  # noqa: E402
from tui_nn.training import Trainer, build_dataset_for  # noqa: E402

# tui-nn train_epoch (the path a run takes) / the named peer's epochs per second.
TARGETS = {"tfp": ("tfp_with_loss", 2.0), "spiral": ("torch_float64", 30.0), "large": ("torch_float64", 10.0)}
# Untimed epochs every peer trains first, from the same initial weights, so the
# training accuracies after them are compared at an equal epoch count.
CHECK_EPOCHS = {"tfp": 100, "spiral": 100, "large": 20}
WORKLOADS = ("tfp", "spiral", "large")
TFP_DIR = ROOT.parent / "shared" / "peers" / "tfp"  # TensorFlow Playground's engine, headless


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ---- workloads ---------------------------------------------------------------
@dataclasses.dataclass
class Workload:
    name: str
    description: str
    config: Config
    dataset: Dataset
    hidden: tuple[int, ...]
    activation: str  # "tanh" | "relu"
    n_classes: int  # 2 -> one sigmoid output, else softmax
    batch_size: int
    lr: float
    beta1: float
    beta2: float
    eps: float
    optimizer: str = "adam"
    output: str = "sigmoid"  # sigmoid + bce, softmax + cce, or tanh + TF Playground's square loss
    reshuffle: bool = True  # every epoch; False: shuffled once (TF Playground)
    note: str = ""

    @property
    def X(self) -> np.ndarray:
        return self.dataset.X_train

    @property
    def y(self) -> np.ndarray:
        return self.dataset.y_train

    @property
    def n(self) -> int:
        return len(self.dataset.X_train)

    @property
    def steps(self) -> int:
        return math.ceil(self.n / self.batch_size)

    def initial_weights(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """tui-nn's initial (W, b) per dense layer for this config and seed."""
        net = Trainer(self.config, self.dataset).network
        return [(net.W(k).copy(), net.b(k).copy()) for k in range(net.n_layers)]


def _describe(cfg: Config, ds: Dataset, n_out: int) -> str:
    net, tr = cfg.network, cfg.training
    sizes = "-".join(str(s) for s in (ds.n_inputs, *net.hidden, n_out))
    out, loss = cfg.output_and_loss(ds.task)
    return (
        f"{sizes} {net.activation}, {out} + {loss}, {tr.optimizer} lr {tr.learning_rate:g} "
        f"(betas {cfg.get('training.beta1'):g}/{cfg.get('training.beta2'):g}, eps {cfg.get('training.epsilon'):g}), "
        f"{net.init} init, "
        f"batch {tr.batch_size}, {len(ds.X_train)} training rows"
    )


def _all_rows_for_training(base: Dataset) -> Dataset:
    """Train on all 2000 points: training split = 1800 train + 200 test rows; the
    200 remain the (overlapping) test split so evaluation has rows."""
    return dataclasses.replace(
        base,
        X_train=np.ascontiguousarray(np.vstack([base.X_train, base.X_test])),
        y_train=np.concatenate([base.y_train, base.y_test]),
        raw_train=np.vstack([base.raw_train, base.raw_test]),
    )


def make_workload(name: str) -> Workload:
    if name == "tfp":
        cfg = load_preset("playground")
        ds = build_dataset_for(cfg)
        note = ("preset playground: TF Playground's default run (circle, 500 points, half for training, "
                "labels -1/+1, U(-0.5, 0.5) weights, shuffled once); tui-nn and TF Playground evaluate "
                "the loss over train and test every epoch (TF Playground's 'with loss' row), "
                "TF Playground draws its own circle (seed 1); sklearn*: MLPClassifier has no tanh output, "
                "its rows train a logistic output with log-loss")
    elif name == "spiral":
        cfg = load_preset("spiral")
        ds = build_dataset_for(cfg)
        note = "preset spiral as shipped (1000 points, train_ratio 0.5)"
    elif name == "large":
        cfg = Config().with_overrides(
            [
                "data.dataset=spiral3",
                "data.points=2000",
                "data.train_ratio=0.9",  # the config's maximum; see below
                "data.features=x1,x2",
                "network.hidden=64,64,64",
                "network.activation=relu",
                "network.init=he",
                "training.optimizer=adam",
                "training.learning_rate=0.01",
                "training.batch_size=32",
            ]
        )
        ds = _all_rows_for_training(build_dataset_for(cfg))
        note = (
            "data.points=2000, data.train_ratio=0.9, then training split := all 2000 rows; "
            "test split = the 200 held-out rows (also in training), so tui-nn evaluates 2200 rows/epoch"
        )
    else:
        raise ValueError(name)
    net, tr = cfg.network, cfg.training
    n_out = ds.n_classes if ds.n_classes > 2 else 1
    return Workload(
        name=name,
        description=_describe(cfg, ds, n_out),
        config=cfg,
        dataset=ds,
        hidden=tuple(net.hidden),
        activation=str(net.activation),
        n_classes=ds.n_classes,
        batch_size=tr.batch_size,
        lr=tr.learning_rate,
        beta1=cfg.get("training.beta1"),
        beta2=cfg.get("training.beta2"),
        eps=cfg.get("training.epsilon"),
        optimizer=tr.optimizer,
        output=cfg.output_and_loss(ds.task)[0],
        reshuffle=tr.shuffle == "epoch",
        note=note,
    )


# ---- peers -------------------------------------------------------------------
class Peer:
    """One implementation: ``run(k)`` trains k more epochs; ``accuracy()`` on the training rows."""

    key = ""
    label = ""
    role = "peer"  # "tui" | "peer" | "info"

    def __init__(self) -> None:
        self.epochs = 0
        self.rates: list[float] = []
        self.chunk = 1
        self.check_accuracy = math.nan

    def run(self, k: int) -> None:
        raise NotImplementedError

    def accuracy(self) -> float:
        raise NotImplementedError

    def version(self) -> str:
        return ""


class TuiEpoch(Peer):
    key, role = "tui_nn_epoch", "tui"

    def __init__(self, wl: Workload, engine: str = "auto") -> None:
        super().__init__()
        self.trainer = Trainer(wl.config, wl.dataset, engine=engine)
        path = "fast path" if self.trainer.engine == "numba" else "NumPy path"
        self.label = f"tui-nn train_epoch, {path}"
        if engine != "auto":
            self.key = "tui_nn_numpy"

    def run(self, k):
        te = self.trainer.train_epoch
        for _ in range(k):
            te()
        self.epochs += k
        if self.trainer.diverged:
            raise RuntimeError("tui-nn diverged")

    def accuracy(self):
        return float(self.trainer.last.train_metric)


class TuiLoop(TuiEpoch):
    key, role = "tui_nn_loop", "tui"

    def __init__(self, wl: Workload) -> None:
        super().__init__(wl)
        self.label = self.label.replace("train_epoch", "loop only")
        self.batch, self.reshuffle = wl.batch_size, wl.reshuffle
        t = self.trainer  # fail at once if the internals used below have moved
        for name in ("steps", "optimizer", "_evaluate"):
            getattr(t, name)
        for name in ("begin", "run", "starts"):
            getattr(t.steps, name)

    def run(self, k):
        t = self.trainer
        steps, opt, lr = t.steps, t.optimizer, t.config.training.learning_rate
        for _ in range(k):  # the shuffle and the mini-batches, no evaluation
            steps.begin(self.batch, reshuffle=self.reshuffle)
            steps.run(len(steps.starts), opt, lr, "none", 0.0)
        self.epochs += k

    def accuracy(self):
        return float(self.trainer._evaluate().train_metric)


class TorchPeer(Peer):
    def __init__(self, wl: Workload, torch: Any, dtype_name: str) -> None:
        super().__init__()
        self.torch = torch
        nn = torch.nn
        dtype = getattr(torch, dtype_name)
        self.key = f"torch_{dtype_name}"
        self.role = "peer" if dtype_name == "float64" else "info"
        self.label = f"PyTorch eager {dtype_name}" + ("" if self.role == "peer" else " (info)")
        act = {"tanh": nn.Tanh, "relu": nn.ReLU}[wl.activation]
        n_out = 1 if wl.n_classes == 2 else wl.n_classes
        sizes = (wl.X.shape[1], *wl.hidden, n_out)
        layers: list[Any] = []
        for i in range(len(sizes) - 1):
            layers.append(nn.Linear(sizes[i], sizes[i + 1], dtype=dtype))
            if i < len(sizes) - 2:
                layers.append(act())
        self.model = nn.Sequential(*layers)
        with torch.no_grad():
            lin = [m for m in self.model if isinstance(m, nn.Linear)]
            for m, (W, b) in zip(lin, wl.initial_weights()):
                m.weight.copy_(torch.from_numpy(W.T.copy()))
                m.bias.copy_(torch.from_numpy(b))
        if wl.optimizer == "sgd":
            self.opt = torch.optim.SGD(self.model.parameters(), lr=wl.lr)
        else:
            self.opt = torch.optim.Adam(
                self.model.parameters(), lr=wl.lr, betas=(wl.beta1, wl.beta2), eps=wl.eps
            )
        self.X = torch.from_numpy(np.array(wl.X)).to(dtype)  # a writable copy
        self.reshuffle = wl.reshuffle
        if wl.output == "tanh":  # TF Playground's: tanh output, 1/2 (p - y)^2 on -1/+1 labels
            self.model.append(nn.Tanh())
            self.y = torch.from_numpy(np.where(wl.y == 1, 1.0, -1.0)).to(dtype).reshape(-1, 1)
            mse = nn.MSELoss()
            self.loss_fn = lambda p, y: 0.5 * mse(p, y)
        elif wl.n_classes == 2:
            self.y = torch.from_numpy(wl.y.astype(np.float64)).to(dtype).reshape(-1, 1)
            self.loss_fn = nn.BCEWithLogitsLoss()
        else:
            self.y = torch.from_numpy(wl.y.astype(np.int64))
            self.loss_fn = nn.CrossEntropyLoss()
        self.binary = wl.n_classes == 2
        self.y_raw = wl.y
        self.n, self.batch = len(wl.X), wl.batch_size
        self.gen = torch.Generator().manual_seed(0)

    def version(self):
        return self.torch.__version__

    def run(self, k):
        torch, model, opt, loss_fn = self.torch, self.model, self.opt, self.loss_fn
        n, bs, X, y, gen = self.n, self.batch, self.X, self.y, self.gen
        for _ in range(k):
            if self.reshuffle or not hasattr(self, "Xs"):
                perm = torch.randperm(n, generator=gen)
                Xs, ys = self.Xs, self.ys = X[perm], y[perm]
            else:
                Xs, ys = self.Xs, self.ys
            for lo in range(0, n, bs):
                xb, yb = Xs[lo : lo + bs], ys[lo : lo + bs]
                opt.zero_grad()
                loss = loss_fn(model(xb), yb)
                loss.backward()
                opt.step()
        self.epochs += k

    def accuracy(self):
        with self.torch.no_grad():
            out = self.model(self.X).numpy()
        pred = (out[:, 0] >= 0.0).astype(np.int64) if self.binary else out.argmax(axis=1)
        return float(np.mean(pred == self.y_raw))


class SklearnPeer(Peer):
    def __init__(self, wl: Workload, mode: str) -> None:
        super().__init__()
        import sklearn
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.neural_network import MLPClassifier

        self.sklearn = sklearn
        self.mode = mode
        self.key = f"sklearn_{mode}"
        self.role = "peer" if mode == "partial_fit" else "info"
        self.label = "sklearn partial_fit" if mode == "partial_fit" else "sklearn fit(max_iter=k) (info)"
        np.random.seed(0)  # random_state=None draws shuffles from NumPy's global RNG
        # TF Playground's set-up is plain SGD; MLPClassifier has no tanh output
        # (its binary output is logistic with log-loss), so that row differs there.
        solver = (
            {"solver": "sgd", "momentum": 0.0, "nesterovs_momentum": False, "learning_rate": "constant"}
            if wl.optimizer == "sgd"
            else {"solver": "adam", "beta_1": wl.beta1, "beta_2": wl.beta2, "epsilon": wl.eps}
        )
        if wl.output == "tanh":
            self.label = self.label.replace("sklearn", "sklearn*")  # see the workload's note
        self.clf = MLPClassifier(
            hidden_layer_sizes=wl.hidden,
            activation=wl.activation,
            alpha=0.0,
            batch_size=wl.batch_size,
            learning_rate_init=wl.lr,
            shuffle=wl.reshuffle,
            **solver,
            random_state=None,
            tol=0.0,
            n_iter_no_change=10**9,
            early_stopping=False,
            warm_start=(mode == "fit"),
            max_iter=1,
        )
        warnings.filterwarnings("ignore", category=ConvergenceWarning)
        self.X, self.y = np.ascontiguousarray(wl.X), wl.y
        # One epoch to create the model's arrays, then tui-nn's initial weights
        # and a fresh Adam (the next call makes a new optimizer).
        self.clf.partial_fit(self.X, self.y, classes=np.unique(self.y))
        for k, (W, b) in enumerate(wl.initial_weights()):
            self.clf.coefs_[k][...] = W
            self.clf.intercepts_[k][...] = b
        del self.clf._optimizer

    def version(self):
        return self.sklearn.__version__

    def run(self, k):
        clf, X, y = self.clf, self.X, self.y
        if self.mode == "partial_fit":
            pf = clf.partial_fit
            for _ in range(k):
                pf(X, y)
        else:
            clf.max_iter = k
            clf.fit(X, y)
            if clf.n_iter_ != k:
                raise RuntimeError(f"sklearn stopped after {clf.n_iter_} of {k} epochs")
        self.epochs += k

    def accuracy(self):
        return float(np.mean(self.clf.predict(self.X) == self.y))


class TfpPeer(Peer):
    """TensorFlow Playground's engine (its nn.ts compiled unmodified) under node: each
    ``run(k)`` is one fresh process training k epochs from its own start; the time
    is the one it measures around its training loop (node's start-up excluded)."""

    def __init__(self, wl: Workload, with_loss: bool) -> None:
        super().__init__()
        self.with_loss = with_loss
        self.key = "tfp_with_loss" if with_loss else "tfp_train_only"
        self.role = "peer" if with_loss else "info"
        self.label = "TF Playground (node), loss/epoch" if with_loss else "TF Playground, training only (info)"
        self.last: dict = {}

    def version(self):
        commit = TFP_DIR / "COMMIT"
        return commit.read_text().strip()[:10] if commit.exists() else ""

    def run(self, k):
        opts = {"dataset": "circle", "seed": "1", "epochs": k, "checkpoints": [k], "timeWithLoss": self.with_loss}
        out = subprocess.run(["node", "tfp_run.js", json.dumps(opts)], cwd=TFP_DIR, capture_output=True,
                             text=True, check=True, timeout=600)
        self.last = json.loads(out.stdout)
        self.epochs += k
        return float(self.last["train_seconds"])

    def accuracy(self):
        return float(self.last["rows"][-1]["train_accuracy"])


def tfp_missing() -> str | None:
    if shutil.which("node") is None:
        return "TF Playground's engine: node is not installed"
    if not (TFP_DIR / "tfp_run.js").exists():
        return f"TF Playground's engine: no {TFP_DIR}"
    if not (TFP_DIR / "node_modules").exists():
        return f"TF Playground's engine: run npm ci in {TFP_DIR}"
    return None


def make_peers(wl: Workload, torch: Any, have_sklearn: bool) -> tuple[list[Peer], list[str]]:
    peers: list[Peer] = [TuiEpoch(wl)]
    missing = []
    if peers[0].trainer.engine == "numba":
        peers.append(TuiEpoch(wl, engine="numpy"))
    else:
        missing.append(f"tui-nn fast path ({peers[0].trainer.why_numpy()})")
    if wl.name == "tfp":
        why = tfp_missing()
        if why is None:
            peers += [TfpPeer(wl, with_loss=True), TfpPeer(wl, with_loss=False)]
        else:
            missing.append(why)
    try:  # reaches into Trainer internals, which may change
        peers.append(TuiLoop(wl))
    except (AttributeError, TypeError) as exc:
        missing.append(f"tui-nn loop-only row (Trainer internals changed: {exc})")
    if torch is not None:
        peers += [TorchPeer(wl, torch, "float64"), TorchPeer(wl, torch, "float32")]
    else:
        missing.append("torch is not installed: pip install torch==2.13.0")
    if have_sklearn:
        peers += [SklearnPeer(wl, "partial_fit"), SklearnPeer(wl, "fit")]
    else:
        missing.append("scikit-learn is not installed: pip install scikit-learn")
    return peers, missing


# ---- measuring ---------------------------------------------------------------
def warm_up(peer: Peer, seconds: float, target: float) -> None:
    """Run growing chunks for ~``seconds``; set ``chunk`` to epochs per ~``target`` s."""
    k, spent, rate = 1, 0.0, 0.0
    while True:
        t0 = time.perf_counter()
        own = peer.run(k)
        dt = own if own is not None else time.perf_counter() - t0
        spent += dt
        rate = k / dt if dt > 0 else 1e9
        if spent >= seconds:
            break
        k = max(1, min(k * 2, int(rate * (seconds - spent)) or 1))
    peer.chunk = max(1, round(rate * target))


def measure(peers: list[Peer], seconds: float, repeats: int, warmup: float, check: int) -> None:
    for p in peers:
        # Sanity check first: the same number of epochs from the same weights.
        if check > 0:
            p.run(check)
            p.check_accuracy = p.accuracy()
    for p in peers:
        log(f"  warm-up {p.label}")
        warm_up(p, warmup, seconds)
    for r in range(repeats):
        for p in peers:  # round-robin: load bursts hit every peer alike
            gc.collect()
            t0 = time.perf_counter()
            own = p.run(p.chunk)  # a peer that times itself returns its seconds
            dt = own if own is not None else time.perf_counter() - t0
            p.rates.append(p.chunk / dt)
        log(f"  repeat {r + 1}/{repeats} done")


def run_workload(name: str, args, torch: Any, have_sklearn: bool) -> dict:
    wl = make_workload(name)
    log(f"workload {name}: {wl.description}")
    peers, missing = make_peers(wl, torch, have_sklearn)
    check = args.check_epochs if args.check_epochs is not None else CHECK_EPOCHS[name] // (2 if args.quick else 1)
    log(f"  {check} untimed epochs per peer for the accuracy check")
    measure(peers, args.seconds, args.repeats, args.warmup, check)
    tui = {p.key: max(p.rates) for p in peers if p.role == "tui"}
    loop_best = tui.get("tui_nn_loop")
    rows = []
    for p in peers:
        best = max(p.rates)
        rows.append(
            {
                "key": p.key,
                "label": p.label,
                "role": p.role,
                "version": p.version(),
                "epochs_per_s": best,
                "epochs_per_s_median": statistics.median(p.rates),
                "epochs_per_s_repeats": p.rates,
                "epochs_per_repeat": p.chunk,
                "ms_per_epoch": 1e3 / best,
                "us_per_step": 1e6 / best / wl.steps,
                "train_accuracy_at_check": p.check_accuracy if math.isfinite(p.check_accuracy) else None,
                "train_accuracy": p.accuracy(),
                "epochs_trained": p.epochs,
                "ratio_tui_epoch_to_this": tui["tui_nn_epoch"] / best,
                "ratio_tui_loop_to_this": loop_best / best if loop_best else None,
            }
        )
    result = {
        "workload": name,
        "description": wl.description,
        "note": wl.note,
        "training_rows": wl.n,
        "steps_per_epoch": wl.steps,
        "check_epochs": check,
        "peers": rows,
        "missing": missing,
    }
    vs, wanted = TARGETS[name]
    peer_row = next((r for r in rows if r["key"] == vs), None)
    if peer_row is not None:
        result["target"] = {
            "vs": vs,
            "vs_label": peer_row["label"],
            "wanted_ratio": wanted,
            "ratio_train_epoch": peer_row["ratio_tui_epoch_to_this"],
            "ratio_loop_only": peer_row["ratio_tui_loop_to_this"],
            "met_train_epoch": peer_row["ratio_tui_epoch_to_this"] >= wanted,
            "met_loop_only": (peer_row["ratio_tui_loop_to_this"] or 0.0) >= wanted,
        }
    return result


# ---- environment and output ----------------------------------------------------
def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def blas_info() -> list[str]:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return ["(threadpoolctl not installed)"]
    return [
        f"{i.get('internal_api')} {i.get('version')} threads={i.get('num_threads')}"
        for i in threadpool_info()
    ]


def loadavg() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def _acc(x: float | None) -> str:
    return f"{x:7.3f}" if x is not None else f"{'-':>7}"


def _ratio(x: float | None) -> str:
    return f"{x:8.2f}x" if x is not None else f"{'-':>9}"


def print_table(meta: dict, results: list[dict]) -> None:
    print("tui-nn engine benchmark: training epochs per second, one process, BLAS pinned to 1 thread")
    print(
        f"  python {meta['python']}, numpy {meta['numpy']}, torch {meta['torch']}, "
        f"scikit-learn {meta['sklearn']}; {meta['cpu']} x{meta['cpus']}"
    )
    print(f"  thread pools: {'; '.join(meta['thread_pools'])}")
    print(
        f"  best of {meta['repeats']} repeats of ~{meta['seconds']:g} s each (round-robin over peers, "
        f"after ~{meta['warmup']:g} s warm-up); load average {meta['loadavg_start']} at start, "
        f"{meta['loadavg_end']} at end"
    )
    print("  other processes may share the 2 cores: figures are best-of-N, the median is shown too")
    for res in results:
        print()
        print(f"[{res['workload']}] {res['description']}, {res['steps_per_epoch']} steps/epoch")
        print(f"  data: {res['note']}")
        head = (
            f"  {'peer':38} {'epochs/s':>9} {'median':>9} {'ms/epoch':>9} {'us/step':>8}"
            f" {'acc@' + str(res['check_epochs']):>7} {'acc end':>7} {'epochs':>7} {'tui/this':>9} {'loop/this':>9}"
        )
        print(head)
        print("  " + "-" * (len(head) - 2))
        for r in res["peers"]:
            print(
                f"  {r['label']:38} {r['epochs_per_s']:9.1f} {r['epochs_per_s_median']:9.1f}"
                f" {r['ms_per_epoch']:9.3f} {r['us_per_step']:8.1f} {_acc(r['train_accuracy_at_check'])}"
                f" {r['train_accuracy']:7.3f}"
                f" {r['epochs_trained']:7d} {r['ratio_tui_epoch_to_this']:8.2f}x"
                f" {_ratio(r['ratio_tui_loop_to_this'])}"
            )
        for m in res["missing"]:
            print(f"  (skipped: {m})")
        t = res.get("target")
        if t:
            print(
                f"  target tui-nn >= {t['wanted_ratio']:g}x {t['vs_label']}: "
                f"train_epoch {t['ratio_train_epoch']:.2f}x ({'met' if t['met_train_epoch'] else 'NOT met'})"
                + (
                    f", loop only {t['ratio_loop_only']:.2f}x ({'met' if t['met_loop_only'] else 'NOT met'})"
                    if t["ratio_loop_only"] is not None
                    else ""
                )
            )
    print()
    print(
        "tui/this = tui-nn train_epoch epochs/s / this row's; loop/this = tui-nn loop-only / this row's. "
        "Accuracies are on the training rows:\n"
        "acc@N after the first N (untimed) epochs from tui-nn's initial weights, equal for every peer; "
        "acc end after all epochs run (the epochs column: check, warm-up and timed epochs)."
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="shorter: 2 repeats of ~0.5 s, 0.3 s warm-up")
    ap.add_argument("--only", choices=WORKLOADS, help="run one workload")
    ap.add_argument("--json", action="store_true", help="print JSON instead of the table")
    ap.add_argument("--seconds", type=float, help="length of one timed repeat (default 2, quick 0.5)")
    ap.add_argument("--repeats", type=int, help="timed repeats per peer (default 3, quick 2)")
    ap.add_argument("--warmup", type=float, help="warm-up seconds per peer (default 1, quick 0.3)")
    ap.add_argument(
        "--check-epochs", type=int,
        help="untimed epochs per peer before timing, for the equal-epoch accuracy check "
        "(default spiral 100, large 20; halved by --quick)",
    )
    args = ap.parse_args(argv)
    args.seconds = args.seconds or (0.5 if args.quick else 2.0)
    args.repeats = args.repeats or (2 if args.quick else 3)
    args.warmup = args.warmup if args.warmup is not None else (0.3 if args.quick else 1.0)

    try:
        import torch

        torch.set_num_threads(1)
        torch.set_num_interop_threads(1)
    except ImportError:
        torch = None
    try:
        import sklearn  # noqa: F401

        have_sklearn = True
    except ImportError:
        have_sklearn = False

    meta = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": torch.__version__ if torch is not None else "not installed",
        "torch_threads": torch.get_num_threads() if torch is not None else None,
        "sklearn": __import__("sklearn").__version__ if have_sklearn else "not installed",
        "cpu": cpu_model(),
        "cpus": os.cpu_count(),
        "env_threads": {v: os.environ.get(v) for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")},
        "seconds": args.seconds,
        "repeats": args.repeats,
        "warmup": args.warmup,
        "loadavg_start": loadavg(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    names = [args.only] if args.only else list(WORKLOADS)
    results = [run_workload(n, args, torch, have_sklearn) for n in names]
    meta["thread_pools"] = blas_info()  # after the imports, so every pool is loaded
    meta["loadavg_end"] = loadavg()
    if args.json:
        json.dump({"meta": meta, "workloads": results}, sys.stdout, indent=2)
        print()
    else:
        print_table(meta, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
