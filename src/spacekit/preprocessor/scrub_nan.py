"""Missing-value handling and category grouping of the scrubbed JWST columns (spec §1.9).

Order (as in spacekit 1.1.4): continuous columns are coerced to numbers with NaN -> 0.0;
categorical columns map ``"N/A"``/``"NaN"``/``"NAN"``/``"nan"`` (and real missing values)
to ``"NONE"``; boolean columns become 0/1. Then NIRCam detector combinations and subarray
names are grouped before encoding.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from spacekit.preprocessor.encode import encode_booleans

__all__ = [
    "DTYPE_KEYS",
    "XCOL_ORDER",
    "NaNdler",
    "group_nircam_detectors",
    "group_subarrays",
]

#: The 27 scrubbed columns, in order (spec §1.8).
XCOL_ORDER: tuple[str, ...] = (
    "instr",
    "detector",
    "exp_type",
    "visitype",
    "filter",
    "pupil",
    "grating",
    "fxd_slit",
    "channel",
    "subarray",
    "bkgdtarg",
    "is_imprt",
    "tsovisit",
    "nexposur",
    "numdthpt",
    "band",
    "targ_max_offset",
    "offset",
    "max_offset",
    "mean_offset",
    "sigma_offset",
    "err_offset",
    "sigma1_mean",
    "frac",
    "targ_frac",
    "gs_mag",
    "crowdfld",
)

#: Column groups for NaN handling (``fxd_slit`` stays a raw string).
DTYPE_KEYS: dict[str, tuple[str, ...]] = {
    "continuous": (
        "nexposur",
        "numdthpt",
        "targ_max_offset",
        "offset",
        "max_offset",
        "mean_offset",
        "sigma_offset",
        "err_offset",
        "sigma1_mean",
        "frac",
        "targ_frac",
        "gs_mag",
    ),
    "boolean": ("bkgdtarg", "tsovisit", "is_imprt", "crowdfld"),
    "categorical": (
        "instr",
        "detector",
        "filter",
        "pupil",
        "grating",
        "exp_type",
        "channel",
        "band",
        "subarray",
        "visitype",
    ),
}

_CAT_NANS = ("N/A", "NaN", "NAN", "nan")

log = logging.getLogger(__name__)


def _cat_value(value):
    """Category value after NaN handling: NaN-likes become ``"NONE"``; others unchanged."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "NONE"
    if isinstance(value, str):
        return "NONE" if value in _CAT_NANS else value
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return str(int(value))  # e.g. CHANNEL 12 read as a number from a CSV
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return value


class NaNdler:
    """Fill missing values of a scrubbed DataFrame by column type.

    Parameters
    ----------
    df : DataFrame
        Input; not modified.
    dtype_cols : Mapping, default=DTYPE_KEYS
        ``{"continuous": [...], "categorical": [...], "boolean": [...]}``.
    allow_neg, verbose : bool, default=False
        Accepted for spacekit 1.1.4 compatibility; ``verbose`` logs the NaN counts at DEBUG.
    """

    def __init__(self, df: pd.DataFrame, dtype_cols=None, allow_neg=False, verbose=False) -> None:
        self.df = df
        self.dtype_cols = dtype_cols if dtype_cols is not None else DTYPE_KEYS
        self.allow_neg = allow_neg
        self.verbose = verbose

    def apply_nandlers(self) -> pd.DataFrame:
        """Return a new DataFrame with continuous, categorical and boolean columns handled."""
        df = self.df.copy()
        if self.verbose:
            log.debug("NaNs before NaN handling:\n%s", df.isna().sum())
        for col in self.dtype_cols.get("continuous", ()):
            if col in df.columns:
                df[col] = pd.to_numeric(df[col], errors="coerce").astype(float).fillna(0.0)
        for col in self.dtype_cols.get("categorical", ()):
            if col in df.columns:
                df[col] = pd.Series([_cat_value(v) for v in df[col]], index=df.index, dtype=object)
        return encode_booleans(df, [c for c in self.dtype_cols.get("boolean", ()) if c in df])


def _nircam_group(det) -> object:
    if not isinstance(det, str):
        return det
    has_a, has_b = "NRCA" in det, "NRCB" in det
    if has_a and has_b:
        return "NRC-M"
    if not (has_a or has_b):
        return det
    if "|" not in det:
        return "NRC-S"
    return "NRCA-M" if has_a else "NRCB-M"


def group_nircam_detectors(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy with NIRCam ``detector`` values grouped.

    One detector -> ``NRC-S``; several module-A detectors -> ``NRCA-M``; several module-B
    -> ``NRCB-M``; both modules -> ``NRC-M``.
    """
    out = df.copy()
    if "detector" in out.columns:
        out["detector"] = pd.Series(
            [_nircam_group(d) for d in out["detector"]], index=out.index, dtype=object
        )
    return out


def group_subarrays(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy with ``subarray`` names starting with MASK, SUB or WFSS set to that prefix."""
    out = df.copy()
    if "subarray" not in out.columns:
        return out

    def group(value):
        if isinstance(value, str):
            for key in ("MASK", "SUB", "WFSS"):
                if value.startswith(key):
                    return key
        return value

    out["subarray"] = pd.Series([group(v) for v in out["subarray"]], index=out.index, dtype=object)
    return out
