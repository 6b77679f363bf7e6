"""Writing simulated HST cal jobs as calcloud feature files and raw FITS folders."""

import pytest
from astropy.io import fits

from spacekit.datasets.hstcal import simulate_hstcal, write_features_files, write_fits_datasets
from spacekit.exceptions import InputError


def test_features_files_flat_and_control_layouts(tmp_path):
    df = simulate_hstcal(3, seed=1)
    flat = write_features_files(df, tmp_path / "flat")
    name = df.index[0]
    assert flat[0] == tmp_path / "flat" / f"{name}_MemModelFeatures.txt"
    lines = flat[0].read_text().splitlines()
    assert [line.split("=")[0] for line in lines] == [
        "n_files",
        "total_mb",
        "DETECTOR",
        "SUBARRAY",
        "DRIZCORR",
        "PCTECORR",
        "CRSPLIT",
    ]
    assert f"DETECTOR={df.loc[name, 'DETECTOR']}" in lines
    control = write_features_files(df, tmp_path / "c", layout="control")
    assert control[0] == tmp_path / "c" / "control" / name / f"{name}_MemModelFeatures.txt"
    with pytest.raises(InputError, match="layout must be"):
        write_features_files(df, tmp_path, layout="nested")
    with pytest.raises(InputError, match="lacks the column"):
        write_features_files(df.drop(columns=["CRSPLIT"]), tmp_path)


def test_fits_folders_hold_an_association_and_its_members(tmp_path):
    df = simulate_hstcal(30, seed=4)
    asn = df.index[[n.endswith("0") for n in df.index]][0]
    single = df.index[[not n.endswith("0") for n in df.index]][0]
    write_fits_datasets(df.loc[[asn, single]], tmp_path)
    files = sorted(p.name for p in (tmp_path / asn).iterdir())
    assert f"{asn}_asn.fits" in files and len(files) == df.loc[asn, "n_files"]
    assert sorted(p.name for p in (tmp_path / single).iterdir()) == [f"{single}_raw.fits"]
    hdr = fits.getheader(tmp_path / single / f"{single}_raw.fits")
    assert hdr["DETECTOR"] == df.loc[single, "DETECTOR"]
    assert hdr["SUBARRAY"] is (df.loc[single, "SUBARRAY"] == "True")
    assert ("PCTECORR" in hdr) == (df.loc[single, "PCTECORR"] != "NaN")
