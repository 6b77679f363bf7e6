"""Training tables and their folds: de-duplicated products, fold tables with a ``split``.

A fold table ``data/{mode}-tts_{fold}.csv`` is the training table with a ``split``
column (``train`` or ``test``), training rows first; a fold can be trained again from it
alone (:meth:`JwstCalTrain.load_train_test`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from spacekit._io import atomic_path
from spacekit.skopes.jwst.cal.prep import memory_bins

__all__ = ["dedupe_products", "write_fold_table", "kfold_indices"]

log = logging.getLogger(__name__)


def dedupe_products(df: pd.DataFrame) -> pd.DataFrame:
    """Keep the newest row (by ``date``, ``imagesize``) of each product and ``Dataset``."""
    df = df.copy()
    order = [c for c in ("date", "imagesize") if c in df.columns]
    if order:
        df = df.sort_values(order, kind="stable")
    if "pname" in df.columns:
        df = df.drop_duplicates(subset="pname", keep="last")
    df = df[~df.index.duplicated(keep="last")]
    df.index = df.index.astype(str)
    df.index.name = "Dataset"
    return df


def write_fold_table(
    path: str | os.PathLike, data: pd.DataFrame, train_idx: Sequence, test_idx: Sequence
) -> Path:
    """Write ``data`` with a ``split`` column (train rows, then test rows), atomically."""
    df = data.copy()
    df["split"] = "train"
    df.loc[test_idx, "split"] = "test"
    df = df.loc[list(train_idx) + list(test_idx)]
    path = Path(path)
    with atomic_path(path) as tmp:
        df.to_csv(tmp, index=True, index_label="Dataset")
    return path


def kfold_indices(
    y_gb: np.ndarray, k: int, stratify: bool = False, seed: int | None = None
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Return ``k`` shuffled ``(train, test)`` position arrays over the targets ``y_gb``.

    With ``stratify`` the folds keep the share of each memory class (0-12-225-950 GB),
    when every present class has at least ``k`` products; otherwise a warning is logged
    and plain K-fold is used.
    """
    from sklearn.model_selection import KFold, StratifiedKFold

    bins = memory_bins(y_gb)
    counts = np.bincount(bins, minlength=4)
    if stratify and np.all(counts[counts > 0] >= k):
        splits = StratifiedKFold(k, shuffle=True, random_state=seed).split(y_gb, bins)
    else:
        if stratify:
            log.warning("stratified folds impossible (class counts %s)", counts.tolist())
        splits = KFold(k, shuffle=True, random_state=seed).split(y_gb)
    return list(splits)
