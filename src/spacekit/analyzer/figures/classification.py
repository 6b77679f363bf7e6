"""Classifier results: confusion matrix, ROC and precision-recall curves, example gallery.

Data in (arrays already computed), a matplotlib or plotly figure out; nothing is written
or shown here. :func:`make_roc_figure` and :func:`make_pr_figure` draw the per-memory-bin
curves of a regressor (from :func:`spacekit.analyzer.metrics.binned_roc_pr`) with the
same builder, :func:`make_curves_figure`.

Examples
--------
>>> import numpy as np
>>> from spacekit.analyzer.figures import make_confusion_matrix_figure
>>> fig = make_confusion_matrix_figure(np.array([[5, 1], [2, 7]]), ["aligned", "misaligned"])
>>> fig.axes[0].get_title()
'Confusion matrix'
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from spacekit.analyzer.figures.backend import check_backend, new_matplotlib_figure
from spacekit.exceptions import InputError

__all__ = [
    "make_confusion_matrix_figure",
    "make_curves_figure",
    "make_roc_figure",
    "make_pr_figure",
    "mpl_roc_figure",
    "mpl_pr_figure",
    "make_gallery_figure",
]


def make_confusion_matrix_figure(
    cm: np.ndarray,
    class_names: Sequence[str],
    *,
    normalized: bool = False,
    backend: str = "matplotlib",
    title: str | None = None,
    colorscale: str = "Blues",
):
    """Draw a confusion matrix (rows: true class, columns: predicted class).

    Parameters
    ----------
    cm : array-like of shape (n_classes, n_classes)
        Counts, or row-normalised fractions when ``normalized``.
    class_names : sequence of str
        One label per row/column.
    normalized : bool, default=False
        Format cells as fractions instead of counts.
    backend : {"matplotlib", "plotly"}, default="matplotlib"
        The plotly figure is :func:`~spacekit.analyzer.figures.evaluation.make_confusion_grid`
        with one panel.
    title : str, optional
    colorscale : str, default="Blues"
        Colour map (matplotlib) or colour scale (plotly).

    Returns
    -------
    matplotlib.figure.Figure or plotly.graph_objects.Figure
    """
    check_backend(backend)
    cm = np.asarray(cm, dtype=float)
    names = [str(c) for c in class_names]
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1] or cm.shape[0] != len(names):
        raise InputError(
            f"Confusion matrix of shape {cm.shape} does not match {len(names)} class names; "
            "expected a square (n_classes, n_classes) matrix."
        )
    title = title or (
        "Confusion matrix (normalised by true class)" if normalized else "Confusion matrix"
    )
    if backend == "plotly":  # the heat map the evaluation pages draw, as one panel
        from spacekit.analyzer.figures.evaluation import make_confusion_grid

        return make_confusion_grid([cm], names, normalized, [title], colorscale)
    text = [[(f"{v:.2f}" if normalized else f"{int(round(v))}") for v in row] for row in cm]
    size = max(4.5, 0.6 * len(names) + 2.5)
    fig = new_matplotlib_figure((size + 1, size))
    ax = fig.add_subplot(1, 1, 1)
    im = ax.imshow(cm, cmap=colorscale, vmin=0, vmax=1 if normalized else None)
    fig.colorbar(im, ax=ax, shrink=0.8)
    ticks = np.arange(len(names))
    ax.set_xticks(
        ticks,
        labels=names,
        rotation=45 if max(map(len, names)) > 3 else 0,
        ha="right" if max(map(len, names)) > 3 else "center",
    )
    ax.set_yticks(ticks, labels=names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    thresh = np.nanmax(cm) / 2 if cm.size and np.nanmax(cm) > 0 else 0.5
    if len(names) <= 30:
        for i in range(cm.shape[0]):
            for j in range(cm.shape[1]):
                color = "white" if cm[i, j] > thresh else "black"
                ax.text(j, i, text[i][j], ha="center", va="center", color=color, fontsize=9)
    return fig


def make_curves_figure(
    curves: Mapping[str, tuple[np.ndarray, np.ndarray, float]],
    *,
    kind: str = "roc",
    backend: str = "matplotlib",
    title: str | None = None,
):
    """Draw ROC or precision-recall curves, one per class (or one for binary).

    Parameters
    ----------
    curves : mapping of str to (x, y, score)
        For ``kind="roc"``: ``(fpr, tpr, auc)``; for ``kind="pr"``:
        ``(recall, precision, average_precision)``.
    kind : {"roc", "pr"}, default="roc"
    backend : {"matplotlib", "plotly"}, default="matplotlib"
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure or plotly.graph_objects.Figure
    """
    check_backend(backend)
    if kind not in ("roc", "pr"):
        raise InputError(f"Unknown curve kind {kind!r}; expected 'roc' or 'pr'.")
    score_name = "AUC" if kind == "roc" else "AP"
    xlabel, ylabel = (
        ("false positive rate", "true positive rate") if kind == "roc" else ("recall", "precision")
    )
    title = title or ("ROC curves" if kind == "roc" else "Precision-recall curves")
    if backend == "plotly":
        import plotly.graph_objects as go

        fig = go.Figure()
        for label, (x, y, score) in curves.items():
            fig.add_scatter(
                x=np.asarray(x).tolist(),
                y=np.asarray(y).tolist(),
                mode="lines",
                name=f"{label} ({score_name}={score:.3f})",
            )
        if kind == "roc":
            fig.add_scatter(
                x=[0, 1],
                y=[0, 1],
                mode="lines",
                name="chance",
                line={"dash": "dash", "color": "gray"},
            )
        fig.update_layout(
            title=title,
            xaxis_title=xlabel,
            yaxis_title=ylabel,
            template="plotly_white",
            xaxis={"range": [0, 1]},
            yaxis={"range": [0, 1.02]},
            width=620,
            height=520,
        )
        return fig
    fig = new_matplotlib_figure((6.4, 5.2))
    ax = fig.add_subplot(1, 1, 1)
    for label, (x, y, score) in curves.items():
        drawstyle = "steps-post" if kind == "pr" else "default"
        ax.plot(x, y, label=f"{label} ({score_name}={score:.3f})", drawstyle=drawstyle)
    if kind == "roc":
        ax.plot([0, 1], [0, 1], ls="--", color="gray", label="chance")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    if curves or kind == "roc":
        ax.legend(fontsize="small", loc="lower right" if kind == "roc" else "lower left")
    return fig


def _bin_curves(curves: Mapping[int, Mapping], x: str, y: str, score: str) -> dict:
    return {c["label"]: (c[x], c[y], c[score]) for c in curves.values() if len(c[x])}


def make_roc_figure(
    curves: Mapping[int, Mapping], title: str = "ROC per memory bin", *, backend: str = "plotly"
):
    """ROC curve of each memory bin from :func:`spacekit.analyzer.metrics.binned_roc_pr`.

    Bins without both classes in the test set (empty curves) are left out.

    Returns
    -------
    plotly.graph_objects.Figure or matplotlib.figure.Figure
    """
    roc = _bin_curves(curves, "fpr", "tpr", "auc")
    return make_curves_figure(roc, kind="roc", backend=backend, title=title)


def make_pr_figure(
    curves: Mapping[int, Mapping],
    title: str = "Precision-recall per memory bin",
    *,
    backend: str = "plotly",
):
    """Precision-recall curve of each memory bin from ``binned_roc_pr``.

    Returns
    -------
    plotly.graph_objects.Figure or matplotlib.figure.Figure
    """
    pr = _bin_curves(curves, "recall", "precision", "ap")
    return make_curves_figure(pr, kind="pr", backend=backend, title=title)


def mpl_roc_figure(curves: Mapping[int, Mapping], title: str = "ROC per memory bin"):
    """:func:`make_roc_figure` with ``backend="matplotlib"``."""
    return make_roc_figure(curves, title, backend="matplotlib")


def mpl_pr_figure(curves: Mapping[int, Mapping], title: str = "Precision-recall per memory bin"):
    """:func:`make_pr_figure` with ``backend="matplotlib"``."""
    return make_pr_figure(curves, title, backend="matplotlib")


def _as_image(x: np.ndarray) -> tuple[np.ndarray, str | None]:
    """Return an array imshow can draw and the colormap to use (None for RGB)."""
    img = np.asarray(x, dtype=float)
    if img.ndim == 3 and img.shape[-1] == 1:
        img = img[..., 0]
    elif img.ndim == 3 and img.shape[0] in (1, 3, 4) and img.shape[-1] not in (3, 4):
        img = np.moveaxis(img, 0, -1)  # channels-first
        if img.shape[-1] == 1:
            img = img[..., 0]
    if img.ndim == 3:
        lo, hi = np.nanmin(img), np.nanmax(img)
        img = (img - lo) / (hi - lo) if hi > lo else np.zeros_like(img)
        return img[..., :3] if img.shape[-1] == 4 else img, None
    return img, "gray"


def make_gallery_figure(
    items: Sequence[Mapping[str, Any]],
    *,
    ncols: int = 4,
    title: str | None = "Misclassified examples",
):
    """Draw a grid of examples with their true/predicted labels (matplotlib).

    Parameters
    ----------
    items : sequence of mapping
        Each with ``"title"`` (str) and optionally ``"image"`` (2-D array, or 3-D HWC/CHW).
        Items without an image (tabular inputs) are drawn as text cards.
    ncols : int, default=4
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    n = len(items)
    ncols = max(1, min(ncols, n))
    nrows = max(1, math.ceil(n / ncols))
    fig = new_matplotlib_figure((2.6 * ncols, 2.8 * nrows))
    if n == 0:
        ax = fig.add_subplot(1, 1, 1)
        ax.text(0.5, 0.5, "No misclassified examples", ha="center", va="center")
        ax.set_axis_off()
    for i, item in enumerate(items):
        ax = fig.add_subplot(nrows, ncols, i + 1)
        image = item.get("image")
        if image is not None and np.asarray(image).ndim in (2, 3):
            img, cmap = _as_image(image)
            ax.imshow(img, cmap=cmap)
        else:
            ax.text(
                0.5, 0.5, item.get("detail", ""), ha="center", va="center", fontsize=8, wrap=True
            )
        ax.set_title(item.get("title", ""), fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
    if title:
        fig.suptitle(title)
    return fig
