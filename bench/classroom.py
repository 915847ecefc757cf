#!/usr/bin/env python
"""A class on one machine: N browser tabs on `tui-nn serve`, every one training.

Run on demand (it takes about two minutes; needs Chromium and the test extra)::

    .venv/bin/python bench/classroom.py                 # 10 tabs, 60 s
    .venv/bin/python bench/classroom.py --tabs 4 --seconds 30 --json

What it does, in one headless Chromium (a browser context per tab, as separate
students would have): opens N tabs on a fresh `tui-nn serve PRESET`, waits for
each playground, presses space in each (pace and share as a student gets them),
then for --seconds goes round the tabs pressing `[` `[` `]` `]` (the pace goes
30/s -> 10/s -> 3/s -> 10/s -> 30/s, said in the status line) and times each
key from the press to the first websocket frame that shows the new pace:
"key-to-screen" as the page receives it (xterm.js then paints it in the next
animation frame, not counted). `--key help` times `?` and Esc instead (the help
screen opening and closing: a whole-screen redraw, the heaviest key). It reads
every tab's epoch from its frames, to check that every page keeps updating,
and the CPU time of the server's processes. Then it closes every tab and counts
the processes of the server's tabs (apps and trainers: they carry
TUI_NN_SERVER=<server pid>) until none is left.

With 10 Chromium tabs on a 2-core machine the browsers' own drawing takes about
as much CPU as the server; in a class the browsers run on the students'
machines. `--client ws` replaces each browser by a websocket client that sends
the same keys and reads the same frames without drawing them: what the server
holds on its own.

Frames are searched as raw bytes (the text Textual writes), not through a
terminal emulator: the measuring process shares the two cores with the class.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from browser_helpers import CHROMIUM, focus_terminal, launch, processes_of, served  # noqa: E402

EPOCH = re.compile(rb"epoch (\d+)")
# (key, the bytes its effect shows): each token differs from the state before it.
KEYS = {
    "pace": (("[", b"pace 10/s"), ("[", b"pace 3/s"), ("]", b"pace 10/s"), ("]", b"pace 30/s")),
    "help": (("?", b"tui-nn: keys"), ("Escape", b"Regenerate")),
}


class Tab:
    """One student's page in Chromium: its frames' epochs, and when a token arrives after a key."""

    def __init__(self, browser: Any, url: str, width: int, height: int) -> None:
        # A context of its own per tab: separate students share no cookies or cache.
        self.page = browser.new_context(viewport={"width": width, "height": height}).new_page()
        self.epoch = -1
        self.frames = 0
        self.token: bytes | None = None
        self.seen_at: float | None = None
        self.page.on("websocket", lambda ws: ws.on("framereceived", self.frame))
        self.page.goto(url)

    def frame(self, payload: Any) -> None:
        if not isinstance(payload, (bytes, bytearray)):
            return
        now = time.perf_counter()
        self.frames += 1
        found = EPOCH.findall(payload)
        if found:
            self.epoch = max(self.epoch, int(found[-1]))
        if self.token is not None and self.token in payload:
            self.seen_at, self.token = now, None


def pump(page: Any, until: Any, seconds: float) -> bool:
    """Let Playwright deliver events (only inside its calls) until ``until()`` or timeout."""
    deadline = time.perf_counter() + seconds
    while not until():
        if time.perf_counter() > deadline:
            return False
        page.wait_for_timeout(5)
    return True


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else float("nan")


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            continue
    return total / os.sysconf("SC_CLK_TCK")


class Meter:
    """What the class measurement reports, whichever client drives the tabs."""

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid
        self.latencies: list[float] = []
        self.missed = 0

    def start(self, epochs: list[int], frames: list[int]) -> None:
        self.pids = processes_of(self.server_pid) + [self.server_pid]
        self.cpu0, self.t0, self.load0 = cpu_seconds(self.pids), time.perf_counter(), os.getloadavg()[0]
        self.epochs0, self.frames0 = epochs, frames

    def stop(self, epochs: list[int], frames: list[int]) -> dict[str, Any]:
        elapsed = time.perf_counter() - self.t0
        cpu = cpu_seconds(self.pids) - self.cpu0
        lat = self.latencies
        return {
            "seconds": round(elapsed, 1), "keys": len(lat), "missed": self.missed,
            "latency_ms": {"p50": round(1000 * percentile(lat, 0.5), 1), "p95": round(1000 * percentile(lat, 0.95), 1),
                           "max": round(1000 * max(lat, default=float("nan")), 1)},
            "epochs_per_second_per_tab": [round((e - e0) / elapsed, 1) for e, e0 in zip(epochs, self.epochs0)],
            "frames_per_second_per_tab": [round((f - f0) / elapsed, 1) for f, f0 in zip(frames, self.frames0)],
            "server_cpu_cores": round(cpu / elapsed, 2), "processes_while_training": len(self.pids) - 1,
            "load_average": [round(self.load0, 1), round(os.getloadavg()[0], 1)],
        }


def wait_gone(server_pid: int) -> dict[str, Any]:
    closed = time.perf_counter()
    left = processes_of(server_pid)
    while left and time.perf_counter() - closed < 30:
        time.sleep(0.05)
        left = processes_of(server_pid)
    return {"processes_left": len(left), "seconds_until_none_left": round(time.perf_counter() - closed, 2)}


def run_chromium(args: argparse.Namespace, url: str, server_pid: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        tabs = [Tab(browser, url, args.width, args.height) for _ in range(args.tabs)]
        opened = time.perf_counter()
        for tab in tabs:
            pump(tab.page, lambda t=tab: t.epoch == 0, 60)
        ready = time.perf_counter() - opened
        for tab in tabs:
            focus_terminal(tab.page)
            tab.page.keyboard.press(" ")
        pump(tabs[0].page, lambda: all(t.epoch > 0 for t in tabs), 30)
        meter = Meter(server_pid)
        meter.start([t.epoch for t in tabs], [t.frames for t in tabs])
        i = 0
        while time.perf_counter() - meter.t0 < args.seconds:
            tab = tabs[i % len(tabs)]
            for key, token in KEYS[args.key]:
                tab.seen_at, tab.token = None, token
                pressed = time.perf_counter()
                tab.page.keyboard.press(key)
                if pump(tab.page, lambda t=tab: t.seen_at is not None, 10) and tab.seen_at is not None:
                    meter.latencies.append(tab.seen_at - pressed)
                else:
                    meter.missed += 1
                tab.page.wait_for_timeout(100)
            i += 1
        result = meter.stop([t.epoch for t in tabs], [t.frames for t in tabs])
        for tab in tabs:
            tab.page.context.close()
        result.update(wait_gone(server_pid), all_ready_seconds=round(ready, 1))
        browser.close()
    return result


def run_ws(args: argparse.Namespace, url: str, server_pid: int) -> dict[str, Any]:
    import asyncio

    import aiohttp

    async def student(i: int, tab: dict[str, Any], meter: Meter, measuring: asyncio.Event,
                      done: asyncio.Event) -> None:
        cols, rows = args.width // 9, args.height // 19  # about what xterm.js fits at 16 px
        async with aiohttp.ClientSession() as http, http.ws_connect(
                url.replace("http", "ws", 1) + f"/ws?width={cols}&height={rows}") as ws:
            async def read() -> None:
                async for message in ws:
                    if message.type == aiohttp.WSMsgType.BINARY:
                        tab["frames"] += 1
                        found = EPOCH.findall(message.data)
                        if found:
                            tab["epoch"] = max(tab["epoch"], int(found[-1]))
                        if tab["token"] is not None and tab["token"] in message.data:
                            tab["seen_at"], tab["token"] = time.perf_counter(), None
            reader = asyncio.create_task(read())
            while tab["epoch"] != 0:
                await asyncio.sleep(0.02)
            await ws.send_str(json.dumps(["stdin", " "]))
            await measuring.wait()
            await asyncio.sleep(i * 0.1)  # the keys of the class spread out, not in step
            while not done.is_set():
                for key, token in KEYS[args.key]:
                    tab["seen_at"], tab["token"] = None, token
                    pressed = time.perf_counter()
                    await ws.send_str(json.dumps(["stdin", "\x1b" if key == "Escape" else key]))
                    while tab["seen_at"] is None and time.perf_counter() - pressed < 10:
                        await asyncio.sleep(0.002)
                    if tab["seen_at"] is not None:
                        meter.latencies.append(tab["seen_at"] - pressed)
                    else:
                        meter.missed += 1
                    await asyncio.sleep(0.1)
                await asyncio.sleep(args.tabs * 0.1)  # about one key a second per tab, as in Chromium
            reader.cancel()

    async def main() -> dict[str, Any]:
        tabs = [{"epoch": -1, "frames": 0, "token": None, "seen_at": None} for _ in range(args.tabs)]
        meter = Meter(server_pid)
        measuring, done = asyncio.Event(), asyncio.Event()
        opened = time.perf_counter()
        tasks = [asyncio.create_task(student(i, tab, meter, measuring, done)) for i, tab in enumerate(tabs)]
        while not all(t["epoch"] > 0 for t in tabs):
            await asyncio.sleep(0.05)
        ready = time.perf_counter() - opened
        meter.start([t["epoch"] for t in tabs], [t["frames"] for t in tabs])
        measuring.set()
        await asyncio.sleep(args.seconds)
        done.set()
        result = meter.stop([t["epoch"] for t in tabs], [t["frames"] for t in tabs])
        await asyncio.gather(*tasks)
        result["all_training_seconds"] = round(ready, 1)
        return result

    result = asyncio.run(main())
    result.update(wait_gone(server_pid))
    return result


def run(args: argparse.Namespace) -> dict[str, Any]:
    extra = ["--cpu-share", str(args.cpu_share)] if args.cpu_share else []
    with served(args.preset, "--max-sessions", str(args.tabs + 5), *extra) as (url, server):
        drive = run_chromium if args.client == "chromium" else run_ws
        result = drive(args, url, server.pid)
    return {"tabs": args.tabs, "preset": args.preset, "client": args.client, "key": args.key, **result}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tabs", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--preset", default="spiral")
    parser.add_argument("--cpu-share", type=float, default=None, help="passed to tui-nn serve (default: its own)")
    parser.add_argument("--width", type=int, default=1280, help="each tab's viewport (a laptop: 1280x800)")
    parser.add_argument("--height", type=int, default=800)
    parser.add_argument("--client", choices=("chromium", "ws"), default="chromium")
    parser.add_argument("--key", choices=tuple(KEYS), default="pace")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if CHROMIUM is None and args.client == "chromium":
        print("bench/classroom.py needs Chromium: apt-get install -y chromium", file=sys.stderr)
        return 2
    result = run(args)
    if args.json:
        print(json.dumps(result))
        return 0
    lat = result["latency_ms"]
    print(f"{result['tabs']} tabs ({result['client']}) on {result['preset']}, {result['seconds']} s, "
          f"load {result['load_average']}, server processes {result['server_cpu_cores']} cores")
    print(f"  key-to-screen, {result['key']} ({result['keys']} keys, {result['missed']} missed): p50 {lat['p50']} ms, "
          f"p95 {lat['p95']} ms, max {lat['max']} ms")
    print(f"  epochs/s per tab: {result['epochs_per_second_per_tab']}")
    print(f"  frames/s per tab: {result['frames_per_second_per_tab']}")
    print(f"  processes while training: {result['processes_while_training']}; left after closing: "
          f"{result['processes_left']} (none after {result['seconds_until_none_left']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
