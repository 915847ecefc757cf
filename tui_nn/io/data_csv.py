"""Writing a data set out as the network sees it."""

from __future__ import annotations

import csv
from pathlib import Path

from ..data import Dataset


def write_data_csv(ds: Dataset, path: str | Path) -> Path:
    """One column per network input, then ``label``, then ``split`` (train/test)."""
    out = Path(path)
    with open(out, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow([*ds.input_names, "label", "split"])
        for X, y, split in ((ds.X_train, ds.y_train, "train"), (ds.X_test, ds.y_test, "test")):
            for row, label in zip(X, y):
                w.writerow([*(repr(float(v)) for v in row), _label(ds, label), split])
    return out


def _label(ds: Dataset, label: float) -> str:
    return repr(float(label)) if ds.task == "regression" else str(int(label))
