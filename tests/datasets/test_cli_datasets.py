import json

import pandas as pd
import pytest
from click.testing import CliRunner

from spacekit.cli import main


def run(args):
    return CliRunner().invoke(main, ["datasets", *args])


def test_simulate_hstcal(tmp_path):
    out = tmp_path / "cal"
    res = run(["simulate", "hstcal", str(out), "--n", "50", "--seed", "2"])
    assert res.exit_code == 0, res.output
    df = pd.read_csv(out / "hstcal.csv", index_col="ipst")
    assert len(df) == 50
    man = json.loads((out / "manifest.json").read_text())
    assert man["n"] == 50 and man["seed"] == 2


def test_simulate_svm(tmp_path):
    out = tmp_path / "svm"
    res = run(["simulate", "svm", str(out), "--n", "2", "--no-progress"])
    assert res.exit_code == 0, res.output
    assert "wrote 2 SVM visits" in res.output
    labels = pd.read_csv(out / "labels.csv", index_col="index")
    assert len(labels) == 2
    assert len([p for p in out.iterdir() if p.is_dir()]) == 2


def test_unknown_kind(tmp_path):
    res = run(["simulate", "k2", str(tmp_path / "x")])
    assert res.exit_code == 2
    assert "KIND" in res.output and "k2" in res.output


@pytest.mark.parametrize("n", ["0", "-1", "abc"])
def test_bad_count(tmp_path, n):
    res = run(["simulate", "hstcal", str(tmp_path / "x"), "--n", n])
    assert res.exit_code == 2
    assert "--n" in res.output
    assert not (tmp_path / "x").exists()


def test_non_empty_out_dir(tmp_path):
    (tmp_path / "file.txt").write_text("x")
    res = run(["simulate", "hstcal", str(tmp_path), "--n", "5"])
    assert res.exit_code == 2
    assert "OUT_DIR" in res.output and "--overwrite" in res.output
    res = run(["simulate", "hstcal", str(tmp_path), "--n", "5", "--overwrite"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "hstcal.csv").is_file()


@pytest.mark.parametrize("kind", ["jwst", "svm", "hstcal"])
def test_negative_seed_is_a_usage_error(tmp_path, kind):
    res = run(["simulate", kind, str(tmp_path / "x"), "--n", "2", "--seed", "-1"])
    assert res.exit_code == 2
    assert "--seed" in res.output and "-1" in res.output
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("kind", ["jwst", "svm", "hstcal"])
def test_out_dir_that_cannot_be_created(tmp_path, kind):
    (tmp_path / "f").write_text("x")
    res = run(["simulate", kind, str(tmp_path / "f" / "sub"), "--n", "2", "--no-progress"])
    assert res.exit_code == 1, res.output
    assert "Error: Cannot create out_dir=" in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)


def test_out_dir_is_a_file(tmp_path):
    target = tmp_path / "f"
    target.write_text("x")
    res = run(["simulate", "svm", str(target)])
    assert res.exit_code == 2


def test_list():
    res = run(["list"])
    assert res.exit_code == 0, res.output
    assert "svm" in res.output and "hstcal" in res.output and "available" in res.output
    res = run(["list", "--json"])
    rows = json.loads(res.output)
    assert {r["name"] for r in rows} == {
        "jwst",
        "svm",
        "hstcal",
        "results_cal",
        "results_svm",
        "results_jwst",
    }


def test_help_lists_subcommands():
    res = run(["--help"])
    assert res.exit_code == 0
    assert "simulate" in res.output and "list" in res.output


def test_simulate_jwst(tmp_path):
    out = tmp_path / "jwst"
    res = run(["simulate", "jwst", str(out), "--n", "12", "--no-progress"])
    assert res.exit_code == 0, res.output
    assert "JWST exposures" in res.output
    assert (out / "truth.csv").is_file()
