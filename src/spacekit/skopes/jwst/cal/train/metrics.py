"""What a training run records: one metrics row per fold and the cross-validation summary.

``summary/{mode}-cv-metrics.csv`` has one row per fold (index = fold number): sizes,
threshold counts, the network's test metrics (from
:meth:`~spacekit.analyzer.compute.ComputeRegressor.calculate_results`) and, prefixed
``hgb_``, the same metrics of a HistGradientBoosting baseline fitted on the same fold.
``summary/{mode}-cv-scores.json`` holds their NaN-skipping means and the best fold.

Examples
--------
>>> import pandas as pd
>>> from spacekit.skopes.jwst.cal.train.metrics import best_fold, cv_scores
>>> table = pd.DataFrame({"test_rmse": [2.0, 1.5], "hgb_test_rmse": [2.5, None]})
>>> best_fold(table)
'1'
>>> cv_scores(table, "image", "img3_reg")["baseline"]
{'test_rmse': 2.5}
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from spacekit._io import atomic_path
from spacekit.analyzer.baseline import fit_baseline
from spacekit.analyzer.compute import ComputeRegressor
from spacekit.exceptions import DataError

__all__ = [
    "fold_row",
    "baseline_metrics",
    "add_fold_row",
    "write_metrics_table",
    "best_fold",
    "cv_scores",
    "nanmean",
]


def nanmean(values: Sequence[float | None]) -> float | None:
    """Mean of the finite values (None and NaN skipped); None when there are none."""
    arr = np.asarray([v for v in values if v is not None], dtype=float)
    arr = arr[np.isfinite(arr)]
    return float(arr.mean()) if arr.size else None


def fold_row(
    y_train,
    y_test,
    threshold: float,
    *,
    loss: Mapping[str, float],
    history: Mapping | None = None,
    validation_size: int = 0,
    fit_seconds: float = float("nan"),
) -> dict[str, Any]:
    """The metrics row of one fold: sizes, counts above ``threshold`` (GB), ``loss``."""
    ytr, yte = np.ravel(y_train), np.ravel(y_test)
    above = yte[yte > threshold]
    row: dict[str, Any] = {
        "train_size": int(ytr.size),
        "test_size": int(yte.size),
        "train_above_threshold": int(np.sum(ytr > threshold)),
        "test_above_threshold": int(above.size),
        "test_mean_above_threshold": float(above.mean()) if above.size else float("nan"),
        "test_max": float(yte.max()),
        "validation_size": int(validation_size),
        "epochs_run": len(history.get("loss", [])) if history else 0,
        "fit_seconds": fit_seconds,
    }
    row.update(loss)
    return row


def baseline_metrics(X_train, y_train, X_test, y_test, seed: int | None = None) -> dict:
    """Fit the HistGradientBoosting baseline on a fold; its metrics prefixed ``hgb_``."""
    t0 = time.perf_counter()
    _, ptr, pte = fit_baseline(X_train, y_train, X_test, seed=seed)
    seconds = time.perf_counter() - t0
    com = ComputeRegressor(y_test, pte, y_train_true=y_train, y_train_pred=ptr)
    out = {f"hgb_{k}": v for k, v in com.calculate_results().items()}
    out["hgb_fit_seconds"] = seconds
    return out


def add_fold_row(table: pd.DataFrame | None, fold: int, row: Mapping) -> pd.DataFrame:
    """Return ``table`` with the row of ``fold`` added (or replaced), sorted by fold."""
    new = pd.DataFrame([dict(row)], index=pd.Index([int(fold)], name="index"))
    if table is not None and not table.empty:
        old = table.drop(index=[int(fold)], errors="ignore")
        new = pd.concat([old, new]).sort_index()
    return new


def write_metrics_table(path: str | os.PathLike, table: pd.DataFrame) -> Path:
    """Write the cv-metrics table (index column ``index``), atomically."""
    path = Path(path)
    with atomic_path(path) as tmp:
        table.to_csv(tmp, index=True, index_label="index")
    return path


def best_fold(table: pd.DataFrame | None) -> str:
    """Fold with the lowest test RMSE (ties: the first)."""
    if table is None or table.empty:
        raise DataError("No fold has been trained yet.")
    return str(int(table["test_rmse"].astype(float).idxmin()))


def cv_scores(table: pd.DataFrame, exp_mode: str, model_name: str) -> dict[str, Any]:
    """The cv-scores summary: NaN-skipping means of the network and baseline columns."""
    nn_cols = [c for c in table.columns if not c.startswith("hgb_")]
    hgb_cols = [c for c in table.columns if c.startswith("hgb_")]
    return {
        "format": "spacekit-cv-scores",
        "exp_mode": exp_mode,
        "model": model_name,
        "n_folds": int(len(table)),
        "best_fold": best_fold(table),
        "network": {c: nanmean(table[c].tolist()) for c in nn_cols},
        "baseline": {c[4:]: nanmean(table[c].tolist()) for c in hgb_cols},
    }
