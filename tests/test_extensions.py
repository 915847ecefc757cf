"""An extension is one small addition in one place: a throw-away optimizer
with a hyperparameter of its own, registered here, is found by the config,
``--set``, ``tui-nn train --help`` and the settings form, and trains; a
throw-away activation declares its range and is drawn over it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from tui_nn.cli import main
from tui_nn.config import SPECS, Config, ConfigError
from tui_nn.engine.activations import ACTIVATIONS, Activation
from tui_nn.engine.optimizers import OPTIMIZERS, Hyperparameter, Optimizer
from tui_nn.registry import Registry
from tui_nn.rules import Interval
from tui_nn.training import Trainer


class SignDescent(Optimizer):
    """w -= lr * kick * sign(g): a made-up optimizer for this test only."""

    name = "signdescent"
    description = "test only: steps of lr * kick in the sign of the gradient"
    hyperparameters = (Hyperparameter("kick", Interval(float, 0.0, 2.0), 0.5, "signdescent: size of each step"),)
    kick: float

    def step(self, params: np.ndarray, grad: np.ndarray) -> None:
        params -= self.lr * self.kick * np.sign(grad)


class HardTanh(Activation):
    """clip(z, -1, 1): a made-up activation for this test only."""

    name = "hardtanh"
    description = "test only: clip(z, -1, 1)"
    output_ok = True
    output_range = (-1.0, 1.0)

    def forward(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        y: np.ndarray = np.clip(z, -1.0, 1.0, out=out)
        return y

    def derivative(self, z: np.ndarray, a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        d = (np.abs(z) < 1.0).astype(float)
        if out is None:
            return d
        np.copyto(out, d)
        return out


@contextlib.contextmanager
def registered(registry: Registry[Any], cls: Any) -> Iterator[None]:
    """``cls`` in ``registry`` for the duration of a test, and gone again after it."""
    registry.register(cls)
    try:
        yield
    finally:
        registry.remove(cls.name)


@pytest.fixture
def sign_descent() -> Iterator[None]:
    with registered(OPTIMIZERS, SignDescent):
        yield


@pytest.fixture
def hard_tanh() -> Iterator[None]:
    with registered(ACTIVATIONS, HardTanh):
        yield


def test_a_new_optimizer_and_its_hyperparameter_are_settings(sign_descent: None) -> None:
    spec = SPECS["training.kick"]
    assert spec.live and spec.default == 0.5 and spec.allowed() == "0 to 2"
    cfg = Config().with_overrides(["training.optimizer=signdescent", "training.kick=0.25"])
    assert cfg.get("training.kick") == 0.25
    assert Config.from_toml(cfg.to_toml()) == cfg  # and it round-trips through a preset
    with pytest.raises(ConfigError, match=r"training\.kick = 3 is out of range: allowed 0 to 2"):
        Config().with_overrides(["training.kick=3"])


def test_a_new_optimizer_trains_with_its_hyperparameter(sign_descent: None) -> None:
    cfg = Config().with_overrides(
        ["data.dataset=circle", "data.points=60", "training.optimizer=signdescent", "training.kick=0.25"]
    )
    trainer = Trainer(cfg)
    assert isinstance(trainer.optimizer, SignDescent) and trainer.optimizer.kick == 0.25
    before = trainer.network.params.copy()
    trainer.train_epoch()
    # Every step moves each weight by lr * kick (or 0): the first epoch's
    # total change per weight is a multiple of that.
    steps = np.abs(trainer.network.params - before) / (cfg.training.learning_rate * 0.25)
    np.testing.assert_allclose(steps, np.round(steps), atol=1e-6)
    assert steps.max() >= 1
    trainer.set_live("training.kick", 1.5)
    assert trainer.optimizer.kick == 1.5


def test_a_new_hyperparameter_is_in_train_help(sign_descent: None, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["train", "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "training.kick" in out and "signdescent: size of each step [0 to 2; default 0.5]" in out
    assert "signdescent" in out  # among training.optimizer's choices


def test_a_new_hyperparameter_is_in_the_form(sign_descent: None) -> None:
    pytest.importorskip("textual")
    from tui_nn.app.app import PlaygroundApp
    from tui_nn.app.settings_panel import widget_id

    async def scenario() -> None:
        app = PlaygroundApp(Config().with_overrides(["training.optimizer=signdescent", "training.epochs=0"]))
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            row = app.query_one(f"#{widget_id('training.kick')}-row")
            assert row.display  # shown for the optimizer that uses it
            assert not app.query_one(f"#{widget_id('training.beta1')}-row").display
            field = app.query_one(f"#{widget_id('training.kick')}")
            assert getattr(field, "value") == "0.5"

    asyncio.run(scenario())


def test_a_new_activation_declares_its_range(hard_tanh: None) -> None:
    cfg = Config().with_overrides(
        ["data.dataset=circle", "data.points=60", "network.activation=hardtanh", "network.output=hardtanh"]
    )
    trainer = Trainer(cfg)
    assert trainer.output_name == "hardtanh" and trainer.loss_name == "mse"  # its declared pairing
    snap = trainer.snapshot((4, 4))
    assert snap.output_range == (-1.0, 1.0)
    assert snap.hidden_ranges == ((-1.0, 1.0), (-1.0, 1.0))
    with pytest.raises(ConfigError, match="hardtanh"):
        Config().with_overrides(["data.dataset=spiral3", "network.output=hardtanh"])  # not multi-class


def test_every_setting_has_a_place_in_the_form() -> None:
    pytest.importorskip("textual")
    from tui_nn.app.settings_panel import tabs

    placed = [path for paths in tabs().values() for path in paths]
    assert sorted(placed) == sorted(SPECS) and len(placed) == len(set(placed))
