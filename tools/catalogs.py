#!/usr/bin/env python
"""The message catalogs: extract, merge, compile, check.

    .venv/bin/python tools/catalogs.py          # extract -> .pot, merge into each .po, compile .mo
    .venv/bin/python tools/catalogs.py --check  # exit 1 if a catalog is stale or a message untranslated

Extraction reads the source with ``ast`` (what xgettext --language=Python
finds: ``_("...")``, ``N_("...")`` and ``ngettext("...", "...", n)`` with
literal strings), so no gettext binaries are needed; the files written are
ordinary gettext catalogs (polib), for Poedit, msgmerge and msgfmt alike.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "tui_nn"
LOCALE = PACKAGE / "locale"
POT = LOCALE / "tui-nn.pot"
# {name} fields, and the %-fields of the argparse words (cli/argparse_words.py).
FIELD = re.compile(r"\{[^{}]*\}|%\([a-z_]+\)[sr]|%[sr]")

Message = tuple[str, str | None]  # (msgid, msgid_plural)


def extract(package: Path = PACKAGE) -> dict[Message, list[tuple[str, int]]]:
    """Every translatable message of the package's source and where it occurs."""
    found: dict[Message, list[tuple[str, int]]] = {}
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        rel = str(path.relative_to(package.parent))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            args = node.args
            if node.func.id in ("_", "N_") and args and _literal(args[0]) is not None:
                key: Message = (_literal(args[0]) or "", None)
            elif node.func.id == "ngettext" and len(args) >= 2 and _literal(args[0]) and _literal(args[1]):
                key = (_literal(args[0]) or "", _literal(args[1]))
            else:
                continue
            found.setdefault(key, []).append((rel, node.lineno))
    return found


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def template(messages: dict[Message, list[tuple[str, int]]]) -> polib.POFile:
    pot = polib.POFile(wrapwidth=100)
    pot.metadata = {"Project-Id-Version": "tui-nn", "Content-Type": "text/plain; charset=UTF-8",
                    "Content-Transfer-Encoding": "8bit", "MIME-Version": "1.0"}
    for (msgid, plural), where in messages.items():
        entry = polib.POEntry(msgid=msgid, msgstr="", occurrences=where)
        if plural is not None:
            entry.msgid_plural = plural
            entry.msgstr_plural = {0: ""}
        if FIELD.search(msgid):
            entry.flags.append("python-brace-format")
        pot.append(entry)
    return pot


def catalogs() -> list[Path]:
    return sorted(LOCALE.glob("*/LC_MESSAGES/tui-nn.po"))


def problems(po: polib.POFile, pot: polib.POFile) -> list[str]:
    """What keeps ``po`` from being complete for ``pot``: untranslated, fuzzy or
    obsolete entries, and translations whose {fields} (or %-fields) differ from their msgid's."""
    out = []
    ids = {(e.msgid, e.msgid_plural or None) for e in pot}
    have = {(e.msgid, e.msgid_plural or None): e for e in po if not e.obsolete}
    for key in ids:
        entry = have.get(key)
        if entry is None or not entry.translated() or "fuzzy" in entry.flags:
            out.append(f"untranslated: {key[0][:60]!r}")
            continue
        strings = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for s in strings:
            if sorted(FIELD.findall(s)) != sorted(FIELD.findall(entry.msgid)):
                out.append(f"fields differ: {entry.msgid[:60]!r} -> {s[:60]!r}")
    out += [f"not in the source: {k[0][:60]!r}" for k in have if k not in ids]
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--check", action="store_true", help="change nothing; exit 1 on any problem")
    args = p.parse_args(argv)
    pot = template(extract())
    if args.check:
        bad = []
        old = polib.pofile(str(POT)) if POT.exists() else polib.POFile()
        if {(e.msgid, e.msgid_plural) for e in old} != {(e.msgid, e.msgid_plural) for e in pot}:
            bad.append(f"{POT.relative_to(ROOT)} is not the source's: run tools/catalogs.py")
        for path in catalogs():
            bad += [f"{path.relative_to(ROOT)}: {m}" for m in problems(polib.pofile(str(path)), pot)]
        for line in bad:
            print(line, file=sys.stderr)
        return 1 if bad else 0
    POT.parent.mkdir(parents=True, exist_ok=True)
    pot.save(str(POT))
    for path in catalogs():
        po = polib.pofile(str(path), wrapwidth=100)
        po.merge(pot)
        # Entries gone from the source are dropped (git keeps their history).
        for entry in [e for e in po if e.obsolete]:
            po.remove(entry)
        po.save(str(path))
        po.save_as_mofile(str(path.with_suffix(".mo")))
        left = problems(po, pot)
        print(f"{path.relative_to(ROOT)}: {len(po)} messages, {len(left)} to do")
    return 0


if __name__ == "__main__":
    sys.exit(main())
