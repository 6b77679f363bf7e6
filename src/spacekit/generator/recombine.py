"""Re-combine a corrupted SVM visit: its total product, catalogues and statistics.

spacekit 1.1.4 re-ran drizzlepac's ``runsinglehap`` on each corrupted visit. spacekit has
no drizzlepac dependency; :func:`recombine_visit` rebuilds what the alignment skope reads,
from the corrupted exposures and the aligned visit's own products:

1. **Image.** Every exposure of the poller list is read from the corrupted folder (the
   selected ones carry the shifted CRVAL) and co-added on the aligned product's north-up
   grid (:func:`spacekit.generator.coadd.coadd`): the shifted exposures' light lands
   where their wrong WCS puts it.
2. **Offsets.** The offset of each exposure on that grid is measured by projecting its
   centre pixel through its aligned and its corrupted WCS.
3. **Catalogues.** Each source of the aligned point and segment catalogues is split into
   one copy per distinct offset, carrying the exposure-time fraction of its flux; copies
   closer than 1.2 FWHM (point) or 2.5 FWHM (segment) blend into one flux-weighted
   detection, and a copy is kept when its signal-to-noise ratio (from the catalogue's
   magnitude error, scaled by the flux fraction) reaches 5 and it lands where the new
   product has data. Magnitudes, errors, pixel and sky positions are updated; IDs are
   renumbered.
4. **Fit statistics.** Both point catalogues are matched to the Gaia reference catalogue
   (a Gaia star matches when exactly one detection lies within ``match_radius``). NMATCHES
   scales with the fraction of matches kept, RMS_RA/RMS_DEC grow by the measured increase
   of the residual scatter, and with fewer than 3 matches left an a posteriori fit is
   marked failed (WCSTYPE a priori, RMS and NMATCHES 0).
5. **Diagnostics.** ``*_svm_num_sources.json`` is rewritten with the new counts; the Gaia
   JSON files are copied (the Gaia catalogue does not change); other JSON files depend on
   drizzlepac's own measurements and are not carried over (listed in the notes).

There is no source detection on the new image and no re-fit of the WCS: the catalogues
and statistics are the aligned visit's, moved by the measured offsets.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = [
    "FWHM_ARCSEC",
    "MIN_MATCHES",
    "Recombined",
    "read_sci_wcs",
    "exposure_offsets",
    "blend_copies",
    "split_catalog",
    "gaia_match",
    "recombine_visit",
]

log = logging.getLogger(__name__)

#: PSF FWHM (arcsec) by detector, for the blending radius of the catalogues.
FWHM_ARCSEC = {"IR": 0.2, "UVIS": 0.08, "WFC": 0.1, "HRC": 0.06, "SBC": 0.07}
#: Fewest Gaia matches of an a posteriori fit.
MIN_MATCHES = 3
_FALLBACK_WCSTYPE = "undistorted a priori solution based on GSC240"
_MERGE_FWHM = {"point": 1.2, "segment": 2.5}
_SNR_MIN = 5.0
_KEEP_JSON = ("_svm_gaia_sources.json", "_svm_gaia_distribution_characterization.json")


@dataclass
class Recombined:
    """What :func:`recombine_visit` wrote.

    Attributes
    ----------
    folder : pathlib.Path
        The corrupted visit folder.
    product : pathlib.Path
        The re-combined total-detection product.
    offsets : list of (float, float, float)
        Distinct exposure offsets on the product grid ``(dx, dy, exposure-time fraction)``.
    counts : dict
        ``point`` and ``segment`` catalogue lengths, before and after.
    fit : dict
        ``rms_ra, rms_dec, nmatches, wcstype`` written to the SCI header.
    notes : list of str
        What was left out or could not be measured.
    """

    folder: Path
    product: Path
    offsets: list[tuple[float, float, float]]
    counts: dict = field(default_factory=dict)
    fit: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def read_sci_wcs(path: str | os.PathLike):
    """``(celestial WCS, (ny, nx), EXPTIME)`` of the first ``SCI`` image of an exposure."""
    from astropy.io import fits

    path = Path(path)
    from astropy.wcs import WCS

    with fits.open(path, memmap=False) as hdul:
        for h in hdul[1:]:
            if h.name == "SCI" and h.data is not None:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    wcs = WCS(h.header, hdul)
                ny, nx = h.data.shape
                return wcs.celestial, (ny, nx), float(hdul[0].header.get("EXPTIME", 0.0))
    raise ValueError(f"{path}: no SCI image extension")


def exposure_offsets(pairs, out_wcs) -> list[tuple[float, float, float]]:
    """Distinct offsets ``(dx, dy, weight)`` on the output grid of ``(aligned, corrupted)`` files.

    Each exposure's centre pixel is projected through both WCS onto the output grid; the
    weights are exposure-time fractions (rounded offsets, 0.001 pixel, are grouped).
    """
    seconds: dict[tuple[float, float], float] = {}
    for old_path, new_path in pairs:
        w_old, shape, t = read_sci_wcs(Path(old_path))
        w_new, _, _ = read_sci_wcs(Path(new_path))
        cy, cx = (shape[0] - 1) / 2.0, (shape[1] - 1) / 2.0
        p_old = out_wcs.all_world2pix(w_old.all_pix2world([[cx, cy]], 0), 0)[0]
        p_new = out_wcs.all_world2pix(w_new.all_pix2world([[cx, cy]], 0), 0)[0]
        key = (round(float(p_new[0] - p_old[0]), 3), round(float(p_new[1] - p_old[1]), 3))
        seconds[key] = seconds.get(key, 0.0) + max(t, 1e-9)
    total = sum(seconds.values())
    return [(dx, dy, s / total) for (dx, dy), s in seconds.items()]


def _column(table, starts: tuple[str, ...]) -> str | None:
    for name in table.colnames:
        if name.lower().startswith(starts):
            return name
    return None


def blend_copies(x: float, y: float, offsets, merge_px: float) -> list[tuple[float, float, float]]:
    """Where one source shows in a co-add whose exposures landed at different offsets.

    The copies at ``(x + dx, y + dy)`` are taken by decreasing weight; a copy closer than
    ``merge_px`` to the first copy of a group joins it. Returns the flux-weighted centre
    and the summed weight of each group.

    Parameters
    ----------
    x, y : float
        Position of the source when aligned.
    offsets : iterable of (float, float, float)
        ``(dx, dy, weight)`` of each distinct exposure offset.
    merge_px : float
        Blending distance in pixels.
    """
    groups: list[list[float]] = []  # [sum w*x, sum w*y, sum w, x0, y0]
    for dx, dy, w in sorted(offsets, key=lambda o: -o[2]):
        px, py = x + dx, y + dy
        for g in groups:
            if np.hypot(px - g[3], py - g[4]) < merge_px:
                g[0] += w * px
                g[1] += w * py
                g[2] += w
                break
        else:
            groups.append([w * px, w * py, w, px, py])
    return [(g[0] / g[2], g[1] / g[2], g[2]) for g in groups]


def split_catalog(table, out_wcs, offsets, merge_px: float, footprint=None):
    """Move a catalogue by the exposure offsets (see the module docstring, step 3).

    Parameters
    ----------
    table : astropy.table.Table
        The aligned catalogue (``RA``, ``DEC``; optional X/Y, ``Mag*``, ``Mag*Err``, ``ID``).
    out_wcs : astropy.wcs.WCS
        WCS of the product grid.
    offsets : list of (float, float, float)
        From :func:`exposure_offsets`.
    merge_px : float
        Copies closer than this (pixels) blend into one detection.
    footprint : numpy.ndarray of bool, optional
        Pixels of the product grid that hold data (``WHT > 0``); copies landing elsewhere
        (off the grid, or where no exposure lands) are not detected.

    Returns
    -------
    astropy.table.Table
    """
    from astropy.table import Table

    ra = np.asarray(table["RA"], dtype=float)
    dec = np.asarray(table["DEC"], dtype=float)
    ok = np.isfinite(ra) & np.isfinite(dec)
    x, y = np.full(len(ra), np.nan), np.full(len(ra), np.nan)
    if ok.any():
        x[ok], y[ok] = out_wcs.all_world2pix(ra[ok], dec[ok], 0)
    err_col = next(
        (c for c in table.colnames if c.lower().startswith("mag") and "err" in c.lower()), None
    )
    snr = None
    if err_col is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            snr = 1.0857 / np.asarray(table[err_col], dtype=float)
    rows, new_x, new_y, fracs = [], [], [], []
    order = list(offsets)
    for i in range(len(table)):
        if not ok[i]:
            continue
        clusters = blend_copies(x[i], y[i], order, merge_px)
        for cx, cy, sw in clusters:
            if snr is not None and np.isfinite(snr[i]) and snr[i] * sw < _SNR_MIN:
                continue
            if footprint is not None and not _on(footprint, cx, cy):
                continue
            rows.append(i)
            new_x.append(cx)
            new_y.append(cy)
            fracs.append(sw)
    out = Table(table[rows], copy=True) if rows else table[:0].copy()
    if not rows:
        return out
    nx, ny, fr = np.array(new_x), np.array(new_y), np.array(fracs)
    n_ra, n_dec = out_wcs.all_pix2world(nx, ny, 0)
    dxs, dys = nx - x[rows], ny - y[rows]
    out["RA"] = np.round(n_ra, 8)
    out["DEC"] = np.round(n_dec, 8)
    for col, d in (
        (_column(out, ("x-", "x_", "xcentr")), dxs),
        (_column(out, ("y-", "y_", "ycentr")), dys),
    ):
        if col is not None:
            out[col] = np.round(np.asarray(out[col], dtype=float) + d, 3)
    for name in out.colnames:
        low = name.lower()
        if low.startswith("mag") and "err" not in low:
            out[name] = np.round(np.asarray(out[name], dtype=float) - 2.5 * np.log10(fr), 4)
        elif low.startswith("mag") and "err" in low:
            out[name] = np.round(np.asarray(out[name], dtype=float) / fr, 4)
    if "ID" in out.colnames:
        out["ID"] = np.arange(1, len(out) + 1)
    return out


def _on(footprint: np.ndarray, x: float, y: float) -> bool:
    ix, iy = int(np.floor(x + 0.5)), int(np.floor(y + 0.5))
    return 0 <= iy < footprint.shape[0] and 0 <= ix < footprint.shape[1] and footprint[iy, ix]


def gaia_match(cat, gaia, radius_arcsec: float) -> tuple[int, float, float]:
    """Unambiguous matches of ``gaia`` stars in ``cat`` and the residual scatter (mas).

    A Gaia star matches when exactly one detection lies within ``radius_arcsec``.

    Returns
    -------
    n : int
        Number of matches.
    rms_ra, rms_dec : float
        Standard deviation of the residuals (detection - Gaia, RA scaled by cos(dec)),
        milliarcseconds; 0 with fewer than 2 matches.
    """
    from scipy.spatial import cKDTree

    if len(cat) == 0 or len(gaia) == 0:
        return 0, 0.0, 0.0
    dec0 = np.radians(float(np.nanmedian(np.asarray(gaia["DEC"], dtype=float))))

    def xy(t):
        r = np.asarray(t["RA"], dtype=float)
        d = np.asarray(t["DEC"], dtype=float)
        return np.column_stack([r * np.cos(dec0), d]) * 3600.0

    c, g = xy(cat), xy(gaia)
    c = c[np.isfinite(c).all(axis=1)]
    g = g[np.isfinite(g).all(axis=1)]
    if not len(c) or not len(g):
        return 0, 0.0, 0.0
    hits = cKDTree(c).query_ball_point(g, r=radius_arcsec)
    res = np.array([c[h[0]] - g[k] for k, h in enumerate(hits) if len(h) == 1])
    if len(res) < 2:
        return len(res), 0.0, 0.0
    return len(res), float(res[:, 0].std() * 1000.0), float(res[:, 1].std() * 1000.0)


def _read_ecsv(path: Path):
    from astropy.table import Table

    try:
        return Table.read(path, format="ascii.ecsv")
    except (OSError, ValueError, KeyError) as exc:
        raise ValueError(f"{path}: unreadable catalogue ({exc})") from exc


def _copy(src: Path, dst: Path) -> None:
    from spacekit._io import atomic_path

    with atomic_path(dst) as tmp:
        shutil.copyfile(src, tmp)


def _write_ecsv(table, path: Path) -> None:
    from spacekit._io import atomic_path

    with atomic_path(path) as tmp:
        table.write(tmp, format="ascii.ecsv", overwrite=True)


def _new_fit(header, before, after) -> dict:
    from spacekit.extractor.scrape_svm import read_sci_header

    fit = read_sci_header(header)
    fit = {k: (0.0 if isinstance(v, float) and not np.isfinite(v) else v) for k, v in fit.items()}
    wcstype = str(header.get("WCSTYPE", ""))
    out = {"rms_ra": fit["rms_ra"], "rms_dec": fit["rms_dec"], "nmatches": int(fit["nmatches"])}
    out["wcstype"] = wcstype
    if fit["wcstype"] != "a posteriori":
        return out
    n0, r0a, r0d = before
    n1, r1a, r1d = after
    if n0 > 0:
        out["nmatches"] = int(round(out["nmatches"] * n1 / n0))
    out["rms_ra"] = float(np.hypot(out["rms_ra"], np.sqrt(max(r1a**2 - r0a**2, 0.0))))
    out["rms_dec"] = float(np.hypot(out["rms_dec"], np.sqrt(max(r1d**2 - r0d**2, 0.0))))
    if out["nmatches"] < MIN_MATCHES:
        out.update(rms_ra=0.0, rms_dec=0.0, nmatches=0, wcstype=_FALLBACK_WCSTYPE)
    return out


def _rewrite_num_sources(src: Path, dst: Path, point: int, segment: int) -> None:
    from spacekit._io import atomic_write_text

    obj = json.loads(src.read_text(encoding="utf-8"))
    item = obj.get("data", {}).get("number_of_sources", {})
    if isinstance(item.get("data"), dict):
        item["data"]["point"] = int(point)
        item["data"]["segment"] = int(segment)
    atomic_write_text(dst, json.dumps(obj, indent=2) + "\n")


def recombine_visit(
    folder: str | os.PathLike,
    source: str | os.PathLike,
    *,
    match_radius: float = 0.5,
) -> Recombined:
    """Rebuild the total product, catalogues and diagnostics of a corrupted visit folder.

    Parameters
    ----------
    folder : path-like
        The corrupted copy (its poller list and exposures, some with shifted CRVAL).
    source : path-like
        The aligned visit folder it was copied from: the same exposures unshifted, and
        the total product, catalogues and JSON files of the aligned visit.
    match_radius : float, default=0.5
        Gaia match radius in arcsec (step 4 of the module docstring).

    Returns
    -------
    Recombined

    Raises
    ------
    ValueError
        If a needed file is missing or unreadable; the message names it.
    """
    from astropy.io import fits
    from astropy.wcs import WCS

    from spacekit._io import atomic_path
    from spacekit.generator.coadd import coadd, read_exposure
    from spacekit.generator.corrupt import read_input_list

    folder, source = Path(folder), Path(source)
    inputs = read_input_list(folder)
    products = sorted(source.glob("*_total_*_dr[cz].fits"))
    if not products:
        raise ValueError(
            f"{source}: no total-detection product (*_total_*_dr[cz].fits): the "
            "re-combination needs the aligned visit's product grid and catalogues"
        )
    src_product = products[0]
    name = src_product.name.rsplit(".", 1)[0][:-4]
    missing = [f for f in inputs.files if not (folder / f).is_file()]
    if missing:
        raise ValueError(
            f"{folder}: exposure file(s) listed in {inputs.path.name} missing: "
            + ", ".join(missing)
        )
    try:
        with fits.open(src_product, memmap=False) as hdul:
            primary = hdul[0].header.copy()
            sci_header = hdul[1].header.copy()
            shape = hdul[1].data.shape
    except (OSError, ValueError, TypeError, IndexError, AttributeError) as exc:
        raise ValueError(f"{src_product}: unreadable product ({exc})") from exc
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out_wcs = WCS(sci_header).celestial

    chips = []
    for f in inputs.files:
        chips.extend(read_exposure(folder / f))
    result = coadd(chips, out_wcs, shape)
    pairs = [(source / f, folder / f) for f in inputs.files if (source / f).is_file()]
    if len(pairs) != len(inputs.files):
        raise ValueError(f"{source}: the aligned exposures are missing (needed for the offsets)")
    offsets = exposure_offsets(pairs, out_wcs)

    notes: list[str] = []
    detector = str(primary.get("DETECTOR", "")).strip().upper()
    scale = float(np.sqrt(abs(np.linalg.det(out_wcs.pixel_scale_matrix)))) * 3600.0
    fwhm_px = FWHM_ARCSEC.get(detector, 0.1) / scale
    if detector not in FWHM_ARCSEC:
        notes.append(f"unknown DETECTOR {detector!r}: a 0.1 arcsec FWHM is assumed")
    counts, cats = {}, {}
    for kind in ("point", "segment"):
        path = source / f"{name}_{kind}-cat.ecsv"
        if not path.is_file():
            notes.append(f"no {kind} catalogue in the aligned visit")
            continue
        table = _read_ecsv(path)
        moved = split_catalog(
            table, out_wcs, offsets, _MERGE_FWHM[kind] * fwhm_px, footprint=result.wht > 0
        )
        _write_ecsv(moved, folder / path.name)
        counts[kind] = {"before": len(table), "after": len(moved)}
        cats[kind] = (table, moved)

    fit_before = fit_after = (0, 0.0, 0.0)
    gaia_files = sorted(source.glob(f"*_{detector.lower()}_*G*_ref_cat.ecsv")) or sorted(
        source.glob("*_ref_cat.ecsv")
    )
    if gaia_files:
        _copy(gaia_files[0], folder / gaia_files[0].name)
        if "point" in cats:
            gaia = _read_ecsv(gaia_files[0])
            fit_before = gaia_match(cats["point"][0], gaia, match_radius)
            fit_after = gaia_match(cats["point"][1], gaia, match_radius)
    else:
        notes.append("no Gaia reference catalogue: the fit statistics are unchanged")
    fit = _new_fit(sci_header, fit_before, fit_after)

    sci_header["RMS_RA"] = round(fit["rms_ra"], 4)
    sci_header["RMS_DEC"] = round(fit["rms_dec"], 4)
    sci_header["NMATCHES"] = int(fit["nmatches"])
    if fit["wcstype"]:
        sci_header["WCSTYPE"] = fit["wcstype"]
    primary["HISTORY"] = "spacekit corrupt: exposures re-combined after a CRVAL corruption"
    hdus = [fits.PrimaryHDU(header=primary), fits.ImageHDU(result.sci, sci_header, name="SCI")]
    wcs_cards = out_wcs.to_header()
    for extname, arr, unit in (("WHT", result.wht, "SECONDS"), ("CTX", result.ctx, "UNITLESS")):
        hdr = fits.Header([("EXTNAME", extname), ("EXTVER", 1), ("BUNIT", unit)])
        hdr.update(wcs_cards)
        hdus.append(fits.ImageHDU(arr, hdr))
    product = folder / src_product.name
    with atomic_path(product) as tmp:
        fits.HDUList(hdus).writeto(tmp, overwrite=True)

    for js in sorted(source.glob(f"{name}_svm_*.json")):
        if js.name.endswith("_svm_num_sources.json"):
            try:
                _rewrite_num_sources(
                    js,
                    folder / js.name,
                    counts.get("point", {}).get("after", 0),
                    counts.get("segment", {}).get("after", 0),
                )
            except (OSError, ValueError) as exc:
                raise ValueError(f"{js}: unreadable diagnostic JSON ({exc})") from exc
        elif js.name.endswith(_KEEP_JSON):
            _copy(js, folder / js.name)
        else:
            notes.append(f"{js.name} not carried over (depends on drizzlepac's measurements)")
    log.info("%s: re-combined %d exposure(s), offsets %s", folder.name, len(inputs.files), offsets)
    return Recombined(folder, product, offsets, counts, fit, notes)
