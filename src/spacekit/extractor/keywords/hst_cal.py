"""Keys and header keywords the HST calibration skope reads for each dataset.

The extractor owns these lists: :mod:`spacekit.extractor.scrape_hstcal` reads
:data:`FEATURE_KEYS` from calcloud's feature files and CSVs, and :data:`HEADER_KEYWORDS`
from the primary header of a dataset's raw FITS files. They are the inputs of the
published spacekit 1.1.4 models; :mod:`spacekit.skopes.hst.cal.config` re-exports them at
the 1.1.4 import path.

Attributes
----------
FEATURE_KEYS : tuple of str
    The raw values of a dataset, in the order of calcloud's ``_MemModelFeatures.txt``.
HEADER_KEYWORDS : tuple of str
    Primary-header keywords read from a dataset's raw FITS files.
FEATURES_SUFFIX : str
    File-name suffix of calcloud's per-dataset feature files.
BYTES_PER_MB : int
    ``total_mb`` of FITS inputs is their size in MiB.

Examples
--------
>>> from spacekit.extractor.keywords.hst_cal import FEATURE_KEYS, HEADER_KEYWORDS
>>> FEATURE_KEYS[:2], HEADER_KEYWORDS[0]
(('n_files', 'total_mb'), 'DETECTOR')
"""

from __future__ import annotations

__all__ = ["FEATURE_KEYS", "HEADER_KEYWORDS", "FEATURES_SUFFIX", "BYTES_PER_MB"]

FEATURE_KEYS: tuple[str, ...] = (
    "n_files",
    "total_mb",
    "DETECTOR",
    "SUBARRAY",
    "DRIZCORR",
    "PCTECORR",
    "CRSPLIT",
)
HEADER_KEYWORDS: tuple[str, ...] = ("DETECTOR", "SUBARRAY", "DRIZCORR", "PCTECORR", "CRSPLIT")
FEATURES_SUFFIX = "_MemModelFeatures.txt"
BYTES_PER_MB = 1024 * 1024
