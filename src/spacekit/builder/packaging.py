"""Package a JWST training run as a ``jwst_cal`` model archive, with a model card.

A training run (:class:`spacekit.skopes.jwst.cal.train.JwstCalTrain`) writes
``{run}/{mode}/summary/{mode}-cv-scores.json`` (which names the best fold) and
``{run}/{mode}/models/{fold}/{model}.keras`` with ``tx_data-{mode}.json``.
:func:`build_archive` takes the best fold of each trained mode and writes an archive
that :class:`~spacekit.skopes.jwst.cal.predict.JwstCalPredict` loads
(see :mod:`spacekit.builder.archive`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from spacekit.exceptions import DataError

__all__ = ["MODEL_NAMES", "build_archive", "make_model_card", "format_score"]

#: Exposure mode (lower case) -> model name.
MODEL_NAMES = {"image": "img3_reg", "spec": "spec3_reg"}


def _mode_artifacts(mode_dir: Path) -> tuple[Path, dict, dict] | None:
    mode = mode_dir.name
    scores_file = mode_dir / "summary" / f"{mode}-cv-scores.json"
    if mode not in MODEL_NAMES or not scores_file.is_file():
        return None
    try:
        scores = json.loads(scores_file.read_text("utf-8"))
        fold_dir = mode_dir / "models" / str(scores["best_fold"])
    except (ValueError, KeyError, TypeError) as exc:
        raise DataError(
            f"{scores_file} is not a cv-scores summary with a 'best_fold' ({exc}); re-run "
            "the training of that mode."
        ) from exc
    model = fold_dir / f"{MODEL_NAMES[mode]}.keras"
    tx_file = fold_dir / f"tx_data-{mode}.json"
    if not model.is_file():
        return None
    tx = json.loads(tx_file.read_text("utf-8")) if tx_file.is_file() else {}
    return model, tx, scores


def format_score(value: float | None) -> str:
    """Format a score for a report: three decimals, or ``"n/a"`` when it is None.

    Examples
    --------
    >>> format_score(1.23456), format_score(None)
    ('1.235', 'n/a')
    """
    return "n/a" if value is None else f"{value:.3f}"


def make_model_card(
    run_path: str | os.PathLike, scores: Mapping[str, Mapping], extra: str = ""
) -> str:
    """Return a Markdown model card describing the models of a training run."""
    from spacekit import __version__

    lines = [
        "# jwst_cal model card",
        "",
        f"- spacekit version: {__version__}",
        f"- created: {datetime.now(UTC).isoformat(timespec='seconds')}",
        f"- training run: {Path(run_path).name}",
        "- task: Level-3 memory footprint (GB) of JWST calibration products",
        "- inputs: 18 features per product (see spacekit.skopes.jwst.cal.config.COLUMN_ORDER)",
        "",
        "| model | folds | best fold | test RMSE (GB) | MAE | R2 | mean AUC | "
        "baseline RMSE | baseline MAE | baseline R2 |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for mode, sc in scores.items():
        nn, hgb = sc.get("network", {}), sc.get("baseline", {})
        cells = [sc.get("model", mode), sc.get("n_folds"), sc.get("best_fold")]
        cells += [format_score(nn.get(k)) for k in ("test_rmse", "mae", "r2", "mean_auc")]
        cells += [format_score(hgb.get(k)) for k in ("test_rmse", "mae", "r2")]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    lines += [
        "",
        "Metrics are means over folds on held-out products. The baseline is a scikit-learn",
        "HistGradientBoostingRegressor trained on the same folds and features.",
    ]
    if extra:
        lines += ["", extra.strip()]
    return "\n".join(lines) + "\n"


def _inference_copy(path: Path):
    """Load a trained ``.keras`` file and return an uncompiled copy (no optimizer state)."""
    from spacekit._optional import require
    from spacekit.builder.architect import inference_copy

    keras = require("keras", feature="packaging trained models")
    return inference_copy(keras.models.load_model(path, safe_mode=True, compile=False))


def build_archive(
    run_path: str | os.PathLike,
    out_path: str | os.PathLike | None = None,
    card_extra: str = "",
    strip_optimizer: bool = True,
) -> Path:
    """Package the best model of each trained mode of a run as a ``jwst_cal`` archive.

    Parameters
    ----------
    run_path : path-like
        The timestamped run folder holding ``image/`` and/or ``spec/``.
    out_path : path-like, optional
        ``.zip`` file or folder; default ``{run_path}/jwst_cal.zip``.
    card_extra : str, optional
        Markdown appended to the generated model card.
    strip_optimizer : bool, default=True
        Store the models without their optimizer state (about a third of the size);
        inference needs only the weights.

    Returns
    -------
    pathlib.Path
        The archive, loadable by ``JwstCalPredict(model_path=...)``.
    """
    from spacekit.builder.archive import save_archive

    run_path = Path(run_path)
    models, tx_data, scores = {}, {}, {}
    for mode in MODEL_NAMES:
        found = _mode_artifacts(run_path / mode)
        if found is None:
            continue
        model, tx, sc = found
        models[MODEL_NAMES[mode]] = model
        if tx:
            tx_data[mode] = tx
        scores[mode] = sc
    if not models:
        raise DataError(f"No trained model found under {run_path} (expected image/ or spec/).")
    if strip_optimizer:
        models = {key: _inference_copy(path) for key, path in models.items()}
    out_path = Path(out_path) if out_path is not None else run_path / "jwst_cal.zip"
    card = make_model_card(run_path, scores, card_extra)
    return Path(save_archive(out_path, models=models, tx_data=tx_data, card=card, name="jwst_cal"))
