#!/usr/bin/env python
"""How the real playground app behaves in a terminal while it trains at full speed.

Run on demand, never in CI (about 30 s; Linux, it needs a pseudo-terminal)::

    .venv/bin/python bench/ui.py                      # 120x40, 8 s window, table
    .venv/bin/python bench/ui.py --size 80x24
    .venv/bin/python bench/ui.py --seconds 15 --json
    .venv/bin/python bench/ui.py --profile            # + cProfile of the UI thread
    .venv/bin/python bench/ui.py --py-spy PATH/TO/py-spy [--py-spy-idle]

(py-spy is not a project dependency: ``pip install --target /tmp/pyspy py-spy``
puts a binary in /tmp/pyspy/bin without touching the venv.)

Figures and targets (the spiral preset, training with no pause):

1. event-loop delay p50 / p95 / max while training: an asyncio task in the
   app does ``await asyncio.sleep(0.01)`` over and over and records how late
   each wake-up is. A key press waits for the same loop, so this stands in
   for key-press latency. Target: p95 <= 50 ms.
2. training epochs/s with the UI live, and its ratio to the headless
   ``tui-nn train spiral --json --epochs N`` run as a subprocess in the same
   invocation (once before and once after the UI run; the faster of the two
   is the reference, so the ratio errs on the strict side). Target >= 70 %.
3. bytes per second written to the terminal over the training window, at
   the chosen size with truecolor (TERM=xterm-256color, COLORTERM=truecolor).
   Target <= 60 KiB/s.
4. time from process spawn to the first frame: the first moment the bytes
   on the terminal contain the status line of a run ("PAUSED" or "RUNNING",
   which the app writes after its first snapshot). Target <= 1 s. The
   app's own ``first_frame_seconds`` (app construction -> first snapshot
   handled, not yet painted) is shown beside it.

Method. The parent process opens a pseudo-terminal of the chosen size
(``pty.openpty`` + ``TIOCSWINSZ``), spawns ``python bench/ui.py --child``
on its slave side in a new session, and reads the master side in a thread,
timestamping every chunk. The child runs ``PlaygroundApp`` on the spiral
preset with ``training.epochs = 0`` (no epoch limit: the preset's 1000
epochs would otherwise end training after about 1.5 s), waits for the first
snapshot and the refresh after it, sends ``play``, lets it warm up (1 s,
excluded), then measures for ``--seconds`` and writes its figures to a JSON
file before it stops the session and exits. Both processes (and the headless
CLI) run with OMP / OpenBLAS / MKL / vecLib / numexpr pinned to one thread.

Diagnostics printed under the table (no targets): CPU seconds per thread of
the child over the window (UI event loop, trainer, Textual's writer and
input threads), the snapshots the UI handled, bytes per handled snapshot,
the window's bytes split by kind (colour escapes, cursor moves, text) and by
screen region (each cursor move starts a run credited to the widget under
it; the child reports the widgets' regions), the start-up timeline, and a
"session only" run in the parent: the same ``Session`` (trainer with layer
tracking, snapshots of the same grid at the same fps) with the snapshots
thrown away, which separates the cost of the session from the cost of the UI.

Where the UI's time goes: ``--py-spy PATH`` samples the child over the
window (non-blocking, per thread) and prints, per thread, the library of
the innermost frame and the inclusive share of every tui_nn function;
``--py-spy-idle`` counts waiting samples too (wall time instead of CPU).
``--profile`` adds a cProfile of the child's main thread (the event loop:
layout, rendering, widgets), which slows it several times over.
``--switch-interval S`` is an experiment: the app process runs with
``sys.setswitchinterval(S)``, to see how much of the delay is GIL hand-over.

Exit status: 0 every target met, 1 a target missed, 2 the run itself failed
(the child crashed, hung or wrote no figures); the terminal output's tail is
printed then.
"""

from __future__ import annotations

import os
import time

_T_MODULE = time.time()  # the child's "interpreter is up" moment

# Pin every BLAS / OpenMP pool to one thread BEFORE numpy is imported (the
# headless CLI gets the same environment), so the comparison is like for like.
BLAS_VARS = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)
for _var in BLAS_VARS:
    os.environ[_var] = "1"

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PRESET = "spiral"
OVERRIDES: list[str] = []  # --set, for the child, the headless reference and the session-only run
TARGET_DELAY_P95_MS = 50.0
TARGET_SPEED_RATIO = 0.70
TARGET_BYTES_PER_S = 60 * 1024
TARGET_FIRST_FRAME_S = 1.0
FIRST_FRAME_MARKERS = (b"PAUSED", b"RUNNING")  # the status line after the first snapshot
LAYOUT_MARKER = "Starting".encode()  # the status line before any snapshot
PROBE_INTERVAL = 0.010


# =============================================================================
# The child: the real app in the pseudo-terminal
# =============================================================================


def _thread_cpu() -> dict[str, float]:
    """CPU seconds (user + system) of every thread of this process, by name."""
    names = {t.native_id: t.name for t in threading.enumerate()}
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[str, float] = {}
    try:
        tids = os.listdir("/proc/self/task")
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/self/task/{tid}/stat", encoding="ascii") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        cpu = (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        name = names.get(int(tid), f"tid {tid}")
        out[name] = out.get(name, 0.0) + cpu
    return out


def child_main(args: argparse.Namespace) -> int:
    t_imports0 = time.time()
    from textual import events

    import tui_nn.app.app as app_module
    from tui_nn.app.app import PlaygroundApp
    from tui_nn.io.presets import load_preset
    from tui_nn.session.protocol import Play, Stop

    t_imports1 = time.time()
    out_path = Path(args.out)

    class BenchApp(PlaygroundApp):
        """The real app, plus a task that trains, probes and reports."""

        # Textual resolves a relative CSS_PATH against the module of the class
        # being run (this file): point it back at the app's own stylesheet.
        CSS_PATH = str(Path(app_module.__file__).with_name(PlaygroundApp.CSS_PATH))

        def __init__(self, config, *, seconds: float, warmup: float) -> None:
            self.t_init_wall = time.time()
            super().__init__(config, pace=None)  # training at full speed: the hardest case
            self.bench_seconds = seconds
            self.bench_warmup = warmup
            self.bench_stats: dict = {}
            self._samples: list[tuple[float, float]] = []  # (perf time, overshoot s)

        def on_mount(self, event: events.Mount) -> None:
            # Textual would also call PlaygroundApp.on_mount on its own (it walks
            # the MRO); call it here, first, and stop the walk so it runs once.
            super().on_mount()
            event.prevent_default()
            self._bench_task = asyncio.get_running_loop().create_task(self._bench())

        async def _probe(self) -> None:
            loop_sleep = asyncio.sleep
            clock = time.perf_counter
            while True:
                t = clock()
                await loop_sleep(PROBE_INTERVAL)
                now = clock()
                self._samples.append((now, now - t - PROBE_INTERVAL))

        def _regions(self) -> dict[str, list[int]]:
            """Where each part of the screen is (x, y, width, height), to split the bytes."""
            out = {}
            for selector in ("Header", "#sidebar", "#network", "#grid", "#loss", "#gradients",
                             "#status", "Footer"):
                try:
                    r = self.query_one(selector).region
                except Exception:
                    continue
                if r.width and r.height:
                    out[selector.lstrip("#")] = [r.x, r.y, r.width, r.height]
            return out

        def _mark(self) -> dict:
            return {
                "wall": time.time(),
                "perf": time.perf_counter(),
                # The trainer runs in its own process: its epoch is read from the
                # latest snapshot (at most 1/10 s old at either end of the window).
                "epoch": self.snapshot.epoch if self.snapshot is not None else None,
                "snapshot_epoch": self.snapshot.epoch if self.snapshot is not None else None,
                "snapshots_seen": self.snapshots_seen,
                "main_thread_cpu": time.thread_time(),
                "process_cpu": time.process_time(),
                "threads": _thread_cpu(),
            }

        async def _bench(self) -> None:
            stats = self.bench_stats
            try:
                t0 = time.perf_counter()
                while self.snapshot is None:
                    if time.perf_counter() - t0 > 30:
                        raise RuntimeError("no snapshot 30 s after mount")
                    await asyncio.sleep(0.005)
                stats["first_snapshot_wall"] = time.time()
                stats["first_frame_seconds"] = self.first_frame_seconds
                painted = asyncio.Event()
                self.call_after_refresh(painted.set)
                await asyncio.wait_for(painted.wait(), 10)
                stats["first_refresh_wall"] = time.time()
                stats["grid"] = list(self._grid_sent)
                stats["size"] = list(self.size)
                stats["regions"] = self._regions()
                self.session.send(Play())
                stats["play_wall"] = time.time()
                probe = asyncio.get_running_loop().create_task(self._probe())
                await asyncio.sleep(self.bench_warmup)
                start = self._mark()
                out_path.with_suffix(".window").write_text(str(start["wall"]), encoding="ascii")
                await asyncio.sleep(self.bench_seconds)
                end = self._mark()
                probe.cancel()
                window = [o for (t, o) in self._samples if start["perf"] <= t <= end["perf"]]
                stats.update(start=start, end=end, probe_overshoot_s=window)
                last = self.snapshot
                stats["final_state"] = str(last.run.state) if last is not None else None
                stats["final_note"] = last.run.note if last is not None else None
                stats["grid_end"] = list(self._grid_sent)
                stats["ok"] = True
            except Exception as exc:  # reported to the parent, which prints it
                import traceback

                stats["ok"] = False
                stats["error"] = f"{type(exc).__name__}: {exc}"
                stats["traceback"] = traceback.format_exc()
            finally:
                stats["t_module"] = _T_MODULE
                stats["t_imports0"] = t_imports0
                stats["t_imports1"] = t_imports1
                stats["t_app_init"] = self.t_init_wall
                out_path.write_text(json.dumps(stats), encoding="utf-8")
                if self.session is not None:
                    self.session.send(Stop())
                self.exit(return_code=0 if stats.get("ok") else 1)

    if args.switch_interval:
        sys.setswitchinterval(args.switch_interval)  # an experiment, not the app's setting
    config = load_preset(PRESET).with_overrides(["training.epochs=0", *OVERRIDES])
    app = BenchApp(config, seconds=args.seconds, warmup=args.warmup)

    def watchdog() -> None:
        # The app did not finish in time (a crash Textual did not turn into an
        # exit, or a hang): say why in the figures file, then leave at once.
        if out_path.exists():
            return
        import traceback

        stacks = []
        names = {t.ident: t.name for t in threading.enumerate()}
        for ident, frame in sys._current_frames().items():
            stacks.append(f"--- thread {names.get(ident, ident)}\n"
                          + "".join(traceback.format_stack(frame, limit=12)))
        exc = getattr(app, "_exception", None)
        error = "the app did not finish in time"
        if exc is not None:
            error += f"; its recorded exception: {type(exc).__name__}: {exc}"
        out_path.write_text(json.dumps({
            "ok": False, "error": error, "watchdog": True,
            "traceback": "".join(traceback.format_exception(exc)) if exc is not None else "",
            "stacks": "\n".join(stacks), "return_code": app.return_code,
        }), encoding="utf-8")
        os._exit(3)

    timer = threading.Timer(args.warmup + args.seconds + args.startup_timeout - 5, watchdog)
    timer.daemon = True
    timer.name = "bench-watchdog"
    timer.start()
    if args.profile:
        import cProfile

        prof = cProfile.Profile()
        prof.enable()
        try:
            app.run()
        finally:
            prof.disable()
            prof.dump_stats(str(out_path.with_suffix(".prof")))
    else:
        app.run()
    timer.cancel()
    if not out_path.exists():  # the app died before the bench task could report
        out_path.write_text(json.dumps({"ok": False, "error": "app exited without figures",
                                        "return_code": app.return_code}), encoding="utf-8")
    return app.return_code or 0


# =============================================================================
# The parent: terminal, headless reference, figures
# =============================================================================


def _pinned_env() -> dict[str, str]:
    env = dict(os.environ)
    for var in BLAS_VARS:
        env[var] = "1"
    return env


def headless_speed(epochs: int) -> dict:
    exe = Path(sys.executable).with_name("tui-nn")
    cmd = [str(exe), "train", PRESET, "--json", "--epochs", str(epochs)]
    for item in OVERRIDES:
        cmd += ["--set", item]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=_pinned_env(), timeout=600,
                          cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()}")
    doc = json.loads(proc.stdout)
    return {"command": " ".join(cmd), "epochs": doc["total_epochs"],
            "seconds": doc["seconds"], "epochs_per_second": doc["epochs_per_second"]}


class PtyReader(threading.Thread):
    """Reads the master side until the child closes it, timestamping each chunk."""

    def __init__(self, fd: int) -> None:
        super().__init__(daemon=True, name="pty-reader")
        self.fd = fd
        self.chunks: list[tuple[float, bytes]] = []

    def run(self) -> None:
        while True:
            try:
                data = os.read(self.fd, 65536)
            except OSError:  # EIO: every slave fd is closed
                return
            if not data:
                return
            self.chunks.append((time.time(), data))


def run_child(args: argparse.Namespace, cols: int, rows: int, stats_path: Path) -> dict:
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    winsize = struct.pack("HHHH", rows, cols, 0, 0)
    fcntl.ioctl(slave, termios.TIOCSWINSZ, winsize)
    fcntl.ioctl(master, termios.TIOCSWINSZ, winsize)
    env = _pinned_env()
    env.update(TERM="xterm-256color", COLORTERM="truecolor")
    for var in ("COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR", "TEXTUAL"):
        env.pop(var, None)
    for var in [v for v in env if v.startswith("TEXTUAL_")]:
        env.pop(var)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child",
           "--seconds", str(args.seconds), "--warmup", str(args.warmup), "--out", str(stats_path),
           "--startup-timeout", str(args.startup_timeout)]
    if args.profile:
        cmd.append("--profile")
    for item in args.overrides:
        cmd += ["--set", item]
    if args.switch_interval:
        cmd += ["--switch-interval", str(args.switch_interval)]
    reader = PtyReader(master)
    reader.start()
    t_spawn = time.time()
    proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT,
                            start_new_session=True, close_fds=True)
    os.close(slave)
    pyspy: list[subprocess.Popen] = []
    if args.py_spy:
        # Sample the child over the measured window only: wait for its marker.
        def start_pyspy() -> None:
            marker = stats_path.with_suffix(".window")
            while proc.poll() is None and not marker.exists():
                time.sleep(0.01)
            if proc.poll() is None:
                pyspy.append(subprocess.Popen(
                    [args.py_spy, "record", "--pid", str(proc.pid), "--threads", "--nonblocking",
                     *(["--idle"] if args.py_spy_idle else []), "--format", "raw",
                     "-o", str(stats_path.with_suffix(".pyspy.txt")),
                     "--duration", str(max(1, int(args.seconds)))],
                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True))

        pyspy_starter = threading.Thread(target=start_pyspy, daemon=True)
        pyspy_starter.start()
    timeout = args.warmup + args.seconds + args.startup_timeout
    hung = False
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        hung = True
        import signal

        try:
            os.killpg(proc.pid, signal.SIGKILL)  # our child's own session only
        except ProcessLookupError:
            pass
        proc.wait()
    if args.py_spy:
        pyspy_starter.join(timeout=5)
        for sampler in pyspy:
            try:
                _, err = sampler.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                sampler.kill()
                _, err = sampler.communicate()
            if sampler.returncode != 0:
                print(f"py-spy exited with {sampler.returncode}: {err.strip()[-500:]}", file=sys.stderr)
    reader.join(timeout=5)
    os.close(master)
    try:
        stats = json.loads(stats_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        stats = {"ok": False, "error": "no figures written"}
    stats.update(t_spawn=t_spawn, return_code=proc.returncode, hung=hung,
                 chunks=reader.chunks)
    return stats


_ANSI = re.compile(rb"\x1b(\[[0-9;?<>=$ ]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|[ -/]*[0-~])")


def terminal_tail(chunks: list[tuple[float, bytes]], n: int = 3000) -> str:
    raw = b"".join(c for _, c in chunks)
    text = _ANSI.sub(b"", raw).decode("utf-8", "replace")
    lines = [ln.rstrip() for ln in text.replace("\r", "\n").split("\n")]
    return "\n".join(ln for ln in lines if ln.strip())[-n:]


def first_time(chunks: list[tuple[float, bytes]], markers: tuple[bytes, ...]) -> float | None:
    """Wall time of the chunk that completes the first occurrence of any marker."""
    raw = b"".join(c for _, c in chunks)
    hits = [i + len(m) for m in markers if (i := raw.find(m)) >= 0]
    if not hits:
        return None
    end = min(hits)
    pos = 0
    for t, c in chunks:
        pos += len(c)
        if pos >= end:
            return t
    return None


def session_only(grid: tuple[int, int], seconds: float, warmup: float) -> dict:
    """The app's Session with its snapshots thrown away: the no-UI ceiling."""
    from tui_nn.io.presets import load_preset
    from tui_nn.session.loop import Session
    from tui_nn.session.protocol import Play, Stop

    config = load_preset(PRESET).with_overrides(["training.epochs=0", *OVERRIDES])
    published = [0]

    def publish(_snap) -> None:
        published[0] += 1

    session = Session(config, publish, fps=10.0, grid=tuple(grid))
    thread = threading.Thread(target=session.run, daemon=True)
    thread.start()
    session.send(Play())
    time.sleep(warmup)
    e0, t0 = session.trainer.epoch, time.perf_counter()
    time.sleep(seconds)
    e1, t1 = session.trainer.epoch, time.perf_counter()
    session.send(Stop())
    thread.join(timeout=10)
    return {"epochs_per_second": (e1 - e0) / (t1 - t0), "epochs": e1 - e0, "seconds": t1 - t0}


def summarize_pyspy(path: Path, top: int = 25) -> str:
    """Per thread: on-CPU samples; inclusive share of tui_nn functions and of libraries."""
    per_thread: dict[str, dict] = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        head = frames[0]  # "thread (TID): NAME" (no name for a moment at start-up)
        name = head.split(": ", 1)[1] if ": " in head else head
        t = per_thread.setdefault(name, {"n": 0, "fn": {}, "lib": {}})
        n = int(count)
        t["n"] += n
        seen_fn = set()
        for fr in frames[1:]:
            func, _, loc = fr.partition(" (")
            file = loc.rsplit(":", 1)[0]
            if "tui_nn/" in file:
                seen_fn.add(f"{func} ({file[file.index('tui_nn/'):]})")
        for key in seen_fn:
            t["fn"][key] = t["fn"].get(key, 0) + n
        # Where the CPU actually is: the library of the innermost frame.
        leaf = frames[-1].partition(" (")[2].rsplit(":", 1)[0] if len(frames) > 1 else ""
        for name_ in ("tui_nn", "plotext", "rich", "textual", "numpy"):
            if leaf.startswith(name_ + "/") or f"/{name_}/" in leaf:
                lib = name_
                break
        else:
            # plotext puts its own folders on sys.path, so py-spy shows its
            # files bare ("pixel.py", "signal.py").
            # Its files are the bare names below tui_nn's plot_lines.
            lib = "other (stdlib, ...)"
            for fr in reversed(frames[1:]):
                file = fr.partition(" (")[2].rsplit(":", 1)[0]
                if "/" in file:
                    if fr.startswith("plot_lines (") and "tui_nn/" in file:
                        lib = "plotext"
                    break
        t["lib"][lib] = t["lib"].get(lib, 0) + n
    lines = []
    for name, t in sorted(per_thread.items(), key=lambda kv: -kv[1]["n"]):
        if t["n"] < 5:
            continue
        libs = ", ".join(f"{k} {v / t['n']:.0%}" for k, v in sorted(t["lib"].items(), key=lambda kv: -kv[1]))
        lines.append(f"  {thread_label(name)}: {t['n']} samples; innermost frame in: {libs or '-'}")
        lines.append("    inclusive share of tui_nn functions:")
        for key, v in sorted(t["fn"].items(), key=lambda kv: -kv[1])[:top]:
            lines.append(f"    {v / t['n']:6.1%}  {key}")
    return "\n".join(lines)


_CUP = re.compile(rb"\x1b\[(\d+);(\d+)H")
_SGR = re.compile(rb"\x1b\[[0-9;:]*m")


def output_breakdown(data: bytes, regions: dict[str, list[int]]) -> dict:
    """Split terminal bytes by screen region (each cursor move starts a run
    that belongs to the widget under it) and by kind (colour escapes, cursor
    moves, other escapes, text)."""
    by_region: dict[str, int] = {}
    moves = list(_CUP.finditer(data))
    if moves and moves[0].start() > 0:
        by_region["(before first move)"] = moves[0].start()
    for i, m in enumerate(moves):
        end = moves[i + 1].start() if i + 1 < len(moves) else len(data)
        row, col = int(m.group(1)) - 1, int(m.group(2)) - 1
        name = "(elsewhere)"
        for key, (x, y, w, h) in regions.items():
            if x <= col < x + w and y <= row < y + h:
                name = key
                break
        by_region[name] = by_region.get(name, 0) + end - m.start()
    sgr = sum(len(m.group(0)) for m in _SGR.finditer(data))
    cup = sum(len(m.group(0)) for m in moves)
    other_esc = sum(len(m.group(0)) for m in _ANSI.finditer(data)) - sgr - cup
    return {"by_region": by_region, "colour_escapes": sgr, "cursor_moves": cup,
            "other_escapes": other_esc, "text": len(data) - sgr - cup - other_esc,
            "sgr_count": len(_SGR.findall(data))}


def thread_label(name: str) -> str:
    if name == "MainThread":
        return "MainThread (event loop)"
    if name.startswith("asyncio_"):
        return f"{name} (thread worker: trainer)"
    return name


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = (len(s) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def parent_main(args: argparse.Namespace) -> int:
    cols, rows = (int(v) for v in args.size.lower().split("x"))
    say = (lambda *a: print(*a, file=sys.stderr, flush=True)) if args.json else \
        (lambda *a: print(*a, flush=True))
    if args.switch_interval:
        say(f"EXPERIMENT: the app process runs with sys.setswitchinterval({args.switch_interval:g})")
    say(f"tui-nn UI bench: preset {PRESET}, terminal {cols}x{rows} truecolor, "
        f"window {args.seconds:g} s after {args.warmup:g} s warm-up; "
        f"BLAS/OpenMP pinned to 1 thread ({', '.join(v + '=1' for v in BLAS_VARS[:3])}, ...)")

    say(f"headless reference 1/2: tui-nn train {PRESET} --json --epochs {args.headless_epochs} ...")
    head1 = headless_speed(args.headless_epochs)
    say(f"  {head1['epochs_per_second']:.1f} epochs/s")
    say(f"app in a {cols}x{rows} pty for {args.warmup + args.seconds:g} s ...")
    tmp = Path(tempfile.mkdtemp(prefix="tui-nn-ui-bench-"))
    stats_path = tmp / "stats.json"
    try:
        stats = run_child(args, cols, rows, stats_path)
    finally:
        if not (args.profile or args.py_spy):  # otherwise the files are read below
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)
    say("headless reference 2/2 ...")
    head2 = headless_speed(args.headless_epochs)
    say(f"  {head2['epochs_per_second']:.1f} epochs/s")

    chunks = stats.pop("chunks")
    if not stats.get("ok"):
        print(f"\nRUN FAILED: {stats.get('error')} (child exit status {stats.get('return_code')}"
              f"{', killed after timeout' if stats.get('hung') else ''})", file=sys.stderr)
        if stats.get("traceback"):
            print(stats["traceback"], file=sys.stderr)
        if stats.get("stacks"):
            print("---- the child's threads when the watchdog fired ----", file=sys.stderr)
            print(stats["stacks"], file=sys.stderr)
        total = sum(len(c) for _, c in chunks)
        print(f"---- terminal output: {total:,} bytes; tail, escape codes removed ----", file=sys.stderr)
        print(terminal_tail(chunks), file=sys.stderr)
        return 2

    raw_all = b"".join(c for _, c in chunks)
    cut = raw_all.rfind(b"\x1b[?1049l")  # the app leaves the alternate screen
    after = _ANSI.sub(b"", raw_all[cut:]).decode("utf-8", "replace").strip() if cut >= 0 else ""
    if after:
        print(f"note: the app process printed after leaving its screen:\n{after[-3000:]}", file=sys.stderr)
    start, end = stats["start"], stats["end"]
    window_s = end["wall"] - start["wall"]
    # Probe
    overs_ms = [o * 1000 for o in stats["probe_overshoot_s"]]
    p50, p95, pmax = percentile(overs_ms, 0.5), percentile(overs_ms, 0.95), max(overs_ms)
    # Speed
    ui_eps = (end["epoch"] - start["epoch"]) / (end["perf"] - start["perf"])
    ref_eps = max(head1["epochs_per_second"], head2["epochs_per_second"])
    ratio = ui_eps / ref_eps if ref_eps else float("nan")  # no reference with --headless-epochs 0
    # Bytes
    win_data = b"".join(c for t, c in chunks if start["wall"] <= t <= end["wall"])
    win_bytes = len(win_data)
    breakdown = output_breakdown(win_data, stats.get("regions", {}))
    bps = win_bytes / window_s
    total_bytes = sum(len(c) for _, c in chunks)
    snaps = end["snapshots_seen"] - start["snapshots_seen"]
    # First frame
    t_spawn = stats["t_spawn"]
    t_first = first_time(chunks, FIRST_FRAME_MARKERS)
    t_layout = first_time(chunks, (LAYOUT_MARKER,))
    first_frame = (t_first - t_spawn) if t_first is not None else float("nan")

    def rel(t):
        return f"{t - t_spawn:.3f} s" if t is not None else "never"

    # CPU per thread over the window
    threads = {}
    for name, cpu in end["threads"].items():
        threads[name] = cpu - start["threads"].get(name, 0.0)
    main_cpu = end["main_thread_cpu"] - start["main_thread_cpu"]
    proc_cpu = end["process_cpu"] - start["process_cpu"]

    diag_session = None
    if not args.no_session_baseline:
        say("session-only run (no UI) ...")
        diag_session = session_only(tuple(stats["grid"]), args.seconds, args.warmup)

    rows_out = [
        ("event-loop delay p50/p95/max", f"{p50:.1f} / {p95:.1f} / {pmax:.1f} ms",
         f"p95 <= {TARGET_DELAY_P95_MS:g} ms", p95 <= TARGET_DELAY_P95_MS),
        ("training speed, UI live", f"{ui_eps:,.0f} epochs/s = {ratio:.0%} of headless {ref_eps:,.0f}",
         f">= {TARGET_SPEED_RATIO:.0%}", ratio >= TARGET_SPEED_RATIO),
        (f"terminal output at {cols}x{rows}", f"{bps / 1024:.1f} KiB/s",
         f"<= {TARGET_BYTES_PER_S // 1024} KiB/s", bps <= TARGET_BYTES_PER_S),
        ("spawn -> first frame", f"{first_frame:.3f} s", f"<= {TARGET_FIRST_FRAME_S:g} s",
         first_frame <= TARGET_FIRST_FRAME_S),
    ]
    result = {
        "preset": PRESET, "size": [cols, rows], "window_seconds": window_s,
        "warmup_seconds": args.warmup, "blas_threads": 1,
        "event_loop_delay_ms": {"p50": p50, "p95": p95, "max": pmax, "samples": len(overs_ms),
                                "probe_interval_ms": PROBE_INTERVAL * 1000},
        "ui_epochs_per_second": ui_eps, "headless_epochs_per_second": ref_eps,
        "headless_runs": [head1, head2], "speed_ratio": ratio,
        "bytes_per_second": bps, "window_bytes": win_bytes, "total_bytes": total_bytes,
        "first_frame_seconds": first_frame,
        "child": {
            "first_frame_seconds_app": stats.get("first_frame_seconds"),
            "interpreter_up": stats["t_module"] - t_spawn,
            "imports_done": stats["t_imports1"] - t_spawn,
            "app_init": stats["t_app_init"] - t_spawn,
            # PlaygroundApp sets first_frame_seconds from its __init__ (just after
            # t_app_init) to the moment it handles the first snapshot.
            "first_snapshot_handled": (stats["t_app_init"] + stats["first_frame_seconds"] - t_spawn
                                       if stats.get("first_frame_seconds") is not None else None),
            "bench_saw_first_snapshot": stats["first_snapshot_wall"] - t_spawn,
            "first_refresh_after_snapshot": stats["first_refresh_wall"] - t_spawn,
            "first_output_byte": (chunks[0][0] - t_spawn) if chunks else None,
            "layout_frame": (t_layout - t_spawn) if t_layout else None,
            "grid": stats["grid"], "app_size": stats["size"],
            "final_state": stats["final_state"], "final_note": stats["final_note"],
        },
        "snapshots_in_window": snaps,
        "output_breakdown": breakdown, "regions": stats.get("regions"),
        "printed_after_exit": after,
        "cpu_seconds_in_window": {"process": proc_cpu, "main_thread": main_cpu, "threads": threads},
        "session_only": diag_session,
        "pass": {name: ok for name, _, _, ok in rows_out},
    }
    all_ok = all(ok for *_, ok in rows_out)

    if args.json:
        print(json.dumps(result, indent=2))
    else:
        w0 = max(len(r[0]) for r in rows_out)
        w1 = max(len(r[1]) for r in rows_out)
        w2 = max(len(r[2]) for r in rows_out)
        print()
        print(f"{'figure':<{w0}}  {'value':<{w1}}  {'target':<{w2}}  result")
        print(f"{'-' * w0}  {'-' * w1}  {'-' * w2}  ------")
        for name, value, target, ok in rows_out:
            print(f"{name:<{w0}}  {value:<{w1}}  {target:<{w2}}  {'pass' if ok else 'FAIL'}")
        print()
        c = result["child"]
        print(f"window: {window_s:.2f} s, {len(overs_ms)} probe wake-ups of {PROBE_INTERVAL * 1000:g} ms, "
              f"{end['epoch'] - start['epoch']} epochs, {snaps} snapshots handled "
              f"({snaps / window_s:.1f}/s), final state {c['final_state']!r} at epoch {end['epoch']}")
        print(f"headless: {head1['epochs_per_second']:,.0f} and {head2['epochs_per_second']:,.0f} epochs/s "
              f"({args.headless_epochs} epochs each); command: {head1['command']}")
        if diag_session:
            print(f"session only (trainer thread + snapshots of grid {c['grid'][0]}x{c['grid'][1]} at 10 fps,"
                  f" no UI): {diag_session['epochs_per_second']:,.0f} epochs/s "
                  f"= {diag_session['epochs_per_second'] / ref_eps:.0%} of headless")
        print(f"terminal: {win_bytes:,} bytes in the window, {win_bytes / max(snaps, 1):,.0f} per snapshot; "
              f"{total_bytes:,} bytes in all")
        kinds = ("colour_escapes", "cursor_moves", "other_escapes", "text")
        print("terminal bytes/s by kind: " + ", ".join(
            f"{k.replace('_', ' ')} {breakdown[k] / window_s / 1024:.1f} KiB/s" for k in kinds)
            + f" ({breakdown['sgr_count'] / max(snaps, 1):,.0f} colour escapes per snapshot)")
        print("terminal bytes/s by screen region (x,y,w,h): " + ", ".join(
            f"{k}{tuple(stats.get('regions', {}).get(k, ()))} {v / window_s / 1024:.1f} KiB/s"
            for k, v in sorted(breakdown["by_region"].items(), key=lambda kv: -kv[1])))
        print(f"start-up (from spawn): interpreter {c['interpreter_up']:.3f} s, imports done "
              f"{c['imports_done']:.3f} s, app built {c['app_init']:.3f} s, first byte "
              f"{c['first_output_byte'] if c['first_output_byte'] is None else round(c['first_output_byte'], 3)} s, "
              f"layout frame ('Starting') {rel(t_layout)}, first snapshot handled "
              f"{c['first_snapshot_handled']:.3f} s, first run frame (PAUSED/RUNNING) on the "
              f"terminal {rel(t_first)}; "
              f"the app's own first_frame_seconds {c['first_frame_seconds_app']:.3f} s "
              f"(app built -> first snapshot handled)")
        print(f"CPU in the window ({window_s:.2f} s, 2 = two full cores): process {proc_cpu:.2f} s, "
              f"UI event loop (main thread) {main_cpu:.2f} s; per thread: "
              + ", ".join(f"{thread_label(k)} {v:.2f}"
                          for k, v in sorted(threads.items(), key=lambda kv: -kv[1])))
        if args.profile:
            import pstats

            prof = stats_path.with_suffix(".prof")
            print(f"\ncProfile of the child's main thread (event loop), whole run: {prof}\n"
                  "(cProfile slows the event loop several times over: the figures above are not "
                  "comparable with a run without --profile)")
            ps = pstats.Stats(str(prof))
            ps.sort_stats("tottime").print_stats(args.profile_lines)
            ps.sort_stats("cumulative").print_stats(args.profile_lines)
        if args.py_spy:
            raw = stats_path.with_suffix(".pyspy.txt")
            kind = "all samples, waiting included" if args.py_spy_idle else "on-CPU samples only"
            print(f"\npy-spy --nonblocking over the window ({args.seconds:g} s, 100 samples/s per thread, "
                  f"{kind}; raw stacks in {raw}):")
            if raw.exists():
                print(summarize_pyspy(raw, args.profile_lines))
            else:
                print("  no samples (py-spy failed; see above)")
    return 0 if all_ok else 1


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=8.0, help="measured window (default 8)")
    p.add_argument("--warmup", type=float, default=1.0, help="training before the window, excluded (default 1)")
    p.add_argument("--size", default="120x40", help="terminal COLSxROWS (default 120x40; try 80x24)")
    p.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    p.add_argument("--headless-epochs", type=int, default=3000,
                   help="epochs of each headless reference run (default 3000)")
    p.add_argument("--startup-timeout", type=float, default=30.0,
                   help="seconds allowed beyond warm-up + window before the child is killed")
    p.add_argument("--no-session-baseline", action="store_true",
                   help="skip the session-only diagnostic run")
    p.add_argument("--profile", action="store_true", help="cProfile the child's event-loop thread")
    p.add_argument("--profile-lines", type=int, default=25)
    p.add_argument("--py-spy", metavar="PATH", help="also record the child with this py-spy binary")
    p.add_argument("--py-spy-idle", action="store_true",
                   help="with --py-spy: keep the samples of waiting threads too (wall time, not CPU)")
    p.add_argument("--switch-interval", type=float, metavar="SECONDS",
                   help="experiment: sys.setswitchinterval() in the app process (Python's "
                        "default 0.005); shows how much of the delay is GIL hand-over")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="SECTION.KEY=VALUE",
                   help="change the preset, e.g. --set network.hidden=512,512 (repeatable)")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    OVERRIDES[:] = args.overrides
    if args.child:
        return child_main(args)
    return parent_main(args)


if __name__ == "__main__":
    sys.exit(main())
