"""Conformal upper bounds: coverage, per-group scores, levels, storage."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from spacekit.builder.conformal import ConformalUpperBound, group_labels
from spacekit.exceptions import ArchiveError, InputError


def jobs(n, seed, spread):
    rng = np.random.default_rng(seed)
    pred = rng.uniform(0.5, 20, n)
    return pred * np.exp(rng.normal(0.1, spread, n)), pred


@pytest.mark.parametrize("level", [0.8, 0.9, 0.95])
def test_coverage_on_new_jobs_is_close_to_the_level(level):
    y_cal, p_cal = jobs(3000, 1, 0.4)
    y_new, p_new = jobs(20000, 2, 0.4)
    cb = ConformalUpperBound().fit(y_cal, p_cal)
    covered = np.mean(y_new <= cb.predict(p_new, level=level))
    assert abs(covered - level) < 0.02


def test_the_bound_is_the_conformal_quantile_of_the_log_ratios():
    y = np.array([1.0, 2.0, 4.0, 8.0])
    p = np.ones(4)
    cb = ConformalUpperBound(floor=0.5).fit(y, p)
    # n = 4: level 0.6 -> k = ceil(5 * 0.6) = 3 -> third smallest log ratio = log 4
    assert cb.quantile(0.6) == pytest.approx(math.log(4))
    assert cb.predict([2.0, 0.1], level=0.6) == pytest.approx([8.0, 0.5 * 4])  # floor 0.5
    assert cb.max_level() == pytest.approx(0.8)
    with pytest.raises(InputError, match="highest supported level is 0.8000"):
        cb.quantile(0.9)
    with pytest.raises(InputError, match="between 0 and 1"):
        cb.predict([1.0], level=1.5)


def test_groups_get_their_own_scores_and_small_groups_fall_back_to_pooled():
    y_a, p_a = jobs(500, 3, 0.1)  # well-predicted group
    y_b, p_b = jobs(500, 4, 0.8)  # poorly predicted group
    y_c, p_c = jobs(20, 5, 0.8)  # too small: pooled
    y = np.concatenate([y_a, y_b, y_c])
    p = np.concatenate([p_a, p_b, p_c])
    g = ["a"] * 500 + ["b"] * 500 + ["c"] * 20
    cb = ConformalUpperBound(min_group_size=100).fit(y, p, g)
    qa, qb, qc = (cb.quantile(0.9, x) for x in "abc")
    assert qa < qb
    assert qc == cb.quantile(0.9) == cb.quantile(0.9, "unknown")
    upper = cb.predict([10.0, 10.0], level=0.9, groups=["a", "b"])
    assert upper[0] == pytest.approx(10 * math.exp(qa))
    assert upper[1] == pytest.approx(10 * math.exp(qb))


def test_round_trip_through_json_rounds_scores_up():
    y, p = jobs(300, 6, 0.3)
    cb = ConformalUpperBound(floor=0.05, name="memory").fit(y, p, ["x"] * 150 + ["y"] * 150)
    doc = json.loads(json.dumps(cb.to_dict()))
    back = ConformalUpperBound.from_dict(doc)
    assert back.n_ == 300 and back.name == "memory" and back.floor == 0.05
    for level in (0.5, 0.9, 0.95):
        for group in ("x", "y", None):
            q0, q1 = cb.quantile(level, group), back.quantile(level, group)
            assert q0 <= q1 <= q0 + 1e-4
    with pytest.raises(ArchiveError, match="Not a conformal calibration"):
        ConformalUpperBound.from_dict({"format": "other"})
    bad = dict(doc, scores={"x": [1.0]})
    with pytest.raises(ArchiveError, match="no pooled scores"):
        ConformalUpperBound.from_dict(bad)


def test_fit_rejects_bad_input():
    with pytest.raises(InputError, match="NaN or infinite"):
        ConformalUpperBound().fit([1.0, np.nan], [1.0, 1.0])
    with pytest.raises(InputError, match="same length"):
        ConformalUpperBound().fit([1.0, 2.0], [1.0])
    with pytest.raises(InputError, match="not calibrated"):
        ConformalUpperBound().predict([1.0])
    with pytest.raises(InputError, match="groups has 1 labels for 2"):
        ConformalUpperBound().fit([1.0, 2.0], [1.0, 2.0], groups=["a"])


def test_group_labels_join_columns():
    assert group_labels([3, 0], [1, 0]) == ["3/1", "0/0"]
