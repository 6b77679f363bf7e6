"""Read the ``config.json`` of a Keras 3 model for numpy inference, without Keras.

Checks that every layer is one :mod:`spacekit.builder.inference` can evaluate, follows the
single-input graph, and says which ``model.weights.h5`` group each layer reads and what
shapes its variables must have (:func:`weight_specs`), so the weights can be checked
before they are read.
"""

from __future__ import annotations

import re

from spacekit._json import loads_bounded
from spacekit.builder.weights_h5 import WeightSpec
from spacekit.exceptions import ArchiveError

__all__ = [
    "SUPPORTED_LAYERS",
    "IDENTITY_LAYERS",
    "json_object",
    "checked_layers",
    "h5_paths",
    "inbound_name",
    "layer_name",
    "as_tensor_list",
    "weight_specs",
]

IDENTITY_LAYERS = {
    "Dropout",
    "GaussianNoise",
    "GaussianDropout",
    "AlphaDropout",
    "ActivityRegularization",
}
#: Keras layer class names this module can evaluate.
SUPPORTED_LAYERS = frozenset(
    {
        "InputLayer",
        "Dense",
        "Activation",
        "ReLU",
        "LeakyReLU",
        "Softmax",
        "BatchNormalization",
        "Flatten",
    }
    | IDENTITY_LAYERS
)


def _snake_case(name: str) -> str:
    """``BatchNormalization`` -> ``batch_normalization`` (the H5 group of a layer class)."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def inbound_name(layer: dict) -> str | None:
    """The single inbound layer name from a Keras 3 (or Keras 2) functional config."""
    nodes = layer.get("inbound_nodes") or []
    if not nodes:
        return None
    if len(nodes) > 1:
        raise ArchiveError(
            f"Layer {layer.get('name')!r} is called {len(nodes)} times (a shared layer); "
            "numpy inference supports only simple feed-forward models."
        )
    node = nodes[0]
    if isinstance(node, dict):  # Keras 3: {"args": [tensor], "kwargs": {}}
        args = node.get("args", [])
        tensors = [a for a in args if isinstance(a, dict) and "config" in a]
        if len(tensors) != 1:
            raise ArchiveError(
                f"Layer {layer.get('name')!r} takes {len(tensors)} inputs; numpy inference "
                "supports only layers with a single input."
            )
        return tensors[0]["config"]["keras_history"][0]
    if isinstance(node, list) and len(node) == 1 and isinstance(node[0], list):  # Keras 2
        return node[0][0]
    raise ArchiveError(f"Cannot read the inbound nodes of layer {layer.get('name')!r}.")


def as_tensor_list(spec) -> list[list]:
    """Normalise ``[[name, 0, 0], ...]`` or a single ``[name, 0, 0]`` to a list of triples."""
    if not spec:
        return []
    if isinstance(spec, list) and spec and isinstance(spec[0], str):
        return [spec]
    if isinstance(spec, dict):
        return [list(v) for v in spec.values()]
    return [list(v) for v in spec]


def json_object(data: bytes, member: str, where: str) -> dict:
    """Parse ``data`` as a JSON object; :class:`ArchiveError` naming ``member`` otherwise."""
    obj = loads_bounded(data, where=f"{member} of {where}", error=ArchiveError)
    if not isinstance(obj, dict):
        raise ArchiveError(f"{member} of {where} must hold a JSON object.")
    return obj


def layer_name(raw: dict) -> str | None:
    """The name of a layer entry of a Keras config."""
    return (raw.get("config") or {}).get("name") or raw.get("name")


def checked_layers(config: dict, where: str) -> tuple[str, dict, list[dict]]:
    """(model class, config body, layer dicts) after checking every layer is supported."""
    kind = config.get("class_name")
    if kind not in ("Functional", "Sequential", "Model"):
        raise ArchiveError(
            f"{where} holds a {kind!r} model; numpy inference reads Functional and "
            "Sequential Keras models."
        )
    body = config.get("config")
    raw_layers = body.get("layers") if isinstance(body, dict) else None
    if not raw_layers or not isinstance(raw_layers, list):
        raise ArchiveError(f"{where} has no layers in its config.")
    if not all(
        isinstance(la, dict) and isinstance(la.get("config", {}), dict) for la in raw_layers
    ):
        raise ArchiveError(f"{where}: every layer of the config must be a JSON object.")
    unsupported = sorted(
        {
            f"{la.get('class_name')} ({la.get('config', {}).get('name')})"
            for la in raw_layers
            if la.get("class_name") not in SUPPORTED_LAYERS
        }
    )
    if unsupported:
        raise ArchiveError(
            f"{where} contains layers numpy inference does not support: {unsupported}. "
            f"Supported layer types: {sorted(SUPPORTED_LAYERS)}. Load it with keras instead."
        )
    return kind, body, raw_layers


def h5_paths(raw_layers: list[dict]) -> list[str]:
    """The ``model.weights.h5`` group of each layer: ``dense``, ``dense_1``, ... by class."""
    counters: dict[str, int] = {}
    paths = []
    for raw in raw_layers:
        snake = _snake_case(raw["class_name"])
        n = counters.get(snake, 0)
        counters[snake] = n + 1
        paths.append(snake if n == 0 else f"{snake}_{n}")
    return paths


def _positive_int(value) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return None


def weight_specs(config: dict, where: str) -> dict[str, WeightSpec]:
    """H5 path -> the variable shapes the config fixes, for the layers that have weights.

    Widths are followed from the input layer through the graph; a width the config does
    not fix stays ``None`` (bounded only by the size budget).
    """
    kind, body, raw_layers = checked_layers(config, where)
    widths: dict[str | None, int | None] = {}
    specs: dict[str, WeightSpec] = {}
    previous: str | None = None
    first_width = None
    if kind == "Sequential":
        shape = body.get("build_input_shape") or (config.get("build_config") or {}).get(
            "input_shape"
        )
        first_width = _positive_int(shape[-1]) if isinstance(shape, list) and shape else None
    for raw, path in zip(raw_layers, h5_paths(raw_layers), strict=True):
        cls_name, cfg, lname = raw["class_name"], raw.get("config", {}), layer_name(raw)
        if kind == "Sequential":
            in_w = widths.get(previous) if previous is not None else first_width
        else:
            inbound = inbound_name(raw)
            in_w = widths.get(inbound) if inbound is not None else None
        out_w = in_w
        if cls_name == "InputLayer":
            shape = cfg.get("batch_shape") or cfg.get("batch_input_shape")
            ok = isinstance(shape, list) and len(shape) == 2
            out_w = _positive_int(shape[-1]) if ok else None
        elif cls_name == "Dense":
            units = _positive_int(cfg.get("units"))
            if units is None:
                raise ArchiveError(
                    f"Dense layer {lname!r} in {where} has units={cfg.get('units')!r}; "
                    "expected a positive integer."
                )
            shapes = [(in_w, units)] + ([(units,)] if cfg.get("use_bias", True) else [])
            specs[path] = WeightSpec(str(lname), tuple(shapes))
            out_w = units
        elif cls_name == "BatchNormalization":
            count = 2 + int(bool(cfg.get("scale", True))) + int(bool(cfg.get("center", True)))
            specs[path] = WeightSpec(str(lname), ((in_w,),) * count)
        elif cls_name == "Flatten":
            out_w = None  # the input rank is not followed; bounded by the budget
        widths[lname] = out_w
        previous = lname
    return specs
