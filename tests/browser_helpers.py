"""Driving ``tui-nn serve`` in a real browser: headless Chromium (Debian's
package) through Playwright for Python, the page's terminal read back from the
websocket frames the server sends (textual-serve draws on a canvas, so the DOM
holds no text), fed to a terminal emulator (pyte) of the page's size."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Flags this machine's closed network needs (each background service would retry).
CHROMIUM_ARGS = ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def need_browser() -> None:
    """Skip, saying what to install, when any piece of the browser tests is missing
    (fail instead where TUI_NN_REQUIRE_BROWSER is set: CI, which installs them)."""
    missing = pytest.fail if os.environ.get("TUI_NN_REQUIRE_BROWSER") else pytest.skip
    if CHROMIUM is None:
        missing("Chromium is not installed (apt-get install -y chromium): the browser tests need it")
    for module, package in (("playwright", "playwright"), ("pyte", "pyte"), ("textual_serve", "textual-serve")):
        try:
            __import__(module)
        except ImportError:
            missing(f"{package} is not installed (pip install '.[test]'): the browser tests need it")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(*args: str, env: dict[str, str] | None = None) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """``tui-nn serve ARGS`` on a free port: (its URL, the process), stopped after."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui_nn", "serve", "--port", str(port), *args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, **(env or {})},
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # "open http://... in a browser", in the server's language
        found = re.search(r"http://[^\s을]+", line)
        assert found, f"tui-nn serve printed {line!r}, exit status {proc.poll()}"
        url = found.group(0)
        # Keep reading what it prints: a pipe nobody reads would stop the server
        # once full; the lines are there for a failing test to show.
        proc.lines = []  # type: ignore[attr-defined]
        threading.Thread(target=lambda: proc.lines.extend(proc.stdout), daemon=True).start()  # type: ignore
        yield url, proc
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def processes_of(server_pid: int) -> list[int]:
    """Every process started for the server's tabs (apps and trainers): they carry its pid."""
    marker = f"TUI_NN_SERVER={server_pid}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


class Terminal:
    """The page's terminal as the websocket draws it."""

    def __init__(self) -> None:
        import pyte

        self.screen = pyte.Screen(80, 24)
        self.stream = pyte.ByteStream(self.screen)
        self.frames = 0
        self.garbled = 0  # frames the terminal emulator could not take
        self.texts: list[Any] = []  # the server's text messages (downloads start with one)
        self.last_frame = 0.0
        self.response: Any = None  # the page's HTTP response

    def attach(self, ws: Any) -> None:
        query = parse_qs(urlparse(ws.url).query)
        if "width" in query:
            self.screen.resize(int(query["height"][0]), int(query["width"][0]))
        ws.on("framereceived", self._received)
        ws.on("framesent", self._sent)

    def _received(self, payload: Any) -> None:
        if isinstance(payload, (bytes, bytearray)):
            try:
                self.stream.feed(bytes(payload))
            except Exception:  # escape codes no terminal would send: a stream out of step
                self.garbled += 1
            self.frames += 1
            self.last_frame = time.perf_counter()
        else:
            self.texts.append(json.loads(payload))

    def _sent(self, payload: Any) -> None:
        if isinstance(payload, str) and payload.startswith('["resize"'):
            size = json.loads(payload)[1]
            self.screen.resize(size["height"], size["width"])

    @property
    def text(self) -> str:
        return "\n".join(self.screen.display)

    def epoch(self) -> int | None:
        found = re.search(r"(?:epoch|에포크) (\d+)", self.text)
        return int(found.group(1)) if found else None


def launch(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def open_tab(browser: Any, url: str, width: int = 1400, height: int = 900) -> tuple[Any, Terminal]:
    page = browser.new_page(viewport={"width": width, "height": height}, accept_downloads=True)
    terminal = Terminal()
    page.on("websocket", terminal.attach)
    terminal.response = page.goto(url)
    return page, terminal


def wait_for(page: Any, test: Any, seconds: float = 30.0, what: str = "") -> None:
    """Let the page run (Playwright delivers events only inside its calls) until ``test()``."""
    deadline = time.monotonic() + seconds
    while not test():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or test}")
        page.wait_for_timeout(100)


def focus_terminal(page: Any) -> None:
    page.evaluate("document.querySelector('.xterm-helper-textarea').focus()")
