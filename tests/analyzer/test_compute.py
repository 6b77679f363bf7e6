"""Tests of spacekit.analyzer (metrics, safe results folders, figures, ComputeRegressor)."""

import json
import sys

import numpy as np
import pandas as pd
import pytest

from spacekit.analyzer.compute import ComputeRegressor
from spacekit.analyzer.metrics import (
    bin_scores,
    bin_values,
    binned_roc_pr,
    mean_auc_pr,
    regression_metrics,
)
from spacekit.analyzer.results import load_results, save_results
from spacekit.exceptions import ArchiveError, InputError


@pytest.fixture
def regression():
    rng = np.random.default_rng(0)
    y_true = np.exp(rng.normal(2.0, 2.0, 400))
    y_pred = y_true * np.exp(rng.normal(0, 0.2, 400))
    return y_true, y_pred


def test_regression_metrics_known_values():
    m = regression_metrics([1, 2, 3, 4], [2, 2, 1, 4])
    assert m["rmse"] == pytest.approx(np.sqrt(5 / 4))
    assert m["mae"] == pytest.approx(0.75)
    assert m["rmse_pos"] == pytest.approx(1.0)  # one over-estimate of +1
    assert m["rmse_neg"] == pytest.approx(np.sqrt(4 / 3))  # 0, -2, 0
    assert m["l2_norm"] == pytest.approx(np.sqrt(5))
    assert m["l2_pos"] == pytest.approx(1.0)
    assert m["l2_neg"] == pytest.approx(2.0)
    assert (m["n_pos"], m["n_neg"]) == (1, 3)


def test_regression_metrics_empty_side_is_nan_without_warning():
    m = regression_metrics([1, 2], [0, 1])
    assert np.isnan(m["rmse_pos"]) and np.isnan(m["l2_pos"])
    with pytest.raises(InputError, match="same length"):
        regression_metrics([1, 2], [1])
    with pytest.raises(InputError, match="empty"):
        regression_metrics([], [])


def test_bins_include_negative_predictions():
    assert bin_values([-1, 0, 11.9, 12, 300, 5000]).tolist() == [0, 0, 0, 1, 2, 3]
    scores = bin_scores([5.0, 100.0])
    assert scores.shape == (2, 4)
    assert scores[0, 0] == 0 and scores[0, 1] == pytest.approx(-7.0)
    assert scores[1, 1] == 0 and scores[1, 0] == pytest.approx(-88.0)
    with pytest.raises(InputError, match="increasing"):
        bin_values([1], thresholds=[5, 1])


def test_binned_roc_uses_continuous_scores(regression):
    y_true, y_pred = regression
    curves = binned_roc_pr(y_true, y_pred)
    assert set(curves) == {0, 1, 2, 3}
    defined = [c for c in curves.values() if np.isfinite(c["auc"])]
    assert defined, "at least one bin has positives and negatives"
    # continuous scores give full curves, not a single operating point
    assert all(len(c["fpr"]) > 3 for c in defined)
    assert all(0.8 < c["auc"] <= 1 for c in defined)
    mean_auc, mean_pr = mean_auc_pr(curves)
    assert 0.8 < mean_auc <= 1 and 0 < mean_pr <= 1
    # a bin with no true members is NaN, not an error
    one_bin = binned_roc_pr([1.0, 2.0, 3.0], [1.0, 2.5, 2.0])
    assert np.isnan(one_bin[0]["auc"]) and np.isnan(one_bin[3]["auc"])


def test_results_roundtrip_without_pickle(tmp_path):
    outputs = {
        "history": {"loss": [3.0, 2.0], "val_loss": [4.0, 3.5]},
        "loss": {"test_rmse": 1.5, "rmse_pos": float("nan")},
        "predictions": np.array([[1.0, 2.0], [3.0, 4.0]]),
        "residuals": [-1.0, -1.0],
        "test_idx": pd.Series([2.0, 4.0], index=pd.Index(["a", "b"], name="Dataset")),
        "report": "text report",
        "meta": {"nested": {"x": 1}, "bad": float("inf")},
    }
    folder = save_results(tmp_path / "res", outputs)
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        "history.npz",
        "loss.npz",
        "manifest.json",
        "meta.json",
        "predictions.npy",
        "report.json",
        "residuals.npy",
        "test_idx.csv",
    ]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["format"] == "spacekit-results" and manifest["files"]["loss"] == "loss.npz"
    back = load_results(folder)
    np.testing.assert_array_equal(back["history"]["val_loss"], [4.0, 3.5])
    assert np.isnan(back["loss"]["rmse_pos"])
    np.testing.assert_array_equal(back["predictions"], outputs["predictions"])
    assert list(back["test_idx"].index) == ["a", "b"]
    assert back["report"] == "text report"
    assert back["meta"] == {"nested": {"x": 1}, "bad": None}


def test_load_refuses_pickled_object_arrays(tmp_path):
    folder = tmp_path / "old"
    folder.mkdir()
    np.save(folder / "fnfp.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ArchiveError, match="pickle"):
        load_results(folder)
    with pytest.raises(ArchiveError, match="does not exist"):
        load_results(tmp_path / "missing")


def test_reads_114_nested_npz_names(tmp_path):
    np.savez(tmp_path / "fnfp-fn_idx.npz", **{"0": np.array(["a", "b"])})
    back = load_results(tmp_path)
    assert back["fnfp"]["fn_idx"]["0"].tolist() == ["a", "b"]


def test_compute_regressor_roundtrip_and_plots(tmp_path, regression):
    y_true, y_pred = regression
    history = {"loss": [3.0, 2.0, 1.0], "rmse": [1.7, 1.4, 1.0]}
    history |= {"val_loss": [4.0, 3.0, 2.5], "val_rmse": [2.0, 1.7, 1.6]}
    com = ComputeRegressor(
        y_true,
        y_pred,
        history=history,
        test_idx=[f"p{i}" for i in range(len(y_true))],
        y_train_true=y_true[:10],
        y_train_pred=y_true[:10],
        res_path=tmp_path / "results" / "0",
    )
    loss = com.calculate_results()
    assert loss["train_rmse"] == 0.0
    assert loss["test_rmse"] == pytest.approx(np.sqrt(np.mean((y_pred - y_true) ** 2)))
    assert set(loss) >= {"rmse_pos", "rmse_neg", "l2_norm", "l2_pos", "l2_neg", "mean_auc"}
    folder = com.download()
    for stem in ("history.npz", "loss.npz", "predictions.npy", "residuals.npy", "test_idx.csv"):
        assert (folder / stem).is_file()
    back = ComputeRegressor()
    back.upload(folder)
    np.testing.assert_allclose(back.y_pred, y_pred)
    assert back.loss["test_rmse"] == pytest.approx(loss["test_rmse"])
    assert back.test_idx[:2] == ["p0", "p1"]
    assert back.roc_auc.keys() == com.roc_auc.keys()
    written = com.save_plots(tmp_path / "fig", prefix="fold0-")
    names = {p.name for p in written}
    assert {"fold0-residuals.html", "fold0-loss.png", "fold0-roc.png", "fold0-pr.html"} <= names
    assert all(p.stat().st_size > 0 for p in written)
    # plotly.js is written once beside the HTML pages, not embedded in each
    assert (tmp_path / "fig" / "plotly.min.js").is_file()
    assert (tmp_path / "fig" / "fold0-loss.html").stat().st_size < 100_000
    # loss curves are looked up by name, not by position in the history
    curves = {t.name: list(t.y) for t in com.loss_fig.data if not t.name.startswith("best")}
    assert curves == {"loss": [3.0, 2.0, 1.0], "val_loss": [4.0, 3.0, 2.5]}


def test_compute_regressor_errors(tmp_path):
    with pytest.raises(InputError, match="needs y_true"):
        ComputeRegressor().calculate_results()
    com = ComputeRegressor([1.0, 2.0], [1.0, 2.0])
    with pytest.raises(InputError, match="No results folder"):
        com.download()
    (tmp_path / "empty").mkdir()
    with pytest.raises(ArchiveError, match="predictions"):
        ComputeRegressor().upload(tmp_path / "empty")
    # a 1-D predictions array (no truth column) is named, not an IndexError
    (tmp_path / "flat").mkdir()
    np.save(tmp_path / "flat" / "predictions.npy", np.array([1.0, 2.0]))
    with pytest.raises(ArchiveError, match=r"shape \(2,\)"):
        ComputeRegressor().upload(tmp_path / "flat")


def test_analyzer_import_is_light():
    import subprocess

    code = (
        "import sys, spacekit.analyzer.compute; "
        "print('tensorflow' in sys.modules or 'keras' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
