"""File names and Level-3 product names of simulated JWST exposures.

Level-1 file names follow the real convention::

    jw{program:05d}{obs:03d}{visit:03d}_{visitgrp:02d}{seq:1d}{act:02d}_{exposure:05d}_{detector}_uncal.fits

Product names follow the spacekit 1.1.4 rule (``specs/spacekit-1.1.4-core.md`` §1.5)::

    jw{PROGRAM}-o{OBSERVTN}_{tid}_{INSTRUME}_{optelem}[-slit][-subarray][chN-band]

all lower-case, with the image / spec routing, the TAC/FGS routing, ``-image3`` for NIRCam
coronagraphy, ``-{detector}`` for WFSC full frames (WFSC subarrays dropped), MIRI LRS slitless
dropped unless it is a TSO, and the slit dropped for NIRSpec BOTS CLEAR+PRISM.

Target ids (deterministic rule, a documented difference from 1.1.4)
--------------------------------------------------------------------
1.1.4 numbers targets in the iteration order of a Python ``set`` (§1.6, §8.2), so ``t1``/``t2``
can swap between runs. spacekit 2 uses this rule instead (the scrubber implements the same):

1. Scope: the tables are built separately for every (PROGRAM, OBSERVTN) pair, from that
   observation's exposures only, so an id never depends on which other programs were given.
2. Contributing exposures: EXP_TYPE is a Level-3 type and not source-based
   (MIR_WFSS, NRC_WFSS, NIS_WFSS, NRS_MSASPEC, NRS_FIXEDSLIT).
3. Three tables, as in 1.1.4: ``rn`` keyed by ``round(TARG_RA, 6)`` from exposures with
   VISITYPE == PRIME_TARGETED_FIXED; ``tn`` keyed by TARGNAME (non-NaN) from exposures with
   any other VISITYPE; ``gn`` keyed by GS_MAG (non-NaN) from exposures whose TARGNAME is not in
   ``tn`` and whose VISITYPE is neither PRIME_TARGETED_FIXED nor PARALLEL_PURE.
4. Numbering: within each table, keys are sorted by
   ``(min round(TARG_RA, 6), min TARG_DEC, str(key))`` over the exposures that contributed
   the key (NaN coordinates sort last) and numbered ``t1, t2, ...`` in that order.
5. Lookup per exposure: source-based types get ``s000000001`` (``t0`` when VISITYPE is
   PARALLEL_PURE); otherwise ``tn[TARGNAME]``, else ``rn[round(TARG_RA, 6)]``, else
   ``gn[GS_MAG]``, else ``t0``.

The simulator never produces the 1.1.4 "target split" case (§1.6 ``verify_target_groups``:
one PRIME_TARGETED_FIXED product whose TARGNAME is also in ``tn`` with several TARG_RA).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "NANVALS",
    "LEVEL3_TYPES",
    "TSO_AMI_CORON",
    "SOURCE_BASED",
    "TSO_TYPES",
    "CORON_TYPES",
    "exposure_filename",
    "exposure_key",
    "target_id_tables",
    "target_id",
    "product_name",
    "group_products",
    "dms_product_name",
]

NANVALS = ("NaN", "nan", "N/A", "NONE", "None", "none", None)
SUBNAN = (*NANVALS, "FULL")
TRUEVALS = (True, "t", "T", "True", "true", "TRUE")

LEVEL3_TYPES = frozenset(
    "FGS_IMAGE MIR_IMAGE MIR_LRS-FIXEDSLIT MIR_MRS MIR_LYOT MIR_4QPM MIR_LRS-SLITLESS "
    "MIR_WFSS NRC_IMAGE NRC_CORON NRC_WFSS NRC_TSIMAGE NRC_TSGRISM NIS_IMAGE NIS_AMI "
    "NIS_WFSS NIS_SOSS NRS_FIXEDSLIT NRS_IFU NRS_MSASPEC NRS_BRIGHTOBJ".split()
)
TSO_AMI_CORON = frozenset(
    "MIR_4QPM MIR_LYOT NRC_CORON NIS_AMI NRS_BRIGHTOBJ NRC_TSGRISM NRC_TSIMAGE".split()
)
SOURCE_BASED = frozenset("MIR_WFSS NRC_WFSS NIS_WFSS NRS_MSASPEC NRS_FIXEDSLIT".split())
#: Time-series types (``calwebb_tso3``) and coronagraphic types (``calwebb_coron3``).
TSO_TYPES = frozenset("NRC_TSIMAGE NRC_TSGRISM NRS_BRIGHTOBJ NIS_SOSS MIR_LRS-SLITLESS".split())
CORON_TYPES = frozenset("NRC_CORON MIR_4QPM MIR_LYOT".split())
PTF = "PRIME_TARGETED_FIXED"


def _isnan(value: Any) -> bool:
    if isinstance(value, float):
        return math.isnan(value)
    return value in NANVALS


def _float(value: Any) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return math.nan
    return out


def exposure_filename(rec: Mapping[str, Any]) -> str:
    """Return the ``_uncal.fits`` name of an exposure from its header values.

    Parameters
    ----------
    rec : mapping
        Header values with PROGRAM, OBSERVTN, VISIT, VISITGRP, SEQ_ID, ACT_ID, EXPOSURE
        and DETECTOR (strings, zero-padded as in real headers).

    Returns
    -------
    str
        E.g. ``jw02732001001_02101_00001_nrca1_uncal.fits``.
    """
    return (
        f"jw{rec['PROGRAM']}{rec['OBSERVTN']}{rec['VISIT']}_{rec['VISITGRP']}{rec['SEQ_ID']}"
        f"{rec['ACT_ID']}_{rec['EXPOSURE']}_{rec['DETECTOR'].lower()}_uncal.fits"
    )


def exposure_key(filename: str) -> str:
    """Return the exposure key: the file name without its last ``_`` token.

    Parameters
    ----------
    filename : str
        A Level-1 file name such as ``jw02732001001_02101_00001_nrca1_uncal.fits``.

    Returns
    -------
    str
        E.g. ``jw02732001001_02101_00001_nrca1``.
    """
    return filename.rsplit("_", 1)[0]


def _sort_key(ras: list[float], decs: list[float], key: Any) -> tuple:
    ra = min((r for r in ras if not math.isnan(r)), default=math.inf)
    dec = min((d for d in decs if not math.isnan(d)), default=math.inf)
    return (ra, dec, str(key))


def target_id_tables(records: Iterable[Mapping[str, Any]]) -> dict[tuple, dict[str, dict]]:
    """Build the ``rn``/``tn``/``gn`` target tables per (PROGRAM, OBSERVTN).

    Parameters
    ----------
    records : iterable of mapping
        Header values of every exposure (missing keys count as NaN).

    Returns
    -------
    dict
        ``{(program, observtn): {"rn": {key: "t1"...}, "tn": {...}, "gn": {...}}}``.
    """
    raw: dict[tuple, dict[str, dict]] = defaultdict(
        lambda: {"rn": defaultdict(list), "tn": defaultdict(list), "gn": defaultdict(list)}
    )
    recs = [r for r in records if r.get("EXP_TYPE") in LEVEL3_TYPES]
    recs = [r for r in recs if r.get("EXP_TYPE") not in SOURCE_BASED]
    for r in recs:
        tabs = raw[(str(r.get("PROGRAM")), str(r.get("OBSERVTN")))]
        coords = (round(_float(r.get("TARG_RA")), 6), _float(r.get("TARG_DEC")))
        name = r.get("TARGNAME")
        if r.get("VISITYPE") == PTF:
            if not math.isnan(coords[0]):
                tabs["rn"][coords[0]].append(coords)
        elif not _isnan(name):
            tabs["tn"][name].append(coords)
    for r in recs:
        tabs = raw[(str(r.get("PROGRAM")), str(r.get("OBSERVTN")))]
        name, gsmag = r.get("TARGNAME"), r.get("GS_MAG")
        if r.get("VISITYPE") in (PTF, "PARALLEL_PURE") or name in tabs["tn"] or _isnan(gsmag):
            continue
        coords = (round(_float(r.get("TARG_RA")), 6), _float(r.get("TARG_DEC")))
        tabs["gn"][gsmag].append(coords)
    tables: dict[tuple, dict[str, dict]] = {}
    for scope, tabs in raw.items():
        tables[scope] = {}
        for tname, entries in tabs.items():
            keys = sorted(
                entries,
                key=lambda k, e=entries: _sort_key([c[0] for c in e[k]], [c[1] for c in e[k]], k),
            )
            tables[scope][tname] = {k: f"t{i + 1}" for i, k in enumerate(keys)}
    return tables


def target_id(rec: Mapping[str, Any], tables: Mapping[tuple, Mapping[str, Mapping]]) -> str:
    """Return the target-id token of one exposure (rule in the module docstring).

    Parameters
    ----------
    rec : mapping
        Header values of the exposure.
    tables : mapping
        The result of :func:`target_id_tables` for the exposure set.

    Returns
    -------
    str
        ``t1``, ``t2``..., ``s000000001`` (source-based modes) or ``t0``.
    """
    if rec.get("EXP_TYPE") in SOURCE_BASED:
        return "t0" if rec.get("VISITYPE") == "PARALLEL_PURE" else "s000000001"
    tabs = tables.get((str(rec.get("PROGRAM")), str(rec.get("OBSERVTN"))), {})
    name = rec.get("TARGNAME")
    if not _isnan(name) and name in tabs.get("tn", {}):
        return tabs["tn"][name]
    ra = round(_float(rec.get("TARG_RA")), 6)
    if ra in tabs.get("rn", {}):
        return tabs["rn"][ra]
    gsmag = rec.get("GS_MAG")
    if not _isnan(gsmag) and gsmag in tabs.get("gn", {}):
        return tabs["gn"][gsmag]
    return "t0"


def _val(rec: Mapping[str, Any], key: str, nan=NANVALS) -> str:
    value = rec.get(key)
    if value is None or (isinstance(value, float) and math.isnan(value)) or value in nan:
        return ""
    return str(value)


def product_name(rec: Mapping[str, Any], tid: str) -> tuple[str, str] | None:
    """Return ``(product_name, category)`` for one exposure, or None if it has no product.

    Parameters
    ----------
    rec : mapping
        Header values of the exposure.
    tid : str
        Its target-id token (:func:`target_id`).

    Returns
    -------
    tuple of (str, str) or None
        The lower-case product name and its category, IMAGE, SPEC, TAC or FGS (§1.5
        routing); None for exposure types without a Level-3 product.
    """
    exp_type = rec.get("EXP_TYPE")
    if exp_type not in LEVEL3_TYPES:
        return None
    tso = rec.get("TSOVISIT") in TRUEVALS
    prefix = f"jw{rec['PROGRAM']}-o{rec['OBSERVTN']}_{tid}_{rec['INSTRUME']}_"
    fltr, pupil = _val(rec, "FILTER"), _val(rec, "PUPIL")
    sub = _val(rec, "SUBARRAY", SUBNAN)
    sub = f"-{sub}" if sub else ""
    if "IMAGE" in exp_type.split("_")[-1]:
        if not pupil:
            optelem = fltr
        elif pupil in ("CLEAR", "CLEARP", "F405N"):
            optelem = f"{pupil}-{fltr}"
        else:
            optelem = f"{fltr}-{pupil}"
        if "WFSC" in str(rec.get("VISITYPE")):
            if sub:
                return None
            name = f"{prefix}{optelem}-{rec['DETECTOR']}"
        else:
            name = f"{prefix}{optelem}{sub}"
        if exp_type in TSO_AMI_CORON or tso:
            category = "TAC"
        elif rec.get("INSTRUME") == "FGS":
            category = "FGS"
        else:
            category = "IMAGE"
        return name.lower(), category
    if exp_type == "MIR_LRS-SLITLESS" and not tso:
        return None
    grating = _val(rec, "GRATING")
    if pupil:
        swap = exp_type in ("NRC_WFSS", "NIS_SOSS", "NRC_TSGRISM")
        optelem = f"{fltr}-{pupil}" if swap else f"{pupil}-{fltr}"
    elif grating:
        optelem = f"{grating}-{fltr}" if exp_type == "NRS_IFU" else f"{fltr}-{grating}"
    else:
        optelem = "" if exp_type == "MIR_MRS" else fltr
    slit = _val(rec, "FXD_SLIT")
    slit = f"-{slit}" if slit else ""
    band = _val(rec, "BAND")
    band = f"ch{str(rec.get('CHANNEL'))[0]}-{band}" if band else ""
    if exp_type in TSO_AMI_CORON or tso:
        if fltr == "CLEAR" and grating == "PRISM":
            slit = ""
        name = f"{prefix}{optelem}{slit}{sub}{band}"
        if exp_type == "NRC_CORON":
            name += "-image3"
        return name.lower(), "TAC"
    return f"{prefix}{optelem}{slit}{sub}{band}".lower(), "SPEC"


def group_products(records: list[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Group exposures into Level-3 products.

    Parameters
    ----------
    records : list of mapping
        Header values of every exposure, in any order.

    Returns
    -------
    dict
        ``{product_name: {"category": str, "members": [index into records, ...]}}``, with
        products in sorted order and members in sorted file-name order.
    """
    tables = target_id_tables(records)
    products: dict[str, dict[str, Any]] = {}
    order = sorted(range(len(records)), key=lambda i: exposure_filename(records[i]))
    for i in order:
        rec = records[i]
        named = product_name(rec, target_id(rec, tables))
        if named is None:
            continue
        name, category = named
        entry = products.setdefault(name, {"category": category, "members": []})
        entry["members"].append(i)
    return {k: products[k] for k in sorted(products)}


def dms_product_name(name: str) -> str:
    """Return the ops-style (DMS) name used for Level-3 rows of the metadata CSVs.

    The spacekit token ``t1`` becomes ``t001`` (the DMS form); everything else is kept, so
    the two names map one to one.

    Parameters
    ----------
    name : str
        A product name from :func:`product_name`.

    Returns
    -------
    str
        E.g. ``jw02732-o001_t001_nircam_clear-f150w`` for ``jw02732-o001_t1_nircam_clear-f150w``.
    """
    head, tid, rest = name.split("_", 2)
    if tid.startswith("t") and tid[1:].isdigit():
        tid = f"t{int(tid[1:]):03d}"
    return f"{head}_{tid}_{rest}"
