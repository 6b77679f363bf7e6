"""Pure figure builder of a Dense network: every node and edge, optionally its activations.

Columns of nodes (inputs, each Dense layer), edges coloured by the sign of the weight
(blue positive, red negative) and drawn wider and more opaque for larger ``|w|``.
Hovering a node shows its bias (and activation); hovering the midpoint of an edge shows
its weight (float32 values, printed exactly). Every node marker carries ``customdata`` =
``[layer, i, -1, bias]`` and every edge midpoint ``[layer, i, j, weight]`` (``layer`` is
the Dense layer the edge enters, 1-based), so a click handler can look the value up.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["make_network_figure", "network_positions", "MAX_EDGES"]

#: Edges drawn at most; beyond this the strongest ``|w|`` of each layer pair are kept.
MAX_EDGES = 15000


def network_positions(sizes: Sequence[int]) -> list[np.ndarray]:
    """y position of every node of every column (centred, spread over the tallest one)."""
    tallest = max(sizes)
    out = []
    for n in sizes:
        step = (tallest - 1) / max(n - 1, 1) if n > 1 else 0.0
        step = min(step, 3.0) if n > 1 else 0.0
        ys = (np.arange(n) - (n - 1) / 2) * step
        out.append(ys[::-1])
    return out


def _edge_keep(kernel: np.ndarray, budget: int) -> np.ndarray:
    """Boolean mask of the ``budget`` largest ``|w|`` of ``kernel``."""
    if kernel.size <= budget:
        return np.ones(kernel.shape, dtype=bool)
    flat = np.abs(kernel).ravel()
    keep = np.zeros(flat.size, dtype=bool)
    keep[np.argpartition(flat, flat.size - budget)[flat.size - budget :]] = True
    return keep.reshape(kernel.shape)


def make_network_figure(
    kernels: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    input_labels: Sequence[str] | None = None,
    output_labels: Sequence[str] | None = None,
    layer_names: Sequence[str] | None = None,
    activations: Sequence[np.ndarray] | None = None,
    title: str = "",
    max_edges: int = MAX_EDGES,
    height: int = 720,
):
    """Draw a Dense network.

    Parameters
    ----------
    kernels : sequence of array of shape (n_in, n_out)
        One per Dense layer, in order.
    biases : sequence of array of shape (n_out,)
    input_labels, output_labels : sequence of str, optional
        Names of the input features and of the outputs (classes).
    layer_names : sequence of str, optional
        Column titles of the Dense layers.
    activations : sequence of array, optional
        Node values ``[inputs, layer 1, ..., outputs]`` (from
        :func:`spacekit.analyzer.network.node_activations`); colours the nodes and fades
        the edges leaving nodes whose value is 0.
    title : str
    max_edges : int, default=15000
        Beyond this many edges, each layer pair keeps its strongest share.
    height : int, default=720

    Returns
    -------
    plotly.graph_objects.Figure
    """
    import plotly.graph_objects as go

    sizes = [int(kernels[0].shape[0]), *(int(k.shape[1]) for k in kernels)]
    ys = network_positions(sizes)
    xs = [float(i) for i in range(len(sizes))]
    total = sum(k.size for k in kernels)
    scale = min(1.0, max_edges / total) if total else 1.0
    fig = go.Figure()
    wmax = max(float(np.abs(k).max()) for k in kernels) or 1.0
    mid_x, mid_y, mid_data, mid_text = [], [], [], []
    shown = 0
    for li, kernel in enumerate(kernels):
        keep = _edge_keep(kernel, max(1, int(kernel.size * scale)))
        src_active = None
        if activations is not None:
            src_active = np.asarray(activations[li]) != 0
        for sign, color in ((1, "rgba(66,146,255,{a})"), (-1, "rgba(239,78,78,{a})")):
            for lo, hi, width, alpha in (
                (0, 0.33, 0.6, 0.25),
                (0.33, 0.66, 1.2, 0.45),
                (0.66, 1.01, 2.2, 0.75),
            ):
                rel = np.abs(kernel) / wmax
                m = keep & (np.sign(kernel) == sign) & (rel >= lo) & (rel < hi)
                if src_active is not None:
                    m &= src_active[:, None]
                ii, jj = np.nonzero(m)
                if ii.size == 0:
                    continue
                ex = np.full(ii.size * 3, np.nan)
                ey = np.full(ii.size * 3, np.nan)
                ex[0::3], ex[1::3] = xs[li], xs[li + 1]
                ey[0::3], ey[1::3] = ys[li][ii], ys[li + 1][jj]
                fig.add_trace(
                    go.Scattergl(
                        x=ex,
                        y=ey,
                        mode="lines",
                        hoverinfo="skip",
                        showlegend=False,
                        line={"color": color.format(a=alpha), "width": width},
                    )
                )
        if src_active is not None:  # edges of inactive sources, faint
            ii, jj = np.nonzero(keep & ~src_active[:, None])
            if ii.size:
                ex = np.full(ii.size * 3, np.nan)
                ey = np.full(ii.size * 3, np.nan)
                ex[0::3], ex[1::3] = xs[li], xs[li + 1]
                ey[0::3], ey[1::3] = ys[li][ii], ys[li + 1][jj]
                fig.add_trace(
                    go.Scattergl(
                        x=ex,
                        y=ey,
                        mode="lines",
                        hoverinfo="skip",
                        showlegend=False,
                        line={"color": "rgba(160,160,160,0.06)", "width": 0.5},
                    )
                )
        ii, jj = np.nonzero(keep)
        shown += ii.size
        mid_x.append((xs[li] + xs[li + 1]) / 2 + 0.0 * ii)
        mid_y.append((ys[li][ii] + ys[li + 1][jj]) / 2)
        w = kernel[ii, jj]
        mid_data.append(np.column_stack([np.full(ii.size, li + 1), ii, jj, w]))
        mid_text.append(
            [
                f"w[{_node(li, i)} -> {_node(li + 1, j)}] = {float(v)!r}"
                for i, j, v in zip(ii, jj, w, strict=True)
            ]
        )
    if mid_x:
        fig.add_trace(
            go.Scattergl(
                x=np.concatenate(mid_x),
                y=np.concatenate(mid_y),
                mode="markers",
                marker={"size": 6, "color": "rgba(255,255,255,0.01)"},
                customdata=np.concatenate(mid_data).tolist(),
                text=sum(mid_text, []),
                hovertemplate="%{text}<extra>edge</extra>",
                name="edges",
                showlegend=False,
            )
        )
    for li, n in enumerate(sizes):
        kind = "input" if li == 0 else ("output" if li == len(sizes) - 1 else "hidden")
        if li == 0:
            labels = list(input_labels or [f"x{i}" for i in range(n)])
            bias = np.zeros(n)
        else:
            labels = (
                list(output_labels)
                if kind == "output" and output_labels and len(output_labels) == n
                else [f"{i + 1}" for i in range(n)]
            )
            bias = np.asarray(biases[li - 1], dtype=float)
        values = None if activations is None else np.asarray(activations[li], dtype=float)
        text = []
        for i in range(n):
            parts = [f"{_node(li, i)} ({labels[i]})"]
            if li:
                parts.append(f"bias = {np.float32(bias[i])}")
            if values is not None:
                parts.append(f"value = {float(values[i]):.6g}")
            text.append("<br>".join(parts))
        marker = {
            "size": 16 if n <= 40 else 9,
            "line": {"width": 1, "color": "#ddd"},
            "color": {"input": "#19d3f3", "hidden": "#00ea64", "output": "#ff6692"}[kind],
        }
        if values is not None:
            marker.update(
                color=values,
                colorscale="Viridis",
                showscale=kind == "output",
                cmin=float(min(0.0, values.min())),
                cmax=float(max(values.max(), 1e-9)),
            )
            if kind == "output":
                marker["colorbar"] = {"title": "value", "len": 0.5}
        custom = np.column_stack(
            [np.full(n, li), np.arange(n), np.full(n, -1), bias if li else np.zeros(n)]
        )
        fig.add_trace(
            go.Scatter(
                x=np.full(n, xs[li]),
                y=ys[li],
                mode="markers+text" if n <= 24 else "markers",
                marker=marker,
                text=labels if n <= 24 else None,
                textposition="middle left" if li == 0 else "middle right",
                hovertext=text,
                hovertemplate="%{hovertext}<extra>" + kind + "</extra>",
                customdata=custom.tolist(),
                name=kind,
                showlegend=False,
            )
        )
    names = ["inputs", *(layer_names or [f"dense {i + 1}" for i in range(len(kernels))])]
    fig.update_xaxes(
        tickvals=xs,
        ticktext=[f"{nm}<br>({s})" for nm, s in zip(names, sizes, strict=True)],
        showgrid=False,
        zeroline=False,
        range=[-0.8, len(sizes) - 0.2],
    )
    fig.update_yaxes(visible=False)
    note = f" - strongest {shown} of {total} weights" if shown < total else ""
    fig.update_layout(
        title=(title or "Network") + note,
        height=height,
        hovermode="closest",
        dragmode="pan",
    )
    return fig


def _node(layer: int, i: int) -> str:
    return f"x{i}" if layer == 0 else f"h{layer}-{i + 1}"
