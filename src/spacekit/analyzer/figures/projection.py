"""Scatter plots of 2-D projections (WebGL), coloured by class or by per-sample loss.

Data in, :class:`plotly.graph_objects.Figure` out. Points are drawn with ``Scattergl``
(WebGL), so tens of thousands of points stay responsive. Every point carries its sample
index as the first entry of ``customdata``, so a click or a selection maps back to the
sample whatever trace it is in.

Examples
--------
>>> import numpy as np
>>> from spacekit.analyzer.figures import make_projection_figure
>>> xy = np.array([[0, 0], [1, 1], [2, 0]], dtype=float)
>>> fig = make_projection_figure(xy, np.array([0, 1, 0]), ["a", "b"])
>>> [t.name for t in fig.data], [t.type for t in fig.data]
(['a', 'b'], ['scattergl', 'scattergl'])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from spacekit.exceptions import InputError

__all__ = [
    "CLASS_COLORS",
    "make_projection_figure",
    "make_loss_projection_figure",
    "selected_positions",
]

#: Colours of up to 20 classes (plotly's D3 and Alphabet-like cycles); more classes cycle.
CLASS_COLORS = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
    "#7f7f7f", "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896",
    "#c5b0d5", "#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5",
)  # fmt: skip


def _check(coords: np.ndarray, n: int | None = None) -> np.ndarray:
    coords = np.asarray(coords, dtype=float)
    if coords.ndim != 2 or coords.shape[1] != 2:
        raise InputError(f"coords must have shape (n, 2); received {coords.shape}.")
    if n is not None and len(coords) != n:
        raise InputError(f"{len(coords)} coordinates for {n} samples.")
    return coords


def _hover(extra: Mapping[str, Sequence] | None, n: int) -> tuple[list[str], list]:
    """Names and columns of the extra hover fields (strings or numbers)."""
    names, cols = [], []
    for name, values in (extra or {}).items():
        values = list(values)
        if len(values) != n:
            raise InputError(f"hover field {name!r} has {len(values)} values for {n} samples.")
        names.append(name)
        cols.append(values)
    return names, cols


def _template(names: list[str], fmt: Mapping[str, str]) -> str:
    parts = ["index %{customdata[0]}"]
    for j, name in enumerate(names, start=1):
        parts.append(f"{name} %{{customdata[{j}]{fmt.get(name, '')}}}")
    return "<br>".join(parts) + "<extra>%{fullData.name}</extra>"


def _marker_size(n: int) -> float:
    return 7.0 if n <= 2_000 else (5.0 if n <= 20_000 else 3.5)


def make_projection_figure(
    coords,
    groups,
    group_names: Sequence[str],
    *,
    index=None,
    hover: Mapping[str, Sequence] | None = None,
    hover_format: Mapping[str, str] | None = None,
    title: str | None = None,
    selected: Sequence[int] | None = None,
    colors: Sequence[str] = CLASS_COLORS,
    legend_title: str = "class",
):
    """One WebGL scatter trace per group (class): a clickable legend toggles classes.

    Parameters
    ----------
    coords : array-like of shape (n, 2)
    groups : array-like of int of shape (n,)
        Group (class index) of each point; ``group_names[k]`` names group ``k``.
    group_names : sequence of str
    index : array-like of int of shape (n,), optional
        Sample index of each point (default ``0..n-1``); ``customdata[0]``.
    hover : mapping of str to sequence, optional
        Extra hover fields (e.g. ``{"label": ..., "prediction": ..., "loss": ...}``),
        stored after the index in ``customdata``.
    hover_format : mapping of str to str, optional
        d3 formats of hover fields, e.g. ``{"loss": ":.3g"}``.
    title : str, optional
    selected : sequence of int, optional
        Sample indices to highlight (the others are dimmed).
    colors : sequence of str
        Colour cycle of the groups.
    legend_title : str, default="class"

    Returns
    -------
    plotly.graph_objects.Figure
    """
    import plotly.graph_objects as go

    groups = np.asarray(groups, dtype=np.int64).reshape(-1)
    coords = _check(coords, len(groups))
    n = len(groups)
    index = np.arange(n) if index is None else np.asarray(index, dtype=np.int64)
    names, cols = _hover(hover, n)
    template = _template(names, hover_format or {})
    positions = selected_positions(groups, index, selected, len(group_names))
    fig = go.Figure()
    for k, gname in enumerate(group_names):
        members = np.flatnonzero(groups == k)
        if members.size == 0:
            continue
        custom = [[int(index[i]), *(c[i] for c in cols)] for i in members]
        fig.add_trace(
            go.Scattergl(
                x=coords[members, 0],
                y=coords[members, 1],
                mode="markers",
                name=str(gname),
                marker={"size": _marker_size(n), "color": colors[k % len(colors)], "opacity": 0.8},
                customdata=custom,
                hovertemplate=template,
                selectedpoints=positions[k] if positions is not None else None,
                unselected={"marker": {"opacity": 0.12}},
            )
        )
    fig.update_layout(
        title=title,
        dragmode="lasso",
        legend={"title": {"text": legend_title}, "itemsizing": "constant"},
        xaxis={"showticklabels": False, "zeroline": False, "title": None},
        yaxis={"showticklabels": False, "zeroline": False, "title": None},
        clickmode="event+select",
        uirevision=title,
    )
    return fig


def selected_positions(
    groups, index, selected: Sequence[int] | None, n_groups: int
) -> list[list[int]] | None:
    """For each group's trace, the positions (within the trace) of the selected samples.

    ``None`` when nothing is selected (no highlighting). Use it to update the
    ``selectedpoints`` of the traces of :func:`make_projection_figure`.
    """
    if selected is None:
        return None
    groups = np.asarray(groups, dtype=np.int64).reshape(-1)
    index = np.asarray(index, dtype=np.int64).reshape(-1)
    chosen = np.zeros(len(groups), dtype=bool)
    chosen[np.isin(index, np.asarray(list(selected), dtype=np.int64))] = True
    return [np.flatnonzero(chosen[groups == k]).tolist() for k in range(n_groups)]


def make_loss_projection_figure(
    coords,
    loss,
    *,
    index=None,
    hover: Mapping[str, Sequence] | None = None,
    hover_format: Mapping[str, str] | None = None,
    title: str | None = None,
    log_scale: bool = True,
    colorscale: str = "Inferno",
):
    """One WebGL scatter coloured by per-sample loss; the hardest points are drawn on top.

    Parameters
    ----------
    coords : array-like of shape (n, 2)
    loss : array-like of shape (n,)
        Per-sample loss (e.g. cross-entropy); non-negative.
    index : array-like of int, optional
        Sample index of each point (``customdata[0]``).
    hover, hover_format : mapping, optional
        As in :func:`make_projection_figure`.
    title : str, optional
    log_scale : bool, default=True
        Colour by ``log10(loss)`` (losses span many decades); the colour bar shows the
        loss itself.
    colorscale : str, default="Inferno"

    Returns
    -------
    plotly.graph_objects.Figure
    """
    import plotly.graph_objects as go

    loss = np.asarray(loss, dtype=float).reshape(-1)
    coords = _check(coords, len(loss))
    n = len(loss)
    index = np.arange(n) if index is None else np.asarray(index, dtype=np.int64)
    names, cols = _hover(hover, n)
    order = np.argsort(loss, kind="stable")  # hardest last = on top
    floor = 1e-6
    color = np.log10(np.maximum(loss, floor)) if log_scale else loss
    lo, hi = float(color.min()), float(color.max())
    ticks = None
    if log_scale:
        exps = np.arange(np.floor(lo), np.ceil(hi) + 1)
        ticks = {"tickvals": exps.tolist(), "ticktext": [f"{10**e:.0e}" for e in exps]}
    fig = go.Figure(
        go.Scattergl(
            x=coords[order, 0],
            y=coords[order, 1],
            mode="markers",
            name="loss",
            marker={
                "size": _marker_size(n),
                "color": color[order],
                "colorscale": colorscale,
                "cmin": lo,
                "cmax": hi if hi > lo else lo + 1,
                "colorbar": {"title": {"text": "loss"}, **(ticks or {})},
                "opacity": 0.85,
            },
            customdata=[[int(index[i]), *(c[i] for c in cols)] for i in order],
            hovertemplate=_template(names, hover_format or {}),
            showlegend=False,
        )
    )
    fig.update_layout(
        title=title,
        xaxis={"showticklabels": False, "zeroline": False},
        yaxis={"showticklabels": False, "zeroline": False},
        clickmode="event",
        uirevision=title,
    )
    return fig
