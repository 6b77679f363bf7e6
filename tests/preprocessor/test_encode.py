"""Tests of the category/boolean encoders and the immutable JWST tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from spacekit.exceptions import InputError, UnknownCategoryWarning
from spacekit.preprocessor.encode import (
    JwstEncoder,
    PairEncoder,
    UnknownCategoryError,
    encode_booleans,
)
from spacekit.skopes.jwst.cal import config


def test_config_tables_are_complete_and_read_only():
    assert sum(len(v) for v in config.KEYPAIR_DATA.values()) == 218
    assert len(config.KEYPAIR_DATA["subarray"]) == 64
    assert {k: len(v) for k, v in config.COLUMN_ORDER.items()} == {
        "IMAGE": 18,
        "SPEC": 18,
        "TAC": 18,
        "FGS": 8,
    }
    assert len(config.GENKEYS) == 25 and len(config.SCIKEYS) == 4 and len(config.L3_TYPES) == 21
    assert config.KEYPAIR_DATA["band"]["SHORT|MEDIUM|LONG"] == 1
    assert config.KEYPAIR_DATA["visitype"]["PRIME_WFSC_SENSING_ONLY"] == 1
    assert config.UNKNOWN_CODE["detector"] == 17
    with pytest.raises(TypeError):
        config.KEYPAIR_DATA["instr"]["NEW"] = 9
    with pytest.raises(TypeError):
        config.NORM_COLS["IMAGE"] = ()


def test_pair_encoder_transform_inverse_and_unknowns():
    table = {"hrc": 0, "ir": 1, "uvis": 3, "wfc": 4}
    enc = PairEncoder().fit(["ir", "ir", "uvis", "wfc"], table)
    assert enc.transform().tolist() == [1, 1, 3, 4]
    assert enc.inverse_transform([1, 1, 3, 4]).tolist() == ["ir", "ir", "uvis", "wfc"]
    with pytest.raises(UnknownCategoryError):
        PairEncoder().fit(["xx"], table, handle_unknowns=False).transform()
    with pytest.raises(KeyError):  # 1.1.4 raised KeyError here
        PairEncoder().fit(["xx"], table, handle_unknowns=False).transform()
    with pytest.warns(UnknownCategoryWarning):
        assert PairEncoder().fit(["xx", "ir"], table).transform().tolist() == [5, 1]
    assert table == {"hrc": 0, "ir": 1, "uvis": 3, "wfc": 4}


def test_pair_encoder_axis_handling():
    df = pd.DataFrame({"a": ["ir"], "b": ["wfc"]})
    assert PairEncoder().fit(df, {"ir": 1}).arr is None
    arr = np.array([["x", "default a"], ["y", "default b"]], dtype=object)
    enc = PairEncoder().fit(arr, {"default a": 2, "default b": 3}, axiscol=1)
    assert enc.transform().tolist() == [2, 3]
    with pytest.raises(InputError):
        PairEncoder().fit(df, {"ir": 1}).transform()


def test_jwst_encoder_uses_unknown_codes_and_warns_once():
    df = pd.DataFrame({"instr": ["NIRCAM", "HUBBLE"], "filter": ["F150W", "F999X"], "n": [1, 2]})
    with pytest.warns(UnknownCategoryWarning) as rec:
        out = JwstEncoder(df, fkeys=["instr", "filter"]).encode_features()
    assert len(rec) == 1
    assert out["instr"].tolist() == [2, config.UNKNOWN_CODE["instr"]]
    assert out["filter"].tolist() == [16, 52]
    assert df["instr"].tolist() == ["NIRCAM", "HUBBLE"]  # input untouched


def test_jwst_encoder_custom_table_and_new_columns():
    df = pd.DataFrame({"instr": ["A", "B"]})
    out = JwstEncoder(df, ["instr"], encoding_pairs={"instr": {"A": 0, "B": 1}}, rename=False)
    assert out.encode_features().columns.tolist() == ["instr_enc"]


def test_encode_booleans():
    df = pd.DataFrame({"b": [True, "True", "T", "t", False, "F", "NaN", np.nan, "true"]})
    out = encode_booleans(df, ["b", "missing"])
    assert out["b"].tolist() == [1, 1, 1, 1, 0, 0, 0, 0, 0]
    assert encode_booleans(df, ["b"], replace=False).columns.tolist() == ["b", "b_enc"]


# -- spec §1.9/§1.10/§1.11 tables, value by value -------------------------------------
def _numbered(names: str, start: int = 0) -> dict:
    return {n: i for i, n in enumerate(names.split(), start=start)}


SPEC_CODES = {
    "instr": _numbered("FGS MIRI NIRCAM NIRISS NIRSPEC"),
    "detector": _numbered(
        "NONE GUIDER1 GUIDER1|GUIDER2 GUIDER2 MIRIFULONG MIRIFULONG|MIRIFUSHORT "
        "MIRIFULONG|MIRIFUSHORT|MIRIMAGE MIRIFUSHORT MIRIMAGE NIS NRC-M NRC-S NRCA-M "
        "NRCB-M NRS1 NRS1|NRS2 NRS2"
    ),
    "filter": _numbered(
        "NONE CLEAR F070LP F070W F090W F1000W F100LP F1065C F110W F1130W F1140C F115W "
        "F1280W F140M F140X F1500W F150W F150W2 F1550C F170LP F1800W F182M F187N F200W "
        "F2100W F210M F212N F2300C F250M F2550W F2550WR F277W F290LP F300M F322W2 F335M "
        "F356W F360M F380M F410M F430M F444W F460M F480M F560W F770W FND GR150C GR150R "
        "OPAQUE P750L WLP4"
    ),
    "pupil": _numbered(
        "NONE CLEAR CLEARP F090W F115W F140M F150W F158M F162M F164N F200W F323N F405N "
        "F466N F470N FLAT GDHS0 GDHS60 GR700XD GRISMC GRISMR MASKBAR MASKIPR MASKRND NRM "
        "WLM8 WLP8"
    ),
    "grating": _numbered("NONE MIRROR PRISM G140M G235M G395M G395H G140H G235H"),
    "exp_type": _numbered(
        "NONE FGS_IMAGE MIR_4QPM MIR_IMAGE MIR_LRS-FIXEDSLIT MIR_LRS-SLITLESS MIR_LYOT "
        "MIR_MRS NIS_AMI NIS_IMAGE NIS_SOSS NIS_WFSS NRC_CORON NRC_IMAGE NRC_TSGRISM "
        "NRC_TSIMAGE NRC_WFSS NRS_BRIGHTOBJ NRS_FIXEDSLIT NRS_IFU NRS_MSASPEC MIR_WFSS"
    ),
    "channel": {"NONE": 0, "12": 1, "34": 2, "LONG": 3, "SHORT": 4},
    "band": {
        "NONE": 0,
        "LONG": 0,
        "MEDIUM": 0,
        "SHORT": 0,
        "SHORT|LONG": 0,
        "SHORT|MEDIUM": 0,
        "MEDIUM|LONG": 0,
        "SHORT|MEDIUM|LONG": 1,
    },
    "visitype": {
        "NONE": 0,
        "PRIME_WFSC_ROUTINE": 1,
        "PRIME_WFSC_SENSING_CONTROL": 1,
        "PRIME_WFSC_SENSING_ONLY": 1,
        "PARALLEL_PURE": 2,
        "PARALLEL_SLEW_CALIBRATION": 3,
        "PRIME_TARGETED_FIXED": 4,
        "PRIME_TARGETED_MOVING": 5,
        "PRIME_UNTARGETED": 6,
    },
}


@pytest.mark.parametrize("feature", sorted(SPEC_CODES))
def test_keypair_data_equals_spec_table(feature):
    assert dict(config.KEYPAIR_DATA[feature]) == SPEC_CODES[feature]
    assert config.UNKNOWN_CODE[feature] == max(SPEC_CODES[feature].values()) + 1


def test_keypair_subarray_groups_equal_spec():
    sub = config.KEYPAIR_DATA["subarray"]
    assert len(sub) == 64 and sorted(set(sub.values())) == list(range(8))
    fixed = {"NONE": 0, "ALLSLITS": 1, "BRIGHTSKY": 2, "FULL": 3, "SLITLESSPRISM": 5}
    assert {k: sub[k] for k in fixed} == fixed
    for key in ("MASK", "MASK1065", "MASK1140", "MASK1550", "MASKLYOT"):
        assert sub[key] == 4
    for key in ("SUB", "SUB128", "SUB400P", "SUBSTRIP256", "SUBGRISM64", "SUB8FP1A"):
        assert sub[key] == 6
    for key in ("WFSS", "WFSS128C", "WFSS128R", "WFSS64C", "WFSS64R"):
        assert sub[key] == 7
    # every key of a group starts with the group name, so group_subarrays maps it there
    for key, code in sub.items():
        group = {4: "MASK", 6: "SUB", 7: "WFSS"}.get(code)
        assert group is None or key.startswith(group)


def test_column_order_norm_cols_and_keywords_equal_spec():
    offsets = "offset max_offset mean_offset sigma_offset err_offset sigma1_mean".split()
    head = ["instr", "detector", "visitype"]
    assert list(config.COLUMN_ORDER["IMAGE"]) == head + [
        "filter",
        "pupil",
        "channel",
        "subarray",
        "bkgdtarg",
        "nexposur",
        "numdthpt",
        *offsets,
        "frac",
        "targ_frac",
    ]
    assert list(config.COLUMN_ORDER["SPEC"]) == head + [
        "filter",
        "pupil",
        "grating",
        "subarray",
        "band",
        "nexposur",
        "numdthpt",
        "targ_max_offset",
        *offsets,
        "frac",
    ]
    assert list(config.COLUMN_ORDER["TAC"]) == head + [
        "exp_type",
        "tsovisit",
        "filter",
        "grating",
        "subarray",
        "nexposur",
        "numdthpt",
        "targ_max_offset",
        *offsets,
        "frac",
    ]
    assert list(config.COLUMN_ORDER["FGS"]) == head + [
        "subarray",
        "nexposur",
        "numdthpt",
        "crowdfld",
        "gs_mag",
    ]
    assert list(config.NORM_COLS["IMAGE"]) == offsets
    assert list(config.NORM_COLS["SPEC"]) == ["targ_max_offset", *offsets]
    assert list(config.NORM_COLS["TAC"]) == ["targ_max_offset", *offsets]
    assert list(config.NORM_COLS["FGS"]) == ["gs_mag"]
    assert " ".join(config.GENKEYS) == (
        "PROGRAM OBSERVTN NEXPOSUR BKGDTARG IS_IMPRT VISITYPE TSOVISIT TARGNAME TARG_RA "
        "TARG_DEC INSTRUME DETECTOR FILTER PUPIL GRATING FXD_SLIT EXP_TYPE CHANNEL BAND "
        "SUBARRAY NUMDTHPT GS_RA GS_DEC GS_MAG CROWDFLD"
    )
    assert config.SCIKEYS == ("RA_REF", "DEC_REF", "CRVAL1", "CRVAL2")
    assert set(config.L3_TYPES) == set(
        "FGS_IMAGE MIR_IMAGE MIR_LRS-FIXEDSLIT MIR_MRS MIR_LYOT MIR_4QPM MIR_LRS-SLITLESS "
        "MIR_WFSS NRC_IMAGE NRC_CORON NRC_WFSS NRC_TSIMAGE NRC_TSGRISM NIS_IMAGE NIS_AMI "
        "NIS_WFSS NIS_SOSS NRS_FIXEDSLIT NRS_IFU NRS_MSASPEC NRS_BRIGHTOBJ".split()
    )


def test_sentinel_value_lists_equal_spec():
    from spacekit.preprocessor.scrub_constants import FALSEVALS, NANVALS, SUBNAN, TRUEVALS

    assert list(NANVALS) == ["NaN", "nan", "N/A", "NONE", "None", "none", None]
    assert list(SUBNAN) == [*NANVALS, "FULL"]
    assert list(TRUEVALS) == [True, "t", "T", "True", "true", "TRUE"]
    assert list(FALSEVALS) == [False, "f", "F", "False", "false", "FALSE", "0", *NANVALS]


def test_encode_booleans_spec_values():
    values = [True, "True", "T", "t", "true", "TRUE", False, "F", "NaN", None, float("nan")]
    df = pd.DataFrame({"bkgdtarg": pd.Series(values, dtype=object)})
    assert encode_booleans(df, ["bkgdtarg"])["bkgdtarg"].tolist() == [1, 1, 1, 1] + [0] * 7


def test_several_unknowns_all_get_max_plus_one():
    df = pd.DataFrame({"pupil": ["CLEAR", "NEW1", "NEW2", "NEW1"]})
    with pytest.warns(UnknownCategoryWarning):
        out = JwstEncoder(df, fkeys=["pupil"]).encode_features()
    assert out["pupil"].tolist() == [1, 27, 27, 27]
    assert "NEW1" not in config.KEYPAIR_DATA["pupil"]
