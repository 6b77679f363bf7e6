"""Reading HST cal inputs: feature files, CSVs, raw FITS folders, dicts and frames."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest
from astropy.io import fits

from spacekit.datasets.hstcal import simulate_hstcal, write_features_files, write_fits_datasets
from spacekit.exceptions import InputError, OptionalDependencyError
from spacekit.extractor.keywords.hst_cal import BYTES_PER_MB, FEATURE_KEYS
from spacekit.extractor.scrape_hstcal import (
    load_hstcal_inputs,
    parse_features_text,
    read_features_csv,
    read_features_file,
    scrape_fits_datasets,
)

J8ZS = (
    "n_files=61\ntotal_mb=1237\nDETECTOR=WFC\nSUBARRAY=False\nDRIZCORR=PERFORM\n"
    "PCTECORR=PERFORM\nCRSPLIT=2.0\n"
)


def test_parse_features_text_plain_and_bytes_repr_lines():
    plain = parse_features_text(J8ZS)
    assert plain == {
        "n_files": "61",
        "total_mb": "1237",
        "DETECTOR": "WFC",
        "SUBARRAY": "False",
        "DRIZCORR": "PERFORM",
        "PCTECORR": "PERFORM",
        "CRSPLIT": "2.0",
    }
    # 1.1.4 read S3 lines as bytes and str() them; its strip("b'") also ate real b's
    wrapped = "\n".join(f"b'{line}'" for line in J8ZS.splitlines())
    assert parse_features_text(wrapped) == plain


def test_parse_features_text_keys_any_case_values_with_equals_and_comments():
    got = parse_features_text("# calcloud\n\nN_FILES = 3\ndetector=SBC\nnote=a=b\n")
    assert got == {"n_files": "3", "DETECTOR": "SBC", "note": "a=b"}


def test_parse_features_text_rejects_a_line_without_equals():
    with pytest.raises(InputError, match=r"line 2: expected 'key=value', received 'total_mb 12'"):
        parse_features_text("n_files=1\ntotal_mb 12\n", source="x.txt")


def test_read_features_file_names_the_dataset_from_the_file(tmp_path):
    path = tmp_path / "j8zs05020_MemModelFeatures.txt"
    path.write_text(J8ZS)
    name, values = read_features_file(path)
    assert name == "j8zs05020"
    assert values["n_files"] == "61"
    with pytest.raises(InputError, match="Features file not found"):
        read_features_file(tmp_path / "nope_MemModelFeatures.txt")


def test_s3_addresses_need_the_aws_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "boto3", None)  # import boto3 -> ImportError
    with pytest.raises(OptionalDependencyError, match=r"spacekit\[aws\]"):
        read_features_file("s3://bucket/control/j8zs05020/j8zs05020_MemModelFeatures.txt")


def test_read_features_csv_keeps_nan_strings_and_reports_duplicates(tmp_path):
    df = simulate_hstcal(20, seed=3)
    path = tmp_path / "jobs.csv"
    pd.concat([df, df.iloc[:2]]).to_csv(path, index_label="ipst")
    records, skipped = read_features_csv(path)
    assert list(records.columns) == [k for k in FEATURE_KEYS]
    assert len(records) == 20
    assert sorted(n for n, _ in skipped) == sorted(df.index[:2])
    assert all("duplicate" in r for _, r in skipped)
    cos = df.index[df["INSTRUME"] == "COS"]
    assert (records.loc[cos, "DRIZCORR"] == "NaN").all()


def test_scrape_fits_measures_the_files_and_reads_the_headers(tmp_path):
    df = simulate_hstcal(8, seed=11)
    write_fits_datasets(df, tmp_path)
    records, skipped = scrape_fits_datasets(tmp_path, progress=False)
    assert skipped == []
    assert sorted(records.index) == sorted(df.index)
    for name, row in df.iterrows():
        files = sorted((tmp_path / name).glob("*.fits"))
        assert records.loc[name, "n_files"] == len(files) == row["n_files"]
        size = sum(f.stat().st_size for f in files) / BYTES_PER_MB
        assert records.loc[name, "total_mb"] == pytest.approx(size)
        assert records.loc[name, "DETECTOR"] == row["DETECTOR"]
        assert records.loc[name, "SUBARRAY"] == row["SUBARRAY"]  # FITS T/F -> "True"/"False"
        for key in ("DRIZCORR", "PCTECORR"):
            assert records.loc[name, key] == row[key]  # absent keyword -> "NaN"
        crsplit = row["CRSPLIT"]
        expected = "NaN" if crsplit == "NaN" else int(float(crsplit))
        assert records.loc[name, "CRSPLIT"] == expected


def test_scrape_fits_one_dataset_folder_and_bad_files(tmp_path):
    df = simulate_hstcal(3, seed=2)
    folders = write_fits_datasets(df, tmp_path)
    one, skipped = scrape_fits_datasets(folders[0], progress=False)
    assert list(one.index) == [folders[0].name] and skipped == []

    (folders[1] / "zz_junk.fits").write_bytes(b"not a fits file at all")
    hdr = fits.Header({"INSTRUME": "WFC3"})  # no DETECTOR anywhere
    for f in folders[2].glob("*.fits"):
        f.unlink()
    fits.PrimaryHDU(header=hdr).writeto(folders[2] / f"{folders[2].name}_raw.fits")
    records, skipped = scrape_fits_datasets(tmp_path, progress=False)
    reasons = dict(skipped)
    assert list(records.index) == [folders[0].name]
    assert "zz_junk.fits is not a readable FITS file" in reasons[folders[1].name]
    assert "no DETECTOR keyword" in reasons[folders[2].name]


def test_scrape_fits_empty_folder_is_an_error(tmp_path):
    with pytest.raises(InputError, match="No FITS files"):
        scrape_fits_datasets(tmp_path)


def test_load_inputs_dispatches_every_source(tmp_path):
    df = simulate_hstcal(6, seed=5)
    write_features_files(df, tmp_path / "feat", layout="control")
    from_files, skipped = load_hstcal_inputs(tmp_path / "feat")
    assert skipped == [] and sorted(from_files.index) == sorted(df.index)
    name = df.index[0]
    assert from_files.loc[name, "DETECTOR"] == df.loc[name, "DETECTOR"]
    assert float(from_files.loc[name, "total_mb"]) == pytest.approx(df.loc[name, "total_mb"])

    one, _ = load_hstcal_inputs({"dataset": "ib1f0a010", "N_FILES": 2, "detector": "UVIS"})
    assert list(one.index) == ["ib1f0a010"]
    assert one.loc["ib1f0a010", "n_files"] == 2
    assert one.loc["ib1f0a010", "PCTECORR"] is None  # absent key: reported as missing later

    many, _ = load_hstcal_inputs({"a1": {"n_files": 1}, "b2": {"total_mb": 3}})
    assert list(many.index) == ["a1", "b2"]

    frame = df.drop(columns=["CRSPLIT"]).copy()
    frame.loc[frame.index[0], "DRIZCORR"] = np.nan  # a NaN cell is the value "NaN"
    got, _ = load_hstcal_inputs(frame)
    assert got["CRSPLIT"].isna().all() and got["CRSPLIT"].map(lambda v: v is None).all()
    assert isinstance(got.iloc[0]["DRIZCORR"], float)

    with pytest.raises(InputError, match="Input not found"):
        load_hstcal_inputs(tmp_path / "missing.csv")
    with pytest.raises(InputError, match="non-dict values"):
        load_hstcal_inputs({"a1": 3})


def test_scrape_fits_reads_gzipped_inputs(tmp_path):
    import gzip

    df = simulate_hstcal(1, seed=12)
    folder = write_fits_datasets(df, tmp_path)[0]
    for f in folder.glob("*.fits"):
        (folder / (f.name + ".gz")).write_bytes(gzip.compress(f.read_bytes()))
        f.unlink()
    records, skipped = scrape_fits_datasets(folder, progress=False)
    name = df.index[0]
    assert skipped == [] and records.loc[name, "DETECTOR"] == df.loc[name, "DETECTOR"]
    assert records.loc[name, "n_files"] == df.loc[name, "n_files"]
    size = sum(f.stat().st_size for f in folder.glob("*.fits.gz")) / BYTES_PER_MB
    assert records.loc[name, "total_mb"] == pytest.approx(size)
