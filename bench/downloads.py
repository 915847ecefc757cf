"""Downloads from a served tab whose page is starved of CPU: how many arrive whole.

``tui-nn serve`` sends a save as a download: the app's chunks and its screen go
to the server over one pipe. When the page is slow to take the screen (a busy
student laptop, a projector machine), the pipe fills while the app keeps
drawing; a chunk written then must not land inside a frame
(tui_nn/serve/driver.py). This starves Chromium (its processes reniced to 19
against ``--burners`` busy loops), trains the spiral preset, and asks for
"Save model" ``--saves`` times from the command palette, printing how many
downloads arrived and loaded as a model, and whether the tab still draws after.

    .venv/bin/python bench/downloads.py             # 20 saves, 4 busy loops, 1920x1080
    .venv/bin/python bench/downloads.py --saves 10 --burners 0

Measured on the 2-core machine: Textual's own web driver 4, 10 and 16 of 20
(the first failure "canceled", none after it); tui-nn's driver 20 of 20, three
runs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from browser_helpers import CHROMIUM, focus_terminal, launch, open_tab, served, wait_for  # noqa: E402


def starve_chromium() -> None:
    for pid in subprocess.run(["pgrep", "-f", "chromium"], capture_output=True, text=True).stdout.split():
        subprocess.run(["renice", "-n", "19", "-p", pid], capture_output=True)


def save_once(page: Any, downloads: list[Any], seconds: float) -> str:
    """One "Save model" from the palette: "ok", or what went wrong."""
    from tui_nn.io.model_files import load_model

    before = len(downloads)
    page.keyboard.press("Control+p")
    page.wait_for_timeout(300)
    page.keyboard.type("Save model")
    page.wait_for_timeout(300)
    page.keyboard.press("Enter")
    try:
        wait_for(page, lambda: len(downloads) > before, seconds=seconds, what="the download")
    except AssertionError:
        return "no download"
    download = downloads[-1]
    failure = download.failure()
    if failure:
        return f"failed: {failure}"
    try:
        load_model(Path(download.path()))
    except Exception as error:  # what a broken file gives
        return f"not a model: {error}"
    return "ok"


def run(args: argparse.Namespace) -> int:
    from playwright.sync_api import sync_playwright

    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.burners)]
    try:
        with sync_playwright() as playwright, served("spiral") as (url, _server):
            browser = launch(playwright)
            page, terminal = open_tab(browser, url, args.width, args.height)
            wait_for(page, lambda: terminal.epoch() == 0, seconds=60, what="the playground")
            starve_chromium()
            focus_terminal(page)
            page.keyboard.press(" ")
            downloads: list[Any] = []
            page.on("download", lambda download: downloads.append(download))
            results = []
            for i in range(args.saves):
                results.append(save_once(page, downloads, args.seconds))
                print(f"  save {i + 1}/{args.saves}: {results[-1]}", file=sys.stderr, flush=True)
                page.wait_for_timeout(300)
            frames = terminal.frames
            page.keyboard.press("Control+p")  # the palette: a tab that still draws shows it
            page.wait_for_timeout(2000)
            page.keyboard.press("Escape")
            still_drawing = terminal.frames > frames
            browser.close()
    finally:
        for burner in burners:
            burner.kill()
    ok = results.count("ok")
    print(f"downloads {ok} of {args.saves} arrived whole and loaded as a model"
          f" ({args.width}x{args.height} page, Chromium at nice 19, {args.burners} busy loops,"
          f" {os.cpu_count()} cores); the tab {'still draws' if still_drawing else 'drew nothing after'};"
          f" epoch at the end {terminal.epoch()}; {terminal.garbled} frames garbled")
    return 0 if ok == args.saves else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--saves", type=int, default=20)
    parser.add_argument("--burners", type=int, default=4, help="busy loops competing with Chromium")
    parser.add_argument("--seconds", type=float, default=15.0, help="how long one download may take")
    parser.add_argument("--width", type=int, default=1920)
    parser.add_argument("--height", type=int, default=1080)
    args = parser.parse_args()
    if CHROMIUM is None:
        print("downloads.py: Chromium is not installed (apt-get install -y chromium)", file=sys.stderr)
        return 2
    started = time.monotonic()
    code = run(args)
    print(f"({time.monotonic() - started:.0f} s)")
    return code


if __name__ == "__main__":
    sys.exit(main())
