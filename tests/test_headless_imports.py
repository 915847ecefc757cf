"""The engine, data, config and training packages work without a terminal UI:
training a run must not import textual or rich (the headless mode for scripts)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = textwrap.dedent(
    """
    import json, sys
    import tui_nn.engine, tui_nn.data, tui_nn.config, tui_nn.training
    from tui_nn.config import Config
    from tui_nn.training import Trainer

    trainer = Trainer(Config())
    result = trainer.run(3)
    snap = trainer.snapshot((8, 8))
    ui = sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "rich"))
    print(json.dumps({"epochs": result.epochs, "status": result.status,
                      "loss": result.last.train_loss, "ui": ui,
                      "grid": list(snap.output_grid.shape)}))
    """
)


def test_training_does_not_import_a_terminal_ui() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["epochs"] == 3
    assert report["status"] == "ok"
    assert report["loss"] == report["loss"]  # not NaN
    assert report["grid"] == [8, 8]
    assert report["ui"] == [], f"headless training imported {report['ui']}"
