"""``examples/hstcal_predict.py`` runs as a user would run it, offline."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "hstcal_predict.py"


def test_the_example_predicts_every_simulated_job(tmp_path):
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    proc = subprocess.run(
        [sys.executable, str(EXAMPLE), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "20 datasets predicted" in proc.stdout and "0 skipped" in proc.stdout
    assert "MB on disk, not the simulated" in proc.stdout
    preds = pd.read_csv(tmp_path / "out" / "predictions.csv", index_col="dataset")
    assert len(preds) == 20
    assert (preds["clockTime_upper"] >= preds["clockTime"]).all()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # nothing in the cwd
