"""HST cal feature encoding: the 1.1.4 rules (spec §3.2) and the reasons for bad input."""

from __future__ import annotations

import pandas as pd
import pytest

from spacekit.exceptions import InputError
from spacekit.extractor.scrape_hstcal import load_hstcal_inputs
from spacekit.preprocessor.scrub_hstcal import HstCalScrubber, encode_features
from spacekit.preprocessor.tables.hst_cal import COLUMN_ORDER, X_NORM
from spacekit.skopes.hst.cal import config

BASE = {
    "n_files": "4",
    "total_mb": "86.5",
    "DETECTOR": "UVIS",
    "SUBARRAY": "False",
    "DRIZCORR": "PERFORM",
    "PCTECORR": "OMIT",
    "CRSPLIT": "2.0",
}


def encode_one(name: str, **changes):
    raw, _ = load_hstcal_inputs({name: {**BASE, **changes}})
    features, skipped = encode_features(raw)
    return (features.iloc[0].tolist() if len(features) else None), skipped


def test_the_114_rules_for_a_typical_row():
    # n_files, round(total_mb) (86.5 -> 86, half to even), drizcorr, pctecorr, crsplit,
    # subarray, detector, dtype (ends in 0), instr (i -> 3)
    assert encode_one("ic0k06010") == ([4, 86, 1, 0, 2, 0, 1, 1, 3], [])


@pytest.mark.parametrize(
    ("name", "changes", "column", "expected"),
    [
        ("j8zs05020", {}, "instr", 0),
        ("la8mffg5q", {}, "instr", 1),
        ("oc3p011i0", {}, "instr", 2),
        ("IC0K06010", {}, "instr", 3),  # upper-case names work
        ("la8mffg5q", {}, "dtype", 0),
        ("ic0k06010", {"DETECTOR": "wfc"}, "detector", 1),
        ("ic0k06010", {"DETECTOR": "IR"}, "detector", 0),
        ("ic0k06010", {"DETECTOR": "SBC"}, "detector", 0),
        ("ic0k06010", {"DRIZCORR": "perform"}, "drizcorr", 1),
        ("ic0k06010", {"DRIZCORR": "COMPLETE"}, "drizcorr", 0),
        ("ic0k06010", {"DRIZCORR": "NaN"}, "drizcorr", 0),
        ("ic0k06010", {"PCTECORR": "PERFORM"}, "pctecorr", 1),
        ("ic0k06010", {"CRSPLIT": "NaN"}, "crsplit", 0),
        ("ic0k06010", {"CRSPLIT": "nan"}, "crsplit", 0),  # 1.1.4: 2 (only "NaN" was 0)
        ("ic0k06010", {"CRSPLIT": "None"}, "crsplit", 0),
        ("ic0k06010", {"CRSPLIT": "1"}, "crsplit", 1),
        ("ic0k06010", {"CRSPLIT": "1.0"}, "crsplit", 1),
        ("ic0k06010", {"CRSPLIT": 4}, "crsplit", 2),
        ("ic0k06010", {"SUBARRAY": "True"}, "subarray", 1),
        ("ic0k06010", {"SUBARRAY": "T"}, "subarray", 1),  # 1.1.4: 0
        ("ic0k06010", {"SUBARRAY": True}, "subarray", 1),
        ("ic0k06010", {"SUBARRAY": "F"}, "subarray", 0),
        ("ic0k06010", {"total_mb": "2.5"}, "total_mb", 2),
        ("ic0k06010", {"total_mb": "3.5"}, "total_mb", 4),
        ("ic0k06010", {"n_files": "7.0"}, "n_files", 7),
    ],
)
def test_each_rule(name, changes, column, expected):
    row, skipped = encode_one(name, **changes)
    assert skipped == []
    assert row[list(COLUMN_ORDER["asn"]).index(column)] == expected


@pytest.mark.parametrize(
    ("name", "changes", "reason"),
    [
        ("xa8mffg5q", {}, "unknown instrument letter 'x' in 'xa8mffg5q'"),
        ("ic0k06010", {"n_files": "-2"}, "n_files='-2' is not a whole number >= 1"),
        ("ic0k06010", {"n_files": "2.5"}, "n_files='2.5' is not a whole number >= 1"),
        ("ic0k06010", {"total_mb": "-1"}, "total_mb='-1' is not a size >= 0"),
        ("ic0k06010", {"total_mb": "lots"}, "total_mb='lots' is not a size >= 0"),
        ("ic0k06010", {"DRIZCORR": "YES"}, "DRIZCORR='YES' is not a calibration switch value"),
        ("ic0k06010", {"CRSPLIT": "two"}, "CRSPLIT='two' is not a number of splits"),
        ("ic0k06010", {"CRSPLIT": "-1"}, "CRSPLIT='-1' is not a number of splits"),
        ("ic0k06010", {"SUBARRAY": "maybe"}, "SUBARRAY='maybe' is not a boolean"),
        ("ic0k06010", {"DETECTOR": "NaN"}, "DETECTOR has no value"),
    ],
)
def test_bad_values_are_skipped_with_a_reason(name, changes, reason):
    row, skipped = encode_one(name, **changes)
    assert row is None
    assert len(skipped) == 1 and skipped[0][0] == name
    assert reason in skipped[0][1]


def test_missing_keywords_and_several_reasons_are_all_reported():
    raw, _ = load_hstcal_inputs(
        {"dataset": "ic0k06010", "n_files": "2", "DETECTOR": "UVIS", "SUBARRAY": "F"}
    )
    features, skipped = encode_features(raw)
    assert features.empty
    reason = skipped[0][1]
    for key in ("total_mb", "DRIZCORR", "PCTECORR", "CRSPLIT"):
        assert f"missing keyword {key}" in reason
    assert reason.count(";") == 3  # one message per problem, no duplicates


def test_a_batch_keeps_the_good_rows():
    raw, _ = load_hstcal_inputs(
        {
            "ic0k06010": BASE,
            "q1234567a": BASE,
            "j8zs05020": {**BASE, "total_mb": "-3"},
            "oc3p011i0": BASE,
        }
    )
    features, skipped = encode_features(raw)
    assert list(features.index) == ["ic0k06010", "oc3p011i0"]
    assert [name for name, _ in skipped] == ["q1234567a", "j8zs05020"]
    assert features.dtypes.map(lambda d: d.kind).eq("i").all()


def test_scrubber_keeps_the_114_name_and_writes_only_when_asked(tmp_path):
    scrub = HstCalScrubber({"dataset": "ic0k06010", **BASE})
    df = scrub.scrub_inputs()
    assert list(df.columns) == list(COLUMN_ORDER["asn"])
    with pytest.raises(InputError, match="output_path"):
        scrub.save_csv_file()
    path = HstCalScrubber({"ic0k06010": BASE}, output_path=tmp_path).save_csv_file()
    assert pd.read_csv(path, index_col="ipst").loc["ic0k06010", "instr"] == 3


def test_config_reexports_the_tables_read_only():
    assert config.X_NORM["asn"] == (
        "x_files",
        "x_size",
        "drizcorr",
        "pctecorr",
        "crsplit",
        "subarray",
        "detector",
        "dtype",
        "instr",
    )
    from spacekit.extractor.keywords import hst_cal as keywords
    from spacekit.preprocessor.tables import hst_cal as tables

    for name in config.__all__:
        owner = keywords if name in keywords.__all__ else tables
        assert getattr(config, name) is getattr(owner, name), name
    assert sorted(config.__all__) == sorted(
        [n for n in keywords.__all__ if n != "BYTES_PER_MB"] + tables.__all__
    )
    assert config.X_NORM is X_NORM
    assert config.NORM_COLS["asn"] == ("n_files", "total_mb")
    assert config.COLUMN_ORDER["svm"] == ()
    assert dict(config.INSTRUMENT_CODES) == {"j": 0, "l": 1, "o": 2, "i": 3}
    with pytest.raises(TypeError):
        config.INSTRUMENT_CODES["x"] = 4
