"""How much of the machine one trainer may take: all it can in a terminal; when
the playground is served to a class (``tui-nn serve``), a share of one core.

The pace (epochs a second) bounds small networks; a large one at one epoch a
second can still fill a core, so a served trainer also rests after each piece
of work for as long as keeps its busy time under the share, and runs at a lower
priority than the apps and the web server, whose work is what students wait
for. Like the file rules (file_access.py) the share travels in the environment,
which trainers started by fork and by spawn both inherit.
"""

from __future__ import annotations

import os

__all__ = ["CPU_SHARE_VAR", "TRAINER_NICE", "cpu_share", "limit_cpu", "lower_priority", "rest_after"]

CPU_SHARE_VAR = "TUI_NN_CPU_SHARE"
TRAINER_NICE = 10  # well below the served apps and the web server: keys and frames first


def limit_cpu(share: float) -> None:
    """From now on (this process and its children): each trainer at most ``share`` of a core."""
    os.environ[CPU_SHARE_VAR] = repr(float(share))


def cpu_share() -> float | None:
    """The share of a core a trainer may use; None: no limit."""
    try:
        share = float(os.environ.get(CPU_SHARE_VAR, ""))
    except ValueError:
        return None
    return share if 0.0 < share < 1.0 else None


def rest_after(work: float, share: float | None) -> float:
    """Seconds to rest after ``work`` seconds of training to stay within ``share``."""
    return work * (1.0 / share - 1.0) if share is not None else 0.0


def lower_priority() -> None:
    """A limited trainer yields to the processes students wait on."""
    if cpu_share() is None or not hasattr(os, "nice"):
        return
    try:
        os.nice(TRAINER_NICE)
    except OSError:
        pass
