"""Running a Session in a child process.

A training thread and the UI's Python-side drawing share one interpreter
lock: measured on the spiral preset, the UI's event loop then waited 90-450 ms
(p95) for its turn. In a child process the trainer has its own interpreter
and core, and the UI keeps its own. Commands go down one pipe; events
(snapshots, notices) come back up another, pickled (a snapshot is a few
hundred KB of arrays at most, well under a millisecond to move).
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import select
import sys
import warnings
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection

from .. import i18n
from ..config import Config
from . import limits
from .loop import Session
from .protocol import Command, Event, SetLanguage, Stop, TrainerFailed

__all__ = ["SessionProcess", "TrainerError"]


class TrainerError(RuntimeError):
    """The trainer process died of an exception; the message says which."""


class _PipeCommands:
    """The session's command source over the receiving end of a pipe."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self) -> Command:
        try:
            command: Command = self.conn.recv()
        except (EOFError, OSError):
            return Stop()  # the app has gone: stop too
        return command

    def get_within(self, seconds: float) -> Command | None:
        try:
            ready = self.conn.poll(seconds)
        except (EOFError, OSError):
            return Stop()
        return self.get() if ready else None


def _child(config: Config, grid: tuple[int, int], fps: float, pace: float | None, resume: str | None,
           commands: Connection, out: Connection, parent_ends: tuple[Connection, ...], language: str,
           share: float | None) -> None:
    # Close the parent's ends that fork copied: then, when the app goes away
    # however it ends, the command pipe reports EOF and this process stops.
    for conn in parent_ends:
        conn.close()
    # The app's own reactions to a switch of language (copied by fork) are not
    # this process's; it words its notes in the app's language (SetLanguage).
    i18n._listeners.clear()
    if i18n.language() != language:
        i18n.set_language(language)
    # The terminal belongs to the UI: nothing from here may write to it.
    warnings.simplefilter("ignore")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.dup2(devnull, 1)

    def publish(event: Event) -> None:
        try:
            out.send(event)
        except (BrokenPipeError, OSError):
            raise SystemExit(0) from None

    limits.lower_priority()
    try:
        Session(config, publish, fps=fps, grid=grid, commands=_PipeCommands(commands), pace=pace,
                resume=resume, cpu_share=share).run()
    except SystemExit:
        pass
    except BaseException as exc:  # reported to the app, which shows it
        try:
            out.send(TrainerFailed(type(exc).__name__, str(exc)))
        except Exception:
            pass
    finally:
        out.close()


@contextlib.contextmanager
def _real_std_streams() -> Iterator[None]:
    """The process's own stdout and stderr while a child starts.

    Textual replaces them with capture objects whose fileno() is -1, and
    multiprocessing's resource tracker (started by the first spawned child,
    e.g. a restart after the trainer died) passes stderr's descriptor on:
    with -1 that failed with "bad value(s) in fds_to_keep".
    """
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


class SessionProcess:
    """A Session in a child process: ``send`` commands, ``receive`` events."""

    def __init__(
        self, config: Config, *, fps: float = 10.0, grid: tuple[int, int] = (48, 48), fork: bool = True,
        pace: float | None = None, resume: str | None = None, cpu_share: float | None = None,
    ) -> None:
        """``cpu_share``: the most of a core the trainer may use; None: the served
        limit if there is one (limits.py), else all it can."""
        # fork starts in milliseconds (spawn re-imports NumPy: ~0.3 s more before
        # the first frame). The app forks only at start-up, before Textual's
        # threads exist; a later restart passes fork=False.
        method = "fork" if fork and sys.platform.startswith("linux") else "spawn"
        ctx = mp.get_context(method)
        cmd_recv, self._cmd_send = ctx.Pipe(duplex=False)
        self._out_recv, out_send = ctx.Pipe(duplex=False)
        parent_ends = (self._cmd_send, self._out_recv) if method == "fork" else ()
        self.process = ctx.Process(  # type: ignore[attr-defined]
            target=_child, args=(config, grid, fps, pace, resume, cmd_recv, out_send, parent_ends, i18n.language(),
                                 cpu_share if cpu_share is not None else limits.cpu_share()),
            daemon=True, name="tui-nn-trainer",
        )
        with _real_std_streams():
            self.process.start()
        cmd_recv.close()
        out_send.close()
        # The trainer words its notes in the app's language, whenever it switches.
        self._stop_listening = i18n.on_change(lambda code: self.send(SetLanguage(code)))

    def send(self, command: Command) -> None:
        # Never block the app on a child that does not read (stopped, hung): a
        # full pipe drops the command, the status says the trainer is silent.
        if not self._cmd_send.closed and select.select([], [self._cmd_send.fileno()], [], 0)[1]:
            try:
                self._cmd_send.send(command)
            except (BrokenPipeError, OSError):
                pass  # the child has ended; receive() reports why

    def receive(self, deliver: Callable[[Event], None]) -> None:
        """Hand every event to ``deliver`` until the child ends.

        Raises ``TrainerError`` if the child died of an exception.
        """
        while True:
            try:
                event: Event = self._out_recv.recv()
            except (EOFError, OSError):
                return
            if isinstance(event, TrainerFailed):
                raise TrainerError(f"{event.error}: {event.message}")
            deliver(event)

    def stop(self, timeout: float = 2.0) -> None:
        """Stop the child and reap it (no zombie), then close both pipes.

        A child that does not stop in time is killed: a stopped process
        (kill -STOP) ignores Stop and SIGTERM until continued, and Python's exit
        would otherwise wait for it forever.
        """
        self._stop_listening()
        self.send(Stop())
        self.process.join(timeout)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout)
        for conn in (self._cmd_send, self._out_recv):
            conn.close()
