"""analyzer.explore: groups, fits and box statistics; the 1.1.4 plot classes."""

import numpy as np
import pandas as pd
import pytest

from spacekit.analyzer.explore import (
    DataPlots,
    HstCalPlots,
    HstSvmPlots,
    box_stats,
    categorical_columns,
    group_labels,
    linear_fits,
    numeric_columns,
    remove_outliers,
)
from spacekit.exceptions import DataError, InputError


def test_linear_fits_per_group_and_in_log_space():
    x = np.array([1, 2, 3, 4, 1, 2, 3, 4], dtype=float)
    y = np.r_[2 * x[:4] + 1, -x[4:] + 10]
    g = ["a"] * 4 + ["b"] * 4
    fits = linear_fits(x, y, g)
    assert fits["a"]["slope"] == pytest.approx(2) and fits["a"]["intercept"] == pytest.approx(1)
    assert fits["b"]["slope"] == pytest.approx(-1) and fits["b"]["r"] == pytest.approx(-1)
    logs = linear_fits([1, 10, 100], [2, 20, 200], logx=True, logy=True)
    assert logs["all"]["slope"] == pytest.approx(1.0)  # y = 2 x is a line of slope 1 in log-log
    assert logs["all"]["y"][0] == pytest.approx(2.0)
    assert linear_fits([1, 1], [1, 2]) == {}  # one distinct x: no line


def test_box_stats_fences_and_outliers():
    values = np.r_[np.arange(1, 10), 100.0]
    (s,) = box_stats(values)
    assert (s["q1"], s["median"], s["q3"]) == (3.25, 5.5, 7.75)
    assert s["upperfence"] == 9.0 and s["outliers"] == [100.0]
    assert len(remove_outliers(pd.DataFrame({"v": values}), "v")) == 9


def test_groups_are_decoded_with_the_right_instrument_order():
    df = pd.DataFrame({"n_files": [1, 2, 3, 4], "memory": [1, 2, 3, 4.0], "instr": [0, 1, 2, 3]})
    assert group_labels(df, "instr", {0: "acs", 1: "cos", 2: "stis", 3: "wfc3"}).tolist() == [
        "acs",
        "cos",
        "stis",
        "wfc3",
    ]
    plots = HstCalPlots(df)
    assert plots.group_keys() == {0: "acs", 1: "cos", 2: "stis", 3: "wfc3"}
    out = plots.draw_plots()
    assert set(out["scatter"]["memory"]) == {"n_files"}
    assert [t.name for t in out["box"]["memory"].data if t.type == "box"] == [
        "acs",
        "cos",
        "stis",
        "wfc3",
    ]
    assert numeric_columns(df) == ["n_files", "memory", "instr"]
    assert categorical_columns(df) == ["n_files", "instr"]  # integers with few values
    assert categorical_columns(df.assign(t=["x", "y", "x", "y"]))[-1] == "t"


def test_svm_plots_and_errors():
    df = pd.DataFrame(
        {
            "rms_ra": [0.1, 0.2, 5.0, 6.0],
            "rms_dec": [0.1, 0.3, 4.0, 7.0],
            "det": [4, 4, 1, 1],
            "label": [0, 0, 1, 1],
        }
    )
    plots = HstSvmPlots(df)
    fig = plots.scatter("rms_ra", "rms_dec")
    assert {t.name for t in fig.data} == {"wfc", "wfc fit", "ir", "ir fit"}
    bars = plots.bar_plots("rms_ra")
    assert [t.name for t in bars.data] == ["ir", "wfc"]
    assert len(plots.make_feature_scatter_figs("rms_ra", "rms_dec")) == 2
    with pytest.raises(DataError, match="non-empty"):
        DataPlots(pd.DataFrame())
    with pytest.raises(InputError, match="not in the table"):
        plots.scatter("nope", "rms_dec")
