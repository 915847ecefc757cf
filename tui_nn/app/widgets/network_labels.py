"""The network diagram's words: column titles, weight ranges, the link legend, the
selected neuron's info line and what a large net's snapshot summarised.

Kept apart from the drawing (``network_draw.py``) because each has its own rule
for what fits: every text is measured in terminal cells and falls back to a
shorter form rather than being cut.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from ...data.synthetic import shown_class_name
from ...i18n import _
from ...render.colors import BLUE, DEAD, ORANGE
from ...training.snapshot import Snapshot
from .colors import StyleCache, to_color
from .network_draw import DEAD_GLYPH, Canvas, Geometry, Window, layer_scale

__all__ = ["HeaderItem", "NetworkLabels", "summary_text"]


def summary_text(sentences: tuple[str, ...], room: int) -> str:
    """``sentences`` joined, to fit ``room`` cells: all of them; else without their
    parentheses; else the first ones and "…"; else "summarised" ("" for none)."""
    if not sentences:
        return ""
    short = [re.sub(r"\s*\([^)]*\)", "", s).strip() for s in sentences]
    variants = ["; ".join(sentences), "; ".join(short)]
    variants += ["; ".join(short[:k]) + "; …" for k in range(len(short) - 1, 0, -1)]
    variants += [_("large net: summarised"), _("summarised")]
    return next((v for v in variants if cell_len(v) <= room), "")


def _cut(text: str, cells: int) -> str:
    """``text`` cut to at most ``cells`` terminal cells (never half a wide character)."""
    if cell_len(text) <= cells:
        return text
    return set_cell_size(text, max(cells, 0)).rstrip()


@dataclass(frozen=True)
class HeaderItem:
    x: int
    text: str
    style: Style
    short: str = ""  # shown instead when ``text`` does not fit the view (a column's short title)


class NetworkLabels:
    """The diagram's words for a snapshot. ``note_activation`` and ``note_loss`` say
    what the last header had no room for (the body writes it under the output)."""

    def __init__(self, styles: StyleCache) -> None:
        self.styles = styles
        self.note_activation = False
        self.note_loss = False

    @staticmethod
    def output_titles(snap: Snapshot) -> list[str]:
        """The output column's title, longest first: its activation and loss by name."""
        act, loss = snap.output_name, snap.loss_name
        titles = []
        if act and loss:
            titles += [_("out {activation} · {loss} loss").format(activation=act, loss=loss),
                       _("out {activation} · {loss}").format(activation=act, loss=loss),
                       _("out {activation}·{loss}").format(activation=act, loss=loss)]
        if act:
            titles.append(_("out {activation}").format(activation=act))
        return titles

    def header_items(self, snap: Snapshot, geo: Geometry, view_width: int, base: Style) -> list[HeaderItem]:
        """Column titles and each gap's weight range, none overlapping another or cut.

        Every column gets its short title first ("inputs", "L1", "out"); then, as
        room allows, the output's activation and loss ("out sigmoid · bce loss",
        moved left over the last gap if need be), each hidden layer's activation,
        and the weight ranges over the strips.
        """
        bold = base + Style(bold=True)
        dim = base + Style(dim=True)
        n = len(geo.sizes)
        right = max(geo.width, view_width)
        slots: list[HeaderItem | None] = []
        out = _("out")
        for k in range(n):
            x = geo.column_start(k)
            title = _("inputs") if k == 0 else (out if k == n - 1 else f"L{k}")
            if k == 0 and n > 1 and cell_len(title) + 1 > geo.col_x[1]:
                title = _("in")
            slots.append(HeaderItem(x, title, bold))

        def free(x: int, w: int, skip: int) -> bool:
            if x < 0 or x + w > right:
                return False
            for j, it in enumerate(slots):
                if j == skip or it is None:
                    continue
                # The output's title keeps two cells from its neighbour, so that
                # "L2 relu out softmax" does not read as one title.
                gap = 2 if n - 1 in (j, skip) else 1
                if not (x + w <= it.x - gap or x >= it.x + cell_len(it.text) + gap):
                    return False
            return True

        if n > 1:
            for title in self.output_titles(snap):
                w = cell_len(title)
                x = min(geo.col_x[-1], right - w)
                if free(x, w, n - 1):
                    slots[n - 1] = HeaderItem(x, title, bold, out)
                    break
        for k in range(1, n - 1):
            act = snap.activations[k - 1] if k - 1 < len(snap.activations) else ""
            title = f"L{k} {act}"
            limit = geo.col_x[k + 1] - 1
            if act and geo.col_x[k] + cell_len(title) <= limit and free(geo.col_x[k], cell_len(title), k):
                slots[k] = HeaderItem(geo.col_x[k], title, bold, f"L{k}")
        items = [it for it in slots if it is not None]
        out_title = items[-1].text if n > 1 else ""
        self.note_activation = bool(snap.output_name) and snap.output_name not in out_title
        self.note_loss = bool(snap.loss_name) and snap.loss_name not in out_title
        items += self._range_items(snap, geo, items, dim)
        return items

    @staticmethod
    def _range_items(snap: Snapshot, geo: Geometry, items: list[HeaderItem], dim: Style) -> list[HeaderItem]:
        """Each gap's weight range ("±1.2") over its strips, where it overlaps no title."""
        out: list[HeaderItem] = []
        for k, gx in enumerate(geo.gap_x):
            wk = snap.weights[k] if k < len(snap.weights) else None
            if wk is None or not wk.size:
                continue
            scale = layer_scale(snap, k)
            if scale is None:
                finite = np.abs(wk[np.isfinite(wk)])
                if not finite.size:
                    continue
                scale = float(finite.max())
            label = f"±{scale:.2g}"
            x = geo.strip_x(k)
            w = cell_len(label)
            if w > geo.col_x[k + 1] - x - 1:
                continue
            if any(not (x + w <= it.x - 1 or x >= it.x + cell_len(it.text) + 1) for it in items):
                continue
            out.append(HeaderItem(x, label, dim))
        return out

    @staticmethod
    def header(items: list[HeaderItem], window: Window, base: Style) -> Strip:
        """The header row of ``window``: the items wholly inside it."""
        canvas = Canvas(Window(window.x, 0, window.width, 1), base)
        for it in items:
            for text in (it.text, it.short):
                if text and it.x >= window.x and it.x + cell_len(text) <= window.x + window.width:
                    canvas.put(0, it.x, text, it.style)
                    break
        return canvas.strips()[0]

    # ---- info line and legend -------------------------------------------------------
    def info(self, snap: Snapshot, layer: int, index: int | None, base: Style, focused: bool,
             width: int = 1000) -> Strip:
        """The selected neuron: its name, bias and weights (as many as fit; nothing cut)."""
        n_hidden = len(snap.sizes) - 2
        head = ""
        bias = ""
        label = ""
        weights: list[float] = []
        # A large layer's neuron: shorter forms, for when the long ones do not fit.
        short_head = short_bias = ""
        if layer == -1:
            name = snap.input_names[index] if index is not None and index < len(snap.input_names) else "?"
            head = _("input {name}").format(name=name)
            if snap.weights and index is not None and index < snap.weights[0].shape[0]:
                label, weights = _("out w"), [float(v) for v in snap.weights[0][index]]
        else:
            unit = index or 0
            if layer == n_hidden:
                act = snap.output_name
                named = index is not None and index < len(snap.class_names)
                head = _("output") + (f" {shown_class_name(snap.class_names[unit])}" if named else "")
                if act and snap.loss_name:
                    head = _("{unit} ({activation}, {loss} loss)").format(unit=head, activation=act,
                                                                         loss=snap.loss_name)
                elif act:
                    head = f"{head} ({act})"
            else:
                act = snap.activations[layer] if layer < len(snap.activations) else ""
                head = _("layer {layer} neuron {index}").format(layer=layer + 1, index=unit + 1)
                head = f"{head} ({act})" if act else head
                # Of a large layer the snapshot holds the first neurons: say which one of how many.
                size = snap.sizes[layer + 1] if layer + 1 < len(snap.sizes) else 0
                shown = snap.biases[layer].shape[0] if layer < len(snap.biases) else size
                if size > shown:
                    short_head = head
                    head = _("layer {layer} neuron {index} of {size}").format(layer=layer + 1, index=unit + 1,
                                                                              size=size) + (f" ({act})" if act else "")
            if layer < len(snap.biases) and unit < snap.biases[layer].shape[0]:
                bias = _("bias {bias}").format(bias=f"{float(snap.biases[layer][unit]):+.2f}")
                if layer < len(snap.weights) and unit < snap.weights[layer].shape[1]:
                    label, weights = _("in w"), [float(v) for v in snap.weights[layer][:, unit]]
            elif layer < len(snap.biases):
                bias = _("not pictured (the first {count} are)").format(count=snap.biases[layer].shape[0])
                short_bias = _("not pictured")
        best = _fit_info(head, bias, short_head, short_bias, label, weights, width - 1)
        return Strip([Segment(" " + best, base + Style(dim=not focused))])

    @staticmethod
    def summary(snap: Snapshot, base: Style, width: int) -> Strip:
        """What the snapshot left out or drew coarser (``snap.summarised``), in as many
        whole sentences as fit ``width`` (a trailing "…" when some did not)."""
        text = summary_text(snap.summarised, width - 1)
        return Strip([Segment(" " + text, base + Style(dim=True))] if text else [])

    def legend(self, mode: str, base: Style, width: int, right: str = "") -> Strip:
        """What the link strips mean (sign by colour, size by bar height, · = dead), as
        long as fits beside ``right`` (the "more layers" marker, which comes first)."""
        pos, neg, dead = self._legend_styles(mode, base)
        dim = base + Style(dim=True)
        links = _("links:") + " "
        dead_words = _("dead")
        if mode == "mono":
            variants = [
                [(links, dim), ("+ #", pos), (" w>0  ", dim), ("- =", neg),
                 (" w<0  (# = " + _("larger |w|") + ")  ", dim), (DEAD_GLYPH, dead), (f" {dead_words} (w=0)", dim)],
                [(links, dim), ("+#", pos), (" w>0  ", dim), ("-=", neg), (" w<0  #= " + _("larger") + "  ", dim),
                 (DEAD_GLYPH, dead), (f" {dead_words} (0)", dim)],
                [(links, dim), ("+#", pos), (" w>0 ", dim), ("-=", neg), (" w<0 #=" + _("strong") + " ", dim),
                 (DEAD_GLYPH, dead), (" w=0", dim)],
                [(links, dim), ("+#", pos), (" w>0 ", dim), ("-=", neg), (" w<0 ", dim), (DEAD_GLYPH, dead),
                 (" w=0", dim)],
                [("+#", pos), (" w>0 ", dim), ("-=", neg), (" w<0 ", dim), (DEAD_GLYPH, dead), (" w=0", dim)],
                [("+", pos), (" ", dim), ("-", neg), (" ", dim), (DEAD_GLYPH, dead), ("0", dim)],
            ]
        else:
            neg_name = _("yellow") if mode == "ansi" else _("orange")
            blue = _("blue")
            height = _("height")
            variants = [
                [(links, dim), ("▆", pos), (f" {blue} w>0  ", dim), ("▆", neg),
                 (f" {neg_name} w<0  " + _("taller = larger |w|") + "  ", dim), (DEAD_GLYPH, dead),
                 (f" {dead_words} (w=0)", dim)],
                [(links, dim), ("▆", pos), (f" {blue} +  ", dim), ("▆", neg),
                 (f" {neg_name} −  {height} |w|  ", dim), (DEAD_GLYPH, dead), (f" {dead_words} (0)", dim)],
                [(links, dim), ("▆", pos), (" w>0 ", dim), ("▆", neg), (f" w<0 {height}=|w| ", dim),
                 (DEAD_GLYPH, dead), (" w=0", dim)],
                [("▆", pos), (" w>0 ", dim), ("▆", neg), (f" w<0 {height}=|w| ", dim), (DEAD_GLYPH, dead),
                 (" w=0", dim)],
                [("▆", pos), (" w>0 ", dim), ("▆", neg), (" w<0 ", dim), (DEAD_GLYPH, dead), (" w=0", dim)],
                [("▆", pos), ("+ ", dim), ("▆", neg), ("- ", dim), (DEAD_GLYPH, dead), ("0", dim)],
            ]
        room = width - 1 - (cell_len(right) + 2 if right else 0)
        segs: list[Segment] = [Segment(" ", base)]
        for v in variants:
            if sum(cell_len(t) for t, _style in v) <= room:
                segs += [Segment(t, s) for t, s in v]
                break
        strip = Strip(segs)
        if right and cell_len(right) <= width:
            gap = max(width - strip.cell_length - cell_len(right), 0)
            strip = Strip([*segs, Segment(" " * gap, base), Segment(right, base + Style(bold=True))])
        return strip.crop(0, width)

    def _legend_styles(self, mode: str, base: Style) -> tuple[Style, Style, Style]:
        if mode == "mono":
            return base + Style(bold=True), base + Style(bold=True), base
        if mode == "ansi":
            pos, neg, dead = to_color("blue", mode), to_color("yellow", mode), to_color("bright_black", mode)
        else:
            pos, neg, dead = to_color(BLUE, mode), to_color(ORANGE, mode), to_color(DEAD, mode)
        get = self.styles.get
        return base + get(pos, None), base + get(neg, None), base + get(dead, None)


def _fit_info(head: str, bias: str, short_head: str, short_bias: str, label: str, weights: list[float],
          room: int) -> str:
    """The info line's text in ``room`` cells: the longest head and bias that fit, then
    as many weights as fit (at most 8), then the key hint if there is room."""
    hint = "   ←↑↓→ " + _("select")
    if short_head or short_bias:
        # The longest head and bias that fit together (the bias before "of 512").
        heads = [head] + ([short_head] if short_head else [])
        biases = [bias] + ([short_bias] if short_bias else [])
        pairs = [(h, b) for b in biases for h in heads] + [(h, "") for h in heads]
        head, bias = next(((h, b) for h, b in pairs if cell_len(f"{h} · {b}" if b else h) <= room), pairs[-1])
    parts = [head] + ([bias] if bias else [])
    text = " · ".join(parts)

    def with_weights(count: int) -> str:
        shown = " ".join(f"{v:+.2f}" for v in weights[:count])
        more = " …" if count < len(weights) else ""
        return f"{text} · {label} {shown}{more}"

    best = text
    if weights:
        for count in range(min(len(weights), 8), 0, -1):
            cand = with_weights(count)
            if cell_len(cand) <= room:
                best = cand
                break
    if cell_len(best) > room:
        best = _cut(head, room)
    if cell_len(best + hint) <= room:
        best += hint
    return best
