"""Tests of spacekit.datasets.jwst.simulate_jwst: files, headers, truth, metadata, errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from astropy.io import fits

from spacekit.datasets.jwst import JwstSimulation, simulate_jwst
from spacekit.datasets.jwst.vocabulary import check_header
from spacekit.exceptions import InputError

FILE_RE = re.compile(r"^jw\d{5}\d{3}\d{3}_\d{2}\d\d{2}_\d{5}_[a-z0-9]+_uncal\.fits$")
PRODUCT_RE = re.compile(r"^jw\d{5}-o\d{3}_(t\d+|s\d{9})_(nircam|niriss|miri|nirspec|fgs)_")
CSV_RE = re.compile(r"^\d{4}-\d{2}-\d{2}_\d{3}\.csv$")
SCRAPED = (
    "PROGRAM OBSERVTN NEXPOSUR BKGDTARG IS_IMPRT VISITYPE TSOVISIT TARGNAME TARG_RA TARG_DEC "
    "INSTRUME DETECTOR FILTER PUPIL GRATING FXD_SLIT EXP_TYPE CHANNEL BAND SUBARRAY NUMDTHPT "
    "GS_RA GS_DEC GS_MAG CROWDFLD"
).split()
SCI = ["RA_REF", "DEC_REF", "CRVAL1", "CRVAL2"]
TYPES = {
    "NEXPOSUR": int,
    "NUMDTHPT": int,
    "NINTS": int,
    "NGROUPS": int,
    "NFRAMES": int,
    "SUBSIZE1": int,
    "SUBSIZE2": int,
    "BKGDTARG": bool,
    "IS_IMPRT": bool,
    "TSOVISIT": bool,
    "CROWDFLD": bool,
    "TARG_RA": float,
    "TARG_DEC": float,
    "GS_RA": float,
    "GS_DEC": float,
    "GS_MAG": float,
    "READPATT": str,
    "SUBARRAY": str,
    "EXP_TYPE": str,
}


@pytest.fixture(scope="module")
def sim(tmp_path_factory) -> JwstSimulation:
    out = tmp_path_factory.mktemp("jwst") / "sim"
    return simulate_jwst(out, n=90, seed=7, progress=False)


def test_layout_and_manifest(sim):
    out = sim.out_dir
    assert (out / "truth.csv").is_file() and (out / "manifest.json").is_file()
    man = json.loads((out / "manifest.json").read_text())
    assert man["seed"] == 7 and man["n"] == 90
    assert man["counts"]["exposures"] == len(sim.exposures) == len(list(out.glob("uncal/*")))
    assert man["counts"]["products"] == len(sim.products)
    assert abs(len(sim.exposures) - 90) <= 40
    assert not list(out.rglob("*.part*"))


def test_file_names_and_headers(sim):
    files = sorted((sim.out_dir / "uncal").iterdir())
    assert files
    for path in files:
        assert FILE_RE.match(path.name), path.name
        with fits.open(path) as hdul:
            prim, sci = hdul[0].header, hdul["SCI"].header
            assert hdul["SCI"].data.shape == (1, 1, 8, 8)
            assert hdul["SCI"].data.dtype == np.uint16
            values = dict(prim)
        for key in SCRAPED:
            if key == "TARGNAME" and values["VISITYPE"] in ("PARALLEL_PURE", "PRIME_UNTARGETED"):
                continue
            assert key in prim, (path.name, key)
        for key in SCI:
            assert isinstance(sci[key], float)
        for key, typ in TYPES.items():
            assert type(values[key]) is typ, (key, values[key])
        assert isinstance(values["PROGRAM"], str) and len(values["PROGRAM"]) == 5
        assert isinstance(values["OBSERVTN"], str) and len(values["OBSERVTN"]) == 3
        assert values["FILENAME"] == path.name
        assert path.name.startswith(f"jw{values['PROGRAM']}{values['OBSERVTN']}{values['VISIT']}")
        assert check_header(values) == []


def test_booleans_are_fits_logicals(sim):
    path = sorted((sim.out_dir / "uncal").iterdir())[0]
    raw = path.read_bytes()[: 2880 * 4].decode("ascii")
    cards = {raw[i : i + 8].strip(): raw[i + 10 : i + 30].strip() for i in range(0, len(raw), 80)}
    assert cards["TSOVISIT"] in ("T", "F") and cards["BKGDTARG"] in ("T", "F")


def test_exposures_table_matches_files(sim):
    ex = sim.exposures
    assert {"filename", "path", "exposure_key", "product", *SCRAPED, *SCI} <= set(ex.columns)
    row = ex.iloc[0]
    with fits.open(row["path"]) as hdul:
        assert hdul[0].header["DETECTOR"] == row["DETECTOR"]
        assert hdul["SCI"].header["CRVAL1"] == pytest.approx(row["CRVAL1"])
    assert (ex["exposure_key"] + "_uncal.fits" == ex["filename"]).all()


def test_truth_consistent_with_exposures(sim):
    truth = sim.products
    assert list(truth.columns[:4]) == ["product", "exp_mode", "n_exposures", "gb"]
    assert truth["product"].is_unique
    assert set(truth["exp_mode"]) <= {"IMAGE", "SPEC", "TAC", "FGS"}
    assert all(PRODUCT_RE.match(p) for p in truth["product"])
    assert (truth["product"] == truth["product"].str.lower()).all()
    counts = sim.exposures["product"].value_counts()
    assert (truth.set_index("product")["n_exposures"] == counts.reindex(truth["product"])).all()
    assert (truth["gb"] > 0).all()
    on_disk = pd.read_csv(sim.out_dir / "truth.csv", dtype={"program": str, "observtn": str})
    pd.testing.assert_frame_equal(on_disk, truth, check_dtype=False)


def test_truth_follows_the_documented_memory_model(tmp_path):
    from spacekit.datasets.jwst.memory import NOISE_SIGMA, OVERHEAD_GB

    sim = simulate_jwst(tmp_path / "big", n=4000, seed=3, write_fits=False, progress=False)
    assert not (tmp_path / "big" / "uncal").exists()
    truth = sim.products.set_index("product")
    ex = sim.exposures
    # every product needs at least the overhead plus its members' Level-2 pixels at the
    # smallest documented cost (12 B/pixel), within 5 sigma of the lognormal noise
    pixels = (ex["SUBSIZE1"] * ex["SUBSIZE2"]).groupby(ex["product"]).sum()
    floor = (OVERHEAD_GB + 12 * pixels.reindex(truth.index) / 1e9) * np.exp(-5 * NOISE_SIGMA)
    assert (truth["gb"] >= floor).all()
    # single small exposures cost about the overhead; nothing reaches 1.1.4's top memory
    # bin (950 GB), which its models cap at 990 GB
    assert truth["gb"].min() < 2 * OVERHEAD_GB and truth["gb"].max() < 950
    # within imaging, more exposures cost more memory (medians by exposure count)
    img = truth[truth["exp_mode"] == "IMAGE"]
    groups = pd.cut(img["n_exposures"], [0, 2, 7, np.inf])
    medians = img.groupby(groups, observed=True)["gb"].median()
    assert len(medians) == 3 and medians.is_monotonic_increasing and medians.is_unique


def test_metadata_csvs(sim):
    assert sim.metadata_files and all(CSV_RE.match(p.name) for p in sim.metadata_files)
    frames = [
        pd.read_csv(p, index_col="Dataset", keep_default_na=False) for p in sim.metadata_files
    ]
    meta = pd.concat(frames)
    assert {"DagNodeName", "ImageSize", *SCRAPED, *SCI} <= set(meta.columns)
    l1 = meta[meta["DagNodeName"].str.contains("1")]
    l3 = meta[meta["DagNodeName"].str.contains("3")]
    assert len(l1) + len(l3) == len(meta)
    assert set(l1.index) == set(sim.exposures["filename"])
    truth = sim.products.set_index("dataset")
    assert set(truth.index) <= set(l3.index)
    extra = set(l3.index) - set(truth.index)
    assert all(("_ch2-" in d) or ("_ch4-" in d) or ("-c1000_" in d) for d in extra)
    # the ingest converts ImageSize with / 10**6 to GB
    gb = l3.loc[truth.index, "ImageSize"].astype(float) / 10**6
    np.testing.assert_allclose(gb.to_numpy(), truth["gb"].to_numpy(), atol=1e-6)
    for name in sim.metadata_files:
        day = name.name.split("_")[0]
        assert pd.read_csv(name, index_col="Dataset").index.name == "Dataset"
        assert day >= "2026-01-05"


def test_deterministic(tmp_path):
    kw = dict(n=60, seed=11, progress=False)
    a = simulate_jwst(tmp_path / "a", **kw)
    b = simulate_jwst(tmp_path / "b", **kw)
    c = simulate_jwst(tmp_path / "c", n=60, seed=12, progress=False, write_fits=False)
    assert (tmp_path / "a/truth.csv").read_bytes() == (tmp_path / "b/truth.csv").read_bytes()
    for fa, fb in zip(a.metadata_files, b.metadata_files, strict=True):
        assert fa.read_bytes() == fb.read_bytes()
    assert a.exposures["filename"].tolist() == b.exposures["filename"].tolist()
    first = a.exposures["filename"].iloc[0]
    assert (tmp_path / "a/uncal" / first).read_bytes() == (
        tmp_path / "b/uncal" / first
    ).read_bytes()
    assert not a.products["product"].equals(c.products["product"])


def test_filters(tmp_path):
    sim = simulate_jwst(
        tmp_path / "m", n=40, seed=2, write_fits=False, progress=False, instruments=["miri"]
    )
    assert set(sim.exposures["INSTRUME"]) == {"MIRI"}
    sim = simulate_jwst(
        tmp_path / "i", n=20, seed=2, write_fits=False, progress=False, modes=["nirspec_ifu"]
    )
    assert set(sim.products["exp_type"]) == {"NRS_IFU"}


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n": 0}, "n="),
        ({"n": -5}, "n="),
        ({"n": True}, "n="),
        ({"n": "10"}, "n="),
        ({"days": 0}, "days="),
        ({"seed": -1}, "seed="),
        ({"start_date": "yesterday"}, "start_date="),
        ({"instruments": ["HST"]}, "instruments"),
        ({"modes": ["nircam_magic"]}, "modes"),
        ({"instruments": ["FGS"], "modes": ["miri_mrs"]}, "no observing template"),
    ],
)
def test_bad_arguments(tmp_path, kwargs, match):
    with pytest.raises(InputError, match=match):
        simulate_jwst(tmp_path / "x", progress=False, write_fits=False, **kwargs)
    assert not (tmp_path / "x").exists()


def test_non_empty_out_dir(tmp_path):
    out = tmp_path / "full"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    with pytest.raises(InputError, match="out_dir.*overwrite=True"):
        simulate_jwst(out, n=10, progress=False)
    first = simulate_jwst(out, n=10, seed=1, progress=False, overwrite=True)
    second = simulate_jwst(out, n=10, seed=2, progress=False, overwrite=True)
    assert (out / "notes.txt").read_text() == "keep me"
    on_disk = sorted(p.name for p in (out / "uncal").iterdir())
    assert on_disk == sorted(second.exposures["filename"])
    assert first.manifest["seed"] == 1
    file_path = tmp_path / "afile"
    file_path.write_text("x")
    with pytest.raises(InputError, match="out_dir must be a folder"):
        simulate_jwst(file_path, n=10, progress=False)


def test_interrupted_run_leaves_no_partial_file(tmp_path, monkeypatch):
    calls = {"n": 0}
    real = Path.write_bytes

    def flaky(self, data):
        calls["n"] += 1
        if calls["n"] == 4:  # half a file, then the "crash" (Ctrl-C)
            real(self, data[: len(data) // 2])
            raise KeyboardInterrupt
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", flaky)
    out = tmp_path / "crash"
    with pytest.raises(KeyboardInterrupt):
        simulate_jwst(out, n=20, seed=4, progress=False)
    assert calls["n"] == 4
    # the three complete files and the half one are gone: nothing of the run is left,
    # so the same command can be run again
    assert list(out.rglob("*")) == []
    monkeypatch.undo()
    sim = simulate_jwst(out, n=20, seed=4, progress=False)
    for name in sorted(p.name for p in (out / "uncal").iterdir())[:3]:
        assert FILE_RE.match(name)
        with fits.open(out / "uncal" / name) as hdul:
            assert hdul[0].header["FILENAME"] == name
    assert len(sim.exposures) == len(list((out / "uncal").iterdir()))


def test_files_verify_with_astropy(sim):
    for path in sorted((sim.out_dir / "uncal").iterdir())[:20]:
        with fits.open(path) as hdul:
            hdul.verify("exception")
            for hdu in hdul:
                for card in hdu.header.cards:
                    card.verify("exception")
            assert int(hdul["SCI"].data[0, 0, 0, 0]) == 10000


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"instruments": []}, "instruments names nothing"),
        ({"modes": ()}, "modes names nothing"),
        ({"instruments": 5}, "instruments names nothing; received instruments=5"),
        ({"instruments": ["NIRCAM", "WFC3"]}, r"instruments has unknown names \['WFC3'\]"),
    ],
)
def test_bad_selections(tmp_path, kwargs, match):
    with pytest.raises(InputError, match=match):
        simulate_jwst(tmp_path / "x", n=5, progress=False, write_fits=False, **kwargs)
    assert not (tmp_path / "x").exists()


def test_out_dir_that_cannot_be_created(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(InputError, match="Cannot create out_dir="):
        simulate_jwst(tmp_path / "f" / "sim", n=5, progress=False, write_fits=False)


def test_start_date_as_datetime(tmp_path):
    import datetime as dt

    kw = dict(n=30, seed=5, write_fits=False, progress=False)
    a = simulate_jwst(tmp_path / "a", start_date=dt.datetime(2026, 3, 1, 15, 30), **kw)
    b = simulate_jwst(tmp_path / "b", start_date="2026-03-01", **kw)
    assert a.manifest["start_date"] == "2026-03-01"
    pd.testing.assert_frame_equal(a.products, b.products)
    assert (tmp_path / "a/truth.csv").read_bytes() == (tmp_path / "b/truth.csv").read_bytes()


def test_too_many_files_for_the_program_ids(tmp_path, monkeypatch):
    """An impossible count is an InputError, not an endless search for a free program id."""
    from spacekit.datasets.jwst import exposures

    monkeypatch.setattr(exposures, "PROGRAM_IDS", range(1000, 1005))
    with pytest.raises(InputError, match="n=500 is too many files for 5 distinct programs"):
        simulate_jwst(tmp_path / "x", n=500, modes=["fgs_imaging"], progress=False)
    assert not (tmp_path / "x").exists()
