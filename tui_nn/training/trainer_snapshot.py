"""Taking a trainer's snapshot: read-only copies of what the UI draws.

``Trainer.snapshot`` calls ``take_snapshot``; it lives apart from the trainer
so that the trainer's class holds the training, and this the picture of it.
``SnapshotSource`` says what it reads of a trainer (a Protocol, as in runs.py,
so that this module need not import the trainer's).
"""

from __future__ import annotations

from typing import Protocol

from ..config import Config
from ..data import Dataset
from ..engine.network import LayerStats, Network
from ..i18n import _
from .history import History
from .snapshot import MAX_PICTURED, Snapshot, plane_pictures, weight_views
from .state import EpochResult, RunStatus

__all__ = ["SnapshotSource", "take_snapshot"]


class SnapshotSource(Protocol):
    """What a snapshot needs of a trainer (read only)."""

    @property
    def config(self) -> Config: ...

    @property
    def network(self) -> Network: ...

    @property
    def dataset(self) -> Dataset: ...

    @property
    def epoch(self) -> int: ...

    @property
    def task(self) -> str: ...

    @property
    def last(self) -> EpochResult: ...

    @property
    def history(self) -> History: ...

    @property
    def layer_history(self) -> History: ...

    @property
    def output_name(self) -> str: ...

    @property
    def loss_name(self) -> str: ...

    @property
    def diverged(self) -> bool: ...

    @property
    def metric_name(self) -> str: ...

    @property
    def output_range(self) -> tuple[float, float]: ...

    def diagnose(self) -> str: ...

    def layer_stats(self) -> list[LayerStats]: ...


def take_snapshot(trainer: SnapshotSource, grid: tuple[int, int], run: RunStatus,
                  focus: tuple[int, int] | None) -> Snapshot:
    """Copies of what the UI draws of ``trainer``, bounded in size whatever the
    network (see snapshot.py); ``grid`` is the plane's resolution (cols, rows),
    ``focus`` the (hidden layer, neuron) to picture at that resolution too."""
    net, ds = trainer.network, trainer.dataset
    plane = plane_pictures(net, ds, *grid, focus=focus)
    weights, biases, weight_stats = weight_views(net)
    summarised = plane.summarised if plane else ()
    if any(s > MAX_PICTURED for s in net.sizes[1:]):
        summarised += (_("weights of the first {count} neurons of each layer").format(count=MAX_PICTURED),)
    return Snapshot(
        epoch=trainer.epoch,
        diverged=trainer.diverged,
        advice=trainer.diagnose(),
        task=trainer.task,
        metric_name=trainer.metric_name,
        last=trainer.last,
        history={c: trainer.history.column(c) for c in trainer.history.columns},
        layer_history={c: trainer.layer_history.column(c) for c in trainer.layer_history.columns},
        dataset_name=ds.name,
        sizes=net.sizes,
        input_names=ds.input_names,
        class_names=ds.class_names,
        activations=trainer.config.network.activations(),
        hidden_ranges=tuple(a.output_range for a in net.hidden),
        output_name=trainer.output_name,
        loss_name=trainer.loss_name,
        weights=weights,
        biases=biases,
        layer_stats=tuple(trainer.layer_stats()),
        weight_stats=weight_stats,
        extent=ds.extent,
        output_grid=plane.output if plane else None,
        neuron_grids=plane.neurons if plane else (),
        focus=focus if plane and plane.focus_grid is not None else None,
        focus_grid=plane.focus_grid if plane else None,
        summarised=summarised,
        input_grids=plane.inputs if plane else None,
        output_range=trainer.output_range,
        threshold=net.output.threshold,
        train_points=ds.raw_train,
        train_labels=ds.y_train,
        test_points=ds.raw_test,
        test_labels=ds.y_test,
        run=run,
    )
