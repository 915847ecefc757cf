"""Input features computed from raw plane coordinates, as in TensorFlow Playground.

The playground lets a learner hand the network engineered inputs (squares, the
product, sines) instead of, or alongside, the raw coordinates, to show that a good
representation can make a hard problem linear.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..i18n import _
from .errors import DataError

FeatureFn = Callable[[np.ndarray, np.ndarray], np.ndarray]

# Insertion order is the order shown to users, matching TF Playground's input list.
FEATURES: dict[str, FeatureFn] = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2,
    "x1*x2": lambda x1, x2: x1 * x2,
    "sin(x1)": lambda x1, x2: np.sin(x1),
    "sin(x2)": lambda x1, x2: np.sin(x2),
}


def feature_names() -> tuple[str, ...]:
    """All feature names, in display order."""
    return tuple(FEATURES)


def compute_features(plane_points: np.ndarray, features: Sequence[str]) -> np.ndarray:
    """Map raw (n, 2) plane points to an (n, len(features)) float64 input matrix."""
    pts = np.asarray(plane_points, dtype=np.float64)
    if pts.ndim != 2 or pts.shape[1] != 2:
        raise DataError(_("plane points must have shape (n, 2), got {shape}").format(shape=pts.shape))
    x1, x2 = pts[:, 0], pts[:, 1]
    columns = [np.asarray(FEATURES[name](x1, x2), dtype=np.float64) for name in features]
    # column_stack of views would still copy, so the result never aliases the input.
    return np.column_stack(columns) if columns else np.empty((len(pts), 0))
