"""The structure and activations of a saved Dense network, for drawing it node by node.

:func:`dense_structure` reads a Keras ``.keras`` feed-forward model (through the numpy
model of :mod:`spacekit.builder.inference`, no TensorFlow) into its Dense layers:
kernels, biases, and the element-wise layers that follow each one (activation, batch
normalisation, dropout). :func:`node_activations` runs inputs through **the model's
own layers** and returns the value of every node, so the output nodes equal
``model.predict`` exactly (1.1.4's dashboard re-implemented the pass by hand, with an
``E**E`` "softmax" and ReLU on the output logits).

Examples
--------
See :class:`NetworkStructure`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from spacekit.exceptions import ArchiveError, DataError, InputError

__all__ = ["DenseLayer", "NetworkStructure", "dense_structure", "node_activations"]

#: Layers that keep the width of the Dense layer before them (drawn as part of it).
ELEMENTWISE = {
    "Activation",
    "ReLU",
    "LeakyReLU",
    "Softmax",
    "BatchNormalization",
    "Dropout",
    "GaussianNoise",
    "GaussianDropout",
    "AlphaDropout",
    "SpatialDropout1D",
}


def _activation_name(spec) -> str:
    if isinstance(spec, dict):
        spec = spec.get("config", {}).get("name") or spec.get("class_name")
    return str(spec or "linear")


@dataclass
class DenseLayer:
    """One Dense layer and the element-wise layers after it.

    Attributes
    ----------
    name : str
        Keras name of the Dense layer.
    kernel : numpy.ndarray of shape (n_in, n_out)
    bias : numpy.ndarray of shape (n_out,)
        Zeros when the layer has no bias.
    then : list of str
        What is applied to ``x @ kernel + bias``: the activation, then any following
        element-wise layers (``["relu"]``, ``["linear", "BatchNormalization"]``).
    output_name : str
        Name of the last layer of the group (whose output is the node value).
    """

    name: str
    kernel: np.ndarray
    bias: np.ndarray
    then: list[str] = field(default_factory=list)
    output_name: str = ""

    @property
    def units(self) -> int:
        return int(self.kernel.shape[1])


@dataclass
class NetworkStructure:
    """A Dense network: input width and its Dense layers, in order.

    Examples
    --------
    >>> import numpy as np
    >>> from spacekit.analyzer.network import DenseLayer, NetworkStructure
    >>> net = NetworkStructure("demo", 2, [DenseLayer("d", np.ones((2, 3)), np.zeros(3))])
    >>> net.sizes, net.n_edges
    ([2, 3], 6)
    """

    name: str
    n_inputs: int
    layers: list[DenseLayer]
    model: object = field(default=None, repr=False)

    @property
    def sizes(self) -> list[int]:
        """Nodes per column: inputs, then each Dense layer."""
        return [self.n_inputs, *(la.units for la in self.layers)]

    @property
    def n_edges(self) -> int:
        return int(sum(la.kernel.size for la in self.layers))


def dense_structure(model) -> NetworkStructure:
    """Read a feed-forward model into its Dense layers.

    Parameters
    ----------
    model : path-like or spacekit.builder.inference.NumpyMLP
        A ``.keras`` file or an already loaded numpy model.

    Returns
    -------
    NetworkStructure

    Raises
    ------
    DataError
        If the model is not a chain of Dense layers (with element-wise layers between
        them): the message names the first layer that is not.
    InputError
        If the file does not exist.
    """
    from spacekit.builder.inference import NumpyMLP

    if isinstance(model, str | os.PathLike):
        path = Path(model)
        if not path.is_file():
            raise InputError(f"Model file {path} does not exist.")
        try:
            model = NumpyMLP.from_keras_file(path)
        except ArchiveError as exc:
            raise DataError(
                f"{path.name} is not a Dense network the graph can draw: {exc}"
            ) from exc
    layers: list[DenseLayer] = []
    prev = model.layers[0].name
    n_inputs = model.input_dim
    for layer in model.layers[1:]:
        if layer.inbound != prev:
            raise DataError(
                f"{model.name} is not a simple chain of layers ({layer.name!r} does not take "
                f"the output of {prev!r}); only sequential Dense networks can be drawn."
            )
        prev = layer.name
        if layer.kind == "Dense":
            kernel = np.asarray(layer.weights[0], dtype=np.float32)
            bias = (
                np.asarray(layer.weights[1], dtype=np.float32)
                if len(layer.weights) > 1
                else np.zeros(kernel.shape[1], dtype=np.float32)
            )
            if n_inputs is None and not layers:
                n_inputs = kernel.shape[0]
            layers.append(
                DenseLayer(
                    layer.name,
                    kernel,
                    bias,
                    [_activation_name(layer.config.get("activation"))],
                    layer.name,
                )
            )
        elif layer.kind in ELEMENTWISE and layers:
            extra = layer.kind
            if layer.kind == "Activation":
                extra = _activation_name(layer.config.get("activation"))
            layers[-1].then.append(extra)
            layers[-1].output_name = layer.name
        else:
            raise DataError(
                f"{model.name} is not a Dense network: layer {layer.name!r} is a "
                f"{layer.kind}. The network graph draws Dense layers (with activation, "
                "batch-normalisation or dropout layers between them)."
            )
    if not layers:
        raise DataError(f"{model.name} has no Dense layer to draw.")
    if layers[-1].output_name != model.output:
        raise DataError(f"{model.name}: its output {model.output!r} is not the last Dense group.")
    return NetworkStructure(model.name, int(n_inputs), layers, model)


def node_activations(net: NetworkStructure, x) -> list[np.ndarray]:
    """Value of every node for one input row, computed by the model's own layers.

    Parameters
    ----------
    net : NetworkStructure
        From :func:`dense_structure` (it keeps the numpy model).
    x : array-like of shape (n_inputs,)
        One (already normalised) input row.

    Returns
    -------
    list of numpy.ndarray
        ``[inputs, layer 1 values, ..., outputs]``; the last equals ``model.predict(x)[0]``.
    """
    row = np.asarray(x, dtype=np.float32).reshape(1, -1)
    if row.shape[1] != net.n_inputs:
        raise InputError(f"{net.name} takes {net.n_inputs} inputs; received {row.shape[1]} values.")
    if not np.all(np.isfinite(row)):
        raise InputError("Every input must be a finite number.")
    outs = net.model.layer_outputs(row)
    return [row[0], *(outs[la.output_name][0] for la in net.layers)]
