"""What ``tui-nn train`` prints for people: a Rich progress bar while training,
then a summary and, for 2-D data, the decision boundary as a small text chart.
"""

from __future__ import annotations

import time

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from ..training import EpochResult, RunResult, Trainer
from ..training.snapshot import plane_grid

# Refreshing Rich every epoch would cost more than a small net's epoch.
UPDATE_SECONDS = 0.1


def run_with_progress(trainer: Trainer, epochs: int, console: Console | None = None) -> RunResult:
    console = console or Console(stderr=True)
    if not console.is_terminal or epochs == 0:
        return trainer.run(epochs)
    metric = "acc" if trainer.metric_name == "accuracy" else "rmse"
    columns = (
        TextColumn("[bold]epoch"),
        MofNCompleteColumn(),
        BarColumn(),
        TextColumn("train {task.fields[train]}  test {task.fields[test]}  "
                   f"{metric} " "{task.fields[metric]}  {task.fields[speed]} epochs/s"),
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
    table.add_column("train", justify="right")
    table.add_column("test", justify="right")
    last = result.last
    table.add_row(f"loss ({trainer.loss_name})", f"{last.train_loss:.4f}", f"{last.test_loss:.4f}")
    if trainer.metric_name == "accuracy":
        table.add_row("accuracy", f"{last.train_metric:.1%}", f"{last.test_metric:.1%}")
    else:
        r2_train, r2_test = trainer.r2()
        table.add_row("RMSE", f"{last.train_metric:.4g}", f"{last.test_metric:.4g}")
        table.add_row("R²", f"{r2_train:.3f}", f"{r2_test:.3f}")
    console.print(table)
    speed = f"{result.epochs_per_second:,.0f} epochs/s" if result.epochs else "no training"
    console.print(
        f"{result.epochs} epochs (total {trainer.epoch}) in {result.seconds:.2f} s, {speed}; "
        f"{net.n_params} parameters; {cfg.training.optimizer} lr {cfg.training.learning_rate:g}; seed {cfg.training.seed}"
    )
    if trainer.dataset.is_2d and result.status != "diverged":
        console.print(boundary_chart(trainer))
    if result.status == "diverged":
        console.print(f"[bold red]{result.message}[/]")
    else:
        advice = trainer.diagnose()
        if advice:
            console.print(f"[yellow]{advice}[/]")
    if saved:
        console.print(f"model saved to {saved}")


CLASS_COLOURS = ("#f59322", "#0877bd", "#2ca02c", "#9467bd", "#d62728")


def boundary_chart(trainer: Trainer, cols: int = 48, rows: int = 16) -> Text:
    """The decision regions over the plane with the training points, as text.

    Each cell is one grid sample coloured by the predicted class (or value);
    training points are drawn as ● (class colour) so errors stand out.
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
    text = Text()
    for r in range(rows):
        for c in range(cols):
            i = r * cols + c
            if trainer.task == "regression":
                lo, hi = -1.0, 1.0
                t = float(np.clip((p[i, 0] - lo) / (hi - lo), 0, 1))
                bg = _mix(CLASS_COLOURS[0], CLASS_COLOURS[1], t)
            else:
                cls = int(trainer.predict_classes(p[i : i + 1])[0])
                bg = _mix("#202020", CLASS_COLOURS[cls % len(CLASS_COLOURS)], 0.45)
            if (r, c) in marks and trainer.task != "regression":
                fg = CLASS_COLOURS[int(marks[(r, c)]) % len(CLASS_COLOURS)]
                text.append("●", style=f"bold {fg} on {bg}")
            else:
                text.append(" ", style=f"on {bg}")
        text.append("\n")
    names = trainer.dataset.class_names
    if names:
        legend = "  ".join(f"[{CLASS_COLOURS[k % 5]}]■[/] {n}" for k, n in enumerate(names))
        text.append_text(Text.from_markup(f"regions: predicted class; ● training points   {legend}"))
    return text


def _mix(a: str, b: str, t: float) -> str:
    ca = [int(a[i : i + 2], 16) for i in (1, 3, 5)]
    cb = [int(b[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(ca, cb))
