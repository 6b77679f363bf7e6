"""SVM category tables and the offline target lookup."""

import pandas as pd
import pytest

from spacekit.exceptions import InputError, UnknownCategoryWarning
from spacekit.preprocessor.encode_svm import (
    TargetCategories,
    abbreviate_category,
    encode_svm_features,
)


def test_every_simulated_target_is_in_the_offline_table():
    from spacekit.datasets.svm._scene import CATEGORIES

    lookup = TargetCategories()
    for category, (_, names) in CATEGORIES.items():
        for name in names:
            assert lookup.lookup(name) == category


def test_user_table_extends_and_overrides(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("targname,category\nMY FIELD,STAR;VARIABLE\nM4,GALAXY\n")
    lookup = TargetCategories(path)
    assert lookup.lookup("my-field") == "STAR;VARIABLE"
    assert lookup.lookup("M4") == "GALAXY"
    bad = tmp_path / "bad.csv"
    bad.write_text("name,kind\nx,y\n")
    with pytest.raises(InputError, match="targname,category"):
        TargetCategories(bad)


@pytest.mark.parametrize(
    "text, abbr",
    [
        ("GALAXY;SPIRAL", "G"),
        ("EXT-CLUSTER", "SC"),
        ("None", "U"),
        (None, "U"),
        ("ISM", "I"),
    ],
)
def test_abbreviations(text, abbr):
    assert abbreviate_category(text) == abbr


def test_encoding_codes_and_unknowns():
    df = pd.DataFrame(
        {
            "category": ["GALAXY", "CALIBRATION", "PLANET"],
            "detector": ["ir", "WFC", "sbc"],
            "wcstype": ["a posteriori", "not aligned", "odd"],
        }
    )
    with pytest.warns(UnknownCategoryWarning):
        out = encode_svm_features(df)
    assert out["cat"].tolist() == [7, 0, 8]
    assert out["det"].tolist() == [1, 4, 2]
    assert out["wcs"].tolist() == [0, 3, 4]
    assert out["category"].tolist() == df["category"].tolist()  # originals kept
