"""The compiled path (training/fast_epoch.py) against the NumPy path.

The NumPy path is itself checked against finite differences and PyTorch
(test_gradients.py); here every preset and every feature the kernels compile
must train to the same figures on both, to 1e-12 relative, and runs the
kernels do not compile must stay on NumPy. Without Numba the comparisons
skip (the NumPy path then runs everything, which the rest of the suite
covers) and the fallback tests still run.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tui_nn import file_access
from tui_nn.config import Config
from tui_nn.io.presets import list_presets, load_preset
from tui_nn.io.session_files import load_session, save_session
from tui_nn.training import Trainer, fast_epoch

ROOT = Path(__file__).resolve().parents[1]
HAVE_NUMBA = importlib.util.find_spec("numba") is not None
needs_numba = pytest.mark.skipif(not HAVE_NUMBA, reason="numba is not installed: pip install '.[fast]'")
TOLERANCE = 1e-12


def relative(a: float, b: float) -> float:
    return abs(a - b) / max(abs(a), abs(b), 1e-300)


def assert_alike(numpy_run: Trainer, fast_run: Trainer) -> float:
    """Both runs at the same place with the same figures; returns the largest relative difference."""
    assert (numpy_run.engine, fast_run.engine) == ("numpy", "numba")
    assert numpy_run.epoch == fast_run.epoch and numpy_run.diverged == fast_run.diverged
    a, b = numpy_run.network.params, fast_run.network.params
    worst = float(np.max(np.abs(a - b))) / max(float(np.max(np.abs(a))), 1e-300)
    ra, rb = numpy_run.last, fast_run.last
    for x, y in ((ra.train_loss, rb.train_loss), (ra.test_loss, rb.test_loss),
                 (ra.train_metric, rb.train_metric), (ra.test_metric, rb.test_metric)):
        worst = max(worst, relative(x, y))
    np.testing.assert_array_equal(numpy_run.steps.dead, fast_run.steps.dead)
    assert worst <= TOLERANCE, f"the paths differ by {worst:.3g} (relative)"
    return worst


def both(config: Config) -> tuple[Trainer, Trainer]:
    fast = Trainer(config)
    if fast.engine != "numba":
        pytest.skip(f"no fast path for this run: {fast.why_numpy()}")
    return Trainer(config, engine="numpy"), fast


PRESETS = [p.name for p in list_presets()]


@needs_numba
@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_trains_to_the_same_figures_on_both_paths(name: str) -> None:
    numpy_run, fast_run = both(load_preset(name))
    numpy_run.run(100)
    fast_run.run(100)
    assert_alike(numpy_run, fast_run)


def test_most_presets_take_the_fast_path_when_numba_is_there() -> None:
    # The fast path is not a corner case: the playground's presets run on it.
    if not HAVE_NUMBA:
        pytest.skip("numba is not installed")
    fast = [n for n in PRESETS if Trainer(load_preset(n)).engine == "numba"]
    assert "playground" in fast and "spiral" in fast
    assert len(fast) >= len(PRESETS) - 5, sorted(set(PRESETS) - set(fast))


BASE = load_preset("xor").with_overrides(["data.points=200", "network.hidden=5,3"])
FEATURES = {
    **{opt: [f"training.optimizer={opt}"] for opt in fast_epoch.OPTIMIZERS},
    **{act: [f"network.activation={act}", "training.optimizer=momentum"] for act in fast_epoch.HIDDEN},
    "leaky slope": ["network.activation=leaky_relu", "network.leaky_slope=0.2"],
    "tanh + square": ["network.output=tanh", "network.loss=square"],
    "sigmoid + mse": ["network.output=sigmoid", "network.loss=mse"],
    "tanh + mae": ["network.output=tanh", "network.loss=mae"],
    "linear regression": ["data.dataset=plane", "network.output=linear", "network.loss=mse"],
    "linear + mae": ["data.dataset=plane", "network.output=linear", "network.loss=mae"],
    "softmax + cce": ["data.dataset=spiral3", "network.output=softmax", "network.loss=cce",
                      "training.optimizer=adam"],
    "l2": ["training.regularization=l2", "training.regularization_rate=0.01"],
    "l1 dead weights": ["training.regularization=l1", "training.regularization_rate=0.02"],
    "dropout": ["training.dropout=0.3", "training.optimizer=adam"],
    "dropout + l1": ["training.dropout=0.2", "training.regularization=l1", "training.regularization_rate=0.01"],
    "shuffled once": ["training.shuffle=once"],
    "odd batch": ["training.batch_size=7"],
    "one batch": ["training.batch_size=100"],
    "no hidden layer": ["network.hidden="],
    "three hidden layers": ["network.hidden=6,5,4"],
    # Past LOOP_WIDTH the products go through BLAS (SciPy's, under Numba).
    "wide, blas": ["network.hidden=40,24", "training.optimizer=adam"],
    "wide relu dropout l2": ["network.hidden=32,32", "network.activation=relu", "training.dropout=0.2",
                             "training.regularization=l2", "training.regularization_rate=0.001"],
    "wide softmax": ["data.dataset=spiral3", "network.hidden=64,64", "network.activation=relu",
                     "network.output=softmax", "network.loss=cce", "training.optimizer=adam"],
}


# Two runs here are chaotic: a one-ulp difference grows 30 to 50-fold every
# 20 epochs, on either path alone as much as between them (measured: RMSProp
# 4e-15 after 40 epochs, 1e-11 after 100; the wide softmax net 2e-14 after
# 20, 4e-12 after 60). Fewer epochs still compare them.
EPOCHS = {"rmsprop": 40, "wide softmax": 20}


@needs_numba
@pytest.mark.parametrize("name", list(FEATURES))
def test_every_compiled_feature_trains_as_numpy_does(name: str) -> None:
    numpy_run, fast_run = both(BASE.with_overrides(FEATURES[name]))
    numpy_run.run(EPOCHS.get(name, 60))
    fast_run.run(EPOCHS.get(name, 60))
    assert_alike(numpy_run, fast_run)
    if name == "l1 dead weights":
        assert fast_run.steps.dead.any()  # the case really kills weights


@needs_numba
def test_live_changes_and_single_steps_follow_the_numpy_path() -> None:
    runs = both(BASE.with_overrides(["training.optimizer=adam"]))
    for t in runs:
        t.run(10)
        t.set_live("training.learning_rate", 0.1)
        t.set_live("training.beta1", 0.5)
        for _ in range(3):
            t.train_step()  # one mini-batch at a time, then the rest of the epoch
        t.train_batches(4)
        t.run(10)
        t.set_live("training.regularization", "l2")
        t.set_live("training.regularization_rate", 0.05)
        t.run(10)
    assert_alike(*runs)


@needs_numba
def test_the_fast_path_is_deterministic_and_resumes_exactly(tmp_path: Path) -> None:
    config = BASE.with_overrides(["training.optimizer=adam", "training.dropout=0.2"])
    whole, again = Trainer(config), Trainer(config)
    whole.run(30)
    again.run(30)
    np.testing.assert_array_equal(whole.network.params, again.network.params)
    first = Trainer(config)
    first.run(12)
    for _ in range(2):
        first.train_step()
    save_session(tmp_path / "s.npz", first)
    resumed, _ = load_session(tmp_path / "s.npz", track_layers=False)
    assert resumed.engine == "numba"
    resumed.train_epoch()
    resumed.run(17)
    np.testing.assert_array_equal(whole.network.params, resumed.network.params)
    assert whole.last == resumed.last


@pytest.mark.parametrize("name, why", [
    ("batchnorm", "batch norm"), ("perceptron-and", "perceptron"), ("xor-by-hand", "no gradient"),
])
def test_runs_the_kernels_do_not_compile_stay_on_numpy(name: str, why: str) -> None:
    trainer = Trainer(load_preset(name))
    assert trainer.engine == "numpy"
    reason = trainer.why_numpy()
    assert reason is not None and (why in reason or not HAVE_NUMBA)


def test_softmax_without_cross_entropy_stays_on_numpy() -> None:
    soft = Trainer(BASE.with_overrides(["data.dataset=spiral3", "network.output=softmax", "network.loss=mse"]))
    assert soft.engine == "numpy"
    assert "mse after softmax" in (soft.why_numpy() or "") or not HAVE_NUMBA


def test_without_numba_everything_runs_on_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fast_epoch.importlib.util, "find_spec", lambda name: None)
    trainer = Trainer(load_preset("playground"))
    assert trainer.engine == "numpy" and "not installed" in (trainer.why_numpy() or "")
    assert trainer.run(5).epochs == 5


def test_the_engine_variable_and_argument_force_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Trainer(load_preset("playground"), engine="numpy").engine == "numpy"
    monkeypatch.setenv(fast_epoch.ENGINE_VARIABLE, "numpy")
    trainer = Trainer(load_preset("playground"))
    assert trainer.engine == "numpy" and fast_epoch.ENGINE_VARIABLE in (trainer.why_numpy() or "")


def test_a_served_run_stays_on_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    # Served to browsers nothing may be written on the server, Numba's cache included.
    monkeypatch.setenv(file_access.SERVED_VAR, "1")
    trainer = Trainer(load_preset("playground"))
    assert trainer.engine == "numpy" and "served" in (trainer.why_numpy() or "")


def test_building_a_trainer_does_not_load_numba() -> None:
    # The app builds trainers in its own process (to read initial weights):
    # only training compiles, and training runs in the trainer's process.
    script = ("import sys\nfrom tui_nn.io.presets import load_preset\nfrom tui_nn.training import Trainer\n"
              "t = Trainer(load_preset('playground'))\nprint(t.engine, 'numba' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60,
                         check=False)
    assert out.returncode == 0, out.stderr
    engine, loaded = out.stdout.split()
    assert engine == ("numba" if HAVE_NUMBA else "numpy") and loaded == "False"


@needs_numba
def test_kernels_that_cannot_be_built_leave_the_run_on_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    # E.g. no writable cache directory: the run that meets it trains on NumPy
    # from its first batch, exactly as a NumPy run, and says why.
    def refuse(name: str, package: str | None = None) -> object:
        raise RuntimeError("cannot cache function: no locator available")

    monkeypatch.setattr(fast_epoch, "_kernels", None)
    monkeypatch.setattr(fast_epoch, "_failure", None)
    monkeypatch.setattr(fast_epoch.importlib, "import_module", refuse)
    config = load_preset("xor")
    run = Trainer(config)
    assert run.engine == "numba"  # chosen at the start, built at the first batch
    run.run(20)
    assert run.engine == "numpy" and "could not be compiled" in (run.why_numpy() or "")
    reference = Trainer(config, engine="numpy")
    reference.run(20)
    np.testing.assert_array_equal(run.network.params, reference.network.params)
    assert Trainer(config).engine == "numpy"  # and later runs in this process too
