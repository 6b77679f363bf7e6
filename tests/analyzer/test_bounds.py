"""Upper-bound coverage and head-room against the "x 3" rule."""

import pytest

from spacekit.analyzer.bounds import upper_bound_metrics
from spacekit.exceptions import InputError


def test_metrics_by_hand():
    m = upper_bound_metrics(y_true=[1, 2, 9, 4], y_pred=[1, 2, 2, 4], upper=[2, 4, 10, 4])
    assert m["n"] == 4
    assert m["coverage"] == 1.0
    assert m["rule_coverage"] == 0.75  # 9 > 3 * 2
    assert m["headroom_median"] == pytest.approx(2.0)  # ratios 2, 2, 5, 1
    assert m["headroom_mean"] == pytest.approx(2.5)
    assert m["reserved_ratio"] == pytest.approx(20 / 16)
    assert m["rule_reserved_ratio"] == pytest.approx(27 / 16)
    assert m["reserved_vs_rule"] == pytest.approx(20 / 27)


def test_floor_applies_to_the_rule_and_lengths_must_match():
    m = upper_bound_metrics([1.0], [-2.0], [1.5], floor=0.5)
    assert m["rule_coverage"] == 1.0  # 3 * 0.5 >= 1
    assert m["headroom_median"] == pytest.approx(3.0)
    with pytest.raises(InputError, match="one length"):
        upper_bound_metrics([1, 2], [1], [1, 2])
