"""Read ``svm_data.csv`` and the image triplets into model inputs (shared by predict, train).

Rows that cannot be used are skipped with a reason, never silently: a missing or
non-numeric feature (NaN), a duplicated visit name, a visit without its three images.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from spacekit.builder.ensemble import SVM_FEATURES
from spacekit.exceptions import DataError, InputError, SkippedInputWarning

__all__ = ["read_features", "normalize_features", "NORM_COLS"]

log = logging.getLogger(__name__)

#: The continuous features PowerX normalises when ``norm=1`` (the first 7, spec §2.5).
NORM_COLS: tuple[str, ...] = SVM_FEATURES[:7]


def read_features(
    data_file: str | os.PathLike | pd.DataFrame,
    columns: Sequence[str] = SVM_FEATURES,
    *,
    extra: Sequence[str] = (),
) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """Read the feature table, indexed by visit name, keeping ``columns`` (+ ``extra``).

    Parameters
    ----------
    data_file : path-like or DataFrame
        ``svm_data.csv`` as written by ``spacekit svm prep`` (an ``index`` column of visit
        names and the 10 features), or the table itself.
    columns : sequence of str
        Feature columns, in model order.
    extra : sequence of str
        Further columns to keep if present (e.g. ``label``).

    Returns
    -------
    frame : pandas.DataFrame
        The usable rows, float features in ``columns`` order, then ``extra``.
    skipped : list of (str, str)
        Rows left out and why (also warned with :class:`SkippedInputWarning`).

    Raises
    ------
    InputError
        If the file does not exist or cannot be parsed.
    DataError
        If feature columns are missing, or no row is usable.
    """
    if isinstance(data_file, pd.DataFrame):
        df, where = data_file.copy(), "the data table"
        if "index" in df.columns:
            df = df.set_index("index")
    else:
        path = Path(data_file).expanduser()
        where = f"'{path}'"
        if not path.is_file():
            raise InputError(
                f"Data file {where} does not exist. Pass the svm_data.csv written by "
                "'spacekit svm prep'."
            )
        try:
            df = pd.read_csv(path)
        except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
            raise InputError(f"Data file {where} is not a readable CSV: {exc}") from exc
        if "index" not in df.columns:
            raise DataError(
                f"{where} has no 'index' column of visit names; columns are "
                f"{list(df.columns)}. Use the svm_data.csv written by 'spacekit svm prep'."
            )
        df = df.set_index("index")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise DataError(f"{where} lacks the feature column(s) {missing}; expected {list(columns)}.")
    df.index = df.index.astype(str)
    keep = list(columns) + [c for c in extra if c in df.columns]
    df = df[keep].copy()
    skipped: list[tuple[str, str]] = []
    dup = df.index.duplicated(keep="first")
    for name in df.index[dup]:
        skipped.append((name, f"duplicate visit name in {where}; the first row is used"))
    df = df[~dup]
    feats = df[list(columns)].apply(pd.to_numeric, errors="coerce")
    bad = feats.isna() | ~np.isfinite(feats.to_numpy(dtype=float, na_value=np.nan))
    for name in df.index[bad.any(axis=1)]:
        cols = [c for c in columns if bad.loc[name, c]]
        skipped.append((name, f"missing or non-numeric value in {cols}"))
    df[list(columns)] = feats
    df = df[~bad.any(axis=1)]
    for name, reason in skipped:
        log.info("Skipped %s: %s", name, reason)
        warnings.warn(f"Skipped {name}: {reason}", SkippedInputWarning, stacklevel=3)
    if df.empty:
        raise DataError(f"No usable row in {where} ({len(skipped)} skipped).")
    return df, skipped


def normalize_features(X: pd.DataFrame, tx: dict | None, where: str = "the model") -> pd.DataFrame:
    """PowerX-normalise the 7 continuous features with ``tx`` (``norm=1``)."""
    from spacekit.preprocessor.transform import PowerX

    if tx is None:
        raise DataError(
            f"norm=1 needs normalisation statistics, but {where} has no tx_data.json. Pass "
            "norm=0, or a model archive with tx_data.json."
        )
    cols = [c for c in NORM_COLS if c in X.columns]
    px = PowerX(X, cols=cols, tx_data=tx, rename=None, join_data=1)
    return px.Xt[list(X.columns)]
