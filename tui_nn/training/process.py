"""Running a Session in a child process.

A training thread and the UI's Python-side drawing share one interpreter
lock: measured on the spiral preset, the UI's event loop then waited 90-450 ms
(p95) for its turn. In a child process the trainer has its own interpreter
and core, and the UI keeps its own. Commands go down one pipe; snapshots and
notices come back up another, pickled (a snapshot is a few hundred KB of
arrays at most, well under a millisecond to move).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import sys
import warnings
from multiprocessing.connection import Connection
from typing import Any, Callable

from ..config import Config
from .session import Command, Session

__all__ = ["SessionProcess"]


class _PipeCommands:
    """queue.Queue's get/get_nowait over the receiving end of a pipe."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self) -> Command:
        try:
            return self.conn.recv()
        except (EOFError, OSError):
            return Command("stop")  # the app has gone: stop too

    def get_nowait(self) -> Command:
        if self.conn.poll():
            return self.get()
        raise queue.Empty


def _child(config: Config, grid: tuple[int, int], fps: float, commands: Connection,
           out: Connection, parent_ends: tuple[Connection, ...]) -> None:
    # Close the parent's ends that fork copied: then, when the app goes away
    # however it ends, the command pipe reports EOF and this process stops.
    for conn in parent_ends:
        conn.close()
    # The terminal belongs to the UI: nothing from here may write to it.
    warnings.simplefilter("ignore")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.dup2(devnull, 1)

    def publish(item: Any) -> None:
        try:
            out.send(item)
        except (BrokenPipeError, OSError):
            raise SystemExit(0) from None

    try:
        session = Session(config, publish, fps=fps, grid=grid, commands=_PipeCommands(commands))
        session.run()
    except SystemExit:
        pass
    except BaseException as exc:  # reported to the app, which shows it
        try:
            out.send(exc)
        except Exception:
            pass
    finally:
        out.close()


class SessionProcess:
    """A Session in a child process, with the same ``send`` as Session."""

    def __init__(
        self, config: Config, *, fps: float = 10.0, grid: tuple[int, int] = (48, 48),
        fork: bool = True,
    ) -> None:
        # fork starts in milliseconds (spawn re-imports NumPy: ~0.3 s more before
        # the first frame). The app forks only at start-up, before Textual's
        # threads exist; a later restart passes fork=False.
        method = "fork" if fork and sys.platform.startswith("linux") else "spawn"
        ctx = mp.get_context(method)
        cmd_recv, self._cmd_send = ctx.Pipe(duplex=False)
        self._out_recv, out_send = ctx.Pipe(duplex=False)
        self.grid = grid
        parent_ends = (self._cmd_send, self._out_recv) if method == "fork" else ()
        self.process = ctx.Process(
            target=_child, args=(config, grid, fps, cmd_recv, out_send, parent_ends),
            daemon=True, name="tui-nn-trainer",
        )
        self.process.start()
        cmd_recv.close()
        out_send.close()

    def send(self, name: str, *args, **kwargs) -> None:
        if name == "grid":
            self.grid = (int(args[0]), int(args[1]))
        try:
            self._cmd_send.send(Command(name, args, kwargs))
        except (BrokenPipeError, OSError):
            pass  # the child has ended; receive() reports why

    def receive(self, deliver: Callable[[Any], None]) -> None:
        """Hand every snapshot or notice to ``deliver`` until the child ends.

        Raises the child's exception if it died of one.
        """
        while True:
            try:
                item = self._out_recv.recv()
            except (EOFError, OSError):
                return
            if isinstance(item, BaseException):
                raise item
            deliver(item)

    def stop(self, timeout: float = 2.0) -> None:
        """Stop the child and reap it (no zombie), then close both pipes."""
        self.send("stop")
        self.process.join(timeout)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout)
        for conn in (self._cmd_send, self._out_recv):
            conn.close()
