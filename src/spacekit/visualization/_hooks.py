"""Capture layer outputs and attention scores from Keras 3 models.

Keras 3 has no forward hooks (PyTorch's ``register_forward_hook`` has no equivalent), so
this module offers two honest substitutes:

- **Side model** (:func:`build_side_model`): for functional and Sequential models, a new
  ``keras.Model(model.inputs, [layer.output, ...] + model.outputs)`` that shares the
  original layers and weights. One forward pass of the side model returns the chosen
  intermediate outputs and the model's own predictions. Nothing in the user's model is
  modified.
- **Call recording** (:class:`CallRecorder`): for any model (also subclassed ones and
  layers nested inside custom layers), the ``call`` method of chosen layer *instances* is
  replaced for the duration of a ``with`` block by a wrapper that records what the layer
  returns, and restored on exit. It only records during eager calls (``model(x)``); inside
  ``fit``/``predict`` graphs it passes values through untouched. For
  ``MultiHeadAttention`` layers the wrapper asks the layer for its attention scores
  (``return_attention_scores=True``) and hands the model only what it asked for.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from spacekit._optional import require
from spacekit.exceptions import InputError

__all__ = [
    "to_numpy",
    "model_layers",
    "resolve_layers",
    "build_side_model",
    "check_input_shape",
    "find_attention_layers",
    "CallRecorder",
]

log = logging.getLogger(__name__)


def _keras(feature: str = "layer visualization"):
    return require("keras", feature=feature)


def to_numpy(value: Any) -> np.ndarray:
    """Convert a Keras/TensorFlow/PyTorch/JAX tensor (or array-like) to a numpy array."""
    if isinstance(value, np.ndarray):
        return value
    if hasattr(value, "detach"):  # torch tensors: leave the autograd graph first
        value = value.detach().cpu()
    if hasattr(value, "numpy"):
        try:
            return np.asarray(value.numpy())
        except Exception:  # fall through to the generic conversion
            pass
    return np.asarray(value)


def model_layers(model) -> list:
    """Top-level layers of ``model`` except its ``InputLayer`` objects."""
    keras = _keras()
    return [lay for lay in model.layers if not isinstance(lay, keras.layers.InputLayer)]


def resolve_layers(model, layer_names: str | Iterable[str] | None) -> list:
    """Return the layers named in ``layer_names`` (all non-input layers when None).

    Raises
    ------
    InputError
        If a name is unknown; the message lists the available names.
    """
    layers = model_layers(model)
    if layer_names is None:
        return layers
    if isinstance(layer_names, str):
        layer_names = [layer_names]
    by_name = {lay.name: lay for lay in layers}
    chosen = []
    for name in layer_names:
        if name not in by_name:
            raise InputError(
                f"Model {model.name!r} has no layer named {name!r}. "
                f"Available layers: {sorted(by_name)}."
            )
        chosen.append(by_name[name])
    if not chosen:
        raise InputError("layer_names is empty; pass None for every layer or at least one name.")
    return chosen


def _symbolic_inputs(model) -> list:
    try:
        inputs = model.inputs
    except (AttributeError, ValueError) as exc:
        inputs = None
        reason = str(exc)
    else:
        reason = "it has no symbolic inputs"
    if not inputs:
        raise InputError(
            f"Model {model.name!r} ({type(model).__name__}) has no symbolic graph ({reason}). "
            "Build it with keras.Input (functional or Sequential with an Input layer, or call "
            "model.build(input_shape)), or use mechanism='call' to record eager calls instead."
        )
    return list(inputs)


def build_side_model(model, layers: Sequence) -> tuple[Any, list[tuple[str, int]]]:
    """Build ``keras.Model(model.inputs, [outputs of layers] + model.outputs)``.

    Returns
    -------
    side_model : keras.Model
        Shares every layer and weight with ``model``.
    keys : list of (str, int)
        For each flattened side-model output before the model outputs, the layer name and
        the index of the output within that layer (layers returning tuples, such as an
        LSTM with ``return_state=True``, give several entries).
    """
    keras = _keras()
    inputs = _symbolic_inputs(model)
    outputs, keys = [], []
    for lay in layers:
        try:
            out = lay.output
        except (AttributeError, ValueError) as exc:
            raise InputError(
                f"Layer {lay.name!r} has no single symbolic output ({exc}); shared layers "
                "called several times cannot be captured with a side model. Use "
                "mechanism='call' to record every call instead."
            ) from exc
        flat = keras.tree.flatten(out)
        for i, tensor in enumerate(flat):
            outputs.append(tensor)
            keys.append((lay.name, i))
    outputs.extend(keras.tree.flatten(model.outputs))
    side_inputs = inputs[0] if len(inputs) == 1 else inputs
    side = keras.Model(side_inputs, outputs, name=f"{model.name}_capture")
    return side, keys


def check_input_shape(model, x: Any) -> None:
    """Raise :class:`InputError` when ``x`` does not fit the model's declared inputs.

    Only single-input models are checked (rank and every fixed dimension); multi-input
    models are left to Keras.
    """
    try:
        inputs = model.inputs
    except (AttributeError, ValueError):
        return
    if not inputs or len(inputs) != 1 or isinstance(x, dict | list | tuple):
        return
    expected = tuple(inputs[0].shape)
    shape = tuple(np.shape(x))
    ok = len(shape) == len(expected) and all(
        e is None or e == s for e, s in zip(expected, shape, strict=True)
    )
    if not ok:
        hint = ""
        if len(shape) == len(expected) - 1:
            hint = " Add a batch axis, e.g. x[None, ...]."
        raise InputError(
            f"Input of shape {shape} does not fit model {model.name!r}, which expects "
            f"{expected} (None = any size).{hint}"
        )


def find_attention_layers(model) -> list:
    """Every ``keras.layers.MultiHeadAttention`` inside ``model`` (nested layers too)."""
    keras = _keras("attention visualization")
    mha = keras.layers.MultiHeadAttention
    if isinstance(model, mha):
        return [model]
    found, seen = [], set()

    def visit(layer):
        for sub in getattr(layer, "_layers", None) or []:
            if id(sub) in seen:
                continue
            seen.add(id(sub))
            if isinstance(sub, mha):
                found.append(sub)
            else:
                visit(sub)

    visit(model)
    return found


class CallRecorder:
    """Record what chosen layers return while a model runs eagerly.

    Use as a context manager: inside the block the ``call`` of each layer instance is
    wrapped; on exit the original class method is visible again. Records are kept in call
    order in :attr:`records` as ``(layer_name, output_array)``; a layer called twice gives
    two records.

    Parameters
    ----------
    layers : sequence of keras.layers.Layer
        Layers to record.
    attention : bool, default=False
        If True the layers must be ``MultiHeadAttention`` layers; their attention scores
        (batch, heads, query, key) are recorded instead of their outputs.
    """

    def __init__(self, layers: Sequence, attention: bool = False):
        self.layers = list(layers)
        self.attention = attention
        self.records: list[tuple[str, np.ndarray]] = []
        self._saved: list[tuple[Any, dict]] = []

    def _wrap(self, layer) -> Callable:
        original = layer.call
        recorder = self

        def call(*args, **kwargs):
            if recorder.attention:
                wanted = bool(kwargs.get("return_attention_scores", False))
                kwargs["return_attention_scores"] = True
                output, scores = original(*args, **kwargs)
                recorder._record(layer.name, scores)
                return (output, scores) if wanted else output
            output = original(*args, **kwargs)
            recorder._record(layer.name, output)
            return output

        return call

    def _record(self, name: str, value: Any) -> None:
        keras = _keras()
        flat = keras.tree.flatten(value)
        try:
            arrays = [keras.ops.convert_to_numpy(v) for v in flat]
        except Exception:  # symbolic tensors inside a traced graph
            log.debug("not recording symbolic output of %s", name)
            return
        for i, arr in enumerate(arrays):
            self.records.append((name if len(arrays) == 1 else f"{name}/{i}", arr))

    def __enter__(self) -> CallRecorder:
        self.records = []
        for layer in self.layers:
            state = {"had_call": "call" in vars(layer)}
            if self.attention and getattr(layer, "_flash_attention", False):
                # Flash attention never materialises the scores; switch it off meanwhile.
                state["flash"] = layer._flash_attention
                layer._flash_attention = False
            state["call"] = vars(layer).get("call")
            layer.call = self._wrap(layer)
            self._saved.append((layer, state))
        return self

    def __exit__(self, *exc_info) -> None:
        while self._saved:
            layer, state = self._saved.pop()
            if state["had_call"]:
                layer.call = state["call"]
            else:
                del layer.call
            if "flash" in state:
                layer._flash_attention = state["flash"]
