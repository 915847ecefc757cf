"""Giving freed memory back to the system on long runs.

The app unpickles a snapshot of a few hundred kilobytes many times a second in
its relay thread and frees it in the UI thread. glibc keeps the freed pages of
such a churn in its arenas (measured: 75 -> 84 MiB over 11 minutes at pace
max, while the live Python heap stayed flat under tracemalloc); one
``malloc_trim(0)`` returned 3.5 MiB of them at once. So the app calls it every
so often. Elsewhere than glibc there is nothing to call and nothing happens.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from collections.abc import Callable

__all__ = ["TRIM_SECONDS", "release_free_memory"]

TRIM_SECONDS = 20.0  # how often the app gives freed pages back


def _trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):  # musl and others have no malloc_trim
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


_TRIM = _trim()


def release_free_memory() -> bool:
    """Return the C allocator's free pages to the system; False where it cannot."""
    if _TRIM is None:
        return False
    _TRIM(0)
    return True
