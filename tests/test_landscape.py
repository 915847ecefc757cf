"""Tests for tui_nn.training.landscape (the loss over a plane of parameter space, recorded
paths, the optimizer lesson) and tui_nn.app.widgets.landscape_view (its picture)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
from collections.abc import AsyncIterator, Awaitable, Callable

import numpy as np
import pytest
from textual.app import App, ComposeResult
from textual.pilot import Pilot

from tui_nn import i18n
from tui_nn.config import Config
from tui_nn.engine.network import Network
from tui_nn.training.landscape import (
    BUDGET,
    MIN_STEPS,
    Landscape,
    PathRecorder,
    PathTrace,
    compute_landscape,
    dense_size,
    landscape_cost,
    mean_step_cosine,
    optimizer_lesson,
    paths_for_optimizers,
    pca_directions,
    plan_grid,
    project,
    random_directions,
)
from tui_nn.training.trainer import Trainer


def _trainer(*overrides: str, epochs: int = 3) -> Trainer:
    t = Trainer(Config().with_overrides(list(overrides)))
    t.run(epochs)
    t.refresh()
    return t


def _loss_at(t: Trainer, params: np.ndarray) -> float:
    """The trainer's own training loss with ``params`` put in (and its weights put back)."""
    saved = t.network.params.copy()
    np.copyto(t.network.params, params)
    try:
        return t._evaluate().train_loss
    finally:
        np.copyto(t.network.params, saved)


# ---- the landscape's values ---------------------------------------------------------------
@pytest.mark.parametrize("overrides", [
    (),  # the playground's default 2-4-2-1 tanh net on the spiral
    ("training.batch_norm=true",),  # evaluation mode: batch norm's running statistics
    ("training.dropout=0.3",),  # evaluation mode: no dropout
    ("data.dataset=spiral3", "network.output=softmax", "network.hidden=6"),  # cross-entropy from logits
])
def test_centre_cell_and_any_cell_are_the_trainers_own_loss(overrides):
    t = _trainer(*overrides)
    before = t.network.params.copy()
    d = random_directions(t.network, seed=1)
    land = compute_landscape(t, t.network.params, d.d1, d.d2, span=0.7, steps=25)
    assert land.steps == 25 and land.rows == land.total_rows == len(t.dataset.X_train)
    assert land.loss.shape == (25, 25) and land.alphas[12] == 0.0 and land.betas[12] == 0.0
    assert abs(land.center_loss - t.last.train_loss) <= 1e-12
    for i, j in ((3, 20), (24, 0), (12, 7)):
        a, b = land.alphas[i], land.betas[j]
        direct = _loss_at(t, before + a * d.d1 + b * d.d2)
        assert abs(land.loss[j, i] - direct) <= 1e-12, (i, j)
    # The trainer's weights are untouched, bit for bit.
    assert t.network.params.tobytes() == before.tobytes()


def test_computing_a_landscape_changes_nothing_the_trainer_does_next():
    cfg = Config().with_overrides(["training.dropout=0.2", "training.batch_norm=true"])
    a, b = Trainer(cfg), Trainer(cfg)
    a.run(2)
    b.run(2)
    d = random_directions(a.network, seed=0)
    compute_landscape(a, None, d.d1, d.d2, 1.0, 15)
    a.run(3)
    b.run(3)
    assert a.network.params.tobytes() == b.network.params.tobytes()
    assert a.last.train_loss == b.last.train_loss


def test_a_network_and_its_data_can_be_given_instead_of_a_trainer():
    t = _trainer()
    d = random_directions(t.network, seed=2)
    via_trainer = compute_landscape(t, None, d.d1, d.d2, 0.5, 9)
    via_arrays = compute_landscape((t.network, t.dataset.X_train, t.Y_train), None, d.d1, d.d2, 0.5, 9)
    np.testing.assert_array_equal(via_trainer.loss, via_arrays.loss)


def test_spans_per_axis_and_an_even_grid():
    t = _trainer()
    d = random_directions(t.network, seed=0)
    land = compute_landscape(t, None, d.d1, d.d2, (2.0, 0.5), 10)
    assert land.span == (2.0, 0.5)
    assert land.alphas[0] == -2.0 and land.alphas[-1] == pytest.approx(2.0)
    assert land.betas[0] == -0.5 and land.betas[-1] == pytest.approx(0.5)
    assert np.isnan(land.center_loss)  # no cell at the centre of an even grid


# ---- directions --------------------------------------------------------------------------
@pytest.mark.parametrize("overrides", [(), ("network.hidden=8,3", "training.batch_norm=true")])
def test_random_directions_are_normalised_per_filter(overrides):
    t = _trainer(*overrides, epochs=1)
    net = t.network
    d = random_directions(net, seed=7)
    assert not np.allclose(d.d1, d.d2)
    for vec in (d.d1, d.d2):
        off = 0
        for Wa in net.Wa:
            block = vec[off: off + Wa.size].reshape(Wa.shape)
            off += Wa.size
            np.testing.assert_allclose(np.linalg.norm(block[:-1], axis=0), np.linalg.norm(Wa[:-1], axis=0),
                                       rtol=1e-12)
            assert not block[-1].any()  # biases are not moved
        assert not vec[off:].any()  # nor batch norm's gamma and beta
    again = random_directions(net, seed=7)
    assert again.d1.tobytes() == d.d1.tobytes()
    copied = random_directions(net, seed=7, biases="copy")
    off = 0
    for Wa in net.Wa:
        np.testing.assert_array_equal(copied.d1[off: off + Wa.size].reshape(Wa.shape)[-1], Wa[-1])
        off += Wa.size


def test_pca_directions_are_orthonormal_and_explain_a_path_in_a_plane_exactly():
    rng = np.random.default_rng(0)
    n = 40
    center = rng.normal(size=n)
    u, v = rng.normal(size=n), rng.normal(size=n)  # a plane, not orthonormal axes
    A, B = rng.normal(size=60), rng.normal(size=60) * 0.3
    path = center + A[:, None] * u + B[:, None] * v
    d = pca_directions(path, reference=center)
    G = np.array([[d.d1 @ d.d1, d.d1 @ d.d2], [d.d2 @ d.d1, d.d2 @ d.d2]])
    np.testing.assert_allclose(G, np.eye(2), atol=1e-12)
    assert d.kind == "pca" and sum(d.explained) == pytest.approx(1.0, abs=1e-10)
    assert d.explained[0] >= d.explained[1] > 0
    alphas, betas = project(path, center, d.d1, d.d2)
    np.testing.assert_allclose(center + alphas[:, None] * d.d1 + betas[:, None] * d.d2, path, atol=1e-10)
    # In the plane's own (non-orthonormal) axes the coordinates come back exactly.
    a2, b2 = project(path, center, u, v)
    np.testing.assert_allclose(a2, A, atol=1e-10)
    np.testing.assert_allclose(b2, B, atol=1e-10)
    # Off the plane: the coordinates of the orthogonal projection.
    w = rng.normal(size=n)
    Q, _r = np.linalg.qr(np.column_stack([u, v]))
    w -= Q @ (Q.T @ w)
    a3, b3 = project(path + w, center, u, v)
    np.testing.assert_allclose(a3, A, atol=1e-10)
    np.testing.assert_allclose(b3, B, atol=1e-10)


def test_pca_directions_of_a_straight_or_still_path():
    line = np.outer(np.arange(5.0), [1.0, 2.0, 0.0])
    d = pca_directions(line)  # about its last point
    assert abs(d.d1 @ d.d2) < 1e-12 and np.linalg.norm(d.d2) == pytest.approx(1.0)
    np.testing.assert_allclose(d.d1, np.array([1.0, 2.0, 0.0]) / np.sqrt(5.0))  # it advances along d1
    assert d.explained == pytest.approx((1.0, 0.0))
    still = pca_directions(np.ones((3, 4)))
    assert still.explained == (0.0, 0.0) and np.linalg.norm(still.d1) == pytest.approx(1.0)


# ---- recording -----------------------------------------------------------------------------
@pytest.mark.parametrize("capacity", [3, 10, 64])
def test_path_recorder_keeps_at_most_capacity_points_with_the_first_and_the_last(capacity):
    rec = PathRecorder(capacity)
    for i in range(1, 600):
        rec.record(np.array([float(i), -float(i)]))
        pts, idx = rec.points(), rec.indices()
        assert len(pts) == len(idx) == len(rec) <= capacity
        assert pts[0, 0] == 1.0 and pts[-1, 0] == float(i) and idx[0] == 0 and idx[-1] == i - 1
        np.testing.assert_array_equal(pts[:, 0], idx + 1.0)
    gaps = np.diff(rec.indices()[:-1])
    assert len(set(gaps.tolist())) == 1  # evenly spread but for the latest point


def test_path_recorder_copies_what_it_records():
    rec = PathRecorder(8)
    p = np.zeros(3)
    rec.record(p)
    p += 1.0
    rec.record(p)
    np.testing.assert_array_equal(rec.points(), [[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]])
    rec.clear()
    assert len(rec) == 0 and rec.points().shape == (0, 0)


# ---- the budget ---------------------------------------------------------------------------------
def test_plan_grid_coarsens_then_subsamples_within_the_budget():
    assert plan_grid(25, 250, 25, BUDGET) == (25, 250)  # the playground's net: as asked
    steps, rows = plan_grid(25, 250, 25, landscape_cost(25, 250, 15))
    assert (steps, rows) == (15, 250)  # odd stays odd: the centre cell is kept
    steps, rows = plan_grid(10_000, 2000, 41, 1e8)
    assert steps == MIN_STEPS and rows < 2000
    assert landscape_cost(10_000, rows, steps) <= 1e8
    assert plan_grid(2_000_000, 5000, 25, 1e8)[0] < MIN_STEPS  # huge: coarser still


def test_a_landscape_over_the_budget_says_what_it_did():
    t = _trainer("network.hidden=64,64", "data.points=2000", epochs=1)
    d = random_directions(t.network, seed=0)
    land = compute_landscape(t, None, d.d1, d.d2, 1.0, 41, budget=2e7)
    assert land.coarse and land.steps < land.requested_steps == 41 and land.steps % 2 == 1
    assert land.subsampled and land.rows < land.total_rows == 1000
    assert land.macs <= land.budget == 2e7
    assert land.loss.shape == (land.steps, land.steps) == (len(land.betas), len(land.alphas))
    # The stated subsample: every k-th training row, evenly spread.
    pick = np.arange(land.rows) * land.total_rows // land.rows
    net = t.network
    p, z = net.evaluate(Network.with_ones(t.dataset.X_train[pick]))
    assert abs(land.center_loss - net.loss.value(t.Y_train[pick], p, z)) <= 1e-12
    within = compute_landscape(t, None, d.d1, d.d2, 1.0, 5)
    assert not within.coarse and not within.subsampled
    assert within.macs == landscape_cost(dense_size(net), 1000, 5) <= BUDGET


# ---- the optimizer lesson ---------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(5))
def test_optimizer_paths_share_their_start_and_sgd_zigzags_more_than_momentum(seed):
    got = optimizer_lesson(seed)
    assert got.names == ("sgd 0.3", "momentum 0.03", "adam 0.03")
    start = got.start.tobytes()
    assert all(p[0].tobytes() == start for p in got.paths)
    assert all(len(p) == 501 for p in got.paths)  # every step of 20 epochs of 25 batches, and the start
    assert not any(got.diverged)
    a0 = {(float(tr.alphas[0]), float(tr.betas[0])) for tr in got.traces}
    assert len(a0) == 1  # one start point in the picture too
    sgd, momentum = got.paths[0], got.paths[1]
    # The proxy: the mean cosine between consecutive steps, in parameter space and
    # in the picture's plane (SGD ~ -0.1 and 0.0-0.2, momentum ~ 0.8 on seeds 0-4).
    assert mean_step_cosine(sgd) < 0.2 < 0.6 < mean_step_cosine(momentum)
    flat = [np.column_stack([tr.alphas, tr.betas]) for tr in got.traces[:2]]
    assert mean_step_cosine(flat[0]) < 0.35 < 0.6 < mean_step_cosine(flat[1])
    # One landscape under all of them, holding every path.
    land = got.landscape
    assert land.steps == 41 and np.isfinite(land.loss).all()
    for tr in got.traces:
        assert np.all(np.abs(tr.alphas) <= land.span[0]) and np.all(np.abs(tr.betas) <= land.span[1])


def test_paths_for_optimizers_by_name_and_by_epoch():
    base = Config().with_overrides(["data.dataset=circle", "network.hidden=3", "training.learning_rate=0.05"])
    got = paths_for_optimizers(base, ("sgd", "rmsprop"), epochs=4, record="epoch", steps=7)
    assert got.names == ("sgd", "rmsprop") and [len(p) for p in got.paths] == [5, 5]
    assert got.paths[0][0].tobytes() == got.paths[1][0].tobytes()
    np.testing.assert_array_equal(got.indices[0], np.arange(5))
    assert got.landscape.steps == 7 and all(np.isfinite(got.final_loss))


# ---- the widget ---------------------------------------------------------------------------------------
class _Host(App):
    def __init__(self, widget) -> None:
        super().__init__()
        self.widget = widget

    def compose(self) -> ComposeResult:
        yield self.widget


def async_test(fn: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    @functools.wraps(fn)
    def test(*args: object, **kwargs: object) -> None:
        asyncio.run(fn(*args, **kwargs))

    return test


@contextlib.asynccontextmanager
async def hosted(widget, size: tuple[int, int]) -> AsyncIterator[tuple[_Host, Pilot]]:
    app = _Host(widget)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        yield app, pilot


@pytest.fixture(scope="module")
def lesson():
    return optimizer_lesson(0)


def _view(mode: str = "truecolor"):
    from tui_nn.app.widgets.landscape_view import LandscapeView

    v = LandscapeView()
    v.force_mode = mode
    return v


def _text(view) -> list[str]:
    width, height = view.size
    lines = []
    for y in range(height):
        strip = view.render_line(y)
        assert strip.cell_length == width, (y, strip.cell_length, width)
        lines.append("".join(seg.text for seg in strip))
    return lines


@pytest.mark.parametrize("size", [(40, 20), (80, 24)])
@async_test
async def test_the_view_draws_the_landscape_paths_and_legend(lesson, size):
    view = _view()
    async with hosted(view, size) as (app, pilot):
        view.show(lesson.landscape, lesson.traces, lesson.directions.explained)
        await pilot.pause()
        lines = _text(view)
        text = "\n".join(lines)
        for name in lesson.names:
            assert name in text
        assert "d1" in text and "d2" in text and "loss " in text and "start" in text and "end" in text
        assert "●" in text and "◆" in text
        assert any(0x2800 < ord(ch) <= 0x28FF for ch in text)  # the paths in braille
        assert view.builds >= 1


@pytest.mark.parametrize("mode", ["truecolor", "256", "ansi", "mono"])
@async_test
async def test_the_view_survives_a_diverged_region_and_every_colour_mode(lesson, mode):
    land = lesson.landscape
    loss = land.loss.copy()
    loss[:5, :5] = np.inf
    loss[-3:, 10:20] = np.nan
    broken = dataclasses.replace(land, loss=loss)
    lost = PathTrace("lost", np.array([0.0, np.nan, 1e300, -np.inf, 0.1]), np.array([0.0, 0.2, np.nan, 0.0, 0.1]))
    view = _view(mode)
    async with hosted(view, (60, 22)) as (app, pilot):
        view.show(broken, (*lesson.traces, lost))
        await pilot.pause()
        text = "\n".join(_text(view))
        assert "diverged" in text and "lost" in text
        view.show(dataclasses.replace(land, loss=np.full_like(loss, np.nan)), lesson.traces)
        await pilot.pause()
        assert "no finite loss" in "\n".join(_text(view))
        view.log_scale = False
        await pilot.pause()
        _text(view)


@async_test
async def test_the_view_at_odd_sizes_in_korean_and_empty(lesson):
    view = _view()
    async with hosted(view, (30, 12)) as (app, pilot):
        assert "No loss landscape yet." in "".join(_text(view))
        view.show(lesson.landscape, lesson.traces)
        for size in ((12, 4), (9, 2), (120, 40), (33, 9)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            _text(view)
        await pilot.resize_terminal(80, 24)
        i18n.set_language("ko")
        try:
            await pilot.pause()
            view.show(lesson.landscape, lesson.traces)
            await pilot.pause()
            text = "\n".join(_text(view))
            assert "손실" in text and "시작" in text
        finally:
            i18n.set_language("en")


def test_log_scale_spreads_decades_evenly():
    from tui_nn.app.widgets.landscape_view import LANDSCAPE_LEVELS, loss_levels

    loss = np.array([[1e-3, 1e-2], [1e-1, 1.0]])
    log, rng = loss_levels(loss, log=True)
    assert rng == (1e-3, 1.0, True)
    assert LANDSCAPE_LEVELS == 16
    np.testing.assert_array_equal(log, [[0, 5], [10, 15]])  # a decade every third of the scale
    linear, rng = loss_levels(loss, log=False)
    assert rng == (1e-3, 1.0, False)
    np.testing.assert_array_equal(linear, [[0, 0], [1, 15]])  # three decades crowd the bottom
    bad, rng = loss_levels(np.array([[np.nan, np.inf]]), log=True)
    assert rng is None and (bad == LANDSCAPE_LEVELS).all()


def test_landscape_fields_are_plain_data():
    t = _trainer()
    d = random_directions(t.network)
    land = compute_landscape(t, None, d.d1, d.d2, 0.3, 5)
    assert isinstance(land, Landscape) and land.loss_name == t.loss_name
    assert land.finite_range() is not None
    lo, hi = land.finite_range()
    assert lo <= land.center_loss <= hi
