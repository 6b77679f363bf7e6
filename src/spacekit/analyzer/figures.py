"""Pure figure builders for regression results: data in, figure out.

Each ``make_*_figure`` returns a :class:`plotly.graph_objects.Figure`; each ``mpl_*``
twin returns a :class:`matplotlib.figure.Figure` (created without pyplot, so there is no
global state and no display). Nothing here shows or saves a figure; see
:func:`save_figure`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from spacekit._io import atomic_path

__all__ = [
    "make_residual_figure",
    "make_loss_figure",
    "make_roc_figure",
    "make_pr_figure",
    "mpl_residual_figure",
    "mpl_loss_figure",
    "mpl_roc_figure",
    "mpl_pr_figure",
    "save_figure",
]


def _history_pairs(history: Mapping, metric: str) -> tuple[list, list]:
    train = list(np.ravel(history.get(metric, [])))
    val = list(np.ravel(history.get(f"val_{metric}", [])))
    return train, val


def make_residual_figure(y_true, y_pred, title: str = "Residual error"):
    """Scatter of predicted against true values with the identity line."""
    import plotly.graph_objects as go

    yt, yp = np.ravel(y_true).astype(float), np.ravel(y_pred).astype(float)
    lim = [float(min(yt.min(), yp.min(), 0)), float(max(yt.max(), yp.max()))] if yt.size else [0, 1]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=yt, y=yp, mode="markers", name="products", marker={"size": 5}))
    fig.add_trace(go.Scatter(x=lim, y=lim, mode="lines", name="y = x", line={"dash": "dash"}))
    fig.update_layout(title=title, xaxis_title="true (GB)", yaxis_title="predicted (GB)")
    return fig


def make_loss_figure(history: Mapping, metric: str = "loss", title: str | None = None):
    """Training against validation curve of ``metric`` (looked up by name, not position)."""
    import plotly.graph_objects as go

    train, val = _history_pairs(history, metric)
    fig = go.Figure()
    if train:
        fig.add_trace(go.Scatter(x=list(range(1, len(train) + 1)), y=train, name=f"train {metric}"))
    if val:
        fig.add_trace(go.Scatter(x=list(range(1, len(val) + 1)), y=val, name=f"val {metric}"))
    fig.update_layout(
        title=title or f"Training vs validation {metric}", xaxis_title="epoch", yaxis_title=metric
    )
    return fig


def make_roc_figure(curves: Mapping[int, Mapping], title: str = "ROC per memory bin"):
    """ROC curve of each bin from :func:`spacekit.analyzer.metrics.binned_roc_pr`."""
    import plotly.graph_objects as go

    fig = go.Figure()
    fig.add_trace(
        go.Scatter(x=[0, 1], y=[0, 1], mode="lines", line={"dash": "dash"}, name="chance")
    )
    for c in curves.values():
        if len(c["fpr"]):
            fig.add_trace(
                go.Scatter(x=c["fpr"], y=c["tpr"], name=f"{c['label']} (AUC={c['auc']:.2f})")
            )
    fig.update_layout(
        title=title, xaxis_title="false positive rate", yaxis_title="true positive rate"
    )
    return fig


def make_pr_figure(curves: Mapping[int, Mapping], title: str = "Precision-recall per memory bin"):
    """Precision-recall curve of each bin from ``binned_roc_pr``."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for c in curves.values():
        if len(c["recall"]):
            fig.add_trace(
                go.Scatter(x=c["recall"], y=c["precision"], name=f"{c['label']} (AP={c['ap']:.2f})")
            )
    fig.update_layout(title=title, xaxis_title="recall", yaxis_title="precision")
    return fig


def _mpl_axes(title: str, xlabel: str, ylabel: str):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 4.5), dpi=100)
    ax = fig.add_subplot()
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return fig, ax


def mpl_residual_figure(y_true, y_pred, title: str = "Residual error"):
    """Matplotlib twin of :func:`make_residual_figure`."""
    fig, ax = _mpl_axes(title, "true (GB)", "predicted (GB)")
    yt, yp = np.ravel(y_true).astype(float), np.ravel(y_pred).astype(float)
    ax.scatter(yt, yp, s=8, color="tab:red", label="products")
    if yt.size:
        lim = [min(yt.min(), yp.min(), 0), max(yt.max(), yp.max())]
        ax.plot(lim, lim, "k--", label="y = x")
    ax.legend(loc="upper left")
    return fig


def mpl_loss_figure(history: Mapping, metric: str = "loss", title: str | None = None):
    """Matplotlib twin of :func:`make_loss_figure`."""
    fig, ax = _mpl_axes(title or f"Training vs validation {metric}", "epoch", metric)
    train, val = _history_pairs(history, metric)
    if train:
        ax.plot(range(1, len(train) + 1), train, label=f"train {metric}")
    if val:
        ax.plot(range(1, len(val) + 1), val, label=f"val {metric}")
    if train or val:
        ax.legend()
    return fig


def mpl_roc_figure(curves: Mapping[int, Mapping], title: str = "ROC per memory bin"):
    """Matplotlib twin of :func:`make_roc_figure`."""
    fig, ax = _mpl_axes(title, "false positive rate", "true positive rate")
    ax.plot([0, 1], [0, 1], "k--", label="chance")
    for c in curves.values():
        if len(c["fpr"]):
            ax.plot(c["fpr"], c["tpr"], label=f"{c['label']} (AUC={c['auc']:.2f})")
    ax.legend(loc="lower right", fontsize="small")
    return fig


def mpl_pr_figure(curves: Mapping[int, Mapping], title: str = "Precision-recall per memory bin"):
    """Matplotlib twin of :func:`make_pr_figure`."""
    fig, ax = _mpl_axes(title, "recall", "precision")
    for c in curves.values():
        if len(c["recall"]):
            ax.plot(c["recall"], c["precision"], label=f"{c['label']} (AP={c['ap']:.2f})")
    if any(len(c["recall"]) for c in curves.values()):
        ax.legend(loc="lower left", fontsize="small")
    return fig


def save_figure(fig, path: str | os.PathLike) -> Path:
    """Save a plotly figure as ``.html`` or a matplotlib figure as ``.png`` (atomically).

    Plotly HTML files load plotly.js from a ``plotly.min.js`` written once beside them,
    so they work offline without embedding 4 MB per file.
    """
    path = Path(path)
    with atomic_path(path) as tmp:
        if path.suffix == ".html":
            fig.write_html(tmp, include_plotlyjs="directory", full_html=True)
        else:
            fig.savefig(tmp, format=path.suffix.lstrip(".") or "png")
    return path
