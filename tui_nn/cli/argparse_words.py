"""argparse's own words ("usage:", "options", its error messages) in the learner's language.

argparse marks them for gettext and looks each up through the two functions it
imported from gettext, ``argparse._`` and ``argparse.ngettext``, when it builds a
parser or prints; by default those read gettext's global domain from the locale,
which knows neither tui-nn's catalog nor ``--lang``. ``translate_argparse`` points
them at tui-nn's ``_`` and ``ngettext``, so a Korean ``--help`` or error reads
Korean throughout. The words are declared here (``N_``) so that
``tools/catalogs.py`` extracts them; the msgids are Python 3.11's, and a word
another Python version spells differently is shown in English, as before
(so is its one plural, "expected %s arguments", which no option here can cause).
"""

from __future__ import annotations

import argparse

from ..i18n import N_, _, ngettext

__all__ = ["WORDS", "translate_argparse"]

WORDS = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("unrecognized arguments: %s"),
    N_("the following arguments are required: %s"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("invalid %(type)s value: %(value)r"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("not allowed with argument %s"),
    N_("one of the arguments %s is required"),
    N_("ignored explicit argument %r"),
)


def translate_argparse() -> None:
    """Make argparse look its words up in tui-nn's catalog, in the current language
    (before a parser is built: "options" and the -h help are looked up then)."""
    argparse._ = _  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]
