"""Scrub harvested SVM rows into spacekit 1.1.4's ``raw_svm_data`` and ``svm_data`` tables.

The pipeline of 1.1.4's ``HstSvmScrubber.preprocess_data`` on tables (no I/O here):

1. :func:`scrub_json_columns` — pick the JSON values (``targname, ra_targ, dec_targ,
   numexp, imgname, point, segment, gaia``), derive ``detector`` and ``dataset`` from the
   product name, drop rows with a missing or non-finite value (reported, not silently);
2. the drizzle SCI values ``rms_ra, rms_dec, nmatches, wcstype`` and the target
   ``category`` are joined by the caller;
3. :func:`finish_svm_tables` — encode ``cat, det, wcs``
   (:func:`~spacekit.preprocessor.encode_svm.encode_svm_features`) and order the columns
   as 1.1.4 wrote them.
"""

from __future__ import annotations

import logging
import math

import numpy as np
import pandas as pd

from spacekit.preprocessor.encode_svm import encode_svm_features

__all__ = [
    "RAW_COLUMNS",
    "FEATURE_COLUMNS",
    "JSON_COLUMNS",
    "split_product_name",
    "scrub_json_columns",
    "finish_svm_tables",
]

log = logging.getLogger(__name__)

#: The 10 MLP features, in the model's order.
FEATURE_COLUMNS: tuple[str, ...] = (
    "numexp",
    "rms_ra",
    "rms_dec",
    "nmatches",
    "point",
    "segment",
    "gaia",
    "det",
    "wcs",
    "cat",
)
#: Columns of ``raw_svm_data.csv`` (before the trailing ``index``), in 1.1.4's order.
RAW_COLUMNS: tuple[str, ...] = (
    "detector",
    "dataset",
    "targname",
    "ra_targ",
    "dec_targ",
    "numexp",
    "imgname",
    "point",
    "segment",
    "gaia",
    "rms_ra",
    "rms_dec",
    "nmatches",
    "wcstype",
    "category",
    "cat",
    "det",
    "wcs",
)
#: Scrubbed column -> harvested JSON columns to take it from, in order of preference.
JSON_COLUMNS: dict[str, tuple[str, ...]] = {
    "targname": ("header.TARGNAME", "gen_info.TARGNAME"),
    "ra_targ": ("header.RA_TARG", "gen_info.RA_TARG"),
    "dec_targ": ("header.DEC_TARG", "gen_info.DEC_TARG"),
    "numexp": ("header.NUMEXP", "gen_info.NUMEXP"),
    "imgname": ("gen_info.imgname", "header.imgname"),
    "point": ("number_of_sources.point", "header.number_of_sources.point"),
    "segment": ("number_of_sources.segment", "header.number_of_sources.segment"),
    "gaia": (
        "Number_of_GAIA_sources.Number_of_GAIA_sources",
        "header.Number of GAIA sources.Number of GAIA sources",
    ),
}
_INTEGER = ("numexp", "point", "segment", "gaia")
_FLOAT = ("ra_targ", "dec_targ")


def split_product_name(name: str) -> tuple[str, str]:
    """``(detector, dataset)`` of a product name: token 4, and token 6 (6+ if synthetic).

    Examples
    --------
    >>> split_product_name("hst_12286_38_wfc3_ir_total_ibl738")
    ('ir', 'ibl738')
    >>> split_product_name("hst_12286_38_wfc3_ir_total_ibl738_f110w_all_stoc")
    ('ir', 'ibl738_f110w_all_stoc')
    """
    tokens = str(name).split("_")
    if len(tokens) < 7:
        raise ValueError(
            f"{name!r} is not a total-product name hst_<prop>_<visit>_<instr>_<det>_total_<ipppss>"
        )
    return tokens[4].lower(), "_".join(tokens[6:])


def _pick(row: dict, col: str):
    for key in JSON_COLUMNS[col]:
        if key in row:
            return row[key]
    # 1.1.4 renamed every column to its last "."-token, lower-cased
    for key, value in row.items():
        if key.rsplit(".", 1)[-1].lower() == col or (
            col == "gaia" and key.rsplit(".", 1)[-1].lower() == "number_of_gaia_sources"
        ):
            return value
    return None


def _finite_number(value) -> float | None:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def scrub_json_columns(
    rows: dict[str, dict] | pd.DataFrame,
) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """Select and check the JSON columns of harvested rows.

    Parameters
    ----------
    rows : dict or DataFrame
        ``{product name: {harvested column: value}}`` (or a DataFrame indexed by name).

    Returns
    -------
    table : DataFrame
        Indexed by product name, columns ``detector, dataset, targname, ra_targ,
        dec_targ, numexp, imgname, point, segment, gaia``.
    skipped : list of (str, str)
        Products left out, with the reason (missing key, NaN value, bad name).
    """
    if isinstance(rows, pd.DataFrame):
        rows = {
            idx: {k: v for k, v in rec.items() if not _is_missing(v)}
            for idx, rec in rows.to_dict(orient="index").items()
        }
    out, skipped = {}, []
    for name, row in rows.items():
        try:
            detector, dataset = split_product_name(name)
        except ValueError as exc:
            skipped.append((str(name), str(exc)))
            continue
        rec = {"detector": detector, "dataset": dataset}
        problems = []
        for col in JSON_COLUMNS:
            value = _pick(row, col)
            if value is None and col == "gaia":
                value = 0  # 1.1.4 inserts zeros when the Gaia count is missing
            if value is None:
                problems.append(f"missing {JSON_COLUMNS[col][0]!r}")
                continue
            if col in _INTEGER or col in _FLOAT:
                num = _finite_number(value)
                if num is None:
                    problems.append(f"{col} is {value!r}, not a finite number")
                    continue
                value = int(round(num)) if col in _INTEGER and num == round(num) else num
            elif col in ("targname", "imgname"):
                value = str(value)
            rec[col] = value
        if problems:
            skipped.append((str(name), "; ".join(problems)))
            continue
        out[name] = rec
    cols = ["detector", "dataset", *JSON_COLUMNS]
    table = pd.DataFrame.from_dict(out, orient="index", columns=cols)
    table.index.name = "index"
    return table, skipped


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def finish_svm_tables(
    table: pd.DataFrame, label: pd.Series | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, list[tuple[str, str]]]:
    """Encode and order: return ``(raw, data, skipped)``.

    Parameters
    ----------
    table : DataFrame
        The JSON columns plus ``rms_ra, rms_dec, nmatches, wcstype, category``.
    label : Series, optional
        0/1 per product; added as ``label`` to both tables.

    Returns
    -------
    raw : DataFrame
        :data:`RAW_COLUMNS` (+ ``label``), as ``raw_svm_data.csv``.
    data : DataFrame
        :data:`FEATURE_COLUMNS` (+ ``label``), as ``svm_data.csv``.
    skipped : list of (str, str)
        Products whose SCI statistics are not finite.
    """
    skipped = []
    stats = table[["rms_ra", "rms_dec", "nmatches"]].apply(pd.to_numeric, errors="coerce")
    bad = ~np.isfinite(stats.to_numpy(float)).all(axis=1)
    for name in table.index[bad]:
        vals = ", ".join(f"{c}={table.at[name, c]!r}" for c in stats.columns)
        skipped.append((str(name), f"non-finite alignment statistics ({vals})"))
    table = table.loc[~bad].copy()
    table["nmatches"] = pd.to_numeric(table["nmatches"]).astype(np.int64)
    for col in ("numexp", "point", "segment", "gaia"):
        values = pd.to_numeric(table[col])
        if len(values) and (values == values.round()).all():
            table[col] = values.astype(np.int64)
    encoded = encode_svm_features(table)
    raw = encoded[list(RAW_COLUMNS)].copy()
    data = encoded[list(FEATURE_COLUMNS)].copy()
    if label is not None:
        raw["label"] = label.reindex(raw.index).astype(np.int64)
        data["label"] = label.reindex(data.index).astype(np.int64)
    raw.index.name = data.index.name = "index"
    return raw, data, skipped
