"""The text reports of an SVM prediction run: ``clf_report.txt``, ``compromised.txt``.

The layout follows spacekit 1.1.4 (spec §2.5), written atomically, with the model used and
the number of skipped visits added; nothing is printed (1.1.4 redirected ``sys.stdout``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pandas as pd

from spacekit._io import atomic_write_text
from spacekit.preprocessor.encode_svm import SVM_KEYPAIRS

__all__ = ["classification_report", "write_skipped", "format_report"]

#: Detector -> ``det`` code (spec §2.2), in report order.
_DETECTORS = SVM_KEYPAIRS["detector"]
_SEP = "-" * 21


def format_report(
    preds: pd.DataFrame,
    group: str | None = None,
    model_label: str | None = None,
    n_skipped: int = 0,
    now: datetime | None = None,
) -> str:
    """Return the text of ``clf_report.txt`` for a predictions table."""
    now = now or datetime.now()
    proba = preds["y_proba"].astype(float)
    counts = preds["y_pred"].value_counts().sort_index()
    table = pd.DataFrame({"cnt": counts, "pct": counts / max(len(preds), 1)})
    lines = [
        "CLASSIFICATION REPORT",
        f"date:  {now:%Y-%m-%d}",
        f"time:  {now:%H:%M:%S}",
        f"data:  {group or 'SVM-DATA'}",
    ]
    if model_label:
        lines.append(f"model: {model_label}")
    if n_skipped:
        lines.append(f"skipped: {n_skipped} visit(s), see skipped.txt")
    lines += [
        _SEP,
        f"Mean Probability Score:  {proba.mean():.4f}",
        f"Standard Deviation:  {proba.std():.4f}",
        _SEP,
        "Alignment Evaluation",
        "0.0=aligned, 1.0=suspicious",
        table.to_string(),
        _SEP,
        "Misalignment counts by Detector",
    ]
    det = preds["det"].astype(int) if "det" in preds else pd.Series(dtype=int)
    for name, code in _DETECTORS.items():
        rows = preds[det == code]
        total, bad = len(rows), int((rows["y_pred"] == 1).sum())
        pct = "-" if total == 0 else ("0%" if bad == 0 else f"{100.0 * bad / total:.1f}%")
        lines.append(f"{name}\t{bad} \t ({total}) \t {pct}")
    return "\n".join(lines) + "\n"


def classification_report(
    df: pd.DataFrame,
    output_path: str | os.PathLike,
    group: str | None = None,
    *,
    model_label: str | None = None,
    skipped: Sequence[tuple[str, str]] = (),
) -> Path:
    """Write ``clf_report.txt`` and ``compromised.txt`` into ``output_path``.

    Parameters
    ----------
    df : pandas.DataFrame
        Predictions indexed by visit name, with ``y_pred``, ``y_proba`` and ``det``.
    output_path : path-like
        The ``predictions`` folder.
    group : str, optional
        Data set name (``SVM-DATA`` by default).
    model_label : str, optional
        Names the model that answered.
    skipped : sequence of (str, str)
        Visits that could not be classified (counted in the report).

    Returns
    -------
    pathlib.Path
        The path of ``clf_report.txt``.
    """
    folder = Path(output_path)
    report = atomic_write_text(
        folder / "clf_report.txt", format_report(df, group, model_label, len(skipped))
    )
    bad = [str(i) for i in df.index[df["y_pred"] == 1]]
    atomic_write_text(folder / "compromised.txt", "".join(f"{n}\n" for n in bad))
    return report


def write_skipped(folder: str | os.PathLike, skipped: Sequence[tuple[str, str]]) -> Path | None:
    """Write ``skipped.txt`` (``name<TAB>reason`` per line); remove a stale one if none."""
    path = Path(folder) / "skipped.txt"
    if not skipped:
        if path.is_file():
            path.unlink()
        return None
    return atomic_write_text(path, "".join(f"{n}\t{r}\n" for n, r in skipped))
