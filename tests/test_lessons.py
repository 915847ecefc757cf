"""The curriculum's lessons: the catalogue is well formed, and each lesson's
preset shows what its text says, for seeds 0 to 4 (the seed draws the data,
where it is drawn, and the initial weights), in a bounded number of epochs."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import numpy as np
import pytest

import tui_nn.lessons.catalogue as catalogue
from tui_nn.cli.main import main
from tui_nn.config import SPECS, Config
from tui_nn.i18n import set_language
from tui_nn.io.presets import load_preset
from tui_nn.lessons import LESSONS, Lesson, get_lesson
from tui_nn.training import Trainer

SEEDS = range(5)
MAX_TEXT = 700  # characters of English text: the side panel is about 38 x 25


@pytest.fixture(autouse=True)
def english():
    set_language("en")
    yield
    set_language("en")


def trainer(preset: str, seed: int, *overrides: str, track_layers: bool = False) -> Trainer:
    cfg = load_preset(preset).with_overrides([f"training.seed={seed}", *overrides])
    return Trainer(cfg, track_layers=track_layers)


def vary_overrides(lesson: Lesson) -> list[str]:
    assert lesson.vary is not None
    path, values = lesson.vary
    return [f"{path}={value}" for value in values]


# ---- the catalogue -----------------------------------------------------------


def test_lessons_are_numbered_in_order_with_unique_slug_ids():
    assert [lesson.number for lesson in LESSONS] == list(range(1, 14))
    ids = [lesson.id for lesson in LESSONS]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", i) for i in ids)


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.id)
def test_every_lesson_preset_loads_and_its_text_is_short(lesson: Lesson):
    for name in lesson.presets:
        cfg = load_preset(name)
        assert cfg.name == name and cfg.description
    paragraphs = lesson.text()
    assert paragraphs[0] == lesson.title and len(paragraphs) == 4
    assert [p.split("\n")[0] for p in paragraphs[1:]] == ["Look", "Try", "Question"]
    assert all(lesson.title and body for body in (lesson.look, lesson.try_, lesson.question))
    assert len("\n\n".join(paragraphs)) <= MAX_TEXT


@pytest.mark.parametrize("lesson", [lesson for lesson in LESSONS if lesson.vary], ids=lambda lesson: lesson.id)
def test_varied_settings_are_real_paths_and_every_value_is_accepted(lesson: Lesson):
    assert lesson.vary is not None
    path, values = lesson.vary
    assert path in SPECS
    assert 2 <= len(values) <= 6 and len(set(values)) == len(values)
    base = load_preset(lesson.preset)
    seen = set()
    for item in vary_overrides(lesson):
        cfg = base.with_overrides([item])
        seen.add(repr(cfg.get(path)))
    assert len(seen) == len(values)  # each value really changes the setting


def test_lessons_five_to_ten_compare_runs_side_by_side():
    assert [lesson.number for lesson in LESSONS if lesson.vary] == list(range(5, 11))


def test_get_lesson_by_number_or_id_and_unknown_names_the_ids():
    assert get_lesson(3) is get_lesson("3") is get_lesson("xor-learn") is LESSONS[2]
    for key in ("nope", 0, 14, ""):
        with pytest.raises(ValueError) as err:
            get_lesson(key)
        message = str(err.value)
        assert "\n" not in message and all(lesson.id in message for lesson in LESSONS)


def test_every_text_the_learner_reads_is_marked_for_translation():
    # The catalogue's strings are literal N_("...") calls, so the message
    # catalog's extraction finds them.
    tree = ast.parse(Path(catalogue.__file__).read_text(encoding="utf-8"))
    marked = {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "N_"
        and node.args and isinstance(node.args[0], ast.Constant)
    }
    for lesson in LESSONS:
        for text in (lesson.title, lesson.look, lesson.try_, lesson.question):
            assert text in marked, text


def test_text_is_translated_when_it_is_shown(monkeypatch):
    monkeypatch.setattr(catalogue, "_", lambda message: message.upper())
    lesson = get_lesson("neuron")
    assert lesson.text()[0] == lesson.title.upper()
    assert lesson.text()[1] == "LOOK\n" + lesson.look.upper()


# ---- what each lesson shows --------------------------------------------------


def test_xor_by_hand_text_walks_the_truth_table():
    lesson = get_lesson("xor-by-hand")
    assert lesson.preset == "xor-by-hand"
    for step in ("F(-8) = 0", "F(3) = 1", "F(-5) = 0", "F(-3) = 0", "F(-4) = 0", "F(6) = 1",
                 "F(2) = 1", "F(-11) = 0", "F(-16) = 0"):
        assert step in lesson.try_
    result = Trainer(load_preset("xor-by-hand")).run(0)
    assert result.last.train_metric == 1.0  # the hand-set weights do compute XOR


@pytest.mark.parametrize("seed", SEEDS)
def test_xor_learn_reaches_full_training_accuracy(seed: int):
    lesson = get_lesson("xor-learn")
    t = trainer(lesson.preset, seed)
    assert t.network.sizes == (2, 2, 1)  # the shape of xor-by-hand
    result = t.run(t.config.training.epochs)
    assert result.status == "ok" and result.last.train_metric == 1.0


def _perceptron_epoch(t: Trainer) -> bool:
    """One epoch a sample at a time; whether any sample moved the weights."""
    moved = False
    for _step in range(t.batch_in_epoch[1]):
        before = t.network.params.copy()
        t.train_step()
        moved |= not np.array_equal(before, t.network.params)
    return moved


@pytest.mark.parametrize("seed", SEEDS)
def test_perceptron_converges_on_and_and_never_settles_on_xor(seed: int):
    lesson = get_lesson("perceptron")
    assert lesson.presets == ("perceptron-and", "perceptron-xor")
    and_run = trainer("perceptron-and", seed)
    moved = [_perceptron_epoch(and_run) for _epoch in range(and_run.config.training.epochs)]
    assert and_run.last.train_metric == 1.0
    assert not any(moved[-5:])  # converged: the weights stopped changing
    assert and_run.diagnose() == ""

    xor_run = trainer("perceptron-xor", seed)
    accuracies, moved = [], []
    for _epoch in range(xor_run.config.training.epochs):
        moved.append(_perceptron_epoch(xor_run))
        accuracies.append(xor_run.last.train_metric)
    assert max(accuracies) < 1.0
    assert all(moved)  # every epoch some point is wrong and moves the line
    assert "not linearly separable" in xor_run.diagnose()


@pytest.mark.parametrize("seed", SEEDS)
def test_vanishing_gradients_first_layer_sigmoid_vs_relu(seed: int):
    lesson = get_lesson("vanishing")
    assert lesson.vary == ("network.activation", ("sigmoid", "relu"))
    first_layer = {}
    for item in vary_overrides(lesson):
        t = trainer(lesson.preset, seed, item, track_layers=True)
        t.run(5)
        grads = t.layer_history.column("grad0")  # epochs 0 to 5
        assert len(grads) == 6 and np.all(np.isfinite(grads))
        first_layer[item.split("=")[1]] = float(np.mean(grads))
    assert first_layer["sigmoid"] * 100 <= first_layer["relu"]


TARGET_LOSS = 0.1  # lesson 7 asks which optimizer reaches it first
OPTIMIZER_EPOCHS = 300


def _epochs_to(t: Trainer, target: float, limit: int) -> int | None:
    for epoch in range(1, limit + 1):
        if t.train_epoch().train_loss <= target:
            return epoch
    return None


@pytest.mark.parametrize("seed", SEEDS)
def test_adam_reaches_the_target_loss_in_fewer_epochs_than_sgd(seed: int):
    lesson = get_lesson("optimizers")
    assert f"loss {TARGET_LOSS:g}" in lesson.try_
    assert lesson.vary is not None and {"sgd", "adam"} <= set(lesson.vary[1])
    adam = _epochs_to(trainer(lesson.preset, seed, "training.optimizer=adam"), TARGET_LOSS, OPTIMIZER_EPOCHS)
    sgd = _epochs_to(trainer(lesson.preset, seed, "training.optimizer=sgd"), TARGET_LOSS, OPTIMIZER_EPOCHS)
    assert adam is not None
    assert sgd is None or adam < sgd


@pytest.mark.parametrize("seed", SEEDS)
def test_learning_rate_too_small_right_and_too_large(seed: int):
    lesson = get_lesson("learning-rate")
    small, right, large = vary_overrides(lesson)
    epochs = load_preset(lesson.preset).training.epochs
    slow, good, bad = (trainer(lesson.preset, seed, item) for item in (small, right, large))
    slow_result, good_result, bad_result = slow.run(epochs), good.run(epochs), bad.run(epochs)
    assert slow_result.status == good_result.status == "ok"
    assert slow_result.last.train_loss > 100 * good_result.last.train_loss
    assert bad.diverged and bad_result.status == "diverged"
    assert "Lower the learning rate" in bad.message and bad_result.message == bad.message


OVERFIT_EPOCHS = 300
DROPOUT = "0.5"  # lesson 9's text asks for this dropout


def _gap(seed: int, *overrides: str) -> float:
    last = trainer(get_lesson("overfitting").preset, seed, *overrides).run(OVERFIT_EPOCHS).last
    return last.test_loss - last.train_loss


def test_overfitting_gap_shrinks_with_l2_and_with_dropout():
    # Test-minus-training loss after a fixed number of epochs. L2 shrinks it
    # for every seed; dropout only on average over the seeds (30 training
    # points make single runs noisy: seed 0's gap grows slightly with it).
    lesson = get_lesson("overfitting")
    assert f"dropout to {DROPOUT}" in lesson.try_
    assert lesson.vary is not None and {"none", "l2"} <= set(lesson.vary[1])
    plain = [_gap(s, "training.regularization=none") for s in SEEDS]
    l2 = [_gap(s, "training.regularization=l2") for s in SEEDS]
    dropout = [_gap(s, "training.regularization=none", f"training.dropout={DROPOUT}") for s in SEEDS]
    assert min(plain) > 0.3  # it does overfit
    assert all(b < a for a, b in zip(plain, l2))
    assert np.mean(dropout) < 0.8 * np.mean(plain)


BN_EPOCHS = 50  # lesson 10: "a few dozen epochs"


@pytest.mark.parametrize("seed", SEEDS)
def test_batch_norm_lets_the_deep_sigmoid_net_learn(seed: int):
    lesson = get_lesson("batch-norm")
    without, with_bn = (trainer(lesson.preset, seed, item).run(BN_EPOCHS).last
                         for item in vary_overrides(lesson))
    assert without.train_loss > 0.65  # flat near ln 2 = 0.69
    assert with_bn.train_loss < 0.2 and with_bn.test_metric > 0.95


@pytest.mark.parametrize("seed", SEEDS)
def test_iris_reaches_93_percent_test_accuracy(seed: int):
    lesson = get_lesson("iris")
    t = trainer(lesson.preset, seed)
    assert t.network.sizes[0] == 4 and t.network.sizes[-1] == 3 and t.output_name == "softmax"
    assert t.Y_train.shape[1] == 3  # one-hot targets
    result = t.run(t.config.training.epochs)
    assert result.last.test_metric >= 0.93


@pytest.mark.parametrize("seed", SEEDS)
def test_circle_from_squared_features_without_a_hidden_layer(seed: int):
    lesson = get_lesson("features")
    t = trainer(lesson.preset, seed)
    assert t.config.data.features == ("x1^2", "x2^2") and t.config.network.hidden == ()
    result = t.run(t.config.training.epochs)
    assert result.last.test_metric >= 0.99


def test_regression_lesson_uses_mse_on_both_presets():
    lesson = get_lesson("regression")
    for name in lesson.presets:
        cfg: Config = load_preset(name)
        assert cfg.output_and_loss() == ("linear", "mse")


# ---- tui-nn lessons --------------------------------------------------------------


def test_cli_lists_the_lessons_in_order(capsys):
    assert main(["lessons"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == len(LESSONS) == 13
    for line, lesson in zip(lines, LESSONS):
        number, ident = line.split()[:2]
        assert (int(number), ident) == (lesson.number, lesson.id)
        assert lesson.title in line and lesson.preset in line


def test_cli_lessons_json(capsys):
    assert main(["lessons", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["id"] for d in data] == [lesson.id for lesson in LESSONS]
    assert data[4]["vary"]["path"] == "network.activation" and data[0]["vary"] is None
    for d in data:
        assert {"number", "title", "preset", "look", "try", "question"} <= set(d)


def test_cli_prints_one_lesson(capsys):
    assert main(["lessons", "xor-by-hand"]) == 0
    out = capsys.readouterr().out
    assert "XOR" in out and "F(-16) = 0" in out and "Question" in out
    assert main(["lessons", "5", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["id"] == "activations"


def test_cli_unknown_lesson_is_one_line_naming_the_ids(capsys):
    assert main(["lessons", "nope"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "nope" in lines[0]
    assert all(lesson.id in lines[0] for lesson in LESSONS)
