"""Served mode without a browser: which paths a served app may read (only the
teacher's folder) and write (none: saves are downloads), the trainer's saves as
bytes, and the share of a core a served trainer keeps to."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tui_nn import file_access
from tui_nn.data import DataError
from tui_nn.file_access import PathRefused, check_writable, confine, readable
from tui_nn.io.files import write_text_atomic
from tui_nn.io.model_files import load_model
from tui_nn.io.presets import folder_presets, load_preset
from tui_nn.io.session_files import load_session
from tui_nn.session.limits import CPU_SHARE_VAR, cpu_share, rest_after
from tui_nn.session.loop import Session
from tui_nn.session.protocol import (
    ExportData,
    FileReady,
    SaveModel,
    SaveSession,
    Step,
    Stop,
)
from tui_nn.training import build_dataset_for

CSV = "a,b,y\n1,2,0\n2,1,1\n3,3,0\n1,1,1\n"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A teacher's folder beside a secret the students must not read; served mode on."""
    monkeypatch.delenv(file_access.SERVED_VAR, raising=False)
    monkeypatch.delenv(file_access.FILES_VAR, raising=False)
    offered = tmp_path / "class"
    offered.mkdir()
    (offered / "data.csv").write_text(CSV)
    (offered / "sub").mkdir()
    (offered / "sub" / "more.csv").write_text(CSV)
    (tmp_path / "secret.csv").write_text(CSV)
    (offered / "link.csv").symlink_to(tmp_path / "secret.csv")
    confine(offered)
    yield offered
    for name in (file_access.SERVED_VAR, file_access.FILES_VAR):  # confine() set them: the next test is not served
        os.environ.pop(name, None)


OUTSIDE = ["../secret.csv", "sub/../../secret.csv", "link.csv", "/etc/passwd", str(Path.home() / ".bashrc"), "/dev/zero",
           "/proc/self/environ", "..", "../class2/x.csv"]


@pytest.mark.parametrize("path", OUTSIDE)
def test_a_served_app_refuses_every_path_outside_the_folder(folder: Path, path: str) -> None:
    with pytest.raises(PathRefused, match="only files in the teacher's folder"):
        readable(path, "CSV file")


def test_names_inside_the_folder_are_read_from_it(folder: Path, monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # relative names are the folder's, not the working directory's
    assert readable("data.csv", "CSV file") == folder / "data.csv"
    assert readable("sub/more.csv", "CSV file") == folder / "sub" / "more.csv"
    assert readable(str(folder / "data.csv"), "CSV file") == folder / "data.csv"
    # "~" is no one's home when served: a name like any other, inside the folder.
    assert readable("~/.bashrc", "CSV file") == folder / "~" / ".bashrc"


def test_without_a_folder_nothing_is_read_and_the_message_says_how(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(file_access.FILES_VAR, raising=False)
    monkeypatch.setenv(file_access.SERVED_VAR, "1")
    (tmp_path / "data.csv").write_text(CSV)
    with pytest.raises(PathRefused, match="reads no file of the server.*tui-nn serve --files DIR"):
        readable(tmp_path / "data.csv", "CSV file")


def test_in_a_terminal_every_path_is_the_users(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(file_access.SERVED_VAR, raising=False)
    assert readable("~/x.csv", "CSV file") == Path.home() / "x.csv"
    write_text_atomic(tmp_path / "ok.txt", "fine")  # no refusal
    assert (tmp_path / "ok.txt").read_text() == "fine"


def test_a_served_app_writes_no_file_at_all(folder: Path) -> None:
    for target in (folder / "mine.toml", folder.parent / "x.npz", Path("out.csv")):
        with pytest.raises(PathRefused, match="saved as downloads"):
            write_text_atomic(target, "no")
        assert not target.exists()
    with pytest.raises(PathRefused):
        check_writable("anything")


def test_the_data_and_presets_honour_the_folder(folder: Path) -> None:
    def csv(path: str):
        return load_preset("circle").with_overrides(["data.dataset=csv", "data.target=y", f"data.csv={path}"])

    assert len(build_dataset_for(csv("data.csv")).X_train) > 0
    with pytest.raises(PathRefused):
        build_dataset_for(csv("../secret.csv"))
    assert load_preset("spiral").name == "spiral"  # built-in presets by name, always
    (folder / "mine.toml").write_text('name = "mine"\n[training]\nlearning_rate = 0.2\n')
    assert [p.name for p in folder_presets()] == ["mine"]
    assert load_preset(str(folder / "mine.toml")).training.learning_rate == 0.2
    (folder.parent / "theirs.toml").write_text('name = "theirs"\n')
    for name in ("../theirs.toml", str(folder.parent / "theirs.toml")):
        with pytest.raises(PathRefused):
            load_preset(name)
    with pytest.raises(PathRefused):
        load_session("../secret.csv")


def test_pathrefused_reaches_the_data_path_as_a_refusal_not_a_crash(folder: Path) -> None:
    # The trainer answers a ConfigError with "Not applied: ..." and keeps its run.
    assert issubclass(PathRefused, ValueError) and not issubclass(DataError, PathRefused)


def _session_events(commands: list, tmp_path: Path) -> list:
    events: list = []
    session = Session(load_preset("circle"), events.append)
    for command in commands:
        session.send(command)
    session.send(Stop())
    session.run()
    return events


def test_served_saves_come_back_as_bytes_and_nothing_is_written(folder: Path, tmp_path: Path) -> None:
    before = sorted(p.name for p in tmp_path.rglob("*"))
    events = _session_events([Step(), SaveModel("spiral.npz", download=True), ExportData("d.csv", download=True),
                              SaveSession("../../s.npz", download=True)], tmp_path)
    files = {e.name: e for e in events if isinstance(e, FileReady)}
    assert sorted(files) == ["d.csv", "s.npz", "spiral.npz"]  # only the name goes with the bytes
    model = tmp_path / "check.npz"
    os.environ.pop(file_access.SERVED_VAR)  # read back as a teacher would, in a terminal (the fixture tidies)
    model.write_bytes(files["spiral.npz"].data)
    config, arrays, epoch = load_model(model)
    assert config.name == "circle" and epoch == 1 and arrays["W0"].ndim == 2
    session = tmp_path / "check-session.npz"
    session.write_bytes(files["s.npz"].data)
    trainer, _extra = load_session(session)
    assert trainer.epoch == 1
    assert files["d.csv"].data.decode().splitlines()[0].startswith("x1,x2,label")
    assert "sent to the browser" in files["spiral.npz"].text
    assert sorted(p.name for p in tmp_path.rglob("*")) == sorted(before + ["check.npz", "check-session.npz"])


def test_a_served_save_to_a_path_is_refused_in_the_trainer_too(folder: Path, tmp_path: Path) -> None:
    events = _session_events([SaveModel(str(tmp_path / "m.npz"))], tmp_path)
    assert not (tmp_path / "m.npz").exists()
    assert any("saved as downloads" in getattr(e, "text", "") for e in events)


def test_the_cpu_share_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CPU_SHARE_VAR, raising=False)
    assert cpu_share() is None and rest_after(0.2, None) == 0.0
    monkeypatch.setenv(CPU_SHARE_VAR, "0.25")
    assert cpu_share() == 0.25
    assert rest_after(0.1, 0.25) == pytest.approx(0.3)  # 0.1 s of work, 0.3 s of rest: a quarter
    for bad in ("1", "0", "-1", "x", "nan"):
        monkeypatch.setenv(CPU_SHARE_VAR, bad)
        assert cpu_share() is None


def test_a_limited_session_keeps_to_its_share_of_a_core() -> None:
    """Training flat out in a thread for 1.5 s: the process's CPU time stays near the share."""
    import threading

    from tui_nn.session.protocol import Play

    def busy(share: float | None) -> float:
        session = Session(load_preset("spiral").with_overrides(["training.epochs=0"]), lambda e: None,
                          cpu_share=share)
        thread = threading.Thread(target=session.run)
        start = time.perf_counter()
        cpu_before = os.times()
        thread.start()
        session.send(Play())
        time.sleep(1.5)
        session.send(Stop())
        thread.join(10)
        cpu_after = os.times()
        used = (cpu_after.user + cpu_after.system) - (cpu_before.user + cpu_before.system)
        return used / (time.perf_counter() - start)

    free, limited = busy(None), busy(0.25)
    assert free > 0.6, free  # flat out: most of a core
    assert limited < 0.4, limited  # a quarter, with the snapshots' cost on top


@pytest.mark.parametrize("args, says", [
    (["--port", "0"], "--port 0: allowed 1 to 65535"),
    (["--files", "/no/such/folder"], "--files /no/such/folder: not a folder"),
    (["--cpu-share", "3"], "--cpu-share 3.0: allowed 0.05 to 1"),
    (["--max-sessions", "0"], "--max-sessions 0: allowed 1 or more"),
    (["no-such-preset"], "no preset named 'no-such-preset'"),
    (["--host", "no.such.host.invalid"], "cannot listen on no.such.host.invalid:8000"),
])
def test_bad_serve_options_get_one_line_and_status_2(args: list[str], says: str, capsys) -> None:
    from tui_nn.cli import main

    assert main(["serve", *args]) == 2
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1 and "Traceback" not in err
