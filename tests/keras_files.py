"""Test support: tiny Dense MLPs in the Keras 3 ``.keras`` layout, written without Keras.

Importable from any test module (pytest puts ``tests/`` on ``sys.path`` for the root
``conftest.py``), so archive and prediction tests need no TensorFlow.
"""

from __future__ import annotations

import io
import json
import zipfile

import h5py
import numpy as np


def dense_keras_bytes(
    sizes=(3, 4, 1),
    seed=0,
    *,
    input_name="in",
    output_activation="relu",
    weight_scale=1.0,
    hidden_bias=0.0,
    output_bias=0.0,
    with_metadata=True,
) -> bytes:
    """Bytes of a ``.keras`` file: ReLU Dense layers ``sizes[0] -> ... -> sizes[-1]``."""
    rng = np.random.default_rng(seed)
    layers = [
        {
            "class_name": "InputLayer",
            "name": input_name,
            "config": {"name": input_name, "batch_shape": [None, sizes[0]]},
            "inbound_nodes": [],
        }
    ]
    n = len(sizes) - 1
    buf = io.BytesIO()
    with h5py.File(buf, "w") as h5:
        prev = input_name
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
            name = f"d{i}"
            last = i == n - 1
            tensor = {"class_name": "__keras_tensor__", "config": {"keras_history": [prev, 0, 0]}}
            layers.append(
                {
                    "class_name": "Dense",
                    "name": name,
                    "config": {
                        "name": name,
                        "units": b,
                        "activation": output_activation if last else "relu",
                    },
                    "inbound_nodes": [{"args": [tensor], "kwargs": {}}],
                }
            )
            grp = h5.create_group(f"layers/dense{'' if i == 0 else f'_{i}'}/vars")
            grp["0"] = (rng.normal(size=(a, b)) * weight_scale).astype("float32")
            grp["1"] = np.full(b, output_bias if last else hidden_bias, "float32")
            prev = name
    cfg = {
        "class_name": "Functional",
        "config": {"name": "m", "layers": layers, "output_layers": [[prev, 0, 0]]},
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("config.json", json.dumps(cfg))
        if with_metadata:
            zf.writestr("metadata.json", "{}")
        zf.writestr("model.weights.h5", buf.getvalue())
    return out.getvalue()


def dense_reference_predict(keras_bytes: bytes, X) -> np.ndarray:
    """The forward pass of a Dense-only ``.keras`` file, computed here in float64.

    An oracle for tests of code that runs such models: it reads the Dense layers' units
    and activations from ``config.json`` and their weights from ``model.weights.h5``
    (``layers/dense``, ``dense_1``, ... in order) and shares no code with
    :mod:`spacekit.builder.inference`. Supports ``relu`` and ``linear`` activations.
    """
    with zipfile.ZipFile(io.BytesIO(keras_bytes)) as zf:
        cfg = json.loads(zf.read("config.json"))
        weights = zf.read("model.weights.h5")
    dense = [layer["config"] for layer in cfg["config"]["layers"] if layer["class_name"] == "Dense"]
    out = np.asarray(X, dtype=np.float64)
    with h5py.File(io.BytesIO(weights), "r") as h5:
        for i, layer in enumerate(dense):
            group = h5[f"layers/dense{'' if i == 0 else f'_{i}'}/vars"]
            kernel, bias = np.asarray(group["0"], np.float64), np.asarray(group["1"], np.float64)
            assert kernel.shape[1] == layer["units"]
            out = out @ kernel + bias
            if layer["activation"] == "relu":
                out = np.maximum(out, 0.0)
            elif layer["activation"] != "linear":
                raise ValueError(f"unsupported activation {layer['activation']!r}")
    return out
