"""Group JWST Level-1 exposures into Level-3 products and name them (spacekit 1.1.4 rules).

Product names follow ``jw{PROGRAM}-o{OBSERVTN}_{tid}_{INSTRUME}_{optelem}[...]`` in lower
case (spec §1.5). The target id ``tid`` comes from lookup tables of target names, rounded
target RAs and guide-star magnitudes (§1.6), numbered deterministically per observation
(:mod:`~spacekit.preprocessor.scrub_targets` documents the rule).

Nothing here modifies the header dicts it receives.
"""

from __future__ import annotations

from collections.abc import Mapping

from spacekit.preprocessor.scrub_constants import FALSEVALS, SUBNAN, TRUEVALS, is_nan_like
from spacekit.preprocessor.scrub_targets import (
    SOURCE_BASED,
    TargetIds,
    fake_target_ids,
    rounded,
    scope_of,
    target_id,
)
from spacekit.preprocessor.tables.jwst_cal import L3_TYPES

__all__ = [
    "TSO_AMI_CORON",
    "SOURCE_BASED",
    "image_product_name",
    "spec_product_name",
    "group_products",
    "split_target_groups",
]

TSO_AMI_CORON = (
    "MIR_4QPM",
    "MIR_LYOT",
    "NRC_CORON",
    "NIS_AMI",
    "NRS_BRIGHTOBJ",
    "NRC_TSGRISM",
    "NRC_TSIMAGE",
)
_FIXED = "PRIME_TARGETED_FIXED"


def _in(value, values) -> bool:
    try:
        return value in values
    except TypeError:
        return False


def _fmt(value) -> str:
    return "" if is_nan_like(value) else f"{value}"


def _prefix(hdr: Mapping, tid: str) -> str:
    prog, obs = scope_of(hdr)
    return f"jw{prog}-o{obs}_{tid}_{hdr.get('INSTRUME')}_"


def _is_tac(hdr: Mapping) -> bool:
    return hdr.get("EXP_TYPE") in TSO_AMI_CORON or _in(hdr.get("TSOVISIT"), TRUEVALS)


def image_product_name(hdr: Mapping, tid: str) -> tuple[str, str] | None:
    """Return ``(mode, product name)`` of an imaging exposure, or None if it has no product.

    ``mode`` is ``"TAC"`` (TSO/AMI/coronagraphy), ``"FGS"`` or ``"IMAGE"``.
    """
    pupil, fltr = _fmt(hdr.get("PUPIL")), _fmt(hdr.get("FILTER"))
    sub = hdr.get("SUBARRAY")
    subarray = "" if is_nan_like(sub, SUBNAN) else f"-{sub}"
    if not pupil:
        optelem = fltr
    elif pupil in ("CLEAR", "CLEARP", "F405N"):
        optelem = f"{pupil}-{fltr}"
    else:
        optelem = f"{fltr}-{pupil}"
    if "WFSC" in str(hdr.get("VISITYPE")):
        if subarray:
            return None
        name = f"{_prefix(hdr, tid)}{optelem}-{hdr.get('DETECTOR')}".lower()
    else:
        name = f"{_prefix(hdr, tid)}{optelem}{subarray}".lower()
    if _is_tac(hdr):
        return "TAC", _tac_name(hdr, name)
    if hdr.get("INSTRUME") == "FGS":
        return "FGS", name
    return "IMAGE", name


def spec_product_name(hdr: Mapping, tid: str) -> tuple[str, str] | None:
    """Return ``(mode, product name)`` of a spectroscopic (or coronagraphic/AMI) exposure.

    ``mode`` is ``"TAC"`` or ``"SPEC"``; None for a non-TSO MIR_LRS-SLITLESS exposure.
    """
    exptype = hdr.get("EXP_TYPE")
    if exptype == "MIR_LRS-SLITLESS" and _in(hdr.get("TSOVISIT"), FALSEVALS):
        return None
    pupil, fltr, grating = (_fmt(hdr.get(k)) for k in ("PUPIL", "FILTER", "GRATING"))
    if pupil:
        first_filter = exptype in ("NRC_WFSS", "NIS_SOSS", "NRC_TSGRISM")
        optelem = f"{fltr}-{pupil}" if first_filter else f"{pupil}-{fltr}"
    elif grating:
        optelem = f"{grating}-{fltr}" if exptype == "NRS_IFU" else f"{fltr}-{grating}"
    elif exptype == "MIR_MRS":
        optelem = ""  # 1.1.4: MRS products are named by channel and band only
    else:
        optelem = fltr
    slit = "" if is_nan_like(hdr.get("FXD_SLIT")) else f"-{hdr.get('FXD_SLIT')}"
    sub = hdr.get("SUBARRAY")
    subarray = "" if is_nan_like(sub, SUBNAN) else f"-{sub}"
    band = (
        "" if is_nan_like(hdr.get("BAND")) else f"ch{str(hdr.get('CHANNEL'))[:1]}-{hdr.get('BAND')}"
    )
    prefix = _prefix(hdr, tid)
    if _is_tac(hdr):
        if fltr == "CLEAR" and grating == "PRISM":
            slit = ""  # NRS_BRIGHTOBJ CLEAR/PRISM: no slit in the name
        name = f"{prefix}{optelem}{slit}{subarray}{band}".lower()
        return "TAC", _tac_name(hdr, name)
    return "SPEC", f"{prefix}{optelem}{slit}{subarray}{band}".lower()


def _tac_name(hdr: Mapping, name: str) -> str:
    return f"{name}-image3" if hdr.get("EXP_TYPE") == "NRC_CORON" else name


def group_products(
    exp_headers: Mapping[str, Mapping],
    ids: TargetIds | None = None,
    skipped: list[tuple[str, str]] | None = None,
) -> dict[str, dict[str, dict[str, Mapping]]]:
    """Sort Level-3 exposures into products: ``{mode: {product: {exposure key: header}}}``.

    Modes are IMAGE, SPEC, TAC and FGS. Exposures that belong to no product (an
    ``EXP_TYPE`` outside ``L3_TYPES``, a non-TSO MIR_LRS-SLITLESS exposure, a WFSC
    subarray exposure) are left out and, when ``skipped`` is a list, appended to it as
    ``(exposure key, reason)``. Products whose exposures point at several targets are
    split afterwards (:func:`split_target_groups`).
    """
    ids = ids if ids is not None else fake_target_ids(exp_headers)
    out: dict[str, dict] = {"IMAGE": {}, "SPEC": {}, "TAC": {}, "FGS": {}}
    l3 = set(L3_TYPES)
    left_out = skipped if skipped is not None else []
    for key, hdr in exp_headers.items():
        exptype = hdr.get("EXP_TYPE")
        if not _in(exptype, l3):
            left_out.append((key, f"EXP_TYPE {exptype} has no Level-3 product"))
            continue
        tid = target_id(hdr, ids)
        if "IMAGE" in exptype.split("_")[-1]:
            res = image_product_name(hdr, tid)
        else:
            res = spec_product_name(hdr, tid)
        if res is None:
            why = (
                "a WFSC exposure on a subarray"
                if "WFSC" in str(hdr.get("VISITYPE"))
                else "a MIR_LRS-SLITLESS exposure outside a TSO visit"
            )
            left_out.append((key, f"{why} has no Level-3 product"))
            continue
        mode, name = res
        out[mode].setdefault(name, {})[key] = hdr
    return {mode: split_target_groups(prods, ids) for mode, prods in out.items()}


def _dec_key(value):
    """TARG_DEC as a set member: NaN-like values are one key (None)."""
    if is_nan_like(value):
        return None
    try:
        hash(value)
    except TypeError:
        return str(value)
    return value


def split_target_groups(products: dict[str, dict], ids: TargetIds) -> dict[str, dict]:
    """Split products of fixed targets whose exposures have several TARG_RA/TARG_DEC values.

    A product splits when it has more than one distinct rounded TARG_RA and more than one
    distinct (unrounded) TARG_DEC, its first exposure is PRIME_TARGETED_FIXED and that
    exposure's TARGNAME is a ``tn`` key.
    Each TARG_RA group (ascending) becomes ``..._{tid}x{i}_...``, ``i`` from 0.
    """
    out: dict[str, dict] = {}
    for name, exposures in products.items():
        hdrs = list(exposures.values())
        first = hdrs[0]
        ras = {rounded(h.get("TARG_RA")) for h in hdrs}
        decs = {_dec_key(h.get("TARG_DEC")) for h in hdrs}  # 1.1.4: distinct, not rounded
        if not (
            len(ras) > 1
            and len(decs) > 1
            and first.get("VISITYPE") == _FIXED
            and ids.is_target_name(first.get("TARGNAME"))
        ):
            out[name] = exposures
            continue
        tid = ids.token(first, "tn", first.get("TARGNAME"))
        for i, ra in enumerate(sorted(ras, key=lambda r: (r is None, r or 0.0))):
            new = name.replace(f"_{tid}_", f"_{tid}x{i}_", 1)
            out[new] = {k: h for k, h in exposures.items() if rounded(h.get("TARG_RA")) == ra}
    return out
