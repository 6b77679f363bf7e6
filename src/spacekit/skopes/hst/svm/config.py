"""Constants of the SVM alignment skope, re-exported from the stages that own them.

The tables live in :mod:`spacekit.preprocessor.encode_svm` and
:mod:`spacekit.preprocessor.scrub_svm`; this module keeps them at spacekit 1.1.4's import
path.
"""

from spacekit.preprocessor.encode_svm import CATEGORY_ABBREVIATIONS, SVM_KEYPAIRS
from spacekit.preprocessor.scrub_svm import FEATURE_COLUMNS, RAW_COLUMNS

__all__ = [
    "CATEGORY_ABBREVIATIONS",
    "SVM_KEYPAIRS",
    "FEATURE_COLUMNS",
    "RAW_COLUMNS",
    "DETECTOR_KEY",
]

#: Detector codes (1.1.4's ``DETECTOR_KEY``).
DETECTOR_KEY = SVM_KEYPAIRS["detector"]
