"""Category and boolean encoders with fixed tables (spacekit 1.1.4 ``PairEncoder`` family).

The tables are never modified: a value missing from a table is encoded with the column's
unknown code (one more than its largest code; ``UNKNOWN_CODE`` in
:mod:`spacekit.preprocessor.tables.jwst_cal` for the JWST features) and reported with an
:class:`~spacekit.exceptions.UnknownCategoryWarning`, once per call.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from spacekit.exceptions import DataError, InputError, UnknownCategoryWarning

__all__ = [
    "BOOLEAN_TRUE",
    "UnknownCategoryError",
    "encode_booleans",
    "PairEncoder",
    "CategoricalEncoder",
    "JwstEncoder",
]

log = logging.getLogger(__name__)

#: Values encoded as 1 by :func:`encode_booleans`; everything else is 0.
BOOLEAN_TRUE: tuple = (True, "True", "T", "t")


class UnknownCategoryError(DataError, KeyError):
    """A value is not in the encoding table and unknowns are not allowed."""


def encode_booleans(
    df: pd.DataFrame, cols: Sequence[str], replace: bool = True, rename: str = "_enc"
) -> pd.DataFrame:
    """Encode boolean-like columns as 0/1 integers; return a new DataFrame.

    ``True``, ``"True"``, ``"T"`` and ``"t"`` become 1; anything else (``False``, ``"F"``,
    ``"NaN"``, NaN, ...) becomes 0. Columns not in ``df`` are ignored.

    Parameters
    ----------
    df : DataFrame
        Input; not modified.
    cols : sequence of str
        Columns to encode.
    replace : bool, default=True
        Overwrite the columns; otherwise add ``{col}{rename}`` columns.
    rename : str, default="_enc"
        Suffix of the new columns when ``replace`` is False.
    """
    out = df.copy()
    for col in cols:
        if col not in out.columns:
            continue
        codes = [1 if _is_true(v) else 0 for v in out[col]]
        out[col if replace else f"{col}{rename}"] = np.asarray(codes, dtype=np.int64)
    return out


def _is_true(value) -> bool:
    try:
        return value in BOOLEAN_TRUE
    except (TypeError, ValueError):
        return False


class PairEncoder:
    """Encode values with a fixed ``{value: code}`` table (never modified).

    Examples
    --------
    >>> enc = PairEncoder().fit(["ir", "uvis", "wfc"], {"hrc": 0, "ir": 1, "uvis": 3, "wfc": 4})
    >>> enc.transform().tolist()
    [1, 3, 4]
    >>> enc.inverse_transform([1, 4]).tolist()
    ['ir', 'wfc']
    """

    def __init__(self, warn: bool = True) -> None:
        self.warn = warn
        self.arr: np.ndarray | None = None
        self.keypairs: dict = {}
        self.classes_: np.ndarray | None = None
        self.unknowns_: list = []
        self.unknown_code: int | None = None

    def fit(
        self,
        data,
        keypairs: Mapping,
        axiscol=None,
        handle_unknowns: bool = True,
        unknown_code: int | None = None,
    ) -> PairEncoder:
        """Store the values to encode and a private copy of the table; return self.

        Parameters
        ----------
        data : Series, DataFrame, list or ndarray
            Values (1-D), or a table with the column ``axiscol`` (a name, or an index for
            a 2-D array). A DataFrame without ``axiscol`` leaves :attr:`arr` as None.
        keypairs : Mapping
            ``{value: code}``.
        handle_unknowns : bool, default=True
            Encode unknown values with ``unknown_code``; otherwise transform raises.
        unknown_code : int, optional
            Code for unknown values; default one more than the largest code.
        """
        self.keypairs = dict(keypairs)
        if not self.keypairs:
            raise InputError("PairEncoder needs a non-empty {value: code} table.")
        self.handle_unknowns = handle_unknowns
        self.unknown_code = (
            unknown_code if unknown_code is not None else max(self.keypairs.values()) + 1
        )
        self.classes_ = np.asarray(list(self.keypairs), dtype=object)
        if isinstance(data, pd.DataFrame):
            self.arr = data[axiscol].to_numpy(dtype=object) if axiscol is not None else None
        elif isinstance(data, pd.Series):
            self.arr = data.to_numpy(dtype=object)
        else:
            arr = np.asarray(data, dtype=object)
            if arr.ndim == 2:
                self.arr = arr[:, axiscol] if axiscol is not None else None
            else:
                self.arr = arr.reshape(-1)
        return self

    def transform(self) -> np.ndarray:
        """Return the integer codes of the fitted values."""
        if self.arr is None:
            raise InputError("PairEncoder has no values: fit it with data (and axiscol).")
        unknown = sorted({str(v) for v in self.arr if v not in self.keypairs})
        if unknown and not self.handle_unknowns:
            raise UnknownCategoryError(
                f"Values {unknown} are not in the encoding table {sorted(map(str, self.keypairs))}."
            )
        self.unknowns_ = unknown
        if unknown and self.warn:
            warnings.warn(
                f"Unknown categories {unknown} encoded as {self.unknown_code}.",
                UnknownCategoryWarning,
                stacklevel=2,
            )
        code = self.unknown_code
        return np.asarray([self.keypairs.get(v, code) for v in self.arr], dtype=np.int64)

    def fit_transform(self, data, keypairs: Mapping, axiscol=None, handle_unknowns=True):
        """Fit, then transform."""
        return self.fit(
            data, keypairs, axiscol=axiscol, handle_unknowns=handle_unknowns
        ).transform()

    def inverse_transform(self, codes) -> np.ndarray:
        """Return the value of each code (the first value with that code in the table)."""
        inverse: dict[int, object] = {}
        for value, code in self.keypairs.items():
            inverse.setdefault(code, value)
        try:
            return np.asarray(
                [inverse[int(c)] for c in np.asarray(codes).reshape(-1)], dtype=object
            )
        except KeyError as exc:
            raise UnknownCategoryError(f"Code {exc.args[0]} is not in the table.") from exc


class CategoricalEncoder:
    """Encode several categorical columns of a DataFrame with fixed tables.

    Parameters
    ----------
    data : DataFrame
        Input; not modified.
    fkeys : sequence of str
        Columns to encode.
    encoding_pairs : Mapping[str, Mapping]
        ``{column: {value: code}}``.
    names : sequence of str, optional
        Names of the encoded columns (default: ``{col}_enc`` unless ``rename``).
    drop : bool, default=True
        Drop the original columns.
    rename : bool, default=True
        Give the encoded columns the original names (replacing them in place).
    unknown_codes : Mapping[str, int], optional
        Code of unknown values per column; default one more than the largest code.

    Attributes
    ----------
    df : DataFrame
        The encoded data (after :meth:`encode_features`).
    unknowns : dict
        ``{column: [unknown values]}`` met by the last :meth:`encode_features`.
    """

    def __init__(
        self,
        data: pd.DataFrame,
        fkeys: Sequence[str],
        encoding_pairs: Mapping[str, Mapping],
        names: Sequence[str] | None = None,
        drop: bool = True,
        rename: bool = True,
        unknown_codes: Mapping[str, int] | None = None,
    ) -> None:
        self.data = data
        self.fkeys = list(fkeys)
        self.encoding_pairs = encoding_pairs
        self.names = list(names) if names is not None else None
        self.drop = drop
        self.rename = rename
        self.unknown_codes = unknown_codes or {}
        self.df = data.copy()
        self.unknowns: dict[str, list] = {}

    def encode_features(self) -> pd.DataFrame:
        """Encode the columns; warn once about unknown values; return :attr:`df`."""
        self.df = self.data.copy()
        self.unknowns = {}
        for i, col in enumerate(self.fkeys):
            if col not in self.df.columns:
                continue
            if col not in self.encoding_pairs:
                raise InputError(f"No encoding table for column {col!r}.")
            enc = PairEncoder(warn=False).fit(
                self.df[col], self.encoding_pairs[col], unknown_code=self.unknown_codes.get(col)
            )
            codes = enc.transform()
            if enc.unknowns_:
                self.unknowns[col] = enc.unknowns_
            if self.rename:
                self.df[col] = codes
                continue
            name = self.names[i] if self.names else f"{col}_enc"
            self.df[name] = codes
            if self.drop:
                self.df = self.df.drop(columns=col)
        if self.unknowns:
            detail = "; ".join(
                f"{c}: {v} -> {self.unknown_codes.get(c, max(self.encoding_pairs[c].values()) + 1)}"
                for c, v in self.unknowns.items()
            )
            log.warning("Unknown categories encoded with the unknown code: %s", detail)
            warnings.warn(
                f"Unknown categories (not in the encoding tables) encoded with the unknown "
                f"code: {detail}. Predictions for these rows are extrapolations.",
                UnknownCategoryWarning,
                stacklevel=2,
            )
        return self.df


class JwstEncoder(CategoricalEncoder):
    """:class:`CategoricalEncoder` with the JWST tables and unknown codes by default.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"instr": ["NIRCAM", "MIRI"], "nexposur": [4, 2]})
    >>> JwstEncoder(df, fkeys=["instr"]).encode_features()["instr"].tolist()
    [2, 1]
    """

    def __init__(
        self,
        data: pd.DataFrame,
        fkeys: Sequence[str],
        encoding_pairs: Mapping[str, Mapping] | None = None,
        names: Sequence[str] | None = None,
        drop: bool = True,
        rename: bool = True,
    ) -> None:
        from spacekit.preprocessor.tables.jwst_cal import KEYPAIR_DATA, UNKNOWN_CODE

        pairs = encoding_pairs if encoding_pairs is not None else KEYPAIR_DATA
        codes = {c: UNKNOWN_CODE[c] for c in pairs if c in UNKNOWN_CODE and pairs is KEYPAIR_DATA}
        super().__init__(data, fkeys, pairs, names, drop, rename, unknown_codes=codes or None)
