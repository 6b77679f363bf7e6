import json
import subprocess
import sys

import pandas as pd
import pytest
from astropy.io import fits

import spacekit.datasets as ds
from spacekit.datasets import _samples
from spacekit.exceptions import DataError, InputError


@pytest.mark.parametrize("name", ["svm", "hstcal"])
def test_get_sample_path(name):
    path = ds.get_sample_path(name)
    assert path.is_dir()
    man = json.loads((path / "manifest.json").read_text())
    assert man["name"] == name


def test_unknown_sample_name():
    with pytest.raises(InputError, match="Unknown sample name='k2'"):
        ds.get_sample_path("k2")


def test_missing_sample_gives_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(_samples, "_samples_root", lambda: tmp_path)
    with pytest.raises(DataError, match="packaged sample 'jwst' is missing"):
        ds.load_jwst_sample()
    table = ds.list_samples()
    assert not table["available"].any()


def test_load_hstcal_sample():
    df = ds.load_hstcal_sample()
    assert len(df) == 300
    assert {"memory", "wallclock", "mem_bin", "n_files", "total_mb"} <= set(df.columns)
    assert df.index.name == "ipst"
    assert set(df["INSTRUME"]) == {"WFC3", "ACS", "COS", "STIS"}


def test_load_svm_sample():
    path, labels = ds.load_svm_sample()
    assert set(labels["label"]) == {0, 1}
    assert labels["synthetic"].any()
    for name in labels.index:
        base = "_".join(name.split("_")[:7])
        hits = list(path.glob(f"*/{base}_dr?.fits"))
        assert len(hits) == 1, name
        with fits.open(hits[0]) as hdul:
            assert "RMS_RA" in hdul[1].header
        assert list(hits[0].parent.glob("*_total_*_svm_*.json"))
    size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    assert size < 1.5 * 1024 * 1024


def test_list_samples():
    table = ds.list_samples()
    assert list(table.index) == [
        "jwst",
        "svm",
        "hstcal",
        "results_cal",
        "results_svm",
        "results_jwst",
    ]
    assert table.loc["svm", "available"] and table.loc["hstcal", "available"]
    assert table.loc["results_cal", "available"] and table.loc["results_svm", "available"]
    assert "n_visits=" in table.loc["svm", "summary"]


def test_lazy_simulators():
    from spacekit.datasets.hstcal import simulate_hstcal
    from spacekit.datasets.svm import simulate_svm

    assert ds.simulate_svm is simulate_svm
    assert ds.simulate_hstcal is simulate_hstcal
    assert "simulate_jwst" in dir(ds)
    with pytest.raises(AttributeError):
        ds.not_a_function  # noqa: B018


def test_import_is_cheap():
    code = (
        "import sys, spacekit.datasets\n"
        "print([m for m in ('astropy', 'tensorflow', 'keras', 'dash', 'sklearn') "
        "if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_hstcal_sample_matches_simulator():
    from spacekit.datasets.hstcal import simulate_hstcal

    sample = ds.load_hstcal_sample()
    fresh = simulate_hstcal(n=300, seed=0)
    pd.testing.assert_index_equal(sample.index, fresh.index)


def test_load_jwst_sample():
    assert ds.list_samples().loc["jwst", "available"]
    path, truth = ds.load_jwst_sample()
    manifest = json.loads((path / "manifest.json").read_text())
    assert len(list((path / "uncal").glob("*_uncal.fits"))) == manifest["counts"]["uncal_files"]
    assert len(truth) == manifest["counts"]["products"]
    assert truth["gb"].notna().all() and set(truth["exp_mode"]) <= {"IMAGE", "SPEC", "TAC", "FGS"}


def test_import_does_not_load_pandas():
    code = "import sys, spacekit.datasets\nprint('pandas' in sys.modules)\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
