"""Scrape HST single-visit-mosaic (SVM) quality-analysis JSON and drizzle headers.

The drizzlepac SVM pipeline writes, for each total-detection product
``hst_<prop>_<visit>_<instr>_<det>_total_<ipppss>_dr[cz].fits``, a set of
``*_svm_*.json`` diagnostic files (HapDiagnostic layout: ``header``,
``general information`` and ``data`` sections). :func:`harvest_json_files` flattens them
into one row per product, as spacekit 1.1.4's ``JsonScraper`` did:

* ``header.<KEY>`` and ``gen_info.<key>`` for the shortlisted keywords
  (:data:`KEYWORD_SHORTLIST`);
* ``<title>.<key>`` for every scalar in the ``data`` section, spaces turned into ``_``
  (``Number_of_GAIA_sources.Number_of_GAIA_sources``, ``number_of_sources.point``...);
  the source-list comparison files are prefixed ``hap_vs_hla_point_`` /
  ``hap_vs_hla_segment_``.

Unlike 1.1.4, per-source tables and arrays (Gaia source lists, cross-matched catalogues)
are not copied into the row: the row holds scalars only, so it can be stored without
pickle. :func:`read_sci_header` reads the alignment keywords of the drizzle SCI extension
(``RMS_RA``, ``RMS_DEC``, ``NMATCHES``, ``WCSTYPE``).

Every function reports an unusable file as a ``(file, reason)`` pair instead of raising,
so one bad file never stops a run.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Iterable
from pathlib import Path

from spacekit._json import loads_bounded
from spacekit.exceptions import DataError

__all__ = [
    "KEYWORD_SHORTLIST",
    "SCI_KEYWORDS",
    "WCSTYPE_WORDS",
    "find_json_files",
    "read_diagnostic_json",
    "flatten_data_section",
    "harvest_json_files",
    "wcstype_short",
    "read_sci_header",
    "find_total_drizzles",
]

log = logging.getLogger(__name__)

#: Keywords kept from the ``header`` and ``general information`` sections (1.1.4's list).
KEYWORD_SHORTLIST: tuple[str, ...] = (
    "TARGNAME",
    "DEC_TARG",
    "RA_TARG",
    "NUMEXP",
    "imgname",
    "Number of GAIA sources.Number of GAIA sources",
    "number_of_sources.point",
    "number_of_sources.segment",
)
#: SCI-extension keywords scraped from the drizzle product (lower-case column names).
SCI_KEYWORDS: tuple[str, ...] = ("RMS_RA", "RMS_DEC", "NMATCHES", "WCSTYPE")
#: ``WCSTYPE`` header strings start with these words; spacekit keeps words 1-2.
WCSTYPE_WORDS = {
    "undistorted a posteriori": "a posteriori",
    "pipeline default a": "default a",
    "undistorted not aligned": "not aligned",
    "undistorted a priori": "a priori",
}
_SKIP_SUFFIXES = ("data", "unit", "format", "dtype")
_PREFIXES = {
    "_point-cat_svm_compare_sourcelists.json": "hap_vs_hla_point_",
    "_segment-cat_svm_compare_sourcelists.json": "hap_vs_hla_segment_",
}


def find_json_files(
    search_path: str | os.PathLike, patterns: Iterable[str] = ("*_total*_svm_*.json",)
) -> list[Path]:
    """JSON files matching ``patterns`` in ``search_path``, else one folder down (sorted).

    This is 1.1.4's search: ``search_path/pattern``, falling back to
    ``search_path/*/pattern``.
    """
    root = Path(search_path)
    pats = [p.strip() for p in patterns if p and p.strip()]
    found = sorted({p for pat in pats for p in root.glob(pat) if p.is_file()})
    if not found:
        found = sorted({p for pat in pats for p in root.glob(f"*/{pat}") if p.is_file()})
    return found


def read_diagnostic_json(path: str | os.PathLike) -> dict:
    """Read one diagnostic JSON file and check its three sections.

    Raises
    ------
    ValueError
        If the file is not JSON, or lacks a section or ``dataframe_index`` (the message
        says which).
    OSError
        If it cannot be read.
    """
    with open(path, "rb") as fh:
        try:
            obj = loads_bounded(fh.read(), "the file", allow_nan=True)
        except DataError as exc:
            raise ValueError(f"malformed JSON ({exc})") from exc
    if not isinstance(obj, dict):
        raise ValueError("not a diagnostic JSON object")
    for section in ("header", "general information", "data"):
        if not isinstance(obj.get(section), dict):
            raise ValueError(f"missing or invalid {section!r} section")
    index = obj["general information"].get("dataframe_index")
    if not isinstance(index, str) or not index:
        raise ValueError("missing 'general information.dataframe_index'")
    return obj


def _is_scalar(value) -> bool:
    return value is None or isinstance(value, bool | int | float | str)


def _flatten(prefix: str, value, out: dict) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            key = str(k)
            if key.endswith(_SKIP_SUFFIXES):
                continue
            _flatten(f"{prefix}.{key}" if prefix else key, v, out)
    elif _is_scalar(value):
        out[prefix.replace(" ", "_")] = value
    # lists, arrays and tables (per-source data) are left out


def flatten_data_section(data: dict, prefix: str = "") -> dict:
    """Flatten the ``data`` section into ``{"<title>.<key>": scalar}``.

    Each item's payload (its ``"data"`` entry) is flattened recursively with ``.``;
    spaces become ``_``; lists, arrays and tables are left out.
    """
    out: dict = {}
    for title, item in data.items():
        payload = item.get("data") if isinstance(item, dict) and "data" in item else item
        _flatten(f"{prefix}{title}", payload, out)
    return out


def _row_prefix(path: Path) -> str:
    for suffix, prefix in _PREFIXES.items():
        if path.name.endswith(suffix):
            return prefix
    return ""


def harvest_json_files(
    paths: Iterable[str | os.PathLike], key_suffix: str = ""
) -> tuple[dict[str, dict], list[tuple[str, str]]]:
    """Merge diagnostic JSON files into one flat row per product.

    Parameters
    ----------
    paths : iterable of path-like
        ``*_svm_*.json`` files (of one or more products).
    key_suffix : str, default=""
        Appended as ``_<key_suffix>`` to each ``dataframe_index`` (synthetic visits).

    Returns
    -------
    rows : dict
        ``{index: {column: value}}``.
    skipped : list of (str, str)
        Unreadable files with the reason.
    """
    rows: dict[str, dict] = {}
    skipped: list[tuple[str, str]] = []
    shortlist = set(KEYWORD_SHORTLIST)
    for raw in paths:
        path = Path(raw)
        try:
            obj = read_diagnostic_json(path)
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            skipped.append((str(path), str(exc)))
            continue
        index = obj["general information"]["dataframe_index"]
        if key_suffix:
            index = f"{index}_{key_suffix}"
        row = rows.setdefault(index, {})
        for section, pfx in (("header", "header."), ("general information", "gen_info.")):
            for key, value in obj[section].items():
                if key in shortlist and _is_scalar(value):
                    row.setdefault(f"{pfx}{key}", value)
        row.update(flatten_data_section(obj["data"], _row_prefix(path)))
    return rows, skipped


def wcstype_short(value) -> str:
    """Words 1-2 of a ``WCSTYPE`` string (``"a posteriori"``, ``"default a"``...); 1.1.4's rule."""
    text = str(value).strip()
    for start, short in WCSTYPE_WORDS.items():
        if text.startswith(start):
            return short
    words = text.split()
    return " ".join(words[1:3]) if len(words) > 1 else text


def _number(value) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return 0.0
    return out if math.isfinite(out) else math.nan


def read_sci_header(header) -> dict:
    """Alignment values of a SCI header: ``rms_ra, rms_dec, nmatches, wcstype``.

    A missing keyword becomes 0 (as in 1.1.4); a non-finite value stays NaN so the row
    is reported.
    """
    out = {key.lower(): _number(header[key]) if key in header else 0.0 for key in SCI_KEYWORDS[:2]}
    nm = _number(header["NMATCHES"]) if "NMATCHES" in header else 0.0
    out["nmatches"] = int(nm) if math.isfinite(nm) else math.nan
    out["wcstype"] = wcstype_short(header["WCSTYPE"]) if "WCSTYPE" in header else 0
    return out


def find_total_drizzles(folder: str | os.PathLike, dataset: str) -> list[Path]:
    """Total-detection drizzle files of ``dataset`` in ``folder`` (``*total_<ipppss>_dr?.fits``)."""
    ipppss = dataset.split("_")[0]
    return sorted(Path(folder).glob(f"*total_{ipppss}_dr?.fits"))
