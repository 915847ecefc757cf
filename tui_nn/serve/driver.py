"""The terminal driver of a served tab: Textual's web driver, writing whole packets.

Textual's web driver sends everything to textual-serve over one pipe as framed
packets (a type byte, a length, the payload), from two threads: the screen from
the app's loop, a download's chunks from the input thread that answers the
server's chunk requests. It writes each packet with one ``os.write``. A write
larger than the room left in the pipe goes in pieces while the server is busy
sending earlier frames to a slow browser, and the other thread's packet then
lands between two pieces: the server reads a length out of the middle of a
frame, the download waits for a chunk that never comes (the browser reports it
cancelled) and the tab draws nothing more. Here every packet is written whole,
under a lock, and a partial write (a signal while the pipe was full) is
finished rather than dropped.
"""

from __future__ import annotations

import os
import threading
from functools import partial
from typing import Any

from textual.drivers.web_driver import WebDriver

__all__ = ["DRIVER_IMPORT", "StudentDriver"]

# How textual-serve's environment variable TEXTUAL_DRIVER names this class.
DRIVER_IMPORT = f"{__name__}:StudentDriver"


class StudentDriver(WebDriver):
    """A web driver whose packets reach the server whole, whichever thread sends them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._write_lock = threading.Lock()
        self._write = partial(self._write_whole)  # in place of partial(os.write, fileno)

    def _write_whole(self, data: bytes) -> int:
        with self._write_lock:
            view = memoryview(data)
            while view:
                view = view[os.write(self.fileno, view):]
        return len(data)
