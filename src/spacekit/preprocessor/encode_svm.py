"""Encoding tables of the SVM alignment features and the offline target-category lookup.

spacekit 1.1.4 asked MAST (over the network) for the ``target_classification`` of every
target and encoded the text before the first ``;`` as an abbreviation and then a code.
Here the lookup is offline by default: :class:`TargetCategories` reads a packaged table
(``spacekit/preprocessor/data/svm_target_categories.csv``), optionally extended with the
user's own ``targname,category`` CSV. A target it does not know gets the category
``"None"``, which 1.1.4 also used when MAST had no answer (code ``U``, unidentified).
An online MAST lookup (astroquery, needs the network) can be switched on explicitly.

All tables are read-only.
"""

from __future__ import annotations

import csv
import logging
import os
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from spacekit.exceptions import InputError
from spacekit.preprocessor.encode import PairEncoder

__all__ = [
    "CATEGORY_ABBREVIATIONS",
    "SVM_KEYPAIRS",
    "abbreviate_category",
    "TargetCategories",
    "mast_category_lookup",
    "encode_svm_features",
]

log = logging.getLogger(__name__)

#: MAST target classification (text before the first ";") -> 1.1.4's abbreviation.
CATEGORY_ABBREVIATIONS: Mapping[str, str] = MappingProxyType(
    {
        "CALIBRATION": "C",
        "SOLAR SYSTEM": "SS",
        "ISM": "I",
        "EXT-MEDIUM": "I",
        "STAR": "S",
        "EXT-STAR": "S",
        "UNIDENTIFIED": "U",
        "None": "U",
        "STELLAR CLUSTER": "SC",
        "EXT-CLUSTER": "SC",
        "CLUSTER OF GALAXIES": "GC",
        "GALAXY": "G",
    }
)

#: Codes of the three categorical SVM features (1.1.4's ``HstSvmEncoder``).
SVM_KEYPAIRS: Mapping[str, Mapping[str, int]] = MappingProxyType(
    {
        "category": MappingProxyType(
            {"C": 0, "SS": 1, "I": 2, "U": 3, "SC": 4, "S": 5, "GC": 6, "G": 7}
        ),
        "detector": MappingProxyType({"hrc": 0, "ir": 1, "sbc": 2, "uvis": 3, "wfc": 4}),
        "wcstype": MappingProxyType(
            {"a posteriori": 0, "a priori": 1, "default a": 2, "not aligned": 3}
        ),
    }
)
_ENCODED_NAMES = {"category": "cat", "detector": "det", "wcstype": "wcs"}


def abbreviate_category(text) -> str:
    """Abbreviation of a MAST classification (``"GALAXY;SPIRAL"`` → ``"G"``).

    Missing values and unknown texts are returned unchanged (after the ``;`` cut), so the
    encoder reports them.
    """
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return "U"
    head = str(text).split(";")[0].strip()
    return CATEGORY_ABBREVIATIONS.get(head, CATEGORY_ABBREVIATIONS.get(head.upper(), head))


def _norm_name(name) -> str:
    return "-".join(str(name).strip().upper().replace("_", "-").split())


class TargetCategories:
    """Offline ``TARGNAME`` → MAST category lookup.

    Parameters
    ----------
    extra : path-like or Mapping, optional
        More targets: a CSV file with ``targname,category`` columns, or a mapping. They
        take precedence over the packaged table.

    Examples
    --------
    >>> TargetCategories().lookup("cosmos-field")
    'GALAXY'
    >>> TargetCategories({"MY-FIELD": "STAR"}).lookup("MY-FIELD")
    'STAR'
    >>> TargetCategories().lookup("NOT-A-KNOWN-TARGET")
    'None'
    """

    def __init__(self, extra: str | os.PathLike | Mapping[str, str] | None = None) -> None:
        res = resources.files("spacekit.preprocessor.data").joinpath("svm_target_categories.csv")
        self.table: dict[str, str] = self._read(res.read_text(encoding="utf-8"), str(res))
        if isinstance(extra, Mapping):
            self.table.update({_norm_name(k): str(v) for k, v in extra.items()})
        elif extra is not None:
            path = Path(extra)
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise InputError(f"Cannot read the target table '{path}': {exc}") from exc
            self.table.update(self._read(text, str(path)))

    @staticmethod
    def _read(text: str, source: str) -> dict[str, str]:
        lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
        reader = csv.DictReader(lines)
        if reader.fieldnames is None or not {"targname", "category"} <= set(reader.fieldnames):
            raise InputError(
                f"The target table '{source}' needs the columns 'targname,category'; "
                f"it has {reader.fieldnames}."
            )
        return {_norm_name(r["targname"]): r["category"].strip() for r in reader}

    def lookup(self, targname) -> str:
        """Category text of ``targname``, or ``"None"`` when it is unknown."""
        return self.table.get(_norm_name(targname), "None")

    def __call__(self, rows: pd.DataFrame) -> pd.Series:
        """Category of each row of a table with a ``targname`` column."""
        return rows["targname"].map(self.lookup)


def mast_category_lookup(retries: int = 3) -> Callable[[pd.DataFrame], pd.Series]:
    """An online lookup asking MAST (astroquery) for each target's classification.

    This needs the network and ``astroquery``; it is never used unless asked for
    (``category_lookup="mast"``). Targets named ``ANY`` are looked up by proposal and a
    0.1° box around ``ra_targ, dec_targ`` as in 1.1.4. A failed query gives ``"None"``.
    """
    from spacekit._optional import require

    obs = require("astroquery.mast", "the online MAST category lookup").Observations

    def _first(table) -> str:
        if table is None or len(table) == 0 or "target_classification" not in table.colnames:
            return "None"
        for value in table["target_classification"]:
            if value and str(value).strip() and str(value) != "--":
                return str(value)
        return "None"

    def lookup(rows: pd.DataFrame) -> pd.Series:
        out = {}
        for idx, row in rows.iterrows():
            for attempt in range(retries):
                try:
                    if str(row["targname"]).upper() == "ANY":
                        prop = str(idx).split("_")[1]
                        ra, dec = float(row["ra_targ"]), float(row["dec_targ"])
                        table = obs.query_criteria(
                            proposal_id=prop, s_ra=[ra, ra + 0.1], s_dec=[dec, dec + 0.1]
                        )
                    else:
                        table = obs.query_criteria(target_name=row["targname"])
                    out[idx] = _first(table)
                    break
                except Exception as exc:  # network errors of any kind: retry, then give up
                    log.warning("MAST lookup of %s failed (%s)", row["targname"], exc)
                    if attempt == retries - 1:
                        out[idx] = "None"
        return pd.Series(out).reindex(rows.index)

    return lookup


def encode_svm_features(df: pd.DataFrame) -> pd.DataFrame:
    """Add the ``cat``, ``det`` and ``wcs`` codes (originals kept); return a new frame.

    Unknown values get one more than the largest code and an
    :class:`~spacekit.exceptions.UnknownCategoryWarning`.
    """
    out = df.copy()
    abbrev = out["category"].map(abbreviate_category)
    for col, values in (
        ("category", abbrev),
        ("detector", out["detector"].astype(str).str.lower()),
        ("wcstype", out["wcstype"].astype(str)),
    ):
        out[_ENCODED_NAMES[col]] = PairEncoder().fit_transform(values, SVM_KEYPAIRS[col])
    return out
