"""Daily raw pipeline-metadata CSVs, as the JWST ingest step reads them (core spec §1.16).

One file per day, ``metadata/YYYY-MM-DD_DOY.csv`` (DOY zero-padded to 3 digits), with the
index column ``Dataset`` and the columns ``DagNodeName``, ``ImageSize`` and the header
keywords of :data:`METADATA_KEYWORDS`.

* Level-1 rows: ``Dataset`` is the ``_uncal.fits`` file name, ``DagNodeName`` is
  ``calwebb_detector1`` (contains "1"), ``ImageSize`` the raw file size in kB
  (``NINTS * NGROUPS * SUBSIZE1 * SUBSIZE2 * 2`` bytes plus headers, / 1000). A row is
  logged on the day its exposure started.
* Level-3 rows: ``Dataset`` is the ops-style product name (``jw01234-o001_t001_nircam_...``,
  see :func:`~spacekit.datasets.jwst.naming.dms_product_name`), ``DagNodeName`` one of
  ``calwebb_image3``, ``calwebb_spec3``, ``calwebb_tso3``, ``calwebb_coron3``,
  ``calwebb_ami3`` (all contain "3"), ``ImageSize`` the ground-truth memory in kB
  (``gb * 10**6``, so the ingest's ``imagesize / 10**6`` gives GB back). Header values come
  from the product's first member exposure (sorted file names); DETECTOR is ``MULTIPLE``
  when the members use several detectors; NEXPOSUR is the member count. A row is logged
  when the product finishes: 0.5-6 h after its last exposure ended, so a product that ends
  late in the day lands in the next day's file (the ingest carries unmatched Level-1 rows
  over). Rows that would fall after the last day are logged on the last day.
* MIRI MRS: for every ``ch1-*``/``ch3-*`` product a sibling ``ch2-*``/``ch4-*`` Level-3 row is
  logged as well (the real pipeline makes one cube per channel); the ingest drops those.
* Mosaics: when several observations of a program make IMAGE products with the same
  optical elements, a ``jw{program}-c1000_t001_...`` Level-3 row is logged too (the ingest
  sets those aside); it has no truth entry.

Absent keywords are written as ``NONE`` (what the ingest treats as missing); booleans as
``True``/``False``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from spacekit._io import atomic_path
from spacekit.datasets.jwst.naming import CORON_TYPES, TSO_TYPES
from spacekit.extractor.keywords.jwst_cal import GENKEYS, SCIKEYS

__all__ = [
    "METADATA_KEYWORDS",
    "l1_row",
    "l3_row",
    "dag_name",
    "daily_csv_name",
    "write_daily_csvs",
]

#: Header columns of the metadata CSVs: the 25 + 4 keywords the scraper reads (§1.4)
#: followed by visit/exposure identifiers and the readout keywords.
METADATA_KEYWORDS = [
    *GENKEYS,
    *SCIKEYS,
    "VISIT",
    "VISITGRP",
    "SEQ_ID",
    "ACT_ID",
    "EXPOSURE",
    "READPATT",
    "NINTS",
    "NGROUPS",
    "NFRAMES",
    "SUBSIZE1",
    "SUBSIZE2",
    "EXPSTART",
    "DATE-OBS",
    "TIME-OBS",
]
HEADER_BYTES = 28800


def _values(rec: Mapping[str, Any]) -> dict[str, Any]:
    return {k: "NONE" if rec.get(k) is None else rec[k] for k in METADATA_KEYWORDS}


def l1_row(rec: Mapping[str, Any], filename: str) -> dict[str, Any]:
    """Metadata row of one Level-1 (``calwebb_detector1``) job.

    Parameters
    ----------
    rec : mapping
        Header values of the exposure.
    filename : str
        Its ``_uncal.fits`` name (the ``Dataset`` value).

    Returns
    -------
    dict
        ``Dataset``, ``DagNodeName``, ``ImageSize`` (kB) and :data:`METADATA_KEYWORDS`.
    """
    raw = rec["NINTS"] * rec["NGROUPS"] * rec["SUBSIZE1"] * rec["SUBSIZE2"] * 2 + HEADER_BYTES
    row = {
        "Dataset": filename,
        "DagNodeName": "calwebb_detector1",
        "ImageSize": int(-(-raw // 1000)),
    }
    row.update(_values(rec))
    return row


def dag_name(category: str, exp_type: str, tso: bool) -> str:
    """Level-3 pipeline (DAG node) name of a product.

    Parameters
    ----------
    category : {"IMAGE", "SPEC", "TAC", "FGS"}
        Product routing.
    exp_type : str
        EXP_TYPE of the product's first member.
    tso : bool
        TSOVISIT of the product's first member.

    Returns
    -------
    str
        ``calwebb_image3``, ``calwebb_spec3``, ``calwebb_tso3``, ``calwebb_coron3`` or
        ``calwebb_ami3``.
    """
    if category == "SPEC":
        return "calwebb_spec3"
    if category == "TAC":
        if exp_type in TSO_TYPES or tso:
            return "calwebb_tso3"
        if exp_type in CORON_TYPES:
            return "calwebb_coron3"
        return "calwebb_ami3"
    return "calwebb_image3"


def l3_row(
    dataset: str, members: Sequence[Mapping[str, Any]], category: str, gb: float
) -> dict[str, Any]:
    """Metadata row of one Level-3 job.

    Parameters
    ----------
    dataset : str
        The product name written to ``Dataset`` (ops style, see ``dms_product_name``).
    members : sequence of mapping
        Header values of the member exposures; the first gives the row's keyword values.
    category : {"IMAGE", "SPEC", "TAC", "FGS"}
        Product routing.
    gb : float
        Ground-truth memory; ``ImageSize`` is ``gb * 10**6`` (kB).

    Returns
    -------
    dict
        ``Dataset``, ``DagNodeName``, ``ImageSize`` and :data:`METADATA_KEYWORDS`.
    """
    first = members[0]
    row = {
        "Dataset": dataset,
        "DagNodeName": dag_name(category, str(first["EXP_TYPE"]), first["TSOVISIT"] is True),
        "ImageSize": int(round(gb * 1e6)),
    }
    row.update(_values(first))
    if len({m["DETECTOR"] for m in members}) > 1:
        row["DETECTOR"] = "MULTIPLE"
    row["NEXPOSUR"] = len(members)
    return row


def daily_csv_name(date: dt.date) -> str:
    """``YYYY-MM-DD_DOY.csv``: the name of the metadata file of ``date``."""
    return f"{date:%Y-%m-%d}_{date.timetuple().tm_yday:03d}.csv"


def write_daily_csvs(
    rows: Sequence[tuple[int, float, dict[str, Any]]], out_dir: Path, start: dt.date
) -> list[Path]:
    """Write ``out_dir/YYYY-MM-DD_DOY.csv`` files atomically, one per day with rows.

    Parameters
    ----------
    rows : sequence of (day_index, time, row)
        Rows with their day (0-based from ``start``) and a sort time (MJD).
    out_dir : Path
        The ``metadata`` folder.
    start : datetime.date
        Date of day 0.

    Returns
    -------
    list of Path
        Written files, in date order.
    """
    by_day: dict[int, list[tuple[float, dict[str, Any]]]] = {}
    for day, when, row in rows:
        by_day.setdefault(day, []).append((when, row))
    written = []
    columns = ["Dataset", "DagNodeName", "ImageSize", *METADATA_KEYWORDS]
    for day in sorted(by_day):
        date = start + dt.timedelta(days=day)
        entries = [r for _, r in sorted(by_day[day], key=lambda e: (e[0], e[1]["Dataset"]))]
        frame = pd.DataFrame(entries, columns=columns).set_index("Dataset")
        path = out_dir / daily_csv_name(date)
        with atomic_path(path) as tmp:
            frame.to_csv(tmp)
        written.append(path)
    return written
