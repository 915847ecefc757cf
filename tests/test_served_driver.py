"""A served tab's driver (tui_nn/serve/driver.py): every packet reaches the server
whole, even when a download's chunk is sent while a large frame is still going
into a full pipe, as happens when the server is busy with a slow browser."""

from __future__ import annotations

import asyncio
import fcntl
import os
import select
import sys
import termios
import threading
import time

import pytest

pytest.importorskip("textual_serve")


def queued(fd: int) -> int:
    """Bytes waiting in a pipe."""
    return int.from_bytes(fcntl.ioctl(fd, termios.FIONREAD, b"\0" * 4), sys.byteorder)


def read_packets(fd: int, count: int, seconds: float = 5.0) -> list[tuple[bytes, bytes]]:
    """The first ``count`` packets (type byte, payload) the way textual-serve parses them."""
    buffer = b""
    packets = []
    deadline = time.monotonic() + seconds
    while len(packets) < count:
        while len(buffer) < 5 or len(buffer) < 5 + int.from_bytes(buffer[1:5], "big"):
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            assert ready, f"no whole packet within {seconds} s: {len(packets)} read, {buffer[:5]!r} next"
            chunk = os.read(fd, 65536)
            assert chunk, "the pipe closed early"
            buffer += chunk
        size = int.from_bytes(buffer[1:5], "big")
        packets.append((buffer[:1], buffer[5:5 + size]))
        buffer = buffer[5 + size:]
    return packets


def test_a_chunk_sent_during_a_large_frame_arrives_after_it_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    from textual.app import App
    from textual.drivers import web_driver
    from textual_serve._binary_encode import load as binary_load

    from tui_nn.serve.driver import StudentDriver

    # Only the output side is under test: no reader on the test's own stdin.
    monkeypatch.setattr(web_driver, "InputReader", lambda: None)

    async def build() -> StudentDriver:  # a driver is made inside the app's loop
        return StudentDriver(App(), debug=False)

    reader, writer = os.pipe()
    driver = asyncio.run(build())
    driver.fileno = writer
    frame = "x" * 300_000  # a whole screen redrawn: more than the pipe holds (64 KiB on Linux)
    chunk = bytes(range(256)) * 12
    screen = threading.Thread(target=driver.write, args=(frame,))
    screen.start()
    deadline = time.monotonic() + 5
    while queued(reader) < fcntl.fcntl(writer, fcntl.F_GETPIPE_SZ) and time.monotonic() < deadline:
        time.sleep(0.01)  # until the frame has filled the pipe and waits for the server to read
    download = threading.Thread(target=driver.write_binary_encoded, args=(("deliver_chunk", "key", chunk),))
    download.start()
    time.sleep(0.1)  # the chunk's write is under way while the frame's still waits
    try:
        (first, frame_bytes), (second, packed) = read_packets(reader, 2)
    finally:
        screen.join(5)
        download.join(5)
        os.close(reader)
        os.close(writer)
    assert (first, second) == (b"D", b"P")
    assert frame_bytes == frame.encode()
    assert tuple(binary_load(packed)) == ("deliver_chunk", "key", chunk)


def test_the_server_starts_each_tab_with_this_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    from textual import constants
    from textual.app import App

    from tui_nn.serve.driver import StudentDriver
    from tui_nn.serve.server import StudentService
    from tui_nn.serve.student import student_argv

    service = StudentService(student_argv("spiral", files=None, lang=None, cpu_share=0.5), write_bytes=None,
                             write_str=None, close=None, download_manager=None)
    environment = service._build_environment(80, 24)
    monkeypatch.setattr(constants, "DRIVER", environment["TEXTUAL_DRIVER"])  # as the tab's process reads it
    assert App().get_driver_class() is StudentDriver
