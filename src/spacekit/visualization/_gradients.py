"""Per-weight gradient statistics of a Keras 3 model, for the gradient-flow figure.

Keras has no ``loss.backward()`` that leaves gradients on the weights. Gradients come from
one of three places, all ending in the same table (:func:`gradient_table`):

- :func:`compute_gradients`: the loss on a batch ``(x, y)`` differentiated with
  ``tf.GradientTape`` (TensorFlow backend);
- gradients the user computed in a custom training loop,
  ``tape.gradient(loss, model.trainable_weights)``, passed to
  :meth:`LayerVisualizer.record_gradients`;
- :class:`~spacekit.visualization.DashboardCallback` with ``layer_visualizer=`` and
  ``gradient_data=(x, y)``, which calls :func:`compute_gradients` at every epoch end of
  ``model.fit``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from spacekit._optional import require
from spacekit.exceptions import InputError, SpacekitError
from spacekit.visualization._hooks import check_input_shape, to_numpy

__all__ = ["gradient_table", "compute_gradients", "NO_GRADIENTS"]

#: What to do when no gradients were recorded yet (the error message of plot_gradient_flow).
NO_GRADIENTS = (
    "No gradients recorded yet. Keras has no loss.backward(); record them with one of: "
    "viz.compute_gradients(x, y) (the compiled loss on a batch), "
    "viz.record_gradients(tape.gradient(loss, model.trainable_weights)) after your own "
    "tf.GradientTape, model.fit(..., callbacks=[DashboardCallback(dashboard, "
    "layer_visualizer=viz, gradient_data=(x, y))]), or call plot_gradient_flow(x=x, y=y)."
)


def gradient_table(model: Any, gradients: Sequence[Any], weights: Sequence[Any] | None = None):
    """Tabulate gradients, one row per weight, input to output.

    Parameters
    ----------
    model : keras.Model
        The model the weights belong to (names the layer of each weight).
    gradients : sequence of array-like or None
        One gradient per weight, as ``tape.gradient`` returns them (``None`` for a weight
        the loss does not depend on).
    weights : sequence of keras.Variable, optional
        The differentiated weights; ``model.trainable_weights`` by default.

    Returns
    -------
    pandas.DataFrame
        Columns ``weight`` (``layer/name``), ``layer``, ``shape``, ``mean_abs``,
        ``max_abs``, ``zero_fraction`` and ``has_gradient``.
    """
    import pandas as pd

    weights = list(model.trainable_weights if weights is None else weights)
    grads = list(gradients)
    if len(grads) != len(weights):
        raise InputError(
            f"Received {len(grads)} gradients for {len(weights)} weights; pass the list "
            "tape.gradient(loss, model.trainable_weights) returns, in that order (or give "
            "weights=... matching it)."
        )
    owner = {id(w): lay.name for lay in model.layers for w in lay.trainable_weights}
    rows = []
    for w, g in zip(weights, grads, strict=True):
        garr = np.zeros(tuple(w.shape)) if g is None else np.asarray(to_numpy(g), dtype=float)
        if garr.shape != tuple(w.shape):
            raise InputError(
                f"Gradient of shape {garr.shape} for weight {w.path!r} of shape "
                f"{tuple(w.shape)}; gradients must be in the order of the weights."
            )
        layer = owner.get(id(w), w.path.rsplit("/", 1)[0])
        rows.append(
            {
                "weight": f"{layer}/{w.name}",
                "layer": layer,
                "shape": tuple(w.shape),
                "mean_abs": float(np.abs(garr).mean()) if garr.size else 0.0,
                "max_abs": float(np.abs(garr).max()) if garr.size else 0.0,
                "zero_fraction": float((garr == 0).mean()) if garr.size else 1.0,
                "has_gradient": g is not None,
            }
        )
    return pd.DataFrame(rows)


def compute_gradients(model: Any, x: Any, y: Any, loss: Any = None):
    """Gradients of the loss on ``(x, y)`` for every trainable weight (TensorFlow backend).

    The forward pass runs with ``training=False`` so batch-norm statistics and dropout are
    not changed by looking.

    Returns
    -------
    table : pandas.DataFrame
        See :func:`gradient_table`.
    loss_value : float
    """
    keras = require("keras", feature="gradient flow")
    if keras.backend.backend() != "tensorflow":
        raise SpacekitError(
            f"plot_gradient_flow needs the TensorFlow Keras backend; the active backend is "
            f"{keras.backend.backend()!r}. Set KERAS_BACKEND=tensorflow before importing keras."
        )
    tf = require("tensorflow", feature="gradient flow")
    compiled = loss is None and getattr(model, "compiled", False)
    if loss is None and not compiled:
        raise InputError(
            "No loss given and the model is not compiled; pass loss= (a name such as "
            "'mse' or a keras loss/callable)."
        )
    loss_fn = keras.losses.get(loss) if isinstance(loss, str | dict) else loss
    check_input_shape(model, x)
    weights = list(model.trainable_weights)
    if not weights:
        raise InputError(f"Model {model.name!r} has no trainable weights.")
    x_t = keras.tree.map_structure(tf.convert_to_tensor, x)
    y_t = tf.convert_to_tensor(y)
    with tf.GradientTape() as tape:
        pred = model(x_t, training=False)
        if compiled:  # the compiled loss, with its shape handling and regularizers
            value = model.compute_loss(x=x_t, y=y_t, y_pred=pred, training=False)
        else:
            if y_t.shape.rank == pred.shape.rank - 1 and pred.shape[-1] == 1:
                y_t = y_t[..., None]
            value = tf.reduce_mean(loss_fn(tf.cast(y_t, pred.dtype), pred))
    grads = tape.gradient(value, [w.value for w in weights])
    return gradient_table(model, grads, weights), float(value)
