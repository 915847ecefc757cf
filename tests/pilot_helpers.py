"""Helpers for driving the playground under Textual's Pilot: run an async test,
wait for the snapshot a test needs (never for a fixed time), read the state."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections.abc import AsyncIterator, Awaitable, Callable

from textual.pilot import Pilot

from tui_nn.app.app import PlaygroundApp
from tui_nn.app.status import StatusLine
from tui_nn.io.presets import load_preset


def async_test(fn: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    """Run an async test body (the app under Pilot) on a fresh event loop."""

    @functools.wraps(fn)
    def test(*args: object, **kwargs: object) -> None:
        asyncio.run(fn(*args, **kwargs))

    return test


async def wait_for(pilot: Pilot, condition: Callable[[], object], timeout: float = 20.0,
                   what: str = "condition") -> None:
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.02)


def state(app: PlaygroundApp) -> str:
    snap = app.snapshot
    return snap.run.state if snap is not None else ""


def epoch(app: PlaygroundApp) -> int:
    return app.snapshot.epoch if app.snapshot is not None else -1


def status_text(app: PlaygroundApp) -> str:
    return str(app.query_one(StatusLine).render())


def make_app(preset: str = "circle", epochs: int = 0, pace: float | None = 30.0) -> PlaygroundApp:
    # epochs = 0: no limit, so a run is still running when the test looks.
    return PlaygroundApp(load_preset(preset).with_overrides([f"training.epochs={epochs}"]), pace=pace)


@contextlib.asynccontextmanager
async def playground(preset: str = "circle", epochs: int = 0, size: tuple[int, int] = (120, 40),
                     pace: float | None = 30.0) -> AsyncIterator[tuple[PlaygroundApp, Pilot]]:
    """The app on ``preset`` at ``size``, once its first snapshot has arrived."""
    app = make_app(preset, epochs, pace)
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: app.snapshot is not None, what="first snapshot")
        yield app, pilot
