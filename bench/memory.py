#!/usr/bin/env python
"""Memory over long runs: resident memory must stay flat, headless and in the app.

Run on demand, never in CI (about five minutes with the defaults)::

    .venv/bin/python bench/memory.py                       # both runs
    .venv/bin/python bench/memory.py --epochs 100000 --app-minutes 3
    .venv/bin/python bench/memory.py --only headless

headless  ``Trainer.run`` on the spiral preset in this process for ``--epochs``
          epochs (the history keeps a bounded number of rows however long the
          run), printing the resident set size every tenth of the way.
app       the real app (``tui-nn spiral --set training.epochs=0``) in a
          pseudo-terminal at 120x40, playing at pace "max" for
          ``--app-minutes``; prints the resident memory of the app and of its
          trainer process every 15 s, read from /proc.

Each run ends with the growth over its second half: what a leak would show.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parent.parent


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def growth(samples: list[float]) -> str:
    half = samples[len(samples) // 2 :]
    return f"{half[-1] - half[0]:+.1f} MiB over the second half" if len(half) > 1 else "n/a"


def headless(epochs: int) -> None:
    sys.path.insert(0, str(ROOT))
    from tui_nn.io.presets import load_preset
    from tui_nn.training import Trainer

    trainer = Trainer(load_preset("spiral").with_overrides(["training.epochs=0"]), track_layers=True)
    step = max(epochs // 10, 1)
    samples = [rss_mib(os.getpid())]
    print(f"headless: spiral, {epochs} epochs; resident memory (MiB):")
    print(f"  epoch {0:>8}: {samples[0]:7.1f}")
    t0 = time.perf_counter()
    for done in range(step, epochs + 1, step):
        trainer.run(step)
        samples.append(rss_mib(os.getpid()))
        print(f"  epoch {done:>8}: {samples[-1]:7.1f}   ({done / (time.perf_counter() - t0):.0f} epochs/s)")
    print(f"  history rows kept: {len(trainer.history)}; {growth(samples)}")


def app(minutes: float, cols: int = 120, rows: int = 40) -> None:
    exe = Path(sys.executable).with_name("tui-nn")
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    env = dict(os.environ, TERM="xterm-256color", COLORTERM="truecolor",
               XDG_DATA_HOME=str(Path("/tmp") / f"tui-nn-memory-{os.getpid()}"))
    proc = subprocess.Popen([str(exe), "spiral", "--set", "training.epochs=0", "--autosave", "0"],
                            stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT, start_new_session=True)
    os.close(slave)

    def drain(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    os.read(master, 1 << 16)
                except OSError:
                    return

    drain(3.0)
    os.write(master, b"]]]] ")  # pace max, then play
    print(f"app: spiral in a {cols}x{rows} pty for {minutes:g} min at pace max; resident memory (MiB):")
    app_samples: list[float] = []
    trainer_samples: list[float] = []
    start = time.monotonic()
    try:
        while time.monotonic() - start < minutes * 60:
            drain(15.0)
            kids = children(proc.pid)
            app_samples.append(rss_mib(proc.pid))
            trainer_samples.append(rss_mib(kids[0]) if kids else float("nan"))
            print(f"  {time.monotonic() - start:6.0f} s: app {app_samples[-1]:7.1f}   trainer {trainer_samples[-1]:7.1f}")
    finally:
        os.write(master, b" q")
        drain(2.0)
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    print(f"  app {growth(app_samples)}; trainer {growth(trainer_samples)}")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--epochs", type=int, default=150_000)
    p.add_argument("--app-minutes", type=float, default=3.0)
    p.add_argument("--only", choices=("headless", "app"))
    args = p.parse_args()
    if args.only in (None, "headless"):
        headless(args.epochs)
    if args.only in (None, "app"):
        app(args.app_minutes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
