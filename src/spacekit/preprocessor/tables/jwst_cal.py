"""Feature tables of the JWST Level-3 memory model: product types, columns and codes.

The preprocessor owns these tables: scrubbing groups exposures by :data:`L3_TYPES` and
:data:`EXPMODES`, encoding maps categories through :data:`KEYPAIR_DATA` and
:data:`UNKNOWN_CODE`, and the model inputs follow :data:`COLUMN_ORDER` and
:data:`NORM_COLS`. Every table is read-only (tuples and :class:`types.MappingProxyType`),
so no caller can change the encodings that the trained models depend on. The values are
the ones the published spacekit 1.1.4 models were trained with;
:mod:`spacekit.skopes.jwst.cal.config` re-exports them at the 1.1.4 import path.

Attributes
----------
L3_TYPES : tuple of str
    The 21 ``EXP_TYPE`` values that produce a Level-3 product.
EXPMODES : tuple of str
    The exposure modes products are sorted into.
COLUMN_ORDER : Mapping[str, tuple of str]
    Model feature columns per exposure mode (IMAGE, SPEC, TAC: 18; FGS: 8).
NORM_COLS : Mapping[str, tuple of str]
    Columns normalised by PowerX per mode, in the order of the ``tx_data`` lists.
KEYPAIR_DATA : Mapping[str, Mapping[str, int]]
    Category value -> integer code, per categorical feature.
UNKNOWN_CODE : Mapping[str, int]
    Code given to a category value that is not in ``KEYPAIR_DATA``: one more than the
    largest code of that feature (what 1.1.4 assigns to the first unknown value it meets),
    without adding the value to the table.

Examples
--------
>>> from spacekit.preprocessor.tables.jwst_cal import COLUMN_ORDER, KEYPAIR_DATA, UNKNOWN_CODE
>>> KEYPAIR_DATA["instr"]["NIRCAM"], UNKNOWN_CODE["instr"]
(2, 5)
>>> len(COLUMN_ORDER["IMAGE"]), len(COLUMN_ORDER["FGS"])
(18, 8)
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = [
    "L3_TYPES",
    "EXPMODES",
    "COLUMN_ORDER",
    "NORM_COLS",
    "KEYPAIR_DATA",
    "UNKNOWN_CODE",
]

L3_TYPES: tuple[str, ...] = (
    "FGS_IMAGE",
    "MIR_IMAGE",
    "MIR_LRS-FIXEDSLIT",
    "MIR_MRS",
    "MIR_LYOT",
    "MIR_4QPM",
    "MIR_LRS-SLITLESS",
    "MIR_WFSS",
    "NRC_IMAGE",
    "NRC_CORON",
    "NRC_WFSS",
    "NRC_TSIMAGE",
    "NRC_TSGRISM",
    "NIS_IMAGE",
    "NIS_AMI",
    "NIS_WFSS",
    "NIS_SOSS",
    "NRS_FIXEDSLIT",
    "NRS_IFU",
    "NRS_MSASPEC",
    "NRS_BRIGHTOBJ",
)

#: The exposure modes products are sorted into.
EXPMODES: tuple[str, ...] = ("IMAGE", "SPEC", "TAC", "FGS")

_SHARED_HEAD = ("instr", "detector", "visitype")
_OFFSETS = ("offset", "max_offset", "mean_offset", "sigma_offset", "err_offset", "sigma1_mean")

COLUMN_ORDER: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "IMAGE": _SHARED_HEAD
        + ("filter", "pupil", "channel", "subarray", "bkgdtarg", "nexposur", "numdthpt")
        + _OFFSETS
        + ("frac", "targ_frac"),
        "SPEC": _SHARED_HEAD
        + ("filter", "pupil", "grating", "subarray", "band", "nexposur", "numdthpt")
        + ("targ_max_offset",)
        + _OFFSETS
        + ("frac",),
        "TAC": _SHARED_HEAD
        + ("exp_type", "tsovisit", "filter", "grating", "subarray", "nexposur", "numdthpt")
        + ("targ_max_offset",)
        + _OFFSETS
        + ("frac",),
        "FGS": _SHARED_HEAD + ("subarray", "nexposur", "numdthpt", "crowdfld", "gs_mag"),
    }
)

NORM_COLS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "IMAGE": _OFFSETS,
        "SPEC": ("targ_max_offset",) + _OFFSETS,
        "TAC": ("targ_max_offset",) + _OFFSETS,
        "FGS": ("gs_mag",),
    }
)


def _codes(names: str, start: int = 0) -> dict[str, int]:
    """Number whitespace-separated ``names`` consecutively from ``start``."""
    return {name: i for i, name in enumerate(names.split(), start=start)}


def _same(code: int, names: str) -> dict[str, int]:
    """Give every whitespace-separated name in ``names`` the same ``code``."""
    return dict.fromkeys(names.split(), code)


_SUB_NAMES = (
    "SUB SUB1024B SUB128 SUB160 SUB160P SUB2048 SUB256 SUB32 SUB320 SUB320A335R SUB320A430R "
    "SUB320ALWB SUB32TATS SUB32TATSGRISM SUB400P SUB512 SUB512S SUB64 SUB640 SUB640A210R "
    "SUB640ASWB SUB64FP1A SUB64P SUB80 SUB8FP1A SUB96DHSPILA SUBAMPCAL SUBFSA210R SUBFSA335R "
    "SUBFSA430R SUBFSALWB SUBFSASWB SUBGRISM128 SUBGRISM256 SUBGRISM64 SUBNDA210R SUBNDA335R "
    "SUBNDA430R SUBNDALWBL SUBNDALWBS SUBNDASWBS SUBS200A1 SUBS200A2 SUBS400A1 SUBSTRIP256 "
    "SUBSTRIP96 SUBTAAMI SUBTASOSS SUB400X256ALWB"
)

_KEYPAIRS: dict[str, dict[str, int]] = {
    "instr": _codes("FGS MIRI NIRCAM NIRISS NIRSPEC"),
    "detector": _codes(
        "NONE GUIDER1 GUIDER1|GUIDER2 GUIDER2 MIRIFULONG MIRIFULONG|MIRIFUSHORT "
        "MIRIFULONG|MIRIFUSHORT|MIRIMAGE MIRIFUSHORT MIRIMAGE NIS NRC-M NRC-S NRCA-M NRCB-M "
        "NRS1 NRS1|NRS2 NRS2"
    ),
    "filter": _codes(
        "NONE CLEAR F070LP F070W F090W F1000W F100LP F1065C F110W F1130W F1140C F115W F1280W "
        "F140M F140X F1500W F150W F150W2 F1550C F170LP F1800W F182M F187N F200W F2100W F210M "
        "F212N F2300C F250M F2550W F2550WR F277W F290LP F300M F322W2 F335M F356W F360M F380M "
        "F410M F430M F444W F460M F480M F560W F770W FND GR150C GR150R OPAQUE P750L WLP4"
    ),
    "pupil": _codes(
        "NONE CLEAR CLEARP F090W F115W F140M F150W F158M F162M F164N F200W F323N F405N F466N "
        "F470N FLAT GDHS0 GDHS60 GR700XD GRISMC GRISMR MASKBAR MASKIPR MASKRND NRM WLM8 WLP8"
    ),
    "grating": _codes("NONE MIRROR PRISM G140M G235M G395M G395H G140H G235H"),
    "exp_type": _codes(
        "NONE FGS_IMAGE MIR_4QPM MIR_IMAGE MIR_LRS-FIXEDSLIT MIR_LRS-SLITLESS MIR_LYOT MIR_MRS "
        "NIS_AMI NIS_IMAGE NIS_SOSS NIS_WFSS NRC_CORON NRC_IMAGE NRC_TSGRISM NRC_TSIMAGE "
        "NRC_WFSS NRS_BRIGHTOBJ NRS_FIXEDSLIT NRS_IFU NRS_MSASPEC MIR_WFSS"
    ),
    "channel": _codes("NONE 12 34 LONG SHORT"),
    "band": {
        **_same(0, "NONE LONG MEDIUM SHORT SHORT|LONG SHORT|MEDIUM MEDIUM|LONG"),
        "SHORT|MEDIUM|LONG": 1,
    },
    "subarray": {
        **_codes("NONE ALLSLITS BRIGHTSKY FULL"),
        **_same(4, "MASK MASK1065 MASK1140 MASK1550 MASKLYOT"),
        "SLITLESSPRISM": 5,
        **_same(6, _SUB_NAMES),
        **_same(7, "WFSS WFSS128C WFSS128R WFSS64C WFSS64R"),
    },
    "visitype": {
        "NONE": 0,
        **_same(1, "PRIME_WFSC_ROUTINE PRIME_WFSC_SENSING_CONTROL PRIME_WFSC_SENSING_ONLY"),
        **_codes(
            "PARALLEL_PURE PARALLEL_SLEW_CALIBRATION PRIME_TARGETED_FIXED "
            "PRIME_TARGETED_MOVING PRIME_UNTARGETED",
            start=2,
        ),
    },
}

KEYPAIR_DATA: Mapping[str, Mapping[str, int]] = MappingProxyType(
    {col: MappingProxyType(pairs) for col, pairs in _KEYPAIRS.items()}
)

UNKNOWN_CODE: Mapping[str, int] = MappingProxyType(
    {col: max(pairs.values()) + 1 for col, pairs in _KEYPAIRS.items()}
)

del _KEYPAIRS
