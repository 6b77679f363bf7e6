"""Match Level-1 exposures, grouped into Level-3 products, to the Level-3 jobs that measured them.

A product made by :class:`~spacekit.preprocessor.scrub.JwstCalScrubber` matches a Level-3
job with the same name once the target token is removed
(``jw01076-o101_t1_nircam_clear-f212n`` ~ ``jw01076-o101_t001_nircam_clear-f212n``); among
several candidates, the one with the same target number, then the same ``TARGNAME``, wins.
Level-3 mosaics (association names ``jwNNNNN-cNNNN...``) are set aside, not matched.

Examples
--------
>>> from spacekit.preprocessor.ingest.match import product_key
>>> product_key("jw01076-o101_t001_nircam_clear-f212n")
('jw01076-o101_nircam_clear-f212n', 1)
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from spacekit.exceptions import FlaggedInputWarning, SkippedInputWarning
from spacekit.preprocessor.tables.jwst_cal import EXPMODES, L3_TYPES

__all__ = [
    "MOSAIC_PATTERN",
    "MAX_IMAGE_SIZE_KB",
    "IngestMatch",
    "product_key",
    "drop_unusable",
    "match_products",
]

log = logging.getLogger(__name__)

#: Level-3 association names of mosaics (``jwNNNNN-cNNNN...``), which are not matched.
MOSAIC_PATTERN = re.compile(r"^jw\d{5}-c\d{4}", re.IGNORECASE)
#: A Level-3 ``ImageSize`` (kB) is a training label only inside (0, 1e9]: 1e9 kB is
#: 1,000 GB, above the 990 GB the predictions are capped at.
MAX_IMAGE_SIZE_KB = 1e9


def product_key(name: str) -> tuple[str, int | None]:
    """Split a product name into (name without the target token, target number or None)."""
    parts = str(name).lower().split("_", 2)
    if len(parts) < 3:
        return str(name).lower(), None
    head, tid, rest = parts
    num = int(tid[1:]) if tid[:1] in ("t", "s") and tid[1:].isdigit() else None
    return f"{head}_{rest}", num


def drop_unusable(df: pd.DataFrame) -> tuple[pd.DataFrame, list[tuple[str, str]], int]:
    """Drop the job rows that can never be matched or label a product.

    Level-3 rows whose ``ImageSize`` is not a number in (0, :data:`MAX_IMAGE_SIZE_KB`]
    (missing, text, infinite, zero, negative, 1e308...) are listed as skipped with the
    file they came from; Level-1 exposures whose ``EXP_TYPE`` makes no Level-3 product
    (target acquisitions ...) and MIRI MRS channel 2/4 Level-3 rows (products are named
    after channels 1 and 3, as in 1.1.4) are dropped.

    Returns
    -------
    kept : pandas.DataFrame
    skipped : list of (str, str)
        ``(Dataset (source file), reason)`` of the Level-3 rows without a size.
    n_dropped : int
        Number of rows dropped for their type or channel.
    """
    skipped: list[tuple[str, str]] = []
    size = pd.to_numeric(df["ImageSize"], errors="coerce")
    ok = size.gt(0) & size.le(MAX_IMAGE_SIZE_KB)  # NaN and inf are never in range
    no_size = (df["level"] == 3) & ~ok.fillna(False)
    if no_size.any():
        sources = df.loc[no_size, "source"] if "source" in df.columns else None
        values = df.loc[no_size, "ImageSize"]
        for ds, value in zip(df.index[no_size.to_numpy()], values, strict=True):
            where = f" ({sources.loc[ds]})" if sources is not None else ""
            skipped.append(
                (
                    f"{ds}{where}",
                    f"Level-3 job has ImageSize {value!r}, not a memory size in "
                    f"(0, {MAX_IMAGE_SIZE_KB:g}] kB; not a training label",
                )
            )
        log.warning("skipped %d Level-3 rows without a usable ImageSize", int(no_size.sum()))
        df = df[~no_size.to_numpy()]
    drop = pd.Series(False, index=df.index)
    if "EXP_TYPE" in df.columns:
        exp = df["EXP_TYPE"].astype("string").str.upper()
        drop |= (df["level"] == 1) & ~exp.isin(L3_TYPES).fillna(False)
    names = df.index.to_series().str.lower()
    drop |= (df["level"] == 3) & names.str.contains(r"_miri_ch[24]-", regex=True)
    n_dropped = int(drop.sum())
    if n_dropped:
        log.info(
            "dropped %d rows: Level-1 exposures of non-Level-3 types (target "
            "acquisitions ...) and MIRI MRS channel 2/4 Level-3 rows",
            n_dropped,
        )
    return df[~drop.to_numpy()], skipped, n_dropped


@dataclass
class IngestMatch:
    """What :func:`match_products` found.

    Attributes
    ----------
    tables : dict of str to pandas.DataFrame
        ``{mode: features}`` of matched products (index = Level-3 ``Dataset``), with the
        target ``imgsize_gb = ImageSize / 1e6``.
    raw : pandas.DataFrame
        The matched Level-3 rows, with an ``exp_mode`` column.
    used : set of str
        ``Dataset`` labels (Level-1 and Level-3) consumed by a match.
    mosaics : pandas.DataFrame
        Level-3 mosaic rows, set aside.
    matched : dict of str to int
        Matched products per mode (lower case).
    skipped : list of (str, str)
        Exposures or products the scrubber could not use, with the reason.
    """

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    raw: pd.DataFrame | None = None
    used: set[str] = field(default_factory=set)
    mosaics: pd.DataFrame | None = None
    matched: dict[str, int] = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def _targname(members: Sequence[str], l1: pd.DataFrame) -> str | None:
    if "TARGNAME" not in l1.columns:
        return None
    names = l1.loc[[m for m in members if m in l1.index], "TARGNAME"].dropna().astype(str)
    return names.iloc[0] if len(names) else None


def match_products(jobs: pd.DataFrame) -> IngestMatch:
    """Group the Level-1 rows of ``jobs`` into products and match them to Level-3 rows.

    Parameters
    ----------
    jobs : pandas.DataFrame
        De-duplicated job rows (index ``Dataset``) with ``level`` (1 or 3), ``date``,
        ``year``, ``doy``, ``ImageSize`` and the Level-1 header keywords.

    Returns
    -------
    IngestMatch
    """
    from spacekit.preprocessor.scrub import JwstCalScrubber

    l1 = jobs[jobs["level"] == 1]
    l3 = jobs[jobs["level"] == 3]
    mosaic = l3.index.to_series().str.match(MOSAIC_PATTERN)
    out = IngestMatch(mosaics=l3[mosaic])
    l3 = l3[~mosaic]
    out.raw = l3.iloc[0:0]
    if l1.empty or l3.empty:
        return out
    keyed: dict[str, list[str]] = {}
    for ds in l3.index:
        keyed.setdefault(product_key(ds)[0], []).append(ds)
    with warnings.catch_warnings():
        # the scrubber's skips and flags go to the report (and the log), not the console
        warnings.simplefilter("ignore", FlaggedInputWarning)
        warnings.simplefilter("ignore", SkippedInputWarning)
        scrubber = JwstCalScrubber(data=l1, mode="df", progress=False)
    out.skipped += [(str(p), str(r)) for p, r in scrubber.skipped]
    products = scrubber.products
    raw_rows, taken = [], set()
    for mode in EXPMODES:
        feats = scrubber.scrub_inputs(exp_type=mode)
        if feats is None or len(feats) == 0:
            continue
        rows = []
        for pname in feats.index:
            key, num = product_key(pname)
            cands = [c for c in keyed.get(key, []) if c not in taken]
            if not cands:
                continue
            if len(cands) > 1:
                same_num = [c for c in cands if product_key(c)[1] == num]
                tname = _targname(products.get(pname, []), l1)
                same_targ = (
                    [c for c in cands if tname is not None and str(l3.at[c, "TARGNAME"]) == tname]
                    if "TARGNAME" in l3.columns
                    else []
                )
                cands = same_num or same_targ or cands
            ds = sorted(cands)[0]
            taken.add(ds)
            out.used.add(ds)
            out.used.update(m for m in products.get(pname, []) if m in l1.index)
            if pname in scrubber.flags:  # built from garbage headers: not a training row
                out.skipped.append(
                    (f"{ds} ({pname})", f"not a training row: {'; '.join(scrubber.flags[pname])}")
                )
                continue
            row = feats.loc[pname].to_dict()
            job = l3.loc[ds]
            row.update(
                Dataset=ds,
                pname=pname,
                date=job["date"],
                year=job["year"],
                doy=job["doy"],
                imagesize=float(job["ImageSize"]),
                imgsize_gb=float(job["ImageSize"]) / 1e6,
                exp_mode=mode.lower(),
            )
            rows.append(row)
            raw_rows.append(job.to_frame().T.assign(exp_mode=mode.lower()))
        if rows:
            out.tables[mode] = pd.DataFrame(rows).set_index("Dataset")
            out.matched[mode.lower()] = len(rows)
    if raw_rows:
        out.raw = pd.concat(raw_rows)
    return out
