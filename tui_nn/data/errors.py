"""The single error type the data layer raises."""

from __future__ import annotations

from ..rules import ConfigError


class DataError(ConfigError):
    """A problem with the requested data, worded for the person who asked for it.

    The message is one line that names the field, file, row or column at fault and
    says what is allowed, so the app and the headless CLI can show it as is.
    A bad data setting is a bad setting, so this is a ConfigError (and so a
    ValueError) too.
    """
