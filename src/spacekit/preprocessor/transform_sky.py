"""Offset statistics of the exposures of a Level-3 product (``SkyTransformer``).

For each product the exposure footprints are stacked, the product fiducial is the centre of
their bounding box in 3-D unit vectors, and each exposure's offset is its angular distance
from that fiducial in detector pixels. The statistics of these offsets (and of the offsets
from the target position) are the continuous model features of spacekit 1.1.4
(spec §1.7), computed here with vectorised numpy.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping

import numpy as np

from spacekit.preprocessor.scrub_constants import NANVALS

__all__ = ["SkyTransformer", "pixel_scale", "angular_separation", "offset_stats"]

log = logging.getLogger(__name__)

#: Arcsec per pixel (NIRCam by channel, MIRI MRS apart).
PIXEL_SCALES = {
    "NIRCAM_SHORT": 0.03,
    "NIRCAM_LONG": 0.06,
    "MIRI_MRS": 0.196,
    "MIRI": 0.11,
    "NIRISS": 0.06,
    "NIRSPEC": 0.12,
    "FGS": 0.069,
}
#: Detector shape (pixels along RA, along Dec) used for footprints.
DETECTOR_SHAPES = {
    "NIRCAM": (2048, 2048),
    "MIRI": (1032, 1024),
    "NIRISS": (2048, 2048),
    "NIRSPEC": (2048, 2048),
    "FGS": (2048, 2048),
}
_ARCSEC = 1.0 / 3600.0  # degrees per arcsec
#: Offsets within this relative distance of mean + std are not counted as above it.
THRESHOLD_RTOL = 1e-9


def pixel_scale(instr: str, channel, exp_type) -> float:
    """Return the pixel scale (arcsec/pixel) of an exposure.

    NIRCam is 0.03 (SHORT channel) or 0.06 (LONG); MIRI 0.196 for MIR_MRS, else 0.11;
    NIRISS 0.06; NIRSpec 0.12; FGS 0.069. A NIRCam exposure without a SHORT/LONG channel
    gets the short-wave scale (1.1.4 failed on it).
    """
    chan = str(channel).upper()
    if chan in ("SHORT", "LONG"):
        return PIXEL_SCALES[f"NIRCAM_{chan}"]
    instr = str(instr).upper()
    if instr == "MIRI":
        return PIXEL_SCALES["MIRI_MRS"] if exp_type == "MIR_MRS" else PIXEL_SCALES["MIRI"]
    if instr == "NIRCAM":
        return PIXEL_SCALES["NIRCAM_SHORT"]
    return PIXEL_SCALES.get(instr, PIXEL_SCALES["NIRSPEC"])


def angular_separation(ra1, dec1, ra2, dec2) -> np.ndarray:
    """Angular separation in degrees (Vincenty formula), inputs in degrees.

    Evaluated in the same order of operations as astropy's ``SkyCoord(ra1, dec1)
    .separation(SkyCoord(ra2, dec2))`` (longitude difference taken in degrees), which
    spacekit 1.1.4 used, so the results agree to the last bits.
    """
    ra1, dec1, ra2, dec2 = (np.asarray(a, dtype=float) for a in (ra1, dec1, ra2, dec2))
    dlon = np.radians(ra2 - ra1)
    sdlon, cdlon = np.sin(dlon), np.cos(dlon)
    lat1, lat2 = np.radians(dec1), np.radians(dec2)
    slat1, slat2, clat1, clat2 = np.sin(lat1), np.sin(lat2), np.cos(lat1), np.cos(lat2)
    num1 = clat2 * sdlon
    num2 = clat1 * slat2 - slat1 * clat2 * cdlon
    denominator = slat1 * slat2 + clat1 * clat2 * cdlon
    return np.degrees(np.arctan2(np.hypot(num1, num2), denominator))


def _product_fiducial(ra: np.ndarray, dec: np.ndarray, scale: np.ndarray, shape: np.ndarray):
    """Centre (ra, dec) of the bounding box of all footprint corners, in unit vectors."""
    half_ra = shape[:, 0] / 2 * scale * _ARCSEC
    half_dec = shape[:, 1] / 2 * scale * _ARCSEC
    c_ra = np.concatenate([ra - half_ra, ra + half_ra, ra + half_ra, ra - half_ra])
    c_dec = np.concatenate([dec - half_dec, dec - half_dec, dec + half_dec, dec + half_dec])
    lon, lat = np.radians(c_ra), np.radians(c_dec)
    xyz = np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])
    mid = (xyz.max(axis=1) + xyz.min(axis=1)) / 2.0
    fx = float(np.rad2deg(np.arctan2(mid[1], mid[0])) % 360.0)
    fy = float(np.rad2deg(np.arctan2(mid[2], np.sqrt(mid[0] ** 2 + mid[1] ** 2))))
    return fx, fy


def offset_stats(offsets: np.ndarray, prefix: str = "") -> dict[str, float]:
    """Statistics of a product's offsets (§1.7): max, mean, sigma, err, sigma1_mean, frac.

    ``sigma`` is the population standard deviation, ``err = sigma / sqrt(n)``;
    ``sigma1_mean`` and ``frac`` are the mean and share of the offsets strictly above
    ``mean + sigma`` (values within 1e-9 relative of the threshold do not count).
    """
    n = offsets.size
    mean = float(np.mean(offsets))
    std = float(np.std(offsets))
    thresh = mean + std
    above = offsets[offsets > thresh + THRESHOLD_RTOL * abs(thresh)]
    return {
        f"{prefix}max_offset": float(np.max(offsets)),
        f"{prefix}mean_offset": mean,
        f"{prefix}sigma_offset": std,
        f"{prefix}err_offset": std / math.sqrt(n),
        f"{prefix}sigma1_mean": float(np.mean(above)) if above.size else 0.0,
        f"{prefix}frac": above.size / n if above.size else 0.0,
    }


def _is_float(value) -> bool:
    return isinstance(value, float) and math.isfinite(value)


class SkyTransformer:
    """Compute per-product offset statistics from exposure headers (spacekit 1.1.4 §1.7).

    Parameters
    ----------
    mission : str, default="JWST"
        Only ``"JWST"`` is supported.
    ra, dec : str, default="CRVAL1", "CRVAL2"
        Header keys of the exposure fiducial (``"RA_REF"``/``"DEC_REF"`` for spectra).
    count_exposures : bool, default=True
        Set ``NEXPOSUR`` to the number of valid exposures; when False keep the reference
        exposure's header value (1.1.4 does this for TAC products read from FITS).

    Attributes
    ----------
    skipped : list of tuple of (str, str)
        ``(exposure key, reason)`` of exposures dropped for an invalid fiducial.
    """

    def __init__(
        self, mission: str = "JWST", ra: str = "CRVAL1", dec: str = "CRVAL2", count_exposures=True
    ) -> None:
        if mission != "JWST":
            raise ValueError(f"SkyTransformer supports mission='JWST'; received {mission!r}")
        self.mission = mission
        self.ra = ra
        self.dec = dec
        self.count_exposures = count_exposures
        self.skipped: list[tuple[str, str]] = []

    def set_keys(self, ra: str = "CRVAL1", dec: str = "CRVAL2") -> SkyTransformer:
        """Choose the header keys of the exposure fiducial; return self."""
        self.ra, self.dec = ra, dec
        return self

    def calculate_offsets(self, products: Mapping[str, Mapping[str, dict]]) -> dict[str, dict]:
        """Return ``{product: record}`` with the offset features of each product.

        Parameters
        ----------
        products : mapping
            ``{product name: {exposure key: header dict}}``; not modified.

        Returns
        -------
        dict
            One record per product with at least one valid exposure: the reference
            (minimum-offset) exposure's header values, ``DETECTOR``/``BAND`` joined over the
            exposures, ``NEXPOSUR`` and the offset statistics.
        """
        out = {}
        for name, exposures in products.items():
            record = self._product_record(name, exposures)
            if record:
                out[name] = record
        return out

    def _product_record(self, name: str, exposures: Mapping[str, dict]) -> dict:
        keys, headers = [], []
        first = next(iter(exposures.values()), {})
        for key, hdr in exposures.items():
            ra, dec = hdr.get(self.ra), hdr.get(self.dec)
            if _is_float(ra) and _is_float(dec):
                keys.append(key)
                headers.append(hdr)
            else:
                why = f"invalid fiducial {self.ra}={ra!r}, {self.dec}={dec!r} (need numbers)"
                self.skipped.append((key, why))
                log.warning("Exposure %s left out of %s: %s", key, name, why)
        if not headers:
            self.skipped.append((name, "no exposure with a valid fiducial; product dropped"))
            return {}
        ra = np.array([h[self.ra] for h in headers], dtype=float)
        dec = np.array([h[self.dec] for h in headers], dtype=float)
        scale = np.array(
            [pixel_scale(h.get("INSTRUME"), h.get("CHANNEL"), h.get("EXP_TYPE")) for h in headers]
        )
        shape = np.array(
            [DETECTOR_SHAPES.get(str(h.get("INSTRUME")).upper(), (2048, 2048)) for h in headers],
            dtype=float,
        )
        fx, fy = _product_fiducial(ra, dec, scale, shape)
        offsets = angular_separation(fx, fy, ra, dec) * 3600.0 / scale
        t_ra, t_dec = first.get("TARG_RA"), first.get("TARG_DEC")
        if _is_float(t_ra) and _is_float(t_dec):
            targ = angular_separation(t_ra, t_dec, ra, dec) * 3600.0 / scale
        else:
            targ = np.zeros_like(offsets)
        ref = int(np.argmin(offsets))
        record = {k: v for k, v in headers[ref].items() if k not in ("DETECTOR", "BAND")}
        record["DETECTOR"] = _join_detectors(headers)
        record["BAND"] = _join_bands(headers)
        if self.count_exposures or "NEXPOSUR" not in record:
            record["NEXPOSUR"] = len(headers)
        record["offset"] = float(offsets[ref])
        record.update(offset_stats(offsets))
        record["targ_offset"] = float(targ[ref])
        record.update(offset_stats(targ, prefix="targ_"))
        sref = float(scale[ref])
        ref_hdr = headers[ref]
        record["t_offset"] = _sep_pixels(
            ref_hdr.get("TARG_RA"), ref_hdr.get("TARG_DEC"), fx, fy, sref
        )
        record["gs_offset"] = _sep_pixels(ref_hdr.get("GS_RA"), ref_hdr.get("GS_DEC"), fx, fy, sref)
        record["scale"] = sref
        record["fx_ra"], record["fy_dec"] = fx, fy
        return record


def _sep_pixels(ra, dec, fx: float, fy: float, scale: float) -> float:
    if not (_is_float(ra) and _is_float(dec)):
        return 0.0
    return float(angular_separation(fx, fy, ra, dec) * 3600.0 / scale)


def _join_detectors(headers: list[dict]) -> str:
    dets = {str(h.get("DETECTOR")).upper() for h in headers if h.get("DETECTOR") not in NANVALS}
    return "|".join(sorted(dets)) if dets else "NONE"


def _join_bands(headers: list[dict]) -> str:
    bands = set()
    for h in headers:
        band = h.get("BAND")
        if band not in NANVALS and isinstance(band, str):
            bands.update(b.upper() for b in band.split("-") if b)
    if not bands:
        return "NONE"
    return "|".join(sorted(bands, reverse=True))
