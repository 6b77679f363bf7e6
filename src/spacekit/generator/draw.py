"""Draw the three SVM frames of a total-detection drizzle product (plain, source, Gaia).

:func:`draw_total_frames` reads a ``*total_<ipppss>_dr[cz].fits`` product (SCI extension
and its WCS) and its catalogues, and renders with :mod:`spacekit.generator.render`:

* ``""`` (plain): the image, zscale ``vmin=0, vmax=2*zmax``, gray;
* ``"_source"``: plus the point catalogue (red: flags ≤ 1, green: ≤ 5) and the segment
  catalogue (blue: ≤ 1, green: ≤ 5), alpha 0.5;
* ``"_gaia"``: plus the Gaia reference catalogue in cyan.

By default only the 128×128 pixels the CNN reads are computed (a nearest-neighbour
shrink of 1.1.4's 24-inch figure); ``size=None`` renders the whole figure for people to
look at. :func:`write_frames` saves them as ``{out}/{name}/{name}{suffix}.png``, the
layout 1.1.4 used and :mod:`spacekit.extractor.images` reads.
"""

from __future__ import annotations

import glob
import logging
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

from spacekit.generator.render import (
    CNN_SIZE,
    FIGSIZE,
    Marker,
    figure_canvas,
    nearest_indices,
    render_frame,
    zscale_vmax,
)

__all__ = [
    "FRAME_SUFFIXES",
    "COLORS",
    "DrawError",
    "Frames",
    "catalog_paths",
    "read_catalog",
    "footprint_limits",
    "read_sci",
    "draw_total_frames",
    "write_frames",
]

log = logging.getLogger(__name__)

#: Frame suffixes in the order the CNN stacks them.
FRAME_SUFFIXES: tuple[str, str, str] = ("", "_source", "_gaia")
#: matplotlib's named colours used by 1.1.4 (RGB 0-255).
COLORS = {
    "red": (255, 0, 0),
    "green": (0, 128, 0),
    "blue": (0, 0, 255),
    "cyan": (0, 255, 255),
}


class DrawError(Exception):
    """A drizzle product cannot be drawn; ``str(exc)`` names the file and the reason."""


@dataclass
class Frames:
    """The rendered frames of one product.

    Attributes
    ----------
    name : str
        Product name (``hst_..._total_<ipppss>``).
    images : dict
        ``{suffix: uint8 array (rows, cols, 3)}`` for the suffixes drawn.
    notes : list of str
        Non-fatal problems (a missing catalogue drawn without markers...).
    """

    name: str
    images: dict[str, np.ndarray]
    notes: list[str] = field(default_factory=list)


def catalog_paths(drizzle: str | os.PathLike) -> dict[str, Path | None]:
    """The point, segment and Gaia catalogues beside a drizzle product (None if absent)."""
    drizzle = Path(drizzle)
    name = drizzle.name.rsplit(".", 1)[0][:-4]  # drop "_drz" / "_drc"
    folder = drizzle.parent
    tokens = name.split("_")
    detector = tokens[4] if len(tokens) > 4 else "*"
    gaia = sorted(folder.glob(f"*_{detector}_*G*_ref_cat.ecsv"))
    out = {}
    for kind in ("point", "segment"):
        p = folder / f"{name}_{kind}-cat.ecsv"
        out[kind] = p if p.is_file() else None
    out["gaia"] = gaia[0] if gaia else None
    return out


def read_catalog(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """RA, Dec and minimum flag (NaN → 100; None without flag columns) of an ECSV catalogue.

    Raises
    ------
    ValueError
        If the file cannot be parsed or has no RA/DEC columns.
    """
    import pandas as pd

    try:
        df = pd.read_csv(
            path,
            comment="#",
            sep=" ",
            quotechar='"',
            skipinitialspace=True,
            usecols=lambda c: c in ("RA", "DEC") or "Flags" in c,
        )
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise ValueError(f"unreadable catalogue ({exc})") from exc
    if "RA" not in df.columns or "DEC" not in df.columns:
        raise ValueError("no RA/DEC columns")
    ra = pd.to_numeric(df["RA"], errors="coerce").to_numpy(float)
    dec = pd.to_numeric(df["DEC"], errors="coerce").to_numpy(float)
    flag_cols = [c for c in df.columns if "Flags" in c]
    flags = None
    if flag_cols:
        f = df[flag_cols].apply(pd.to_numeric, errors="coerce").to_numpy(float)
        with np.errstate(invalid="ignore"):
            flags = np.where(np.isnan(f), np.inf, f).min(axis=1)
        flags[~np.isfinite(flags)] = 100.0
    return ra, dec, flags


@cache
def _fk5_to_icrs() -> np.ndarray:
    """Rotation matrix from FK5 (J2000) to ICRS unit vectors (the frame bias)."""
    from astropy.coordinates import SkyCoord

    eye = np.eye(3)
    ra = np.degrees(np.arctan2(eye[:, 1], eye[:, 0]))
    dec = np.degrees(np.arcsin(eye[:, 2]))
    c = SkyCoord(ra, dec, unit="deg", frame="fk5").icrs.cartesian.xyz.value  # (3, 3)
    return np.asarray(c)


def _to_icrs(ra: np.ndarray, dec: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r, d = np.radians(ra), np.radians(dec)
    v = np.stack([np.cos(d) * np.cos(r), np.cos(d) * np.sin(r), np.sin(d)])
    w = _fk5_to_icrs() @ v
    return np.degrees(np.arctan2(w[1], w[0])) % 360.0, np.degrees(np.arcsin(np.clip(w[2], -1, 1)))


def footprint_limits(wcs, shape: tuple[int, int]) -> tuple[tuple[float, float], tuple]:
    """1.1.4's axis limits: the pixel positions of the footprint's RA/Dec box corners.

    The corners ``(max RA, max Dec)`` and ``(min RA, min Dec)`` are converted with
    ``wcs_world2pix(..., 1)`` and used as 0-based limits, so the image is shown flipped
    vertically, as 1.1.4's figures (and so the published network's inputs) were.
    """
    ny, nx = shape
    corners = np.array([[1, 1], [1, ny], [nx, ny], [nx, 1]], dtype=float)
    fp = wcs.all_pix2world(corners, 1)
    ralim = [fp[:, 0].max(), fp[:, 0].min()]
    declim = [fp[:, 1].max(), fp[:, 1].min()]
    x, y = wcs.wcs_world2pix(ralim, declim, 1)
    return (float(x[0]), float(x[1])), (float(y[0]), float(y[1]))


def _markers(wcs, path: Path | None, colors: tuple[str, ...], alpha: float, notes, kind: str):
    if path is None:
        notes.append(f"no {kind} catalogue: drawn without {kind} markers")
        return []
    try:
        ra, dec, flags = read_catalog(path)
    except ValueError as exc:
        notes.append(f"{path}: {exc}: drawn without {kind} markers")
        return []
    ok = np.isfinite(ra) & np.isfinite(dec)
    ra, dec = _to_icrs(ra[ok], dec[ok])
    x, y = wcs.all_world2pix(ra, dec, 0) if len(ra) else (np.zeros(0), np.zeros(0))
    if flags is None:
        return [Marker(np.asarray(x), np.asarray(y), COLORS[colors[0]], alpha)]
    flags = flags[ok]
    best, fair = flags <= 1, (flags > 1) & (flags <= 5)
    return [
        Marker(np.asarray(x)[best], np.asarray(y)[best], COLORS[colors[0]], alpha),
        Marker(np.asarray(x)[fair], np.asarray(y)[fair], COLORS[colors[1]], alpha),
    ]


def read_sci(drizzle: str | os.PathLike):
    """Read the SCI array (float32), header and celestial WCS of extension 1.

    Raises
    ------
    DrawError
        If the file is unreadable or extension 1 holds no 2-D image with a celestial WCS.
    """
    drizzle = Path(drizzle)
    import warnings

    from astropy.io import fits
    from astropy.wcs import WCS, FITSFixedWarning

    try:
        with fits.open(drizzle, memmap=False) as hdul:
            if len(hdul) < 2 or hdul[1].data is None or getattr(hdul[1].data, "ndim", 0) != 2:
                raise DrawError(f"{drizzle}: no 2-D SCI image in extension 1")
            header = hdul[1].header.copy()
            data = np.asarray(hdul[1].data, dtype=np.float32)
    except DrawError:
        raise
    except (OSError, ValueError, TypeError, IndexError) as exc:
        raise DrawError(f"{drizzle}: unreadable FITS file ({exc})") from exc
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FITSFixedWarning)
        try:
            wcs = WCS(header)
        except (ValueError, KeyError, MemoryError) as exc:
            raise DrawError(f"{drizzle}: invalid WCS in extension 1 ({exc})") from exc
    if not wcs.has_celestial:
        raise DrawError(f"{drizzle}: extension 1 has no celestial WCS")
    return data, header, wcs.celestial


def draw_total_frames(
    drizzle: str | os.PathLike,
    *,
    size: int | None = CNN_SIZE,
    frames: tuple[str, ...] = FRAME_SUFFIXES,
    figsize: tuple[float, float] = FIGSIZE,
    data=None,
) -> Frames:
    """Render the frames of one total-detection product.

    Parameters
    ----------
    drizzle : path-like
        The ``*_dr[cz].fits`` product; its catalogues are looked up beside it.
    size : int or None, default=128
        Side of the square frames the CNN reads (the nearest-neighbour shrink of the full
        figure), or None for the full-size figure (about 1800 pixels).
    frames : tuple of str, default=("", "_source", "_gaia")
        Which frames to draw.
    figsize : tuple of float, default=(24, 24)
        Figure size (inches) whose rendering is emulated.
    data : tuple, optional
        ``(sci_array, header, wcs)`` already read, to avoid opening the file again.

    Returns
    -------
    Frames

    Raises
    ------
    DrawError
        If the file cannot be read, has no SCI image or WCS, or its image is blank.
    """
    drizzle = Path(drizzle)
    sci, _, wcs = data if data is not None else read_sci(drizzle)
    if not np.isfinite(sci).any():
        raise DrawError(f"{drizzle}: the SCI image has no finite pixel")
    name = drizzle.name.rsplit(".", 1)[0][:-4]
    try:
        xlim, ylim = footprint_limits(wcs, sci.shape)
        canvas = figure_canvas(xlim, ylim, figsize)
    except ValueError as exc:
        raise DrawError(f"{drizzle}: cannot place the image ({exc})") from exc
    vmax = zscale_vmax(sci)
    if size is None:
        rows, cols = np.arange(canvas.height), np.arange(canvas.width)
    else:
        rows, cols = nearest_indices(canvas.height, size), nearest_indices(canvas.width, size)
    notes: list[str] = []
    cats = catalog_paths(drizzle)
    images = {}
    for sfx in frames:
        markers = []
        if sfx == "_source":
            markers = _markers(wcs, cats["point"], ("red", "green"), 0.5, notes, "point")
            markers += _markers(wcs, cats["segment"], ("blue", "green"), 0.5, notes, "segment")
        elif sfx == "_gaia":
            markers = _markers(wcs, cats["gaia"], ("cyan",), 1.0, notes, "Gaia")
        elif sfx != "":
            raise ValueError(f"unknown frame suffix {sfx!r}; expected one of {FRAME_SUFFIXES}")
        images[sfx] = render_frame(sci, vmax, canvas, rows, cols, markers)
    for note in notes:
        log.warning("%s: %s", name, note)
    return Frames(name, images, notes)


def write_frames(frames: Frames, out_dir: str | os.PathLike) -> list[Path]:
    """Save frames as ``{out_dir}/{name}/{name}{suffix}.png`` (atomically); return the paths.

    Temporary files an earlier, killed writer of the same frames left in the folder
    (``.{name}*.part.png``) are removed first.
    """
    from PIL import Image

    from spacekit._io import atomic_path

    folder = Path(out_dir) / frames.name
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob(f".{glob.escape(frames.name)}*.part.png"):
        stale.unlink(missing_ok=True)
    paths = []
    for sfx, arr in frames.images.items():
        path = folder / f"{frames.name}{sfx}.png"
        with atomic_path(path) as tmp:
            Image.fromarray(np.ascontiguousarray(arr, dtype=np.uint8)).save(tmp, format="PNG")
        paths.append(path)
    return paths
