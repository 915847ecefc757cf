"""Running a network on a data set: the trainer, its history, snapshots and advice."""

from .trainer import EpochResult, RunResult, Trainer, build_dataset_for
from .snapshot import Snapshot

__all__ = ["EpochResult", "RunResult", "Snapshot", "Trainer", "build_dataset_for"]
