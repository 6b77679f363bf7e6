"""Regression results: predicted against true values.

Examples
--------
>>> from spacekit.analyzer.figures import make_residual_figure
>>> fig = make_residual_figure([1.0, 2.0, 30.0], [1.5, 1.8, 28.0])
>>> [trace.name for trace in fig.data]
['products', 'y = x']
"""

from __future__ import annotations

import numpy as np

from spacekit.analyzer.figures.backend import check_backend, new_matplotlib_figure

__all__ = ["make_residual_figure", "mpl_residual_figure"]


def make_residual_figure(
    y_true, y_pred, title: str = "Residual error", *, backend: str = "plotly", unit: str = "GB"
):
    """Scatter of predicted against true values with the identity line.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        Truth and predictions.
    title : str, default="Residual error"
    backend : {"plotly", "matplotlib"}, default="plotly"
    unit : str, default="GB"
        Unit shown on both axis titles.

    Returns
    -------
    plotly.graph_objects.Figure or matplotlib.figure.Figure
    """
    check_backend(backend)
    yt, yp = np.ravel(y_true).astype(float), np.ravel(y_pred).astype(float)
    lim = [float(min(yt.min(), yp.min(), 0)), float(max(yt.max(), yp.max()))] if yt.size else None
    xlabel, ylabel = f"true ({unit})", f"predicted ({unit})"
    if backend == "plotly":
        import plotly.graph_objects as go

        fig = go.Figure()
        fig.add_trace(go.Scatter(x=yt, y=yp, mode="markers", name="products", marker={"size": 5}))
        line = lim or [0, 1]
        fig.add_trace(go.Scatter(x=line, y=line, mode="lines", name="y = x", line={"dash": "dash"}))
        fig.update_layout(title=title, xaxis_title=xlabel, yaxis_title=ylabel)
        return fig
    fig = new_matplotlib_figure((6, 4.5))
    ax = fig.add_subplot()
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.scatter(yt, yp, s=8, color="tab:red", label="products")
    if lim is not None:
        ax.plot(lim, lim, "k--", label="y = x")
    ax.legend(loc="upper left")
    return fig


def mpl_residual_figure(y_true, y_pred, title: str = "Residual error"):
    """:func:`make_residual_figure` with ``backend="matplotlib"``."""
    return make_residual_figure(y_true, y_pred, title, backend="matplotlib")
