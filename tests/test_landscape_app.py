"""The loss landscape in the app: `L` while a run trains shows the trainer's
landscape with the run's path, recomputed as it goes; the palette's optimizer
paths draw SGD, momentum and Adam on one landscape."""

from __future__ import annotations

import numpy as np
import pytest
from rich.cells import cell_len

from tui_nn.app.screens.landscape import LandscapeScreen

from pilot_helpers import async_test, epoch, playground, wait_for


def _lines(app) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
@async_test
async def test_L_while_training_shows_the_landscape_and_the_path(size):
    async with playground("circle", size=size, pace=None) as (app, pilot):
        await pilot.press("space")
        await wait_for(pilot, lambda: epoch(app) > 20, what="some training")
        await pilot.press("L")
        await wait_for(pilot, lambda: isinstance(app.screen, LandscapeScreen), what="the landscape screen")
        screen = app.screen
        await wait_for(pilot, lambda: screen.received >= 1 and screen.view.landscape is not None, timeout=30,
                       what="a landscape from the trainer")
        first = screen.view.landscape
        assert len(screen.view.paths) == 1 and len(screen.view.paths[0].alphas) > 2
        # The centre is the weights now: the centre cell is the run's training loss there.
        mid = first.loss.shape[0] // 2
        assert np.isfinite(first.loss[mid, mid])
        await wait_for(pilot, lambda: screen.received >= 2, timeout=30, what="a recomputed landscape")
        assert screen.view.landscape is not first
        assert app.snapshot.run.state == "running"  # the run went on
        await pilot.pause(0.2)
        assert all(cell_len(ln) == size[0] for ln in _lines(app))
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, LandscapeScreen), what="back")


@async_test
async def test_the_optimizer_paths_share_one_landscape():
    async with playground("circle", size=(120, 40)) as (app, pilot):
        app.open_optimizer_paths()
        await wait_for(pilot, lambda: isinstance(app.screen, LandscapeScreen), what="the screen")
        screen = app.screen
        await wait_for(pilot, lambda: screen.received >= 1, timeout=60, what="the optimizers' paths")
        names = [p.name for p in screen.view.paths]
        assert len(names) == 3 and any(n.startswith("sgd") for n in names) and any("adam" in n for n in names)
        # Same start: every path begins at the same point of the plane.
        starts = {(round(float(p.alphas[0]), 12), round(float(p.betas[0]), 12)) for p in screen.view.paths}
        assert len(starts) == 1
        await pilot.pause(0.3)
        text = "\n".join(_lines(app))
        assert all(n in text for n in names)
