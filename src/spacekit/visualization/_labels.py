"""Labels, probabilities and batches for the prediction visualizer (numpy only).

Predictions and targets arrive from any framework (numpy, lists, TensorFlow/JAX/PyTorch
tensors): :func:`to_numpy` converts them, :func:`as_labels` and :func:`as_probabilities`
check them, :func:`scores_to_probabilities` turns raw model outputs into probabilities,
and :func:`iter_batches` reads ``(x, y)`` batches from lists, generators,
``tf.data.Dataset``, ``keras.utils.PyDataset`` or a pair of arrays.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from spacekit.exceptions import DataError, InputError

__all__ = [
    "to_numpy",
    "as_labels",
    "as_probabilities",
    "is_probabilities",
    "scores_to_probabilities",
    "iter_batches",
    "predict_scores",
]


def to_numpy(x: Any) -> np.ndarray:
    """Return ``x`` as a numpy array (numpy, lists, TensorFlow/JAX/PyTorch tensors)."""
    if hasattr(x, "detach"):  # torch: leave the graph and the device
        x = x.detach().cpu()
    if hasattr(x, "numpy") and not isinstance(x, np.ndarray):
        x = x.numpy()
    return np.asarray(x)


def as_labels(values: Any, what: str = "labels") -> np.ndarray:
    """Integer class labels of shape (n,) from labels, one-hot rows or an (n, 1) column."""
    arr = to_numpy(values)
    if arr.ndim == 2 and arr.shape[1] > 1:
        arr = arr.argmax(axis=1)
    arr = arr.reshape(-1)
    if not np.issubdtype(arr.dtype, np.number) or not np.all(np.mod(arr, 1) == 0):
        raise InputError(
            f"{what} must hold integer class labels (or one-hot rows); received dtype "
            f"{arr.dtype}. The order is update(predictions, targets, probabilities); use "
            "update(y_true=..., y_pred=...) to pass them by name."
        )
    return arr.astype(int)


def is_probabilities(values: Any) -> bool:
    """True for float arrays in [0, 1] that are not all whole numbers (so not labels)."""
    arr = to_numpy(values)
    if arr.size == 0 or not np.issubdtype(arr.dtype, np.floating):
        return False
    finite = arr[np.isfinite(arr)]
    return bool(
        finite.size and np.any(np.mod(finite, 1) != 0) and finite.min() >= 0 and finite.max() <= 1
    )


def as_probabilities(values: Any, what: str = "probabilities") -> np.ndarray:
    """Class probabilities of shape (n, k); a column or vector is the positive class."""
    arr = to_numpy(values).astype(float)
    if arr.ndim == 1 or (arr.ndim == 2 and arr.shape[1] == 1):
        p1 = arr.reshape(-1)
        arr = np.column_stack([1 - p1, p1])
    if arr.ndim != 2:
        raise InputError(
            f"{what} must be (n, n_classes) or (n,) for the positive class; received shape "
            f"{arr.shape}."
        )
    if not np.all(np.isfinite(arr)):
        raise DataError(f"Predicted {what} contain NaN or inf values.")
    if arr.min() < 0 or arr.max() > 1:
        raise InputError(
            f"{what} must lie in [0, 1]; received values from {arr.min():.3g} to "
            f"{arr.max():.3g}. Apply a softmax (or sigmoid) to raw scores first."
        )
    return arr


def scores_to_probabilities(scores: Any) -> np.ndarray:
    """Probabilities (n, k) from a model's outputs: kept when they already are some.

    Rows in [0, 1] that sum to 1 (softmax outputs) and single columns in [0, 1] (sigmoid
    outputs) are probabilities already; other outputs are treated as logits (softmax per
    row, or a sigmoid for one column).
    """
    s = to_numpy(scores).astype(float)
    if s.ndim == 1 or (s.ndim == 2 and s.shape[1] == 1):
        s = s.reshape(-1)
        if not (s.min() >= 0 and s.max() <= 1):
            s = 1.0 / (1.0 + np.exp(-s))
        return np.column_stack([1 - s, s])
    if s.ndim != 2:
        raise InputError(f"Model outputs must be (n, n_classes) scores; received {s.shape}.")
    if not np.all(np.isfinite(s)):
        raise DataError("Model outputs contain NaN or inf values.")
    if s.min() >= 0 and s.max() <= 1 and np.allclose(s.sum(axis=1), 1.0, atol=1e-3):
        return s
    z = np.exp(s - s.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def _array_like(v: Any) -> bool:
    return hasattr(v, "shape") and hasattr(v, "__len__")


def iter_batches(data: Any, batch_size: int = 256) -> Iterator[tuple[Any, Any]]:
    """Yield ``(x, y)`` batches from a data loader or a pair of arrays.

    Parameters
    ----------
    data : iterable of (x, y[, ...]) or (x, y) arrays
        A list or generator of batches, a ``tf.data.Dataset`` or ``keras.utils.PyDataset``
        of ``(x, y)`` (extra elements such as sample weights are ignored), or a tuple
        ``(x, y)`` of arrays, cut into batches of ``batch_size``.
    """
    if isinstance(data, tuple) and len(data) in (2, 3) and all(_array_like(d) for d in data[:2]):
        x, y = data[0], data[1]
        if len(x) != len(y):
            raise InputError(f"x has {len(x)} samples but y has {len(y)}.")
        for start in range(0, len(x), batch_size):
            yield x[start : start + batch_size], y[start : start + batch_size]
        return
    if isinstance(data, str | bytes | dict) or not hasattr(data, "__iter__"):
        raise InputError(
            f"data_loader must be an iterable of (x, y) batches or a tuple (x, y) of arrays; "
            f"received {type(data).__name__}."
        )
    for i, batch in enumerate(data):
        if not isinstance(batch, tuple | list) or len(batch) < 2:
            raise InputError(
                f"Batch {i} of the data loader is a {type(batch).__name__}; expected "
                "(x, y) pairs (inputs and integer targets)."
            )
        yield batch[0], batch[1]


def predict_scores(model: Any, x: Any) -> np.ndarray:
    """Outputs of ``model`` on one batch: Keras ``predict_on_batch`` or any callable."""
    if hasattr(model, "predict_on_batch"):
        out = model.predict_on_batch(x)
    elif callable(model):
        out = model(x)
    else:
        raise InputError(
            f"model must be a Keras model or a callable returning class scores; received "
            f"{type(model).__name__}."
        )
    if isinstance(out, list | tuple | dict):
        raise InputError(
            "The model returned several outputs; misclassification analysis needs one "
            "(n, n_classes) output. Pass a callable that returns the class scores."
        )
    return to_numpy(out)
