"""The classifier under study: safe loading, checks, layer table, forward passes.

* :func:`load_classifier` reads a ``.keras`` file with ``safe_mode=True``, or a legacy
  ``.h5`` file after checking its stored configuration holds no ``Lambda`` layer (Keras
  would otherwise deserialise Python code); both uncompiled.
* :func:`check_classifier` refuses what the explorer cannot study: several outputs,
  outputs that are not one score per class, several inputs (except one image input beside
  one feature-vector input, as in the SVM alignment ensemble).
* :func:`conform_images` fits the data to the model's input (a channel axis, a flat
  vector) or says why it cannot.
* :func:`forward` runs the model once over the data, in batches, returning the class
  probabilities and the flattened outputs of the chosen layers.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from spacekit._optional import require
from spacekit.exceptions import ArchiveError, InputError

__all__ = [
    "ClassifierInfo",
    "load_classifier",
    "check_classifier",
    "layer_rows",
    "hidden_layer_names",
    "default_layer",
    "conform_images",
    "forward",
    "to_probabilities",
    "MAX_FEATURES",
]

log = logging.getLogger(__name__)

#: Widest hidden-layer vector kept per sample; wider feature maps are averaged over space.
MAX_FEATURES = 4096
_UNSAFE_LAYERS = frozenset({"Lambda", "TFOpLambda", "SlicingOpLambda", "TFSMLayer"})


@dataclass(frozen=True)
class ClassifierInfo:
    """What :func:`check_classifier` found.

    Attributes
    ----------
    input_shape : tuple
        Shape of one input (no batch axis; ``None`` = any size).
    n_outputs : int
        Width of the output (1 for a sigmoid binary classifier).
    output : {"probabilities", "logits", "sigmoid"}
        How the output becomes class probabilities.
    feature_width : int, optional
        Width of a second, feature-vector input beside the images (the SVM ensemble's
        10 statistics); None for image-only models.
    input_order : tuple of {"image", "features"}
        The model's inputs, in the order it takes them.
    """

    input_shape: tuple
    n_outputs: int
    output: str
    feature_width: int | None = None
    input_order: tuple[str, ...] = ("image",)

    @property
    def n_classes(self) -> int:
        return 2 if self.n_outputs == 1 else self.n_outputs


def _walk_classes(config) -> list[str]:
    """Every ``class_name`` in a (nested) Keras config."""
    found = []
    if isinstance(config, dict):
        if isinstance(config.get("class_name"), str):
            found.append(config["class_name"])
        for value in config.values():
            found.extend(_walk_classes(value))
    elif isinstance(config, list):
        for value in config:
            found.extend(_walk_classes(value))
    return found


def _check_h5(path: Path) -> None:
    import h5py

    try:
        with h5py.File(path, "r") as fh:
            raw = fh.attrs.get("model_config")
    except OSError as exc:
        raise ArchiveError(f"'{path}' is not a readable HDF5 Keras model: {exc}") from exc
    if raw is None:
        raise ArchiveError(
            f"'{path}' holds no model configuration (only weights?); save the whole model, "
            "preferably as .keras."
        )
    try:
        config = json.loads(raw.decode() if isinstance(raw, bytes) else raw)
    except ValueError as exc:
        raise ArchiveError(f"'{path}': the stored model configuration is not JSON.") from exc
    unsafe = sorted(set(_walk_classes(config)) & _UNSAFE_LAYERS)
    if unsafe:
        raise ArchiveError(
            f"'{path}' contains {unsafe} layer(s), which run arbitrary Python code when "
            "loaded; spacekit does not load them. Rebuild the model with built-in layers "
            "(or registered serializable custom layers) and save it as .keras."
        )


def load_classifier(path: str | os.PathLike):
    """Load a Keras classifier from ``.keras`` (safe mode) or legacy ``.h5``, uncompiled.

    Raises
    ------
    InputError
        The file does not exist or has another suffix.
    ArchiveError
        The file cannot be loaded, or holds unsafe (Lambda) layers.
    """
    path = Path(path).expanduser()
    if not path.is_file():
        raise InputError(f"Model file '{path}' does not exist.")
    suffix = path.suffix.lower()
    if suffix not in (".keras", ".h5", ".hdf5"):
        raise InputError(
            f"'{path}' is not a Keras model file: pass a .keras file (or a legacy .h5)."
        )
    keras = require("keras", "the model explorer")
    if suffix != ".keras":
        _check_h5(path)
    try:
        return keras.models.load_model(path, compile=False, safe_mode=True)
    except (ValueError, TypeError, OSError, KeyError) as exc:
        raise ArchiveError(f"Cannot load the Keras model '{path}': {exc}") from exc


def _shape(tensor) -> tuple:
    return tuple(None if d is None else int(d) for d in tensor.shape)


def _last_activation(model) -> str | None:
    layer = model.layers[-1] if model.layers else None
    act = getattr(layer, "activation", None)
    name = getattr(act, "__name__", None)
    if type(layer).__name__ == "Softmax":
        return "softmax"
    if type(layer).__name__ == "Activation":
        return name
    return name


def check_classifier(model) -> ClassifierInfo:
    """Check ``model`` is an image classifier and say how to read its output.

    One image input, or one image input (rank 3 or more) and one feature-vector input
    (``(None, k)``, e.g. the SVM alignment ensemble); one output of class scores.

    Raises
    ------
    InputError
        Other inputs, several outputs, or an output that is not one score per class.
    """
    inputs, outputs = list(getattr(model, "inputs", None) or []), list(model.outputs or [])
    shapes = [_shape(t) for t in inputs]
    ranks = sorted(len(s) for s in shapes)
    mixed = (
        len(shapes) == 2
        and ranks[0] == 2
        and ranks[1] >= 3
        and all(s[1] is not None for s in shapes if len(s) == 2)
    )
    if (len(inputs) != 1 and not mixed) or len(outputs) != 1:
        raise InputError(
            f"Model {model.name!r} has {len(inputs)} input(s) {shapes} and {len(outputs)} "
            "output(s); the explorer studies image classifiers with one output and one image "
            "input (optionally beside one feature-vector input of shape (None, k))."
        )
    out = _shape(outputs[0])
    act = _last_activation(model)
    if len(out) != 2 or out[1] is None:
        raise InputError(
            f"Model {model.name!r} is not a classifier: its output has shape {out}; expected "
            "(None, n_classes) class scores."
        )
    if out[1] == 1:
        if act != "sigmoid":
            raise InputError(
                f"Model {model.name!r} has one output with activation {act!r}: a regressor, "
                "not a classifier. A binary classifier ends in a sigmoid (or 2-way softmax)."
            )
        kind = "sigmoid"
    else:
        kind = "probabilities" if act == "softmax" else "logits"
    order = tuple("features" if len(sh) == 2 and len(shapes) == 2 else "image" for sh in shapes)
    image = shapes[order.index("image")]
    width = shapes[order.index("features")][1] if "features" in order else None
    return ClassifierInfo(image[1:], int(out[1]), kind, width, order)


def to_probabilities(raw: np.ndarray, info: ClassifierInfo) -> np.ndarray:
    """Class probabilities ``(n, n_classes)`` from the raw model output."""
    raw = np.asarray(raw, dtype=np.float64)
    if info.output == "sigmoid":
        p = np.clip(raw.reshape(-1), 0.0, 1.0)
        return np.column_stack([1.0 - p, p])
    if info.output == "logits":
        z = raw - raw.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)
    return raw


def layer_rows(model) -> list[dict]:
    """One row per layer: name, type, output shape, parameters, inbound layers."""
    rows = []
    for layer in model.layers:
        try:
            shape = str(_shape(layer.output))
        except (AttributeError, ValueError):
            shape = "?"
        inbound = []
        for node in getattr(layer, "_inbound_nodes", []) or []:
            for t in getattr(node, "input_tensors", []) or []:
                hist = getattr(t, "_keras_history", None)
                if hist is not None and hist[0] is not layer:
                    inbound.append(hist[0].name)
        rows.append(
            {
                "name": layer.name,
                "type": type(layer).__name__,
                "output_shape": shape,
                "params": int(layer.count_params()) if layer.built else 0,
                "inbound": inbound,
            }
        )
    return rows


def hidden_layer_names(model) -> list[str]:
    """Layers whose output can be projected: every layer but the inputs, input order."""
    keras = require("keras", "the model explorer")
    return [lay.name for lay in model.layers if not isinstance(lay, keras.layers.InputLayer)]


_PASS_THROUGH = ("Dropout", "GaussianNoise", "GaussianDropout", "AlphaDropout", "Activation")


def default_layer(model) -> str:
    """The layer feeding the output layer (skipping dropout/activation layers)."""
    names = hidden_layer_names(model)
    by_name = {lay.name: lay for lay in model.layers}
    for name in reversed(names[:-1]):
        if type(by_name[name]).__name__ not in _PASS_THROUGH:
            return name
    return names[-1]


def check_layer(model, layer: str | None) -> str:
    """Return ``layer`` (or the default) after checking the model has it."""
    names = hidden_layer_names(model)
    if layer is None:
        return default_layer(model)
    if layer not in names:
        raise InputError(f"Model {model.name!r} has no layer named {layer!r}. Layers: {names}.")
    return layer


def conform_images(images: np.ndarray, input_shape: tuple) -> np.ndarray:
    """Reshape images to the model input (add a channel axis, or flatten), or explain.

    Parameters
    ----------
    images : numpy.ndarray of shape (n, ...)
    input_shape : tuple
        One input's shape (``None`` = any size).

    Raises
    ------
    InputError
        The images cannot be reshaped to the input without resizing.
    """
    sample = images.shape[1:]

    def fits(shape):
        return len(shape) == len(input_shape) and all(
            e is None or e == s for e, s in zip(input_shape, shape, strict=True)
        )

    if fits(sample):
        return images
    if len(input_shape) == 1 and input_shape[0] == int(np.prod(sample)):
        return images.reshape(len(images), -1)
    if sample[-1] == 1 and fits(sample[:-1]):
        return images[..., 0]
    if fits((*sample, 1)):
        return images[..., None]
    raise InputError(
        f"The images have shape {sample} but the model expects {input_shape} (None = any "
        "size). Pass data of that shape (image folders are resized to the model input "
        "automatically), or the model trained on this data."
    )


def _reduce(arr: np.ndarray) -> np.ndarray:
    """Flatten one batch of layer outputs; average wide feature maps over space."""
    flat = arr.reshape(len(arr), -1)
    if flat.shape[1] > MAX_FEATURES and arr.ndim > 2:
        axes = tuple(range(1, arr.ndim - 1))
        flat = arr.mean(axis=axes).reshape(len(arr), -1)
    return flat.astype(np.float32, copy=False)


def forward(
    model,
    x: np.ndarray | list[np.ndarray],
    layers: list[str] = (),
    batch_size: int = 256,
    progress: bool = False,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Run ``model`` over ``x`` once; return the raw output and the chosen layers' outputs.

    Parameters
    ----------
    model : keras.Model
    x : numpy.ndarray or list of numpy.ndarray
        Inputs already fitted to the model (:func:`conform_images`); a list, in the
        model's input order, for a model with several inputs.
    layers : list of str
        Layers whose outputs to return, flattened to ``(n, features)``; feature maps
        wider than :data:`MAX_FEATURES` are averaged over their spatial axes.
    batch_size : int, default=256
    progress : bool, default=False
        Progress bar (hidden when not on a terminal).

    Returns
    -------
    raw : numpy.ndarray of shape (n, n_outputs)
    features : dict of str to numpy.ndarray of shape (n, d)
    """
    from tqdm import tqdm

    from spacekit.visualization._hooks import build_side_model, resolve_layers, to_numpy

    keras = require("keras", "the model explorer")
    chosen = resolve_layers(model, list(layers)) if layers else []
    side = build_side_model(model, chosen)[0] if chosen else model
    raws, feats = [], {name: [] for name in layers}
    parts = list(x) if isinstance(x, list | tuple) else [x]
    starts = range(0, len(parts[0]), batch_size)
    bar = tqdm(starts, desc="forward pass", unit="batch", disable=not progress or None, leave=False)
    for start in bar:
        batch = [keras.ops.convert_to_tensor(p[start : start + batch_size]) for p in parts]
        out = side(batch if len(batch) > 1 else batch[0], training=False)
        out = keras.tree.flatten(out)
        for name, value in zip(layers, out[: len(layers)], strict=True):
            feats[name].append(_reduce(to_numpy(value)))
        raws.append(to_numpy(out[-1]))
    return np.concatenate(raws), {k: np.concatenate(v) for k, v in feats.items()}
