"""Constants of the HST calibration resource models, at spacekit 1.1.4's import path.

The tables live in the stages that own them and are re-exported here unchanged:

- raw keys and FITS keywords: :mod:`spacekit.extractor.keywords.hst_cal`;
- feature columns, codes and vocabularies: :mod:`spacekit.preprocessor.tables.hst_cal`.

All are read-only.

Attributes
----------
COLUMN_ORDER : Mapping[str, tuple of str]
    ``"asn"``: the 9 raw feature columns in model order; ``"svm"``: empty.
NORM_COLS : Mapping[str, tuple of str]
    ``"asn"``: ``n_files, total_mb`` (normalised by PowerX).
RENAME_COLS : Mapping[str, tuple of str]
    ``"asn"``: ``x_files, x_size`` (their normalised names).
X_NORM : Mapping[str, tuple of str]
    ``"asn"``: the 9 model input columns (normalised first).
FEATURE_KEYS : tuple of str
    The raw values of a dataset (``_MemModelFeatures.txt`` keys).
HEADER_KEYWORDS : tuple of str
    Primary-header keywords read from raw FITS files.
INSTRUMENT_CODES, INSTRUMENT_NAMES, WIDE_DETECTORS, SWITCH_OFF, NOT_APPLICABLE
    The encoding tables.
MEM_BIN_LABELS : tuple of str
    ``2g, 8g, 16g, 64g``: memory bins 0-3 (< 2, 2-8, 8-16, > 16 GB).
"""

from spacekit.extractor.keywords.hst_cal import FEATURE_KEYS, FEATURES_SUFFIX, HEADER_KEYWORDS
from spacekit.preprocessor.tables.hst_cal import (
    COLUMN_ORDER,
    INSTRUMENT_CODES,
    INSTRUMENT_NAMES,
    MEM_BIN_LABELS,
    NORM_COLS,
    NOT_APPLICABLE,
    RENAME_COLS,
    SWITCH_OFF,
    WIDE_DETECTORS,
    X_NORM,
)

__all__ = [
    "COLUMN_ORDER",
    "NORM_COLS",
    "RENAME_COLS",
    "X_NORM",
    "FEATURE_KEYS",
    "FEATURES_SUFFIX",
    "HEADER_KEYWORDS",
    "INSTRUMENT_CODES",
    "INSTRUMENT_NAMES",
    "WIDE_DETECTORS",
    "SWITCH_OFF",
    "NOT_APPLICABLE",
    "MEM_BIN_LABELS",
]
