"""``simulate_jwst``: write a realistic simulated JWST Level-1 exposure set.

Output layout (``out_dir``)::

    uncal/jw{program}{obs}{visit}_{visitgrp}{seq}{act}_{exposure}_{detector}_uncal.fits
    metadata/YYYY-MM-DD_DOY.csv   daily raw pipeline metadata (Level-1 and Level-3 rows)
    truth.csv                     one row per Level-3 product with its ground-truth memory
    manifest.json                 seed, n, counts, spacekit version (written last)

Everything is drawn from one ``numpy.random.Generator(seed)`` in a fixed order, so the
same arguments give byte-identical CSVs and identical FITS headers.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from spacekit._io import atomic_path, atomic_write_json
from spacekit._version import __version__
from spacekit.datasets._args import check_int, check_out_dir, check_seed, make_out_dir
from spacekit.datasets._overwrite import prepare_overwrite, removed_on_failure
from spacekit.datasets.jwst.exposures import expand_exposures, plan_programs
from spacekit.datasets.jwst.fitsfile import write_uncal
from spacekit.datasets.jwst.memory import product_memory_gb
from spacekit.datasets.jwst.metadata import daily_csv_name, l1_row, l3_row, write_daily_csvs
from spacekit.datasets.jwst.naming import (
    dms_product_name,
    exposure_filename,
    exposure_key,
    group_products,
)
from spacekit.datasets.jwst.templates import INSTRUMENTS, TEMPLATES
from spacekit.datasets.jwst.vocabulary import vocabulary
from spacekit.exceptions import InputError

__all__ = ["JwstSimulation", "simulate_jwst", "TRUTH_COLUMNS"]

log = logging.getLogger(__name__)

TRUTH_COLUMNS = [
    "product",
    "exp_mode",
    "n_exposures",
    "gb",
    "dataset",
    "dag",
    "date",
    "program",
    "observtn",
    "instrume",
    "exp_type",
    "template",
]
MJD_UNIX = 40587.0


@dataclass
class JwstSimulation:
    """Result of :func:`simulate_jwst`.

    Attributes
    ----------
    out_dir : Path
        The output folder.
    exposures : pandas.DataFrame
        One row per Level-1 file: ``filename``, ``path`` (None when FITS were not written),
        ``exposure_key``, ``product`` (None for exposures without a Level-3 product, e.g.
        target acquisitions), ``date`` and the header values.
    products : pandas.DataFrame
        The truth table (``truth.csv``), one row per Level-3 product.
    metadata_files : list of Path
        The daily metadata CSVs, in date order.
    manifest : dict
        The content of ``manifest.json``.
    """

    out_dir: Path
    exposures: pd.DataFrame
    products: pd.DataFrame
    metadata_files: list[Path]
    manifest: dict[str, Any] = field(default_factory=dict)


def _subset(name: str, value: str | Sequence[str], allowed: Sequence[str], case) -> list[str]:
    """Names in ``value`` (one string or a sequence), normalised by ``case``, all in ``allowed``."""
    try:
        wanted = [case(str(v)) for v in ([value] if isinstance(value, str) else value)]
    except TypeError:
        wanted = []
    unknown = [w for w in wanted if w not in allowed]
    if unknown or not wanted:
        problem = f"has unknown names {unknown}" if unknown else "names nothing"
        raise InputError(
            f"{name} {problem}; received {name}={value!r}. Expected one or more of {list(allowed)}."
        )
    return wanted


def _select_templates(instruments: Sequence[str] | None, modes: Sequence[str] | None) -> list[str]:
    names = list(TEMPLATES)
    if instruments is not None:
        wanted = _subset("instruments", instruments, INSTRUMENTS, str.upper)
        names = [t for t in names if TEMPLATES[t].instrument in wanted]
    if modes is not None:
        wanted = _subset("modes", modes, sorted(TEMPLATES), str.lower)
        names = [t for t in names if t in wanted]
    if not names:
        raise InputError(
            f"no observing template matches instruments={instruments!r} and modes={modes!r}; "
            "choose modes of the selected instruments."
        )
    return names


def _prepare_out_dir(out: Path, filenames: list[str], start: dt.date, days: int) -> list[str]:
    """Check that nothing but a previous simulation would be replaced, remove that one's
    files (as its manifest lists them) and create ``out``; return what this run may write."""
    will_write = ["truth.csv"] + [f"uncal/{name}" for name in filenames]
    will_write += [f"metadata/{daily_csv_name(start + dt.timedelta(days=d))}" for d in range(days)]
    prepare_overwrite(out, will_write)
    make_out_dir(out)
    return will_write + ["manifest.json"]


def _mosaic_rows(
    products: dict[str, dict[str, Any]],
    records: list[dict[str, Any]],
    done: dict[str, tuple[int, float, float]],
) -> list[tuple[int, float, dict[str, Any]]]:
    """Level-3 rows of cross-observation mosaics (``jw{program}-c1000_t001_...``).

    When several observations of one program make IMAGE products with the same optical
    elements, the real pipeline also runs a candidate-association mosaic (``-c1000``) over
    all of them; its row is logged just after the last member product's row. Mosaics have
    no entry in ``truth.csv`` (the ingest sets such rows aside in ``mosaics.csv``).
    ``done`` maps product name -> (day, time, gb) of its Level-3 row.
    """
    groups: dict[tuple[str, str], list[str]] = {}
    for name, info in products.items():
        if info["category"] == "IMAGE":
            head, _tid, rest = name.split("_", 2)
            groups.setdefault((head.split("-")[0], rest), []).append(name)
    extra = []
    for (program, rest), names in sorted(groups.items()):
        observations = {n.split("_")[0] for n in names}
        if len(observations) < 2:
            continue
        members = [records[i] for n in names for i in products[n]["members"]]
        gb = round(1.2 * sum(done[n][2] for n in names), 4)
        day, end = max((done[n][0], done[n][1]) for n in names)
        extra.append(
            (day, end + 1e-4, l3_row(f"{program}-c1000_t001_{rest}", members, "IMAGE", gb))
        )
    return extra


def simulate_jwst(
    out_dir: str | Path,
    n: int = 200,
    seed: int = 0,
    *,
    write_fits: bool = True,
    days: int = 3,
    start_date: str | dt.date = "2026-01-05",
    overwrite: bool = False,
    progress: bool = True,
    instruments: Sequence[str] | None = None,
    modes: Sequence[str] | None = None,
) -> JwstSimulation:
    """Simulate JWST Level-1 exposures, pipeline metadata and Level-3 memory truth.

    Parameters
    ----------
    out_dir : str or Path
        Output folder (created). Must be empty unless ``overwrite=True``.
    n : int, default=200
        Approximate number of Level-1 files (detector exposures); whole observations are
        drawn until at least ``n`` are planned, trimmed so the total stays close to ``n``.
    seed : int, default=0
        Seed of the single random generator; same arguments give the same output.
    write_fits : bool, default=True
        Write the ``uncal/*.fits`` files. ``False`` writes only metadata, truth and
        manifest (fast path for large training sets).
    days : int, default=3
        Number of daily metadata files the observations are spread over.
    start_date : str or datetime.date, default="2026-01-05"
        Date of the first day (ISO format).
    overwrite : bool, default=False
        Allow a non-empty ``out_dir``. The files a previous simulation there wrote (as
        its ``manifest.json`` lists them) are removed first; other files are kept, and a
        run that would replace a file the previous simulation did not write (or a
        ``manifest.json`` not written by spacekit) raises and changes nothing.
    progress : bool, default=True
        Show a tqdm progress bar while writing files.
    instruments : sequence of str, optional
        Restrict prime instruments (NIRCAM, NIRISS, MIRI, NIRSPEC, FGS).
    modes : sequence of str, optional
        Restrict observing templates (names in
        :data:`spacekit.datasets.jwst.templates.TEMPLATES`, e.g. ``"nircam_imaging"``).

    Returns
    -------
    JwstSimulation

    Raises
    ------
    InputError
        Bad ``n``/``days``/``seed``/``start_date`` (also an ``n`` that needs more programs
        than there are program ids), unknown instrument or mode names, an
        ``out_dir`` that is a file or cannot be created, or a non-empty ``out_dir`` without
        ``overwrite=True``.

    Examples
    --------
    >>> import tempfile
    >>> from spacekit.datasets.jwst import simulate_jwst
    >>> sim = simulate_jwst(tempfile.mkdtemp(), n=20, seed=1, write_fits=False, progress=False)
    >>> sorted(sim.products.columns)[:3]
    ['dag', 'dataset', 'date']
    """
    from tqdm.auto import tqdm

    n = check_int("n", n, 1)
    days = check_int("days", days, 1)
    seed = check_seed(seed)
    try:
        if isinstance(start_date, dt.datetime):
            start = start_date.date()
        elif isinstance(start_date, dt.date):
            start = start_date
        else:
            start = dt.date.fromisoformat(str(start_date))
    except ValueError as exc:
        raise InputError(
            f"start_date must be an ISO date like '2026-01-05'; received start_date={start_date!r}."
        ) from exc
    names = _select_templates(instruments, modes)
    out = check_out_dir(out_dir, overwrite)

    rng = np.random.default_rng(seed)
    start_mjd = (
        dt.datetime(start.year, start.month, start.day, tzinfo=dt.UTC).timestamp() / 86400.0
        + MJD_UNIX
    )
    records = expand_exposures(plan_programs(rng, n, names), rng, start_mjd, days)
    filenames = [exposure_filename(r) for r in records]
    products = group_products(records)  # reads header keys only, never the private "_" ones
    log.info("simulating %d JWST exposures in %d Level-3 products", len(records), len(products))
    # after planning: an impossible plan writes nothing
    will_write = _prepare_out_dir(out, filenames if write_fits else [], start, days)
    with removed_on_failure(out, will_write):  # an interrupted run leaves nothing behind
        paths: list[str | None] = [None] * len(records)
        if write_fits:
            uncal = out / "uncal"
            uncal.mkdir(exist_ok=True)
            for i in tqdm(
                range(len(records)), desc="uncal files", disable=not progress, unit="file"
            ):
                paths[i] = str(write_uncal(records[i], uncal / filenames[i]))

        product_of: dict[int, str] = {}
        truth, rows = [], []
        done: dict[str, tuple[int, float, float]] = {}
        for name, info in products.items():
            members = [records[i] for i in info["members"]]
            for i in info["members"]:
                product_of[i] = name
            gb = product_memory_gb(members, info["category"], rng)
            end = max(m["EXPEND"] for m in members) + float(rng.uniform(0.5, 6.0)) / 24.0
            day = min(days - 1, int(np.floor(end - start_mjd)))
            dataset = dms_product_name(name)
            row = l3_row(dataset, members, info["category"], gb)
            rows.append((day, end, row))
            done[name] = (day, end, gb)
            if "_ch1-" in name or "_ch3-" in name:
                sibling = dataset.replace("_ch1-", "_ch2-").replace("_ch3-", "_ch4-")
                sib_gb = round(gb * float(rng.uniform(0.8, 1.2)), 4)
                rows.append((day, end, l3_row(sibling, members, info["category"], sib_gb)))
            first = members[0]
            truth.append(
                {
                    "product": name,
                    "exp_mode": info["category"],
                    "n_exposures": len(members),
                    "gb": gb,
                    "dataset": dataset,
                    "dag": row["DagNodeName"],
                    "date": (start + dt.timedelta(days=day)).isoformat(),
                    "program": first["PROGRAM"],
                    "observtn": first["OBSERVTN"],
                    "instrume": first["INSTRUME"],
                    "exp_type": first["EXP_TYPE"],
                    "template": first["_template"],
                }
            )
        rows.extend(_mosaic_rows(products, records, done))
        for i, rec in enumerate(records):
            rows.append((rec["_day"], rec["EXPEND"], l1_row(rec, filenames[i])))
        metadata_files = write_daily_csvs(rows, out / "metadata", start)

        truth_df = pd.DataFrame(truth, columns=TRUTH_COLUMNS)
        with atomic_path(out / "truth.csv") as tmp:
            truth_df.to_csv(tmp, index=False)

        exposures = pd.DataFrame(records)
        exposures = exposures.drop(columns=[c for c in exposures.columns if c.startswith("_")])
        exposures.insert(0, "filename", filenames)
        exposures.insert(1, "path", paths)
        exposures.insert(2, "exposure_key", [exposure_key(f) for f in filenames])
        exposures.insert(3, "product", [product_of.get(i) for i in range(len(records))])
        exposures.insert(
            4, "date", [(start + dt.timedelta(days=r["_day"])).isoformat() for r in records]
        )

        manifest = {
            "format": "spacekit-jwst-simulation",
            "format_version": 1,
            "kind": "jwst",
            "description": (
                f"Simulated JWST Level-1 exposures ({len(records)} detector files, "
                f"{len(truth_df)} Level-3 products, {len(metadata_files)} daily metadata files)"
            ),
            "spacekit_version": __version__,
            "seed": seed,
            "n": n,
            "days": days,
            "start_date": start.isoformat(),
            "write_fits": bool(write_fits),
            "instruments": None
            if instruments is None
            else sorted({t.instrument for t in map(TEMPLATES.get, names)}),
            "modes": None if modes is None else names,
            "counts": {
                "exposures": len(records),
                "uncal_files": len(records) if write_fits else 0,
                "products": len(truth_df),
                "products_by_exp_mode": dict(sorted(Counter(truth_df["exp_mode"]).items())),
                "metadata_rows": len(rows),
                "metadata_files": len(metadata_files),
            },
            "files": {
                "truth": "truth.csv",
                "metadata": [f"metadata/{p.name}" for p in metadata_files],
                "uncal": "uncal/" if write_fits else None,
            },
            "vocabulary": vocabulary()["source"],
            "written": sorted(
                [f"uncal/{name}" for name in filenames if write_fits]
                + [f"metadata/{p.name}" for p in metadata_files]
                + ["truth.csv", "manifest.json"]
            ),
        }
        atomic_write_json(out / "manifest.json", manifest)
        log.info(
            "wrote %s (%d products, %d metadata files)", out, len(truth_df), len(metadata_files)
        )
        return JwstSimulation(out, exposures, truth_df, metadata_files, manifest)
