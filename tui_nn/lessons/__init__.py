"""The curriculum's lessons: a preset and a short text each (see catalogue.py)."""

from __future__ import annotations

from .catalogue import LESSONS, Lesson, get_lesson, lesson_ids

__all__ = ["LESSONS", "Lesson", "get_lesson", "lesson_ids"]
