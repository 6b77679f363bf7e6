"""``simulate_svm``: write simulated HST single-visit mosaics (SVM) with alignment labels.

Each visit folder holds what the SVM alignment skope reads from a real run of the
drizzlepac SVM pipeline: the total-detection drizzle product
``hst_<prop>_<visit>_<instr>_<det>_total_<ipppss>_dr[cz].fits`` (primary header, a north-up
SCI image of stars and galaxies in which the detector footprint appears rotated by the
visit's roll angle, with zeros around it, TAN WCS and the alignment keywords RMS_RA,
RMS_DEC, NMATCHES, WCSTYPE; WHT and CTX extensions), the point and segment catalogs
(ECSV), a Gaia reference catalog, the poller input list and the ``*_svm_*.json``
quality-analysis files in the HapDiagnostic layout (``header``, ``general information``,
``data``). The product is the co-add of the visit's exposures
(:mod:`spacekit.datasets.svm._exposures`); ``exposures=True`` also writes them as
``<rootname>_flt.fits`` files.

Misaligned visits follow spacekit 1.1.4's corruption rules (see
:mod:`spacekit.datasets.svm._corrupt`); their folders and label index are suffixed
``_<filter>_<all|sub>_<stat|stoc>``. A few misaligned visits are "real" failures (no
suffix), as in the real label set. Detector mix and label balance follow the real labels
(frozen in ``real_label_mix.json``).
"""

from __future__ import annotations

import copy
import json
import logging
import os
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from spacekit.datasets._args import check_int, check_out_dir, check_seed, make_out_dir
from spacekit.datasets._overwrite import prepare_overwrite, removed_on_failure, written_files
from spacekit.exceptions import InputError

__all__ = ["SvmSimulation", "simulate_svm", "render_visit_pair", "real_label_mix"]

logger = logging.getLogger(__name__)

_MODES = ("all_stat", "all_stoc", "sub_stat", "sub_stoc")
_WCS_ALIGNED = {"a posteriori": 0.88, "a priori": 0.07, "default a": 0.03, "not aligned": 0.02}


@dataclass
class SvmSimulation:
    """What :func:`simulate_svm` wrote.

    Attributes
    ----------
    out_dir : pathlib.Path
        The output folder.
    labels : pandas.DataFrame
        One row per visit, indexed by the product name used as the label index
        (``hst_..._total_<ipppss>[_<filter>_<all|sub>_<stat|stoc>]``), with ``label``
        (0 aligned, 1 misaligned), ``synthetic``, ``det`` and the values written to the files.
    products : pandas.DataFrame
        Same index: the folder, drizzle file, catalogs and JSON files of each visit.
    labels_path, manifest_path : pathlib.Path
        ``out_dir/labels.csv`` and ``out_dir/manifest.json``.
    manifest : dict
        The content of ``manifest.json``.
    """

    out_dir: Path
    labels: pd.DataFrame
    products: pd.DataFrame
    labels_path: Path
    manifest_path: Path
    manifest: dict = field(default_factory=dict)


@cache
def real_label_mix() -> dict:
    """The frozen detector / label mix of the real SVM label set (test + val splits)."""
    res = resources.files("spacekit.datasets.svm").joinpath("real_label_mix.json")
    return json.loads(res.read_text(encoding="utf-8"))["detectors"]


def _real_fraction() -> float:
    mix = real_label_mix()
    mis = sum(v["misaligned_real"] + v["misaligned_synthetic"] for v in mix.values())
    tot = mis + sum(v["aligned"] for v in mix.values())
    return mis / tot


def _check_args(n_visits, seed, misaligned_fraction, image_size) -> None:
    check_int("n_visits", n_visits, 1)
    check_seed(seed)
    check_int("image_size", image_size, 32, 2048)
    if misaligned_fraction is not None and not (
        isinstance(misaligned_fraction, int | float)
        and not isinstance(misaligned_fraction, bool)
        and 0.0 <= misaligned_fraction <= 1.0
    ):
        raise InputError(
            "misaligned_fraction must be None (use the real label balance) or a number in "
            f"[0, 1]; received misaligned_fraction={misaligned_fraction!r}."
        )


def _prepare_out_dir(out_dir: str | os.PathLike, overwrite: bool) -> Path:
    out = check_out_dir(out_dir, overwrite)
    prepare_overwrite(out, ["labels.csv"])
    make_out_dir(out)
    return out


def _plan(n: int, frac: float, rng: np.random.Generator) -> list[tuple[int, str, str]]:
    """(label, det, mode) per visit; mode is "" (aligned), "real" or one of _MODES."""
    mix = real_label_mix()
    dets = sorted(mix)
    n_mis = int(round(frac * n))
    labels = np.zeros(n, dtype=int)
    labels[rng.permutation(n)[:n_mis]] = 1
    w_al = np.array([mix[d]["aligned"] for d in dets], dtype=float)
    w_mis = np.array(
        [mix[d]["misaligned_real"] + mix[d]["misaligned_synthetic"] for d in dets], dtype=float
    )
    plan = []
    for lab in labels:
        w = w_mis if lab else w_al
        det = dets[rng.choice(len(dets), p=w / w.sum())]
        mode = ""
        if lab:
            m = mix[det]
            p_real = m["misaligned_real"] / (m["misaligned_real"] + m["misaligned_synthetic"])
            if rng.random() < p_real:
                mode = "real"
            else:
                wm = np.array([m["synthetic_modes"].get(k, 0) + 0.5 for k in _MODES])
                mode = _MODES[rng.choice(len(_MODES), p=wm / wm.sum())]
        plan.append((int(lab), det, mode))
    return plan


def _aligned_fit(visit, rng: np.random.Generator, n_gaia_detected: int) -> dict:
    names = list(_WCS_ALIGNED)
    p = np.array(list(_WCS_ALIGNED.values()))
    wcstype = names[rng.choice(len(names), p=p)]
    if wcstype == "a posteriori" and n_gaia_detected < 3:
        wcstype = "a priori"
    if wcstype != "a posteriori":
        return {"wcstype": wcstype, "rms_ra": 0.0, "rms_dec": 0.0, "nmatches": 0}
    base = {"wfc3_ir": 18.0, "acs_sbc": 14.0}.get(visit.det.key, 8.0)
    rms = base * np.exp(rng.normal(0, 0.45, 2))
    nmatch = int(max(3, round(n_gaia_detected * rng.uniform(0.55, 1.0))))
    return {
        "wcstype": wcstype,
        "rms_ra": float(rms[0]),
        "rms_dec": float(rms[1]),
        "nmatches": nmatch,
    }


def _simulate_one(
    i: int,
    seed: int,
    label: int,
    det: str,
    mode: str,
    size: int,
    out_dir: Path,
    taken: set[str],
    exposures: bool = False,
) -> tuple[str, dict, dict]:
    from spacekit.datasets.svm._corrupt import corrupt_visit, degrade_fit
    from spacekit.datasets.svm._exposures import (
        coadd_exposures,
        simulate_exposures,
        write_exposure,
    )
    from spacekit.datasets.svm._products import write_visit_files
    from spacekit.datasets.svm._scene import gaia_mask, plan_visit

    rng = np.random.default_rng([seed, i])
    min_filters = 2 if mode.startswith("all") else 1
    min_exposures = 2 if mode.startswith("sub") or mode == "real" else 1
    while True:
        visit = plan_visit(rng, det, size, min_filters=min_filters, min_exposures=min_exposures)
        if visit.ipppss not in taken:
            taken.add(visit.ipppss)
            break
    visit.extra["orientat"] = float(rng.uniform(-180, 180))

    fit = _aligned_fit(visit, rng, int(np.sum(gaia_mask(visit))))
    corruption = None
    if label:
        if mode == "real":
            corruption = corrupt_visit(
                visit, rng, expos="sub", mode="stoc", synthetic=False, thresh="standard"
            )
        else:
            expos, how = mode.split("_")
            corruption = corrupt_visit(visit, rng, expos=expos, mode=how)
        fit = degrade_fit(fit, visit, rng)
    suffix = corruption.suffix if corruption is not None else ""
    folder_name = f"{visit.ipppss}_{suffix}" if suffix else visit.ipppss
    index = f"{visit.name}_{suffix}" if suffix else visit.name
    folder = out_dir / folder_name
    if folder.exists() or folder.is_symlink():
        raise InputError(
            f"out_dir='{out_dir}' holds '{folder_name}', which the previous simulation's "
            "manifest does not list as its own; --overwrite replaces only a simulation's "
            "own files. Move it away or choose another out_dir."
        )
    folder.mkdir(parents=True)
    try:
        frames = simulate_exposures(visit, rng)
        product, _, _ = coadd_exposures(visit, frames)
        if exposures:
            for e, (electrons, err) in zip(visit.exposures, frames, strict=True):
                write_exposure(folder, visit, e, electrons, err)
        when = datetime(2021, 6, 1, tzinfo=UTC) + timedelta(hours=7 * i + seed % 24)
        stamp = (when.strftime("%m/%d/%YT%H:%M:%S"), float(when.timestamp()))
        info = write_visit_files(folder, visit, product, fit, corruption, rng, stamp)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    shift_px = max((float(np.hypot(*e.shift)) for e in visit.exposures), default=0.0)
    row = {
        "label": label,
        "synthetic": bool(corruption is not None and corruption.synthetic),
        "det": det,
        "mode": ""
        if corruption is None or not corruption.synthetic
        else f"{corruption.expos}_{corruption.mode}",
        "filter": corruption.filter if corruption is not None else "",
        "max_shift_px": round(shift_px, 3),
        "category": visit.category,
        "targname": visit.targname,
        "numexp": info["numexp"],
        "n_filters": len(visit.filters),
        "point": info["point"],
        "segment": info["segment"],
        "gaia": info["gaia"],
        "rms_ra": round(fit["rms_ra"], 4),
        "rms_dec": round(fit["rms_dec"], 4),
        "nmatches": int(fit["nmatches"]),
        "wcstype": fit["wcstype"],
        "orientat": round(float(visit.extra["orientat"]), 4),
    }
    prod = {
        "folder": folder_name,
        "imgname": info["imgname"],
        "drizzle": str(info["drizzle"]),
        "point_catalog": str(info["point_catalog"]),
        "segment_catalog": str(info["segment_catalog"]),
        "gaia_catalog": str(info["gaia_catalog"]),
        "json": ";".join(str(p) for p in info["json"]),
    }
    return index, row, prod


def simulate_svm(
    out_dir: str | os.PathLike,
    n_visits: int = 6,
    seed: int = 0,
    *,
    misaligned_fraction: float | None = None,
    overwrite: bool = False,
    progress: bool = True,
    image_size: int = 256,
    exposures: bool = False,
) -> SvmSimulation:
    """Write ``n_visits`` simulated SVM visits (aligned and misaligned) to ``out_dir``.

    Parameters
    ----------
    out_dir : str or os.PathLike
        Output folder; created if missing. It must be empty unless ``overwrite`` is set.
    n_visits : int, default=6
        Number of visits (one folder each).
    seed : int, default=0
        Random seed; the same arguments always write the same files.
    misaligned_fraction : float, optional
        Fraction of misaligned visits (label 1). By default the real label balance
        (about 38 %) is used. The detector mix follows the real labels in either case.
    overwrite : bool, default=False
        Allow a non-empty ``out_dir``; the files a previous simulation there wrote (as its
        ``manifest.json`` lists them) are removed first. Other files are kept; a visit
        folder or file the previous simulation did not write is never replaced (the run
        raises instead).
    progress : bool, default=True
        Show a tqdm progress bar.
    image_size : int, default=256
        Side of the square detector frame in pixels. The north-up product grid is larger
        (up to 1.42 times) to hold the footprint rotated by the visit's roll angle.
    exposures : bool, default=False
        Also write every exposure as ``<rootname>_flt.fits`` (the input files that
        ``spacekit.skopes.hst.svm.corrupt`` corrupts and re-combines).

    Returns
    -------
    SvmSimulation
        Paths, the label table (also written to ``out_dir/labels.csv``) and the manifest.

    Raises
    ------
    InputError
        For a bad count, seed, fraction or image size, an ``out_dir`` that is a file or
        cannot be created, or a non-empty ``out_dir`` without ``overwrite``.

    Examples
    --------
    >>> import tempfile
    >>> from spacekit.datasets.svm import simulate_svm
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     sim = simulate_svm(tmp, n_visits=2, seed=1, progress=False, image_size=64)
    ...     print(sorted(sim.labels.columns[:3]))
    ['det', 'label', 'synthetic']
    """
    from tqdm import tqdm

    from spacekit._io import atomic_path, atomic_write_json
    from spacekit._version import __version__

    _check_args(n_visits, seed, misaligned_fraction, image_size)
    out_dir = _prepare_out_dir(out_dir, overwrite)
    frac = _real_fraction() if misaligned_fraction is None else float(misaligned_fraction)
    plan = _plan(int(n_visits), frac, np.random.default_rng(seed))

    rows, prods, taken = {}, {}, set()
    created: list[str] = []  # visit folders of this run, removed if it fails
    with removed_on_failure(out_dir, ["labels.csv", "manifest.json"], created):
        for i, (label, det, mode) in enumerate(
            tqdm(plan, desc="SVM visits", unit="visit", disable=not progress)
        ):
            index, row, prod = _simulate_one(
                i, seed, label, det, mode, int(image_size), out_dir, taken, bool(exposures)
            )
            rows[index] = row
            prods[index] = prod
            created.append(prod["folder"])
        labels = pd.DataFrame.from_dict(rows, orient="index")
        labels.index.name = "index"
        products = pd.DataFrame.from_dict(prods, orient="index")
        products.index.name = "index"

        labels_path = out_dir / "labels.csv"
        with atomic_path(labels_path) as tmp:
            labels.to_csv(tmp)
        manifest = {
            "name": "svm",
            "kind": "svm",
            "description": "Simulated HST single-visit mosaics with alignment labels",
            "seed": int(seed),
            "n_visits": int(n_visits),
            "misaligned_fraction": frac,
            "image_size": int(image_size),
            "exposures": bool(exposures),
            "counts": {
                "aligned": int((labels["label"] == 0).sum()),
                "misaligned": int((labels["label"] == 1).sum()),
                "synthetic": int(labels["synthetic"].sum()),
            },
            "detectors": {k: int(v) for k, v in labels["det"].value_counts().sort_index().items()},
            "visits": products["folder"].tolist(),
            "files": ["labels.csv"],
            "written": written_files(out_dir, products["folder"].tolist(), ["labels.csv"]),
            "spacekit_version": __version__,
        }
        manifest_path = atomic_write_json(out_dir / "manifest.json", manifest)
        logger.info("wrote %d SVM visits to %s", len(labels), out_dir)
        return SvmSimulation(out_dir, labels, products, labels_path, manifest_path, manifest)


def render_visit_pair(
    seed: int = 0, image_size: int = 256, det: str = "wfc3_uvis", category: str | None = None
):
    """Render one visit aligned and misaligned (all exposures of one filter, static shift).

    Both are co-adds of the same exposures (the same noise), north up with ORIENTAT 0;
    in the second, one filter's exposures carry a shifted CRVAL. Nothing is written; the
    docs figure is drawn from this pair.

    Parameters
    ----------
    seed : int, default=0
        Random seed of the visit, its corruption and the image noise.
    image_size : int, default=256
        Side of the square images in pixels.
    det : str, default="wfc3_uvis"
        Detector key (``wfc3_ir``, ``wfc3_uvis``, ``acs_wfc``, ``acs_hrc``, ``acs_sbc``).
    category : str, optional
        MAST target category (e.g. ``"STELLAR CLUSTER"``); drawn at random by default.

    Returns
    -------
    aligned, misaligned : numpy.ndarray of shape (image_size, image_size)
        The two total-detection images (float32, e-/s).
    meta : dict
        ``name`` (product name) and ``suffix`` (the corruption suffix).
    """
    from spacekit.datasets.svm._corrupt import corrupt_visit
    from spacekit.datasets.svm._exposures import coadd_exposures, simulate_exposures
    from spacekit.datasets.svm._scene import CATEGORIES, DETECTORS, plan_visit

    seed = check_seed(seed)
    image_size = check_int("image_size", image_size, 32, 2048)
    for name, value, allowed in (("det", det, DETECTORS), ("category", category, CATEGORIES)):
        if value not in allowed and not (name == "category" and value is None):
            raise InputError(
                f"Unknown {name}={value!r}; expected one of {', '.join(sorted(allowed))}."
            )
    rng = np.random.default_rng(seed)
    visit = plan_visit(rng, det, image_size, min_filters=2, category=category)
    visit.extra["orientat"] = 0.0
    bad = copy.deepcopy(visit)
    corr = corrupt_visit(bad, rng, expos="all", mode="stat", thresh="major")
    frames = simulate_exposures(visit, np.random.default_rng(seed + 1))
    aligned = coadd_exposures(visit, frames)[0].sci
    misaligned = coadd_exposures(bad, frames)[0].sci
    return aligned, misaligned, {"name": visit.name, "suffix": corr.suffix}
