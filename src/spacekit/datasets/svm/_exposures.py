"""Exposures of a simulated SVM visit and their co-add into the north-up total product.

Every exposure of a visit sees the same detector-frame scene (one pointing, no dither
pattern) with its own exposure time and noise. Its header WCS is the detector's TAN WCS
rotated by ORIENTAT; a corrupted exposure carries the shifted CRVAL1/2, exactly as
spacekit 1.1.4's ``corrupt`` leaves an input exposure. The total-detection product is
:func:`spacekit.generator.coadd.coadd` of the exposures on a north-up grid that holds the
rotated footprint, so a corrupted exposure's light lands where its wrong WCS puts it.
With ``exposures=True`` the simulator also writes the exposures as ``<rootname>_flt.fits``
files (PRIMARY, SCI, ERR, DQ), the inputs ``spacekit.skopes.hst.svm.corrupt`` works on.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from spacekit._io import atomic_path
from spacekit.datasets.svm._scene import Exposure, Visit, canvas_size, expose, render_scene

__all__ = [
    "product_wcs_header",
    "exposure_wcs_header",
    "filter_keywords",
    "simulate_exposures",
    "coadd_exposures",
    "write_exposure",
]


def product_wcs_header(visit: Visit) -> dict:
    """TAN WCS cards of the north-up total product (ORIENTAT 0, east to the left)."""
    s = visit.det.scale / 3600.0
    n = canvas_size(visit)
    return {
        "CTYPE1": "RA---TAN",
        "CTYPE2": "DEC--TAN",
        "CRPIX1": n / 2 + 0.5,
        "CRPIX2": n / 2 + 0.5,
        "CRVAL1": round(visit.ra, 8),
        "CRVAL2": round(visit.dec, 8),
        "CD1_1": -s,
        "CD1_2": 0.0,
        "CD2_1": 0.0,
        "CD2_2": s,
        "CUNIT1": "deg",
        "CUNIT2": "deg",
        "ORIENTAT": 0.0,
    }


def exposure_wcs_header(visit: Visit, exposure: Exposure) -> dict:
    """TAN WCS cards of one exposure: the detector frame, +y at ORIENTAT east of north.

    A corrupted exposure's CRVAL1/2 include its ``dcrval`` shift.
    """
    s = visit.det.scale / 3600.0
    pa = np.radians(visit.extra.get("orientat", 0.0))
    c, si = np.cos(pa), np.sin(pa)
    return {
        "CTYPE1": "RA---TAN",
        "CTYPE2": "DEC--TAN",
        "CRPIX1": visit.size / 2 + 0.5,
        "CRPIX2": visit.size / 2 + 0.5,
        "CRVAL1": round(visit.ra + exposure.dcrval[0], 10),
        "CRVAL2": round(visit.dec + exposure.dcrval[1], 10),
        "CD1_1": -s * c,
        "CD1_2": s * si,
        "CD2_1": s * si,
        "CD2_2": s * c,
        "CUNIT1": "deg",
        "CUNIT2": "deg",
        "ORIENTAT": round(float(visit.extra.get("orientat", 0.0)), 4),
    }


def filter_keywords(visit: Visit, filt: str) -> dict:
    """FILTER (WFC3) or FILTER1/FILTER2 (ACS) cards of a filter name as SVM spells it."""
    if visit.det.instrument != "ACS":
        return {"FILTER": filt.upper()}
    parts = filt.upper().split("_")
    return {"FILTER1": parts[0], "FILTER2": parts[1] if len(parts) > 1 else "N/A"}


def simulate_exposures(visit: Visit, rng: np.random.Generator):
    """Electrons and errors of every exposure, in exposure order."""
    scene = render_scene(visit)
    return [expose(visit, scene, e, rng) for e in visit.exposures]


def coadd_exposures(visit: Visit, frames) -> tuple:
    """Co-add the exposures onto the north-up product grid; return (Coadd, WCS, shape)."""
    from astropy.wcs import WCS

    from spacekit.generator.coadd import ExposureImage, coadd

    images, wcs_of = [], {}
    for e, (electrons, _) in zip(visit.exposures, frames, strict=True):
        if e.dcrval not in wcs_of:  # the exposures share one pointing
            wcs_of[e.dcrval] = WCS(exposure_wcs_header(visit, e))
        images.append(ExposureImage(electrons / e.exptime, wcs_of[e.dcrval], e.exptime, e.rootname))
    n = canvas_size(visit)
    out_wcs = WCS(product_wcs_header(visit))
    return coadd(images, out_wcs, (n, n)), out_wcs, (n, n)


def write_exposure(
    folder: Path, visit: Visit, exposure: Exposure, electrons: np.ndarray, err: np.ndarray
) -> Path:
    """Write one exposure as ``<rootname>_flt.fits`` (PRIMARY, SCI, ERR, DQ)."""
    from astropy.io import fits

    det = visit.det
    name = f"{exposure.rootname}_flt.fits"
    per_second = det.key == "wfc3_ir"  # IR FLTs are count rates, the CCDs' are electrons
    scale = 1.0 / exposure.exptime if per_second else 1.0
    primary = {
        "TELESCOP": "HST",
        "INSTRUME": det.instrument,
        "DETECTOR": det.detector,
        "ROOTNAME": exposure.rootname,
        "FILENAME": name,
        "PROPOSID": visit.proposal,
        "LINENUM": f"{visit.visit}.001",
        "TARGNAME": visit.targname,
        "RA_TARG": round(visit.ra, 8),
        "DEC_TARG": round(visit.dec, 8),
        "EXPTIME": float(exposure.exptime),
        **filter_keywords(visit, exposure.filter),
        "ORIGIN": "spacekit simulator",
    }
    sci = {
        "EXTNAME": "SCI",
        "EXTVER": 1,
        "BUNIT": "ELECTRONS/S" if per_second else "ELECTRONS",
        **exposure_wcs_header(visit, exposure),
        "WCSNAME": "IDC_ONLY",
    }
    hdus = fits.HDUList(
        [
            fits.PrimaryHDU(header=fits.Header(list(primary.items()))),
            fits.ImageHDU(
                (electrons * scale).astype(np.float32), fits.Header(list(sci.items())), "SCI"
            ),
            fits.ImageHDU((err * scale).astype(np.float32), name="ERR"),
            fits.ImageHDU(np.zeros(electrons.shape, dtype=np.int16), name="DQ"),
        ]
    )
    for h in hdus[2:]:
        h.header["EXTVER"] = 1
        h.header["BUNIT"] = sci["BUNIT"] if h.name == "ERR" else "UNITLESS"
    path = folder / name
    with atomic_path(path) as tmp:
        hdus.writeto(tmp, overwrite=True)
    return path
