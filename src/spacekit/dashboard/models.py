"""Run the saved models of a results version on table rows (network and predictions pages).

A :class:`~spacekit.dashboard.context.ModelSpec` names a ``.keras`` file, its input
columns in model order, and the normalisation (Yeo-Johnson + standardisation,
``tx_data.json``) of some of them. :func:`model_inputs` turns table rows into the model's
input matrix exactly as the pipeline does; :func:`predict_rows` runs every model with
numpy inference (no TensorFlow).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from spacekit.exceptions import DataError, InputError

__all__ = ["model_inputs", "predict_rows", "raw_defaults", "no_model_text"]

log = logging.getLogger(__name__)


def _check_columns(spec, df: pd.DataFrame) -> None:
    if not spec.features:
        raise DataError(
            f"{spec.name}: the input columns are unknown; add a model_inputs.json beside "
            'the model: {"' + spec.name + '": {"features": [...], "tx_cols": [...]}}.'
        )
    missing = [c for c in spec.features if c not in df.columns]
    if missing:
        raise DataError(
            f"{spec.name} needs the columns {missing}, which the table does not have "
            f"(it has {list(df.columns)[:12]}{'...' if df.shape[1] > 12 else ''})."
        )
    bad = [c for c in spec.features if not pd.api.types.is_numeric_dtype(df[c])]
    if bad:
        raise DataError(
            f"{spec.name} needs numeric (encoded) values in {bad}; the table has text there."
        )


def no_model_text(ctx, suffix: str = "") -> str:
    """Why a page has no model to run: none saved, or only models that take images."""
    images = ctx.image_models()
    if not images:
        return f"No saved model (*.keras) in the results{suffix}."
    names = ", ".join(m.name for m in images)
    return (
        f"No saved model runs on table rows: {names} also takes images (its "
        "model_inputs.json says so). Classify with the pipeline's predict command, e.g. "
        "'spacekit svm predict'."
    )


def model_inputs(spec, df: pd.DataFrame) -> np.ndarray:
    """The model's input matrix for the rows of ``df`` (columns picked and normalised).

    Raises
    ------
    DataError
        If a column is missing, not numeric, or has NaN values.
    """
    from spacekit.preprocessor.transform import apply_power_transform

    _check_columns(spec, df)
    frame = df[list(spec.features)].astype(float)
    if frame.isna().any().any():
        rows = frame.index[frame.isna().any(axis=1)][:5].tolist()
        raise DataError(f"{spec.name}: rows {rows} have missing input values.")
    if spec.tx:
        cols = list(spec.tx.get("columns") or spec.tx_cols)
        cols = [c for c in cols if c in frame.columns]
        if cols:
            frame = apply_power_transform(frame, spec.tx, cols)
    return frame.to_numpy(dtype=np.float32)


def raw_defaults(spec, df: pd.DataFrame) -> dict[str, float]:
    """A typical raw value of every input: the median (the most common for codes)."""
    out = {}
    for col in spec.features:
        s = pd.to_numeric(df[col], errors="coerce").dropna() if col in df.columns else None
        if s is None or s.empty:
            out[col] = 0.0
        elif s.nunique() <= 20:
            out[col] = float(s.mode().iloc[0])
        else:
            out[col] = float(s.median())
    return out


def predict_rows(specs: Sequence, df: pd.DataFrame, load) -> pd.DataFrame:
    """Run every model on the rows of ``df``; one output column (or more) per model.

    Parameters
    ----------
    specs : sequence of ModelSpec
    df : pandas.DataFrame
        Raw rows (the model inputs are picked and normalised per model).
    load : callable
        ``load(spec) -> NumpyMLP`` (cached by the caller).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``df``. A classifier gives ``{name}`` (the predicted class) and
        ``{name}_p`` (its probability); a single-output model gives ``{name}``.
    """
    if df.empty:
        raise InputError("No rows to predict; select rows or upload a CSV.")
    out = pd.DataFrame(index=df.index)
    for spec in specs:
        model = load(spec)
        y = np.asarray(model.predict(model_inputs(spec, df)), dtype=float)
        if y.ndim == 2 and y.shape[1] > 1:
            k = np.argmax(y, axis=1)
            names = spec.classes if len(spec.classes) == y.shape[1] else None
            out[spec.name] = [names[i] for i in k] if names else k
            out[f"{spec.name}_p"] = np.round(y[np.arange(len(k)), k], 4)
        else:
            out[spec.name] = np.round(y.ravel(), 4)
    return out
