"""The web server of ``tui-nn serve``: textual-serve's, holding a class.

textual-serve runs one app process per browser connection and relays the
terminal over a websocket. On top of it, here:

- each tab's process starts in a process group of its own (exec, not a
  shell), so that when the tab closes the app, its trainer and any compare
  runs are all gone within ``STOP_SECONDS``, even if the app hangs;
- at most ``max_sessions`` playgrounds at once: the next student gets a short
  page saying the class is full (and a tab that raced past it, a line in its
  terminal), rather than a server too loaded for everyone;
- each app's packets reach the server whole (``driver.py``: Textual's web
  driver could interleave a download's chunk with a frame);
- the apps draw at ``FPS`` frames a second (textual-serve asks 60: thirty
  students' redraws would take the cores the trainers need), and every
  numerical library in them is held to one thread.
"""

from __future__ import annotations

import asyncio
import html
import ipaddress
import logging
import os
import signal
import socket
from typing import Any

from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from ..i18n import _
from .driver import DRIVER_IMPORT

__all__ = ["FPS", "SERVER_VAR", "STOP_SECONDS", "ClassServer", "is_loopback"]

log = logging.getLogger("tui-nn.serve")

FPS = 20
SERVER_VAR = "TUI_NN_SERVER"
STOP_SECONDS = 3.0
ONE_THREAD = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS",
              "NUMEXPR_NUM_THREADS")


class StudentService(AppService):
    """One tab's app process, started directly in a process group of its own."""

    def __init__(self, argv: list[str], **kwargs: Any) -> None:
        super().__init__(" ".join(argv), **kwargs)
        self.argv = argv

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        environment = super()._build_environment(width, height)
        environment["TEXTUAL_FPS"] = str(FPS)
        environment["TEXTUAL_DRIVER"] = DRIVER_IMPORT  # packets written whole (driver.py)
        # Every process of a tab (its trainers inherit it) carries the server's
        # pid: how `ps`, the tests and the class measurement find what is left.
        environment[SERVER_VAR] = str(os.getpid())
        environment.update({name: "1" for name in ONE_THREAD})
        return environment

    async def _open_app_process(self, width: int = 80, height: int = 24) -> asyncio.subprocess.Process:
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env=self._build_environment(width, height), start_new_session=True,
        )
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    async def stop(self) -> None:
        """Ask the app to quit; whatever of its group is left after STOP_SECONDS is killed."""
        try:
            await asyncio.wait_for(super().stop(), STOP_SECONDS)
        except (TimeoutError, ConnectionError, RuntimeError):
            pass
        finally:
            self.kill_group()

    def kill_group(self) -> None:
        process = self._process
        if process is None:
            return
        try:
            os.killpg(process.pid, signal.SIGKILL)  # the app, its trainer, its compare runs
        except (ProcessLookupError, PermissionError):
            pass


class ClassServer(Server):
    """textual-serve's server with a session limit and processes that never outlive their tab."""

    def __init__(self, argv: list[str], *, host: str, port: int, public_url: str | None, max_sessions: int,
                 cpu_share: float = 0.5, title: str = "tui-nn") -> None:
        super().__init__(" ".join(argv), host=host, port=port, title=title, public_url=public_url)
        self.argv = argv
        self.fixed_url = public_url  # None: each page's own address (the Host it was asked on)
        self.max_sessions = max_sessions
        self.cpu_share_text = f"{cpu_share:g}"
        self.active = 0
        self.services: set[StudentService] = set()

    @property
    def full(self) -> bool:
        return self.active >= self.max_sessions

    def full_text(self) -> str:
        return _("The class is full: all {count} places on this server are taken. "
                 "Try again in a minute, or ask your teacher.").format(count=self.max_sessions)

    async def handle_index(self, request: web.Request) -> Any:
        if self.full:
            return web.Response(status=503, content_type="text/html", text=_full_page(self.full_text()),
                                headers={"Retry-After": "60"})
        if self.fixed_url is None:
            # The page's websocket goes back where the page came from: bound to
            # 0.0.0.0, "http://0.0.0.0:8000" would reach no student's server.
            self.public_url = f"{request.scheme}://{request.host}"
        return await super().handle_index(request)

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        websocket = web.WebSocketResponse(heartbeat=15)
        await websocket.prepare(request)
        if self.full:  # a tab that loaded the page before the last place went
            await websocket.send_bytes(("\r\n  " + self.full_text() + "\r\n").encode("utf-8"))
            await websocket.close()
            return websocket
        self.active += 1
        service = StudentService(self.argv, write_bytes=websocket.send_bytes, write_str=websocket.send_str,
                                 close=websocket.close, download_manager=self.download_manager)
        self.services.add(service)
        try:
            width = _cells(request.query.get("width", ""), 80)
            height = _cells(request.query.get("height", ""), 24)
            await service.start(width, height)
            await self._process_messages(websocket, service)
        except asyncio.CancelledError:
            pass
        except Exception as error:  # a broken connection: the tab is gone either way
            log.warning("session ended: %s", error)
        finally:
            self.active -= 1
            self.services.discard(service)
            await service.stop()
            if not websocket.closed:
                await websocket.close()
        return websocket

    def serve(self, debug: bool = False) -> None:
        """Until Ctrl+C or SIGTERM; the address is printed once the port is listening
        (aiohttp's on_startup comes before that: a browser sent there at once found nothing)."""
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, self.request_exit)
        web.run_app(self._make_app(), host=self.host, port=self.port, handle_signals=False, loop=loop,
                    print=lambda *_args: self._announce())

    async def on_startup(self, app: web.Application) -> None:
        pass  # textual-serve's logo and lines: ours are printed by _announce

    def _announce(self) -> None:
        url = self.fixed_url or self.public_url
        if self.fixed_url is None and self.host in ("0.0.0.0", "::", ""):
            url = f"http://{socket.gethostname()}:{self.port}"  # every address: name the machine
        print(_("tui-nn serve: open {url} in a browser (Ctrl+C stops the server)").format(url=url), flush=True)
        print(_("at most {count} playgrounds at once; each tab's training uses at most {share} of a core").format(
            count=self.max_sessions, share=self.cpu_share_text), flush=True)
        if not is_loopback(self.host):
            print(_("warning: bound to {host}: anyone who can reach this address can open a playground "
                    "on this machine").format(host=self.host), flush=True)

    async def on_shutdown(self, app: web.Application) -> None:
        for service in list(self.services):
            service.kill_group()


def is_loopback(host: str) -> bool:
    """True for an address only this machine can reach (localhost, 127.x, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        try:
            return all(ipaddress.ip_address(info[4][0]).is_loopback
                       for info in socket.getaddrinfo(host, None))
        except (OSError, ValueError):
            return False


def _cells(value: str, default: int) -> int:
    """A terminal size the page asked for, within reason."""
    return max(10, min(to_int(value, default), 1000))


def _full_page(text: str) -> str:
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>tui-nn</title></head>"
            "<body style='background:#0c181f;color:#eee;font:18px monospace;padding:3em'>"
            f"<h1>tui-nn</h1><p>{html.escape(text)}</p></body></html>")
