"""Each skip reason appears once on a command's console: in its ``skipped`` section.

The per-item log lines are at INFO, so ``-v`` shows them as well.
"""

import shutil

import pytest
from click.testing import CliRunner

from spacekit.cli import main
from spacekit.datasets import get_sample_path
from spacekit.datasets.hstcal import simulate_hstcal

BROKEN_FITS = "jw01234001001_02101_00001_nrcalong_uncal.fits"


def _run(args):
    result = CliRunner().invoke(main, args)
    return result, result.output  # stdout and stderr, as a terminal shows them


@pytest.fixture
def jwst_folder(tmp_path):
    folder = shutil.copytree(get_sample_path("jwst") / "uncal", tmp_path / "uncal")
    (folder / BROKEN_FITS).write_text("not a FITS file")
    return folder


def test_jwst_predict_names_a_skipped_file_once(jwst_folder):
    result, out = _run(["jwst", "predict", str(jwst_folder), "--no-progress"])
    assert result.exit_code == 0, out
    assert out.count(BROKEN_FITS) == 1
    assert f"{BROKEN_FITS}: not a FITS file (no SIMPLE card)" in out.split("skipped (")[1]
    assert "WARNING" not in out and "Skipped" not in out
    # the TAC products the packaged model cannot predict: once each, in the section
    assert out.count("spacekit has no TAC model") == out.split("skipped (")[1].count("TAC model")
    verbose, vout = _run(["jwst", "predict", str(jwst_folder), "--no-progress", "-v"])
    assert verbose.exit_code == 0, vout
    assert f"INFO spacekit.extractor.scrape: Skipped {jwst_folder / BROKEN_FITS}" in vout


def test_hstcal_predict_names_a_skipped_dataset_once(tmp_path):
    jobs = simulate_hstcal(n=4, seed=0).astype(object)
    bad = jobs.index[0]
    jobs.loc[bad, "n_files"] = "bogus"
    jobs.to_csv(tmp_path / "jobs.csv", index_label="ipst")
    result, out = _run(["hstcal", "predict", str(tmp_path / "jobs.csv"), "--no-progress"])
    assert result.exit_code == 0, out
    assert "3 dataset(s) predicted" in out
    assert out.count(bad) == 1
    assert f"{bad}: n_files='bogus' is not a whole number >= 1" in out.split("skipped (1)")[1]
    verbose, vout = _run(["hstcal", "predict", str(tmp_path / "jobs.csv"), "--no-progress", "-v"])
    assert vout.count(bad) == 2 and f"INFO spacekit.skopes.hst.cal.predict: Skipped {bad}" in vout


def test_svm_prep_names_a_skipped_file_once(tmp_path):
    sample = shutil.copytree(get_sample_path("svm"), tmp_path / "svm")
    visit = next(p for p in sorted(sample.iterdir()) if p.is_dir())
    broken = visit / "hst_x_total_svm_broken.json"
    broken.write_text("{")
    result, out = _run(["svm", "prep", str(sample), "-o", str(tmp_path / "out"), "--no-progress"])
    assert result.exit_code == 0, out
    assert out.count(broken.name) == 1
    assert f"{broken.name}: malformed JSON" in out.split("skipped (1)")[1]
    assert "WARNING" not in out
