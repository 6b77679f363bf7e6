"""Ingest of garbage metadata: impossible labels, missing keyword columns, garbage rows,
unwritable outputs; training that fails leaves no half-written run folder."""

from __future__ import annotations

import shutil
import warnings

import numpy as np
import pandas as pd
import pytest

from spacekit.datasets.jwst import simulate_jwst
from spacekit.exceptions import InputError, SkippedInputWarning
from spacekit.preprocessor.ingest import JwstCalIngest, main
from spacekit.preprocessor.ingest import jwst_cal as ingest_module
from spacekit.preprocessor.ingest.daily import read_daily_csv, read_many
from spacekit.preprocessor.ingest.match import MAX_IMAGE_SIZE_KB


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    out = tmp_path_factory.mktemp("sim")
    return simulate_jwst(out / "sim", n=300, seed=4, write_fits=False, days=2, progress=False)


def _copy(sim, folder):
    folder.mkdir()
    for path in sim.metadata_files:
        shutil.copy(path, folder)
    return sorted(folder.iterdir())


def _ingest(folder, out):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkippedInputWarning)
        return JwstCalIngest(folder, out).run_ingest()


def _labels(out):
    labels = []
    for table in out.glob("train-*.csv"):
        labels += pd.read_csv(table, index_col="Dataset")["imgsize_gb"].tolist()
    return labels


def test_impossible_image_sizes_are_not_labels(sim, tmp_path):
    """Defect: ImageSize inf, 1e308 and negative values were stored as labels."""
    files = _copy(sim, tmp_path / "raw")
    df = pd.read_csv(files[0], dtype=str)
    level3 = df.index[df["DagNodeName"].str.contains("3")][:4]
    for row, value in zip(level3, ["inf", "1e308", "-5", "0"], strict=True):
        df.loc[row, "ImageSize"] = value
    df.to_csv(files[0], index=False)
    report = _ingest(tmp_path / "raw", tmp_path / "o")
    reasons = [r for item, r in report.skipped if "ImageSize" in r]
    assert len(reasons) == 4 and all("not a memory size" in r for r in reasons)
    labels = _labels(tmp_path / "o")
    assert labels and all(0 < v <= MAX_IMAGE_SIZE_KB / 1e6 for v in labels)


def test_missing_keyword_columns_reject_level1_rows(sim, tmp_path):
    """Defect: missing TARG_RA/GS_MAG/NUMDTHPT columns were filled silently."""
    files = _copy(sim, tmp_path / "raw")
    pd.read_csv(files[0], dtype=str).drop(columns=["TARG_RA", "GS_MAG", "NUMDTHPT"]).to_csv(
        files[0], index=False
    )
    df = read_daily_csv(files[0])
    assert (df["level"] == 1).sum() == 0 and (df["level"] == 3).sum() > 0
    assert "TARG_RA, NUMDTHPT, GS_MAG" in df.attrs["bad_rows"][0][1]
    report = _ingest(tmp_path / "raw", tmp_path / "o")
    reason = dict(report.skipped)
    key = next(k for k in reason if k.startswith(files[0].name))
    assert "no TARG_RA, NUMDTHPT, GS_MAG column(s)" in reason[key]
    for table in (tmp_path / "o").glob("train-*.csv"):
        t = pd.read_csv(table, index_col="Dataset")
        assert t["numdthpt"].gt(0).all()


def test_one_garbage_row_keeps_the_file(sim, tmp_path):
    """Defect: one malformed row skipped the whole day's file."""
    files = _copy(sim, tmp_path / "raw")
    good = read_daily_csv(files[0])
    lines = files[0].read_bytes().splitlines()
    lines.insert(3, b'jw_garbage,calwebb_image3,"unterminated')
    files[0].write_bytes(b"\n".join(lines) + b"\n")
    with pytest.warns(SkippedInputWarning, match="skipped 1 row"):
        df, skipped = read_many([files[0]])
    assert len(df) == len(good)
    assert skipped == [(f"{files[0].name} line 4", "malformed CSV (unexpected end of data)")]


@pytest.mark.parametrize("seed", range(4))
def test_garbage_rows_property(sim, tmp_path, seed):
    rng = np.random.default_rng(seed)
    src = sorted(sim.metadata_files)[0]
    good = read_daily_csv(src)
    n_fields = len(src.read_text().splitlines()[0].split(","))
    garbage = [
        b'x,"open',
        b"a,b,c",
        b",".join([b"y"] * (n_fields + 3)),
        b"\xff\xfe" + b",".join([b"z"] * (n_fields - 1)),
        b"," * (n_fields - 1),  # no Dataset name
    ]
    lines = src.read_bytes().splitlines()
    picks = rng.choice(len(garbage), size=int(rng.integers(1, 6)))
    for i in picks:
        lines.insert(int(rng.integers(1, len(lines) + 1)), garbage[i])
    path = tmp_path / src.name
    path.write_bytes(b"\n".join(lines) + b"\n")
    df = read_daily_csv(path)
    assert len(df) == len(good)
    assert len(df.attrs["bad_rows"]) == len(picks)
    assert sorted(df.index) == sorted(good.index)


def test_unwritable_output_is_one_clear_line(sim, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(ingest_module.os, "access", lambda *a, **k: False)
    with pytest.raises(InputError, match="is not writable"):
        JwstCalIngest(sim.out_dir / "metadata", tmp_path / "o").run_ingest()
    assert main(["jcal", "-i", str(sim.out_dir / "metadata"), "-o", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert "is not writable" in err and "Traceback" not in err
    monkeypatch.undo()

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path / "o" / "train-image.csv"))

    monkeypatch.setattr("spacekit.preprocessor.ingest.tables.atomic_path", refuse)
    assert main(["jcal", "-i", str(sim.out_dir / "metadata"), "-o", str(tmp_path / "o2")]) == 1
    assert "Permission denied" in capsys.readouterr().err


def test_flagged_products_are_not_training_rows(sim, tmp_path):
    files = _copy(sim, tmp_path / "raw")
    df = pd.read_csv(files[0], dtype=str)
    level1 = df.index[df["DagNodeName"].str.contains("1")]
    df.loc[level1, "NUMDTHPT"] = "1e20"
    df.to_csv(files[0], index=False)
    report = _ingest(tmp_path / "raw", tmp_path / "o")
    rejected = [r for _, r in report.skipped if r.startswith("not a training row")]
    assert rejected and all("NUMDTHPT" in r for r in rejected)
    for table in (tmp_path / "o").glob("train-*.csv"):
        assert pd.read_csv(table)["numdthpt"].gt(0).all()


# ------------------------------------------------------------- training
def test_failed_training_leaves_no_run_folder(sim, tmp_path, monkeypatch):
    pytest.importorskip("keras")
    from spacekit.skopes.jwst.cal.train import JwstCalTrain

    _ingest(sim.out_dir / "metadata", tmp_path / "tables")

    def crash(self, itn, custom_arch):
        (self.output_path / "models" / "half.keras").write_text("half")
        raise RuntimeError("training diverged")

    monkeypatch.setattr(JwstCalTrain, "_run_fold", crash)
    trainer = JwstCalTrain(tmp_path / "tables", out=tmp_path / "runs", exp_mode="spec")
    with pytest.raises(RuntimeError, match="diverged"):
        trainer.main()
    assert list((tmp_path / "runs").iterdir()) == []


def test_training_refuses_impossible_labels(sim, tmp_path):
    from spacekit.skopes.jwst.cal.prep import usable_rows

    _ingest(sim.out_dir / "metadata", tmp_path / "tables")
    df = pd.read_csv(tmp_path / "tables" / "train-spec.csv", index_col="Dataset")
    bad = df.copy()
    for label, value in zip(bad.index[:3], [1e302, -5e-6, 0.0], strict=True):
        bad.loc[label, "imgsize_gb"] = value
    kept, skipped = usable_rows(bad, "spec")
    assert len(kept) == len(df) - 3
    assert [label for label, _ in skipped] == [str(v) for v in bad.index[:3]]
    assert all("not a memory size" in reason for _, reason in skipped)
