"""The HST cal training table: read, encode, check labels, split.

A training table has one row per dataset with either the raw keywords (``n_files,
total_mb, DETECTOR, SUBARRAY, DRIZCORR, PCTECORR, CRSPLIT``, any case) or the 9 encoded
feature columns of 1.1.4's training CSVs, plus the labels ``memory`` (GB), ``wallclock``
(s) and optionally ``mem_bin`` (0-3; cut from ``memory`` at 2, 8 and 16 GB when absent).
"""

from __future__ import annotations

import logging
import math
import os
import warnings

import numpy as np
import pandas as pd

from spacekit._text import preview
from spacekit.analyzer.results import json_safe
from spacekit.exceptions import InputError, SkippedInputWarning
from spacekit.extractor.scrape_hstcal import dataset_column, load_hstcal_inputs, read_text_csv
from spacekit.preprocessor.scrub_hstcal import encode_features
from spacekit.preprocessor.tables.hst_cal import COLUMN_ORDER

__all__ = ["load_training_table", "split_rows", "warn_skipped", "json_safe", "LABELS"]

log = logging.getLogger(__name__)

LABELS = ("memory", "wallclock", "mem_bin")
_SPLITS = (("test", 0.2), ("calib", 0.2))


def _read(source) -> pd.DataFrame:
    if isinstance(source, pd.DataFrame):
        return source.copy()
    if source is None or not os.path.isfile(source):
        raise InputError(f"Training table not found: '{source}'. Pass a CSV file.")
    df = read_text_csv(source)
    return df.set_index(dataset_column(df))


def _encoded(df: pd.DataFrame) -> pd.DataFrame | None:
    """The 9 encoded feature columns when present and numeric (1.1.4 training CSVs)."""
    cols = list(COLUMN_ORDER["asn"])
    if not set(cols) <= set(df.columns):
        return None
    values = df[cols].apply(pd.to_numeric, errors="coerce")
    return values if values.notna().all().all() else None


def load_training_table(source) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """Read a training table; return the usable rows and the rows left out.

    Parameters
    ----------
    source : path-like or pandas.DataFrame
        A CSV (dataset column ``ipst``/``dataset``/... or the first column) or a frame
        indexed by dataset, such as :func:`spacekit.datasets.hstcal.simulate_hstcal`'s.

    Returns
    -------
    table : pandas.DataFrame
        Indexed by dataset: the 9 features (integers) and ``memory``, ``wallclock``,
        ``mem_bin``.
    skipped : list of (str, str)
        ``(dataset, reason)``: unencodable features, missing or non-positive labels,
        duplicates.

    Raises
    ------
    InputError
        If the file cannot be read or has no ``memory``/``wallclock`` columns.
    """
    from spacekit.datasets.hstcal import mem_bin_from_memory

    df = _read(source)
    df.index = pd.Index([str(i).strip() for i in df.index], name="ipst")
    missing = [c for c in ("memory", "wallclock") if c not in df.columns]
    if missing:
        raise InputError(
            f"The training table lacks the label column(s) {missing}; expected memory (GB) "
            "and wallclock (s) beside the features."
        )
    skipped: list[tuple[str, str]] = []
    dup = df.index.duplicated(keep="first")
    skipped += [(n, "duplicate dataset; the first row is used") for n in df.index[dup]]
    df = df[~dup]
    features = _encoded(df)
    if features is None:
        raw, more = load_hstcal_inputs(df)
        features, bad = encode_features(raw)
        skipped += more + bad
    else:
        features = features.astype(np.int64)
    labels = pd.DataFrame(index=df.index)
    for col in ("memory", "wallclock"):
        labels[col] = pd.to_numeric(df[col], errors="coerce")
    ok = np.isfinite(labels["memory"]) & np.isfinite(labels["wallclock"])
    ok &= (labels["memory"] > 0) & (labels["wallclock"] > 0)
    if "mem_bin" in df.columns:
        mb = pd.to_numeric(df["mem_bin"], errors="coerce")
        labels["mem_bin"] = mb.where(mb.isin([0, 1, 2, 3]), np.nan)
        ok &= labels["mem_bin"].notna()
    else:
        labels["mem_bin"] = mem_bin_from_memory(labels["memory"].fillna(0).to_numpy())
    for name in labels.index[~ok]:
        if name in features.index:
            skipped.append(
                (name, "memory/wallclock missing, not a number or <= 0, or mem_bin not 0-3")
            )
    labels = labels[ok]
    table = features.join(labels, how="inner")
    table["mem_bin"] = table["mem_bin"].astype(np.int64)
    return table, skipped


def split_rows(table: pd.DataFrame, seed: int | None = None) -> np.ndarray:
    """Label each row ``fit`` (60 %), ``calib`` (20 %) or ``test`` (20 %).

    Stratified by ``mem_bin`` where each bin has enough rows; otherwise a plain
    shuffled split. Seeded, so the same table and seed give the same split.
    """
    from sklearn.model_selection import train_test_split

    n = len(table)
    labels = np.array(["fit"] * n, dtype=object)
    rest = np.arange(n)
    strat = table["mem_bin"].to_numpy()
    for name, share in _SPLITS:
        size = max(1, math.floor(share * n))
        s = strat[rest]
        counts = np.bincount(s, minlength=4)
        use = s if counts[counts > 0].min() >= 2 and size >= len(np.unique(s)) else None
        rest, picked = train_test_split(rest, test_size=size, random_state=seed, stratify=use)
        labels[picked] = name
    return labels


def warn_skipped(skipped: list[tuple[str, str]], source: str, n_used: int) -> None:
    """Log and warn once about training rows left out (first few named)."""
    if not skipped:
        return
    names = [n for n, _ in skipped]
    msg = (
        f"{source}: left out {len(names)} rows ({preview(names)}); "
        f"{n_used} used. First reason: {skipped[0][1]}"
    )
    log.warning("%s", msg)
    warnings.warn(msg, SkippedInputWarning, stacklevel=3)
