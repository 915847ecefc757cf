#!/usr/bin/env python
"""A class on one machine: N browser tabs on `tui-nn serve`, every one training.

Run on demand (it takes about two minutes; needs Chromium and the test extra)::

    .venv/bin/python bench/classroom.py                 # 10 tabs, 60 s
    .venv/bin/python bench/classroom.py --tabs 4 --seconds 30 --json

What it does, in one headless Chromium (a browser context per tab, as separate
students would have): opens N tabs on a fresh `tui-nn serve PRESET`, waits for
each playground, presses space in each (pace and share as a student gets them),
then for --seconds goes round the tabs pressing `?` (help opens) and Esc (it
closes) and times each key from the press to the first websocket frame that
shows its effect: "key-to-screen" as the page receives it (xterm.js then paints
it in the next animation frame, not counted). Meanwhile it reads every tab's
epoch from its frames, to check that every page keeps updating. Then it closes
every tab and counts the processes of the server's tabs (apps and trainers:
they carry TUI_NN_SERVER=<server pid>) until none is left.

Frames are searched as raw bytes (the text Textual writes), not through a
terminal emulator: the measuring process shares the two cores with the class.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from browser_helpers import CHROMIUM, focus_terminal, launch, processes_of, served  # noqa: E402

EPOCH = re.compile(rb"epoch (\d+)")
HELP_OPEN, HELP_CLOSED = b"tui-nn: keys", b"Regenerate"


class Tab:
    """One student's page: its frames' epochs and the arrival of a token after a key."""

    def __init__(self, context: Any, url: str, width: int, height: int) -> None:
        self.page = context.new_page(viewport={"width": width, "height": height})
        self.epoch = -1
        self.frames = 0
        self.bytes = 0
        self.waiting: tuple[bytes, float] | None = None  # (token, pressed at)
        self.seen_at: float | None = None
        self.page.on("websocket", lambda ws: ws.on("framereceived", self._frame))
        self.page.goto(url)

    def _frame(self, payload: Any) -> None:
        if not isinstance(payload, (bytes, bytearray)):
            return
        now = time.perf_counter()
        self.frames += 1
        self.bytes += len(payload)
        found = EPOCH.findall(payload)
        if found:
            self.epoch = max(self.epoch, int(found[-1]))
        if self.waiting is not None and self.waiting[0] in payload:
            self.seen_at = now
            self.waiting = None

    def press(self, key: str, token: bytes) -> float:
        self.seen_at = None
        pressed = time.perf_counter()
        self.waiting = (token, pressed)
        self.page.keyboard.press(key)
        return pressed


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


def run(args: argparse.Namespace) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    extra = ["--cpu-share", str(args.cpu_share)] if args.cpu_share else []
    with sync_playwright() as playwright, served(args.preset, "--max-sessions", str(args.tabs + 5), *extra) as (
            url, server):
        browser = launch(playwright)
        tabs = [Tab(browser.new_context(), url, args.width, args.height) for _ in range(args.tabs)]
        opened = time.perf_counter()
        for tab in tabs:
            pump(tab.page, lambda t=tab: t.epoch == 0, 60)
        ready = time.perf_counter() - opened
        for tab in tabs:
            focus_terminal(tab.page)
            tab.page.keyboard.press(" ")
        pump(tabs[0].page, lambda: all(t.epoch > 0 for t in tabs), 30)
        start_epochs = [t.epoch for t in tabs]
        start_frames = [t.frames for t in tabs]
        load_start = os.getloadavg()[0]
        latencies: list[float] = []
        misses = 0
        started = time.perf_counter()
        i = 0
        while time.perf_counter() - started < args.seconds:
            tab = tabs[i % len(tabs)]
            for key, token in (("?", HELP_OPEN), ("Escape", HELP_CLOSED)):
                pressed = tab.press(key, token)
                if pump(tab.page, lambda t=tab: t.seen_at is not None, 10) and tab.seen_at is not None:
                    latencies.append(tab.seen_at - pressed)
                else:
                    misses += 1
                tab.page.wait_for_timeout(50)
            i += 1
        elapsed = time.perf_counter() - started
        load_end = os.getloadavg()[0]
        epochs = [t.epoch - e for t, e in zip(tabs, start_epochs)]
        frames = [t.frames - f for t, f in zip(tabs, start_frames)]
        running = len(processes_of(server.pid))
        for tab in tabs:
            tab.page.context.close()
        closed = time.perf_counter()
        left = processes_of(server.pid)
        while left and time.perf_counter() - closed < 30:
            time.sleep(0.1)
            left = processes_of(server.pid)
        gone_after = time.perf_counter() - closed
        browser.close()
    return {
        "tabs": args.tabs, "preset": args.preset, "seconds": round(elapsed, 1), "all_ready_seconds": round(ready, 1),
        "keys": len(latencies), "missed": misses,
        "latency_ms": {"p50": round(1000 * percentile(latencies, 0.5), 1),
                       "p95": round(1000 * percentile(latencies, 0.95), 1),
                       "max": round(1000 * max(latencies, default=float("nan")), 1),
                       "mean": round(1000 * statistics.fmean(latencies), 1) if latencies else None},
        "epochs_per_second_per_tab": [round(e / elapsed, 1) for e in epochs],
        "frames_per_second_per_tab": [round(f / elapsed, 1) for f in frames],
        "processes_while_training": running, "processes_left": len(left),
        "seconds_until_none_left": round(gone_after, 2), "load_average": [round(load_start, 1), round(load_end, 1)],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tabs", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--preset", default="spiral")
    parser.add_argument("--cpu-share", type=float, default=None, help="passed to tui-nn serve (default: its own)")
    parser.add_argument("--width", type=int, default=1280, help="each tab's viewport (a laptop: 1280x800)")
    parser.add_argument("--height", type=int, default=800)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if CHROMIUM is None:
        print("bench/classroom.py needs Chromium: apt-get install -y chromium", file=sys.stderr)
        return 2
    result = run(args)
    if args.json:
        print(json.dumps(result))
        return 0
    lat = result["latency_ms"]
    print(f"{result['tabs']} tabs on {result['preset']}, {result['seconds']} s, load {result['load_average']}")
    print(f"  all playgrounds drawn after {result['all_ready_seconds']} s")
    print(f"  key-to-screen ({result['keys']} keys, {result['missed']} missed): p50 {lat['p50']} ms, "
          f"p95 {lat['p95']} ms, max {lat['max']} ms")
    print(f"  epochs/s per tab: {result['epochs_per_second_per_tab']}")
    print(f"  frames/s per tab: {result['frames_per_second_per_tab']}")
    print(f"  processes while training: {result['processes_while_training']}; left after closing: "
          f"{result['processes_left']} (none after {result['seconds_until_none_left']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
