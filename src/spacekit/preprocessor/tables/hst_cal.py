"""Feature tables of the HST calibration models: columns, codes and value vocabularies.

The preprocessor owns these tables: :func:`spacekit.preprocessor.scrub_hstcal.encode_features`
encodes raw values with them and the model inputs follow :data:`X_NORM`. Every table is
read-only (tuples, frozensets and :class:`types.MappingProxyType`), so no caller can change
the encodings the trained networks depend on. The values are spacekit 1.1.4's (spec §3.2);
:mod:`spacekit.skopes.hst.cal.config` re-exports them at the 1.1.4 import path.

Attributes
----------
COLUMN_ORDER, NORM_COLS, RENAME_COLS, X_NORM : Mapping[str, tuple of str]
    Per configuration (``"asn"``): the 9 raw feature columns in model order, the two
    normalised ones, their normalised names, and the model input columns.
INSTRUMENT_CODES, INSTRUMENT_NAMES : Mapping
    First letter of a dataset name -> ``instr`` code -> instrument name.
WIDE_DETECTORS, SWITCH_OFF, NOT_APPLICABLE : frozenset of str
    ``DETECTOR`` values encoded 1, switch values encoded 0, "not applicable" spellings.
MEM_BIN_LABELS : tuple of str
    Labels of memory bins 0-3.

Examples
--------
>>> from spacekit.preprocessor.tables.hst_cal import X_NORM, INSTRUMENT_CODES
>>> X_NORM["asn"][:2], INSTRUMENT_CODES["i"]
(('x_files', 'x_size'), 3)
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = [
    "COLUMN_ORDER",
    "NORM_COLS",
    "RENAME_COLS",
    "X_NORM",
    "INSTRUMENT_CODES",
    "INSTRUMENT_NAMES",
    "WIDE_DETECTORS",
    "SWITCH_OFF",
    "NOT_APPLICABLE",
    "MEM_BIN_LABELS",
]

#: The 9 raw feature columns, in model order, per 1.1.4 config (``asn``; ``svm`` is empty).
COLUMN_ORDER: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "asn": (
            "n_files",
            "total_mb",
            "drizcorr",
            "pctecorr",
            "crsplit",
            "subarray",
            "detector",
            "dtype",
            "instr",
        ),
        "svm": (),
    }
)
#: Columns normalised by PowerX (Yeo-Johnson + standardise), in ``tx_data`` order.
NORM_COLS: Mapping[str, tuple[str, ...]] = MappingProxyType({"asn": ("n_files", "total_mb")})
#: Names of the normalised columns.
RENAME_COLS: Mapping[str, tuple[str, ...]] = MappingProxyType({"asn": ("x_files", "x_size")})
#: The model input columns: normalised columns first, then the 7 others.
X_NORM: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {"asn": RENAME_COLS["asn"] + COLUMN_ORDER["asn"][2:]}
)
#: First letter of a dataset name -> ``instr`` code.
INSTRUMENT_CODES: Mapping[str, int] = MappingProxyType({"j": 0, "l": 1, "o": 2, "i": 3})
#: ``instr`` code -> instrument name.
INSTRUMENT_NAMES: Mapping[int, str] = MappingProxyType({0: "ACS", 1: "COS", 2: "STIS", 3: "WFC3"})
#: ``DETECTOR`` values encoded as 1.
WIDE_DETECTORS: frozenset[str] = frozenset({"UVIS", "WFC"})
#: Calibration-switch values encoded as 0 (``PERFORM`` is 1).
SWITCH_OFF: frozenset[str] = frozenset({"OMIT", "COMPLETE", "SKIPPED"})
#: Spellings of "not applicable / not set" (compared upper-case).
NOT_APPLICABLE: frozenset[str] = frozenset({"", "NAN", "NONE", "N/A", "NA", "NULL"})
#: Memory-bin labels (1.1.4 scan labels) for bins 0-3: < 2, 2-8, 8-16, > 16 GB.
MEM_BIN_LABELS: tuple[str, ...] = ("2g", "8g", "16g", "64g")
