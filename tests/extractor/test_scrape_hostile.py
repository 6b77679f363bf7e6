"""Hostile FITS headers: no END card, huge headers, END-like text off the card grid."""

from __future__ import annotations

import gzip
import io

import numpy as np
import pytest

from spacekit.extractor import scrape_fits
from spacekit.extractor.keywords.jwst_cal import GENKEYS, SCIKEYS
from spacekit.extractor.scrape import JwstFitsScraper
from spacekit.extractor.scrape_fits import (
    BLOCK,
    CARD,
    MAX_HEADER_BYTES,
    FitsReadError,
    read_fits_cards,
    read_fits_cards_astropy,
)


class CountingOpen:
    """Stands in for ``open`` in scrape_fits and counts the bytes read."""

    def __init__(self):
        self.read_bytes = 0

    def __call__(self, path, mode="rb"):
        counter = self
        raw = io.FileIO(path, "r")

        class Reader(io.BufferedReader):
            def read(self, n=-1):
                data = super().read(n)
                counter.read_bytes += len(data)
                return data

        return Reader(raw)


def no_end_file(path, total_bytes: int):
    """A primary header that starts like FITS and never ends (sparse: NUL bytes after)."""
    with open(path, "wb") as fh:
        fh.write(b"SIMPLE  =                    T".ljust(CARD))
        fh.write(b"COMMENT no END card follows".ljust(CARD))
        fh.truncate(total_bytes)
    return path


def test_no_end_card_stops_at_the_limit(tmp_path, monkeypatch):
    """Defect: 150 MB without END took 130 s (quadratic); now it stops at the limit."""
    path = no_end_file(tmp_path / "noend_uncal.fits", 150 * 1024**2)
    counting = CountingOpen()
    monkeypatch.setattr(scrape_fits, "open", counting, raising=False)
    with pytest.raises(FitsReadError, match=f"no END card in the first {MAX_HEADER_BYTES} bytes"):
        read_fits_cards(path, GENKEYS, SCIKEYS)
    assert counting.read_bytes <= MAX_HEADER_BYTES + BLOCK
    monkeypatch.undo()
    scraper = JwstFitsScraper(tmp_path, progress=False)
    with pytest.warns(Warning, match="Skipped 1 input file"):
        assert scraper.scrape_inputs() == {}
    assert "no END card" in scraper.skipped[0][1]


def test_compressed_no_end_card_stops_at_the_limit(tmp_path):
    path = tmp_path / "noend_uncal.fits.gz"
    with gzip.open(path, "wb", compresslevel=1) as fh:
        fh.write(b"SIMPLE  =                    T".ljust(CARD))
        for _ in range(40):  # 40 MiB of blanks, ~40 KB on disk
            fh.write(b" " * 1024**2)
    with pytest.raises(FitsReadError, match="no END card in the first"):
        read_fits_cards(path, GENKEYS, SCIKEYS)


def _header(cards: list[str]) -> bytes:
    text = "".join(c.ljust(CARD)[:CARD] for c in cards) + "END".ljust(CARD)
    return (text + " " * (-len(text) % BLOCK)).encode("ascii")


def _fits(n_cards: int, rng: np.random.Generator, decoys: bool) -> tuple[bytes, float]:
    """Primary header with ``n_cards`` filler cards (some with END-like text off the card
    grid when ``decoys``), then an extension-1 header with CRVAL1."""
    ra = float(np.round(rng.uniform(0, 360), 6))
    cards = ["SIMPLE  =                    T", "BITPIX  =                    8"]
    cards += ["NAXIS   =                    0", "EXTEND  =                    T"]
    for i in range(n_cards):
        if decoys and i % 7 == 0:
            cards.append(f"HISTORY x{'END':<77}"[:CARD])  # "END" + blanks at column 11
        else:
            cards.append(f"PAD{i % 10000:05d}= {i}")
    cards.append("TARG_RA =           " + f"{ra:.6f}")
    ext = [
        "XTENSION= 'IMAGE   '",
        "BITPIX  =                   16",
        "NAXIS   =                    0",
        "PCOUNT  =                    0",
        "GCOUNT  =                    1",
        f"CRVAL1  =           {ra:.6f}",
    ]
    return _header(cards) + _header(ext), ra


@pytest.mark.parametrize("seed", range(4))
def test_header_sizes_and_decoys_property(tmp_path, seed):
    """Big and small headers, END-like text off the card grid: same values as astropy."""
    rng = np.random.default_rng(seed)
    for j, n_cards in enumerate(rng.integers(1, 20_000, size=3)):
        data, ra = _fits(int(n_cards), rng, decoys=bool(j % 2))
        path = tmp_path / f"h{seed}_{j}.fits"
        path.write_bytes(data)
        h0, h1 = read_fits_cards(path, GENKEYS, SCIKEYS)
        assert h0["TARG_RA"] == ra and h1["CRVAL1"] == ra
        assert (h0, h1) == read_fits_cards_astropy(path, GENKEYS, SCIKEYS)


@pytest.mark.parametrize("seed", range(3))
def test_no_end_sizes_property(tmp_path, seed, monkeypatch):
    """Any size without END fails with the same clear reason and bounded reading."""
    rng = np.random.default_rng(seed)
    size = int(rng.integers(BLOCK, 4 * MAX_HEADER_BYTES))
    path = no_end_file(tmp_path / "x.fits", size)
    counting = CountingOpen()
    monkeypatch.setattr(scrape_fits, "open", counting, raising=False)
    with pytest.raises(FitsReadError, match="no END card"):
        read_fits_cards(path, GENKEYS, SCIKEYS)
    assert counting.read_bytes <= min(size, MAX_HEADER_BYTES + BLOCK)
