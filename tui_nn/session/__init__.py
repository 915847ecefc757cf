"""The app and the trainer: typed messages between them, the loop that owns
the trainer, and the child process it runs in. Nothing here imports the UI."""

from .loop import Session
from .process import SessionProcess, TrainerError
from . import protocol

__all__ = ["Session", "SessionProcess", "TrainerError", "protocol"]
