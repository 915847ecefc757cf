"""Runs side by side (training/compare.py) and ``tui-nn compare`` (cli/compare_cmd.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from rich.cells import cell_len

from tui_nn.cli import main
from tui_nn.cli.compare_cmd import format_table, parse_seeds
from tui_nn.config import ConfigError
from tui_nn.io.presets import load_preset
from tui_nn.training import Trainer, build_dataset_for
from tui_nn.training import compare as compare_module
from tui_nn.training.compare import Comparison, parse_vary

CIRCLE = load_preset("circle")
OPTIMIZERS = ("training.optimizer", ("sgd", "adam"))


# ---- parse_vary -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, path, values",
    [
        ("training.optimizer=sgd,adam", "training.optimizer", ("sgd", "adam")),
        (" training.learning_rate = 0.3, 0.03 ,0.003", "training.learning_rate", ("0.3", "0.03", "0.003")),
        ("network.hidden=8;8,8;8,8,8", "network.hidden", ("8", "8,8", "8,8,8")),
        ("network.hidden=4,8", "network.hidden", ("4", "8")),  # no ';': commas separate values
        ("network.activation=tanh,relu;relu,tanh", "network.activation", ("tanh,relu", "relu,tanh")),
        ("training.batch_norm=false,true", "training.batch_norm", ("false", "true")),
        ("training.optimizer=sgd,momentum,nesterov,adagrad,rmsprop,adam", "training.optimizer",
         ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")),
    ],
)
def test_parse_vary_reads_commas_and_semicolons(text, path, values):
    assert parse_vary(text, CIRCLE) == (path, values)


@pytest.mark.parametrize(
    "text, words",
    [
        ("training.optimizer=sgd", ["training.optimizer", "2 to 6 values", "got 1", "sgd, momentum"]),
        ("training.optimizer=sgd,adam,sgd,adam,sgd,adam,sgd", ["training.optimizer", "2 to 6", "got 7"]),
        ("training.optimizer=sgd,nope", ["training.optimizer", "'nope'", "allowed sgd"]),
        ("training.learning_rate=0.1,20", ["training.learning_rate = 20", "allowed 1e-05 to 10"]),
        ("nope.key=1,2", ["unknown setting 'nope.key'"]),
        ("network.hidden=8,8", ["network.hidden", "given twice", "';'"]),
        ("training.learning_rate=0.1,0.10", ["training.learning_rate", "0.1 is given twice"]),
        ("training.optimizer", ["section.key=", "training.optimizer=sgd,adam"]),
        ("=sgd,adam", ["section.key="]),
        ("training.optimizer=sgd,,adam", ["training.optimizer", "value 2 is empty", "allowed sgd"]),
        ("network.hidden=8;8,8;", ["network.hidden", "value 3 is empty", "layers"]),
        # cross-field checks of the preset apply: the circle has 250 training points
        ("training.batch_size=10,300", ["training.batch_size = 300", "allowed 1 to 250"]),
    ],
)
def test_parse_vary_refuses_with_one_line_naming_the_setting(text, words):
    with pytest.raises(ConfigError) as info:
        parse_vary(text, CIRCLE)
    message = str(info.value)
    assert "\n" not in message
    for w in words:
        assert w in message, (w, message)


def test_a_comparison_checks_its_values_too():
    with pytest.raises(ConfigError, match="got 1"):
        Comparison(CIRCLE, "training.optimizer", ["adam"])
    with pytest.raises(ConfigError, match="training.seed is the setting varied"):
        Comparison(CIRCLE, "training.seed", ["1", "2"], seed=3)


# ---- what the runs share ------------------------------------------------------------


def test_runs_share_the_data_and_it_is_each_configs_own():
    c = Comparison(CIRCLE, *OPTIMIZERS, epochs=3)
    assert c.shared_data
    first = c.runs[0].trainer.dataset
    for run in c.runs:
        assert run.trainer.dataset is first  # built once
        own = build_dataset_for(run.config)  # what a plain trainer would build
        for name in ("X_train", "y_train", "X_test", "y_test"):
            assert np.array_equal(getattr(run.trainer.dataset, name), getattr(own, name)), name


def test_a_data_setting_varied_gives_each_run_its_own_data():
    c = Comparison(CIRCLE, "data.noise", ["0", "0.3"], epochs=3)
    assert not c.shared_data and c.shared_init
    a, b = (r.trainer.dataset for r in c.runs)
    # TF Playground's noise moves the point a label is computed from: the labels differ.
    assert not (np.array_equal(a.X_train, b.X_train) and np.array_equal(a.y_train, b.y_train))
    assert "data.noise changes the data set" in c.sharing_note()


@pytest.mark.parametrize(
    "path, values",
    [
        OPTIMIZERS,
        ("network.activation", ("tanh", "relu", "sigmoid")),
        ("training.learning_rate", ("0.03", "0.3")),
        ("training.regularization", ("none", "l1", "l2")),
    ],
)
def test_initial_weights_are_the_same_bit_for_bit_where_shapes_match(path, values):
    c = Comparison(CIRCLE, path, values)
    assert c.shared_init and c.same_shapes
    first = c.runs[0].trainer.network.params
    for run in c.runs[1:]:
        assert np.array_equal(run.trainer.network.params, first)
    assert c.sharing_note() == "Every run has the same data and the same initial weights."


def test_batch_norm_runs_share_the_dense_weights():
    c = Comparison(CIRCLE, "training.batch_norm", ["false", "true"])
    assert c.shared_init
    plain, normed = (r.trainer.network for r in c.runs)
    assert plain.n_params < normed.n_params  # gamma and beta besides
    for a, b in zip(plain.Wa, normed.Wa):
        assert np.array_equal(a, b)


def test_different_hidden_sizes_cannot_share_initial_weights():
    c = Comparison(CIRCLE, "network.hidden", ["8", "8,8"])
    assert not c.shared_init and not c.same_shapes and c.shared_data
    assert "network.hidden changes the network's shape" in c.sharing_note()


def test_varying_the_initialisation_does_not_share_it():
    c = Comparison(CIRCLE, "network.init", ["glorot", "he"])
    assert c.same_shapes and not c.shared_init
    a, b = (r.trainer.network.params for r in c.runs)
    assert not np.array_equal(a, b)
    assert "network.init is how they are drawn" in c.sharing_note()


# ---- comparing adds no difference of its own ----------------------------------------


@pytest.mark.parametrize(
    "path, values",
    [
        OPTIMIZERS,
        ("network.activation", ("tanh", "relu")),
        ("training.learning_rate", ("0.03", "0.3")),
        ("training.batch_norm", ("false", "true")),
        ("network.hidden", ("3", "4,2")),
    ],
)
def test_each_run_is_bit_identical_to_a_plain_trainer(path, values):
    epochs = 12
    c = Comparison(CIRCLE, path, values, seed=2)
    results = c.run(epochs)
    for run, result, value in zip(c.runs, results, values):
        plain = Trainer(CIRCLE.with_overrides(["training.seed=2", f"{path}={value}"]))
        expected = plain.run(epochs)
        assert np.array_equal(run.trainer.network.params, plain.network.params), value
        assert result.last == expected.last and result.epochs == expected.epochs == epochs
        for column in ("epoch", "train_loss", "test_loss", "train_metric", "test_metric"):
            assert np.array_equal(run.trainer.history.column(column), plain.history.column(column)), column


def test_init_copied_into_a_run_trains_as_a_trainer_given_those_weights(monkeypatch):
    # Make the copy happen: pretend network.init_seed does not draw the weights.
    monkeypatch.setattr(compare_module, "INIT_PATHS", ())
    c = Comparison(CIRCLE, "network.init_seed", ["0", "1"])
    assert c.shared_init
    first, second = (r.trainer for r in c.runs)
    assert np.array_equal(first.network.params, second.network.params)
    assert second.history.column("epoch").tolist() == [0.0] and second.last == first.last
    c.run(8)
    plain = Trainer(CIRCLE.with_overrides(["network.init_seed=1"]))
    assert not np.array_equal(plain.network.params, first.network.params)  # the copy did change something
    np.copyto(plain.network.params, Trainer(CIRCLE).network.params)
    plain.restart_from(0)
    plain.run(8)
    assert np.array_equal(second.network.params, plain.network.params)
    assert np.array_equal(second.history.column("train_loss"), plain.history.column("train_loss"))


# ---- stepping ------------------------------------------------------------------------


def test_step_epoch_skips_diverged_and_finished_runs_and_reset_starts_again():
    base = load_preset("diverge")
    c = Comparison(base, "training.learning_rate", ["0.01", "5"], epochs=6)
    start = [r.trainer.network.params.copy() for r in c.runs]
    steps = 0
    while c.step_epoch():
        steps += 1
        assert steps <= 6
    calm, wild = c.runs
    assert steps == 6 and c.finished
    assert calm.trainer.epoch == 6 and calm.epochs_run == 6 and not calm.diverged
    assert wild.diverged and wild.epochs_run < 6 and wild.trainer.epoch < wild.epochs_run
    assert not c.step_epoch()
    rows = c.rows()
    assert [r["diverged"] for r in rows] == [False, True]
    assert rows[0]["epochs"] == 6 and rows[1]["epochs"] == wild.trainer.epoch
    data = c.dataset
    c.reset()
    assert c.dataset is data
    for run, params in zip(c.runs, start):
        assert run.trainer.epoch == 0 and run.epochs_run == 0 and not run.diverged
        assert np.array_equal(run.trainer.network.params, params)


def test_run_reports_each_runs_epochs_and_time():
    c = Comparison(CIRCLE, *OPTIMIZERS, epochs=4)
    results = c.run()
    assert [r.epochs for r in results] == [4, 4] and all(r.seconds > 0 for r in results)
    more = c.run(3)  # beyond the planned epoch when asked
    assert [r.epochs for r in more] == [3, 3] and [r.trainer.epoch for r in c.runs] == [7, 7]
    assert [run.result().epochs for run in c.runs] == [7, 7]


# ---- epochs to a target loss ----------------------------------------------------------


def _losses_by_epoch(config, epochs):
    """Training loss after each epoch, read from Trainer.run's callback (not the history)."""
    trainer = Trainer(config)
    losses = [trainer.last.train_loss]
    trainer.run(epochs, on_epoch=lambda r: losses.append(r.train_loss))
    return losses


def _first_at_or_below(losses, target):
    return next((e for e, loss in enumerate(losses) if loss <= target), None)


def test_epochs_to_a_target_against_a_hand_count():
    epochs = 10
    c = Comparison(CIRCLE, *OPTIMIZERS, epochs=epochs)
    c.run()
    sgd, adam = (_losses_by_epoch(r.config, epochs) for r in c.runs)
    assert all(b < a for a, b in zip(adam[:6], adam[1:6])), "adam's loss falls in each of its first epochs"
    assert c.epochs_to(adam[3]) == [_first_at_or_below(sgd, adam[3]), 3]
    assert c.epochs_to(np.nextafter(adam[3], 0))[1] == 4  # a hair below: the next epoch
    assert c.epochs_to(max(sgd[0], adam[0])) == [0, 0]  # the initial weights already do
    assert c.epochs_to(0.0) == [None, None]
    # The default: the highest final training loss (here sgd's), which both runs reached.
    assert sgd[-1] > adam[-1]
    assert c.default_target() == sgd[-1] == max(sgd[-1], adam[-1])
    rows = c.rows()
    assert all(r["target"] == c.default_target() for r in rows)
    assert [r["epochs_to_target"] for r in rows] == [
        _first_at_or_below(sgd, sgd[-1]), _first_at_or_below(adam, sgd[-1])]
    assert all(isinstance(r["epochs_to_target"], int) for r in rows)
    assert rows[1]["epochs_to_target"] < rows[0]["epochs_to_target"]  # adam gets there first
    assert Comparison(CIRCLE, *OPTIMIZERS, epochs=1, target=0.5).target_loss() == 0.5


def test_the_default_target_leaves_diverged_runs_out():
    base = load_preset("diverge")
    c = Comparison(base, "training.learning_rate", ["0.01", "0.03", "5"], epochs=6)
    c.run()
    slow, fast, wild = c.runs
    assert wild.diverged and not slow.diverged and not fast.diverged
    finals = [r.trainer.last.train_loss for r in (slow, fast)]
    assert c.default_target() == max(finals)
    reached = c.epochs_to(max(finals))
    assert all(isinstance(n, int) for n in reached[:2])
    for run, n in zip((slow, fast), reached):
        losses = run.trainer.history.column("train_loss")
        assert losses[n] <= max(finals) and all(losses[:n] > max(finals))  # the first epoch at or below it
    assert [r["epochs_to_target"] for r in c.rows()] == reached


def test_no_default_target_when_a_run_did_not_get_below_its_start():
    assert compare_module.common_target([(0.7, 0.2), (0.7, 0.4)]) == 0.4
    assert compare_module.common_target([(0.7, 0.2), (0.7, 0.7)]) is None  # one did not learn
    assert compare_module.common_target([(0.7, 0.2), (0.5, 0.6)]) is None  # one got worse
    assert compare_module.common_target([]) is None  # every run diverged
    c = Comparison(CIRCLE, *OPTIMIZERS, epochs=0)
    c.run()
    assert c.default_target() is None  # no epoch trained: the finals are the starts
    assert all(r["target"] is None and r["epochs_to_target"] is None for r in c.rows())


# ---- the command line -------------------------------------------------------------------


def _table(out: str) -> list[str]:
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("training.optimizer") or "train loss" in line)
    end = lines.index("", start)
    return lines[start:end]


def _spans(line: str) -> list[tuple[int, int]]:
    """(first cell, past last cell) of each run of non-blank characters, in terminal cells."""
    spans, col, begin = [], 0, None
    for ch in line + " ":
        if ch == " " and begin is not None:
            spans.append((begin, col))
            begin = None
        elif ch != " " and begin is None:
            begin = col
        col += cell_len(ch)
    return spans


def _assert_aligned(table: list[str]) -> None:
    columns = _spans(table[1])  # the rule under the header: one run of dashes per column
    assert set(table[1]) <= {"-", " "}
    for line in [table[0], *table[2:]]:
        for begin, end in _spans(line):
            assert any(b <= begin and end <= e for b, e in columns), (line, begin, end, columns)


def test_table_has_a_row_per_value_in_aligned_columns(capsys):
    code = main(["compare", "circle", "--vary", "training.optimizer=sgd,adam,rmsprop", "--epochs", "5"])
    out = capsys.readouterr().out
    assert code == 0
    assert "Every run has the same data and the same initial weights." in out
    table = _table(out)
    assert table[0].split()[:3] == ["training.optimizer", "train", "loss"]
    assert [line.split()[0] for line in table[2:]] == ["sgd", "adam", "rmsprop"]
    assert all(line.split()[-1] == "ok" and " 5 " in line for line in table[2:])
    _assert_aligned(table)
    assert "Epochs to loss" in out and "the highest final training loss of the runs that did not diverge" in out
    assert all(line.split()[-2].isdigit() for line in table[2:])  # every run reached the target


def test_table_columns_are_measured_in_cells():
    rows = [dict(value=v, shown=v, seed=0, train_loss=0.5, test_loss=0.25, train_metric=0.9, test_metric=0.8,
                 metric="accuracy", epochs=10, epochs_to_target=3, target=0.6, diverged=False)
            for v in ("가나다", "a")]
    table = format_table("설정.값", rows, 0.6)
    assert cell_len(table[2].split("  ")[0]) == cell_len("가나다")
    _assert_aligned(table)
    ends = {cell_len(line[: line.index("10") + 2]) for line in table[2:]}
    assert len(ends) == 1  # the epochs column ends in the same cell on every row


def test_seeds_give_a_row_per_value_and_seed_and_mean_rows(capsys):
    code = main(["compare", "circle", "--vary", "training.optimizer=sgd,adam", "--epochs", "3", "--seeds", "0-2"])
    out = capsys.readouterr().out
    assert code == 0
    table = _table(out)
    body = [line.split() for line in table[2:]]
    assert [(r[0], r[1]) for r in body] == [
        ("sgd", "0"), ("sgd", "1"), ("sgd", "2"), ("sgd", "mean"),
        ("adam", "0"), ("adam", "1"), ("adam", "2"), ("adam", "mean")]
    _assert_aligned(table)


def _train_json_keys(capsys) -> set[str]:
    assert main(["train", "circle", "--epochs", "2", "--json"]) == 0
    return set(json.loads(capsys.readouterr().out))


def test_json_has_train_keys_plus_vary_value_seed(capsys):
    train_keys = _train_json_keys(capsys)
    code = main(["compare", "circle", "--vary", "training.optimizer=sgd,adam", "--epochs", "4", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and isinstance(data, list) and len(data) == 2
    for item in data:
        assert set(item) >= train_keys | {"vary", "value", "seed"}
        assert item["vary"] == "training.optimizer" and item["seed"] == 0 and item["epochs"] == 4
    assert [item["value"] for item in data] == ["sgd", "adam"]
    # The adam run is the run `tui-nn train` makes with that setting.
    assert main(["train", "circle", "--epochs", "4", "--set", "training.optimizer=adam", "--json"]) == 0
    alone = json.loads(capsys.readouterr().out)
    for key in ("train_loss", "test_loss", "train_accuracy", "test_accuracy", "parameters"):
        assert data[1][key] == alone[key], key


def test_json_values_are_typed_and_seeds_multiply_the_runs(capsys):
    code = main(["compare", "circle", "--vary", "network.hidden=3;4,2", "--epochs", "2", "--seeds", "0-2", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and len(data) == 3 * 2
    assert sorted((item["seed"], tuple(item["value"])) for item in data) == sorted(
        (s, v) for s in (0, 1, 2) for v in ((3,), (4, 2)))
    assert all(item["shared_init"] is False and item["shared_data"] is True for item in data)
    code = main(["compare", "circle", "--vary", "training.learning_rate=0.03,0.3", "--epochs", "2", "--json",
                 "--target", "0.6"])
    data = json.loads(capsys.readouterr().out)
    assert [item["value"] for item in data] == [0.03, 0.3] and all(item["target_loss"] == 0.6 for item in data)


@pytest.mark.parametrize(
    "args, words",
    [
        (["--vary", "nope.key=1,2"], "unknown setting 'nope.key'"),
        (["--vary", "training.optimizer=sgd,nope"], "'nope' is unknown"),
        (["--vary", "training.optimizer=sgd"], "got 1"),
        (["--vary", "training.learning_rate=0.1,0.2,0.3,0.4,0.5,0.6,0.7"], "got 7"),
        (["--vary", "training.optimizer=sgd,adam", "--seeds", "4-1"], "--seeds '4-1'"),
        (["--vary", "training.optimizer=sgd,adam", "--seeds", "0-10"], "--seeds '0-10'"),
        (["--vary", "training.optimizer=sgd,adam", "--seeds", "a"], "--seeds 'a'"),
        (["--vary", "training.optimizer=sgd,adam", "--seeds", "1,1"], "different seeds"),
        (["--vary", "training.seed=1,2", "--seeds", "0-1"], "--seeds and --vary training.seed"),
        (["--vary", "training.optimizer=sgd,adam", "--target", "-1"], "--target -1"),
        (["--vary", "training.optimizer=sgd,adam", "--epochs", "-3"], "training.epochs"),
        (["--vary", "training.optimizer=sgd,adam", "--set", "training.learning_rate=99"], "1e-05 to 10"),
        ([], "--vary"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, args, words):
    try:
        code = main(["compare", "circle", *args])
    except SystemExit as stop:  # argparse's own errors exit from the parser
        code = stop.code
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err.count("\n") == 1 and words in captured.err, captured.err
    assert "Traceback" not in captured.err and captured.out == ""


def test_parse_seeds():
    assert parse_seeds("0-4") == [0, 1, 2, 3, 4]
    assert parse_seeds("7") == [7]
    assert parse_seeds("0,2, 5") == [0, 2, 5]
    assert parse_seeds("1-2,5") == [1, 2, 5]
    for bad in ("", "-1", "3-", "2-1", "0-10", "x", "1,,2", str(2**32)):
        with pytest.raises(ConfigError, match="--seeds"):
            parse_seeds(bad)
