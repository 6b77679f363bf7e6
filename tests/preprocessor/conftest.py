"""Fixtures for the preprocessor tests: tiny JWST Level-1 FITS files written locally."""

from __future__ import annotations

import numpy as np
import pytest
from astropy.io import fits

BASE_HEADER = {
    "PROGRAM": "02732",
    "OBSERVTN": "001",
    "NEXPOSUR": 4,
    "BKGDTARG": False,
    "IS_IMPRT": "F",
    "VISITYPE": "PRIME_TARGETED_FIXED",
    "TSOVISIT": False,
    "TARGNAME": "NGC 7320",
    "TARG_RA": 339.0145,
    "TARG_DEC": 33.9559,
    "INSTRUME": "NIRCAM",
    "DETECTOR": "NRCB1",
    "FILTER": "F150W",
    "PUPIL": "CLEAR",
    "EXP_TYPE": "NRC_IMAGE",
    "CHANNEL": "SHORT",
    "SUBARRAY": "FULL",
    "NUMDTHPT": 4,
    "GS_RA": 339.1,
    "GS_DEC": 33.9,
    "GS_MAG": 15.2,
    "CROWDFLD": False,
}
SCI_HEADER = {"RA_REF": 339.01, "DEC_REF": 33.95, "CRVAL1": 339.011, "CRVAL2": 33.951}


def write_uncal(path, primary=None, sci=None, drop=(), n_pad=40, shape=(2, 4, 8, 8)):
    """Write a minimal Level-1 exposure: primary header + SCI extension with a tiny cube."""
    hdr0 = fits.Header()
    for key, value in {**BASE_HEADER, **(primary or {})}.items():
        if key not in drop:
            hdr0[key] = value
    for i in range(n_pad):
        hdr0[f"PAD{i:04d}"] = (i * 0.5, "padding card")
    hdr1 = fits.Header()
    for key, value in {**SCI_HEADER, **(sci or {})}.items():
        if key not in drop:
            hdr1[key] = value
    sci_hdu = fits.ImageHDU(np.zeros(shape, dtype=np.uint16), header=hdr1, name="SCI")
    fits.HDUList([fits.PrimaryHDU(header=hdr0), sci_hdu]).writeto(path, overwrite=True)
    return path


@pytest.fixture
def uncal_writer():
    """The :func:`write_uncal` helper."""
    return write_uncal
