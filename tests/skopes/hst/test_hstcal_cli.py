"""``spacekit hstcal predict`` and ``spacekit hstcal train`` (click CliRunner)."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from click.testing import CliRunner

from hstcal_inputs import RAW, write_features
from spacekit.cli import main
from spacekit.datasets.hstcal import simulate_hstcal, write_fits_datasets


def invoke(*args):
    return CliRunner().invoke(main, list(map(str, args)), catch_exceptions=False)


def test_hstcal_is_listed_without_importing_it():
    result = invoke("--help")
    assert result.exit_code == 0
    assert "hstcal" in result.output and "memory bin, memory and wallclock" in result.output


def test_predict_a_csv_prints_a_table_and_writes_json(tiny_hstcal, tmp_path):
    jobs = simulate_hstcal(8, seed=2).astype({"n_files": object})
    jobs.loc[jobs.index[0], "n_files"] = "many"
    csv = tmp_path / "jobs.csv"
    jobs.to_csv(csv, index_label="ipst")
    out = tmp_path / "preds.json"
    result = invoke("hstcal", "predict", csv, "--model-path", tiny_hstcal, "--output", out)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()  # stderr has the log lines
    assert lines[0].split() == [
        "dataset",
        "memBin",
        "memVal",
        "clockTime",
        "memVal_upper",
        "clockTime_upper",
    ]
    assert "7 dataset(s) predicted" in result.output
    for line in lines[2:9]:  # GB with two decimals, seconds whole (the tiny nets can go < 0)
        cells = line.split()
        assert all(re.fullmatch(r"-?\d+\.\d\d", cells[i]) for i in (2, 4)), line
        assert all(re.fullmatch(r"-?\d+", cells[i]) for i in (1, 3, 5)), line
    assert f"{jobs.index[0]}: n_files='many' is not a whole number >= 1" in result.output
    doc = json.loads(out.read_text())
    assert len(doc["predictions"]) == 7 and doc["level"] == 0.95
    assert doc["skipped"][0]["input"] == jobs.index[0]
    assert doc["model_archive"] == str(tiny_hstcal)


def test_predict_a_fits_folder_to_csv(tiny_hstcal, tmp_path):
    write_fits_datasets(simulate_hstcal(4, seed=6), tmp_path / "inputs")
    out = tmp_path / "preds.csv"
    result = invoke(
        "hstcal", "predict", tmp_path / "inputs", "-m", tiny_hstcal, "--output", out, "--level", 0.8
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, index_col="dataset")
    assert len(table) == 4 and "clockTime_upper" in table.columns


def test_predict_failures_exit_1(tiny_hstcal, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    bad = write_features(tmp_path, "xz0000000", RAW["ic0k06010"])
    result = invoke("hstcal", "predict", bad, "-m", tiny_hstcal)
    assert result.exit_code == 1
    assert "No dataset could be predicted" in result.output
    assert "unknown instrument letter 'x'" in result.output
    result = invoke("hstcal", "predict", tmp_path / "missing", "-m", tiny_hstcal)
    assert result.exit_code == 1 and "Input not found" in result.output
    result = invoke("hstcal", "predict", "j8zs05020", "-m", tiny_hstcal)
    assert result.exit_code == 1 and "is read from S3 and needs its bucket" in result.output
    result = invoke("hstcal", "predict", bad, "-m", tiny_hstcal, "--output", tmp_path / "o.txt")
    assert result.exit_code == 2 and ".json or .csv" in result.output


def test_train_needs_exactly_one_data_source(tmp_path):
    result = invoke("hstcal", "train", "-o", tmp_path)
    assert result.exit_code == 2 and "--data CSV or --simulate N" in result.output


@pytest.mark.slow
def test_train_then_predict_from_the_command_line(tmp_path):
    pytest.importorskip("keras")
    result = invoke(
        "hstcal", "train", "--simulate", 120, "-o", tmp_path / "runs", "--epochs", 1,
        "--seed", 2, "--no-plots", "--no-progress",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    archive = next((tmp_path / "runs").glob("*/hst_cal.zip"))
    assert f"archive: {archive}" in result.output
    assert "memory upper bound at 0.95" in result.output
    run = archive.parent
    for target in ("memory", "wallclock"):
        assert (run / "results" / target / "manifest.json").is_file()
    key = write_features(tmp_path, "ic0k06010", RAW["ic0k06010"])
    result = invoke("hstcal", "predict", key, "--model-path", archive)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[2].startswith("ic0k06010")
