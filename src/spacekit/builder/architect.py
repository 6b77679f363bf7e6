"""Fit and save Keras models built from blueprints.

Unlike spacekit 1.1.4's ``Builder``, nothing is written to the current directory: there
is no checkpoint file; early stopping keeps the best weights in memory instead.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from spacekit._io import atomic_path
from spacekit._optional import require
from spacekit.builder.blueprints import Blueprint
from spacekit.exceptions import InputError

__all__ = [
    "set_seed",
    "fit_model",
    "save_keras_model",
    "history_to_dict",
    "inference_copy",
    "scale_output",
]

log = logging.getLogger(__name__)


def set_seed(seed: int | None) -> None:
    """Seed Python, numpy and the Keras backend so that training is reproducible."""
    if seed is None:
        return
    keras = require("keras", feature="training")
    keras.utils.set_random_seed(int(seed))


def history_to_dict(history) -> dict[str, list[float]]:
    """Return a Keras ``History`` (or a dict) as ``{metric: [float per epoch]}``."""
    data = getattr(history, "history", history) or {}
    return {str(k): [float(v) for v in np.ravel(vals)] for k, vals in data.items()}


def fit_model(
    model,
    X_train,
    y_train,
    X_val=None,
    y_val=None,
    *,
    blueprint: Blueprint | None = None,
    epochs: int | None = None,
    batch_size: int | None = None,
    early_stopping: str | None = None,
    patience: int | None = None,
    callbacks: Sequence | None = None,
    verbose: int = 0,
) -> dict[str, list[float]]:
    """Train a compiled model and return its history as a plain dict.

    Parameters
    ----------
    model : keras.Model
        A compiled model.
    X_train, y_train : array-like
        Training features of shape (n_samples, n_features) and targets.
    X_val, y_val : array-like, optional
        Validation data (logged as ``val_*`` metrics).
    blueprint : Blueprint, optional
        Supplies defaults for ``epochs``, ``batch_size`` and ``patience``.
    epochs, batch_size : int, optional
    early_stopping : str, optional
        Metric to monitor (e.g. ``"val_rmse"``); None disables early stopping. The best
        weights are restored at the end.
    patience : int, optional
    callbacks : sequence of keras.callbacks.Callback, optional
        Extra callbacks (e.g. a live training dashboard).
    verbose : int, default=0

    Returns
    -------
    dict
        ``{"loss": [...], "rmse": [...], "val_loss": [...], "val_rmse": [...]}``.
    """
    keras = require("keras", feature="training")
    epochs = int(epochs if epochs is not None else (blueprint.epochs if blueprint else 60))
    batch_size = int(
        batch_size if batch_size is not None else (blueprint.batch_size if blueprint else 32)
    )
    patience = int(patience if patience is not None else (blueprint.patience if blueprint else 15))
    if epochs < 1 or batch_size < 1:
        raise InputError(
            f"epochs and batch_size must be >= 1; received epochs={epochs}, "
            f"batch_size={batch_size}."
        )
    cbs = list(callbacks or [])
    validation = None
    if X_val is not None and y_val is not None:
        validation = (np.asarray(X_val, dtype="float32"), np.asarray(y_val, dtype="float32"))
    if early_stopping:
        if early_stopping.startswith("val_") and validation is None:
            raise InputError(
                f"early_stopping={early_stopping!r} monitors a validation metric but no "
                "validation data was given; pass X_val/y_val or monitor a training metric."
            )
        mode = "max" if "acc" in early_stopping or "auc" in early_stopping else "min"
        cbs.append(
            keras.callbacks.EarlyStopping(
                monitor=early_stopping,
                patience=patience,
                mode=mode,
                restore_best_weights=True,
            )
        )
    log.debug("fitting %s: epochs=%d batch_size=%d", model.name, epochs, batch_size)
    history = model.fit(
        np.asarray(X_train, dtype="float32"),
        np.asarray(y_train, dtype="float32"),
        validation_data=validation,
        epochs=epochs,
        batch_size=batch_size,
        callbacks=cbs,
        verbose=verbose,
        shuffle=True,
    )
    return history_to_dict(history)


def save_keras_model(model, path: str | os.PathLike) -> Path:
    """Save ``model`` to a ``.keras`` file atomically and return the path."""
    path = Path(path)
    if path.suffix != ".keras":
        raise InputError(f"Keras models are saved as '.keras' files; received path={path}.")
    with atomic_path(path) as tmp:
        # keras insists on the .keras suffix, which atomic_path's temporary name keeps.
        model.save(tmp)
    return path


def inference_copy(model):
    """Return an uncompiled copy of ``model`` with the same weights (no optimizer state).

    Saved, it is about a third of the size of the trained model. (``keras.models.
    clone_model`` is not used: recent Keras versions clone the compiled state too.)
    """
    require("keras", feature="packaging trained models")
    copy = type(model).from_config(model.get_config())
    copy.set_weights(model.get_weights())
    return copy


def scale_output(model, scale: float, layer: str | None = None):
    """Multiply the output of ``model`` by ``scale`` by scaling its last Dense layer.

    A regressor trained on ``y / scale`` (better conditioned for targets in the thousands,
    such as wallclock seconds) then predicts ``y`` directly, exactly: the kernel and bias
    of a linear output layer are multiplied by ``scale``.

    Parameters
    ----------
    model : keras.Model
    scale : float
    layer : str, optional
        Name of the output Dense layer (default: the last layer).

    Returns
    -------
    keras.Model
        The same model, modified in place.
    """
    out = model.get_layer(layer) if layer else model.layers[-1]
    activation = getattr(getattr(out, "activation", None), "__name__", "linear")
    if activation != "linear":
        raise InputError(
            f"scale_output needs a linear output layer; {out.name!r} has activation {activation!r}."
        )
    kernel, bias = out.get_weights()
    out.set_weights([kernel * float(scale), bias * float(scale)])
    return model
