"""analyzer.drift: KS, PSI and category shares, worst first."""

import numpy as np
import pandas as pd
import pytest

from spacekit.analyzer.drift import (
    categorical_drift,
    drift_table,
    feature_histograms,
    is_categorical,
    numeric_drift,
    psi,
)
from spacekit.exceptions import DataError


def test_psi_known_value():
    # (0.6-0.5)ln(0.6/0.5) + (0.4-0.5)ln(0.4/0.5)
    assert psi([0.5, 0.5], [0.6, 0.4]) == pytest.approx(0.1 * np.log(1.2) - 0.1 * np.log(0.8))
    assert psi([0.2, 0.8], [0.2, 0.8]) == pytest.approx(0.0)


def test_numeric_and_categorical_drift():
    rng = np.random.default_rng(1)
    same = numeric_drift(rng.normal(0, 1, 5000), rng.normal(0, 1, 5000))
    shifted = numeric_drift(rng.normal(0, 1, 5000), rng.normal(1, 1, 5000))
    assert same["psi"] < 0.02 and same["ks_pvalue"] > 0.001
    assert shifted["psi"] > 0.25 and shifted["ks"] > 0.3
    assert shifted["median_shift_iqr"] == pytest.approx(1 / 1.349, abs=0.1)
    cat = categorical_drift(["a"] * 50 + ["b"] * 50, ["a"] * 80 + ["c"] * 20)
    assert cat["new_categories"] == ["c"]
    assert cat["top_change"] == "b" and cat["max_share_change"] == pytest.approx(-0.5)
    with pytest.raises(DataError, match="no finite values"):
        numeric_drift([np.nan], [1.0])


def test_drift_table_sorted_worst_first_and_kinds():
    rng = np.random.default_rng(2)
    n = 3000
    ref = pd.DataFrame(
        {
            "stable": rng.normal(0, 1, n),
            "moved": rng.normal(0, 1, n),
            "instr": rng.choice(["acs", "wfc3"], n),
            "code": rng.integers(0, 3, n),
        }
    )
    new = pd.DataFrame(
        {
            "stable": rng.normal(0, 1, n),
            "moved": rng.normal(2, 1, n),
            "instr": rng.choice(["acs", "wfc3"], n, p=[0.9, 0.1]),
            "code": rng.integers(0, 3, n),
            "extra": 1.0,
        }
    )
    table = drift_table(ref, new)
    assert table["feature"].tolist()[:2] == ["moved", "instr"]
    assert set(table["feature"]) == {"stable", "moved", "instr", "code"}
    kinds = dict(zip(table["feature"], table["kind"], strict=True))
    assert kinds == {
        "moved": "numeric",
        "instr": "categorical",
        "stable": "numeric",
        "code": "categorical",
    }
    assert table.iloc[0]["severity"] == "major"
    with pytest.raises(DataError, match="no column in common"):
        drift_table(ref[["stable"]], new[["extra"]])
    assert is_categorical(pd.Series([True, False])) and not is_categorical(pd.Series([0.5, 1.5]))


def test_histograms_share_bins():
    h = feature_histograms(pd.Series(np.arange(100.0)), pd.Series(np.arange(50.0, 150.0)))
    assert h["kind"] == "numeric" and len(h["edges"]) == len(h["ref"]) + 1
    assert sum(h["ref"]) == pytest.approx(1.0) and sum(h["new"]) == pytest.approx(1.0)
    c = feature_histograms(pd.Series(["a", "a", "b"]), pd.Series(["b", "c"]))
    assert c["categories"] == ["a", "b", "c"] and c["new"] == [0.0, 0.5, 0.5]
