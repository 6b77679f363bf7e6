"""Store a table in HDF5 without pickle (the safe form of 1.1.4's ``svm_data.h5``).

spacekit 1.1.4 saved the harvested JSON table with ``pandas.HDFStore`` (key ``mydata``),
which pickles object columns: loading such a file can run arbitrary code. Here every
column is a plain HDF5 dataset (numbers, booleans, or UTF-8 strings) under the group
``/<key>``, with the row names in ``/<key>/index`` and the column order in an attribute.
Missing values are stored as NaN (numbers) or an empty string flagged in a mask.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

from spacekit.exceptions import InputError

__all__ = ["H5_FORMAT", "write_table_h5", "read_table_h5"]

#: Value of the ``spacekit_format`` attribute of the group.
H5_FORMAT = "spacekit-table/1"


def _column_array(values: pd.Series):
    """(array, kind, missing mask) of one column: bool, int, float or str."""
    missing = values.isna().to_numpy()
    present = [v for v, m in zip(values, missing, strict=True) if not m]
    if present and all(isinstance(v, bool | np.bool_) for v in present):
        return np.where(missing, False, values.to_numpy(dtype=object)).astype(bool), "bool", missing
    if all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in present):
        if not missing.any():
            return values.to_numpy(dtype=np.int64), "int", missing
    numeric = pd.to_numeric(values, errors="coerce")
    if not (numeric.isna().to_numpy() & ~missing).any():
        return numeric.to_numpy(dtype=np.float64), "float", missing
    text = np.array(
        ["" if m else str(v) for v, m in zip(values, missing, strict=True)], dtype=object
    )
    return text, "str", missing


def write_table_h5(df: pd.DataFrame, path: str | os.PathLike, key: str = "mydata") -> Path:
    """Write ``df`` to ``path`` (atomically) as plain HDF5 datasets; return the path."""
    import h5py

    from spacekit._io import atomic_path

    path = Path(path)
    strtype = h5py.string_dtype("utf-8")
    with atomic_path(path) as tmp, h5py.File(tmp, "w") as h5:
        grp = h5.create_group(key)
        grp.attrs["spacekit_format"] = H5_FORMAT
        grp.create_dataset(
            "index", data=np.array([str(i) for i in df.index], dtype=object), dtype=strtype
        )
        cols = grp.create_group("columns")
        for i, col in enumerate(df.columns):
            arr, kind, missing = _column_array(df[col])
            name = f"c{i:05d}"
            ds = cols.create_dataset(name, data=arr, dtype=strtype if kind == "str" else None)
            ds.attrs["name"] = str(col)
            ds.attrs["kind"] = kind
            if missing.any():
                cols.create_dataset(f"{name}_missing", data=missing)
        grp.attrs["columns"] = json.dumps([str(c) for c in df.columns])
    return path


def read_table_h5(path: str | os.PathLike, key: str = "mydata") -> pd.DataFrame:
    """Read a table written by :func:`write_table_h5`.

    Raises
    ------
    InputError
        If the file is missing, not HDF5, or not in this format (for instance a 1.1.4
        ``pandas.HDFStore`` file, which is refused because loading it could unpickle
        arbitrary objects).
    """
    import h5py

    path = Path(path)
    if not path.is_file():
        raise InputError(f"HDF5 file '{path}' does not exist.")
    try:
        with h5py.File(path, "r") as h5:
            grp = h5.get(key)
            if grp is None or grp.attrs.get("spacekit_format") != H5_FORMAT:
                raise InputError(
                    f"'{path}' is not a spacekit table (no '{key}' group in {H5_FORMAT} "
                    "format). Files written by spacekit 1.1.4 (pandas/PyTables) are not "
                    "read, because they can hold pickled objects; re-run prep on the JSON "
                    "files instead."
                )
            index = [v.decode() if isinstance(v, bytes) else str(v) for v in grp["index"][()]]
            names = json.loads(grp.attrs["columns"])
            data = {}
            for i, col in enumerate(names):
                ds = grp["columns"][f"c{i:05d}"]
                arr = ds[()]
                kind = ds.attrs["kind"]
                if kind == "str":
                    arr = np.array(
                        [v.decode() if isinstance(v, bytes) else v for v in arr], dtype=object
                    )
                values = pd.Series(arr, index=index)
                miss_name = f"c{i:05d}_missing"
                if kind in ("str", "bool") and miss_name in grp["columns"]:
                    mask = grp["columns"][miss_name][()]
                    values = values.astype(object).where(~mask, None)
                data[col] = values
    except (OSError, KeyError, ValueError) as exc:
        raise InputError(f"'{path}' is not a readable spacekit HDF5 table ({exc}).") from exc
    df = pd.DataFrame(data, index=pd.Index(index, name="index"), columns=names)
    return df
