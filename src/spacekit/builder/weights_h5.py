"""Read the weights of a Keras 3 ``model.weights.h5``, checked against the model config first.

A ``.keras`` file is small, but the HDF5 weights file inside it can *declare* datasets of
any shape: a 13 KB file can declare a (4, 10⁹) float32 array that reading would turn into
15 GiB of memory. So nothing is read before every dataset the model will use has been
checked against what the config says it must be:

* it is a plain (hard-linked, not external, not virtual) floating-point dataset;
* its rank and every dimension the config fixes match (a Dense kernel is
  ``(inputs, units)``, a bias ``(units,)``, BatchNormalization vectors ``(features,)``);
* its chunks are no larger than the array itself;
* the bytes of all the arrays fit in the load's
  :class:`~spacekit.builder.archive_zip.ExpansionBudget`.

Groups the config does not use (such as the optimizer state) are never read.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from spacekit.builder.archive_zip import ExpansionBudget
from spacekit.exceptions import ArchiveError

__all__ = ["WeightSpec", "read_weights"]

_F32 = np.float32


@dataclass(frozen=True)
class WeightSpec:
    """What the config says one layer's variables must look like.

    Attributes
    ----------
    layer : str
        The Keras layer name.
    shapes : tuple of tuple
        One shape per variable, in Keras order; ``None`` for a dimension the config does
        not fix (e.g. the input width of a model without an input shape).
    """

    layer: str
    shapes: tuple[tuple[int | None, ...], ...]


def _link_is_hard(group, key: str) -> bool:
    import h5py

    return isinstance(group.get(key, getlink=True), h5py.HardLink)


def _check_dataset(ds, spec: WeightSpec, index: int, where: str) -> int:
    """Raise unless ``ds`` matches ``spec.shapes[index]``; return its size in elements."""
    import h5py

    what = f"variable {index} of layer {spec.layer!r} in {where}"
    if not isinstance(ds, h5py.Dataset):
        raise ArchiveError(f"The weights file has a group where {what} should be an array.")
    if ds.is_virtual or ds.external:
        raise ArchiveError(
            f"{what} is stored outside the weights file (external or virtual HDF5 "
            "dataset); refusing to read other files."
        )
    if ds.dtype.kind != "f" or ds.dtype.itemsize > 8:
        raise ArchiveError(
            f"{what} has dtype {ds.dtype}; model weights must be floating-point numbers."
        )
    expected = spec.shapes[index]
    shape = tuple(int(n) for n in ds.shape)
    fits = len(shape) == len(expected) and all(
        e is None or n == e for n, e in zip(shape, expected, strict=True)
    )
    if not fits:
        want = tuple("?" if e is None else e for e in expected)
        raise ArchiveError(
            f"{what} declares shape {shape}; the model config expects {want}. The weights "
            "file does not belong to this config (or was crafted); nothing was read."
        )
    size = math.prod(shape)
    if ds.chunks is not None and math.prod(ds.chunks) > max(size, 1):
        raise ArchiveError(
            f"{what} declares HDF5 chunks {ds.chunks} larger than the array {shape}; "
            "refusing to read it."
        )
    return size


def _plan(h5, specs: Mapping[str, WeightSpec], where: str) -> list[tuple[str, WeightSpec, list]]:
    """Match the H5 layer groups to the config and check each dataset; read nothing."""
    import h5py

    if "layers" not in h5 or not isinstance(h5["layers"], h5py.Group):
        raise ArchiveError(f"model.weights.h5 of {where} has no 'layers' group.")
    by_name = {spec.layer: spec for spec in specs.values()}
    layers = h5["layers"]
    plan = []
    for path in layers:
        if not _link_is_hard(layers, path):
            raise ArchiveError(f"layers/{path} in the weights of {where} is a link; refused.")
        group = layers[path]
        if not isinstance(group, h5py.Group) or "vars" not in group:
            continue
        if not _link_is_hard(group, "vars"):
            raise ArchiveError(f"layers/{path}/vars in the weights of {where} is a link.")
        vars_ = group["vars"]
        if not isinstance(vars_, h5py.Group):
            continue
        lname = vars_.attrs.get("name")
        if isinstance(lname, bytes):
            lname = lname.decode("utf-8", "replace")
        spec = by_name.get(lname) if isinstance(lname, str) else None
        spec = spec or specs.get(path)
        if spec is None:
            continue  # a layer the config does not have: never read
        keys = sorted(vars_.keys(), key=lambda k: int(k) if k.isdigit() else 1 << 30)
        if len(keys) != len(spec.shapes):
            raise ArchiveError(
                f"Layer {spec.layer!r} in {where} has {len(keys)} weight arrays in the "
                f"weights file; its config expects {len(spec.shapes)}."
            )
        for key in keys:
            if not _link_is_hard(vars_, key):
                raise ArchiveError(
                    f"layers/{path}/vars/{key} in the weights of {where} is a link; refused."
                )
        plan.append((path, spec, [vars_[k] for k in keys]))
    return plan


def read_weights(
    data: bytes,
    where: str,
    specs: Mapping[str, WeightSpec],
    budget: ExpansionBudget | None = None,
) -> dict[str, list[np.ndarray]]:
    """Read the variables of the layers in ``specs`` from ``model.weights.h5`` bytes.

    Parameters
    ----------
    data : bytes
        Content of ``model.weights.h5``.
    where : str
        Names the model in error messages.
    specs : mapping of str to WeightSpec
        H5 layer path (``"dense"``, ``"dense_1"``...) -> what its variables must be. A
        group whose ``name`` attribute is a layer name of ``specs`` uses that layer's spec.
    budget : ExpansionBudget, optional
        Bytes the arrays may take (float32, as kept); a fresh default budget if omitted.

    Returns
    -------
    dict of str to list of numpy.ndarray
        H5 path -> float32 arrays, plus ``"@name:<layer>"`` -> the same arrays.

    Raises
    ------
    ArchiveError
        If the file is not HDF5, a dataset does not match the config, is not floating
        point, is external/virtual/linked, or the arrays exceed the budget. Checks happen
        before any array is read.
    """
    import h5py

    budget = budget if budget is not None else ExpansionBudget(where=where)
    out: dict[str, list[np.ndarray]] = {}
    try:
        with h5py.File(io.BytesIO(data), "r") as h5:
            plan = _plan(h5, specs, where)
            total = 0
            for _path, spec, datasets in plan:
                for i, ds in enumerate(datasets):
                    total += _check_dataset(ds, spec, i, where) * np.dtype(_F32).itemsize
            budget.take(total, f"the weight arrays of {where}")
            for path, spec, datasets in plan:
                arrays = [np.asarray(ds[()], dtype=_F32) for ds in datasets]
                out[f"@name:{spec.layer}"] = arrays
                if specs.get(path) is spec:  # matched by name only: not usable by path
                    out[path] = arrays
    except ArchiveError:
        raise
    except (OSError, KeyError, ValueError, TypeError) as exc:
        raise ArchiveError(f"Cannot read model.weights.h5 of {where}: {exc}") from exc
    return out
