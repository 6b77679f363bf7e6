"""2-D projections (PCA, t-SNE, UMAP), per-sample loss and nearest neighbours.

Pure numerical functions: arrays in, arrays out. The explorer's context caches their
results on disk (:mod:`spacekit.dashboard.explorer.cache`).

t-SNE and UMAP run on the first 50 principal components when the vectors are wider
(the usual practice; it also makes them much faster), with fixed seeds, so a projection
is reproducible and can be cached.

Examples
--------
>>> import numpy as np
>>> from spacekit.dashboard.explorer.projection import project, per_sample_loss
>>> x = np.random.default_rng(0).normal(size=(40, 6))
>>> project(x, "pca").shape
(40, 2)
>>> per_sample_loss(np.array([[0.9, 0.1], [0.5, 0.5]]), np.array([0, 1])).round(3)
array([0.105, 0.693])
"""

from __future__ import annotations

import importlib.util
import logging

import numpy as np

from spacekit.exceptions import InputError

__all__ = [
    "METHODS",
    "available_methods",
    "check_method",
    "project",
    "per_sample_loss",
    "nearest_neighbours",
    "valid_indices",
]

log = logging.getLogger(__name__)

#: Projection methods and their display names.
METHODS: dict[str, str] = {"pca": "PCA", "tsne": "t-SNE", "umap": "UMAP"}
_PRE_PCA = 50
_EPS = 1e-7


def available_methods() -> list[str]:
    """The methods usable here (UMAP only when ``umap-learn`` is installed; not imported)."""
    names = ["pca", "tsne"]
    if importlib.util.find_spec("umap") is not None:
        names.append("umap")
    return names


def check_method(method: str) -> str:
    """Return ``method`` if it is available, else raise InputError listing the choices."""
    if method not in available_methods():
        hint = " (install umap-learn for UMAP)" if method == "umap" else ""
        raise InputError(f"Unknown projection {method!r}{hint}; available: {available_methods()}.")
    return method


def _standard(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
    return x - x.mean(axis=0)


def _pca(x: np.ndarray, n: int, seed: int) -> np.ndarray:
    from sklearn.decomposition import PCA

    n = max(1, min(n, x.shape[0], x.shape[1]))
    solver = "randomized" if min(x.shape) > 4 * n else "full"
    out = PCA(n_components=n, svd_solver=solver, random_state=seed).fit_transform(x)
    if out.shape[1] < 2:  # a single feature: put the points on a line
        out = np.column_stack([out, np.zeros(len(out))])
    return out


def project(x: np.ndarray, method: str = "pca", seed: int = 0) -> np.ndarray:
    """Project the rows of ``x`` to 2-D.

    Parameters
    ----------
    x : array-like of shape (n_samples, ...)
        Flattened to vectors.
    method : {"pca", "tsne", "umap"}, default="pca"
    seed : int, default=0

    Returns
    -------
    numpy.ndarray of shape (n_samples, 2), dtype float32

    Raises
    ------
    InputError
        Unknown or unavailable method, or fewer than 3 samples.
    """
    method = check_method(method)
    x = _standard(x)
    n = len(x)
    if n < 3:
        raise InputError(f"A projection needs at least 3 samples; received {n}.")
    if method == "pca":
        return _pca(x, 2, seed)[:, :2].astype(np.float32)
    if x.shape[1] > _PRE_PCA:
        x = _pca(x, _PRE_PCA, seed)
    if method == "tsne":
        from sklearn.manifold import TSNE

        perplexity = float(min(30.0, max(2.0, (n - 1) / 3)))
        out = TSNE(
            n_components=2, perplexity=perplexity, init="pca", random_state=seed,
            learning_rate="auto",
        ).fit_transform(x.astype(np.float32))  # fmt: skip
    else:
        import umap

        n_neighbors = int(min(15, max(2, n - 1)))
        out = umap.UMAP(
            n_components=2, n_neighbors=n_neighbors, random_state=seed, n_jobs=1
        ).fit_transform(x.astype(np.float32))
    return np.asarray(out, dtype=np.float32)


def per_sample_loss(probabilities: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Cross-entropy of each sample, ``-log p(true class)`` (probabilities clipped at 1e-7)."""
    p = np.asarray(probabilities, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.int64)
    picked = p[np.arange(len(labels)), labels]
    return 0.0 - np.log(np.clip(picked, _EPS, 1.0))  # 0.0 - x: no -0.0 for p = 1


def valid_indices(values, n: int, limit: int | None = None) -> list[int]:
    """Sample indices from the browser, kept only when they are integers in ``[0, n)``.

    Anything else (strings, floats with a fraction, out-of-range numbers) is dropped, so
    a tampered request can never index outside the data. Order is kept, duplicates
    dropped; at most ``limit`` values.
    """
    out, seen = [], set()
    for v in values or []:
        if isinstance(v, bool):
            continue
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        if isinstance(v, str) and v.strip().lstrip("-").isdigit():
            v = int(v)
        if isinstance(v, int | np.integer) and 0 <= int(v) < n and int(v) not in seen:
            seen.add(int(v))
            out.append(int(v))
            if limit is not None and len(out) >= limit:
                break
    return out


def nearest_neighbours(
    features: np.ndarray, index: int, k: int = 8, metric: str = "euclidean"
) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` samples nearest to sample ``index`` (itself excluded), nearest first.

    Parameters
    ----------
    features : numpy.ndarray of shape (n, d)
    index : int
    k : int, default=8
    metric : {"euclidean", "cosine"}, default="euclidean"

    Returns
    -------
    indices : numpy.ndarray of shape (k,)
    distances : numpy.ndarray of shape (k,)
    """
    f = np.asarray(features, dtype=np.float32).reshape(len(features), -1)
    n = len(f)
    if not 0 <= int(index) < n:
        raise InputError(f"Index {index} is outside the data (0..{n - 1}).")
    if metric not in ("euclidean", "cosine"):
        raise InputError(f"metric must be 'euclidean' or 'cosine'; received {metric!r}.")
    k = int(max(1, min(k, n - 1)))
    if metric == "cosine":
        norm = np.linalg.norm(f, axis=1, keepdims=True)
        g = f / np.where(norm == 0, 1.0, norm)
        dist = 1.0 - g @ g[index]
    else:
        diff = f - f[index]
        dist = np.sqrt(np.einsum("ij,ij->i", diff, diff))
    dist = dist.astype(np.float64)
    dist[index] = np.inf
    part = np.argpartition(dist, k - 1)[:k]
    order = part[np.lexsort((part, dist[part]))]
    return order, dist[order]
