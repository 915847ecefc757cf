"""Running a network on a data set: the trainer, its history, snapshots and advice."""

from .snapshot import Snapshot
from .state import EpochResult, Outcome, RunResult, RunState, RunStatus
from .trainer import Trainer, build_dataset_for

__all__ = ["EpochResult", "Outcome", "RunResult", "RunState", "RunStatus", "Snapshot", "Trainer", "build_dataset_for"]
