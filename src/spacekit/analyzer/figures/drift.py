"""Pure figure builders for data drift (plotly): drift per feature, overlaid distributions."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

__all__ = ["make_drift_bars", "make_distribution_overlay", "SEVERITY_COLORS"]

SEVERITY_COLORS = {"major": "#ef4e4e", "moderate": "#f0b429", "stable": "#3ebd93", "n/a": "#888"}


def make_drift_bars(table: pd.DataFrame, title: str = "Drift per feature (PSI), worst first"):
    """Horizontal bars of each feature's PSI, coloured by severity, worst at the top.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`spacekit.analyzer.drift.drift_table` (``feature, psi, severity,
        kind, ks``).

    Returns
    -------
    plotly.graph_objects.Figure
        ``customdata`` of every bar is the feature name (for click handling).
    """
    import plotly.graph_objects as go

    t = table.iloc[::-1]
    ks = t["ks"] if "ks" in t.columns else pd.Series([None] * len(t), index=t.index)
    text = [
        f"{k} · KS {v:.3f}" if isinstance(v, float) and v == v else str(k)
        for k, v in zip(t["kind"], ks, strict=True)
    ]
    fig = go.Figure(
        go.Bar(
            x=t["psi"].fillna(0).tolist(),
            y=t["feature"].tolist(),
            orientation="h",
            marker_color=[SEVERITY_COLORS.get(s, "#888") for s in t["severity"]],
            customdata=t["feature"].tolist(),
            text=text,
            textposition="auto",
            hovertemplate="%{y}: PSI %{x:.3f}<br>%{text}<extra>click for distributions</extra>",
        )
    )
    for x, name in ((0.1, "moderate"), (0.25, "major")):
        fig.add_vline(x=x, line_dash="dot", line_color=SEVERITY_COLORS[name])
    fig.update_layout(
        title=title,
        xaxis_title="population stability index",
        height=max(320, 28 * len(t) + 140),
        margin={"l": 140},
    )
    return fig


def make_distribution_overlay(
    hist: Mapping, feature: str, ref_name: str = "reference", new_name: str = "new"
):
    """Both tables' distribution of one feature, overlaid.

    Parameters
    ----------
    hist : mapping
        From :func:`spacekit.analyzer.drift.feature_histograms`.
    feature : str
    ref_name, new_name : str
        Legend names of the two tables.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    import plotly.graph_objects as go

    fig = go.Figure()
    if hist["kind"] == "categorical":
        for name, key, color in ((ref_name, "ref", "#119dff"), (new_name, "new", "#fdae61")):
            fig.add_trace(go.Bar(x=hist["categories"], y=hist[key], name=name, marker_color=color))
        fig.update_layout(barmode="group", xaxis_title=feature)
    else:
        edges = hist["edges"]
        centers = [(a + b) / 2 for a, b in zip(edges[:-1], edges[1:], strict=True)]
        for name, key, color in ((ref_name, "ref", "#119dff"), (new_name, "new", "#fdae61")):
            fig.add_trace(
                go.Scatter(
                    x=centers,
                    y=hist[key],
                    name=name,
                    mode="lines",
                    fill="tozeroy",
                    line={"shape": "hvh", "color": color},
                    opacity=0.6,
                )
            )
        fig.update_layout(xaxis_title=feature)
    fig.update_layout(
        title=f"{feature}: {ref_name} vs {new_name}",
        yaxis_title="fraction of rows",
        yaxis_tickformat=".0%",
    )
    return fig
