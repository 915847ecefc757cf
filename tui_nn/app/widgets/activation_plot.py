"""An activation function and its derivative, drawn for a lesson: sigmoid's
derivative peaks at 0.25, which is why a deep sigmoid stack's gradients shrink."""

from __future__ import annotations

import numpy as np
from rich.text import Text

from ...engine.activations import get_activation
from ...i18n import _
from ...render.colors import series_color
from .charts import _series_style, chart_body

__all__ = ["activation_plot", "max_slope", "slopes_line"]

Z = np.linspace(-5.0, 5.0, 401)


def _curves(name: str) -> tuple[np.ndarray, np.ndarray]:
    act = get_activation(name)
    a = act.forward(Z.copy())
    return a, act.derivative(Z, a)


def max_slope(name: str) -> float:
    """The largest f'(z) over z in [-5, 5] (sigmoid: 0.25 at z = 0)."""
    return float(np.max(_curves(name)[1]))


def activation_plot(name: str, width: int, rows: int, mode: str) -> list[Text]:
    """f(z) (first colour) and f'(z) (second) for z from -5 to 5, with a title line."""
    a, d = _curves(name)
    colours = series_color(0, mode), series_color(1, mode)
    title = Text(f"{name}  ", no_wrap=True, overflow="ellipsis", style="bold")
    title.append("━ ", _series_style(colours[0], mode))
    title.append("f(z)  ")
    title.append("━ ", _series_style(colours[1], mode))
    title.append(_("f'(z), largest {slope}").format(slope=f"{max_slope(name):.3g}"))
    body = chart_body([(Z, a, colours[0]), (Z, d, colours[1])], width, rows, mode)
    return [title, *body]


def slopes_line(names: tuple[str, ...]) -> str:
    """'largest f'(z): sigmoid 0.25 · tanh 1 · ...' for the activations a lesson compares."""
    parts = " · ".join(f"{n} {max_slope(n):.3g}" for n in names)
    return _("largest f'(z): {slopes}").format(slopes=parts)
