"""Model-evaluation page: figures for any number of versions, as plain functions."""

import numpy as np
import pytest
from dash_trees import write_cal_versions

from spacekit.dashboard.context import load_context
from spacekit.dashboard.pages import evaluation
from spacekit.exceptions import InputError


@pytest.fixture(scope="module")
def ctx(cal_results):
    return load_context("cal", cal_results)


def test_classifier_figures_for_every_version(ctx):
    figs = evaluation.build_figures(ctx, "mem_bin", ["v0", "v1", "v2"], "v1", "normalized")
    assert not figs["regression"]
    bars = figs["scores"]
    assert [t.name for t in bars.data] == ["train_acc", "test_acc", "train_loss", "test_loss"]
    assert list(bars.data[1].x) == ["v0", "v1", "v2"]
    # the accuracy bars equal each version's own metric
    for label, acc in zip(["v0", "v1", "v2"], bars.data[1].y, strict=True):
        assert acc == pytest.approx(ctx.compute(label, "mem_bin").metrics["accuracy"])
    heatmaps = [t for t in figs["detail"].data if t.type == "heatmap"]
    assert len(heatmaps) == 3 and heatmaps[0].zmax == 1.0
    np.testing.assert_allclose(heatmaps[1].z, ctx.compute("v1", "mem_bin").cmx_norm)
    assert "v1" in figs["roc"].layout.title.text
    assert len(figs["loss"].data) == 6  # train and val of three versions
    header, rows = figs["table"]
    assert header[:2] == ["version", "accuracy"] and [r[0] for r in rows] == ["v0", "v1", "v2"]
    assert figs["errors"] is None


def test_regressor_figures(ctx):
    figs = evaluation.build_figures(ctx, "memory", ["v0", "v2"], "v2")
    assert figs["regression"]
    assert [t.name for t in figs["errors"].data] == ["v0", "v2"]
    header, rows = figs["table"]
    assert header[1] == "test RMSE"
    assert float(rows[1][1]) == pytest.approx(ctx.compute("v2", "memory").loss["test_rmse"], 1e-3)


def test_ten_versions_and_errors(tmp_path):
    ctx = load_context("cal", write_cal_versions(tmp_path, n_versions=10, n=40))
    labels = [v.label for v in ctx.versions]
    assert labels == [f"v{i}" for i in range(10)]
    figs = evaluation.build_figures(ctx, "mem_bin", labels, None)
    assert len([t for t in figs["detail"].data if t.type == "heatmap"]) == 10
    assert "v9" in figs["roc"].layout.title.text  # newest by default
    with pytest.raises(InputError, match="at least one version"):
        evaluation.build_figures(ctx, "mem_bin", [], None)
    with pytest.raises(InputError, match="None of the chosen versions"):
        evaluation.build_figures(ctx, "wallclock", labels, None)
