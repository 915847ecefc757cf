"""A served playground driven by every key that could name a file, and by random
keys: run by tests/test_served_app.py in a process whose every file access is
logged (sitecustomize.py beside this file). Prints what the app showed and sent."""

from __future__ import annotations

import asyncio
import json
import random
import sys
from pathlib import Path

from textual.app import App

from tui_nn.file_access import confine
from tui_nn.io.presets import load_preset

HOSTILE = [ "../secret.csv", "link.csv", "/etc/passwd", "~/.bashrc", "/dev/zero", "/proc/self/environ",
           "sub/../../secret.csv", "/tmp", "..", "\x1b[31m../secret.csv"]

delivered: list[tuple[str | None, int]] = []


def _deliver(self: App[None], binary, **options):  # what the web driver would stream to the browser
    delivered.append((options.get("save_filename"), len(binary.read())))
    return f"key-{len(delivered)}"




async def palette(pilot, app, name: str) -> None:
    await pilot.press("ctrl+p")
    await pilot.pause(0.3)
    for ch in name:
        await pilot.press(ch if ch != " " else "space")
    await pilot.pause(0.3)
    await pilot.press("enter")
    await pilot.pause(0.5)


async def typed(pilot, text: str) -> None:
    for ch in text:
        if ch == "\x1b":
            continue
        await pilot.press({" ": "space", ".": "full_stop", "/": "slash", "~": "tilde", "[": "left_square_bracket",
                           "-": "minus", "_": "underscore"}.get(ch, ch))


async def main(seed: int, keys: int) -> None:
    from tui_nn.app.app import PlaygroundApp
    from tui_nn.app.dialogs.path_dialog import PathDialog

    app = PlaygroundApp(load_preset("circle").with_overrides(["training.epochs=0"]), pace=None)
    notes: list[str] = []
    shown = app.notify

    def notify(message: str, **options: object) -> None:  # every message, also those gone by the end
        notes.append(message)
        shown(message, **options)  # type: ignore[arg-type]

    app.notify = notify  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        while app.snapshot is None:
            await pilot.pause(0.05)
        await pilot.press("n")
        for name in ("Save set-up as preset", "Save model", "Export data", "Save screenshot", "Save session"):
            await palette(pilot, app, name)
        for path in HOSTILE:  # the one dialog that takes a path when served
            await palette(pilot, app, "Resume session")
            if isinstance(app.screen, PathDialog):
                app.screen.query_one("Input").value = path
                await pilot.press("enter")
                await pilot.pause(0.4)
        # The form's csv field, as a student fills it in: "csv" first (refused
        # until a file is named, its fields appear), then each path.
        app.query_one("#f-data-dataset").value = "csv"
        await pilot.pause(0.3)
        target = app.query_one("#f-data-target")
        target.focus()
        target.value = "y"
        await pilot.press("enter")
        for path in [*HOSTILE, "data.csv"]:
            field = app.query_one("#f-data-csv")
            field.focus()
            field.value = path
            await pilot.press("enter")
            await pilot.pause(0.3)
            app.query_one("#f-data-dataset").value = "csv"
            await pilot.pause(0.5)
        csv_loaded = app.config.data.dataset == "csv" and app.config.data.csv == "data.csv"
        await pilot.press("escape")
        # The compare dialog, varying the csv file.
        await palette(pilot, app, "Compare runs")
        if isinstance(app.screen, PathDialog):
            app.screen.query_one("Input").value = "data.csv=../secret.csv,/etc/passwd"
            await pilot.press("enter")
            await pilot.pause(1.0)
        while not isinstance(app.screen, type(app.get_default_screen())) and len(app.screen_stack) > 1:
            await pilot.press("escape")
            await pilot.pause(0.2)
        rng = random.Random(seed)
        pool = list("nbrRgeidtlwEL[]-+.,sS0123456789?") + ["space", "enter", "escape", "tab", "up", "down",
                                                          "left", "right", "ctrl+p", "backspace"]
        for _ in range(keys):
            key = rng.choice(pool)
            if key == "q":
                continue
            await pilot.press(key)
            if isinstance(app.screen, PathDialog):
                await typed(pilot, rng.choice(HOSTILE))
            await pilot.pause(0.02)
        print(json.dumps({"delivered": delivered, "notes": notes, "running": app.is_running,
                          "config_csv": app.config.data.csv, "csv_loaded": csv_loaded}))
        app.exit()


if __name__ == "__main__":  # not again in a spawned trainer, which imports this module
    HOSTILE.insert(0, sys.argv[2])  # the secret's own absolute path
    App._deliver_binary = _deliver  # type: ignore[method-assign]
    confine(Path(sys.argv[1]))
    asyncio.run(main(int(sys.argv[3]), int(sys.argv[4])))
