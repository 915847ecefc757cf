"""No sequence of keys in a served playground reads or writes a file outside the
teacher's folder: the app runs (under Pilot, in a child process, trainer and
compare runs included) with every file access logged by an audit hook; it gets
every save, the one path dialog, the form's csv field and the compare dialog
with hostile paths, then random keys. Reads may touch Python's and tui-nn's own
files, the system's read-only places and the folder; writes: none."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

import tui_nn

pytest.importorskip("textual")

HERE = Path(__file__).parent
CSV = "a,b,y\n1,2,0\n2,1,1\n3,3,0\n1,1,1\n"
# Read-only places a Python program and a terminal UI read on any machine.
SYSTEM = ("/proc/", "/sys/", "/dev/null", "/dev/urandom", "/etc/localtime", "/usr/share/zoneinfo/",
          "/usr/lib/locale/", "/usr/share/locale/", "/etc/ld.so", "/usr/lib/", "/lib/", "/etc/mime.types",
          "/etc/nsswitch.conf", "/etc/os-release")
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


def _readable_places(folder: Path) -> tuple[str, ...]:
    python = {sys.prefix, sys.base_prefix, sys.exec_prefix, sysconfig.get_paths()["stdlib"],
              sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    package = Path(tui_nn.__file__).resolve().parent
    return (*(os.path.realpath(p) + "/" for p in python), *(p + "/" for p in python), str(package) + "/",
            str(package.parent / "presets") + "/", str(folder) + "/", *SYSTEM)


def _is_write(entry: dict) -> bool:
    if entry["event"] != "open":
        return True  # renames, removals, mkdir...
    if entry["mode"] is not None:
        return any(c in entry["mode"] for c in "wax+")
    return bool((entry["flags"] or 0) & WRITE_FLAGS)


def test_no_key_sequence_touches_a_file_outside_the_teachers_folder(tmp_path: Path) -> None:
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "data.csv").write_text(CSV)
    (folder / "sub").mkdir()
    secret = tmp_path / "secret.csv"
    secret.write_text(CSV)
    (folder / "link.csv").symlink_to(secret)
    log = tmp_path / "audit.jsonl"
    work = tmp_path / "cwd"
    work.mkdir()
    env = {**os.environ, "TUI_NN_AUDIT_LOG": str(log), "HOME": str(tmp_path / "home"),
           "PYTHONPATH": os.pathsep.join([str(HERE / "served_audit"), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, str(HERE / "served_audit" / "drive.py"), str(folder), str(secret), "7",
                           "250"], cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    assert len({e["pid"] for e in entries}) >= 2, "the trainer's accesses were not logged"

    writes = [e for e in entries if _is_write(e) and e["path"] != "/dev/null"]
    assert writes == [], writes[:10]
    allowed = _readable_places(folder.resolve())
    driver = str(HERE / "served_audit" / "drive.py")  # a spawned trainer imports the main script
    outside = sorted({e["path"] for e in entries if not e["path"].startswith(allowed)
                      and e["path"] not in (str(folder.resolve()), driver)})
    assert outside == [], outside[:20]
    assert not any(e["path"] == str(secret) for e in entries)

    # Every save became a download, named after the preset, nothing else.
    names = sorted({name for name, size in result["delivered"]})
    assert names == ["circle-data.csv", "circle-mine.toml", "circle-session.npz", "circle.npz", "circle.svg"], names
    assert all(size > 0 for _name, size in result["delivered"])
    notes = "\n".join(result["notes"])
    assert "only files in the teacher's folder can be read" in notes
    assert result["running"] and result["config_csv"] not in ("../secret.csv", str(secret), "/etc/passwd")
    assert sorted(p.name for p in work.iterdir()) == []  # nothing appeared in the working directory
