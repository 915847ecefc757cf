"""Files from elsewhere: every bad preset, CSV or model file gives the one-line
error and exit status 2, never a traceback, a hang or a terminal escape; and a
save that fails leaves the good file it would have replaced whole."""

from __future__ import annotations

import errno
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from tui_nn.cli import main
from tui_nn.io import files
from tui_nn.io.model_files import load_model, save_model
from tui_nn.io.presets import load_preset
from tui_nn.training import Trainer

XOR_BY_HAND_HEAD = (
    '[data]\ndataset="xor-table"\n[network]\nhidden=[2]\nactivation="step"\noutput="step"\nloss="mse"\n'
    "[training]\nepochs=0\n[weights]\n"
)

PRESETS = {
    "int of 4301 digits": "[training]\nlearning_rate = 1" + "0" * 4300 + "\n",
    "arrays 495 deep": "[training]\nx = " + "[" * 495 + "]" * 495 + "\n",
    "inline tables 330 deep": "x = " + "{a=" * 330 + "1" + "}" * 330 + "\n",
    "1 with 309 zeros": "[training]\nlearning_rate = 1" + "0" * 309 + "\n",
    "weight of 1e309 as an integer": XOR_BY_HAND_HEAD + "W0=[[1" + "0" * 309 + ",1],[1,1]]\nb0=[0,0]\nW1=[[1],[1]]\nb1=[0]\n",
    "newline in a key": '[training]\n"bad\\nkey" = 1\n',
    "escape sequences in a key": '[data]\n"\\u001b]0;pwned\\u0007\\u001b[2J" = 1\n',
    "escape sequences in a top key": '"\\u001b[2J" = 1\n',
}


def run_cli(*args: str) -> tuple[int, str, str]:
    proc = subprocess.run([sys.executable, "-m", "tui_nn", *args], capture_output=True, text=True, timeout=60)
    return proc.returncode, proc.stdout, proc.stderr


def assert_one_line_error(code: int, err: str) -> None:
    assert code == 2, err
    assert "Traceback" not in err
    lines = err.strip().split("\n")
    assert len(lines) == 1 and lines[0].startswith("tui-nn: error: "), err
    assert "\x1b" not in err and "\x07" not in err  # nothing steers the terminal


@pytest.mark.parametrize("name", list(PRESETS))
def test_hostile_preset_gives_a_one_line_error(name: str, tmp_path: Path) -> None:
    preset = tmp_path / "bad.toml"
    preset.write_text(PRESETS[name], encoding="utf-8")
    code, _, err = run_cli("train", str(preset), "--json")
    assert_one_line_error(code, err)


def test_the_same_through_a_model_files_stored_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = tmp_path / "m.npz"
    save_model(model, Trainer(load_preset("xor").with_overrides(["training.epochs=0"])))
    arrays = dict(np.load(model))
    for text in PRESETS.values():
        arrays["config"] = np.array(text)
        np.savez(model, **arrays)
        assert main(["train", "xor", "--load", str(model), "--json"]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "\x1b" not in err


def _npz_with_header(path: Path, shape: tuple[int, ...]) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        header = np.lib.format.header_data_from_array_1_0(np.zeros((2, 2)))
        header["shape"] = shape
        buf = io.BytesIO()
        np.lib.format.write_array_header_1_0(buf, header)
        archive.writestr("W0.npy", buf.getvalue() + b"\0" * 64)


def _corrupt_deflate(path: Path) -> None:
    buf = io.BytesIO()
    np.savez_compressed(buf, W0=np.ones((60, 60)), b0=np.ones(60), config=np.array("x = 1"))
    data = bytearray(buf.getvalue())
    start = data.index(b"W0.npy") + 200  # inside the compressed stream
    data[start : start + 50] = bytes(b ^ 0xA5 for b in data[start : start + 50])
    path.write_bytes(bytes(data))


def _complex_weights(path: Path) -> None:
    save_model(path, Trainer(load_preset("xor").with_overrides(["training.epochs=0"])))
    arrays = dict(np.load(path))
    arrays["W0"] = arrays["W0"].astype(complex) + 1j
    np.savez(path, **arrays)


def _pickled(path: Path) -> None:
    np.savez(path, W0=np.array([{"a": 1}], dtype=object), config=np.array("x"))


@pytest.mark.parametrize("make", [
    lambda p: _npz_with_header(p, (10**6, 10**6)), _corrupt_deflate, _complex_weights, _pickled,
    lambda p: p.write_bytes(b"PK\x03\x04" + b"\0" * 100), lambda p: p.write_text("not a zip"),
])
def test_hostile_model_file_gives_a_one_line_error(make, tmp_path: Path) -> None:
    model = tmp_path / "m.npz"
    make(model)
    code, _, err = run_cli("train", "xor", "--load", str(model), "--json")
    assert_one_line_error(code, err)


CSVS = {
    "values of 1e308": "x,y\n1e308,0\n-1e308,1\n1,0\n2,1\n3,0\n",
    "values of 1e200": "x,y\n1e200,0\n2e200,1\n3e200,0\n4e200,1\n5e200,0\n",
    "a newline in a header": '"a\nb",y\n1\n',
    "an escape in a header": '"\x1b]0;pwned\x07",z\n1,0\n',
}


@pytest.mark.parametrize("name", list(CSVS))
def test_hostile_csv_gives_a_one_line_error(name: str, tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    data.write_text(CSVS[name], encoding="utf-8")
    code, _, err = run_cli("train", "circle", "--data", str(data), "--target", "y", "--json")
    assert_one_line_error(code, err)
    if "1e" in name:
        assert "column 'x'" in err and "rescale" in err  # the data is the problem: it says so


def test_a_target_of_long_integers_is_told_apart_exactly(tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    # Nineteen-digit classes: distinct as integers, so two classes, not "the same value".
    data.write_text("x,y\n" + "".join(f"{i},{'1' + '0' * 18 if i % 2 else '2' + '0' * 18}\n" for i in range(20)))
    code, out, err = run_cli("train", "circle", "--data", str(data), "--target", "y", "--json", "--epochs", "3")
    assert code == 0, err
    assert '"task": "binary"' in out


def test_csv_paths_must_be_regular_files_and_errors_do_not_echo_them(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for path in ("/dev/zero", str(fifo), str(tmp_path)):
        code, _, err = run_cli("train", "circle", "--data", path, "--target", "y", "--json")
        assert_one_line_error(code, err)
    secret = tmp_path / "secret"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n" * 5)
    code, _, err = run_cli("train", "circle", "--data", str(secret), "--target", "y", "--json")
    assert_one_line_error(code, err)
    assert "root:x" not in err
    code, _, err = run_cli("train", "xor", "--load", str(fifo), "--json")  # and model files
    assert_one_line_error(code, err)


def test_a_failed_save_leaves_the_good_file_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    trainer = Trainer(load_preset("xor").with_overrides(["training.epochs=0"]))
    model = tmp_path / "model.npz"
    save_model(model, trainer)
    good = model.read_bytes()

    real_fsync = os.fsync

    def full_disk(fd: int) -> None:
        real_fsync(fd)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", full_disk)
    with pytest.raises(OSError):
        save_model(model, trainer)
    assert model.read_bytes() == good  # the old file, whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.npz"]  # no temporary left behind
    config, arrays, _ = load_model(model)
    assert "W0" in arrays and config.data.dataset == "xor"
