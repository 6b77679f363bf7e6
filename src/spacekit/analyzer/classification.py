"""Classifier metrics from predicted probabilities (pure numpy + scikit-learn).

Everything here takes **scores** (probabilities), never rounded labels, so ROC and
precision-recall curves have one point per distinct score rather than the single
operating point spacekit 1.1.4 drew from 0/1-rounded outputs. Multiclass predictions are
the ``argmax`` of the scores (1.1.4 rounded the softmax, which sends rows whose top
probability is below 0.5 to class 0).

The curve dicts have the same shape as :func:`spacekit.analyzer.metrics.binned_roc_pr`
(``{k: {"label", "n_true", "auc", "ap", "fpr", "tpr", "precision", "recall"}}``), so one
set of figure builders draws regressor bins and classifier classes alike.

Examples
--------
>>> from spacekit.analyzer.classification import as_scores, predict_labels
>>> s = as_scores([0.2, 0.7], n_classes=2)
>>> s.tolist()
[[0.8, 0.2], [0.30000000000000004, 0.7]]
>>> predict_labels(s).tolist()
[0, 1]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from spacekit.exceptions import InputError

__all__ = [
    "as_labels",
    "as_scores",
    "predict_labels",
    "class_curves",
    "confusion",
    "classification_metrics",
    "fnfp_table",
]


def as_labels(y, n_classes: int | None = None, name: str = "y_true") -> np.ndarray:
    """Return integer class labels from labels, one-hot rows or a single-column array.

    Parameters
    ----------
    y : array-like of shape (n_samples,) or (n_samples, n_classes)
        Integer labels, or one-hot / probability rows (reduced with ``argmax``).
    n_classes : int, optional
        When given, labels must lie in ``0 .. n_classes - 1``.
    name : str, default="y_true"
        Used in error messages.

    Returns
    -------
    numpy.ndarray of int64, shape (n_samples,)
    """
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] > 1:
        arr = np.argmax(arr, axis=1)
    arr = arr.reshape(-1)
    if arr.size and arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)):
            raise InputError(f"{name} has NaN or infinite values; expected class labels.")
        if np.any(arr != np.round(arr)):
            raise InputError(f"{name} has non-integer values; expected class labels 0..k-1.")
    if arr.dtype.kind == "b":
        arr = arr.astype(np.int64)
    if arr.dtype.kind not in "iuf":
        raise InputError(f"{name} has dtype {arr.dtype}; expected integer class labels.")
    labels = arr.astype(np.int64)
    if labels.size and labels.min() < 0:
        raise InputError(f"{name} has negative labels ({labels.min()}); expected 0..k-1.")
    if n_classes is not None and labels.size and labels.max() >= n_classes:
        raise InputError(
            f"{name} has label {labels.max()} but only {n_classes} classes were given; "
            "pass classes=[...] with one name per class."
        )
    return labels


def as_scores(y_scores, n_classes: int | None = None) -> np.ndarray:
    """Return an ``(n_samples, n_classes)`` float score matrix.

    A single column (or a 1-D array) is the positive-class probability of a binary
    (sigmoid) classifier and becomes ``[1 - p, p]``.

    Parameters
    ----------
    y_scores : array-like of shape (n_samples,), (n_samples, 1) or (n_samples, n_classes)
    n_classes : int, optional
        Expected number of columns (checked).

    Returns
    -------
    numpy.ndarray of float64
    """
    s = np.asarray(y_scores, dtype=float)
    if s.ndim == 1 or (s.ndim == 2 and s.shape[1] == 1):
        p = s.reshape(-1)
        s = np.column_stack([1.0 - p, p])
    if s.ndim != 2:
        raise InputError(f"y_scores has shape {s.shape}; expected (n_samples, n_classes).")
    if not np.all(np.isfinite(s)):
        raise InputError("y_scores has NaN or infinite values; expected probabilities.")
    if n_classes is not None and s.shape[1] != n_classes:
        raise InputError(
            f"y_scores has {s.shape[1]} columns but {n_classes} classes were given; "
            "pass classes=[...] with one name per output of the model."
        )
    return s


def predict_labels(y_scores, threshold: float = 0.5) -> np.ndarray:
    """Predicted labels: ``p >= threshold`` for two columns, ``argmax`` otherwise."""
    s = as_scores(y_scores)
    if s.shape[1] == 2:
        return (s[:, 1] >= threshold).astype(np.int64)
    return np.argmax(s, axis=1).astype(np.int64)


def class_curves(y_true, y_scores, classes: Sequence[str]) -> dict[int, dict]:
    """One-vs-rest ROC and precision-recall curves of every class, from scores.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or one-hot (n_samples, n_classes)
    y_scores : array-like of shape (n_samples, n_classes)
    classes : sequence of str
        Class names (used as curve labels).

    Returns
    -------
    dict
        ``{k: {"label", "n_true", "auc", "ap", "fpr", "tpr", "precision", "recall"}}``;
        arrays are empty and ``auc``/``ap`` NaN for a class with no positives or no
        negatives in ``y_true``.
    """
    from sklearn.metrics import auc, average_precision_score, precision_recall_curve, roc_curve

    s = as_scores(y_scores, len(classes))
    truth = as_labels(y_true, len(classes))
    if truth.size != s.shape[0]:
        raise InputError(f"y_true has {truth.size} rows but y_scores has {s.shape[0]}.")
    out: dict[int, dict] = {}
    for k, name in enumerate(classes):
        y = (truth == k).astype(int)
        entry: dict = {"label": str(name), "n_true": int(y.sum())}
        if 0 < y.sum() < y.size:
            fpr, tpr, _ = roc_curve(y, s[:, k])
            prec, rec, _ = precision_recall_curve(y, s[:, k])
            entry.update(
                auc=float(auc(fpr, tpr)),
                ap=float(average_precision_score(y, s[:, k])),
                fpr=fpr,
                tpr=tpr,
                precision=prec,
                recall=rec,
            )
        else:
            empty = np.array([], dtype=float)
            entry.update(
                auc=float("nan"), ap=float("nan"), fpr=empty, tpr=empty, precision=empty,
                recall=empty,
            )  # fmt: skip
        out[k] = entry
    return out


def confusion(y_true, y_pred, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """Confusion matrix counts and row-normalised fractions (rows: true class).

    A class with no true samples has a row of zeros in the normalised matrix, not NaN.
    """
    from sklearn.metrics import confusion_matrix

    cmx = confusion_matrix(
        as_labels(y_true, n_classes), as_labels(y_pred, n_classes, "y_pred"),
        labels=list(range(n_classes)),
    )  # fmt: skip
    rows = cmx.sum(axis=1, keepdims=True)
    norm = np.divide(cmx, rows, out=np.zeros(cmx.shape, dtype=float), where=rows > 0)
    return cmx.astype(np.int64), norm


def _log_loss(truth: np.ndarray, s: np.ndarray) -> float:
    """Mean cross-entropy of the true class (what Keras reports as the loss)."""
    eps = 1e-7
    p = np.clip(s[np.arange(truth.size), truth], eps, 1.0)
    return float(-np.mean(np.log(p)))


def classification_metrics(
    y_true, y_scores, classes: Sequence[str], threshold: float = 0.5
) -> dict:
    """Accuracy, precision/recall/F1, ROC-AUC, average precision and log loss.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or one-hot (n_samples, n_classes)
    y_scores : array-like of shape (n_samples, n_classes) (or (n_samples,) for binary)
    classes : sequence of str
    threshold : float, default=0.5
        Decision threshold on the positive-class probability (binary only).

    Returns
    -------
    dict
        JSON-safe: ``n, accuracy, balanced_accuracy, loss`` (cross-entropy),
        ``precision_macro, recall_macro, f1_macro, f1_weighted``, ``per_class`` (list of
        ``{class, precision, recall, f1, support, roc_auc, average_precision}``),
        ``roc_auc`` (positive class for binary; macro one-vs-rest mean otherwise),
        ``roc_auc_micro`` and ``average_precision_macro``. Undefined values are NaN.
    """
    from sklearn.metrics import (
        accuracy_score,
        precision_recall_fscore_support,
        roc_auc_score,
    )

    n = len(classes)
    s = as_scores(y_scores, n)
    truth = as_labels(y_true, n)
    if truth.size == 0:
        raise InputError("Cannot compute metrics of an empty set of predictions.")
    if truth.size != s.shape[0]:
        raise InputError(f"y_true has {truth.size} rows but y_scores has {s.shape[0]}.")
    pred = predict_labels(s, threshold)
    labels = list(range(n))
    prec, rec, f1, sup = precision_recall_fscore_support(
        truth, pred, labels=labels, zero_division=0
    )
    curves = class_curves(truth, s, classes)
    present = sup > 0
    out = {
        "n": int(truth.size),
        "accuracy": float(accuracy_score(truth, pred)),
        # mean recall over the classes present in y_true (sklearn's definition)
        "balanced_accuracy": float(np.mean(rec[present])) if present.any() else float("nan"),
        "loss": _log_loss(truth, s),
        "precision_macro": float(np.mean(prec[present])) if present.any() else float("nan"),
        "recall_macro": float(np.mean(rec[present])) if present.any() else float("nan"),
        "f1_macro": float(np.mean(f1[present])) if present.any() else float("nan"),
        "f1_weighted": float(np.average(f1, weights=sup)) if sup.sum() else float("nan"),
        "per_class": [
            {
                "class": str(classes[k]),
                "precision": float(prec[k]),
                "recall": float(rec[k]),
                "f1": float(f1[k]),
                "support": int(sup[k]),
                "roc_auc": curves[k]["auc"],
                "average_precision": curves[k]["ap"],
            }
            for k in labels
        ],
    }
    aucs = np.array([curves[k]["auc"] for k in labels])
    aps = np.array([curves[k]["ap"] for k in labels])
    if n == 2:
        out["roc_auc"] = curves[1]["auc"]
        out["average_precision_macro"] = curves[1]["ap"]
        out["roc_auc_micro"] = curves[1]["auc"]
    else:
        finite = np.isfinite(aucs)
        out["roc_auc"] = float(aucs[finite].mean()) if finite.any() else float("nan")
        ap_ok = np.isfinite(aps)
        out["average_precision_macro"] = float(aps[ap_ok].mean()) if ap_ok.any() else float("nan")
        onehot = np.eye(n)[truth]
        if 0 < onehot.sum() < onehot.size:
            out["roc_auc_micro"] = float(roc_auc_score(onehot.ravel(), s.ravel()))
        else:
            out["roc_auc_micro"] = float("nan")
    return out


def fnfp_table(
    y_true, y_scores, index: Sequence | None = None, threshold: float = 0.5, ordinal: bool = True
) -> pd.DataFrame:
    """The misclassified rows: ``y_true, y_pred, proba, kind`` indexed by row label.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or one-hot
    y_scores : array-like of shape (n_samples, n_classes)
    index : sequence, optional
        Row labels (e.g. ``ipst`` or visit names); positions when omitted.
    threshold : float, default=0.5
        Binary decision threshold.
    ordinal : bool, default=True
        For more than two classes, treat classes as ordered (memory bins): ``kind`` is
        ``"fn"`` when the prediction is below the truth (resources under-estimated) and
        ``"fp"`` when above, as in 1.1.4. With ``ordinal=False`` every error is ``"error"``.
        For two classes ``"fn"`` is a missed positive and ``"fp"`` a false alarm.

    Returns
    -------
    pandas.DataFrame
        Columns ``y_true, y_pred, proba`` (probability of the predicted class), ``kind``;
        index named ``index``.
    """
    s = as_scores(y_scores)
    truth = as_labels(y_true, s.shape[1])
    pred = predict_labels(s, threshold)
    idx = pd.Index(range(truth.size) if index is None else list(index), name="index")
    if len(idx) != truth.size:
        raise InputError(f"index has {len(idx)} labels but y_true has {truth.size} rows.")
    wrong = pred != truth
    if s.shape[1] == 2 or ordinal:
        kind = np.where(pred < truth, "fn", "fp")
    else:
        kind = np.full(truth.size, "error")
    table = pd.DataFrame(
        {
            "y_true": truth,
            "y_pred": pred,
            "proba": s[np.arange(truth.size), pred],
            "kind": kind,
        },
        index=idx,
    )
    return table[wrong]
