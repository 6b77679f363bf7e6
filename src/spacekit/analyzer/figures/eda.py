"""Pure figure builders for exploratory data analysis (plotly).

Scatter plots coloured by group with per-group linear fits (WebGL traces for large
tables), box plots from precomputed statistics, grouped mean bars. The statistics come
from :mod:`spacekit.analyzer.explore`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = ["make_group_scatter", "make_box_figure", "make_group_bars", "WEBGL_THRESHOLD"]

#: Tables with more rows than this are drawn with ``Scattergl`` (WebGL).
WEBGL_THRESHOLD = 5000


def _palette():
    from plotly.colors import qualitative

    return qualitative.D3 + qualitative.Plotly


def make_group_scatter(
    x,
    y,
    groups=None,
    fits: Mapping[str, Mapping] | None = None,
    x_title: str = "x",
    y_title: str = "y",
    logx: bool = False,
    logy: bool = False,
    title: str | None = None,
    webgl: bool | None = None,
    hover=None,
    width: int | None = None,
    height: int | None = None,
):
    """``y`` against ``x``, one colour per group, with each group's fitted line.

    Parameters
    ----------
    x, y : array-like of shape (n,)
    groups : array-like of shape (n,), optional
        Group label of each point.
    fits : mapping, optional
        ``{group: {"x", "y", "slope", "r"}}`` from
        :func:`spacekit.analyzer.explore.linear_fits`, drawn as dashed lines.
    x_title, y_title : str
    logx, logy : bool, default=False
    title : str, optional
    webgl : bool, optional
        Use ``Scattergl``; by default when there are more than ``WEBGL_THRESHOLD`` points.
    hover : array-like of shape (n,), optional
        Text shown on hover (e.g. the row id).
    width, height : int, optional

    Returns
    -------
    plotly.graph_objects.Figure
    """
    import plotly.graph_objects as go

    xa = np.asarray(x, dtype=float)
    ya = np.asarray(y, dtype=float)
    ga = np.asarray(groups if groups is not None else np.full(xa.size, "all"), dtype=object)
    ha = None if hover is None else np.asarray(hover, dtype=object)
    gl = xa.size > WEBGL_THRESHOLD if webgl is None else webgl
    Trace = go.Scattergl if gl else go.Scatter
    colors = _palette()
    fig = go.Figure()
    for i, name in enumerate(sorted(pd.unique(ga), key=str)):
        m = ga == name
        color = colors[i % len(colors)]
        fig.add_trace(
            Trace(
                x=xa[m],
                y=ya[m],
                mode="markers",
                name=str(name),
                legendgroup=str(name),
                marker={"color": color, "size": 4 if gl else 6, "opacity": 0.7},
                text=None if ha is None else ha[m],
                hovertemplate=(
                    ("%{text}<br>" if ha is not None else "")
                    + f"{x_title}=%{{x}}<br>{y_title}=%{{y}}<extra>{name}</extra>"
                ),
            )
        )
        fit = (fits or {}).get(str(name))
        if fit:
            fig.add_trace(
                go.Scatter(
                    x=fit["x"],
                    y=fit["y"],
                    mode="lines",
                    name=f"{name} fit",
                    legendgroup=str(name),
                    showlegend=False,
                    line={"color": color, "dash": "dash", "width": 2},
                    hovertemplate=(
                        f"{name}: slope {fit['slope']:.3g}, r {fit['r']:.2f}, "
                        f"n {fit['n']}<extra></extra>"
                    ),
                )
            )
    fig.update_layout(
        title=title or f"{y_title} vs {x_title}",
        xaxis_title=x_title,
        yaxis_title=y_title,
        xaxis_type="log" if logx else None,
        yaxis_type="log" if logy else None,
        legend_title_text="group",
    )
    if width or height:
        fig.update_layout(width=width, height=height)
    return fig


def make_box_figure(
    stats: Sequence[Mapping], title: str = "", y_title: str = "", log: bool = False
):
    """Box plot from precomputed statistics (one box per group).

    Parameters
    ----------
    stats : sequence of mapping
        ``{"group", "n", "q1", "median", "q3", "lowerfence", "upperfence", "mean",
        "outliers"}`` from :func:`spacekit.analyzer.explore.box_stats`.
    title, y_title : str
    log : bool, default=False
        Logarithmic value axis.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    import plotly.graph_objects as go

    colors = _palette()
    fig = go.Figure()
    for i, s in enumerate(stats):
        color = colors[i % len(colors)]
        label = f"{s['group']} (n={s['n']})"
        fig.add_trace(
            go.Box(
                x=[label],
                q1=[s["q1"]],
                median=[s["median"]],
                q3=[s["q3"]],
                lowerfence=[s["lowerfence"]],
                upperfence=[s["upperfence"]],
                mean=[s["mean"]],
                name=str(s["group"]),
                marker_color=color,
                boxpoints=False,
            )
        )
        if s.get("outliers"):
            fig.add_trace(
                go.Scatter(
                    x=[label] * len(s["outliers"]),
                    y=s["outliers"],
                    mode="markers",
                    marker={"color": color, "size": 4, "symbol": "circle-open"},
                    name=f"{s['group']} outliers",
                    showlegend=False,
                    hovertemplate="%{y}<extra>outlier</extra>",
                )
            )
    fig.update_layout(title=title, yaxis_title=y_title, showlegend=False)
    if log:
        fig.update_yaxes(type="log")
    return fig


def make_group_bars(stats: pd.DataFrame, title: str = "", y_title: str = "", x_title: str = ""):
    """Grouped bars of means with standard-error bars.

    Parameters
    ----------
    stats : pandas.DataFrame
        Index: categories on the x axis; columns: a ``("mean", group)`` and ``("sem",
        group)`` pair per group (as from ``groupby(...).agg(["mean", "sem"]).unstack()``).

    Returns
    -------
    plotly.graph_objects.Figure
    """
    import plotly.graph_objects as go

    fig = go.Figure()
    groups = list(stats["mean"].columns)
    for i, g in enumerate(groups):
        fig.add_trace(
            go.Bar(
                x=[str(v) for v in stats.index],
                y=stats["mean"][g].tolist(),
                error_y={"type": "data", "array": stats["sem"][g].fillna(0).tolist()},
                name=str(g),
                marker_color=_palette()[i % len(_palette())],
            )
        )
    fig.update_layout(title=title, yaxis_title=y_title, xaxis_title=x_title, barmode="group")
    return fig
