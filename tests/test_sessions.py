"""Sessions: K epochs, save, resume, N - K more give the same weights and
figures, bit for bit, as N epochs in one go, for every optimizer, with
dropout, batch norm, L1's dead weights, the perceptron and a save taken in the
middle of an epoch; and session files that cannot be resumed are refused by
name."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tui_nn.cli import main
from tui_nn.io.presets import load_preset
from tui_nn.io.session_files import SessionFileError, load_session, save_session
from tui_nn.training import Trainer

CASES = {
    "sgd": ["training.optimizer=sgd"],
    "momentum": ["training.optimizer=momentum"],
    "nesterov": ["training.optimizer=nesterov"],
    "adagrad": ["training.optimizer=adagrad"],
    "rmsprop": ["training.optimizer=rmsprop"],
    "adam": ["training.optimizer=adam"],
    "dropout": ["training.optimizer=adam", "training.dropout=0.3"],
    "batch norm": ["training.optimizer=momentum", "training.batch_norm=true"],
    "l1 dead weights": ["training.regularization=l1", "training.regularization_rate=0.02"],
    "shuffled once": ["training.shuffle=once"],
}


def same_run(a: Trainer, b: Trainer) -> None:
    np.testing.assert_array_equal(a.network.params, b.network.params)
    for x, y in zip(a.network.running_mean + a.network.running_var, b.network.running_mean + b.network.running_var):
        np.testing.assert_array_equal(x, y)
    assert a.epoch == b.epoch and a.last == b.last
    for col in a.history.columns:
        np.testing.assert_array_equal(a.history.column(col), b.history.column(col))
    np.testing.assert_array_equal(a.steps.dead, b.steps.dead)


@pytest.mark.parametrize("name", list(CASES))
def test_resume_is_exact(name: str, tmp_path: Path) -> None:
    config = load_preset("spiral").with_overrides(["data.points=200", *CASES[name]])
    whole = Trainer(config)
    whole.run(25)
    first = Trainer(config)
    first.run(10)
    save_session(tmp_path / "s.npz", first)
    resumed, _ = load_session(tmp_path / "s.npz", track_layers=False)
    resumed.run(15)
    same_run(whole, resumed)
    if name == "l1 dead weights":
        assert whole.steps.dead.any()  # the case really has dead weights to carry over


def test_resume_of_the_perceptron_is_exact(tmp_path: Path) -> None:
    config = load_preset("perceptron-xor")
    whole = Trainer(config)
    whole.run(40)
    first = Trainer(config)
    first.run(13)
    save_session(tmp_path / "p.npz", first)
    resumed, _ = load_session(tmp_path / "p.npz")
    resumed.run(27)
    same_run(whole, resumed)


def test_a_session_saved_mid_epoch_goes_on_with_the_same_batches(tmp_path: Path) -> None:
    config = load_preset("circle").with_overrides(["training.optimizer=adam", "training.dropout=0.2"])
    whole = Trainer(config)
    for _ in range(7):
        whole.train_step()
    whole.train_epoch()
    whole.run(3)
    first = Trainer(config)
    for _ in range(7):
        first.train_step()
    save_session(tmp_path / "m.npz", first)
    resumed, _ = load_session(tmp_path / "m.npz")
    assert resumed.batch_in_epoch == (7, 25)
    resumed.train_epoch()
    resumed.run(3)
    same_run(whole, resumed)


def test_resume_through_the_cli_matches_one_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    session = tmp_path / "s.npz"
    assert main(["train", "xor", "--epochs", "120", "--save-session", str(session), "--json"]) == 0
    capsys.readouterr()
    assert main(["train", "--resume", str(session), "--epochs", "80", "--json"]) == 0
    resumed = json.loads(capsys.readouterr().out)
    assert main(["train", "xor", "--epochs", "200", "--json"]) == 0
    whole = json.loads(capsys.readouterr().out)
    assert resumed["total_epochs"] == whole["total_epochs"] == 200
    for key in ("train_loss", "test_loss", "train_accuracy", "test_accuracy"):
        assert resumed[key] == whole[key]


def _rewrite(path: Path, change) -> None:
    arrays = dict(np.load(path))
    doc = json.loads(str(arrays["session"]))
    change(doc, arrays)
    arrays["session"] = np.array(json.dumps(doc))
    np.savez(path, **arrays)


def test_a_session_from_a_newer_tui_nn_is_refused_by_name(tmp_path: Path) -> None:
    session = tmp_path / "s.npz"
    save_session(session, Trainer(load_preset("xor")))
    _rewrite(session, lambda doc, arrays: doc.update(format=99))
    with pytest.raises(SessionFileError, match=r"newer tui-nn \(session format 99; this one reads up to 1\)"):
        load_session(session)


@pytest.mark.parametrize("change", [
    lambda doc, arrays: doc.update(kind="something else"),
    lambda doc, arrays: doc.update(config="[data]\ndataset = 'nope'"),
    lambda doc, arrays: arrays.update(params=np.zeros(3)),
    lambda doc, arrays: doc["state"].pop("steps"),
    lambda doc, arrays: doc.update(data_digest="0" * 64),
])
def test_a_session_that_cannot_be_resumed_is_refused(change, tmp_path: Path) -> None:
    session = tmp_path / "s.npz"
    save_session(session, Trainer(load_preset("xor")))
    _rewrite(session, change)
    with pytest.raises(SessionFileError):
        load_session(session)


def test_a_model_file_is_not_a_session(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = tmp_path / "m.npz"
    assert main(["train", "xor", "--epochs", "0", "--save", str(model)]) == 0
    capsys.readouterr()
    assert main(["train", "--resume", str(model)]) == 2
    assert "not a tui-nn session file" in capsys.readouterr().err
