"""Target-id tokens (``t1``, ``t2``, ...) of JWST Level-3 product names, deterministic.

spacekit 1.1.4 (spec §1.6) builds three lookup tables over all input exposures whose
EXP_TYPE is a Level-3, non-source-based type (§8.1):

- ``rn``: ``round(TARG_RA, 6)`` of PRIME_TARGETED_FIXED exposures;
- ``tn``: non-NaN TARGNAME of exposures in any other visit type;
- ``gn``: non-NaN GS_MAG of exposures whose TARGNAME is not in ``tn`` and whose visit type
  is neither PRIME_TARGETED_FIXED nor PARALLEL_PURE.

An exposure takes ``tn[TARGNAME]``, else ``rn[round(TARG_RA, 6)]``, else ``gn[GS_MAG]``,
else ``t0``. Which exposures share a token (and so a product) is exactly 1.1.4's. 1.1.4
numbered each table in the iteration order of a Python ``set``, which changes between runs
and machines. Here the numbers are **deterministic** (the rule shared with the simulator,
:mod:`spacekit.datasets.jwst.naming`):

1. numbering is done per observation, i.e. per ``(PROGRAM, OBSERVTN)``, so a product's name
   does not depend on which other programs are in the input folder;
2. within an observation, the keys of each table that the observation's exposures
   contribute (or look up) are sorted by ``(min round(TARG_RA, 6), min TARG_DEC, str(key))``
   over those exposures (NaN coordinates last) and numbered ``t1, t2, ...``.

Which *table* an exposure looks up still depends on every input exposure (1.1.4's tables
are global: a TARGNAME that is a ``tn`` key in another program's exposures makes this
one look it up in ``tn``). To number a subset of the exposures exactly as the whole set
would be numbered (e.g. one program per task on a cluster), combine the
:class:`TargetKeys` of every subset and pass them as ``fake_target_ids(subset, keys=...)``;
:meth:`TargetIds.same_lookups` says whether a subset's own keys already give that result.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from spacekit.preprocessor.scrub_constants import is_nan_like
from spacekit.preprocessor.tables.jwst_cal import L3_TYPES

__all__ = [
    "SOURCE_BASED",
    "SOURCE_TID",
    "TargetKeys",
    "TargetIds",
    "fake_target_ids",
    "target_id",
    "rounded",
]

SOURCE_BASED = ("MIR_WFSS", "NRC_WFSS", "NIS_WFSS", "NRS_MSASPEC", "NRS_FIXEDSLIT")
SOURCE_TID = "s000000001"
_FIXED = "PRIME_TARGETED_FIXED"


def rounded(value) -> float | None:
    """``round(value, 6)`` for a finite real number, else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if not math.isfinite(value):
        return None
    return round(float(value), 6)


def _hashable_in(value, table) -> bool:
    try:
        return value in table
    except TypeError:
        return False


def _padded(value, width: int) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if math.isfinite(value) and float(value).is_integer():
            return f"{int(value):0{width}d}"
    if isinstance(value, str) and value.isdigit():
        return value.zfill(width)
    return f"{value}"


def scope_of(hdr: Mapping) -> tuple[str, str]:
    """The ``(PROGRAM, OBSERVTN)`` an exposure's target ids are numbered in (zero-padded)."""
    return _padded(hdr.get("PROGRAM"), 5), _padded(hdr.get("OBSERVTN"), 3)


def _target_headers(exp_headers: Iterable[Mapping]) -> list[Mapping]:
    """The exposures that take part in the target tables (Level-3, not source-based)."""
    targ_types = {t for t in L3_TYPES if t not in SOURCE_BASED}
    return [h for h in exp_headers if _hashable_in(h.get("EXP_TYPE"), targ_types)]


def _hashables(values) -> frozenset:
    out = set()
    for v in values:
        try:
            hash(v)
        except TypeError:
            continue
        out.add(v)
    return frozenset(out)


@dataclass(frozen=True)
class TargetKeys:
    """The keys of the ``tn``, ``rn`` and ``gn`` tables of a set of exposures.

    Key sets of disjoint sets of exposures combine with ``|`` into the key sets of their
    union. A ``gn`` key is a GS_MAG whose exposure's TARGNAME is not a ``tn`` key of the
    *whole* set, so the candidates are kept as ``(GS_MAG, TARGNAME)`` pairs and
    :attr:`gn` is derived.

    Attributes
    ----------
    tn : frozenset
        TARGNAMEs (not NaN) of exposures whose visit type is not PRIME_TARGETED_FIXED.
    rn : frozenset
        ``round(TARG_RA, 6)`` of PRIME_TARGETED_FIXED exposures.
    gn_pairs : frozenset of tuple
        ``(GS_MAG, TARGNAME)`` of exposures neither PRIME_TARGETED_FIXED nor
        PARALLEL_PURE whose GS_MAG is not NaN.
    """

    tn: frozenset = frozenset()
    rn: frozenset = frozenset()
    gn_pairs: frozenset = frozenset()

    @classmethod
    def from_headers(cls, exp_headers: Mapping[str, Mapping]) -> TargetKeys:
        """The key sets of these exposures (``{key: header}``)."""
        hdrs = _target_headers(exp_headers.values())
        tn, rn, gn = [], [], []
        for h in hdrs:
            if h.get("VISITYPE") == _FIXED:
                ra = rounded(h.get("TARG_RA"))
                if ra is not None:
                    rn.append(ra)
            elif not is_nan_like(h.get("TARGNAME")):
                tn.append(h.get("TARGNAME"))
            if h.get("VISITYPE") not in (_FIXED, "PARALLEL_PURE") and not is_nan_like(
                h.get("GS_MAG")
            ):
                gn.append((h.get("GS_MAG"), h.get("TARGNAME")))
        return cls(_hashables(tn), frozenset(rn), _hashables(gn))

    @property
    def gn(self) -> frozenset:
        """GS_MAG keys: the candidates whose TARGNAME is not a ``tn`` key."""
        return frozenset(gs for gs, name in self.gn_pairs if not _hashable_in(name, self.tn))

    def __or__(self, other: TargetKeys) -> TargetKeys:
        if not isinstance(other, TargetKeys):
            return NotImplemented
        return TargetKeys(self.tn | other.tn, self.rn | other.rn, self.gn_pairs | other.gn_pairs)


class TargetIds:
    """Target tables and the deterministic numbering of their keys.

    Attributes
    ----------
    tn, rn, gn : dict
        Key -> token in the first observation (sorted) where the key occurs.
    targetnames : list of str
        The ``tn`` keys, sorted.
    keys : TargetKeys or None
        The key sets the exposures were looked up in.
    own_keys : TargetKeys or None
        The key sets of these exposures alone.
    """

    def __init__(
        self,
        tn_keys: set,
        rn_keys: set,
        gn_keys: set,
        numbers: dict,
        *,
        keys: TargetKeys | None = None,
        own_keys: TargetKeys | None = None,
        probes: tuple[frozenset, frozenset, frozenset] | None = None,
    ) -> None:
        self._keys = {"tn": tn_keys, "rn": rn_keys, "gn": gn_keys}
        self._numbers = numbers
        self._probes = probes
        self.keys = keys
        self.own_keys = own_keys
        first: dict[str, dict] = {"tn": {}, "rn": {}, "gn": {}}
        for (_scope, table, key), token in sorted(numbers.items(), key=lambda kv: kv[0][0]):
            first[table].setdefault(key, token)
        self.tn, self.rn, self.gn = first["tn"], first["rn"], first["gn"]
        self.targetnames = sorted(tn_keys, key=str)

    def lookup(self, hdr: Mapping) -> tuple[str, object] | None:
        """The ``(table, key)`` an exposure takes its id from (1.1.4 precedence), or None."""
        name = hdr.get("TARGNAME")
        if _hashable_in(name, self._keys["tn"]):
            return "tn", name
        ra = rounded(hdr.get("TARG_RA"))
        if ra is not None and ra in self._keys["rn"]:
            return "rn", ra
        gs = hdr.get("GS_MAG")
        if _hashable_in(gs, self._keys["gn"]):
            return "gn", gs
        return None

    def token(self, hdr: Mapping, table: str, key) -> str:
        """The ``tN`` token of ``key`` of ``table`` in the exposure's observation."""
        return self._numbers[(scope_of(hdr), table, key)]

    def is_target_name(self, name) -> bool:
        """True if ``name`` is a key of the ``tn`` table (1.1.4 ``targetnames``)."""
        return _hashable_in(name, self._keys["tn"])

    def same_lookups(self, keys: TargetKeys) -> bool:
        """True if numbering these exposures with ``keys`` gives exactly these ids.

        The ids depend on the key sets only through the keys these exposures hold
        (their TARGNAMEs, rounded TARG_RAs and GS_MAGs), so the key sets of a larger set
        of exposures change nothing when they agree with :attr:`keys` on those.
        """
        if self._probes is None or self.keys is None:
            raise ValueError("same_lookups needs ids built by fake_target_ids")
        names, ras, gss = self._probes

        def seen(k: TargetKeys):
            return (k.tn & names, k.rn & ras, k.gn & gss)

        return seen(keys) == seen(self.keys)


def _coords(hdr: Mapping) -> tuple[float, float]:
    ra = rounded(hdr.get("TARG_RA"))
    dec = hdr.get("TARG_DEC")
    ok = isinstance(dec, (int, float)) and not isinstance(dec, bool) and math.isfinite(dec)
    return (math.inf if ra is None else ra), (float(dec) if ok else math.inf)


def fake_target_ids(
    exp_headers: Mapping[str, Mapping], keys: TargetKeys | None = None
) -> TargetIds:
    """Build the target tables of a set of exposures and number them deterministically.

    Parameters
    ----------
    exp_headers : dict
        ``{exposure key: header}``.
    keys : TargetKeys, optional
        The key sets to look exposures up in; default those of ``exp_headers``. Pass the
        combined keys of every input (``TargetKeys.from_headers(part) | ...``) to number a
        part of the inputs exactly as the whole would be.
    """
    hdrs = _target_headers(exp_headers.values())
    own = TargetKeys.from_headers(exp_headers)
    keys = own if keys is None else keys
    tn_keys, rn_keys, gn_keys = set(keys.tn), set(keys.rn), set(keys.gn)
    contrib: dict[tuple, dict] = defaultdict(lambda: defaultdict(list))
    for h in hdrs:
        if h.get("VISITYPE") == _FIXED:
            ra = rounded(h.get("TARG_RA"))
            if ra is not None:
                contrib[(scope_of(h), "rn")][ra].append(_coords(h))
        elif not is_nan_like(h.get("TARGNAME")):
            contrib[(scope_of(h), "tn")][h.get("TARGNAME")].append(_coords(h))
    for h in hdrs:
        name, gs = h.get("TARGNAME"), h.get("GS_MAG")
        if h.get("VISITYPE") in (_FIXED, "PARALLEL_PURE") or is_nan_like(gs):
            continue
        if _hashable_in(name, tn_keys):
            continue
        contrib[(scope_of(h), "gn")][gs].append(_coords(h))
    probes = (
        _hashables(h.get("TARGNAME") for h in hdrs),
        frozenset(r for r in (rounded(h.get("TARG_RA")) for h in hdrs) if r is not None),
        _hashables(h.get("GS_MAG") for h in hdrs),
    )
    ids = TargetIds(tn_keys, rn_keys, gn_keys, {})
    # keys an observation looks up but did not contribute (same key in another observation)
    for h in hdrs:
        hit = ids.lookup(h)
        if hit is not None:
            table, key = hit
            entries = contrib[(scope_of(h), table)]
            if key not in entries:
                entries[key] = []
            entries.setdefault(("_hit", key), []).append(_coords(h))
    numbers = {}
    for (scope, table), entries in contrib.items():
        keys_ = [k for k in entries if not (isinstance(k, tuple) and k[:1] == ("_hit",))]

        def sort_key(k, e=entries):
            pts = e[k] or e.get(("_hit", k), [])
            ra = min((p[0] for p in pts), default=math.inf)
            dec = min((p[1] for p in pts), default=math.inf)
            return (ra, dec, str(k))

        for i, k in enumerate(sorted(keys_, key=sort_key), start=1):
            numbers[(scope, table, k)] = f"t{i}"
    return TargetIds(tn_keys, rn_keys, gn_keys, numbers, keys=keys, own_keys=own, probes=probes)


def target_id(hdr: Mapping, ids: TargetIds) -> str:
    """Target-id token of one exposure.

    Source-based types get ``s000000001`` (``t0`` in PARALLEL_PURE visits); others the
    numbered ``tn``/``rn``/``gn`` key they look up, or ``t0``.
    """
    if hdr.get("EXP_TYPE") in SOURCE_BASED:
        return "t0" if hdr.get("VISITYPE") == "PARALLEL_PURE" else SOURCE_TID
    hit = ids.lookup(hdr)
    if hit is None:
        return "t0"
    return ids.token(hdr, *hit)
