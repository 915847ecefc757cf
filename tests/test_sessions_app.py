"""Sessions in the app: quitting with unsaved training asks first, the autosave
keeps a dropped run, reopening offers to continue it, and `tui-nn --resume`
starts where a saved session stopped."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("textual")

from tui_nn.app.app import PlaygroundApp  # noqa: E402
from tui_nn.app.dialogs.choice import ChoiceDialog  # noqa: E402
from tui_nn.cli import main  # noqa: E402
from tui_nn.io.presets import load_preset  # noqa: E402
from tui_nn.io.session_files import load_session, save_session, session_summary  # noqa: E402
from tui_nn.training import Trainer  # noqa: E402

from pilot_helpers import async_test, epoch, status_text, wait_for  # noqa: E402

CIRCLE = load_preset("circle").with_overrides(["training.epochs=0"])


@async_test
async def test_quitting_with_unsaved_training_asks_first(tmp_path: Path):
    app = PlaygroundApp(CIRCLE, pace=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.snapshot is not None)
        await pilot.press("q")  # nothing trained yet: quits at once
        await wait_for(pilot, lambda: not app.is_running, what="quit at once")
    app = PlaygroundApp(CIRCLE, pace=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.snapshot is not None)
        for expected in (1, 2, 3):
            await pilot.press("n")
            await wait_for(pilot, lambda: epoch(app) == expected)
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog), what="the question")
        assert app.is_running
        await pilot.press("escape")  # cancel: still here
        await pilot.pause(0.2)
        assert app.is_running and not isinstance(app.screen, ChoiceDialog)
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        await pilot.press("s")  # save, then quit: asks where
        await wait_for(pilot, lambda: app.screen.query("#path"), what="the path dialog")
        app.screen.query_one("#path").value = str(tmp_path / "left.npz")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not app.is_running, what="quit after saving")
    trainer, _ = load_session(tmp_path / "left.npz")
    assert trainer.epoch == 3


@async_test
async def test_the_autosave_keeps_the_run_and_reopening_offers_it(tmp_path: Path):
    autosave = tmp_path / "tui-nn" / "autosave.npz"
    app = PlaygroundApp(CIRCLE, pace=None, autosave=(autosave, 0.2))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.snapshot is not None)
        await pilot.press("space")
        await wait_for(pilot, lambda: autosave.exists() and app.snapshot.run.unsaved_epochs < epoch(app),
                       what="an autosave")
        await pilot.press("space")
        await wait_for(pilot, lambda: app.snapshot.run.state == "paused")
        await pilot.pause(0.5)  # the last autosave lands
        saved_at = session_summary(autosave).epoch
        assert saved_at > 0
        app.session.process.kill()  # the SSH link drops: no clean quit
    offer = session_summary(autosave)
    app = PlaygroundApp(CIRCLE, pace=None, autosave=(autosave, 60.0), offer=offer)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog), what="the offer")
        await pilot.press("c")
        await wait_for(pilot, lambda: epoch(app) == saved_at, what="the run resumed")
        assert f"Resumed {autosave}" in status_text(app)
        await pilot.press("q")  # nothing trained since: quits, and the autosave goes
        await wait_for(pilot, lambda: not app.is_running)
    assert not autosave.exists()


def test_tui_nn_resume_opens_where_the_session_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    session = tmp_path / "s.npz"
    trainer = Trainer(CIRCLE)
    trainer.run(17)
    save_session(session, trainer)
    seen = []

    def run_app(config, **options):
        async def drive() -> None:
            app = PlaygroundApp(config, **options)
            async with app.run_test(size=(80, 24)) as pilot:
                await wait_for(pilot, lambda: app.snapshot is not None and app.snapshot.epoch == 17)
                np.testing.assert_array_equal(app.snapshot.weights[0], trainer.network.W(0))
                seen.append(status_text(app))

        asyncio.run(drive())

    monkeypatch.setattr("tui_nn.app.run_app", run_app)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert main(["--resume", str(session)]) == 0
    assert "Resumed at epoch 17" in seen[0]
    assert main(["--resume", str(tmp_path / "missing.npz")]) == 2
