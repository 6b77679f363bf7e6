"""Synthetic misalignment of simulated SVM visits, following spacekit 1.1.4's corruption rules.

The 1.1.4 ``corrupt`` module shifts the reference coordinates (CRVAL1/CRVAL2) of some input
exposures and re-runs the SVM pipeline. The shift is ``lambda * 0.04 / 3600`` degrees, with
``lambda`` in pixels drawn from the threshold level (``any``: U(0, 20)) and a random sign:

* ``stat`` (static): one shift per dataset, added to both CRVAL1 and CRVAL2 of every
  selected file;
* ``stoc`` (stochastic): an independent lambda and sign per file and per axis;
* ``all``: every exposure of one randomly chosen filter; ``sub``: a random subset of them.

The corrupted copy is named ``<visit>_<filter>_<all|sub>_<stat|stoc>``. Here the CRVAL
shift is written into the selected exposures' headers (so the co-add places their light
where the wrong WCS says it is) and kept as the offset (in north-up product pixels) at
which they land in the total image, which the catalogues use; :func:`degrade_fit` moves
the alignment statistics the way a re-run with inconsistent inputs moves them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from spacekit.datasets.svm._scene import Visit
from spacekit.generator.corrupt import THRESHOLDS, UVIS_SCALE, lambda_shift

__all__ = ["THRESHOLDS", "Corruption", "corrupt_visit", "degrade_fit", "WCSTYPES"]

#: WCSTYPE header strings by spacekit's short form.
WCSTYPES: dict[str, str] = {
    "a posteriori": "undistorted a posteriori solution relative to GAIAeDR3",
    "a priori": "undistorted a priori solution based on GSC240",
    "default a": "pipeline default a priori solution from the HST ephemeris",
    "not aligned": "undistorted not aligned",
}


@dataclass
class Corruption:
    """What was done to a visit: the filter, the selection, the mode and the shifts."""

    filter: str
    expos: str  # "all" | "sub"
    mode: str  # "stat" | "stoc"
    synthetic: bool
    files: list[str]
    deltas_deg: list[tuple[float, float]]  # (dCRVAL1, dCRVAL2) per selected file

    @property
    def suffix(self) -> str:
        """Name suffix ``<filter>_<expos>_<mode>`` (empty for a real misalignment)."""
        return f"{self.filter}_{self.expos}_{self.mode}" if self.synthetic else ""


def corrupt_visit(
    visit: Visit,
    rng: np.random.Generator,
    *,
    expos: str,
    mode: str,
    synthetic: bool = True,
    thresh: str = "any",
) -> Corruption:
    """Shift some exposures of ``visit`` in place and return the corruption record.

    A filter is chosen among those with enough exposures (two or more for ``sub``); the
    selected exposures get a pixel ``shift`` computed from the CRVAL offsets (with the
    cos(dec) factor on the RA axis and the detector's drizzled pixel scale).
    """
    by_filter: dict[str, list[int]] = {}
    for i, e in enumerate(visit.exposures):
        by_filter.setdefault(e.filter, []).append(i)
    candidates = [f for f, idx in by_filter.items() if expos == "all" or len(idx) > 1]
    filt = candidates[int(rng.integers(len(candidates)))]
    idx = by_filter[filt]
    if expos == "sub":
        k = int(rng.integers(1, len(idx)))
        idx = sorted(rng.choice(idx, k, replace=False).tolist())

    cosd = np.cos(np.radians(visit.dec))
    deltas: list[tuple[float, float]] = []
    if mode == "stat":
        d = lambda_shift(rng, thresh) * UVIS_SCALE / 3600.0
        deltas = [(d, d)] * len(idx)
    else:
        for _ in idx:
            deltas.append(
                (
                    lambda_shift(rng, thresh) * UVIS_SCALE / 3600.0,
                    lambda_shift(rng, thresh) * UVIS_SCALE / 3600.0,
                )
            )
    scale = visit.det.scale
    for i, (d1, d2) in zip(idx, deltas, strict=True):
        # A larger CRVAL1 puts the exposure's sources further east (to smaller x on a
        # north-up grid), a larger CRVAL2 further north (to larger y).
        dx = -d1 * cosd * 3600.0 / scale
        dy = d2 * 3600.0 / scale
        visit.exposures[i].shift = (dx, dy)
        visit.exposures[i].dcrval = (d1, d2)
    files = [f"{visit.exposures[i].rootname}_flt.fits" for i in idx]
    return Corruption(filt, expos, mode, synthetic, files, deltas)


def shift_summary(visit: Visit) -> tuple[float, float]:
    """Return (exposure-time fraction shifted, time-weighted mean shift in arcsec)."""
    t = np.array([e.exptime for e in visit.exposures])
    s = np.array([np.hypot(*e.shift) for e in visit.exposures]) * visit.det.scale
    moved = s > 0
    frac = float(t[moved].sum() / t.sum()) if moved.any() else 0.0
    mean = float((t[moved] * s[moved]).sum() / t[moved].sum()) if moved.any() else 0.0
    return frac, mean


def degrade_fit(fit: dict, visit: Visit, rng: np.random.Generator) -> dict:
    """Move the alignment fit statistics of a misaligned visit.

    Inconsistent inputs leave residuals of about the shift times sqrt(f(1 - f)) on the
    fit (f = shifted fraction of the exposure time), lose matches with Gaia, and make the
    a posteriori fit fail more often (falling back to an a priori or no solution).
    """
    frac, shift_as = shift_summary(visit)
    out = dict(fit)
    if frac == 0:
        return out
    spread_mas = 1000.0 * shift_as * np.sqrt(max(frac * (1 - frac), 0.05))
    p_fail = 0.08 + 0.32 * min(1.0, shift_as / 1.0)
    if fit["wcstype"] == "a posteriori" and rng.random() < p_fail:
        out["wcstype"] = "a priori" if rng.random() < 0.6 else "not aligned"
    if out["wcstype"] == "a posteriori":
        out["rms_ra"] = float(np.hypot(fit["rms_ra"], spread_mas * rng.uniform(0.4, 0.9)))
        out["rms_dec"] = float(np.hypot(fit["rms_dec"], spread_mas * rng.uniform(0.4, 0.9)))
        keep = 1.0 - frac * min(1.0, shift_as / 0.3) * rng.uniform(0.4, 0.9)
        out["nmatches"] = int(max(3, round(fit["nmatches"] * keep)))
    else:
        out["rms_ra"], out["rms_dec"], out["nmatches"] = 0.0, 0.0, 0
    return out
