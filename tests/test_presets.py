"""Every built-in preset loads, validates and trains; the quick lessons learn."""

from __future__ import annotations

import pytest

from tui_nn.io.presets import list_presets, load_preset
from tui_nn.training import Trainer

NAMES = [p.name for p in list_presets()]


def test_the_required_presets_exist():
    for name in ("spiral", "circle", "xor", "gauss", "xor-by-hand", "iris"):
        assert name in NAMES
    assert any(load_preset(n).output_and_loss()[1] == "mse" and
               load_preset(n).data.dataset in ("plane", "diabetes") for n in NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_preset_loads_and_trains_two_epochs(name):
    cfg = load_preset(name)
    assert cfg.name == name and cfg.description
    trainer = Trainer(cfg)
    result = trainer.run(2 if cfg.training.epochs else 0)
    assert result.status == "ok"


def test_the_diverge_preset_climbs_for_a_while_then_blows_up():
    trainer = Trainer(load_preset("diverge"))
    losses = [trainer.train_epoch().train_loss for _ in range(8)]
    assert all(b > 1.5 * a for a, b in zip(losses, losses[1:]))  # the loss climbs, epoch after epoch
    result = trainer.run(trainer.config.training.epochs)
    assert result.status == "diverged" and trainer.epoch >= 10
    assert "Lower the learning rate" in result.message


@pytest.mark.parametrize("name, minimum", [("circle", 0.97), ("gauss", 0.97), ("xor-learn", 1.0)])
def test_quick_lessons_reach_their_accuracy(name, minimum):
    cfg = load_preset(name)
    result = Trainer(cfg).run(cfg.training.epochs)
    assert result.status == "ok"
    assert result.last.test_metric >= minimum


def test_perceptron_presets_tell_the_story():
    and_run = Trainer(load_preset("perceptron-and"))
    assert and_run.run(and_run.config.training.epochs).last.train_metric == 1.0
    xor_run = Trainer(load_preset("perceptron-xor"))
    assert xor_run.run(xor_run.config.training.epochs).last.train_metric < 1.0
