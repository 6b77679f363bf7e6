"""SVM diagnostic JSON harvesting, SCI-header values and the safe HDF5 table."""

import json

import numpy as np
import pandas as pd
import pytest

from spacekit.exceptions import InputError
from spacekit.extractor.scrape_svm import (
    find_json_files,
    harvest_json_files,
    read_sci_header,
    wcstype_short,
)
from spacekit.extractor.table_h5 import read_table_h5, write_table_h5


def _diag(index, data, header=None):
    return {
        "header": header or {"TARGNAME": "M4", "NUMEXP": 3, "INSTRUME": "WFC3"},
        "general information": {"dataframe_index": index, "imgname": f"{index}_drc.fits"},
        "data": data,
    }


def test_harvest_merges_files_of_a_product_and_flattens(tmp_path):
    idx = "hst_1_01_wfc3_uvis_total_iab101"
    (tmp_path / "a_svm_num_sources.json").write_text(
        json.dumps(
            _diag(
                idx,
                {
                    "number_of_sources": {
                        "original format": "<class 'dict'>",
                        "data": {"detector": "uvis", "point": 5, "segment": 7},
                    }
                },
            )
        )
    )
    (tmp_path / "b_svm_gaia_sources.json").write_text(
        json.dumps(
            _diag(
                idx,
                {
                    "GAIA sources": {
                        "original format": "<class 'astropy.table.table.Table'>",
                        "data": {"RA": {"dtype": "float64", "data": [1.0, 2.0]}},
                    },
                    "Number of GAIA sources": {"data": {"Number of GAIA sources": 2}},
                },
            )
        )
    )
    rows, skipped = harvest_json_files(sorted(tmp_path.glob("*.json")))
    assert skipped == []
    row = rows[idx]
    assert row["header.TARGNAME"] == "M4"
    assert row["header.NUMEXP"] == 3
    assert "header.INSTRUME" not in row  # not in the shortlist
    assert row["gen_info.imgname"] == f"{idx}_drc.fits"
    assert row["number_of_sources.point"] == 5
    assert row["Number_of_GAIA_sources.Number_of_GAIA_sources"] == 2
    assert not any(k.startswith("GAIA_sources") for k in row)  # per-source tables left out


def test_harvest_skips_bad_files_with_reasons(tmp_path):
    (tmp_path / "x_svm_a.json").write_text("{not json")
    (tmp_path / "x_svm_b.json").write_text(json.dumps({"header": {}, "data": {}}))
    (tmp_path / "x_svm_c.json").write_text(
        json.dumps({"header": {}, "general information": {}, "data": {}})
    )
    rows, skipped = harvest_json_files(sorted(tmp_path.glob("*.json")))
    assert rows == {}
    reasons = dict(skipped)
    assert "malformed JSON" in reasons[str(tmp_path / "x_svm_a.json")]
    assert "'general information'" in reasons[str(tmp_path / "x_svm_b.json")]
    assert "dataframe_index" in reasons[str(tmp_path / "x_svm_c.json")]


def test_find_json_files_falls_back_one_level(tmp_path):
    (tmp_path / "v1").mkdir()
    (tmp_path / "v1" / "p_total_v1_svm_x.json").write_text("{}")
    assert find_json_files(tmp_path) == [tmp_path / "v1" / "p_total_v1_svm_x.json"]


@pytest.mark.parametrize(
    "text, short",
    [
        ("undistorted a posteriori solution relative to GAIAeDR3", "a posteriori"),
        ("pipeline default a priori solution from the HST ephemeris", "default a"),
        ("undistorted not aligned", "not aligned"),
        ("undistorted a priori solution based on GSC240", "a priori"),
    ],
)
def test_wcstype_short(text, short):
    assert wcstype_short(text) == short


def test_sci_header_missing_keys_are_zero_nan_kept():
    assert read_sci_header({}) == {"rms_ra": 0.0, "rms_dec": 0.0, "nmatches": 0, "wcstype": 0}
    out = read_sci_header(
        {
            "RMS_RA": float("nan"),
            "RMS_DEC": 1.5,
            "NMATCHES": 12,
            "WCSTYPE": "undistorted not aligned",
        }
    )
    assert np.isnan(out["rms_ra"]) and out["rms_dec"] == 1.5 and out["nmatches"] == 12


def test_table_h5_round_trip_without_pickle(tmp_path):
    df = pd.DataFrame(
        {"s": ["a", None, "c"], "i": [1, 2, 3], "f": [1.5, np.nan, 3.0], "b": [True, False, True]},
        index=pd.Index(["x", "y", "z"], name="index"),
    )
    path = write_table_h5(df, tmp_path / "t.h5")
    back = read_table_h5(path)
    assert list(back.columns) == ["s", "i", "f", "b"]
    assert back.loc["y", "s"] is None and back.loc["x", "s"] == "a"
    assert back["i"].tolist() == [1, 2, 3]
    assert np.isnan(back.loc["y", "f"]) and back.loc["z", "f"] == 3.0
    assert back["b"].tolist() == [True, False, True]


def test_table_h5_refuses_foreign_files(tmp_path):
    import h5py

    with h5py.File(tmp_path / "pandas.h5", "w") as h5:
        h5.create_group("mydata").create_dataset("block0_values", data=np.zeros(3))
    with pytest.raises(InputError, match="not a spacekit table"):
        read_table_h5(tmp_path / "pandas.h5")
    with pytest.raises(InputError, match="does not exist"):
        read_table_h5(tmp_path / "missing.h5")
