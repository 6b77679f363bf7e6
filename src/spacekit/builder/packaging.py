"""Package a JWST training run as a ``jwst_cal`` model archive, with a model card.

A training run (:class:`spacekit.skopes.jwst.cal.train.JwstCalTrain`) writes
``{run}/{mode}/summary/{mode}-cv-scores.json`` (which names the best fold) and
``{run}/{mode}/models/{fold}/{model}.keras`` with ``tx_data-{mode}.json``.
:func:`build_archive` takes the best fold of each trained mode and writes an archive
that :class:`~spacekit.skopes.jwst.cal.predict.JwstCalPredict` loads
(see :mod:`spacekit.builder.archive`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from spacekit._json import read_json_file
from spacekit.exceptions import DataError

__all__ = ["MODEL_NAMES", "MAX_RUN_JSON_BYTES", "build_archive", "make_model_card", "format_score"]

#: Exposure mode (lower case) -> model name.
MODEL_NAMES = {"image": "img3_reg", "spec": "spec3_reg"}
#: Largest cv-scores summary or tx_data file of a run read (bytes); both are a few KB.
MAX_RUN_JSON_BYTES = 16 * 1024**2
_RERUN = "re-run the training of that mode"


def _read_object(path: Path, what: str) -> dict:
    data = read_json_file(path, max_depth=32, error=DataError, max_bytes=MAX_RUN_JSON_BYTES)
    if not isinstance(data, dict):
        raise DataError(
            f"'{path}' is not {what}: it holds a JSON {type(data).__name__}, not an object; "
            f"{_RERUN}."
        )
    return data


def _best_fold(scores: dict, scores_file: Path) -> str:
    if "best_fold" not in scores:
        raise DataError(
            f"'{scores_file}' is not a cv-scores summary with a 'best_fold' (its keys: "
            f"{sorted(scores)[:10]}); {_RERUN}."
        )
    fold = scores["best_fold"]
    text = str(fold)
    if isinstance(fold, bool) or not isinstance(fold, int | str) or Path(text).name != text:
        raise DataError(
            f"'{scores_file}': best_fold must be a fold number or folder name; received "
            f"{fold!r}; {_RERUN}."
        )
    if text in ("", ".", ".."):
        raise DataError(f"'{scores_file}': best_fold {fold!r} names no fold folder; {_RERUN}.")
    return text


def _read_tx(tx_file: Path) -> dict:
    """The normalisation statistics of ``tx_file``, checked (DataError naming the file)."""
    from spacekit.preprocessor.transform import load_tx_data

    tx = _read_object(tx_file, "normalisation data (tx_data)")
    try:
        load_tx_data(tx, where=f"'{tx_file}'")
    except DataError as exc:
        raise DataError(f"{exc} Re-run the training of that mode.") from None
    return tx


def _mode_artifacts(mode_dir: Path) -> tuple[Path, dict, dict] | None:
    mode = mode_dir.name
    scores_file = mode_dir / "summary" / f"{mode}-cv-scores.json"
    if mode not in MODEL_NAMES or not scores_file.is_file():
        return None
    scores = _read_object(scores_file, "a cv-scores summary")
    fold_dir = mode_dir / "models" / _best_fold(scores, scores_file)
    model = fold_dir / f"{MODEL_NAMES[mode]}.keras"
    tx_file = fold_dir / f"tx_data-{mode}.json"
    if not model.is_file():
        return None
    tx = _read_tx(tx_file) if tx_file.is_file() else {}
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
