"""Save and load a results folder in safe formats (no pickle).

The file names follow spacekit 1.1.4's results layout (``history``, ``loss``,
``predictions``, ``residuals``, ``test_idx`` ...); each value type maps to one format:

==========================  =============  ===================================================
value                       file           notes
==========================  =============  ===================================================
numpy array, list, scalar   ``key.npy``    numeric or fixed-width string dtype only
dict of arrays/scalars      ``key.npz``    one array per key (``history``, ``loss``)
pandas DataFrame / Series   ``key.csv``    the index is written as the ``index`` column
str                         ``key.json``   JSON string
other dict (nested, mixed)  ``key.json``   JSON; NaN/inf saved as null
==========================  =============  ===================================================

A ``manifest.json`` records the format name and version and which file holds which key.
Loading never unpickles: ``.npy``/``.npz`` go through ``np.load(allow_pickle=False)``, so
a 1.1.4 folder with object arrays raises :class:`~spacekit.exceptions.ArchiveError`
naming the file instead of executing its contents.
"""

from __future__ import annotations

import logging
import math
import os
import warnings
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from spacekit._io import atomic_open, atomic_path, atomic_write_json
from spacekit._json import loads_bounded
from spacekit.exceptions import ArchiveError, InputError, SkippedInputWarning

__all__ = [
    "RESULTS_FORMAT",
    "RESULTS_VERSION",
    "save_results",
    "load_results",
    "read_manifest",
    "json_safe",
]

log = logging.getLogger(__name__)

RESULTS_FORMAT = "spacekit-results"
RESULTS_VERSION = 1
_MANIFEST = "manifest.json"


def json_safe(obj: Any) -> Any:
    """Convert numpy types to Python and NaN/inf to None, recursively."""
    if isinstance(obj, dict):
        return {str(k): json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [json_safe(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return json_safe(obj.tolist())
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def _is_flat_numeric_dict(value: dict) -> bool:
    for v in value.values():
        if isinstance(v, dict | str):
            return False
        arr = np.asarray(v)
        if arr.dtype.kind not in "biuf":
            return False
    return True


def _save_one(folder: Path, key: str, value: Any) -> str:
    if isinstance(value, pd.DataFrame | pd.Series):
        frame = value.to_frame() if isinstance(value, pd.Series) else value.copy()
        frame.index = frame.index.rename("index")
        fname = f"{key}.csv"
        with atomic_path(folder / fname) as tmp:
            frame.to_csv(tmp, index=True)
        return fname
    if isinstance(value, str):
        fname = f"{key}.json"
        atomic_write_json(folder / fname, value)
        return fname
    if isinstance(value, dict):
        if _is_flat_numeric_dict(value):
            fname = f"{key}.npz"
            arrays = {str(k): np.asarray(v, dtype=float) for k, v in value.items()}
            with atomic_open(folder / fname, "wb") as fh:
                np.savez(fh, **arrays)
            return fname
        fname = f"{key}.json"
        atomic_write_json(folder / fname, json_safe(value))
        return fname
    arr = np.asarray(value)
    if arr.dtype.kind == "O":
        arr = arr.astype(str)
    if arr.dtype.kind not in "biufU":
        raise InputError(
            f"Cannot save result {key!r} of dtype {arr.dtype}; expected numbers or strings."
        )
    fname = f"{key}.npy"
    with atomic_open(folder / fname, "wb") as fh:
        np.save(fh, arr, allow_pickle=False)
    return fname


def save_results(
    res_path: str | os.PathLike, outputs: dict[str, Any], meta: dict | None = None
) -> Path:
    """Write each item of ``outputs`` to ``res_path`` (created) and a manifest.

    Parameters
    ----------
    res_path : path-like
        Results folder, e.g. ``.../image/results/0``.
    outputs : dict
        ``{key: value}``; keys become file stems (see the module table).
    meta : dict, optional
        Extra JSON-safe information stored in ``manifest.json`` (model name, task ...).

    Returns
    -------
    pathlib.Path
        The results folder.
    """
    folder = Path(res_path)
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for key, value in outputs.items():
        if value is None:
            continue
        if not str(key).replace("_", "").replace("-", "").isalnum():
            raise InputError(f"Result key {key!r} must be alphanumeric (with _ or -).")
        files[str(key)] = _save_one(folder, str(key), value)
    manifest = {
        "format": RESULTS_FORMAT,
        "format_version": RESULTS_VERSION,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": files,
        "meta": json_safe(meta or {}),
    }
    atomic_write_json(folder / _MANIFEST, manifest)
    return folder


def _load_file(path: Path) -> Any:
    suffix = path.suffix.lower()
    try:
        if suffix == ".npy":
            return np.load(path, allow_pickle=False)
        if suffix == ".npz":
            with np.load(path, allow_pickle=False) as data:
                return {k: data[k] for k in data.files}
        if suffix == ".csv":
            df = pd.read_csv(path)
            for col in ("index", "ipst"):
                if col in df.columns:
                    return df.set_index(col)
            return df
        if suffix == ".json":
            return loads_bounded(path.read_bytes(), f"results file {path}", error=ArchiveError)
        if suffix == ".txt":
            return path.read_text(encoding="utf-8")
    except ValueError as exc:
        if "pickle" in str(exc):
            raise ArchiveError(
                f"Could not load results file {path}: {exc}. Files that need pickle "
                "(object arrays) are refused; re-save them with spacekit.analyzer.results."
            ) from exc
        raise ArchiveError(f"Could not load results file {path}: {exc}") from exc
    except (OSError, EOFError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
        raise ArchiveError(f"Could not load results file {path}: {exc}") from exc
    return None


def read_manifest(res_path: str | os.PathLike) -> dict[str, Any]:
    """Return the folder's ``manifest.json`` (``{}`` for 1.1.4 folders, which have none).

    Raises
    ------
    ArchiveError
        If the manifest exists but is not valid JSON.
    """
    path = Path(res_path) / _MANIFEST
    if not path.is_file():
        return {}
    manifest = loads_bounded(path.read_bytes(), f"Results manifest {path}", error=ArchiveError)
    if not isinstance(manifest, dict):
        raise ArchiveError(f"Results manifest {path} is not a JSON object.")
    return manifest


def load_results(res_path: str | os.PathLike, unsafe: str = "raise") -> dict[str, Any]:
    """Load a results folder written by :func:`save_results` (or by spacekit 1.1.4).

    Parameters
    ----------
    res_path : path-like
        The results folder.
    unsafe : {"raise", "skip"}, default="raise"
        What to do with a file that cannot be read safely (an object array that would
        need pickle, such as 1.1.4's ``fnfp.npz``, or a corrupt file): raise
        :class:`~spacekit.exceptions.ArchiveError`, or skip it with a
        :class:`~spacekit.exceptions.SkippedInputWarning` naming the file.

    Returns
    -------
    dict
        ``{key: value}``: ``.npz`` files come back as dicts of arrays, ``.csv`` files as
        DataFrames (indexed by the ``index`` column), ``.npy`` as arrays, ``.json`` as
        the decoded object. 1.1.4's nested ``key-subkey.npz`` files land in
        ``result[key][subkey]``.

    Raises
    ------
    ArchiveError
        If the folder does not exist, or a file cannot be read safely and
        ``unsafe="raise"``.
    """
    if unsafe not in ("raise", "skip"):
        raise InputError(f"unsafe must be 'raise' or 'skip'; received {unsafe!r}.")
    folder = Path(res_path)
    if not folder.is_dir():
        raise ArchiveError(
            f"Results folder {folder} does not exist; expected a folder written by "
            "save_results (e.g. <out>/<mode>/results/0)."
        )
    out: dict[str, Any] = {}
    for path in sorted(folder.iterdir()):
        if path.name == _MANIFEST or path.name.startswith(".") or not path.is_file():
            continue
        try:
            value = _load_file(path)
        except ArchiveError as exc:
            if unsafe == "raise":
                raise
            warnings.warn(f"skipped {exc}", SkippedInputWarning, stacklevel=2)
            continue
        if value is None:
            log.debug("skipping %s (unknown extension)", path)
            continue
        stem = path.name.split(".")[0]
        if "-" in stem and path.suffix == ".npz":
            key, sub = stem.split("-", 1)
            out.setdefault(key, {})
            if isinstance(out[key], dict):
                out[key][sub] = value
            continue
        out[stem] = value
    return out
