"""Normalisation of continuous features: Yeo-Johnson power transform, then standardisation.

:class:`PowerX` reproduces spacekit 1.1.4's transform bit for bit (spec §1.11): each column
``x`` is mapped with the stored Yeo-Johnson ``lambda``, then ``z = (yj - mu) / sigma`` is
rounded to 5 decimals. The statistics live in a ``tx_data`` dict / JSON file
``{"lambdas": [...], "mu": [...], "sigma": [...]}`` whose lists follow the column order.
Fitting (training) computes the lambdas with scikit-learn's ``PowerTransformer``
(``standardize=False``) and ``mu``/``sigma`` as the mean and population standard deviation
of the transformed columns.

:class:`~spacekit.preprocessor.transform_sky.SkyTransformer` (offset statistics) is
re-exported here, where spacekit 1.1.4 kept it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from spacekit._io import atomic_write_json
from spacekit._json import read_json_file
from spacekit.exceptions import DataError, InputError
from spacekit.preprocessor.transform_sky import SkyTransformer

__all__ = [
    "PowerX",
    "SkyTransformer",
    "yeo_johnson",
    "fit_power_transform",
    "apply_power_transform",
    "load_tx_data",
    "MAX_TX_BYTES",
]

log = logging.getLogger(__name__)

_TX_KEYS = ("lambdas", "mu", "sigma")


def yeo_johnson(x: np.ndarray, lmbda: float) -> np.ndarray:
    """Yeo-Johnson transform of ``x`` with parameter ``lmbda`` (scikit-learn's formula).

    For ``x >= 0``: ``((x + 1)**lmbda - 1) / lmbda`` (``log1p(x)`` when ``lmbda == 0``);
    for ``x < 0``: ``-((1 - x)**(2 - lmbda) - 1) / (2 - lmbda)`` (``-log1p(-x)`` when
    ``lmbda == 2``).
    """
    x = np.asarray(x, dtype=float)
    out = np.zeros_like(x)
    pos = x >= 0
    eps = np.spacing(1.0)
    if abs(lmbda) < eps:
        out[pos] = np.log1p(x[pos])
    else:
        out[pos] = (np.power(x[pos] + 1, lmbda) - 1) / lmbda
    if abs(lmbda - 2) > eps:
        out[~pos] = -(np.power(-x[~pos] + 1, 2 - lmbda) - 1) / (2 - lmbda)
    else:
        out[~pos] = -np.log1p(-x[~pos])
    return out


#: Largest tx_data JSON file read (bytes); one holds a few lists of a few numbers.
MAX_TX_BYTES = 16 * 1024**2


def load_tx_data(
    tx: str | os.PathLike | Mapping, n_cols: int | None = None, *, where: str | None = None
) -> dict:
    """Load and check transform statistics from a JSON file path or a dict.

    Parameters
    ----------
    tx : str, os.PathLike or Mapping
        Path of a ``tx_data-*.json`` file (at most :data:`MAX_TX_BYTES`), or the dict
        itself.
    n_cols : int, optional
        Number of columns the lists must have.
    where : str, optional
        Names the statistics in error messages (default: the file's path, or
        ``"tx_data dict"``), e.g. ``"tx_data-image.json in archive 'jwst_cal.zip'"``.

    Returns
    -------
    dict
        ``{"lambdas": ndarray, "mu": ndarray, "sigma": ndarray}`` (plus ``"columns"`` if given).

    Raises
    ------
    InputError
        If the file does not exist.
    DataError
        If the file is not a JSON object (or is larger than :data:`MAX_TX_BYTES`), keys
        are missing, a value is not a list of finite numbers, lengths differ from
        ``n_cols`` or a sigma is zero.
    """
    if isinstance(tx, Mapping):
        raw, where = dict(tx), where or "tx_data dict"
    elif isinstance(tx, str | os.PathLike):
        path = Path(tx)
        if not path.is_file():
            raise InputError(
                f"Transform file not found: received {str(tx)!r}. Pass the tx_data-<mode>.json "
                "saved with the model (or a dict with lambdas, mu and sigma)."
            )
        raw = read_json_file(path, max_depth=4, max_bytes=MAX_TX_BYTES)
        where = where or f"'{path}'"
    else:
        raise InputError(
            f"tx_data must be a dict or the path of a JSON file; received {type(tx).__name__}."
        )
    if not isinstance(raw, Mapping):
        raise DataError(
            f"{where} holds a JSON {type(raw).__name__}; expected an object with the "
            f"lists {list(_TX_KEYS)} (a tx_data-<mode>.json saved with the model)."
        )
    missing = [k for k in _TX_KEYS if k not in raw]
    if missing:
        raise DataError(f"{where} lacks {missing}; expected keys {list(_TX_KEYS)}.")
    out = {k: _finite_list(raw[k], k, where) for k in _TX_KEYS}
    sizes = {k: v.size for k, v in out.items()}
    if len(set(sizes.values())) != 1 or (n_cols is not None and out["mu"].size != n_cols):
        raise DataError(
            f"{where} has list lengths {sizes}, but {n_cols} normalised columns were asked for. "
            "Use the tx_data file that matches the exposure mode."
        )
    if np.any(out["sigma"] == 0):
        raise DataError(f"{where} has a zero sigma; it cannot standardise.")
    if "columns" in raw:
        out["columns"] = list(raw["columns"])
    return out


def _finite_list(values, key: str, where: str) -> np.ndarray:
    """``values`` as a 1-D float array if it is a list of finite real numbers."""
    ok = isinstance(values, list | tuple | np.ndarray) and all(
        isinstance(v, int | float | np.number) and not isinstance(v, bool | np.bool_)
        for v in values
    )
    arr = np.asarray(values, dtype=float).reshape(-1) if ok else None
    if arr is None or not np.all(np.isfinite(arr)):
        shown = repr(values) if len(repr(values)) < 80 else repr(values)[:77] + "..."
        raise DataError(f"{where}: {key!r} must be a list of finite numbers; received {shown}.")
    return arr


def _as_frame(data) -> pd.DataFrame | np.ndarray:
    if isinstance(data, pd.Series):
        return pd.DataFrame([data.to_numpy()], columns=list(data.index), index=[data.name])
    if isinstance(data, pd.DataFrame):
        return data
    arr = np.asarray(data)
    if arr.ndim == 1:
        arr = arr.reshape(1, -1)
    if arr.ndim != 2:
        raise InputError(f"PowerX needs 1-D or 2-D data; received an array of shape {arr.shape}.")
    return arr


def _apply(values: np.ndarray, tx: Mapping) -> np.ndarray:
    out = np.empty(values.shape, dtype=float)
    for i in range(values.shape[1]):
        yj = yeo_johnson(values[:, i], float(tx["lambdas"][i]))
        out[:, i] = np.round((yj - tx["mu"][i]) / tx["sigma"][i], 5)
    return out


def fit_power_transform(df: pd.DataFrame | np.ndarray, cols: Sequence) -> dict:
    """Fit the transform statistics of ``cols`` (training).

    Parameters
    ----------
    df : DataFrame or ndarray of shape (n_samples, n_features)
        Training features.
    cols : sequence
        Column names (DataFrame) or indices (ndarray) to normalise, in order.

    Returns
    -------
    dict
        ``{"lambdas": [...], "mu": [...], "sigma": [...], "columns": [...]}`` of floats, as
        written to ``tx_data-<mode>.json``.
    """
    from sklearn.preprocessing import PowerTransformer

    values = _continuous(_as_frame(df), cols)
    pt = PowerTransformer(method="yeo-johnson", standardize=False).fit(values)
    lambdas = np.asarray(pt.lambdas_, dtype=float)
    yj = np.column_stack([yeo_johnson(values[:, i], lambdas[i]) for i in range(values.shape[1])])
    return {
        "lambdas": [float(v) for v in lambdas],
        "mu": [float(v) for v in np.mean(yj, axis=0)],
        "sigma": [float(v) for v in np.std(yj, axis=0)],
        "columns": [c if isinstance(c, str) else int(c) for c in cols],
    }


def apply_power_transform(
    df: pd.DataFrame, tx: Mapping | str | os.PathLike, cols: Sequence[str] | None = None
) -> pd.DataFrame:
    """Return a copy of ``df`` with ``cols`` normalised by the statistics ``tx``.

    ``cols`` defaults to ``tx["columns"]`` when the statistics name their columns.
    """
    stats = load_tx_data(tx)
    cols = list(cols) if cols is not None else stats.get("columns")
    if cols is None:
        raise InputError("apply_power_transform needs `cols`: these tx_data do not name columns.")
    stats = load_tx_data(tx, n_cols=len(cols))
    out = df.copy()
    out[cols] = _apply(_continuous(df, cols), stats)
    return out


def _continuous(data, cols: Sequence) -> np.ndarray:
    if isinstance(data, pd.DataFrame):
        missing = [c for c in cols if c not in data.columns]
        if missing:
            raise DataError(f"Columns {missing} are missing; the data has {list(data.columns)}.")
        block = data[list(cols)]
        try:
            return block.to_numpy(dtype=float)
        except (TypeError, ValueError) as exc:
            raise DataError(f"Columns {list(cols)} must be numeric: {exc}") from exc
    return np.asarray(data[:, list(cols)], dtype=float)


class PowerX:
    """Yeo-Johnson + standardisation of selected columns (spacekit 1.1.4 compatible).

    Parameters
    ----------
    data : DataFrame, ndarray, Series or 1-D array
        Features; a 1-D input is one row.
    cols : sequence
        Names (DataFrame) or indices (array) of the columns to normalise, in ``tx_data`` order.
    ncols : sequence of int, optional
        Column indices to use when ``data`` is an ndarray (1.1.4 compatibility).
    tx_data : dict, optional
        Statistics to apply (``lambdas``, ``mu``, ``sigma``). Takes precedence over ``tx_file``.
    tx_file : str or os.PathLike, optional
        JSON file with the statistics. Without ``tx_data``/``tx_file`` they are fitted on
        ``data``.
    save_tx : bool, default=False
        Write fitted statistics to ``output_path / save_as``.
    save_as : str, default="tx_data.json"
        File name for ``save_tx`` (e.g. ``"tx_data-image.json"``).
    output_path : str or os.PathLike, optional
        Folder for ``save_tx``; required when ``save_tx`` is True (nothing is written to
        the current directory).
    join_data : {0, 1, 2}, default=1
        0: only the normalised columns; 1: plus the other columns; 2: plus all original
        columns.
    rename : str, list or None, default="_scl"
        None keeps the column names, a str is appended to them, a list replaces them.

    Attributes
    ----------
    Xt : DataFrame or ndarray
        The result.
    normalized : ndarray
        The normalised columns only.
    tx_data : dict
        The statistics used.
    tx_file : str or None
        File the statistics were read from or written to.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": [1.0, 2.0, 4.0], "b": [0, 1, 0]})
    >>> tx = {"lambdas": [0.5], "mu": [1.0], "sigma": [2.0]}
    >>> PowerX(df, ["a"], tx_data=tx, rename=None).Xt.columns.tolist()
    ['a', 'b']
    """

    def __init__(
        self,
        data,
        cols: Sequence,
        ncols: Sequence[int] | None = None,
        tx_data: Mapping | None = None,
        tx_file: str | os.PathLike | None = None,
        save_tx: bool = False,
        save_as: str = "tx_data.json",
        output_path: str | os.PathLike | None = None,
        join_data: int = 1,
        rename: str | list | None = "_scl",
    ) -> None:
        self.data = _as_frame(data)
        self.cols = (
            list(ncols) if ncols is not None and isinstance(self.data, np.ndarray) else list(cols)
        )
        self.tx_file = str(tx_file) if tx_file is not None else None
        self.save_tx = save_tx
        self.save_as = save_as
        self.output_path = output_path
        self.join_data = join_data
        self.rename = rename
        if join_data not in (0, 1, 2):
            raise InputError(f"join_data must be 0, 1 or 2; received {join_data!r}.")
        values = _continuous(self.data, self.cols)
        if tx_data is not None:
            self.tx_data = load_tx_data(tx_data, n_cols=len(self.cols))
        elif tx_file is not None:
            self.tx_data = load_tx_data(tx_file, n_cols=len(self.cols))
        else:
            self.tx_data = load_tx_data(fit_power_transform(self.data, self.cols))
            if save_tx:
                self._save()
        self.normalized = _apply(values, self.tx_data)
        self.Xt = self._join(self.normalized)

    def _save(self) -> None:
        if self.output_path is None:
            raise InputError(
                "PowerX(save_tx=True) needs output_path: spacekit never writes into the "
                "current directory. Pass the folder for the tx_data JSON."
            )
        out = Path(self.output_path) / self.save_as
        payload = {k: [float(v) for v in self.tx_data[k]] for k in _TX_KEYS}
        payload["columns"] = [c if isinstance(c, str) else int(c) for c in self.cols]
        atomic_write_json(out, payload)
        self.tx_file = str(out)
        log.info("Transform statistics saved to %s", out)

    def _new_names(self) -> list:
        if self.rename is None:
            return list(self.cols)
        if isinstance(self.rename, str):
            return [f"{c}{self.rename}" for c in self.cols]
        if len(self.rename) != len(self.cols):
            raise InputError(
                f"rename has {len(self.rename)} names for {len(self.cols)} columns {self.cols}."
            )
        return list(self.rename)

    def _join(self, normalized: np.ndarray):
        if isinstance(self.data, np.ndarray):
            if self.join_data == 0:
                return normalized
            if self.join_data == 1:
                rest = [i for i in range(self.data.shape[1]) if i not in self.cols]
                return np.concatenate([normalized, self.data[:, rest]], axis=1)
            return np.concatenate([normalized, self.data], axis=1)
        norm = pd.DataFrame(normalized, index=self.data.index, columns=self._new_names())
        if self.join_data == 0:
            return norm
        if self.join_data == 1:
            return norm.join(self.data.drop(columns=self.cols), how="left")
        return pd.concat([norm, self.data], axis=1)
