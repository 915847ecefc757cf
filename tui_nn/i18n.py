"""Messages in the learner's language: English (the source) and Korean.

Standard gettext: every user-facing string is written in English inside
``_()`` (or ``N_()`` where it is declared before it is shown, then translated
with ``_()`` when shown), extracted into ``locale/tui-nn.pot`` and translated
in ``locale/<lang>/LC_MESSAGES/tui-nn.po``, which ordinary tools (Poedit,
msgmerge, msgfmt) read; the compiled ``.mo`` beside it is what runs.
``tools/catalogs.py`` re-extracts, merges and compiles.

A message with values takes them by name, ``_("epoch {n}").format(n=...)``,
so that a translation may put them in its own order.

The language follows the locale the way gettext does (``LANGUAGE``,
``LC_ALL``, ``LC_MESSAGES``, ``LANG``); ``--lang`` and the command palette
override it. Plain standard library: the engine's advice uses it too.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Callable
from pathlib import Path

__all__ = ["DOMAIN", "LANGUAGES", "LOCALE_DIR", "N_", "_", "language", "language_from_env", "ngettext",
           "on_change", "set_language"]

DOMAIN = "tui-nn"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
# Each language by its own name, as a language menu shows it.
LANGUAGES = {"en": "English", "ko": "한국어"}

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"
_listeners: list[Callable[[str], None]] = []


def _(message: str) -> str:
    """``message`` in the current language (itself when it has no translation)."""
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of ``singular``/``plural`` for ``n``, in the current language."""
    return _translation.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks ``message`` for translation where it is declared; ``_()`` translates it
    where it is shown (so that a language switch shows it in the new language)."""
    return message


def language() -> str:
    """The current language's code ("en" or "ko")."""
    return _language


def language_from_env(environ: os._Environ[str] | dict[str, str] | None = None) -> str:
    """The language the locale asks for, as gettext reads it: the first of LANGUAGE
    (a colon-separated list), LC_ALL, LC_MESSAGES and LANG that is set; "ko_KR.UTF-8"
    gives "ko". "en" when none names a language this program has."""
    env = os.environ if environ is None else environ
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if not value:
            continue
        for item in value.split(":") if var == "LANGUAGE" else [value]:
            code = item.split(".")[0].split("@")[0].split("_")[0].lower()
            if code in LANGUAGES:
                return code
            if code in ("c", "posix"):
                return "en"
        if var != "LANGUAGE":
            return "en"  # the first set variable decides, as in gettext
    return "en"


def set_language(code: str | None = None) -> str:
    """Switch to ``code`` ("en", "ko"; None: the locale's). Raises ValueError naming
    the languages there are for any other code. Tells the listeners."""
    global _translation, _language
    chosen = language_from_env() if code is None else code
    if chosen not in LANGUAGES:
        raise ValueError(f"language {code!r}: allowed are {', '.join(LANGUAGES)}")
    if chosen == "en":
        _translation = gettext.NullTranslations()
    else:
        _translation = gettext.translation(DOMAIN, LOCALE_DIR, languages=[chosen], fallback=True)
    _language = chosen
    for listener in list(_listeners):
        listener(chosen)
    return chosen


def on_change(listener: Callable[[str], None]) -> Callable[[], None]:
    """Call ``listener(code)`` after each switch; returns a function that stops it."""
    _listeners.append(listener)

    def stop() -> None:
        if listener in _listeners:
            _listeners.remove(listener)

    return stop
