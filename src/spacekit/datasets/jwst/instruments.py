"""Instrument facts used by the JWST simulator: detectors, subarrays, readouts, scales.

Sizes are readout sizes (``SUBSIZE1 x SUBSIZE2``, fast axis first) as they appear in real
Level-1b headers (see ``specs/offline-data-sources.md`` §1.3: the SIAF aperture size is not
always the readout size). Detector positions are approximate centres in arcsec in the
instrument's aperture frame (x along +V2-ish, y along +V3-ish), good enough to lay out
multi-detector footprints and mosaics; they are not a SIAF substitute.
"""

from __future__ import annotations

__all__ = [
    "SUBARRAYS",
    "READOUTS",
    "DETECTOR_OFFSETS",
    "PIXEL_SCALE",
    "NIRCAM_SW",
    "NIRCAM_LW",
    "detector_scale",
    "frame_time",
]

#: SUBARRAY -> (SUBSIZE1, SUBSIZE2, SUBSTRT1, SUBSTRT2) per instrument.
SUBARRAYS: dict[str, dict[str, tuple[int, int, int, int]]] = {
    "NIRCAM": {
        "FULL": (2048, 2048, 1, 1),
        "SUB640": (640, 640, 1, 1),
        "SUB320": (320, 320, 1, 1),
        "SUB160": (160, 160, 1, 1),
        "SUB400P": (400, 400, 1, 1),
        "SUB160P": (160, 160, 1, 1),
        "SUB64P": (64, 64, 1, 1),
        "SUBGRISM256": (2048, 256, 1, 1),
        "SUBGRISM128": (2048, 128, 1, 1),
        "SUBGRISM64": (2048, 64, 1, 1),
        "SUB320A335R": (320, 320, 1, 1),
        "SUB320A430R": (320, 320, 1, 1),
        "SUB640A210R": (640, 640, 1, 1),
        "SUB32TATS": (32, 32, 1, 1),
        "SUB32TATSGRISM": (32, 32, 1, 1),
        "SUBNDA335R": (128, 128, 1, 1),
        "SUB320ALWB": (320, 320, 1, 1),
        "SUB8FP1A": (8, 8, 1, 1),
    },
    "NIRISS": {
        "FULL": (2048, 2048, 1, 1),
        "SUBSTRIP256": (2048, 256, 1, 1793),
        "SUBSTRIP96": (2048, 96, 1, 1803),
        "SUB80": (80, 80, 1, 1),
        "SUB64": (64, 64, 1, 1),
        "SUB128": (128, 128, 1, 1),
        "SUB256": (256, 256, 1, 1),
        "SUBTAAMI": (64, 64, 1, 1),
        "SUBTASOSS": (64, 64, 1, 1),
    },
    "MIRI": {
        "FULL": (1032, 1024, 1, 1),
        "BRIGHTSKY": (512, 512, 457, 51),
        "SUB256": (256, 256, 413, 51),
        "SUB128": (136, 128, 1, 889),
        "SUB64": (72, 64, 1, 779),
        "SLITLESSPRISM": (72, 416, 1, 529),
        "MASK1065": (288, 224, 1, 19),
        "MASK1140": (288, 224, 1, 245),
        "MASK1550": (288, 224, 1, 467),
        "MASKLYOT": (320, 304, 1, 717),
    },
    "NIRSPEC": {
        "FULL": (2048, 2048, 1, 1),
        "ALLSLITS": (2048, 256, 1, 897),
        "SUBS200A1": (2048, 64, 1, 1029),
        "SUBS200A2": (2048, 64, 1, 1029),
        "SUBS400A1": (2048, 64, 1, 1029),
        "SUB2048": (2048, 32, 1, 1),
        "SUB1024A": (1024, 32, 1, 1),
        "SUB512": (512, 32, 1, 1),
        "SUB32": (32, 32, 1, 1),
    },
    "FGS": {
        "FULL": (2048, 2048, 1, 1),
        "SUB128CNTR": (128, 128, 961, 961),
        "32X32": (32, 32, 1, 1),
    },
}

#: READPATT -> (NFRAMES, GROUPGAP).
READOUTS: dict[str, tuple[int, int]] = {
    "RAPID": (1, 0),
    "BRIGHT1": (1, 1),
    "BRIGHT2": (2, 0),
    "SHALLOW2": (2, 3),
    "SHALLOW4": (4, 1),
    "MEDIUM2": (2, 8),
    "MEDIUM8": (8, 2),
    "DEEP2": (2, 18),
    "DEEP8": (8, 12),
    "NIS": (4, 0),
    "NISRAPID": (1, 0),
    "NRS": (4, 0),
    "NRSRAPID": (1, 0),
    "NRSIRS2": (5, 0),
    "NRSIRS2RAPID": (1, 0),
    "FAST": (1, 0),
    "FASTR1": (1, 0),
    "SLOWR1": (1, 0),
    "FGS": (4, 0),
    "FGSRAPID": (1, 0),
}

NIRCAM_SW = {"A": ("NRCA1", "NRCA2", "NRCA3", "NRCA4"), "B": ("NRCB1", "NRCB2", "NRCB3", "NRCB4")}
NIRCAM_LW = {"A": ("NRCALONG",), "B": ("NRCBLONG",)}

#: Detector centre offsets (arcsec) from the instrument's aperture centre.
DETECTOR_OFFSETS: dict[str, tuple[float, float]] = {
    # NIRCam: two 2x2 SW modules (63" detectors, 5" gaps), modules 44" apart;
    # one LW detector covering each module.
    "NRCA1": (-121.0, -34.0),
    "NRCA2": (-121.0, 34.0),
    "NRCA3": (-53.0, -34.0),
    "NRCA4": (-53.0, 34.0),
    "NRCALONG": (-87.0, 0.0),
    "NRCB1": (121.0, -34.0),
    "NRCB2": (121.0, 34.0),
    "NRCB3": (53.0, -34.0),
    "NRCB4": (53.0, 34.0),
    "NRCBLONG": (87.0, 0.0),
}

#: Native pixel scale (arcsec/pixel) per detector family.
PIXEL_SCALE: dict[str, float] = {
    "NIRCAM_SHORT": 0.031,
    "NIRCAM_LONG": 0.063,
    "NIRISS": 0.0656,
    "MIRI": 0.11,
    "MIRI_MRS": 0.196,
    "NIRSPEC": 0.1,
    "FGS": 0.069,
}

#: Offsets (arcsec) of each instrument's field from the NIRCam field centre, used to
#: place coordinated-parallel fields (roughly the real layout in the V2/V3 plane).
INSTRUMENT_FIELD_OFFSETS: dict[str, tuple[float, float]] = {
    "NIRCAM": (0.0, 0.0),
    "NIRISS": (-290.0, 150.0),
    "MIRI": (-420.0, -100.0),
    "NIRSPEC": (250.0, 420.0),
    "FGS": (-200.0, 380.0),
}


def detector_scale(instrument: str, detector: str, exp_type: str = "") -> float:
    """Return the native pixel scale (arcsec/pixel) of one detector.

    Parameters
    ----------
    instrument : str
        INSTRUME (NIRCAM, NIRISS, MIRI, NIRSPEC, FGS).
    detector : str
        DETECTOR (NIRCam long-wavelength detectors end in ``LONG``).
    exp_type : str, default=""
        EXP_TYPE; MIRI MRS uses the IFU spaxel scale.

    Returns
    -------
    float
    """
    if instrument == "NIRCAM":
        return PIXEL_SCALE["NIRCAM_LONG" if detector.endswith("LONG") else "NIRCAM_SHORT"]
    if instrument == "MIRI":
        return PIXEL_SCALE["MIRI_MRS" if exp_type == "MIR_MRS" else "MIRI"]
    return PIXEL_SCALE[instrument]


def frame_time(instrument: str, nx: int, ny: int, readpatt: str) -> float:
    """Return TFRAME (seconds) for a readout of ``nx x ny`` pixels.

    Uses the usual SIDECAR clocking: ``(nx / noutputs + 12) * (ny + 1) * 10 us`` with four
    outputs for full-width reads (NIRCam/NIRISS/NIRSpec/FGS), the MIRI FAST/SLOW frame times
    scaled by area for MIRI, and the IRS2 frame time for NIRSpec IRS2 patterns.

    Parameters
    ----------
    instrument : str
        INSTRUME.
    nx, ny : int
        Readout size (SUBSIZE1, SUBSIZE2).
    readpatt : str
        READPATT.

    Returns
    -------
    float
        TFRAME in seconds, rounded to 5 decimals.
    """
    if instrument == "MIRI":
        base = 23.89 if readpatt.startswith("SLOW") else 2.775
        return round(base * (nx * ny) / (1032 * 1024), 5)
    if readpatt.startswith("NRSIRS2"):
        return 14.5889
    noutputs = 4 if nx == 2048 else 1
    return round((nx / noutputs + 12) * (ny + 1) * 1e-5, 5)
