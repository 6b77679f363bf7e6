"""Projections, per-sample loss, nearest neighbours and index validation of the explorer."""

import importlib.util

import numpy as np
import pytest

from spacekit.dashboard.explorer import projection as P
from spacekit.exceptions import InputError


def _two_clusters(n=20, d=8, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.normal(0.0, 0.1, size=(n, d))
    b = rng.normal(0.0, 0.1, size=(n, d))
    b[:, 0] += 5.0
    return np.vstack([a, b]), np.repeat([0, 1], n)


def _separated(coords, groups):
    """Between-cluster distance of the centres over the largest within-cluster spread."""
    ca, cb = coords[groups == 0].mean(axis=0), coords[groups == 1].mean(axis=0)
    spread = max(
        np.linalg.norm(coords[groups == k] - c, axis=1).max() for k, c in ((0, ca), (1, cb))
    )
    return np.linalg.norm(ca - cb) / spread


def test_pca_separates_clusters_along_the_first_axis():
    x, g = _two_clusters()
    xy = P.project(x, "pca")
    assert xy.shape == (40, 2) and xy.dtype == np.float32
    # the clusters differ only in feature 0 by 5: the first component is +-2.5
    np.testing.assert_allclose(np.abs(xy[:, 0]), 2.5, atol=0.4)
    assert np.sign(xy[0, 0]) != np.sign(xy[-1, 0])
    np.testing.assert_array_equal(P.project(x, "pca"), xy)


def test_tsne_keeps_clusters_apart_and_is_reproducible():
    x, g = _two_clusters(n=15, d=60)  # wider than 50: PCA first
    xy = P.project(x, "tsne", seed=1)
    assert xy.shape == (30, 2)
    assert _separated(xy, g) > 1.5
    np.testing.assert_array_equal(P.project(x, "tsne", seed=1), xy)


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("umap") is None, reason="umap-learn not installed")
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_umap_keeps_clusters_apart():
    x, g = _two_clusters(n=20)
    xy = P.project(x, "umap")
    assert xy.shape == (40, 2)
    assert _separated(xy, g) > 1.5


def test_methods_without_umap(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "umap" else real(name, *a)
    )
    assert P.available_methods() == ["pca", "tsne"]
    with pytest.raises(InputError, match="install umap-learn"):
        P.project(np.zeros((5, 2)), "umap")
    with pytest.raises(InputError, match=r"available: \['pca', 'tsne'\]"):
        P.project(np.zeros((5, 2)), "isomap")


def test_projection_needs_three_samples_and_handles_one_feature():
    with pytest.raises(InputError, match="at least 3"):
        P.project(np.zeros((2, 4)), "pca")
    xy = P.project(np.arange(5.0)[:, None], "pca")
    np.testing.assert_allclose(np.abs(xy[:, 0]), [2, 1, 0, 1, 2], atol=1e-6)
    np.testing.assert_array_equal(xy[:, 1], 0)


def test_per_sample_loss_is_cross_entropy_of_the_true_class():
    p = np.array([[0.9, 0.1], [0.25, 0.75], [1.0, 0.0]])
    loss = P.per_sample_loss(p, np.array([0, 0, 1]))
    np.testing.assert_allclose(loss, [-np.log(0.9), -np.log(0.25), -np.log(1e-7)])
    certain = P.per_sample_loss(np.array([[1.0, 0.0]]), np.array([0]))
    assert certain[0] == 0.0 and not np.signbit(certain[0])  # shown as "0", not "-0"


def test_valid_indices_drop_tampered_values():
    values = [3, "4", 2.0, 2.5, -1, 10, True, None, "x", {"a": 1}, 3, np.int64(7)]
    assert P.valid_indices(values, 10) == [3, 4, 2, 7]
    assert P.valid_indices(values, 10, limit=2) == [3, 4]
    assert P.valid_indices(None, 10) == []


def test_nearest_neighbours_euclidean_and_cosine():
    f = np.array([[0, 0], [1, 0], [3, 0], [0, 2], [10, 10]], dtype=float)
    idx, dist = P.nearest_neighbours(f, 0, k=3)
    assert idx.tolist() == [1, 3, 2]
    np.testing.assert_allclose(dist, [1, 2, 3])
    g = np.array([[1, 0], [2, 0.1], [0, 1], [-1, 0]], dtype=float)
    idx, dist = P.nearest_neighbours(g, 0, k=3, metric="cosine")
    assert idx.tolist() == [1, 2, 3]
    np.testing.assert_allclose(dist[1:], [1.0, 2.0], atol=1e-6)
    with pytest.raises(InputError, match="outside the data"):
        P.nearest_neighbours(f, 5)
    with pytest.raises(InputError, match="metric"):
        P.nearest_neighbours(f, 0, metric="manhattan")
