"""Files of one simulated SVM visit: drizzle FITS, catalogs, poller list, diagnostic JSON.

Everything is written atomically. The drizzle product is north up with the SCI, WHT and
CTX extensions of a drizzlepac product (:mod:`spacekit.datasets.svm._exposures`).
Catalogs are derived from the true source list the image was drawn from: each source
appears once per distinct exposure offset, copies closer than a merge radius blend into
one detection (point catalog: 1.2 FWHM, segment catalog: 2.5 FWHM) and a detection is
kept when its signal-to-noise ratio reaches 5.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from spacekit._io import atomic_path, atomic_write_text
from spacekit.datasets.svm._corrupt import WCSTYPES, Corruption
from spacekit.datasets.svm._exposures import product_wcs_header
from spacekit.datasets.svm._scene import (
    Visit,
    canvas_size,
    flux,
    gaia_mag,
    gaia_mask,
    offset_weights,
    to_canvas,
)
from spacekit.generator.recombine import blend_copies

__all__ = ["make_wcs_header", "detect", "write_visit_files"]

_DATA_SOURCES = {
    "num_sources": (
        "svm_quality_analysis.compare_num_sources",
        "Number of sources in Point and Segment catalogs",
    ),
    "gaia_sources": (
        "svm_quality_analysis.find_gaia_sources",
        "A table of GAIA sources in image footprint",
    ),
    "gaia_distribution_characterization": (
        "svm_quality_analysis.characterize_gaia_distribution",
        "A statistical characterization of the distribution of GAIA sources in image footprint",
    ),
    "point_segment_crossmatch": (
        "svm_quality_analysis.compare_ra_dec_crossmatches",
        "Statistical measures of the difference in RA/Dec positions of cross-matched sources "
        "in the point and segment catalogs",
    ),
}


def make_wcs_header(visit: Visit) -> dict:
    """TAN WCS cards of the drizzled product (north up, ORIENTAT 0)."""
    return product_wcs_header(visit)


def _pix2world(wcs, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if len(x) == 0:
        return np.zeros(0), np.zeros(0)
    ra, dec = wcs.all_pix2world(np.asarray(x), np.asarray(y), 0)
    return np.asarray(ra), np.asarray(dec)


def detect(visit: Visit, rng: np.random.Generator, *, merge_fwhm: float, galaxies: bool):
    """Detections (x, y, flux, kind, source id) of stars (and galaxies) as a structured array.

    Positions are north-up product pixels: the detector-frame sources rotated onto the
    product grid, one copy per distinct exposure offset.
    """
    det = visit.det
    n = canvas_size(visit)
    texp = sum(e.exptime for e in visit.exposures)
    rn2 = 9.0 * len(visit.exposures)
    area = np.pi * (1.5 * det.fwhm) ** 2
    copies = offset_weights(visit)
    merge = merge_fwhm * det.fwhm
    rows = []
    sx, sy = to_canvas(visit, visit.stars["x"], visit.stars["y"])
    sf = flux(visit.stars["mag"], det.zeropoint)
    sources = [(x, y, f, 0) for x, y, f in zip(sx, sy, sf, strict=True)]
    if galaxies:
        gx, gy = to_canvas(visit, visit.galaxies["x"], visit.galaxies["y"])
        gf = flux(visit.galaxies["mag"], det.zeropoint)
        sources += [(x, y, f, 1) for x, y, f in zip(gx, gy, gf, strict=True)]
    for sid, (x, y, f, kind) in enumerate(sources):
        for cx, cy, sw in blend_copies(x, y, copies, merge):
            cf = f * sw
            if not (0 <= cx < n and 0 <= cy < n):
                continue
            signal = cf * texp
            snr = signal / np.sqrt(signal + area * (det.sky * texp + rn2))
            if snr >= 5.0:
                rows.append((cx, cy, cf, kind, sid, snr))
    out = np.array(
        rows,
        dtype=[
            ("x", "f8"),
            ("y", "f8"),
            ("flux", "f8"),
            ("kind", "i4"),
            ("sid", "i4"),
            ("snr", "f8"),
        ],
    )
    # Centroid noise grows as the signal-to-noise ratio falls.
    jitter = det.fwhm / np.maximum(out["snr"], 1.0)
    out["x"] += rng.normal(0, 1, len(out)) * jitter
    out["y"] += rng.normal(0, 1, len(out)) * jitter
    return out


def _flags(rng: np.random.Generator, n: int, snr: np.ndarray) -> np.ndarray:
    flags = rng.choice([0, 1, 2, 4, 16, 32], n, p=[0.72, 0.1, 0.06, 0.04, 0.05, 0.03])
    flags[snr > 2000] |= 4  # saturated
    return flags.astype(np.int64)


def _catalog_table(kind: str, det_rows, ra, dec, zp: float, rng: np.random.Generator):
    from astropy.table import Table

    n = len(det_rows)
    mag = zp - 2.5 * np.log10(np.maximum(det_rows["flux"], 1e-9))
    err = 1.0857 / np.maximum(det_rows["snr"], 1e-3)
    if kind == "point":
        cols = {
            "X-Center": np.round(det_rows["x"] + 1, 3),
            "Y-Center": np.round(det_rows["y"] + 1, 3),
            "RA": np.round(ra, 8),
            "DEC": np.round(dec, 8),
            "ID": np.arange(1, n + 1),
            "MagAp2": np.round(mag + 0.1, 4),
            "MagErrAp2": np.round(err, 4),
            "CI": np.round(rng.normal(1.0, 0.08, n) + 0.5 * det_rows["kind"], 3),
            "Flags": _flags(rng, n, det_rows["snr"]),
        }
    else:
        cols = {
            "ID": np.arange(1, n + 1),
            "X-Centroid": np.round(det_rows["x"] + 1, 3),
            "Y-Centroid": np.round(det_rows["y"] + 1, 3),
            "RA": np.round(ra, 8),
            "DEC": np.round(dec, 8),
            "Area": np.round(np.pi * (2 + 3 * det_rows["kind"]) ** 2 * rng.uniform(0.6, 1.4, n), 1),
            "MagSegment": np.round(mag, 4),
            "MagSegmentErr": np.round(err, 4),
            "Flags": _flags(rng, n, det_rows["snr"]),
        }
    t = Table(cols)
    for c in ("RA", "DEC"):
        t[c].unit = "deg"
    return t


def _write_ecsv(table, path: Path) -> None:
    with atomic_path(path) as tmp:
        table.write(tmp, format="ascii.ecsv", overwrite=True)


def _diag(header: dict, visit: Visit, imgname: str, key: str, stamp: tuple[str, float]) -> dict:
    """The ``header`` and ``general information`` sections of a HapDiagnostic JSON."""
    drop = {"", "HISTORY", "COMMENT", "FILTER", "FILTER1", "FILTER2"}
    hdr = {k: v for k, v in header.items() if k not in drop}
    source, description = _DATA_SOURCES[key]
    date, seconds = stamp
    return {
        "header": hdr,
        "general information": {
            "telescope": header["TELESCOP"],
            "proposal_id": header["PROPOSID"],
            "instrument": header["INSTRUME"],
            "detector": header["DETECTOR"],
            "visit": header["LINENUM"].split(".")[0],
            "filter": "detection",
            "dataset": visit.ipppss,
            "dataframe_index": imgname[:-9],
            "imgname": imgname,
            "generation date": date.split("T")[0],
            "generation time": date.split("T")[1],
            "seconds since epoch": seconds,
            "commit id": "spacekit-simulated",
            "data_source": source,
            "description": description,
        },
        "data": {},
    }


def _item(data, descriptions=None, units=None) -> dict:
    return {
        "original format": "<class 'dict'>",
        "data": data,
        "descriptions": descriptions,
        "units": units,
    }


def _table_item(columns: dict[str, tuple[np.ndarray, str, str]]) -> dict:
    data = {
        name: {"dtype": str(arr.dtype), "unit": unit, "format": fmt, "data": arr.tolist()}
        for name, (arr, unit, fmt) in columns.items()
    }
    return {
        "original format": "<class 'astropy.table.table.Table'>",
        "data": data,
        "descriptions": None,
        "units": None,
    }


def _stats(values: np.ndarray) -> dict:
    keys = (
        "Non-clipped minimum",
        "Non-clipped maximum",
        "Non-clipped mean",
        "Non-clipped median",
        "Non-clipped standard deviation",
        "3x3 sigma-clipped mean",
        "3x3 sigma-clipped median",
        "3x3 sigma-clipped standard deviation",
    )
    if len(values) == 0:
        return dict.fromkeys(keys)
    v = np.asarray(values, dtype=float)
    keep = v
    for _ in range(3):  # 3 x 3-sigma clipping
        m, s = keep.mean(), keep.std()
        nxt = keep[np.abs(keep - m) <= 3 * s] if s > 0 else keep
        if len(nxt) == len(keep):
            break
        keep = nxt
    vals = (
        v.min(),
        v.max(),
        v.mean(),
        np.median(v),
        v.std(),
        keep.mean(),
        np.median(keep),
        keep.std(),
    )
    return {k: round(float(x), 6) for k, x in zip(keys, vals, strict=True)}


def _nearest(x: np.ndarray, y: np.ndarray, to_x: np.ndarray, to_y: np.ndarray, k: int = 1):
    """Distance from each (x, y) to its k-th nearest point of (to_x, to_y) (k-d tree).

    Memory grows with the number of points, not with its square, so large fields work.
    """
    from scipy.spatial import cKDTree

    dist, _ = cKDTree(np.column_stack([to_x, to_y])).query(np.column_stack([x, y]), k=[k])
    return dist[:, 0]


def _neighbour_stats(x: np.ndarray, y: np.ndarray) -> dict:
    if len(x) < 2:
        return {}
    nn = _nearest(x, y, x, y, k=2)  # the nearest point is the source itself
    return {
        "minimum neighbor distance": round(float(nn.min()), 4),
        "maximum neighbor distance": round(float(nn.max()), 4),
        "mean neighbor distance": round(float(nn.mean()), 4),
        "standard deviation of neighbor distances": round(float(nn.std()), 4),
    }


def _write_json(path: Path, obj: dict) -> None:
    atomic_write_text(path, json.dumps(obj, indent=2, allow_nan=False) + "\n")


def write_visit_files(
    folder: Path,
    visit: Visit,
    product,
    fit: dict,
    corruption: Corruption | None,
    rng: np.random.Generator,
    stamp: tuple[str, float],
) -> dict:
    """Write every file of one visit into ``folder``; return paths and scraped values.

    ``product`` is the :class:`~spacekit.generator.coadd.Coadd` of the visit's exposures.
    """
    from astropy.io import fits

    det = visit.det
    name = visit.name
    ext = "drc" if det.key in ("wfc3_uvis", "acs_wfc") else "drz"
    imgname = f"{name}_{ext}.fits"
    texp = float(sum(e.exptime for e in visit.exposures))
    wcs_cards = make_wcs_header(visit)
    from astropy.wcs import WCS

    wcs = WCS(wcs_cards)

    primary = {
        "TELESCOP": "HST",
        "INSTRUME": det.instrument,
        "DETECTOR": det.detector,
        "PROPOSID": visit.proposal,
        "LINENUM": f"{visit.visit}.001",
        "PRIMESI": det.instrument,
        "ROOTNAME": name,
        "FILENAME": imgname,
        "TARGNAME": visit.targname,
        "RA_TARG": round(visit.ra, 8),
        "DEC_TARG": round(visit.dec, 8),
        "NUMEXP": len(visit.exposures),
        "EXPTIME": round(texp, 3),
        "TEXPTIME": round(texp, 3),
        "OBSTYPE": "IMAGING",
        "ORIENTAT": wcs_cards["ORIENTAT"],
        "NDRIZIM": len(visit.exposures),
        "ORIGIN": "spacekit simulator",
    }
    if det.instrument == "ACS":
        primary["FILTER1"] = "detection"
        primary["FILTER2"] = "detection"
    else:
        primary["FILTER"] = "detection"
    sci = {
        "EXTNAME": "SCI",
        "EXTVER": 1,
        "BUNIT": "ELECTRONS/S",
        **wcs_cards,
        "WCSNAME": "FIT_SVM_GAIAeDR3" if fit["wcstype"] == "a posteriori" else "IDC_ONLY",
        "WCSTYPE": WCSTYPES[fit["wcstype"]],
        "RMS_RA": round(fit["rms_ra"], 4),
        "RMS_DEC": round(fit["rms_dec"], 4),
        "NMATCHES": int(fit["nmatches"]),
    }
    phdu = fits.PrimaryHDU(header=fits.Header(list(primary.items())))
    shdu = fits.ImageHDU(data=product.sci, header=fits.Header(list(sci.items())), name="SCI")
    extra = []
    for extname, arr, unit in (("WHT", product.wht, "SECONDS"), ("CTX", product.ctx, "UNITLESS")):
        hdr = fits.Header([("EXTNAME", extname), ("EXTVER", 1), ("BUNIT", unit)])
        hdr.update(wcs_cards)
        extra.append(fits.ImageHDU(data=arr, header=hdr))
    drz_path = folder / imgname
    with atomic_path(drz_path) as tmp:
        fits.HDUList([phdu, shdu, *extra]).writeto(tmp, overwrite=True)

    # Catalogs from the true sources as the image shows them.
    pts = detect(visit, rng, merge_fwhm=1.2, galaxies=False)
    segs = detect(visit, rng, merge_fwhm=2.5, galaxies=True)
    p_ra, p_dec = _pix2world(wcs, pts["x"], pts["y"])
    s_ra, s_dec = _pix2world(wcs, segs["x"], segs["y"])
    point_path = folder / f"{name}_point-cat.ecsv"
    seg_path = folder / f"{name}_segment-cat.ecsv"
    _write_ecsv(_catalog_table("point", pts, p_ra, p_dec, det.zeropoint, rng), point_path)
    _write_ecsv(_catalog_table("segment", segs, s_ra, s_dec, det.zeropoint, rng), seg_path)

    # Gaia: true positions of stars brighter than G ~ 20.5 (the reference catalog).
    gmag = gaia_mag(visit)
    gsel = gaia_mask(visit)
    gx, gy = to_canvas(visit, visit.stars["x"][gsel], visit.stars["y"][gsel])
    g_ra, g_dec = _pix2world(wcs, gx, gy)
    from astropy.table import Table

    gaia = Table(
        {"RA": np.round(g_ra, 8), "DEC": np.round(g_dec, 8), "mag": np.round(gmag[gsel], 3)}
    )
    gaia["RA"].unit = gaia["DEC"].unit = "deg"
    gaia_path = folder / f"{name}_GAIAeDR3_ref_cat.ecsv"
    _write_ecsv(gaia, gaia_path)

    # Poller input list (the runsinglehap .out file) and the corruption record.
    out_lines = [
        f"{e.rootname}_flt.fits,{visit.proposal},{visit.ipppss[1:4].upper()},{visit.visit},"
        f"{e.exptime},{e.filter.upper().replace('_', ';')},{det.detector},{folder.name}"
        for e in visit.exposures
    ]
    atomic_write_text(folder / f"{visit.ipppss}_input.out", "\n".join(out_lines) + "\n")
    if corruption is not None:
        lines = [f"mode: {corruption.expos} {corruption.mode}", f"filter: {corruption.filter}"]
        for f, (d1, d2) in zip(corruption.files, corruption.deltas_deg, strict=True):
            lines.append(f"{f}: dCRVAL1={d1:+.8f} dCRVAL2={d2:+.8f}")
        atomic_write_text(folder / "corruption.txt", "\n".join(lines) + "\n")

    header = dict(primary)
    jsons = {}
    # 1. number of sources
    d = _diag(header, visit, imgname, "num_sources", stamp)
    d["data"]["number_of_sources"] = _item(
        {"detector": det.detector.lower(), "point": int(len(pts)), "segment": int(len(segs))},
        descriptions={
            "detector": "Detector",
            "point": "Number of sources in the point catalog",
            "segment": "Number of sources in the segment catalog",
        },
        units={"detector": "unitless", "point": "unitless", "segment": "unitless"},
    )
    jsons["num_sources"] = d
    # 2. gaia sources
    d = _diag(header, visit, imgname, "gaia_sources", stamp)
    d["data"]["GAIA sources"] = _table_item(
        {
            "RA": (np.asarray(gaia["RA"]), "deg", "{:.8f}"),
            "DEC": (np.asarray(gaia["DEC"]), "deg", "{:.8f}"),
            "mag": (np.asarray(gaia["mag"]), "None", "{:.3f}"),
        }
    )
    d["data"]["Number of GAIA sources"] = _item(
        {"Number of GAIA sources": int(len(gaia))},
        descriptions={"Number of GAIA sources": "Number of GAIA sources in image footprint"},
        units={"Number of GAIA sources": "unitless"},
    )
    jsons["gaia_sources"] = d
    # 3. gaia distribution
    d = _diag(header, visit, imgname, "gaia_distribution_characterization", stamp)
    stats = {"Number of GAIA sources": int(len(gx))}
    if len(gx):
        cx, cy = float(gx.mean()), float(gy.mean())
        stats.update(
            {
                "X centroid": round(cx, 4),
                "Y centroid": round(cy, 4),
                "X offset": round(cx - canvas_size(visit) / 2, 4),
                "Y offset": round(cy - canvas_size(visit) / 2, 4),
                "X standard deviation": round(float(gx.std()), 4),
                "Y standard deviation": round(float(gy.std()), 4),
            }
        )
        stats.update(_neighbour_stats(gx, gy))
    d["data"]["distribution characterization statistics"] = _item(stats)
    jsons["gaia_distribution_characterization"] = d
    # 4. point - segment cross-match
    d = _diag(header, visit, imgname, "point_segment_crossmatch", stamp)
    sep = np.zeros(0)
    if len(pts) and len(segs):
        nearest = _nearest(pts["x"], pts["y"], segs["x"], segs["y"])
        sep = nearest[nearest < 3 * det.fwhm] * det.scale
    d["data"]["Cross-match details"] = _item(
        {
            "point catalog filename": point_path.name,
            "segment catalog filename": seg_path.name,
            "point catalog length": int(len(pts)),
            "segment catalog length": int(len(segs)),
            "number of cross-matches": int(len(sep)),
            "point frame": "icrs",
            "segment frame": "icrs",
        }
    )
    d["data"]["Segment - point on-sky separation statistics"] = _item(
        _stats(sep), units=dict.fromkeys(_stats(sep), "arcseconds")
    )
    jsons["point_segment_crossmatch"] = d

    json_paths = []
    for key, obj in jsons.items():
        p = folder / f"{name}_svm_{key}.json"
        _write_json(p, obj)
        json_paths.append(p)

    return {
        "drizzle": drz_path,
        "point_catalog": point_path,
        "segment_catalog": seg_path,
        "gaia_catalog": gaia_path,
        "json": json_paths,
        "numexp": len(visit.exposures),
        "point": int(len(pts)),
        "segment": int(len(segs)),
        "gaia": int(len(gaia)),
        "imgname": imgname,
    }
