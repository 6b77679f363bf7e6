"""Build the headers of a simulated ``_uncal.fits`` file and write it atomically.

The file has a PRIMARY HDU (no data; the header carries the observation, target,
instrument, exposure, subarray, dither and guide-star keywords in the order and types of a
real Level-1b header: strings, ints, floats, and booleans as FITS logicals ``T``/``F``) and a
SCI image HDU whose header carries the WCS reference keywords (``RA_REF``, ``DEC_REF``,
``CRVAL1``, ``CRVAL2``...). The SCI data are a tiny ``(1, 1, 8, 8)`` uint16 ramp
(integrations, groups, y, x): the headers matter, not the pixels, and ``NINTS``,
``NGROUPS``, ``SUBSIZE1/2`` keep the real values.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import numpy as np

from spacekit._io import atomic_path
from spacekit.datasets.jwst.exposures import mjd_to_datetime

__all__ = [
    "PRIMARY_KEYWORDS",
    "SCI_KEYWORDS",
    "primary_cards",
    "sci_cards",
    "write_uncal",
]

#: Primary-header keywords in writing order, with their comments.
PRIMARY_KEYWORDS: dict[str, str] = {
    "DATE": "UTC date file created",
    "ORIGIN": "Organization responsible for creating file",
    "SIMULATE": "simulated by spacekit.datasets.jwst",
    "TELESCOP": "Telescope used to acquire the data",
    "FILENAME": "Name of the file",
    "FILETYPE": "Type of data in the file",
    "DATAMODL": "Type of data model",
    "PROGRAM": "Program number",
    "OBSERVTN": "Observation number",
    "VISIT": "Visit number",
    "VISITGRP": "Visit group identifier",
    "SEQ_ID": "Parallel sequence identifier",
    "ACT_ID": "Activity identifier",
    "EXPOSURE": "Exposure request number",
    "OBS_ID": "Programmatic observation identifier",
    "VISIT_ID": "Visit identifier",
    "TEMPLATE": "Proposal instruction template used",
    "EXPRIPAR": "Prime or parallel exposure",
    "BKGDTARG": "Background target",
    "TARGPROP": "Proposer's name for the target",
    "TARGNAME": "Standard astronomical catalog name for target",
    "TARGTYPE": "Type of target (fixed, moving, generic)",
    "TARG_RA": "Target RA at mid time of exposure",
    "TARG_DEC": "Target Dec at mid time of exposure",
    "SRCTYAPT": "Source type from APT (point/extended)",
    "INSTRUME": "Instrument used to acquire the data",
    "DETECTOR": "Name of detector used to acquire the data",
    "MODULE": "NIRCam module: A or B",
    "CHANNEL": "Instrument channel",
    "FILTER": "Name of the filter element used",
    "PUPIL": "Name of the pupil element used",
    "GRATING": "Name of the grating element used",
    "FXD_SLIT": "Name of fixed slit aperture used",
    "BAND": "MRS wavelength band",
    "CORONMSK": "Coronagraph mask used",
    "EXP_TYPE": "Type of data in the exposure",
    "EXPSTART": "[d] exposure start time in MJD",
    "EXPEND": "[d] exposure end time in MJD",
    "DATE-OBS": "[yyyy-mm-dd] UTC date at start of exposure",
    "TIME-OBS": "[hh:mm:ss.sss] UTC time at start of exposure",
    "READPATT": "Readout pattern",
    "NOUTPUTS": "Number of detector outputs used",
    "NINTS": "Number of integrations in exposure",
    "NGROUPS": "Number of groups in integration",
    "NFRAMES": "Number of frames per group",
    "GROUPGAP": "Number of frames dropped between groups",
    "TFRAME": "[s] Time between frames",
    "TGROUP": "[s] Time between groups",
    "EFFINTTM": "[s] Effective integration time",
    "EFFEXPTM": "[s] Effective exposure time",
    "DURATION": "[s] Total duration of exposure",
    "ZEROFRAM": "Zero frame was downlinked separately",
    "DATAPROB": "Science telemetry indicated a problem",
    "IS_IMPRT": "NIRSpec imprint exposure",
    "VISITYPE": "Visit type",
    "VISITSTA": "Status of a visit",
    "NEXPOSUR": "Total number of planned exposures in visit",
    "TSOVISIT": "Time Series Observation visit indicator",
    "CROWDFLD": "Are the FGSes in a crowded field?",
    "SUBARRAY": "Subarray used",
    "SUBSTRT1": "Starting pixel in axis 1 direction",
    "SUBSTRT2": "Starting pixel in axis 2 direction",
    "SUBSIZE1": "Number of pixels in axis 1 direction",
    "SUBSIZE2": "Number of pixels in axis 2 direction",
    "FASTAXIS": "Fast readout axis direction",
    "SLOWAXIS": "Slow readout axis direction",
    "PATTTYPE": "Primary dither pattern type",
    "PATT_NUM": "Position number in primary pattern",
    "NUMDTHPT": "Total number of points in pattern",
    "PATTSIZE": "Primary dither pattern size",
    "GS_RA": "guide star right ascension",
    "GS_DEC": "guide star declination",
    "GS_MAG": "guide star magnitude in FGS detector",
}

#: SCI-header keywords written from the record, with their comments.
SCI_KEYWORDS: dict[str, str] = {
    "RA_REF": "[deg] Right ascension of the reference point",
    "DEC_REF": "[deg] Declination of the reference point",
    "ROLL_REF": "[deg] V3 roll angle at the ref point (N over E)",
    "V2_REF": "[arcsec] Telescope v2 coordinate of the reference point",
    "V3_REF": "[arcsec] Telescope v3 coordinate of the reference point",
    "CRVAL1": "first axis value at the reference pixel",
    "CRVAL2": "second axis value at the reference pixel",
}

_DATA = (10000 + (np.arange(64, dtype=np.uint16) % 7)).reshape(1, 1, 8, 8).astype(np.uint16)


def _format_value(value: Any) -> str:
    """Fixed-format FITS value field (columns 11-30 for numbers and logicals)."""
    if isinstance(value, bool):
        return f"{'T' if value else 'F':>20}"
    if isinstance(value, int | np.integer):
        return f"{int(value):>20d}"
    if isinstance(value, float | np.floating):
        text = repr(float(value)).upper()
        if "E" in text:
            mant, exp = text.split("E")
            text = f"{mant if '.' in mant else mant + '.0'}E{int(exp):+03d}"
        elif "." not in text:
            text += ".0"
        digits = 16
        while len(text) > 20:
            digits -= 1
            text = f"{float(value):.{digits}E}"
        return f"{text:>20}"
    text = "'" + str(value).replace("'", "''").ljust(8) + "'"
    return f"{text:<20}"


def _card(key: str, value: Any, comment: str) -> str:
    """One 80-character header card; the comment is cut to fit."""
    image = f"{key:<8}= {_format_value(value)}"
    if comment and len(image) < 77:
        image += " / " + comment
    return f"{image[:80]:<80}"


def _block(cards: list[str]) -> bytes:
    text = "".join(cards) + f"{'END':<80}"
    text += " " * (-len(text) % 2880)
    return text.encode("ascii")


def _obs_id(rec: dict[str, Any]) -> str:
    return (
        f"V{rec['PROGRAM']}{rec['OBSERVTN']}{rec['VISIT']}P0000000{rec['VISITGRP']}"
        f"{rec['SEQ_ID']}{rec['ACT_ID']}"
    )


def primary_cards(rec: dict[str, Any], filename: str) -> list[tuple[str, Any, str]]:
    """Return the primary-header cards ``(keyword, value, comment)`` of one record.

    Parameters
    ----------
    rec : dict
        Exposure record from :func:`~spacekit.datasets.jwst.exposures.expand_exposures`.
    filename : str
        The file name written to FILENAME.

    Returns
    -------
    list of (str, Any, str)
        Cards in :data:`PRIMARY_KEYWORDS` order; keywords absent from ``rec`` are left out.
    """
    created = mjd_to_datetime(rec["EXPEND"]) + dt.timedelta(hours=2)
    values = dict(rec)
    values.update(
        DATE=created.strftime("%Y-%m-%dT%H:%M:%S.%f")[:23],
        ORIGIN="STSCI",
        SIMULATE=True,  # marks every simulated file (see spacekit.datasets.is_simulated)
        TELESCOP="JWST",
        FILENAME=filename,
        FILETYPE="uncalibrated",
        DATAMODL="Level1bModel",
        OBS_ID=_obs_id(rec),
        VISIT_ID=f"{rec['PROGRAM']}{rec['OBSERVTN']}{rec['VISIT']}",
        VISITSTA="SUCCESSFUL",
        DATAPROB=False,
    )
    return [(k, values[k], c) for k, c in PRIMARY_KEYWORDS.items() if k in values]


def sci_cards(rec: dict[str, Any]) -> list[tuple[str, Any, str]]:
    """Return the SCI-extension cards (WCS reference keywords) of one record.

    Parameters
    ----------
    rec : dict
        Exposure record (with ``_scale`` and the :data:`SCI_KEYWORDS` values).

    Returns
    -------
    list of (str, Any, str)
    """
    pa = math.radians(rec["ROLL_REF"])
    scale = rec["_scale"] / 3600.0
    cards = [("EXTNAME", "SCI", "extension name"), ("BUNIT", "DN", "physical units")]
    cards += [(k, rec[k], c) for k, c in SCI_KEYWORDS.items()]
    cards += [
        ("VPARITY", -1, "Relative sense of rotation between Ideal xy and V2V3"),
        ("CTYPE1", "RA---TAN", "first axis coordinate type"),
        ("CTYPE2", "DEC--TAN", "second axis coordinate type"),
        ("CUNIT1", "deg", "first axis units"),
        ("CUNIT2", "deg", "second axis units"),
        ("CRPIX1", (rec["SUBSIZE1"] + 1) / 2.0, "first axis coordinate of the reference pixel"),
        ("CRPIX2", (rec["SUBSIZE2"] + 1) / 2.0, "second axis coordinate of the reference pixel"),
        ("CDELT1", scale, "first axis increment per pixel"),
        ("CDELT2", scale, "second axis increment per pixel"),
        ("PC1_1", round(-math.cos(pa), 10), "linear transformation matrix element"),
        ("PC1_2", round(math.sin(pa), 10), "linear transformation matrix element"),
        ("PC2_1", round(math.sin(pa), 10), "linear transformation matrix element"),
        ("PC2_2", round(math.cos(pa), 10), "linear transformation matrix element"),
    ]
    return cards


def write_uncal(rec: dict[str, Any], path: str | Path, data: np.ndarray | None = None) -> Path:
    """Write one ``_uncal.fits`` file atomically (temporary name, then rename).

    The bytes are formatted directly (fixed-format cards, 2880-byte blocks, the uint16 SCI
    array stored as int16 with ``BZERO = 32768`` as astropy does): about 20 times faster
    than building astropy HDUs, and the tests read every file back with astropy.

    Parameters
    ----------
    rec : dict
        Exposure record from :func:`~spacekit.datasets.jwst.exposures.expand_exposures`.
    path : str or Path
        Destination file.
    data : numpy.ndarray of uint16, optional
        4-D SCI array (default: a constant ``(1, 1, 8, 8)`` ramp).

    Returns
    -------
    Path
        The written path.
    """
    path = Path(path)
    data = _DATA if data is None else np.asarray(data, dtype=np.uint16)
    primary = [
        ("SIMPLE", True, "conforms to FITS standard"),
        ("BITPIX", 8, "array data type"),
        ("NAXIS", 0, "number of array dimensions"),
        ("EXTEND", True, ""),
    ]
    image = [
        ("XTENSION", "IMAGE", "Image extension"),
        ("BITPIX", 16, "array data type"),
        ("NAXIS", data.ndim, "number of array dimensions"),
    ]
    image += [(f"NAXIS{i + 1}", n, "") for i, n in enumerate(reversed(data.shape))]
    image += [
        ("PCOUNT", 0, "number of parameters"),
        ("GCOUNT", 1, "number of groups"),
        ("BSCALE", 1, ""),
        ("BZERO", 32768, ""),
    ]
    raw = (data.astype(np.int32) - 32768).astype(">i2").tobytes()
    raw += b"\0" * (-len(raw) % 2880)
    content = (
        _block([_card(*c) for c in primary + primary_cards(rec, path.name)])
        + _block([_card(*c) for c in image + sci_cards(rec)])
        + raw
    )
    with atomic_path(path) as tmp:
        tmp.write_bytes(content)
    return path
