"""Held-out metrics, a feature-only baseline and the model card of an SVM training run."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["binary_metrics", "fit_baseline_classifier", "make_model_card", "write_model_inputs"]

#: Frame suffixes of a visit's images, in the order of the CNN's depth axis.
FRAMES = ("", "_source", "_gaia")


def binary_metrics(y_true, y_score, threshold: float = 0.5) -> dict[str, float]:
    """ROC-AUC, PR-AUC (average precision), accuracy, precision, recall, F1 and n.

    AUCs are NaN when the set has a single class.
    """
    from sklearn.metrics import (
        accuracy_score,
        average_precision_score,
        f1_score,
        precision_score,
        recall_score,
        roc_auc_score,
    )

    y = np.asarray(y_true, dtype=int).reshape(-1)
    s = np.asarray(y_score, dtype=float).reshape(-1)
    pred = (s >= threshold).astype(int)
    two = np.unique(y).size == 2
    return {
        "n": int(y.size),
        "n_misaligned": int(y.sum()),
        "roc_auc": float(roc_auc_score(y, s)) if two else float("nan"),
        "pr_auc": float(average_precision_score(y, s)) if two else float("nan"),
        "accuracy": float(accuracy_score(y, pred)),
        "precision": float(precision_score(y, pred, zero_division=0)),
        "recall": float(recall_score(y, pred, zero_division=0)),
        "f1": float(f1_score(y, pred, zero_division=0)),
    }


def fit_baseline_classifier(
    XTR, YTR, sets: Mapping[str, tuple], seed: int | None = None
) -> dict[str, dict]:
    """Fit ``HistGradientBoostingClassifier`` on the 10 features (no images); score ``sets``.

    Answers "do the images and the network earn their cost?" in the training summary.
    """
    from sklearn.ensemble import HistGradientBoostingClassifier

    X = np.asarray(getattr(XTR[0], "values", XTR[0]), dtype=float)
    clf = HistGradientBoostingClassifier(max_iter=200, random_state=seed)
    clf.fit(X, np.asarray(YTR).reshape(-1).astype(int))
    out = {}
    for name, (Xs, ys) in sets.items():
        proba = clf.predict_proba(np.asarray(getattr(Xs[0], "values", Xs[0]), dtype=float))[:, 1]
        out[name] = binary_metrics(np.asarray(ys).reshape(-1), proba)
    return out


def _fmt(v: Any) -> str:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    return "n/a" if not np.isfinite(f) else f"{f:.3f}"


_LABELS = {
    "ensemble": "ensemble (MLP + CNN)",
    "mlp": "MLP branch alone",
    "cnn": "CNN branch alone",
    "baseline": "gradient boosting, features only",
}


def make_model_card(summary: Mapping[str, Any], extra: str = "") -> str:
    """Return the Markdown model card of a training run summary."""
    from spacekit import __version__

    n = summary.get("n", {})
    lines = [
        "# svm_align model card",
        "",
        f"- spacekit version: {__version__}",
        f"- created: {datetime.now(UTC).isoformat(timespec='seconds')}",
        "- task: flag misaligned HST single-visit mosaics (sigmoid output, >= 0.5 = suspicious)",
        "- inputs: 10 features (numexp, rms_ra, rms_dec, nmatches, point, segment, gaia, det, "
        f"wcs, cat) and 3 RGB frames of {summary.get('image_size')}×{summary.get('image_size')} "
        "pixels (plain, source overlay, Gaia overlay)",
        f"- architecture: blueprint `{summary.get('blueprint')}` "
        "(spacekit.builder.ensemble), model `" + str(summary.get("model_name")) + "`",
        f"- normalisation: norm={summary.get('norm')} (predict with the same value)",
        f"- trained on: {summary.get('trained_on', 'unknown')} data; "
        f"{n.get('train', 0)} training, {n.get('val', 0)} validation and {n.get('test', 0)} "
        "held-out test visits",
        f"- training: {summary.get('epochs_run')} epochs, seed {summary.get('seed')}, "
        f"{summary.get('seconds')} s",
        "",
        "## Held-out metrics",
        "",
        "| model | split | n | ROC-AUC | PR-AUC | accuracy | precision | recall |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for model, per_split in summary.get("metrics", {}).items():
        for split, m in per_split.items():
            lines.append(
                f"| {_LABELS.get(model, model)} | {split} | {m['n']} | {_fmt(m['roc_auc'])} | "
                f"{_fmt(m['pr_auc'])} | {_fmt(m['accuracy'])} | {_fmt(m['precision'])} | "
                f"{_fmt(m['recall'])} |"
            )
    lines += [
        "",
        "The test split was never used in training or model selection. Branch models are "
        "the MLP and the CNN trained alone on the same splits; the baseline is a "
        "scikit-learn HistGradientBoostingClassifier on the 10 features.",
    ]
    if extra:
        lines += ["", extra.strip()]
    return "\n".join(lines) + "\n"


def write_model_inputs(
    model_dir: Path,
    model_name: str,
    features: Sequence[str],
    tx_cols: Sequence[str],
    image_size: int,
) -> Path:
    """Write ``model_inputs.json`` beside the saved ensemble (what the dashboards read).

    It names the model's table inputs in order, the columns normalised by
    ``tx_data.json`` (none when ``tx_cols`` is empty) and, under ``images``, the frames the
    CNN branch also takes, so that tools running models on table rows know this one
    needs more than the table.
    """
    from spacekit._io import atomic_write_json

    entry: dict[str, Any] = {
        "features": list(features),
        "tx_cols": list(tx_cols),
        "classes": [],
        "target": "label",
        "images": {"size": int(image_size), "frames": list(FRAMES)},
    }
    if tx_cols:
        entry["tx_file"] = "tx_data.json"
    path = Path(model_dir) / "model_inputs.json"
    atomic_write_json(path, {model_name: entry})
    return path
