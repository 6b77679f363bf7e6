"""Check JWST exposure header values before grouping: use, skip with a reason, or flag.

spacekit 1.1.4 turned missing or garbage header values into zeros and empty strings and
predicted from them without a word: a missing ``TARG_RA`` changed target ids and offsets,
``NUMDTHPT = 1e20`` gave 990 GB for every product, a missing ``FILTER`` merged products
into a name ending in ``_``, a missing ``PROGRAM`` made ``jwnan-o...``. Here every
keyword that matters has a decision (:data:`KEYWORD_RULES`):

* **skip** the exposure, with the reason, when the product it belongs to cannot be named
  (``EXP_TYPE``, ``PROGRAM``, ``OBSERVTN``, ``INSTRUME``, and the optical elements
  the instrument names its products by: ``FILTER``, ``PUPIL``, ``GRATING``, or
  ``CHANNEL`` and ``BAND`` for MIRI MRS), or when a value that goes into the name is not
  an element name (:data:`NAME_PARTS`; a number where ``SUBARRAY`` should be);
* **flag** the exposure (and so its product) when a model input is computed from a
  missing value (``TARG_RA``/``TARG_DEC``: target offsets are 0; ``NUMDTHPT``: the input is
  0; a ``GS_MAG`` or ``NEXPOSUR`` that is present but implausible); the product is still
  predicted, as 1.1.4 would, but the prediction carries the flag;
* **treat as missing** every numeric value outside its physical range (:data:`RANGES`),
  non-numeric, infinite or NaN, before anything else sees it. For the exposure
  fiducials (``CRVAL1``/``CRVAL2``, ``RA_REF``/``DEC_REF``) that means the exposure is left
  out of its product by the offset computation, which says so.

Exposures whose ``EXP_TYPE`` has no Level-3 product (target acquisitions, darks...) are
skipped with that reason, so every input ends up either in a product or in ``skipped``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from spacekit.preprocessor.scrub_constants import NANVALS
from spacekit.preprocessor.tables.jwst_cal import L3_TYPES

__all__ = [
    "MISSING",
    "RANGES",
    "INSTRUMENT_PREFIXES",
    "NAMING_KEYS",
    "NAME_PARTS",
    "KEYWORD_RULES",
    "HeaderCheck",
    "check_header",
    "check_headers",
    "number",
]

#: The value a missing keyword has in scraped headers.
MISSING = "NaN"

#: Physical range (inclusive) and whether the value must be a whole number, per keyword.
RANGES: Mapping[str, tuple[float, float, bool]] = MappingProxyType(
    {
        "PROGRAM": (1, 99999, True),
        "OBSERVTN": (1, 999, True),
        "TARG_RA": (0.0, 360.0, False),
        "TARG_DEC": (-90.0, 90.0, False),
        "GS_RA": (0.0, 360.0, False),
        "GS_DEC": (-90.0, 90.0, False),
        "RA_REF": (0.0, 360.0, False),
        "DEC_REF": (-90.0, 90.0, False),
        "CRVAL1": (0.0, 360.0, False),
        "CRVAL2": (-90.0, 90.0, False),
        "GS_MAG": (-10.0, 40.0, False),
        "NUMDTHPT": (1, 10000, True),
        "NEXPOSUR": (1, 100000, True),
    }
)

#: ``EXP_TYPE`` prefix -> the instrument it belongs to.
INSTRUMENT_PREFIXES: Mapping[str, str] = MappingProxyType(
    {"NRC": "NIRCAM", "NIS": "NIRISS", "NRS": "NIRSPEC", "MIR": "MIRI", "FGS": "FGS"}
)

#: Keywords each instrument names its products by (MIRI MRS: CHANNEL and BAND instead).
NAMING_KEYS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "NIRCAM": ("FILTER", "PUPIL"),
        "NIRISS": ("FILTER", "PUPIL"),
        "NIRSPEC": ("FILTER", "GRATING"),
        "MIRI": ("FILTER",),
        "FGS": (),
        "MIR_MRS": ("CHANNEL", "BAND"),
    }
)

#: Keywords whose values become part of product names (checked to be element names).
NAME_PARTS: tuple[str, ...] = (
    "FILTER",
    "PUPIL",
    "GRATING",
    "FXD_SLIT",
    "SUBARRAY",
    "CHANNEL",
    "BAND",
    "DETECTOR",
)
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+|-]*")

#: What happens when a keyword is missing or invalid (documented in the module docstring).
KEYWORD_RULES: Mapping[str, str] = MappingProxyType(
    {
        "EXP_TYPE": "skip",
        "PROGRAM": "skip",
        "OBSERVTN": "skip",
        "INSTRUME": "skip",
        "FILTER": "skip (instruments that name products by it)",
        "PUPIL": "skip (NIRCam, NIRISS)",
        "GRATING": "skip (NIRSpec)",
        "CHANNEL": "skip (MIRI MRS)",
        "BAND": "skip (MIRI MRS)",
        "TARG_RA": "flag: target offsets computed as 0",
        "TARG_DEC": "flag: target offsets computed as 0",
        "NUMDTHPT": "flag: model input 0",
        "GS_MAG": "flag when present but out of range; missing is normal",
        "NEXPOSUR": "flag when present but out of range; missing is normal",
        "CRVAL1": "exposure left out of its product (invalid fiducial)",
        "CRVAL2": "exposure left out of its product (invalid fiducial)",
        "RA_REF": "exposure left out of its product (invalid fiducial)",
        "DEC_REF": "exposure left out of its product (invalid fiducial)",
        "GS_RA": "treated as missing",
        "GS_DEC": "treated as missing",
    }
)

_FLAG_IF_MISSING = {
    "TARG_RA": "TARG_RA/TARG_DEC missing or not a sky position: target offsets computed as 0",
    "TARG_DEC": "TARG_RA/TARG_DEC missing or not a sky position: target offsets computed as 0",
    "NUMDTHPT": "NUMDTHPT missing or not a count in 1-10000: the model input is 0",
}
_FLAG_IF_INVALID = {
    "GS_MAG": "GS_MAG outside [-10, 40] or not a number: treated as missing",
    "NEXPOSUR": "NEXPOSUR not a count in 1-100000: treated as missing",
}


def _missing(value) -> bool:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return True
    try:
        return value in NANVALS
    except TypeError:
        return False


def number(value) -> float | None:
    """``value`` as a finite float if it is a real number, else None.

    Booleans and strings are not numbers (a FITS value in quotes is a string, and
    spacekit 1.1.4 did not use such values either).

    Examples
    --------
    >>> number(12), number(1.5e2), number("150"), number(True), number(float("inf"))
    (12.0, 150.0, None, None, None)
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    out = float(value)
    return out if math.isfinite(out) else None


def _whole(value) -> float | None:
    """Like :func:`number`, but also digit strings (``PROGRAM = '02732'`` is a string)."""
    if isinstance(value, str) and value.strip().isdigit():
        return float(value.strip())
    return number(value)


def _in_range(key: str, value) -> bool:
    low, high, whole = RANGES[key]
    x = _whole(value) if whole else number(value)
    return x is not None and low <= x <= high and (not whole or x.is_integer())


@dataclass
class HeaderCheck:
    """The outcome of :func:`check_header` for one exposure.

    Attributes
    ----------
    header : dict
        A copy of the header with invalid numeric values replaced by ``"NaN"`` and valid
        coordinates as floats.
    skip : str or None
        Why the exposure cannot be used, or None.
    flags : list of str
        Why predictions from this exposure are suspect (empty when they are not).
    invalid : dict
        Keyword -> the original value, for the values treated as missing.
    """

    header: dict
    skip: str | None = None
    flags: list[str] = field(default_factory=list)
    invalid: dict = field(default_factory=dict)


def _describe(value) -> str:
    return "missing" if _missing(value) else f"{value!r}"


def _skip_reason(hdr: Mapping) -> str | None:
    exptype = hdr.get("EXP_TYPE")
    if _missing(exptype) or not isinstance(exptype, str):
        return f"no EXP_TYPE (received {_describe(exptype)}); cannot tell its Level-3 product"
    if exptype not in L3_TYPES:
        return f"EXP_TYPE {exptype} has no Level-3 product"
    for key in ("PROGRAM", "OBSERVTN"):
        if not _in_range(key, hdr.get(key)):
            low, high, _ = RANGES[key]
            return (
                f"{key} is {_describe(hdr.get(key))}, not a number in {low}-{high}; the "
                "product cannot be named"
            )
    instr = hdr.get("INSTRUME")
    if instr not in NAMING_KEYS or instr == "MIR_MRS":
        return (
            f"INSTRUME is {_describe(instr)}, not a JWST instrument "
            f"({', '.join(k for k in NAMING_KEYS if k != 'MIR_MRS')})"
        )
    owner = INSTRUMENT_PREFIXES.get(exptype.split("_")[0])
    if owner != instr:
        return f"EXP_TYPE {exptype} is not an exposure type of INSTRUME {instr}"
    needed = NAMING_KEYS["MIR_MRS" if exptype == "MIR_MRS" else instr]
    absent = [k for k in needed if _missing(hdr.get(k)) or not str(hdr.get(k)).strip()]
    if absent:
        return (
            f"{' and '.join(absent)} missing: {instr} {exptype} products are named by "
            f"{', '.join(needed)}, so it cannot be grouped with the right product"
        )
    for key in NAME_PARTS:
        value = hdr.get(key)
        if not _missing(value) and not _name_token(value):
            return (
                f"{key} is {value!r}, not an element name; the product name would be "
                "wrong, so it cannot be grouped with the right product"
            )
    return None


def _name_token(value) -> bool:
    """True for a value that can be part of a product name (e.g. ``F150W``, ``12``)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value >= 0
    return isinstance(value, str) and _TOKEN.fullmatch(value.strip()) is not None


def check_header(hdr: Mapping) -> HeaderCheck:
    """Decide whether one exposure header is used, skipped or flagged.

    Parameters
    ----------
    hdr : mapping
        Keyword -> value (missing keywords ``"NaN"``), as the scraper returns it. Not
        modified.

    Returns
    -------
    HeaderCheck

    Examples
    --------
    >>> check_header({"EXP_TYPE": "NRC_TACQ"}).skip
    'EXP_TYPE NRC_TACQ has no Level-3 product'
    """
    out = dict(hdr)
    flags: list[str] = []
    invalid = {}
    for key, (_low, _high, whole) in RANGES.items():
        if key not in out or _missing(out[key]):
            if key in _FLAG_IF_MISSING:
                flags.append(_FLAG_IF_MISSING[key])
            continue
        if not _in_range(key, out[key]):
            flag = _FLAG_IF_MISSING.get(key) or _FLAG_IF_INVALID.get(key)
            if flag:
                flags.append(flag)
            invalid[key] = out[key]
            out[key] = MISSING
        elif not whole:
            out[key] = number(out[key])
    return HeaderCheck(out, _skip_reason(hdr), sorted(set(flags)), invalid)


def check_headers(exp_headers: Mapping[str, Mapping]) -> dict[str, HeaderCheck]:
    """:func:`check_header` of every exposure, in the input order."""
    return {key: check_header(hdr) for key, hdr in exp_headers.items()}
