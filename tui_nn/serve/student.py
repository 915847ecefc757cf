"""One browser tab's playground: the process ``tui-nn serve`` starts for each
connection, under Textual's web driver.

Its command line is the server's (the teacher's), never a student's: the preset
is read first, then the process is confined (no server path from the keys,
only the teacher's folder; a share of a core per trainer) before the app, and
so anything a student can type, exists.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ..file_access import confine
from ..i18n import set_language
from ..io.presets import load_preset
from ..session.limits import limit_cpu

__all__ = ["SNAPSHOTS_PER_S", "main", "student_argv"]

# The trainer's pictures a second (10 in a terminal): what a class's worth of
# apps on one server can draw; the charts and the diagram redraw once a second
# (widgets/redraw.py, SERVED_POLICIES).
SNAPSHOTS_PER_S = 4.0


def student_argv(preset: str, *, files: str | None, lang: str | None, cpu_share: float) -> list[str]:
    """The command the server runs for each tab (this module, with the server's interpreter)."""
    argv = [sys.executable, "-m", "tui_nn.serve.student", "--cpu-share", repr(cpu_share)]
    if files is not None:
        argv += ["--files", files]
    if lang is not None:
        argv += ["--lang", lang]
    return argv + ["--", preset]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tui-nn-student")
    parser.add_argument("preset")
    parser.add_argument("--files")
    parser.add_argument("--lang")
    parser.add_argument("--cpu-share", type=float, default=0.5)
    args = parser.parse_args(argv)
    set_language(args.lang)
    config = load_preset(args.preset)  # the teacher's choice, checked by `tui-nn serve` already
    confine(args.files)
    limit_cpu(args.cpu_share)
    from ..app.app import PlaygroundApp

    # No autosave: thirty tabs would share one file, on the server.
    PlaygroundApp(config, autosave=None, fps=SNAPSHOTS_PER_S).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
