"""A session's note, the last thing that happened in words: held as a function
that words it, so that it is worded when a snapshot is made and, after a switch
of language (SetLanguage), the note in force reads in the new one."""

from __future__ import annotations

from collections.abc import Callable

from ..i18n import N_, _

__all__ = ["NOTHING_TO_TRAIN", "Words", "as_is", "words"]

NOTHING_TO_TRAIN = N_(
    "Nothing to train: step units have no gradient. These weights were set "
    "by hand; for a learning step unit use training.optimizer = perceptron."
)

# A note as it is shown: worded when a snapshot is made, so that after a switch of
# language (SetLanguage) the note in force reads in the new one.
Words = Callable[[], str]


def words(msgid: str, /, **fields: object) -> Words:
    """``msgid`` (marked with ``N_``) with ``fields``, in the language of the moment."""
    return lambda: _(msgid).format(**fields)


def as_is(shown: str) -> Words:
    """Text worded already (a refusal, the app's reason for a reset): as it is."""
    return lambda: shown
