"""What ``tui-nn train`` prints for people: a Rich progress bar while training,
then a summary and, for 2-D data, the decision boundary as a small text chart.
"""

from __future__ import annotations

import time

import numpy as np
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from ..data.synthetic import shown_class_name
from ..i18n import _
from ..training import EpochResult, RunResult, Trainer
from ..training.snapshot import plane_grid

# Refreshing Rich every epoch would cost more than a small net's epoch.
UPDATE_SECONDS = 0.1


def run_with_progress(trainer: Trainer, epochs: int, console: Console | None = None) -> RunResult:
    console = console or Console(stderr=True)
    if not console.is_terminal or epochs == 0:
        return trainer.run(epochs)
    metric = _("acc") if trainer.metric_name == "accuracy" else "rmse"
    # Rich fills in {task.fields[...]}: the words around them are ours, escaped for its markup.
    figures = escape(_("train {train}  test {test}  {metric} {value}  {speed} epochs/s")).format(
        train="{task.fields[train]}", test="{task.fields[test]}", metric=metric, value="{task.fields[metric]}",
        speed="{task.fields[speed]}")
    columns = (
        TextColumn("[bold]" + escape(_("epoch"))),
        MofNCompleteColumn(),
        BarColumn(),
        TextColumn(figures),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("train", total=epochs, train="-", test="-", metric="-", speed="-")
        t0 = time.perf_counter()
        state = {"next": t0 + UPDATE_SECONDS}

        def on_epoch(r: EpochResult) -> None:
            now = time.perf_counter()
            if now < state["next"]:
                return
            state["next"] = now + UPDATE_SECONDS
            done = trainer.epoch - start
            progress.update(
                task, completed=done, train=f"{r.train_loss:.4f}", test=f"{r.test_loss:.4f}",
                metric=_fmt_metric(trainer, r.test_metric), speed=f"{done / (now - t0):.0f}",
            )

        start = trainer.epoch
        result = trainer.run(epochs, on_epoch=on_epoch)
        r = result.last
        progress.update(
            task, completed=result.epochs, train=f"{r.train_loss:.4f}", test=f"{r.test_loss:.4f}",
            metric=_fmt_metric(trainer, r.test_metric), speed=f"{result.epochs_per_second:.0f}",
        )
    return result


def _fmt_metric(trainer: Trainer, value: float) -> str:
    return f"{value:.1%}" if trainer.metric_name == "accuracy" else f"{value:.4g}"


def print_summary(trainer: Trainer, result: RunResult, *, saved: str | None = None,
                  console: Console | None = None) -> None:
    console = console or Console()
    cfg = trainer.config
    net = trainer.network
    shape = "-".join(str(s) for s in net.sizes)
    title = f"{cfg.name}: {trainer.dataset.name}, {shape} {cfg.network.activations()[0] if cfg.network.hidden else ''}"
    table = Table(title=title.strip(), show_header=True, header_style="bold")
    table.add_column("")
    table.add_column(_("train"), justify="right")
    table.add_column(_("test"), justify="right")
    last = result.last
    table.add_row(_("loss ({name})").format(name=trainer.loss_name), f"{last.train_loss:.4f}", f"{last.test_loss:.4f}")
    if trainer.metric_name == "accuracy":
        table.add_row(_("accuracy"), f"{last.train_metric:.1%}", f"{last.test_metric:.1%}")
    else:
        r2_train, r2_test = trainer.r2()
        table.add_row("RMSE", f"{last.train_metric:.4g}", f"{last.test_metric:.4g}")
        table.add_row("R²", f"{r2_train:.3f}", f"{r2_test:.3f}")
    console.print(table)
    console.print(_run_line(trainer, result))
    if trainer.dataset.is_2d and result.status != "diverged":
        console.print(boundary_chart(trainer, mono=console.color_system is None))
    if result.status == "diverged":
        console.print(Text(result.message, style="bold red"))
    else:
        advice = trainer.diagnose()
        if advice:
            console.print(Text(advice, style="yellow"))
    if saved:
        console.print(Text(_("model saved to {path}").format(path=saved)))


def _run_line(trainer: Trainer, result: RunResult) -> str:
    cfg = trainer.config
    if result.status == "diverged":
        # The diverged epoch was rolled back: say which one, and where the run is.
        done = _("diverged in epoch {epoch}; back at epoch {back}, its last finite one").format(
            epoch=trainer.epoch + 1, back=trainer.epoch)
    elif result.epochs:
        done = _("{epochs} epochs in {seconds} s ({speed} epochs/s)").format(
            epochs=result.epochs, seconds=f"{result.seconds:.2f}", speed=f"{result.epochs_per_second:,.0f}")
    else:
        done = _("no training (epochs = 0)")
    if result.epochs and trainer.epoch != result.epochs and result.status != "diverged":
        done = _("{done}, {epochs} in all").format(done=done, epochs=trainer.epoch)
    return _("{done}; {parameters} parameters; {optimizer} lr {rate}; seed {seed}").format(
        done=done, parameters=trainer.network.n_params, optimizer=cfg.training.optimizer,
        rate=f"{cfg.training.learning_rate:g}", seed=cfg.training.seed)


CLASS_COLOURS = ("#f59322", "#0877bd", "#2ca02c", "#9467bd", "#d62728")


# Without colour the classes are told by characters: the region's, then the point's.
MONO_REGIONS = ".#+*%"
MONO_POINTS = "oxOX@"


def boundary_chart(trainer: Trainer, cols: int = 48, rows: int = 16, *, mono: bool = False) -> Text:
    """The decision regions over the plane with the training points, as text.

    Each cell is one grid sample coloured by the predicted class (or value);
    training points are drawn as ● (class colour) so errors stand out. With
    ``mono`` (no colour: piped output, NO_COLOR) regions and points are
    characters, and the legend says which.
    """
    ds = trainer.dataset
    assert ds.raw_train is not None, "tabular data has no plane to draw"
    pts = plane_grid(ds.extent, cols, rows)
    p = trainer.network.layer_outputs(ds.features(pts), dtype=np.float64)[-1]
    e = ds.extent
    marks: dict[tuple[int, int], int] = {}
    for (x, y), label in zip(ds.raw_train, ds.y_train):
        c = min(cols - 1, max(0, int((x + e) / (2 * e) * cols)))
        r = min(rows - 1, max(0, int((e - y) / (2 * e) * rows)))
        marks[(r, c)] = label
    regression = trainer.task == "regression"
    classes = trainer.predict_classes(p)
    text = Text()
    for r in range(rows):
        for c in range(cols):
            i = r * cols + c
            mark = marks.get((r, c)) if not regression else None
            text.append_text(_cell(p[i, 0], int(classes[i]), mark, regression, mono))
        text.append("\n")
    text.append_text(_legend(trainer, mono))
    return text


def _cell(value: float, cls: int, mark: int | None, regression: bool, mono: bool) -> Text:
    if mono:
        if mark is not None:
            return Text(MONO_POINTS[mark % len(MONO_POINTS)])
        if regression:
            return Text(" .:-=+*#%@"[int(np.clip((value + 1.0) / 2.0, 0, 0.999) * 10)])
        return Text(MONO_REGIONS[cls % len(MONO_REGIONS)])
    if regression:
        bg = _mix(CLASS_COLOURS[0], CLASS_COLOURS[1], float(np.clip((value + 1.0) / 2.0, 0, 1)))
    else:
        bg = _mix("#202020", CLASS_COLOURS[cls % len(CLASS_COLOURS)], 0.45)
    if mark is not None:
        return Text("●", style=f"bold {CLASS_COLOURS[mark % len(CLASS_COLOURS)]} on {bg}")
    return Text(" ", style=f"on {bg}")


def _legend(trainer: Trainer, mono: bool) -> Text:
    names = tuple(map(shown_class_name, trainer.dataset.class_names))
    if trainer.task == "regression":
        scale = _("' ' low .. '@' high") if mono else _("orange low .. blue high")
        return Text(_("the output over the plane, -1 to 1: {scale}").format(scale=scale))
    if mono:
        parts = [_("{region} region, {point} point: {name}").format(
            region=f"'{MONO_REGIONS[k % 5]}'", point=f"'{MONO_POINTS[k % 5]}'", name=n) for k, n in enumerate(names)]
        return Text(_("predicted class per cell and training points:") + "  " + ";  ".join(parts))
    legend = Text(_("regions: predicted class; ● training points") + "   ")
    for k, n in enumerate(names):
        if k:
            legend.append("  ")
        legend.append("■", style=CLASS_COLOURS[k % 5])
        legend.append(f" {n}")
    return legend


def _mix(a: str, b: str, t: float) -> str:
    ca = [int(a[i : i + 2], 16) for i in (1, 3, 5)]
    cb = [int(b[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(ca, cb))
