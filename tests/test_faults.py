"""Faults: a trainer that dies, fails or stops must not crash, freeze or hang
the app, and restarting after it works."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("textual")

from tui_nn.training import Trainer  # noqa: E402

from pilot_helpers import playground, status_text, wait_for  # noqa: E402


def test_restarting_a_killed_trainer_works():
    async def drive() -> None:
        async with playground("spiral", pace=None) as (app, pilot):
            await pilot.press("space")
            await wait_for(pilot, lambda: app.snapshot.epoch > 5, what="training")
            os.kill(app.session.process.pid, signal.SIGKILL)
            await wait_for(pilot, lambda: "training process ended" in status_text(app), what="the app notices")
            for key in ("plus", "minus", "r"):  # each crashed the app before
                await pilot.press(key)
                await pilot.pause(0.2)
            await wait_for(pilot, lambda: app.session is not None and app.snapshot.epoch == 0, what="restart")
            await pilot.press("space")
            await wait_for(pilot, lambda: app.snapshot.epoch > 3, what="training again")
            assert app.is_running

    asyncio.run(drive())


def test_an_exception_in_the_trainer_pauses_the_run_and_says_what_failed(monkeypatch):
    calls = {"n": 0}
    real = Trainer.train_epoch

    def flaky(self):
        calls["n"] += 1
        if calls["n"] == 4:
            raise RuntimeError("planted fault")
        return real(self)

    # The trainer process is forked from this one, so it trains with the planted fault.
    monkeypatch.setattr(Trainer, "train_epoch", flaky)

    async def drive() -> None:
        async with playground("circle", pace=None) as (app, pilot):
            await pilot.press("space")
            await wait_for(pilot, lambda: "planted fault" in status_text(app), what="the failure shown")
            assert app.snapshot.run.state == "paused" and app.snapshot.epoch == 3
            await pilot.press("space")  # and it goes on from there
            await wait_for(pilot, lambda: app.snapshot.epoch > 6, what="training after the fault")

    asyncio.run(drive())


def test_stopping_a_stopped_trainer_does_not_hang(tmp_path: Path):
    """kill -STOP on the trainer, then quit: the app must still exit."""
    script = tmp_path / "stop.py"
    script.write_text(textwrap.dedent("""
        import os, signal, sys, time
        from tui_nn.io.presets import load_preset
        from tui_nn.session.process import SessionProcess
        from tui_nn.session.protocol import Play
        s = SessionProcess(load_preset("circle").with_overrides(["training.epochs=0"]))
        s.send(Play())
        time.sleep(0.5)
        os.kill(s.process.pid, signal.SIGSTOP)
        for _ in range(2000):  # more commands than the pipe holds
            s.send(Play())
        s.stop(timeout=1.0)
        print("stopped", s.process.exitcode, flush=True)
    """))
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("stopped -9")


def test_snapshots_arriving_under_the_help_screen_and_at_teardown_are_harmless():
    async def drive() -> None:
        async with playground("spiral", pace=None) as (app, pilot):
            await pilot.press("space")
            await wait_for(pilot, lambda: app.snapshot.epoch > 3, what="training")
            await pilot.press("question_mark")  # another screen on top while snapshots arrive
            seen = app.snapshots_seen
            await wait_for(pilot, lambda: app.snapshots_seen > seen + 5, what="snapshots under help")
            await pilot.press("escape")
            await pilot.pause(0.1)
        # Leaving run_test tears the app down with training running: snapshots
        # still on their way must not raise (NoMatches once, 3 runs in 12).

    for _ in range(6):
        asyncio.run(drive())



@pytest.mark.parametrize("running", [True, False])
def test_the_session_ends_when_its_command_source_is_gone(running: bool):
    """A dead app's pipe answers every read with EOF, which the session reads as
    Stop, for ever. The trainer of an app killed on its own (seen after
    bench/memory.py killed the app) spun at a full core in ``_drain`` for ever."""
    from tui_nn.io.presets import load_preset
    from tui_nn.session.loop import Session
    from tui_nn.session.protocol import Play, SetPace, Stop

    class Gone:
        calls = 0

        def _next(self):
            self.calls += 1
            if self.calls > 1000:
                raise AssertionError("the session kept reading a source that had gone")
            if running and self.calls <= 2:
                return (SetPace(None), Play())[self.calls - 1]
            return Stop()

        def get(self):
            return self._next()

        def get_within(self, seconds):
            return self._next()

    source = Gone()
    Session(load_preset("circle").with_overrides(["training.epochs=0"]), lambda event: None,
            commands=source).run()
    assert source.calls < 10
