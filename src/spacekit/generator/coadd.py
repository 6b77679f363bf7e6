"""Co-add calibrated exposures onto a drizzled output grid (a simple drizzle-like resampler).

A single-visit mosaic is the weighted mean of its exposures, each resampled through its
own WCS onto one north-up output grid. :func:`coadd` does this the way a ``drizzle``
run with the SVM defaults weights it, but with a simpler kernel:

* every output pixel centre is mapped to the sky with the output WCS and back into each
  exposure with the exposure's WCS (``all_world2pix``, so SIP and lookup-table
  distortions count); the map is computed on a coarse grid (every ``step`` pixels) and
  interpolated, as ``drizzle``'s ``blot`` does;
* the exposure is sampled there with bilinear interpolation, converted to a count rate,
  its sky (a 3-sigma-clipped median) subtracted, and scaled by the pixel-area ratio
  (the Jacobian of the map), so fluxes are conserved;
* the weight of an exposure is its exposure time (``final_wht_type="EXP"``); pixels
  outside an exposure, masked or NaN get weight zero.

The result has the three extensions of a drizzle product: ``SCI`` (e-/s, zero where no
exposure lands), ``WHT`` (summed exposure time) and ``CTX`` (bit ``i`` set where exposure
``i`` contributed). Unlike ``drizzle`` there is no pixel shrinking (``pixfrac``), no
cosmic-ray rejection and no sky matching between exposures.
"""

from __future__ import annotations

import logging
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = [
    "ExposureImage",
    "Coadd",
    "pixel_map",
    "estimate_sky",
    "coadd",
    "open_exposure",
    "read_exposure",
]

log = logging.getLogger(__name__)


@dataclass
class ExposureImage:
    """One calibrated exposure (or one chip of it) to co-add.

    Attributes
    ----------
    data : numpy.ndarray of shape (ny, nx)
        Count rate (e-/s), sky included.
    wcs : astropy.wcs.WCS
        Celestial WCS of ``data`` (may carry distortion).
    exptime : float
        Exposure time in seconds: the weight of the exposure.
    name : str, default=""
        A label for messages (file name and extension).
    mask : numpy.ndarray of bool, optional
        True where a pixel must not be used.
    """

    data: np.ndarray
    wcs: object
    exptime: float
    name: str = ""
    mask: np.ndarray | None = None


@dataclass
class Coadd:
    """The co-added product.

    Attributes
    ----------
    sci : numpy.ndarray of float32
        Weighted mean count rate (e-/s), sky-subtracted; 0 where nothing landed.
    wht : numpy.ndarray of float32
        Summed exposure time of the contributing exposures.
    ctx : numpy.ndarray of int32
        Context image: bit ``i`` is set where exposure ``i`` contributed (first 32).
    sky : list of float
        Sky level (e-/s) subtracted from each exposure.
    """

    sci: np.ndarray
    wht: np.ndarray
    ctx: np.ndarray
    sky: list[float] = field(default_factory=list)


def _grid(n: int, step: int) -> np.ndarray:
    g = np.arange(0, n, step, dtype=float)
    if g[-1] != n - 1:
        g = np.append(g, n - 1.0)
    return g if len(g) > 1 else np.array([0.0, max(n - 1.0, 1.0)])


def pixel_map(wcs_in, wcs_out, shape_out: tuple[int, int], step: int = 16):
    """Input-pixel coordinates of every output pixel centre, and the pixel-area ratio.

    Parameters
    ----------
    wcs_in, wcs_out : astropy.wcs.WCS
        WCS of the exposure and of the output grid.
    shape_out : tuple of int
        ``(ny, nx)`` of the output grid.
    step : int, default=16
        Spacing of the coarse grid on which the WCS transforms are evaluated; the map in
        between is a cubic spline (exact for a pure tangent-plane map).

    Returns
    -------
    x_in, y_in : numpy.ndarray of shape ``shape_out``
        0-based input pixel coordinates.
    area : numpy.ndarray of shape ``shape_out``
        Input pixels per output pixel (the absolute Jacobian determinant).
    """
    from scipy.interpolate import RectBivariateSpline

    ny, nx = shape_out
    gx, gy = _grid(nx, max(1, int(step))), _grid(ny, max(1, int(step)))
    mx, my = np.meshgrid(gx, gy)
    ra, dec = wcs_out.all_pix2world(mx.ravel(), my.ravel(), 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        xin, yin = wcs_in.all_world2pix(ra, dec, 0, quiet=True)
    xin = np.asarray(xin).reshape(mx.shape)
    yin = np.asarray(yin).reshape(mx.shape)
    ky, kx = min(3, len(gy) - 1), min(3, len(gx) - 1)
    fx = RectBivariateSpline(gy, gx, xin, kx=kx, ky=ky)
    fy = RectBivariateSpline(gy, gx, yin, kx=kx, ky=ky)
    ys, xs = np.arange(ny, dtype=float), np.arange(nx, dtype=float)
    x_in, y_in = fx(ys, xs), fy(ys, xs)
    # The Jacobian of the map by central differences (exact for a linear map).
    if ny > 1 and nx > 1:
        dxdy, dxdx = np.gradient(x_in)
        dydy, dydx = np.gradient(y_in)
        area = np.abs(dxdx * dydy - dxdy * dydx)
    else:
        area = np.ones(shape_out)
    return x_in, y_in, area


def estimate_sky(data: np.ndarray, mask: np.ndarray | None = None) -> float:
    """Sky level of an exposure: the 3-sigma-clipped median of its good pixels.

    Clipping is iterated (at most 5 times) on a regular subsample of at most 20,000 pixels.
    """
    good = np.isfinite(data)
    if mask is not None:
        good &= ~mask
    if not good.any():
        return 0.0
    values = data[good]
    if values.size > 20_000:  # a regular subsample is plenty for a median
        values = values[:: values.size // 20_000 + 1]
    for _ in range(5):
        median, std = np.median(values), values.std()
        keep = np.abs(values - median) <= 3.0 * std
        if keep.all() or keep.sum() < 10:
            break
        values = values[keep]
    return float(np.median(values))


def coadd(
    exposures: list[ExposureImage],
    wcs_out,
    shape_out: tuple[int, int],
    *,
    sky: str | list[float] | None = "median",
    step: int = 16,
) -> Coadd:
    """Resample ``exposures`` onto the output grid and average them by exposure time.

    Parameters
    ----------
    exposures : list of ExposureImage
        The exposures (count rates, sky included).
    wcs_out : astropy.wcs.WCS
        WCS of the output grid (north up for an SVM product).
    shape_out : tuple of int
        ``(ny, nx)`` of the output grid.
    sky : "median", list of float or None, default="median"
        Sky to subtract from each exposure: estimated (:func:`estimate_sky`), given per
        exposure, or none.
    step : int, default=16
        Coarse-grid spacing of the pixel map (:func:`pixel_map`).

    Returns
    -------
    Coadd

    Raises
    ------
    ValueError
        If no exposure is given, an exposure is not a 2-D image, its exposure time is not
        positive, or a given sky list has the wrong length.
    """
    from scipy.ndimage import map_coordinates

    if not exposures:
        raise ValueError("nothing to co-add: no exposure given")
    if isinstance(sky, list | tuple) and len(sky) != len(exposures):
        raise ValueError(f"sky has {len(sky)} values for {len(exposures)} exposures")
    num = np.zeros(shape_out, dtype=np.float64)
    wht = np.zeros(shape_out, dtype=np.float64)
    ctx = np.zeros(shape_out, dtype=np.int32)
    skies: list[float] = []
    # Resampling is linear, so exposures that share a WCS (and have no bad pixels) are
    # summed in their own frame first and resampled once.
    groups: dict[tuple, list] = {}
    for i, exp in enumerate(exposures):
        data = np.asarray(exp.data, dtype=np.float64)
        if data.ndim != 2:
            raise ValueError(f"{exp.name or f'exposure {i}'}: not a 2-D image")
        if not (np.isfinite(exp.exptime) and exp.exptime > 0):
            raise ValueError(f"{exp.name or f'exposure {i}'}: exposure time {exp.exptime!r}")
        bad = ~np.isfinite(data)
        if exp.mask is not None:
            bad |= np.asarray(exp.mask, dtype=bool)
        if sky == "median":
            level = estimate_sky(data, bad)
        elif sky is None:
            level = 0.0
        else:
            level = float(sky[i])
        skies.append(level)
        t = float(exp.exptime)
        clean = np.where(bad, 0.0, data - level) * t
        key = (exp.wcs.to_header_string(relax=True), data.shape, i if bad.any() else -1)
        if key in groups:
            g = groups[key]
            g[1] += clean
            g[2] += t
            g[3].append(i)
        else:
            groups[key] = [exp.wcs, clean, t, [i], bad if bad.any() else None]
    for wcs_in, summed, t, members, bad in groups.values():
        x_in, y_in, area = pixel_map(wcs_in, wcs_out, shape_out, step)
        h, w = summed.shape
        inside = (x_in >= -0.5) & (x_in <= w - 0.5) & (y_in >= -0.5) & (y_in <= h - 0.5)
        coords = [np.clip(y_in, 0, h - 1), np.clip(x_in, 0, w - 1)]
        if bad is not None:
            near_bad = map_coordinates(bad.astype(np.float32), coords, order=1, mode="nearest")
            inside &= near_bad < 1e-6
        values = map_coordinates(summed, coords, order=1, mode="nearest") * area
        num += np.where(inside, values, 0.0)
        wht += np.where(inside, t, 0.0)
        bits = 0
        for i in members:
            if i < 32:
                bits |= 1 << i
        if bits:
            ctx[inside] |= np.array(bits, dtype=np.uint32).astype(np.int32)
    with np.errstate(invalid="ignore", divide="ignore"):
        sci = np.where(wht > 0, num / np.where(wht > 0, wht, 1.0), 0.0)
    return Coadd(sci.astype(np.float32), wht.astype(np.float32), ctx, skies)


def open_exposure(path: str | os.PathLike):
    """Open a FITS exposure (``HDUList``, not memory-mapped).

    Raises
    ------
    ValueError
        Naming the file, if it is not readable FITS.
    """
    from astropy.io import fits

    try:
        hdul = fits.open(path, memmap=False)
        hdul.verify("silentfix")
    except (OSError, ValueError, TypeError) as exc:
        raise ValueError(f"{path}: unreadable exposure ({exc})") from exc
    return hdul


def read_exposure(path: str | os.PathLike, *, dq_bits: int | None = None) -> list[ExposureImage]:
    """Read every ``SCI`` extension of a calibrated exposure (``*_flt.fits``, ``*_flc.fits``).

    Data in ``ELECTRONS`` or ``COUNTS`` are divided by the primary ``EXPTIME``; data in
    ``.../S`` are used as they are.

    Parameters
    ----------
    path : path-like
        The exposure file.
    dq_bits : int, optional
        Mask pixels whose ``DQ`` value has any of these bits set (by default only NaN
        pixels are left out).

    Returns
    -------
    list of ExposureImage
        One per ``SCI`` extension (two for the WFC3/UVIS and ACS/WFC chips).

    Raises
    ------
    ValueError
        If the file cannot be read, has no ``SCI`` image with a celestial WCS, or no
        positive ``EXPTIME``.
    """
    from astropy.wcs import WCS

    path = Path(path)
    hdul = open_exposure(path)
    out = []
    with hdul:
        exptime = hdul[0].header.get("EXPTIME")
        if not isinstance(exptime, int | float) or not exptime > 0:
            raise ValueError(f"{path}: no positive EXPTIME in the primary header")
        for hdu in hdul[1:]:
            try:
                if hdu.name != "SCI" or hdu.data is None or hdu.data.ndim != 2:
                    continue
                ver = hdu.header.get("EXTVER", 1)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    wcs = WCS(hdu.header, hdul)
                data = np.asarray(hdu.data, dtype=np.float64)
            except (OSError, ValueError, TypeError, KeyError, MemoryError) as exc:
                raise ValueError(f"{path}[{hdu.name}]: unreadable extension ({exc})") from exc
            if not wcs.has_celestial:
                raise ValueError(f"{path}[SCI,{ver}]: no celestial WCS")
            unit = str(hdu.header.get("BUNIT", "ELECTRONS")).upper()
            if not unit.endswith("/S"):
                data = data / float(exptime)
            mask = None
            if dq_bits is not None and ("DQ", ver) in hdul:
                mask = (np.asarray(hdul["DQ", ver].data).astype(np.int64) & dq_bits) != 0
            out.append(
                ExposureImage(data, wcs.celestial, float(exptime), f"{path.name}[SCI,{ver}]", mask)
            )
    if not out:
        raise ValueError(f"{path}: no SCI image extension")
    log.debug("read %d chip(s) of %s", len(out), path)
    return out
