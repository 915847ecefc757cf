"""Datasets for the playground: TF Playground's 2-D sets, truth tables, Iris, diabetes, user CSVs.

Pure NumPy and the standard library: the engine and the headless mode use this
package without any terminal UI installed.
"""

from .dataset import Dataset, build_dataset
from .errors import DataError
from .features import FEATURES, feature_names
from .registry import DATASETS, DatasetInfo

__all__ = [
    "DATASETS",
    "FEATURES",
    "DataError",
    "Dataset",
    "DatasetInfo",
    "build_dataset",
    "feature_names",
]
