"""Encode the raw values of HST calibration datasets into the 9 model features.

The encodings are spacekit 1.1.4's (spec §3.2), in the order of :data:`COLUMN_ORDER`:

===========  ==========================================================================
feature      rule
===========  ==========================================================================
n_files      ``int(n_files)``; must be a whole number >= 1
total_mb     ``round(total_mb)`` (half to even, as Python's ``round``); must be >= 0
drizcorr     1 if ``DRIZCORR`` is ``PERFORM`` (any case), 0 for ``OMIT``, ``COMPLETE``,
             ``SKIPPED`` or a not-applicable value (``NaN``, ``None``, ``N/A``, empty)
pctecorr     the same rule on ``PCTECORR``
crsplit      0 when not applicable (``NaN``, ``None``, ``N/A``, empty, ``0``); 1 for one
             split (``1``, ``1.0``); 2 for more
subarray     1 for ``True``/``T``/``1``/``yes``; 0 for ``False``/``F``/``0``/``no`` or not
             applicable
detector     1 if ``DETECTOR`` is ``UVIS`` or ``WFC`` (the big CCDs), else 0
dtype        1 if the dataset name ends in ``0`` (an association), else 0
instr        first letter of the dataset name: j -> 0 (ACS), l -> 1 (COS), o -> 2 (STIS),
             i -> 3 (WFC3)
===========  ==========================================================================

Unlike 1.1.4, a bad value does not crash or turn silently into a code: the dataset is
left out with a reason (unknown instrument letter, missing keyword, negative or
non-numeric size, a switch value that is not a switch), and the others go on. Two
deliberate differences (``docs/differences.rst``): a not-applicable ``CRSPLIT`` written in
another spelling than the exact string ``"NaN"`` (``nan``, ``None``) is 0, as in the
training data, where 1.1.4 made it 2; and ``SUBARRAY = T`` (the FITS spelling) is 1.

The tables (columns, codes, vocabularies) live in
:mod:`spacekit.preprocessor.tables.hst_cal` and are re-exported by
:mod:`spacekit.skopes.hst.cal.config` at the 1.1.4 import path.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np
import pandas as pd

from spacekit.exceptions import InputError
from spacekit.preprocessor.tables.hst_cal import (
    INSTRUMENT_CODES,
    NOT_APPLICABLE,
    SWITCH_OFF,
    WIDE_DETECTORS,
)

__all__ = [
    "encode_features",
    "HstCalScrubber",
]

log = logging.getLogger(__name__)

_TRUE = frozenset({"TRUE", "T", "1", "1.0", "YES", "Y"})
_FALSE = frozenset({"FALSE", "F", "0", "0.0", "NO", "N"})
_RAW_KEYS = ("n_files", "total_mb", "DETECTOR", "SUBARRAY", "DRIZCORR", "PCTECORR", "CRSPLIT")


def _text(values: np.ndarray) -> list:
    """Upper-case stripped text per value; None (absent key) stays None."""
    return [None if v is None else str(v).strip().upper() for v in values]


def _member(text: list, allowed: frozenset, none_ok: bool = False) -> np.ndarray:
    return np.fromiter(
        ((t is None and none_ok) or (t is not None and t in allowed) for t in text),
        dtype=bool,
        count=len(text),
    )


class _Reasons:
    """Collect every reason per row (joined with "; ")."""

    def __init__(self, index: pd.Index):
        self.lists: list[list[str]] = [[] for _ in range(len(index))]
        self.index = index

    def add(self, mask, reason) -> None:
        for pos in np.flatnonzero(np.asarray(mask, dtype=bool)):
            self.lists[pos].append(reason(pos) if callable(reason) else reason)

    def failed(self) -> np.ndarray:
        return np.fromiter((bool(r) for r in self.lists), dtype=bool, count=len(self.lists))

    def skipped(self) -> list[tuple[str, str]]:
        return [(str(n), "; ".join(r)) for n, r in zip(self.index, self.lists, strict=True) if r]


def _number(values: np.ndarray) -> np.ndarray:
    cleaned = [None if v is None else str(v).strip() for v in values]
    return pd.to_numeric(pd.Series(cleaned, dtype=object), errors="coerce").to_numpy(float)


def _switch(name: str, values: np.ndarray, reasons: _Reasons) -> np.ndarray:
    text = _text(values)
    on = _member(text, frozenset({"PERFORM"}))
    off = _member(text, SWITCH_OFF | NOT_APPLICABLE, none_ok=True)  # None: reported missing
    reasons.add(
        ~(on | off),
        lambda pos: (
            f"{name}={values[pos]!r} is not a calibration switch value "
            "(PERFORM, OMIT, COMPLETE, SKIPPED or NaN)"
        ),
    )
    return on.astype(np.int64)


def _crsplit(values: np.ndarray, reasons: _Reasons) -> np.ndarray:
    na = _member(_text(values), NOT_APPLICABLE, none_ok=True)  # None: reported missing
    num = _number(values)
    bad = ~na & (np.isnan(num) | (num < 0))
    reasons.add(
        bad,
        lambda pos: f"CRSPLIT={values[pos]!r} is not a number of splits (or NaN)",
    )
    out = np.where(num == 1, 1, np.where(num > 1, 2, 0))
    return np.where(na | bad, 0, out).astype(np.int64)


def _subarray(values: np.ndarray, reasons: _Reasons) -> np.ndarray:
    text = _text(values)
    yes = _member(text, _TRUE)
    no = _member(text, _FALSE | NOT_APPLICABLE, none_ok=True)
    reasons.add(
        ~(yes | no),
        lambda pos: f"SUBARRAY={values[pos]!r} is not a boolean (True/False, T/F)",
    )
    return yes.astype(np.int64)


def encode_features(raw: pd.DataFrame) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """Encode raw dataset values into the 9 model features (vectorised, many rows).

    Parameters
    ----------
    raw : pandas.DataFrame
        Indexed by dataset name (ipppssoot), with the raw keys ``n_files, total_mb,
        DETECTOR, SUBARRAY, DRIZCORR, PCTECORR, CRSPLIT`` as columns (values as strings or
        numbers; ``None`` where a key is absent), e.g. from
        :func:`spacekit.extractor.scrape_hstcal.load_hstcal_inputs`.

    Returns
    -------
    features : pandas.DataFrame
        Indexed by dataset, the :data:`COLUMN_ORDER` ``["asn"]`` columns as integers, for
        the datasets that could be encoded.
    skipped : list of (str, str)
        ``(dataset, reason)`` for every dataset left out.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame(
    ...     {"n_files": ["2"], "total_mb": ["34.6"], "DETECTOR": ["UVIS"], "SUBARRAY": ["False"],
    ...      "DRIZCORR": ["PERFORM"], "PCTECORR": ["OMIT"], "CRSPLIT": ["1.0"]},
    ...     index=["ibx901010"])
    >>> encode_features(raw)[0].iloc[0].tolist()
    [2, 35, 1, 0, 1, 0, 1, 1, 3]
    """
    index = pd.Index([str(i) for i in raw.index], name="dataset")
    n = len(index)
    reasons = _Reasons(index)
    names = [name.strip().lower() for name in index]
    reasons.add(np.fromiter((not nm for nm in names), bool, count=n), "no dataset name")
    instr = np.fromiter((INSTRUMENT_CODES.get(nm[:1], -1) for nm in names), np.int64, count=n)
    reasons.add(
        instr < 0,
        lambda pos: (
            f"unknown instrument letter {names[pos][:1]!r} in {index[pos]!r} (expected j "
            "ACS, l COS, o STIS or i WFC3)"
        ),
    )
    cols: dict[str, np.ndarray] = {}
    missing: dict[str, np.ndarray] = {}
    for key in _RAW_KEYS:
        if key in raw.columns:
            cols[key] = raw[key].to_numpy(dtype=object)
            missing[key] = np.fromiter((v is None for v in cols[key]), bool, count=n)
        else:
            cols[key] = np.full(n, None, dtype=object)
            missing[key] = np.ones(n, dtype=bool)
        reasons.add(missing[key], f"missing keyword {key}")

    n_files = _number(cols["n_files"])
    with np.errstate(invalid="ignore"):
        bad = np.isnan(n_files) | (n_files < 1) | (n_files != np.round(n_files))
    reasons.add(
        bad & ~missing["n_files"],
        lambda pos: f"n_files={cols['n_files'][pos]!r} is not a whole number >= 1",
    )
    total_mb = _number(cols["total_mb"])
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(total_mb) | (total_mb < 0)
    reasons.add(
        bad & ~missing["total_mb"],
        lambda pos: f"total_mb={cols['total_mb'][pos]!r} is not a size >= 0 (MB)",
    )
    det = _text(cols["DETECTOR"])
    reasons.add(_member(det, NOT_APPLICABLE), "DETECTOR has no value")  # None: missing
    features = pd.DataFrame(
        {
            "n_files": np.where(np.isfinite(n_files), n_files, 0).astype(np.int64),
            "total_mb": np.round(np.where(np.isfinite(total_mb), total_mb, 0)).astype(np.int64),
            "drizcorr": _switch("DRIZCORR", cols["DRIZCORR"], reasons),
            "pctecorr": _switch("PCTECORR", cols["PCTECORR"], reasons),
            "crsplit": _crsplit(cols["CRSPLIT"], reasons),
            "subarray": _subarray(cols["SUBARRAY"], reasons),
            "detector": _member(det, WIDE_DETECTORS).astype(np.int64),
            "dtype": np.fromiter((nm.endswith("0") for nm in names), bool, count=n).astype(
                np.int64
            ),
            "instr": instr,
        },
        index=index,
    )
    return features[~reasons.failed()], reasons.skipped()


class HstCalScrubber:
    """Build the 9 HST cal features from raw values (spacekit 1.1.4 name).

    Parameters
    ----------
    data : pandas.DataFrame or dict
        Raw values: a frame indexed by dataset (see :func:`encode_features`), a dict
        ``{dataset: {key: value}}``, or one record with a ``dataset`` key.
    output_path : path-like, optional
        Folder for :meth:`save_csv_file`; nothing is written unless it is given.
    output_file : str, default="batch.csv"

    Attributes
    ----------
    df : pandas.DataFrame or None
        The encoded features, after :meth:`scrub_inputs`.
    skipped : list of (str, str)
        Datasets left out, with the reason.
    """

    def __init__(
        self,
        data,
        output_path: str | os.PathLike | None = None,
        output_file: str = "batch.csv",
    ):
        self.data = data
        self.output_path = output_path
        self.output_file = output_file
        self.df: pd.DataFrame | None = None
        self.skipped: list[tuple[str, str]] = []

    def scrub_inputs(self) -> pd.DataFrame:
        """Encode :attr:`data`; returns the features (also in :attr:`df`)."""
        from spacekit.extractor.scrape_hstcal import load_hstcal_inputs

        raw, self.skipped = load_hstcal_inputs(self.data)
        self.df, skipped = encode_features(raw)
        self.skipped += skipped
        return self.df

    def save_csv_file(self) -> Path:
        """Write :attr:`df` to ``{output_path}/{output_file}`` (atomically)."""
        from spacekit._io import atomic_path

        if self.output_path is None:
            raise InputError("HstCalScrubber.save_csv_file needs output_path.")
        if self.df is None:
            self.scrub_inputs()
        path = Path(self.output_path) / self.output_file
        with atomic_path(path) as tmp:
            self.df.to_csv(tmp, index=True, index_label="ipst")
        return path
