"""Numpy inference for Keras 3 multi-layer perceptrons, without TensorFlow.

A ``.keras`` file is a zip holding ``config.json`` (the architecture), ``metadata.json``
(Keras version, date) and ``model.weights.h5`` (the weights, HDF5). :class:`NumpyMLP`
reads the three with :mod:`zipfile`, :mod:`json` and :mod:`h5py` and runs the forward
pass in float32 numpy, giving the same numbers as ``keras.Model.predict`` to about 1e-6
relative. It loads in milliseconds and never imports TensorFlow or Keras.

Supported layers: ``InputLayer``, ``Dense``, ``Activation``, ``ReLU``, ``LeakyReLU``,
``Softmax``, ``BatchNormalization`` (inference statistics), ``Flatten`` and the layers
that are the identity at inference (``Dropout``, ``GaussianNoise``, ``GaussianDropout``,
``AlphaDropout``, ``ActivityRegularization``). Each layer must take one input; a model
with an unsupported layer raises :class:`~spacekit.exceptions.ArchiveError` naming it.

Examples
--------
>>> import zipfile
>>> import numpy as np
>>> from spacekit.builder.archive import default_archive_path
>>> from spacekit.builder.inference import NumpyMLP
>>> with zipfile.ZipFile(default_archive_path("jwst_cal")) as zf:
...     model = NumpyMLP.from_keras_file(zf.read("img3_reg.keras"))
>>> model.predict(np.zeros((2, 18))).shape
(2, 1)
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from spacekit._json import loads_bounded
from spacekit.builder.archive_zip import ExpansionBudget, open_zip, read_zip_members
from spacekit.builder.keras_config import (
    IDENTITY_LAYERS,
    SUPPORTED_LAYERS,
    as_tensor_list,
    checked_layers,
    h5_paths,
    inbound_name,
    json_object,
    layer_name,
    weight_specs,
)
from spacekit.builder.weights_h5 import read_weights
from spacekit.exceptions import ArchiveError, DataError, InputError

__all__ = ["NumpyMLP", "NumpyLayer", "ACTIVATIONS", "SUPPORTED_LAYERS"]

log = logging.getLogger(__name__)

_F32 = np.float32


def _sigmoid(x: np.ndarray) -> np.ndarray:
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
    ex = np.exp(x[~pos])
    out[~pos] = ex / (1.0 + ex)
    return out


def _softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def _gelu(x: np.ndarray) -> np.ndarray:
    from scipy.special import erf

    return (0.5 * x * (1.0 + erf(x / np.sqrt(_F32(2.0))))).astype(_F32)


def _selu(x: np.ndarray) -> np.ndarray:
    alpha, scale = _F32(1.6732632423543772), _F32(1.0507009873554805)
    return scale * np.where(x > 0, x, alpha * np.expm1(x))


#: Activation name -> float32 numpy function (the names Keras 3 serialises).
ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "linear": lambda x: x,
    "relu": lambda x: np.maximum(x, _F32(0)),
    "relu6": lambda x: np.clip(x, _F32(0), _F32(6)),
    "sigmoid": _sigmoid,
    "hard_sigmoid": lambda x: np.clip(x + _F32(3), _F32(0), _F32(6)) / _F32(6),
    "softmax": _softmax,
    "tanh": np.tanh,
    "leaky_relu": lambda x: np.where(x >= 0, x, _F32(0.2) * x),
    "elu": lambda x: np.where(x > 0, x, np.expm1(x)),
    "selu": _selu,
    "softplus": lambda x: np.logaddexp(_F32(0), x),
    "softsign": lambda x: x / (_F32(1) + np.abs(x)),
    "swish": lambda x: x * _sigmoid(x),
    "silu": lambda x: x * _sigmoid(x),
    "gelu": _gelu,
    "exponential": np.exp,
}


def _activation(spec, layer: str) -> Callable[[np.ndarray], np.ndarray]:
    name = spec
    if isinstance(spec, dict):  # a serialised activation object
        name = spec.get("config", {}).get("name") or spec.get("class_name")
    if name is None:
        name = "linear"
    fn = ACTIVATIONS.get(str(name).lower())
    if fn is None:
        raise ArchiveError(
            f"Layer {layer!r} uses the activation {name!r}, which numpy inference does not "
            f"support. Supported: {sorted(ACTIVATIONS)}."
        )
    return fn


@dataclass
class NumpyLayer:
    """One layer of a :class:`NumpyMLP`.

    Attributes
    ----------
    name : str
        The Keras layer name (e.g. ``"1_dense18"``).
    kind : str
        The Keras class name (e.g. ``"Dense"``).
    inbound : str or None
        Name of the layer whose output this layer takes (None for an input layer).
    weights : list of numpy.ndarray
        The layer's variables in Keras order (kernel, bias...), float32.
    config : dict
        The layer's Keras config.
    """

    name: str
    kind: str
    inbound: str | None
    weights: list[np.ndarray] = field(default_factory=list)
    config: dict = field(default_factory=dict)
    _fn: Callable[[np.ndarray], np.ndarray] | None = field(default=None, repr=False)

    @property
    def units(self) -> int | None:
        """Output width of a Dense layer, else None."""
        return self.config.get("units") if self.kind == "Dense" else None

    def build(self) -> None:
        """Prepare the float32 forward function from ``kind``, ``config`` and ``weights``."""
        cfg, kind, w = self.config, self.kind, self.weights
        if kind == "Dense":
            if len(w) not in (1, 2):
                raise ArchiveError(f"Dense layer {self.name!r} has {len(w)} weight arrays.")
            kernel = w[0]
            bias = w[1] if cfg.get("use_bias", True) and len(w) > 1 else None
            act = _activation(cfg.get("activation"), self.name)

            def dense(x, kernel=kernel, bias=bias, act=act):
                y = x @ kernel
                if bias is not None:
                    y = y + bias
                return act(y)

            self._fn = dense
        elif kind == "Activation":
            self._fn = _activation(cfg.get("activation"), self.name)
        elif kind == "LeakyReLU":
            slope = _F32(cfg.get("negative_slope", cfg.get("alpha", 0.3)))
            self._fn = lambda x: np.where(x >= 0, x, slope * x)
        elif kind == "ReLU":
            self._fn = _make_relu(cfg)
        elif kind == "Softmax":
            axis = cfg.get("axis", -1)
            self._fn = lambda x: _softmax(x, axis=axis if isinstance(axis, int) else -1)
        elif kind == "BatchNormalization":
            self._fn = _make_batchnorm(self.name, cfg, w)
        elif kind == "Flatten":
            self._fn = lambda x: x.reshape(x.shape[0], -1)
        elif kind in IDENTITY_LAYERS or kind == "InputLayer":
            self._fn = lambda x: x
        else:  # pragma: no cover - rejected earlier by NumpyMLP.from_config
            raise ArchiveError(f"Unsupported layer {self.name!r} of type {kind!r}.")

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if self._fn is None:
            self.build()
        return self._fn(x)


def _make_relu(cfg: dict) -> Callable[[np.ndarray], np.ndarray]:
    max_value = cfg.get("max_value")
    slope = _F32(cfg.get("negative_slope", 0.0) or 0.0)
    threshold = _F32(cfg.get("threshold", 0.0) or 0.0)

    def relu(x):
        y = np.where(x >= threshold, x, slope * (x - threshold))
        if max_value is not None:
            y = np.minimum(y, _F32(max_value))
        return y

    return relu


def _make_batchnorm(name: str, cfg: dict, w: list[np.ndarray]):
    axis = cfg.get("axis", -1)
    if isinstance(axis, list):
        axis = axis[0] if len(axis) == 1 else axis
    if axis not in (-1, 1):
        raise ArchiveError(
            f"BatchNormalization layer {name!r} normalises axis {axis}; numpy inference "
            "supports only the last axis of 2-D inputs."
        )
    scale, center = cfg.get("scale", True), cfg.get("center", True)
    expected = 2 + int(scale) + int(center)
    if len(w) != expected:
        raise ArchiveError(
            f"BatchNormalization layer {name!r} has {len(w)} weight arrays; expected {expected}."
        )
    it = iter(w)
    gamma = next(it) if scale else None
    beta = next(it) if center else None
    mean, var = next(it), next(it)
    inv = (_F32(1) / np.sqrt(var + _F32(cfg.get("epsilon", 1e-3)))).astype(_F32)
    if gamma is not None:
        inv = inv * gamma
    shift = -mean * inv + (beta if beta is not None else _F32(0))
    return lambda x: x * inv + shift


class NumpyMLP:
    """A feed-forward Keras model evaluated with numpy (no TensorFlow).

    Build it with :meth:`from_keras_file`. The forward pass uses float32 like Keras.

    Parameters
    ----------
    name : str
        Model name from the Keras config (e.g. ``"img3_reg"``).
    layers : list of NumpyLayer
        Layers in evaluation order, the input layer first.
    output : str
        Name of the output layer.
    metadata : dict, optional
        Content of ``metadata.json`` (``keras_version``, ``date_saved``).

    Attributes
    ----------
    input_name : str
        Name of the input layer.
    input_dim : int or None
        Number of input features (None if the config does not say).
    output_dim : int or None
        Width of the output layer, when known.
    """

    def __init__(
        self, name: str, layers: list[NumpyLayer], output: str, metadata: dict | None = None
    ):
        self.name = name
        self.layers = layers
        self.output = output
        self.metadata = dict(metadata or {})
        first = layers[0]
        self.input_name = first.name
        shape = first.config.get("batch_shape") or first.config.get("batch_input_shape")
        self.input_dim = int(shape[-1]) if shape and shape[-1] is not None else None
        out_layer = next((la for la in layers if la.name == output), layers[-1])
        self.output_dim = out_layer.units
        for layer in layers:
            layer.build()

    # ------------------------------------------------------------------ loading
    @classmethod
    def from_keras_file(
        cls,
        source: str | os.PathLike | bytes | io.BufferedIOBase,
        where: str | None = None,
        budget: ExpansionBudget | None = None,
    ) -> NumpyMLP:
        """Read a ``.keras`` file (path, bytes or binary file object).

        The weights are read only after every array the config uses has been checked
        (dtype, shape, total size): see :mod:`spacekit.builder.weights_h5`.

        Parameters
        ----------
        source : path-like, bytes or file-like
            The ``.keras`` zip.
        where : str, optional
            How to name the file in error messages (defaults to the path).
        budget : ExpansionBudget, optional
            Bytes this file may expand to (zip members and weight arrays); archives pass
            one budget for all their models. A fresh default budget if omitted.

        Returns
        -------
        NumpyMLP

        Raises
        ------
        ArchiveError
            If the file is not a valid ``.keras`` zip, a member is missing, the model
            has a layer type or activation that numpy inference does not support, or the
            weights do not match the config or exceed the size limit.
        """
        where = where or (str(source) if isinstance(source, str | os.PathLike) else ".keras data")
        budget = budget if budget is not None else ExpansionBudget(where=where)
        with open_zip(source) as zf:
            members = read_zip_members(
                zf, ["config.json", "model.weights.h5"], where=where, budget=budget
            )
            try:
                raw = read_zip_members(zf, ["metadata.json"], where=where, budget=budget)
                meta = loads_bounded(raw["metadata.json"], f"metadata.json of {where}")
            except (ArchiveError, DataError):
                meta = {}
        if not isinstance(meta, dict):
            meta = {}
        config = json_object(members["config.json"], "config.json", where)
        try:
            specs = weight_specs(config, where)
            weights = read_weights(members["model.weights.h5"], where, specs, budget)
            return cls.from_config(config, weights, metadata=meta, where=where)
        except (KeyError, IndexError, TypeError, AttributeError) as exc:
            raise ArchiveError(
                f"config.json of {where} is malformed ({type(exc).__name__}: {exc}); it is "
                "not a Keras 3 model config that numpy inference can read."
            ) from exc

    @classmethod
    def from_config(
        cls,
        config: dict,
        weights: Mapping[str, list[np.ndarray]],
        metadata: dict | None = None,
        where: str = "model",
    ) -> NumpyMLP:
        """Build from a Keras ``config.json`` dict and weights keyed by H5 layer path.

        ``weights`` maps the H5 group name (``"dense"``, ``"dense_1"``...) to its arrays;
        each entry may also carry the layer name under the key ``"@name:<layer>"``.
        """
        kind, body, raw_layers = checked_layers(config, where)
        by_name = {k[len("@name:") :]: v for k, v in weights.items() if k.startswith("@name:")}
        layers: list[NumpyLayer] = []
        previous: str | None = None
        for raw, path in zip(raw_layers, h5_paths(raw_layers), strict=True):
            cls_name = raw["class_name"]
            cfg = raw.get("config", {})
            lname = layer_name(raw)
            w = by_name.get(lname, weights.get(path, []))
            if kind == "Sequential":
                inbound = previous
            else:
                inbound = inbound_name(raw)
            layer = NumpyLayer(lname, cls_name, inbound, [np.asarray(a, _F32) for a in w], cfg)
            layers.append(layer)
            previous = lname
        if kind == "Sequential" and layers[0].kind != "InputLayer":
            shape = body.get("build_input_shape") or (config.get("build_config") or {}).get(
                "input_shape"
            )
            layers.insert(
                0, NumpyLayer("input_layer", "InputLayer", None, [], {"batch_shape": shape})
            )
            layers[1].inbound = "input_layer"
        if kind == "Sequential":
            output = layers[-1].name
        else:
            outs = as_tensor_list(body.get("output_layers"))
            ins = as_tensor_list(body.get("input_layers"))
            if len(outs) != 1 or len(ins) > 1:
                raise ArchiveError(
                    f"{where} has {len(ins)} inputs and {len(outs)} outputs; numpy inference "
                    "supports single-input, single-output models."
                )
            output = outs[0][0]
        _check_weights(layers, where)
        return cls(body.get("name", "model"), layers, output, metadata)

    # ---------------------------------------------------------------- inference
    def predict(self, X, batch_size: int | None = None, verbose: int = 0) -> np.ndarray:
        """Run the forward pass.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_features,)
            Model inputs (already normalised). A 1-D input is one sample.
        batch_size : int, optional
            Evaluate in chunks of this many rows (memory bound); all at once by default.
        verbose : int, default=0
            Ignored (accepted for compatibility with ``keras.Model.predict``).

        Returns
        -------
        numpy.ndarray of shape (n_samples, output_dim), float32
        """
        x = np.asarray(X, dtype=_F32)
        if x.ndim == 1:
            x = x.reshape(1, -1)
        if x.ndim != 2:
            raise InputError(f"{self.name}: expected a 2-D array of inputs; got shape {x.shape}.")
        if self.input_dim is not None and x.shape[1] != self.input_dim:
            raise InputError(
                f"{self.name} expects {self.input_dim} features per row; received "
                f"{x.shape[1]}. Check the column order/selection of the inputs."
            )
        if batch_size and x.shape[0] > batch_size:
            parts = [self._forward(x[i : i + batch_size]) for i in range(0, len(x), batch_size)]
            return np.concatenate(parts, axis=0)
        return self._forward(x)

    __call__ = predict

    def _forward(self, x: np.ndarray) -> np.ndarray:
        return self._trace(x)[self.output]

    def _trace(self, x: np.ndarray) -> dict[str, np.ndarray]:
        outputs: dict[str, np.ndarray] = {}
        for layer in self.layers:
            src = x if layer.inbound is None else outputs[layer.inbound]
            outputs[layer.name] = layer(src).astype(_F32, copy=False)
        return outputs

    def layer_outputs(self, X) -> dict[str, np.ndarray]:
        """Every layer's output for inputs ``X`` (the same pass as :meth:`predict`).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_features,)

        Returns
        -------
        dict of str to numpy.ndarray
            Layer name -> output of shape (n_samples, width), in evaluation order; the
            output layer's entry equals ``predict(X)``.
        """
        x = np.asarray(X, dtype=_F32)
        if x.ndim == 1:
            x = x.reshape(1, -1)
        self.predict(x[:1])  # validates the shape with the usual message
        return self._trace(x)

    # ----------------------------------------------------------------- summary
    def count_params(self) -> int:
        """Total number of stored weights."""
        return int(sum(w.size for layer in self.layers for w in layer.weights))

    @property
    def keras_version(self) -> str | None:
        """The Keras version that saved the file (from ``metadata.json``)."""
        return self.metadata.get("keras_version")

    def summary(self) -> str:
        """A short text description of the layers (returned, not printed)."""
        rows = [f"NumpyMLP {self.name!r} ({self.count_params()} parameters)"]
        for layer in self.layers:
            shapes = ", ".join(str(w.shape) for w in layer.weights)
            act = layer.config.get("activation", "")
            rows.append(f"  {layer.name:<24} {layer.kind:<20} {act:<10} {shapes}")
        return "\n".join(rows)

    def __repr__(self) -> str:
        return (
            f"NumpyMLP(name={self.name!r}, input_dim={self.input_dim}, "
            f"layers={len(self.layers)}, params={self.count_params()})"
        )


def _check_weights(layers: list[NumpyLayer], where: str) -> None:
    prev_dim = None
    for layer in layers:
        if layer.kind == "InputLayer":
            shape = layer.config.get("batch_shape") or layer.config.get("batch_input_shape")
            prev_dim = shape[-1] if shape else None
        elif layer.kind == "Dense":
            if not layer.weights:
                raise ArchiveError(
                    f"No weights found for Dense layer {layer.name!r} in {where}; the "
                    "weights file does not match the config."
                )
            kernel = layer.weights[0]
            units = layer.config.get("units")
            if kernel.ndim != 2 or (units is not None and kernel.shape[1] != units):
                raise ArchiveError(
                    f"Dense layer {layer.name!r} in {where}: kernel shape {kernel.shape} does "
                    f"not match units={units}."
                )
            if prev_dim is not None and kernel.shape[0] != prev_dim:
                raise ArchiveError(
                    f"Dense layer {layer.name!r} in {where} expects {kernel.shape[0]} inputs "
                    f"but the previous layer gives {prev_dim}."
                )
            prev_dim = kernel.shape[1]
