"""The test session runs in English whatever the locale (LANG=ko_KR.UTF-8 on a
learner's machine): the tests compare English messages. Tests of the Korean
catalog switch to it and back themselves (see test_i18n.py)."""

from __future__ import annotations

import os

from tui_nn import i18n

# This process, and the programs the tests start (``tui-nn`` in a subprocess, a
# spawned trainer), which read the language from the environment.
os.environ["LANGUAGE"] = "en"
i18n.set_language("en")


def pytest_sessionstart(session: object) -> None:
    """With Numba installed, compile the fast path's kernels once, here: the
    trainers the app tests spawn then load them from Numba's cache in ~0.5 s
    instead of each waiting out a first compilation (~15 s) against the
    tests' timeouts."""
    from tui_nn.training import fast_epoch

    if fast_epoch.unsupported_here() is None:
        fast_epoch.compile_kernels()  # a failure leaves every run on NumPy, and says why
