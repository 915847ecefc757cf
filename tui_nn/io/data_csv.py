"""Writing a data set out as the network sees it."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from collections.abc import Callable
from typing import BinaryIO

import numpy as np

from ..data import Dataset
from ..training.targets import Targets
from .files import write_atomic

__all__ = ["data_csv_writer", "write_data_csv"]


def write_data_csv(ds: Dataset, targets: Targets, path: str | Path) -> Path:
    """The data to ``path`` as ``data_csv_writer`` writes it (beside it, then renamed:
    a full disk never leaves half a file)."""
    return write_atomic(path, data_csv_writer(ds, targets))


def data_csv_writer(ds: Dataset, targets: Targets) -> Callable[[BinaryIO], None]:
    """What writes the data to a file object: one column per network input, ``label`` (the class index, or the
    regression value in the data's units), the target the output layer is
    trained towards (``target``: -1/+1 for a tanh output, 0/1 for sigmoid,
    standardised for tabular regression; one ``target_<class>`` column each
    for softmax), then ``split`` (train/test)."""
    y_all = np.concatenate([ds.y_train, ds.y_test])
    encoded = targets.encode(y_all)
    if encoded.shape[1] == 1:
        target_names = ["target"]
    else:
        target_names = [f"target_{name}" for name in ds.class_names]
    n_train = len(ds.y_train)
    rows = np.vstack([ds.X_train, ds.X_test])

    def write(raw: BinaryIO) -> None:
        fh = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        w = csv.writer(fh)
        w.writerow([*ds.input_names, "label", *target_names, "split"])
        for i, (row, label, target) in enumerate(zip(rows, y_all, encoded)):
            w.writerow([
                *(repr(float(v)) for v in row), _label(ds, float(label)),
                *(repr(float(t)) for t in target), "train" if i < n_train else "test",
            ])
        fh.flush()
        fh.detach()  # the caller syncs and closes the file itself

    return write


def _label(ds: Dataset, label: float) -> str:
    return repr(label) if ds.task == "regression" else str(int(label))
