"""Ground-truth Level-3 memory footprint of a simulated product (a documented model).

The Level-3 pipelines (``calwebb_image3``, ``calwebb_spec3``, ``calwebb_tso3``,
``calwebb_coron3``, ``calwebb_ami3``) work on the Level-2 products of every member exposure,
so the peak memory is modelled as the bytes they hold at once:

``inputs``
    Every member as a Level-2 model: SCI, ERR, DQ and three variance arrays of 4 bytes per
    pixel, 24 B/pixel of the readout (``SUBSIZE1 * SUBSIZE2``). Time series, coronagraphy
    and AMI keep every integration (``calints``: SCI, ERR and DQ, 12 B/pixel), so they pay
    ``NINTS x 12`` B/pixel instead.
``image`` (IMAGE products, and the FGS ones)
    The resampled mosaic covers the bounding box of all member footprints (detector size
    times pixel scale around each member's ``CRVAL``), so dither and mosaic offsets grow it.
    It holds SCI, WHT, CON, ERR and variances (28 B/output pixel), and outlier detection
    keeps a median stack of up to 20 resampled exposure groups (4 B/pixel each).
``spec`` (SPEC products)
    IFU cubes (NRS_IFU, MIR_MRS): the cube (spaxels from the field plus the dither/mosaic
    extent, times the wavelength planes of the grating/band; 16 B/voxel) plus the float64
    point cloud that cube building makes from every illuminated detector pixel (16 B/pixel).
    Source-based modes (WFSS, MOS, fixed slit) hold a 2-D cut-out per source per exposure
    (24 B/pixel), so the source count matters.
``tso`` / ``coron`` / ``ami`` (TAC products)
    Integrations: ``1.3 x inputs`` (TSO: the time-series median), ``2 x inputs``
    (coronagraphy: aligned PSF stacks) or ``1.5 x inputs`` (AMI).

NGROUPS enters only the Level-1 file size (the Level-3 pipelines never see ramps). A
fixed 0.2 GB of pipeline overhead is added, crowded fields cost 30 % more in imaging (bigger
source catalogs), and the result is multiplied by lognormal noise (sigma 0.15) so the truth
is not an exact function of the headers. Values run from ~0.2 GB (one subarray exposure)
to several hundred GB (wide NIRCam mosaics, large WFSS fields).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from spacekit.datasets.jwst.naming import CORON_TYPES

__all__ = ["product_memory_gb", "footprint_pixels", "OVERHEAD_GB", "NOISE_SIGMA"]

OVERHEAD_GB = 0.2
NOISE_SIGMA = 0.15
#: Wavelength planes of an IFU cube per NIRSpec grating / MIRI band (order of magnitude).
CUBE_PLANES = {
    "PRISM": 940,
    "G140M": 1450,
    "G235M": 1450,
    "G395M": 1450,
    "G140H": 3800,
    "G235H": 3800,
    "G395H": 3800,
    "SHORT": 1250,
    "MEDIUM": 1400,
    "LONG": 1500,
}
#: Detector pixels of one spectral cut-out per source (dispersion x cross-dispersion).
CUTOUT_PIXELS = {
    "NRC_WFSS": 1300 * 40,
    "NIS_WFSS": 180 * 40,
    "NRS_MSASPEC": 2048 * 35,
    "NRS_FIXEDSLIT": 2048 * 40,
    "MIR_WFSS": 400 * 40,
}
IFU_FIELD_ARCSEC = {"NRS_IFU": 3.0, "MIR_MRS": 4.0}


def footprint_pixels(members: Sequence[Mapping[str, Any]]) -> float:
    """Output pixels of a resampled product: the bounding box of all member footprints.

    Uses each member's sky offset (``_dx``, ``_dy`` in arcsec), readout size and pixel
    scale (``_scale``); the output scale is the finest member scale.

    Parameters
    ----------
    members : sequence of mapping
        Member exposure records with ``_dx``, ``_dy``, ``_scale``, ``SUBSIZE1``, ``SUBSIZE2``.

    Returns
    -------
    float
        Number of output pixels.
    """
    dx = np.array([m["_dx"] for m in members], dtype=float)
    dy = np.array([m["_dy"] for m in members], dtype=float)
    scale = np.array([m["_scale"] for m in members], dtype=float)
    hw = 0.5 * np.array([m["SUBSIZE1"] for m in members]) * scale
    hh = 0.5 * np.array([m["SUBSIZE2"] for m in members]) * scale
    width = (dx + hw).max() - (dx - hw).min()
    height = (dy + hh).max() - (dy - hh).min()
    out_scale = scale.min()
    return float(width * height / out_scale**2)


def _inputs_bytes(members: Sequence[Mapping[str, Any]], per_int: bool) -> float:
    total = 0.0
    for m in members:
        pix = m["SUBSIZE1"] * m["SUBSIZE2"]
        # per-integration products (calints) carry SCI, ERR and DQ: 12 B/pixel
        total += pix * 12.0 * m["NINTS"] if per_int else pix * 24.0
    return total


def _spec_bytes(members: Sequence[Mapping[str, Any]], exp_type: str) -> float:
    inputs = _inputs_bytes(members, per_int=False)
    if exp_type in IFU_FIELD_ARCSEC:
        first = members[0]
        key = first.get("GRATING") if exp_type == "NRS_IFU" else first.get("BAND")
        planes = CUBE_PLANES.get(str(key), 1500)
        dx = [m["_dx"] for m in members]
        dy = [m["_dy"] for m in members]
        field = IFU_FIELD_ARCSEC[exp_type]
        spaxel = 0.1 if exp_type == "NRS_IFU" else 0.13
        nx = (field + max(dx) - min(dx)) / spaxel
        ny = (field + max(dy) - min(dy)) / spaxel
        cloud = inputs / 24.0 * 16.0
        return inputs + cloud + nx * ny * planes * 16.0
    cutout = CUTOUT_PIXELS.get(exp_type)
    if cutout is not None:
        n_src = members[0].get("_n_sources", 1) if exp_type != "NRS_FIXEDSLIT" else 1
        return inputs + n_src * len(members) * cutout * 24.0
    return inputs * 1.2


def product_memory_gb(
    members: Sequence[Mapping[str, Any]],
    category: str,
    rng: np.random.Generator | None = None,
) -> float:
    """Return the ground-truth Level-3 memory (GB) of one product.

    Parameters
    ----------
    members : sequence of mapping
        The member exposure records (header values plus the simulator's private ``_dx``,
        ``_dy``, ``_scale`` and ``_n_sources`` fields).
    category : {"IMAGE", "SPEC", "TAC", "FGS"}
        Product routing (§1.5).
    rng : numpy.random.Generator, optional
        Draws the lognormal noise; without it the noise-free value is returned.

    Returns
    -------
    float
        Memory in GB (1e9 bytes), rounded to 4 decimals.
    """
    exp_type = str(members[0]["EXP_TYPE"])
    if category in ("IMAGE", "FGS"):
        area = footprint_pixels(members)
        groups = len({(m["VISIT"], m["ACT_ID"], m["EXPOSURE"], m["SEQ_ID"]) for m in members})
        nbytes = _inputs_bytes(members, False) + area * 28.0 + min(groups, 20) * area * 4.0
        if members[0].get("CROWDFLD") is True:
            nbytes *= 1.3
    elif category == "SPEC":
        nbytes = _spec_bytes(members, exp_type)
    else:
        factor = 2.0 if exp_type in CORON_TYPES else 1.5 if exp_type == "NIS_AMI" else 1.3
        nbytes = _inputs_bytes(members, per_int=True) * factor
    gb = OVERHEAD_GB + nbytes / 1e9
    if rng is not None:
        gb *= float(np.exp(rng.normal(0.0, NOISE_SIGMA)))
    return round(gb, 4)
