"""Datasets for the playground: TF Playground's 2-D sets, truth tables, Iris, diabetes, user CSVs.

Pure NumPy and the standard library: the engine and the headless mode use this
package without any terminal UI installed.
"""

from . import catalogue as _catalogue  # noqa: F401  (fills DATASETS)
from .builders import build, build_dataset
from .dataset import Dataset
from .errors import DataError
from .features import FEATURES, feature_names
from .settings import DATASETS, DataConfig, DatasetInfo

__all__ = [
    "DATASETS",
    "DataConfig",
    "FEATURES",
    "DataError",
    "Dataset",
    "DatasetInfo",
    "build",
    "build_dataset",
    "feature_names",
]
