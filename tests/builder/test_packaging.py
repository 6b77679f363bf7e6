"""Tests of spacekit.builder.packaging (training run -> jwst_cal archive) without Keras."""

import pytest

from spacekit.builder.packaging import build_archive, make_model_card
from spacekit.exceptions import DataError


def test_run_without_models_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="No trained model"):
        build_archive(tmp_path)


def test_malformed_scores_summary_is_named(tmp_path):
    summary = tmp_path / "spec" / "summary"
    summary.mkdir(parents=True)
    (summary / "spec-cv-scores.json").write_text('{"n_folds": 2}')
    with pytest.raises(DataError, match="spec-cv-scores.json.*best_fold"):
        build_archive(tmp_path)
    (summary / "spec-cv-scores.json").write_text("not json")
    with pytest.raises(DataError, match="spec-cv-scores.json"):
        build_archive(tmp_path)


def test_model_card_lists_network_and_baseline(tmp_path):
    card = make_model_card(
        tmp_path / "2026-01-02_1767312000",
        {"spec": {"model": "spec3_reg", "n_folds": 3, "network": {"r2": 0.5}, "baseline": {}}},
        extra="## Data\nsimulated",
    )
    assert "| spec3_reg | 3 |" in card and "0.500" in card and "n/a" in card
    assert card.rstrip().endswith("simulated") and "2026-01-02_1767312000" in card
