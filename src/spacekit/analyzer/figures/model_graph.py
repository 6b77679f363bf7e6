"""A graph of a model's layers: one box per layer, arrows from each layer to the next.

Data in (a list of layer rows, as :func:`spacekit.dashboard.explorer.model.layer_rows`
returns), :class:`plotly.graph_objects.Figure` out. Layers are placed top to bottom by
depth (longest path from an input), side by side when they share a depth (branches); a
layer stays in the column of the layers feeding it, so each branch is a straight column.

Examples
--------
>>> from spacekit.analyzer.figures import make_layer_graph_figure
>>> rows = [
...     {"name": "in", "type": "InputLayer", "output_shape": "(None, 4)", "params": 0,
...      "inbound": []},
...     {"name": "d", "type": "Dense", "output_shape": "(None, 2)", "params": 10,
...      "inbound": ["in"]},
... ]
>>> fig = make_layer_graph_figure(rows)
>>> list(fig.data[-1].customdata)
['in', 'd']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from spacekit.exceptions import InputError

__all__ = ["layer_depths", "layer_columns", "make_layer_graph_figure"]

_KIND_COLORS = {
    "InputLayer": "#19d3f3",
    "Dense": "#00cc96",
    "Conv": "#ab63fa",
    "Pool": "#ffa15a",
    "Dropout": "#7f7f7f",
}


def layer_depths(rows: Sequence[Mapping]) -> list[int]:
    """Depth of each layer: 0 for layers with no inbound layer, else 1 + deepest inbound.

    Layers without recorded inbound layers after the first follow the previous one (a
    Sequential model).
    """
    pos = {r["name"]: i for i, r in enumerate(rows)}
    depth = [0] * len(rows)
    for i, r in enumerate(rows):
        inbound = [pos[n] for n in r.get("inbound", []) if n in pos and pos[n] < i]
        if inbound:
            depth[i] = 1 + max(depth[j] for j in inbound)
        elif i > 0 and r.get("type") != "InputLayer":
            depth[i] = depth[i - 1] + 1
    return depth


def layer_columns(rows: Sequence[Mapping], depth: Sequence[int]) -> np.ndarray:
    """Horizontal position of each layer: under the mean of its inbound layers, spread so
    that layers of the same depth are at least 1 apart (inputs side by side from 0)."""
    pos = {r["name"]: i for i, r in enumerate(rows)}
    xs = np.zeros(len(rows))
    for d in sorted(set(depth)):
        members = [i for i, v in enumerate(depth) if v == d]
        want = []
        for j, i in enumerate(members):
            inbound = [pos[n] for n in rows[i].get("inbound", []) if n in pos and pos[n] < i]
            if not inbound and i > 0 and rows[i].get("type") != "InputLayer":
                inbound = [i - 1]
            want.append(float(np.mean(xs[inbound])) if inbound else float(j))
        order = np.argsort(want, kind="stable")
        placed = []
        for k in order:
            placed.append(want[k] if not placed else max(want[k], placed[-1] + 1.0))
        shift = (np.mean([want[k] for k in order]) - np.mean(placed)) if len(placed) > 1 else 0.0
        for k, x in zip(order, placed, strict=True):
            xs[members[k]] = x + shift
    return xs - xs.min()


def _color(kind: str) -> str:
    for key, color in _KIND_COLORS.items():
        if key in kind:
            return color
    return "#636efa"


def make_layer_graph_figure(rows: Sequence[Mapping], title: str | None = None):
    """Boxes for layers (name, type, output shape, parameters) and arrows between them.

    Parameters
    ----------
    rows : sequence of mapping
        ``name``, ``type``, ``output_shape``, ``params`` and ``inbound`` (names of the
        layers feeding it) per layer, in model order.
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure
        The last trace holds the layer markers, ``customdata`` = layer names.
    """
    import plotly.graph_objects as go

    if not rows:
        raise InputError("make_layer_graph_figure needs at least one layer.")
    depth = layer_depths(rows)
    xs = layer_columns(rows, depth)
    ys = -np.asarray(depth, dtype=float)
    pos = {r["name"]: i for i, r in enumerate(rows)}
    ex, ey = [], []
    for i, r in enumerate(rows):
        inbound = [pos[n] for n in r.get("inbound", []) if n in pos]
        if not inbound and i > 0 and r.get("type") != "InputLayer":
            inbound = [i - 1]
        for j in inbound:
            ex += [xs[j], xs[i], None]
            ey += [ys[j], ys[i], None]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=ex, y=ey, mode="lines", hoverinfo="skip", showlegend=False,
            line={"color": "#8890b0", "width": 2},
        )
    )  # fmt: skip
    text = [f"<b>{r['name']}</b> · {r['type']}<br>{r['output_shape']}" for r in rows]
    hover = [
        f"{r['name']} ({r['type']})<br>output {r['output_shape']}<br>{int(r['params']):,} "
        "parameters"
        for r in rows
    ]
    fig.add_trace(
        go.Scatter(
            x=xs, y=ys, mode="markers+text", text=text, textposition="middle right",
            marker={"symbol": "square", "size": 22, "color": [_color(r["type"]) for r in rows],
                    "line": {"width": 1, "color": "#ddd"}},
            customdata=[r["name"] for r in rows], hovertext=hover, hoverinfo="text",
            showlegend=False, cliponaxis=False,
        )
    )  # fmt: skip
    # one column width of room right of the last column, for its labels
    fig.update_layout(
        title=title,
        height=int(70 * (max(depth) + 1) + 120),
        xaxis={"visible": False, "range": [-0.15, float(xs.max()) + 1.0]},
        yaxis={"visible": False, "range": [ys.min() - 0.6, 0.6]},
        margin={"l": 20, "r": 20, "t": 60 if title else 20, "b": 20},
    )
    return fig
