"""The headless command line: its output contract and exit codes."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import numpy as np
import pytest

from tui_nn.cli import main


def run_json(capsys, *args: str) -> tuple[int, dict]:
    code = main(["train", *args, "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out)


def test_train_json_has_the_documented_keys(capsys):
    code, data = run_json(capsys, "circle", "--epochs", "5", "--seed", "3")
    assert code == 0
    for key in ("epochs", "train_loss", "test_loss", "train_accuracy", "test_accuracy",
                "seconds", "epochs_per_second", "status", "seed", "engine"):
        assert key in data, key
    assert data["epochs"] == 5 and data["seed"] == 3 and data["status"] == "ok"
    assert data["engine"] in ("numba", "numpy")
    assert 0.0 <= data["test_accuracy"] <= 1.0 and data["seconds"] > 0


def test_json_is_exactly_one_object_and_reproducible(capsys):
    main(["train", "xor", "--epochs", "3", "--json"])
    first = capsys.readouterr().out
    main(["train", "xor", "--epochs", "3", "--json"])
    second = capsys.readouterr().out
    assert len(first.strip().splitlines()) == 1
    a, b = json.loads(first), json.loads(second)
    for key in ("train_loss", "test_loss", "train_accuracy", "test_accuracy"):
        assert a[key] == b[key]


def test_regression_reports_rmse_and_r2(capsys):
    code, data = run_json(capsys, "plane", "--epochs", "20")
    assert code == 0 and "test_rmse" in data and "test_r2" in data
    assert "test_accuracy" not in data
    assert data["test_r2"] > 0.5


def test_set_overrides_are_applied_and_validated(capsys):
    code, data = run_json(capsys, "circle", "--epochs", "1", "--set", "network.hidden=3,3,3")
    assert code == 0 and data["parameters"] == (3 * 3 + 3 * 4 * 2 + 4)
    code = main(["train", "circle", "--set", "training.learning_rate=99"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "training.learning_rate" in err and "1e-05 to 10" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "content, needle",
    [
        ("this is = not toml [", "not valid TOML"),
        ("[training]\nlearning_rate = -1\n", "training.learning_rate"),
        ("[training]\nlr = 0.1\n", "training.lr"),
        ("[data]\ndataset = 'nope'\n", "data.dataset"),
    ],
)
def test_broken_preset_exits_2_with_one_line(tmp_path, capsys, content, needle):
    path = tmp_path / "broken.toml"
    path.write_text(content)
    code = main(["train", str(path)])
    err = capsys.readouterr().err
    assert code == 2
    assert needle in err and err.count("\n") == 1 and "Traceback" not in err


def test_missing_preset_and_unusable_csv_exit_2(tmp_path, capsys):
    assert main(["train", "no-such-preset"]) == 2
    assert "no preset named" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,y\n1,2,0\n3,oops,1\n5,6,0\n7,8,1\n9,10,0\n")
    code = main(["train", "circle", "--set", "data.dataset=csv", "--set", f"data.csv={bad}",
                 "--set", "data.target=y"])
    err = capsys.readouterr().err
    assert code == 2 and "line 3" in err and "'b'" in err and "Traceback" not in err


def test_diverging_run_exits_3_with_advice(capsys):
    code, data = run_json(capsys, "diverge")
    assert code == 3
    assert data["status"] == "diverged" and data["epochs"] < 100
    assert "learning rate" in data["message"].lower()


def test_save_initial_weights_then_load_and_continue(tmp_path, capsys):
    init = tmp_path / "init.npz"
    assert main(["train", "xor", "--epochs", "0", "--save", str(init), "--json"]) == 0
    capsys.readouterr()
    with np.load(init) as f:
        assert {"W0", "b0", "W1", "b1", "config"} <= set(f.files)
        assert f["W0"].shape == (2, 8) and f["W1"].shape == (8, 1)
        assert "[network]" in str(f["config"])
    done = tmp_path / "done.npz"
    code, resumed = run_json(capsys, "xor", "--epochs", "5", "--load", str(init), "--save", str(done))
    code2, fresh = run_json(capsys, "xor", "--epochs", "5")
    assert code == code2 == 0
    # The initial weights are the seed's, so resuming from them equals a fresh run.
    assert resumed["train_loss"] == fresh["train_loss"]
    code = main(["train", "circle", "--epochs", "1", "--load", str(done)])
    err = capsys.readouterr().err
    assert code == 2 and "network.hidden = 8" in err  # a 2-8-1 model in circle's 2-4-2-1 net


def test_xor_by_hand_reproduces_the_truth_table(capsys):
    code, data = run_json(capsys, "xor-by-hand")
    assert code == 0 and data["epochs"] == 0
    assert data["train_accuracy"] == 1.0 and data["train_loss"] == 0.0


def test_data_export_matches_what_the_network_sees(tmp_path, capsys):
    out = tmp_path / "spiral.csv"
    assert main(["data", "circle", "--set", "data.features=x1,x2,x1^2", "--out", str(out)]) == 0
    rows = list(csv.reader(out.open()))
    assert rows[0] == ["x1", "x2", "x1^2", "label", "target", "split"]
    body = rows[1:]
    assert len(body) == 500
    assert {r[-1] for r in body} == {"train", "test"}
    assert sum(r[-1] == "train" for r in body) == 250
    for r in body[:20]:
        assert float(r[2]) == pytest.approx(float(r[0]) ** 2)
        assert r[3] in ("0", "1")
        assert float(r[4]) == float(r[3])  # a sigmoid output is trained towards 0/1


def test_data_export_says_what_a_tanh_output_is_trained_towards(tmp_path):
    out = tmp_path / "pm1.csv"
    assert main(["data", "circle", "--set", "network.output=tanh", "--out", str(out)]) == 0
    rows = list(csv.reader(out.open()))
    assert rows[0][2:4] == ["label", "target"]
    assert {(r[2], r[3]) for r in rows[1:]} == {("0", "-1.0"), ("1", "1.0")}


def test_presets_lists_every_file(capsys):
    assert main(["presets"]) == 0
    out = capsys.readouterr().out
    for name in ("spiral", "circle", "xor", "gauss", "xor-by-hand", "iris", "diabetes"):
        assert any(line.split()[0] == name for line in out.splitlines()), name


def test_installed_package_finds_presets_from_any_directory(tmp_path):
    # -I ignores the working directory and PYTHONPATH: this is the installed
    # package (a wheel in CI), run from a directory with no presets in it.
    result = subprocess.run(
        [sys.executable, "-I", "-m", "tui_nn", "train", "xor-by-hand", "--json"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["train_accuracy"] == 1.0


@pytest.mark.parametrize("argv", [["train", "xor", "--epochs", "abc"], ["--nope"], ["a", "b"]])
def test_argument_errors_are_one_line_with_status_2(capsys, argv):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and err.count("\n") == 1 and err.startswith("tui-nn: error:")


def test_unusable_model_files_exit_2(tmp_path, capsys):
    npy = tmp_path / "w.npy"
    np.save(npy, np.zeros(3))
    text = tmp_path / "notes.npz"
    text.write_text("hello")
    good = tmp_path / "good.npz"
    assert main(["train", "xor", "--epochs", "0", "--save", str(good), "--json"]) == 0
    with np.load(good) as f:
        arrays = {k: f[k] for k in f.files}
    arrays["W0"] = np.full_like(arrays["W0"], np.nan)
    nan_model = tmp_path / "nan.npz"
    np.savez(nan_model, **arrays)
    capsys.readouterr()
    for path in (npy, text, nan_model):
        code = main(["train", "xor", "--epochs", "1", "--load", str(path)])
        err = capsys.readouterr().err
        assert code == 2 and err.count("\n") == 1 and "Traceback" not in err, err


def test_diverged_regression_json_is_strict_json(capsys):
    code = main(["train", "diverge", "--json"])
    out = capsys.readouterr().out
    assert code == 3
    data = json.loads(out, parse_constant=lambda name: pytest.fail(f"non-JSON constant {name}"))
    assert data["status"] == "diverged"
    # The reported figures are those of the weights kept (the last good epoch).
    # The diverge preset climbs for several epochs first (its lesson), then the
    # epoch that blew up is rolled back.
    assert data["train_rmse"] is not None and data["total_epochs"] == data["epochs"] - 1 >= 5
