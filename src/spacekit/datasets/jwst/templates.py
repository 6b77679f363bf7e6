"""Observation templates: realistic JWST observing configurations.

Every template is a function ``(rng) -> Observation`` registered in :data:`TEMPLATES` with
its prime instrument and a relative frequency. Filter / pupil / grating / subarray /
readout combinations are the real ones (APT templates; keyword values are checked against
the stdatamodels vocabulary in the tests). Sizes (dithers, mosaic tiles, filters) are drawn
wide on purpose; the planner trims observations to the requested number of files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from spacekit.datasets.jwst._nircam import (
    _nircam_coron,
    _nircam_imaging,
    _nircam_tso,
    _nircam_wfsc,
    _nircam_wfss,
)
from spacekit.datasets.jwst._niriss_miri import (
    _miri_coron,
    _miri_imaging,
    _miri_lrs,
    _miri_mrs,
    _niriss_imaging,
    _niriss_tso,
    _niriss_wfss,
)
from spacekit.datasets.jwst._nirspec_fgs import (
    _fgs_imaging,
    _nirspec_bots,
    _nirspec_fs,
    _nirspec_ifu,
    _nirspec_mos,
)
from spacekit.datasets.jwst.plan import Observation

__all__ = ["Template", "TEMPLATES", "INSTRUMENTS", "DEFAULT_EXP_TYPE", "APT_TEMPLATE"]

INSTRUMENTS = ("NIRCAM", "NIRISS", "MIRI", "NIRSPEC", "FGS")


@dataclass(frozen=True)
class Template:
    """A registered observation template."""

    name: str
    instrument: str
    weight: float
    build: Callable[[np.random.Generator], Observation]


TEMPLATES: dict[str, Template] = {
    t.name: t
    for t in [
        Template("nircam_imaging", "NIRCAM", 0.20, _nircam_imaging),
        Template("nircam_parallel", "NIRCAM", 0.04, lambda r: _nircam_imaging(r, pure=True)),
        Template("nircam_wfss", "NIRCAM", 0.04, _nircam_wfss),
        Template("nircam_coron", "NIRCAM", 0.03, _nircam_coron),
        Template("nircam_tsimage", "NIRCAM", 0.02, lambda r: _nircam_tso(r, grism=False)),
        Template("nircam_tsgrism", "NIRCAM", 0.03, lambda r: _nircam_tso(r, grism=True)),
        Template("nircam_wfsc", "NIRCAM", 0.03, _nircam_wfsc),
        Template("niriss_imaging", "NIRISS", 0.04, _niriss_imaging),
        Template("niriss_wfss", "NIRISS", 0.05, _niriss_wfss),
        Template("niriss_soss", "NIRISS", 0.03, lambda r: _niriss_tso(r, ami=False)),
        Template("niriss_ami", "NIRISS", 0.02, lambda r: _niriss_tso(r, ami=True)),
        Template("miri_imaging", "MIRI", 0.12, _miri_imaging),
        Template("miri_mrs", "MIRI", 0.08, _miri_mrs),
        Template("miri_lrs", "MIRI", 0.02, lambda r: _miri_lrs(r, tso=False)),
        Template("miri_lrs_tso", "MIRI", 0.02, lambda r: _miri_lrs(r, tso=True)),
        Template("miri_coron", "MIRI", 0.03, _miri_coron),
        Template("nirspec_ifu", "NIRSPEC", 0.07, _nirspec_ifu),
        Template("nirspec_fs", "NIRSPEC", 0.04, _nirspec_fs),
        Template("nirspec_mos", "NIRSPEC", 0.05, _nirspec_mos),
        Template("nirspec_bots", "NIRSPEC", 0.03, _nirspec_bots),
        Template("fgs_imaging", "FGS", 0.02, _fgs_imaging),
    ]
}

#: EXP_TYPE of arms that do not set one, per template.
DEFAULT_EXP_TYPE = {
    "nircam_imaging": "NRC_IMAGE",
    "nircam_parallel": "NRC_IMAGE",
    "nircam_wfss": "NRC_IMAGE",
    "nircam_coron": "NRC_CORON",
    "nircam_tsimage": "NRC_TSIMAGE",
    "nircam_tsgrism": "NRC_TSGRISM",
    "nircam_wfsc": "NRC_IMAGE",
    "niriss_imaging": "NIS_IMAGE",
    "niriss_wfss": "NIS_WFSS",
    "niriss_soss": "NIS_SOSS",
    "niriss_ami": "NIS_AMI",
    "miri_imaging": "MIR_IMAGE",
    "miri_mrs": "MIR_MRS",
    "miri_lrs": "MIR_LRS-FIXEDSLIT",
    "miri_lrs_tso": "MIR_LRS-SLITLESS",
    "miri_coron": "MIR_4QPM",
    "nirspec_ifu": "NRS_IFU",
    "nirspec_fs": "NRS_FIXEDSLIT",
    "nirspec_mos": "NRS_MSASPEC",
    "nirspec_bots": "NRS_BRIGHTOBJ",
    "fgs_imaging": "FGS_IMAGE",
}

#: APT template names written to the TEMPLATE keyword.
APT_TEMPLATE = {
    "nircam_imaging": "NIRCam Imaging",
    "nircam_parallel": "NIRCam Imaging",
    "nircam_wfss": "NIRCam Wide Field Slitless Spectroscopy",
    "nircam_coron": "NIRCam Coronagraphic Imaging",
    "nircam_tsimage": "NIRCam Time Series",
    "nircam_tsgrism": "NIRCam Grism Time Series",
    "nircam_wfsc": "WFSC NIRCam Fine Phasing",
    "niriss_imaging": "NIRISS Imaging",
    "niriss_wfss": "NIRISS Wide Field Slitless Spectroscopy",
    "niriss_soss": "NIRISS Single-Object Slitless Spectroscopy",
    "niriss_ami": "NIRISS Aperture Masking Interferometry",
    "miri_imaging": "MIRI Imaging",
    "miri_mrs": "MIRI Medium Resolution Spectroscopy",
    "miri_lrs": "MIRI Low Resolution Spectroscopy",
    "miri_lrs_tso": "MIRI Low Resolution Spectroscopy",
    "miri_coron": "MIRI Coronagraphic Imaging",
    "nirspec_ifu": "NIRSpec IFU Spectroscopy",
    "nirspec_fs": "NIRSpec Fixed Slit Spectroscopy",
    "nirspec_mos": "NIRSpec MultiObject Spectroscopy",
    "nirspec_bots": "NIRSpec Bright Object Time Series",
    "fgs_imaging": "FGS External Calibration",
}

#: Templates that may be followed by a dedicated background observation (BKGDTARG=T).
BACKGROUND_TEMPLATES = {"miri_mrs": _miri_mrs, "nirspec_ifu": _nirspec_ifu}
