"""Every script in ``examples/`` runs as documented, into a temporary output folder.

Each example is run in a fresh Python process, as a user runs it
(``python examples/NAME.py OUTPUT_DIR [options]``), from an empty working folder; the test
then checks what it printed and wrote. Examples that train a Keras model or draw many
images are marked ``slow``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from support import REPO

EXAMPLES = REPO / "examples"


def run_example(
    name: str, tmp_path: Path, *args: str, out_arg: bool = True, strict: bool = False
) -> subprocess.CompletedProcess:
    """Run ``examples/name`` with ``tmp_path/out`` as its first argument (if ``out_arg``).

    The spacekit cache (``SPACEKIT_CACHE``) is ``tmp_path/cache``; ``strict`` turns every
    warning into an error (``PYTHONWARNINGS=error``).
    """
    out = tmp_path / "out"
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONUNBUFFERED": "1"}
    env["SPACEKIT_CACHE"] = str(tmp_path / "cache")
    if strict:
        env["PYTHONWARNINGS"] = "error"
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / name), *([str(out)] if out_arg else []), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert proc.returncode == 0, f"{name} failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    assert list(cwd.iterdir()) == [], f"{name} wrote into the current folder"
    return proc


def test_every_example_is_run_here():
    tested = {
        "explore_model.py",
        "hstcal_predict.py",
        "hstcal_train.py",
        "jwst_predict.py",
        "jwst_train.py",
        "svm_alignment.py",
        "svm_corrupt.py",
        "viz_attention.py",
        "viz_layers.py",
        "viz_predictions.py",
        "viz_realtime.py",
        "viz_server.py",
        "viz_toolkit_readme.py",
        "viz_training_dashboard.py",
    }
    assert {p.name for p in EXAMPLES.glob("*.py")} == tested


def test_jwst_predict(tmp_path):
    proc = run_example("jwst_predict.py", tmp_path)
    table = pd.read_csv(tmp_path / "out" / "predictions.csv")
    assert {"product", "exp_mode", "gbSize", "n_exposures"} <= set(table.columns)
    assert len(table) == 8 and (table["gbSize"] >= 0.1).all()
    assert "model: packaged/jwst_cal" in proc.stdout
    assert "skipped jw01234001001_02101_00001_nrca1_uncal.fits: not a FITS file" in proc.stdout
    assert "8 products with a known truth: median predicted/true memory" in proc.stdout


@pytest.mark.slow
def test_jwst_train(tmp_path):
    proc = run_example("jwst_train.py", tmp_path, "--n", "400", "--epochs", "3", "--folds", "2")
    runs = list((tmp_path / "out" / "runs").iterdir())
    assert len(runs) == 1
    assert (runs[0] / "jwst_cal.zip").is_file()
    history = runs[0] / "image" / "training_history.json"
    assert f"training history: {tmp_path / 'out' / 'runs' / runs[0].name}" in proc.stdout
    from spacekit.visualization.server import read_history

    assert read_history(history)["epochs"] == [1, 2, 3]
    assert "median predicted/true memory of the imaging products" in proc.stdout


def test_hstcal_predict(tmp_path):
    proc = run_example("hstcal_predict.py", tmp_path, strict=True)  # and without a warning
    table = pd.read_csv(tmp_path / "out" / "predictions.csv", index_col="dataset")
    assert len(table) == 20
    assert {"memBin", "memVal", "clockTime", "memVal_upper", "clockTime_upper"} <= set(table)
    assert (table["memVal_upper"] >= table["memVal"]).all()
    assert (table["clockTime_upper"] >= table["clockTime"]).all()
    assert "20 datasets predicted with" in proc.stdout and "; 0 skipped" in proc.stdout
    assert "wallclock below the 95 % bound:" in proc.stdout
    assert "MB on disk, not the simulated" in proc.stdout


@pytest.mark.slow
def test_hstcal_train(tmp_path):
    proc = run_example("hstcal_train.py", tmp_path, "--n", "300", "--epochs", "2")
    runs = list((tmp_path / "out" / "runs").iterdir())
    assert len(runs) == 1 and (runs[0] / "hst_cal.zip").is_file()
    assert f"archive: {tmp_path / 'out' / 'runs' / runs[0].name / 'hst_cal.zip'}" in proc.stdout
    table = pd.read_csv(tmp_path / "out" / "predictions.csv", index_col="dataset")
    assert len(table) == 200 and {"memVal", "clockTime_upper"} <= set(table)
    assert "new model: median |memory error|" in proc.stdout
    assert "packaged model: median |memory error|" in proc.stdout


@pytest.mark.slow
def test_svm_alignment(tmp_path):
    proc = run_example("svm_alignment.py", tmp_path)
    out = tmp_path / "out"
    assert (out / "run" / "svm_align.zip").is_file()
    assert "confusion matrix (test):" in proc.stdout
    assert "suspicious:" in proc.stdout and "of 60" in proc.stdout
    for folder in ("ours", "default"):
        assert (out / folder / "predictions" / "predictions.csv").is_file()


@pytest.mark.slow
def test_svm_corrupt(tmp_path):
    run_example("svm_corrupt.py", tmp_path)
    out = tmp_path / "out"
    assert list((out / "work" / "img" / "1").iterdir())
    for kind in ("aligned", "misaligned"):
        assert (out / "prepped" / kind / "svm_data.csv").is_file()


@pytest.mark.slow
def test_explore_model(tmp_path):
    proc = run_example(
        "explore_model.py", tmp_path, "--max-samples", "300", "--keep-open", "0", out_arg=False
    )
    assert "on scikit-learn digits: 300 images" in proc.stdout
    assert "the 5 hardest images: #" in proc.stdout
    assert "Explorer at http://127.0.0.1:" in proc.stdout
    assert list((tmp_path / "cache").rglob("*.keras")), "the default CNN was not cached"


def test_viz_realtime(tmp_path):
    run_example("viz_realtime.py", tmp_path)
    assert list((tmp_path / "out").rglob("*.png")) or list((tmp_path / "out").rglob("*.html"))


def test_viz_server_simulated_run(tmp_path):
    out = tmp_path / "out"
    proc = run_example(
        "viz_server.py",
        tmp_path,
        *("--epochs", "3", "--steps", "2", "--delay", "0.01", "--save-dir", str(out)),
        out_arg=False,
    )
    assert "http://127.0.0.1:" in proc.stdout
    assert (out / "server" / "server_history.json").is_file()


@pytest.mark.slow
@pytest.mark.parametrize(
    "name",
    [
        "viz_attention.py",
        "viz_layers.py",
        "viz_predictions.py",
        "viz_toolkit_readme.py",
        "viz_training_dashboard.py",
    ],
)
def test_keras_visualization_examples(name, tmp_path):
    run_example(name, tmp_path)
    written = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert any(p.suffix in (".png", ".html") for p in written), written
