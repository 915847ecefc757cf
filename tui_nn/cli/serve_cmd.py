"""``tui-nn serve``: the playground for a class, one per browser tab (tui_nn/serve/).
Bad options raise ConfigError: one line and exit status 2, as everywhere."""

from __future__ import annotations

import argparse
import os
import socket
from typing import Any

from ..config import ConfigError
from ..i18n import LANGUAGES, _, language
from ..io.presets import DEFAULT_PRESET, load_preset, resolve_preset

__all__ = ["add_serve_parser", "cmd_serve"]

MISSING = "tui-nn serve needs textual-serve: pip install 'tui-nn[serve]'"


def add_serve_parser(sub: Any) -> None:
    p = sub.add_parser("serve", help=_("serve the playground to browsers: one session per tab"))
    p.add_argument("preset", nargs="?", default=DEFAULT_PRESET,
                   help=_("the preset every tab opens (default: {preset})").format(preset=DEFAULT_PRESET))
    p.add_argument("--host", default="localhost",
                   help=_("the address to listen on (default: localhost; 0.0.0.0 for every network)"))
    p.add_argument("--port", type=int, default=8000, help=_("the port (default: 8000)"))
    p.add_argument("--public-url", metavar="URL",
                   help=_("the address students open, behind a reverse proxy (e.g. https://lab.example.org/nn)"))
    p.add_argument("--files", metavar="DIR",
                   help=_("a folder whose presets and CSV files students may open (default: none)"))
    p.add_argument("--max-sessions", type=int, default=30, metavar="N",
                   help=_("playgrounds open at once; the next tab is asked to wait (default: 30)"))
    p.add_argument("--cpu-share", type=float, default=0.5, metavar="F",
                   help=_("the share of one core each student's training may use, 0.05 to 1 (default: 0.5)"))
    p.add_argument("--lang", choices=tuple(LANGUAGES), help=_("the language of every text (default: the locale's)"))


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        from ..serve.server import ClassServer
    except ImportError:
        raise ConfigError(MISSING) from None
    if not 1 <= args.port <= 65535:
        raise ConfigError(_("--port {port}: allowed 1 to 65535").format(port=args.port))
    if args.max_sessions < 1:
        raise ConfigError(_("--max-sessions {count}: allowed 1 or more").format(count=args.max_sessions))
    if not 0.05 <= args.cpu_share <= 1.0:
        raise ConfigError(_("--cpu-share {share}: allowed 0.05 to 1").format(share=args.cpu_share))
    files = None
    if args.files is not None:
        if not os.path.isdir(args.files):
            raise ConfigError(_("--files {path}: not a folder").format(path=args.files))
        files = os.path.realpath(args.files)
    load_preset(args.preset)  # a bad preset fails here, not in every tab
    preset = str(resolve_preset(args.preset).resolve())
    from ..serve.student import student_argv

    argv = student_argv(preset, files=files, lang=language(), cpu_share=args.cpu_share)
    _check_address(args.host, args.port)  # before the server says where to go
    server = ClassServer(argv, host=args.host, port=args.port, public_url=args.public_url,
                         max_sessions=args.max_sessions, cpu_share=args.cpu_share)
    try:
        server.serve()
    except OSError as exc:
        raise ConfigError(_("cannot listen on {host}:{port}: {reason}").format(
            host=args.host, port=args.port, reason=exc.strerror or exc)) from None
    return 0


def _check_address(host: str, port: int) -> None:
    try:
        family, kind, proto, _name, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        raise ConfigError(_("cannot listen on {host}:{port}: {reason}").format(
            host=host, port=port, reason=exc.strerror or exc)) from None
