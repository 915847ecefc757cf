"""Headers that never cut a word: parts flowed onto a few lines, shortened or dropped by priority.

A header is a list of :class:`Part`: each part has one or more renderings
(longest first, the last one minimal), a priority and whether it starts a
new line. :func:`flow` places the parts greedily, two cells apart; when they
need more than ``max_lines`` lines, the parts take their compact renderings
(all but the minimal one), lowest priority first; if that is not enough,
the lowest priority's parts take their minimal renderings, then are dropped
(all parts of one priority together), then the next priority's. A part is
placed whole or not at all. Widths are terminal cells
(``rich.cells.cell_len``), so wide (e.g. Korean) text lays out right.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text

__all__ = ["Part", "flow", "fit_parts"]


@dataclass
class Part:
    variants: tuple[Text, ...]  # longest first
    priority: int = 50  # lower: shortened and dropped first
    newline: bool = False  # starts a line of its own
    gap: int = 2  # cells before it when it follows another part on a line

    @classmethod
    def of(cls, *variants: str | Text, priority: int = 50, newline: bool = False, gap: int = 2,
           style: str = "") -> Part:
        texts = tuple(v if isinstance(v, Text) else Text(v, style=style) for v in variants)
        return cls(texts, priority, newline, gap)


def _layout(parts: Sequence[tuple[Part, Text]], width: int, max_lines: int) -> list[list[tuple[int, Text]]] | None:
    """Lines of (gap, text), or None when they need more than ``max_lines`` or a part is too wide."""
    lines: list[list[tuple[int, Text]]] = []
    used = 0
    for part, text in parts:
        w = text.cell_len
        if w > width:
            return None
        if lines and lines[-1] and not part.newline and used + part.gap + w <= width:
            lines[-1].append((part.gap, text))
            used += part.gap + w
            continue
        lines.append([(0, text)])
        used = w
        if len(lines) > max_lines:
            return None
    return lines


def flow(parts: Sequence[Part], width: int, max_lines: int) -> list[Text]:
    """The parts on at most ``max_lines`` lines of ``width`` cells (see the module)."""
    if width <= 0 or max_lines <= 0:
        return []
    level = [0] * len(parts)
    active = [bool(p.variants) for p in parts]

    def attempt() -> list[list[tuple[int, Text]]] | None:
        chosen = [(p, p.variants[level[i]]) for i, p in enumerate(parts) if active[i]]
        return _layout(chosen, width, max_lines)

    got = attempt()
    prios = sorted({p.priority for p in parts})
    # First the compact renderings (all but each part's last, minimal one),
    # lowest priority first; then the minimal ones, and dropping.
    for minimal in (False, True):
        for prio in prios:
            if got is not None:
                break
            group = [i for i, p in enumerate(parts) if p.priority == prio and active[i]]
            last = {i: len(parts[i].variants) - (1 if minimal else 2) for i in group}
            while got is None and any(level[i] < last[i] for i in group):
                for i in group:
                    level[i] = max(level[i], min(level[i] + 1, last[i]))
                got = attempt()
            if got is None and minimal:
                for i in group:
                    active[i] = False
                got = attempt()
    if got is None:
        return []
    out = []
    for line in got:
        text = Text(no_wrap=True, overflow="crop")
        for gap, piece in line:
            if gap:
                text.append(" " * gap)
            text.append_text(piece)
        out.append(text)
    return out


def fit_parts(parts: Sequence[str], width: int, sep: str = " · ") -> str:
    """As many of ``parts`` (in order) as fit ``width`` cells, joined by ``sep``."""
    out = ""
    for p in parts:
        candidate = p if not out else out + sep + p
        if cell_len(candidate) > width:
            break
        out = candidate
    return out
