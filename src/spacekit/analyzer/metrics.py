"""Regression metrics and per-bin ROC / precision-recall curves (pure numpy + sklearn).

The binned curves score a regressor as a set of one-vs-rest classifiers, one per memory
bin (default thresholds 0 / 12 / 225 / 950 GB). Unlike spacekit 1.1.4 (which fed hard
one-hot bin labels to ``roc_curve``), the score of bin ``k`` is continuous: minus the
distance from the prediction to the bin's interval, so a prediction inside the bin
scores 0 and one far away scores low. Negative predictions fall in bin 0 instead of
producing ``None`` and misaligned columns. Bins without positives or negatives have no
defined AUC and are reported as NaN (and skipped in means).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from spacekit.exceptions import InputError

__all__ = [
    "DEFAULT_THRESHOLDS",
    "regression_metrics",
    "bin_values",
    "bin_scores",
    "binned_roc_pr",
    "mean_auc_pr",
]

#: Lower edges (GB) of the memory bins used by 1.1.4's regression ROC/PR plots.
DEFAULT_THRESHOLDS: tuple[float, ...] = (0.0, 12.0, 225.0, 950.0)


def _as_1d(name: str, values) -> np.ndarray:
    arr = np.asarray(values, dtype=float).ravel()
    return arr


def regression_metrics(y_true, y_pred) -> dict[str, float]:
    """Return error statistics of a regressor.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,) or (n_samples, 1)

    Returns
    -------
    dict
        ``rmse, mae, r2, max_error, bias`` (mean residual), ``rmse_pos``/``rmse_neg``
        (RMSE over over-estimates ``pred > true`` and the rest), ``l2_norm``,
        ``l2_pos``, ``l2_neg`` (Euclidean norms of all, positive and non-positive
        residuals), ``n``, ``n_pos``, ``n_neg``. Empty sides give NaN, without warnings.
    """
    yt, yp = _as_1d("y_true", y_true), _as_1d("y_pred", y_pred)
    if yt.shape != yp.shape:
        raise InputError(
            f"y_true and y_pred must have the same length; received {yt.size} and {yp.size}."
        )
    if yt.size == 0:
        raise InputError("Cannot compute metrics of an empty set of predictions.")
    resid = yp - yt
    pos, neg = resid[resid > 0], resid[resid <= 0]

    def _rmse(r: np.ndarray) -> float:
        return float(np.sqrt(np.mean(r**2))) if r.size else float("nan")

    ss_tot = float(np.sum((yt - yt.mean()) ** 2))
    r2 = 1.0 - float(np.sum(resid**2)) / ss_tot if ss_tot > 0 else float("nan")
    return {
        "rmse": _rmse(resid),
        "mae": float(np.mean(np.abs(resid))),
        "r2": r2,
        "max_error": float(np.max(np.abs(resid))),
        "bias": float(np.mean(resid)),
        "rmse_pos": _rmse(pos),
        "rmse_neg": _rmse(neg),
        "l2_norm": float(np.linalg.norm(resid)),
        "l2_pos": float(np.linalg.norm(pos)) if pos.size else float("nan"),
        "l2_neg": float(np.linalg.norm(neg)) if neg.size else float("nan"),
        "n": int(resid.size),
        "n_pos": int(pos.size),
        "n_neg": int(neg.size),
    }


def _check_thresholds(thresholds: Sequence[float]) -> np.ndarray:
    th = np.asarray(thresholds, dtype=float)
    if th.ndim != 1 or th.size < 2 or np.any(np.diff(th) <= 0):
        raise InputError(
            f"thresholds must be at least two increasing bin edges; received {list(th)}."
        )
    return th


def bin_values(values, thresholds: Sequence[float] = DEFAULT_THRESHOLDS) -> np.ndarray:
    """Return the bin index of each value (values below the first edge go to bin 0)."""
    th = _check_thresholds(thresholds)
    idx = np.searchsorted(th, _as_1d("values", values), side="right") - 1
    return np.clip(idx, 0, th.size - 1)


def bin_scores(y_pred, thresholds: Sequence[float] = DEFAULT_THRESHOLDS) -> np.ndarray:
    """Continuous per-bin scores, shape (n_samples, n_bins): minus distance to each bin."""
    th = _check_thresholds(thresholds)
    yp = _as_1d("y_pred", y_pred)
    lo = th.copy()
    lo[0] = -np.inf
    hi = np.append(th[1:], np.inf)
    below = np.clip(lo[None, :] - yp[:, None], 0, None)
    above = np.clip(yp[:, None] - hi[None, :], 0, None)
    return -(below + above)


def binned_roc_pr(
    y_true, y_pred, thresholds: Sequence[float] = DEFAULT_THRESHOLDS
) -> dict[int, dict]:
    """ROC and precision-recall curves of each memory bin (one-vs-rest).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
    thresholds : sequence of float, default=(0, 12, 225, 950)
        Lower bin edges in GB.

    Returns
    -------
    dict
        ``{bin: {"label", "n_true", "auc", "ap", "fpr", "tpr", "precision", "recall"}}``.
        Curve arrays are empty and ``auc``/``ap`` NaN where the bin has no positives or
        no negatives.
    """
    from sklearn.metrics import (
        auc,
        average_precision_score,
        precision_recall_curve,
        roc_curve,
    )

    th = _check_thresholds(thresholds)
    truth = bin_values(y_true, th)
    scores = bin_scores(y_pred, th)
    out: dict[int, dict] = {}
    for k in range(th.size):
        hi = f"{th[k + 1]:g}" if k + 1 < th.size else "inf"
        label = f"bin {k} [{th[k]:g}, {hi}) GB"
        y = (truth == k).astype(int)
        entry = {"label": label, "n_true": int(y.sum())}
        if 0 < y.sum() < y.size:
            fpr, tpr, _ = roc_curve(y, scores[:, k])
            prec, rec, _ = precision_recall_curve(y, scores[:, k])
            entry.update(
                auc=float(auc(fpr, tpr)),
                ap=float(average_precision_score(y, scores[:, k])),
                fpr=fpr,
                tpr=tpr,
                precision=prec,
                recall=rec,
            )
        else:
            empty = np.array([], dtype=float)
            entry.update(
                auc=float("nan"),
                ap=float("nan"),
                fpr=empty,
                tpr=empty,
                precision=empty,
                recall=empty,
            )
        out[k] = entry
    return out


def mean_auc_pr(curves: dict[int, dict]) -> tuple[float, float]:
    """Mean AUC and mean average precision over the bins where they are defined."""
    aucs = [c["auc"] for c in curves.values() if np.isfinite(c["auc"])]
    aps = [c["ap"] for c in curves.values() if np.isfinite(c["ap"])]
    return (
        float(np.mean(aucs)) if aucs else float("nan"),
        float(np.mean(aps)) if aps else float("nan"),
    )
