"""Tests of spacekit.preprocessor.ingest (daily metadata CSVs -> training tables)."""

import shutil

import pandas as pd
import pytest

from spacekit.datasets.jwst import simulate_jwst
from spacekit.exceptions import DataError, InputError, SkippedInputWarning
from spacekit.preprocessor.ingest import JwstCalIngest, main, product_key
from spacekit.preprocessor.ingest.daily import dag_level, normalise_codes


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    out = tmp_path_factory.mktemp("sim")
    return simulate_jwst(out / "sim", n=600, seed=3, write_fits=False, days=3, progress=False)


def _read(path):
    return pd.read_csv(path, index_col="Dataset", dtype={"Dataset": str})


def test_product_key_and_levels():
    assert product_key("jw01076-o101_t1_nircam_clear-f212n") == (
        "jw01076-o101_nircam_clear-f212n",
        1,
    )
    assert product_key("jw01076-o101_t001_nircam_clear-f212n")[1] == 1
    assert product_key("odd") == ("odd", None)
    assert [dag_level(d) for d in ("calwebb_detector1", "calwebb_spec3", "X_MEMORY3", "cal2")] == [
        1,
        3,
        None,
        None,
    ]
    df = normalise_codes(pd.DataFrame({"PROGRAM": ["1076", "1076.0", None], "OBSERVTN": [1, 2, 3]}))
    assert df["PROGRAM"].tolist()[:2] == ["01076", "01076"]
    assert df["OBSERVTN"].tolist() == ["001", "002", "003"]


def test_ingest_matches_simulated_truth(sim, tmp_path):
    report = JwstCalIngest(sim.out_dir / "metadata", tmp_path / "t").run_ingest()
    assert report.files_read == [p.name for p in sorted(sim.metadata_files)]
    train = _read(tmp_path / "t" / "train-image.csv")
    truth = sim.products.set_index("dataset")
    # every simulated product is matched to its Level-3 job, in its mode
    assert report.matched == {m.lower(): n for m, n in truth["exp_mode"].value_counts().items()}
    assert sorted(train.index) == sorted(truth.index[truth["exp_mode"] == "IMAGE"])
    assert {"pname", "imgsize_gb", "date", "instr", "offset", "nexposur"} <= set(train.columns)
    joined = train.join(truth["gb"])
    assert (joined["imgsize_gb"] - joined["gb"]).abs().max() < 1e-6
    # every table is numeric in the model columns and has a unique index
    from spacekit.preprocessor.tables.jwst_cal import COLUMN_ORDER

    assert train.index.is_unique
    assert train[list(COLUMN_ORDER["IMAGE"])].apply(pd.to_numeric).notna().all().all()
    training = _read(tmp_path / "t" / "training.csv")
    assert len(training) == report.n_matched
    assert (tmp_path / "t" / "ingest.csv").is_file()
    assert (tmp_path / "t" / "ingest-manifest.json").is_file()


def test_incremental_equals_all_at_once(sim, tmp_path):
    days = sorted(sim.metadata_files)
    first, rest = tmp_path / "day1", tmp_path / "later"
    first.mkdir()
    rest.mkdir()
    shutil.copy(days[0], first)
    for d in days[1:]:
        shutil.copy(d, rest)
    out = tmp_path / "inc"
    r1 = JwstCalIngest(first, out).run_ingest()
    assert r1.carried > 0  # day-1 exposures whose Level-3 job runs later wait in ingest.csv
    assert len(_read(out / "ingest.csv")) == r1.carried
    r2 = JwstCalIngest(rest, out).run_ingest()
    assert r2.files_read == [d.name for d in days[1:]]
    assert r1.n_matched + r2.n_matched == len(sim.products)  # the carried rows were matched
    full = tmp_path / "full"
    JwstCalIngest(sim.out_dir / "metadata", full).run_ingest()
    for mode in ("image", "spec"):
        a = _read(out / f"train-{mode}.csv").sort_index()
        b = _read(full / f"train-{mode}.csv").sort_index()
        assert list(a.index) == list(b.index)
        pd.testing.assert_series_equal(a["imgsize_gb"], b["imgsize_gb"])
    # running again reads nothing new and changes nothing
    r3 = JwstCalIngest(rest, out).run_ingest()
    assert r3.files_read == [] and r3.n_matched == 0


def test_bad_files_are_skipped_with_reasons(sim, tmp_path):
    folder = tmp_path / "raw"
    folder.mkdir()
    day1 = sorted(sim.metadata_files)[0]
    shutil.copy(day1, folder)
    # the products whose Level-3 job ran on day 1 (every exposure precedes its job)
    done = sim.products[sim.products["date"] == day1.name[:10]]
    expected = {m.lower(): n for m, n in done["exp_mode"].value_counts().items()}
    (folder / "2026-02-01_032.csv").write_text("Dataset,Foo\na,1\n")
    (folder / "2026-02-02_033.csv").write_bytes(b"\xff\xfe\x00garbage\x00")
    (folder / "2026-02-03_034.csv").write_text("")
    (folder / "notes.csv").write_text("x\n")
    with pytest.warns(SkippedInputWarning):
        report = JwstCalIngest(folder, tmp_path / "o").run_ingest()
    reasons = dict(report.skipped)
    assert "missing required column" in reasons[str(folder / "2026-02-01_032.csv")]
    assert "not a readable CSV" in reasons[str(folder / "2026-02-03_034.csv")]
    assert str(folder / "2026-02-02_033.csv") in reasons
    assert "YYYY-MM-DD_DOY" in reasons[str(folder / "notes.csv")]
    assert report.matched == expected  # the good day is ingested whole


def test_errors_for_missing_and_empty_inputs(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        JwstCalIngest(tmp_path / "nope", tmp_path / "o").run_ingest()
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="No CSV files"):
        JwstCalIngest(tmp_path / "empty", tmp_path / "o").run_ingest()
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "2026-02-01_032.csv").write_text("Dataset,DagNodeName\na,x\n")
    with pytest.warns(SkippedInputWarning), pytest.raises(DataError, match="Nothing to ingest"):
        JwstCalIngest(bad, tmp_path / "o").run_ingest()


def test_cli(sim, tmp_path, capsys):
    code = main(["jcal", "-i", str(sim.out_dir / "metadata"), "-o", str(tmp_path / "c"), "-s", "1"])
    assert code == 0
    assert "matched" in capsys.readouterr().out
    assert (tmp_path / "c" / "level1.csv").is_file()
    (tmp_path / "e").mkdir()
    assert main(["jcal", "-i", str(tmp_path / "e"), "-o", str(tmp_path / "c2")]) == 1
    assert "No CSV files" in capsys.readouterr().err


def _one_day(sim, folder, edit):
    """Copy the first daily CSV into ``folder`` after ``edit(frame)`` changed it."""
    src = sorted(sim.metadata_files)[0]
    folder.mkdir()
    df = pd.read_csv(src, dtype={"Dataset": str})
    edit(df)
    df.to_csv(folder / src.name, index=False)
    return folder / src.name


def test_level3_rows_without_image_size_are_skipped_not_labels(sim, tmp_path):
    def blank_sizes(df):
        df["ImageSize"] = df["ImageSize"].astype(object)
        df.loc[df["DagNodeName"].str.contains("3"), "ImageSize"] = "n/a"

    path = _one_day(sim, tmp_path / "raw", blank_sizes)
    report = JwstCalIngest(path.parent, tmp_path / "o").run_ingest()
    assert report.n_matched == 0
    reasons = [r for item, r in report.skipped if path.name in item]
    assert reasons and all("ImageSize" in r for r in reasons)
    for table in (tmp_path / "o").glob("train-*.csv"):
        assert _read(table)["imgsize_gb"].notna().all()


def test_daily_file_without_exp_type_is_skipped_with_reason(sim, tmp_path):
    path = _one_day(sim, tmp_path / "raw", lambda df: df.pop("EXP_TYPE"))
    with pytest.warns(SkippedInputWarning), pytest.raises(DataError, match="EXP_TYPE"):
        JwstCalIngest(path.parent, tmp_path / "o").run_ingest()


def test_bad_state_files_and_output_path(sim, tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / "ingest-manifest.json").write_text("[1, 2]")  # not a manifest: start a new one
    report = JwstCalIngest(sim.out_dir / "metadata", out).run_ingest()
    assert report.n_matched == len(sim.products)
    (out / "ingest.csv").write_text("foo,bar\n1,2\n")
    with pytest.raises(DataError, match="ingest.csv"):
        JwstCalIngest(sim.out_dir / "metadata", out, reprocess=True).run_ingest()
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="is a file"):
        JwstCalIngest(sim.out_dir / "metadata", tmp_path / "file").run_ingest()


def test_module_runner_logs_under_the_package_logger(sim, tmp_path):
    import subprocess
    import sys

    args = ["jcal", "-i", str(sim.out_dir / "metadata"), "-o", str(tmp_path / "o")]
    proc = subprocess.run(
        [sys.executable, "-m", "spacekit.preprocessor.ingest", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    # under `python -m` the module is "__main__"; its records must still reach the
    # handlers configured on the "spacekit" logger
    assert "spacekit.preprocessor.ingest.jwst_cal: ingest:" in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o"]  # nothing else in the CWD
