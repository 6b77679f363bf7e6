"""Tests of the JWST header scraper and the fast FITS card reader."""

from __future__ import annotations

import bz2
import gzip
import shutil

import pytest
from astropy.io import fits

from spacekit.exceptions import InputError, SkippedInputWarning
from spacekit.extractor import scrape
from spacekit.extractor.keywords.jwst_cal import GENKEYS, SCIKEYS
from spacekit.extractor.scrape import JwstFitsScraper, exposure_key, find_exposure_files
from spacekit.extractor.scrape_fits import (
    FitsReadError,
    NeedsAstropy,
    parse_card_value,
    read_fits_cards,
    read_fits_cards_astropy,
)

CARDS = [
    "KEY     = 'NIRCAM  '           / c",
    "KEY     = '  lead  '",
    "KEY     = ''",
    "KEY     = '   '",
    "KEY     = 'it''s'",
    "KEY     = 'a/b' / slash inside",
    "KEY     =                  1.0E3",
    "KEY     =                  1.5D3",
    "KEY     =                    T",
    "KEY     =                    F / false",
    "KEY     =                   +5",
    "KEY     = 005",
    "KEY     = .5",
    "KEY     =   1.",
    "KEY     = -12.5e-3",
    "KEY     = (1, 2)",
    "KEY     = -0",
]


@pytest.mark.parametrize("card", CARDS)
def test_parse_card_value_matches_astropy(card):
    card = card.ljust(80)
    expected = fits.Card.fromstring(card).value
    got = parse_card_value(card)
    assert got == expected
    assert type(got) is type(expected)


def test_parse_card_value_undefined_is_nan_string():
    assert parse_card_value("KEY     =  / nothing".ljust(80)) == "NaN"


def test_exposure_key():
    assert exposure_key("/x/jw02732001005_02103_00005_nrcb1_uncal.fits") == (
        "jw02732001005_02103_00005_nrcb1"
    )


def test_fast_reader_equals_astropy(tmp_path, uncal_writer):
    path = uncal_writer(
        tmp_path / "jw02732001001_02101_00001_nrcb1_uncal.fits",
        primary={"FXD_SLIT": "NONE", "TARGNAME": "it's a 'target'", "NUMDTHPT": 9},
        n_pad=300,
    )
    fast = read_fits_cards(path, GENKEYS, SCIKEYS)
    slow = read_fits_cards_astropy(path, GENKEYS, SCIKEYS)
    assert fast == slow
    h0, h1 = fast
    assert h0["GRATING"] == "NaN" and h0["BAND"] == "NaN"  # missing keywords
    assert h0["TARGNAME"] == "it's a 'target'"
    assert h0["BKGDTARG"] is False and h0["IS_IMPRT"] == "F"
    assert h1 == {"RA_REF": 339.01, "DEC_REF": 33.95, "CRVAL1": 339.011, "CRVAL2": 33.951}


def test_scraper_reads_sorted_and_missing_keys(tmp_path, uncal_writer):
    names = ["jw02732001001_02101_00002_nrcb2", "jw02732001001_02101_00001_nrcb1"]
    for name in names:
        uncal_writer(tmp_path / f"{name}_uncal.fits", drop=("GS_MAG", "CRVAL1"))
    (tmp_path / "notes.txt").write_text("not an exposure")
    scraper = JwstFitsScraper(tmp_path, progress=False)
    headers = scraper.scrape_inputs()
    assert list(headers) == sorted(names)
    hdr = headers[names[1]]
    assert list(hdr) == list(GENKEYS) + list(SCIKEYS)
    assert hdr["GS_MAG"] == "NaN" and hdr["CRVAL1"] == "NaN"
    assert scraper.skipped == []


def test_scraper_prefix_and_subfolder(tmp_path, uncal_writer):
    sub = tmp_path / "visit1"
    sub.mkdir()
    uncal_writer(sub / "jw02732001001_02101_00001_nrcb1_uncal.fits")
    uncal_writer(sub / "jw01234001001_02101_00001_nrcb1_uncal.fits")
    files = find_exposure_files(tmp_path, pfx="jw02732")
    assert [f.split("/")[-1] for f in files] == ["jw02732001001_02101_00001_nrcb1_uncal.fits"]


def test_scraper_missing_path_and_empty_folder(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        JwstFitsScraper(tmp_path / "nope")
    with pytest.raises(InputError, match="No exposure files"):
        JwstFitsScraper(tmp_path)


def test_scraper_skips_bad_files_with_reasons(tmp_path, uncal_writer):
    good = uncal_writer(tmp_path / "jw02732001001_02101_00001_nrcb1_uncal.fits")
    raw = good.read_bytes()
    (tmp_path / "jw02732001001_02101_00002_nrcb1_uncal.fits").write_bytes(b"hello " * 1000)
    (tmp_path / "jw02732001001_02101_00003_nrcb1_uncal.fits").write_bytes(raw[:3000])
    (tmp_path / "jw02732001001_02101_00004_nrcb1_uncal.fits").write_bytes(raw[:-2000])
    fits.PrimaryHDU().writeto(tmp_path / "jw02732001001_02101_00005_nrcb1_uncal.fits")
    bad_card = bytearray(raw)
    idx = raw.index(b"TARG_RA =")
    bad_card[idx + 10 : idx + 30] = b"NOT_A_NUMBER        "
    (tmp_path / "jw02732001001_02101_00006_nrcb1_uncal.fits").write_bytes(bytes(bad_card))
    scraper = JwstFitsScraper(tmp_path, progress=False)
    with pytest.warns(SkippedInputWarning, match="Skipped 5 input file"):
        headers = scraper.scrape_inputs()
    assert list(headers) == ["jw02732001001_02101_00001_nrcb1"]
    reasons = {p.split("_")[-3]: r for p, r in scraper.skipped}
    assert "not a FITS file" in reasons["00002"]
    assert "truncated" in reasons["00003"]
    assert "truncated" in reasons["00004"]
    assert "no extension 1" in reasons["00005"]
    assert "unparsable" in reasons["00006"]


@pytest.mark.parametrize(("opener", "sfx"), [(gzip.open, ".gz"), (bz2.open, ".bz2")])
def test_compressed_files_read_as_astropy_does(tmp_path, uncal_writer, opener, sfx):
    path = uncal_writer(tmp_path / "plain.fits")
    packed = tmp_path / f"jw02732001001_02101_00001_nrcb1_uncal.fits{sfx}"
    with open(path, "rb") as src, opener(packed, "wb") as dst:
        shutil.copyfileobj(src, dst)
    assert read_fits_cards(packed, GENKEYS, SCIKEYS) == read_fits_cards_astropy(
        packed, GENKEYS, SCIKEYS
    )
    headers = JwstFitsScraper(tmp_path, sfx=f"_uncal.fits{sfx}", progress=False).scrape_inputs()
    assert headers["jw02732001001_02101_00001_nrcb1"]["FILTER"] == "F150W"
    packed.write_bytes(packed.read_bytes()[:200])  # truncated stream
    with pytest.raises(FitsReadError, match="corrupt or truncated"):
        read_fits_cards(packed, GENKEYS, SCIKEYS)


def test_truncated_reader_error(tmp_path, uncal_writer):
    path = uncal_writer(tmp_path / "a.fits")
    (tmp_path / "b.fits").write_bytes(path.read_bytes()[:100])
    with pytest.raises(FitsReadError, match="truncated"):
        read_fits_cards(tmp_path / "b.fits", GENKEYS, SCIKEYS)


def test_parallel_read_equals_serial(tmp_path, uncal_writer, monkeypatch):
    for i in range(8):
        uncal_writer(
            tmp_path / f"jw02732001001_02101_0000{i}_nrcb1_uncal.fits", sci={"CRVAL1": 339.0 + i}
        )
    serial = JwstFitsScraper(tmp_path, n_jobs=1, progress=False).scrape_inputs()
    monkeypatch.setattr(scrape, "PARALLEL_THRESHOLD", 4)
    parallel = JwstFitsScraper(tmp_path, n_jobs=2, progress=False).scrape_inputs()
    assert parallel == serial
    assert [h["CRVAL1"] for h in parallel.values()] == [339.0 + i for i in range(8)]


def test_fast_reader_equals_astropy_on_simulated_files(tmp_path):
    from spacekit.datasets.jwst import simulate_jwst

    sim = simulate_jwst(tmp_path / "sim", n=40, seed=3, progress=False)
    files = sorted((tmp_path / "sim" / "uncal").glob("*_uncal.fits"))
    assert len(files) >= 20
    for path in files:
        assert read_fits_cards(path, GENKEYS, SCIKEYS) == read_fits_cards_astropy(
            path, GENKEYS, SCIKEYS
        )
    headers = JwstFitsScraper(tmp_path / "sim" / "uncal", progress=False).scrape_inputs()
    assert list(headers) == sorted(sim.exposures["path"].map(lambda p: exposure_key(p)))


def test_long_string_falls_back_to_astropy(tmp_path, uncal_writer):
    long_name = "A-VERY-LONG-TARGET-NAME-" * 4
    path = uncal_writer(
        tmp_path / "jw02732001001_02101_00001_nrcb1_uncal.fits", primary={"TARGNAME": long_name}
    )
    with pytest.raises(NeedsAstropy):
        read_fits_cards(path, GENKEYS, SCIKEYS)
    headers = JwstFitsScraper(tmp_path, progress=False).scrape_inputs()
    assert headers["jw02732001001_02101_00001_nrcb1"]["TARGNAME"] == long_name
