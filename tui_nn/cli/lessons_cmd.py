"""``tui-nn lessons``: the curriculum's lessons in order (number, id, title,
preset), and ``tui-nn lessons ID`` one lesson's text.

``--json`` prints a list of objects (one object for ``lessons ID``) with the
keys ``number``, ``id``, ``title``, ``preset``, ``also`` (follow-up presets),
``vary`` (null, or ``{"path": ..., "values": [...]}``) and ``look``, ``try``,
``question``, in the current language. An unknown lesson is exit status 2
with one line on stderr naming the lessons there are.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..i18n import _
from ..lessons import LESSONS, Lesson, get_lesson
from ..rules import printable

__all__ = ["add_lessons_parser", "cmd_lessons", "lesson_dict"]

EXIT_OK, EXIT_BAD_INPUT = 0, 2


def add_lessons_parser(sub: "argparse._SubParsersAction[Any]") -> argparse.ArgumentParser:
    """Add the ``lessons`` command to the CLI's subcommands."""
    p: argparse.ArgumentParser = sub.add_parser(
        "lessons", help=_("list the lessons, or print one lesson's text"),
        description=_("The curriculum's lessons in order: each opens a preset with a short text "
                      "(what you see, what to try, the question it answers)."),
    )
    p.add_argument("lesson", nargs="?", metavar="ID",
                   help=_("a lesson's id or number: print its text"))
    p.add_argument("--json", action="store_true", help=_("print JSON instead of text"))
    return p


def lesson_dict(lesson: Lesson) -> dict[str, Any]:
    """A lesson as JSON, its words in the current language."""
    return {
        "number": lesson.number,
        "id": lesson.id,
        "title": _(lesson.title),
        "preset": lesson.preset,
        "also": list(lesson.also),
        "vary": None if lesson.vary is None else {"path": lesson.vary[0], "values": list(lesson.vary[1])},
        "look": _(lesson.look),
        "try": _(lesson.try_),
        "question": _(lesson.question),
    }


def cmd_lessons(args: argparse.Namespace) -> int:
    if args.lesson is None:
        if args.json:
            print(json.dumps([lesson_dict(lesson) for lesson in LESSONS], ensure_ascii=False))
        else:
            _print_list()
        return EXIT_OK
    try:
        lesson = get_lesson(args.lesson)
    except ValueError as exc:
        print(_("tui-nn: error: {message}").format(message=printable(str(exc))), file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.json:
        print(json.dumps(lesson_dict(lesson), ensure_ascii=False))
    else:
        _print_lesson(lesson)
    return EXIT_OK


def _print_list() -> None:
    from rich.cells import cell_len  # terminal columns: a Korean title's letters take two

    id_width = max(len(lesson.id) for lesson in LESSONS)
    titles = [_(lesson.title) for lesson in LESSONS]
    title_width = max(cell_len(t) for t in titles)
    for lesson, title in zip(LESSONS, titles):
        padded = title + " " * (title_width - cell_len(title))
        print(f"{lesson.number:>2}  {lesson.id:<{id_width}}  {padded}  {', '.join(lesson.presets)}")


def _print_lesson(lesson: Lesson) -> None:
    title, *sections = lesson.text()
    print(_("Lesson {number} of {count}: {title}").format(number=lesson.number, count=len(LESSONS), title=title))
    presets = ", ".join(lesson.presets)
    print(_("Preset: {presets} (open it with: tui-nn {preset})").format(presets=presets, preset=lesson.preset))
    if lesson.vary is not None:
        path, values = lesson.vary
        print(_("Compare: tui-nn compare {preset} --vary {path}={values}").format(
            preset=lesson.preset, path=path, values=",".join(values)))
    for section in sections:
        print()
        print(section)
