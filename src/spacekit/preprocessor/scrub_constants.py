"""Sentinel values used when cleaning header values (spacekit 1.1.4 ``preprocessor``).

``NANVALS`` are the values that mean "not set", ``SUBNAN`` adds ``FULL`` (no subarray
suffix in a product name), ``TRUEVALS``/``FALSEVALS`` the spellings of booleans found in
JWST headers and pipeline-metadata tables.
"""

from __future__ import annotations

import math

__all__ = ["NANVALS", "SUBNAN", "TRUEVALS", "FALSEVALS", "is_nan_like"]

NANVALS: tuple = ("NaN", "nan", "N/A", "NONE", "None", "none", None)
SUBNAN: tuple = NANVALS + ("FULL",)
TRUEVALS: tuple = (True, "t", "T", "True", "true", "TRUE")
FALSEVALS: tuple = (False, "f", "F", "False", "false", "FALSE", "0") + NANVALS


def is_nan_like(value, nanvals: tuple = NANVALS) -> bool:
    """Return True if ``value`` is one of ``nanvals`` or a float NaN.

    Examples
    --------
    >>> is_nan_like("N/A"), is_nan_like(float("nan")), is_nan_like("CLEAR")
    (True, True, False)
    """
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        return value in nanvals
    except TypeError:
        return False
