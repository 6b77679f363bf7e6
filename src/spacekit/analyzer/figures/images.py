"""Images and grids: heat-map grids, histogram grids, overlays and gradient flow.

The layer and attention visualizers draw with these. Data in, figure out: each builder
takes numpy arrays and ``backend="matplotlib"|"plotly"`` and returns a new pyplot-free
``matplotlib.figure.Figure`` or a ``plotly.graph_objects.Figure``. Nothing is shown or
written here.

Examples
--------
>>> import numpy as np
>>> from spacekit.analyzer.figures import make_image_grid
>>> fig = make_image_grid([("a", np.eye(3)), ("b", np.ones((3, 3)))])
>>> [ax.get_title() for ax in fig.axes if ax.get_title()]
['a', 'b']
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from spacekit.analyzer.figures.backend import check_backend, new_matplotlib_figure
from spacekit.exceptions import InputError

__all__ = [
    "make_image_grid",
    "make_histogram_grid",
    "make_gradient_flow_figure",
    "make_overlay_figure",
    "make_overlay_grid_figure",
    "resize_bilinear",
]

_MAX_TICK_LABELS = 60


def _grid_shape(n: int, ncols: int | None) -> tuple[int, int]:
    ncols = max(1, ncols or min(n, 4))
    return max(1, math.ceil(n / ncols)), ncols


def make_image_grid(
    panels: Sequence[tuple[str, np.ndarray]],
    *,
    backend: str = "matplotlib",
    title: str | None = None,
    cmap: str = "viridis",
    ncols: int | None = None,
    x_labels: Sequence[str] | None = None,
    y_labels: Sequence[str] | None = None,
    x_title: str | None = None,
    y_title: str | None = None,
    panel_size: float = 2.6,
    colorbar: bool = True,
    ticks: bool = True,
):
    """Draw one heat-map panel per ``(title, 2-D array)``.

    Tick labels (``x_labels``/``y_labels``, e.g. tokens) are shown when given and when
    there are at most 60 of them; longer axes keep numeric ticks so the figure stays legible.
    ``ticks=False`` hides the axes of every panel (feature-map grids).

    Returns
    -------
    matplotlib.figure.Figure or plotly.graph_objects.Figure
    """
    check_backend(backend)
    nrows, ncols = _grid_shape(len(panels), ncols)
    if backend == "plotly":
        return _image_grid_plotly(
            panels, nrows, ncols, title, cmap, x_labels, y_labels, x_title, y_title, colorbar
        )
    fig = new_matplotlib_figure((panel_size * ncols + 1.2, panel_size * nrows + 0.6))
    for i, (name, img) in enumerate(panels):
        ax = fig.add_subplot(nrows, ncols, i + 1)
        aspect = "equal" if 0.25 <= img.shape[0] / max(img.shape[1], 1) <= 4 else "auto"
        im = ax.imshow(img, cmap=cmap, aspect=aspect, interpolation="nearest")
        ax.set_title(name, fontsize=9)
        if x_labels is not None and len(x_labels) == img.shape[1] <= _MAX_TICK_LABELS:
            ax.set_xticks(range(len(x_labels)), list(x_labels), rotation=90, fontsize=7)
        if y_labels is not None and len(y_labels) == img.shape[0] <= _MAX_TICK_LABELS:
            ax.set_yticks(range(len(y_labels)), list(y_labels), fontsize=7)
        if x_title:
            ax.set_xlabel(x_title, fontsize=8)
        if y_title:
            ax.set_ylabel(y_title, fontsize=8)
        if not ticks:
            ax.set_axis_off()
        elif x_labels is None and y_labels is None and not x_title and img.shape[0] > 1:
            ax.tick_params(labelsize=6)
        if colorbar:
            fig.colorbar(im, ax=ax, shrink=0.8)
    if title:
        fig.suptitle(title)
    return fig


def _image_grid_plotly(panels, nrows, ncols, title, cmap, x_labels, y_labels, xt, yt, colorbar):
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=nrows, cols=ncols, subplot_titles=[p[0] for p in panels])
    scale = {"viridis": "Viridis", "magma": "Magma", "gray": "Greys", "jet": "Jet"}.get(cmap, cmap)
    for i, (_name, img) in enumerate(panels):
        row, col = i // ncols + 1, i % ncols + 1
        kw = {}
        if x_labels is not None and len(x_labels) == img.shape[1]:
            kw["x"] = [f"{j}:{t}" for j, t in enumerate(x_labels)]
        if y_labels is not None and len(y_labels) == img.shape[0]:
            kw["y"] = [f"{j}:{t}" for j, t in enumerate(y_labels)]
        fig.add_heatmap(
            z=np.asarray(img, dtype=float).tolist(),
            colorscale=scale,
            showscale=colorbar and i == 0,
            row=row,
            col=col,
            **kw,
        )
        fig.update_yaxes(autorange="reversed", row=row, col=col, title_text=yt)
        fig.update_xaxes(row=row, col=col, title_text=xt)
    fig.update_layout(title=title, height=max(320, 260 * nrows), template="plotly_white")
    return fig


def make_histogram_grid(
    panels: Sequence[tuple[str, dict[str, np.ndarray]]],
    *,
    backend: str = "matplotlib",
    bins: int = 50,
    title: str | None = None,
    ncols: int | None = None,
):
    """Draw one histogram panel per ``(title, {series name: values})``.

    Returns
    -------
    matplotlib.figure.Figure or plotly.graph_objects.Figure
    """
    check_backend(backend)
    nrows, ncols = _grid_shape(len(panels), ncols or min(len(panels), 3))
    colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"]
    if backend == "plotly":
        from plotly.subplots import make_subplots

        fig = make_subplots(rows=nrows, cols=ncols, subplot_titles=[p[0] for p in panels])
        for i, (_name, series) in enumerate(panels):
            for j, (label, values) in enumerate(series.items()):
                fig.add_histogram(
                    x=np.ravel(values).astype(float).tolist(),
                    nbinsx=bins,
                    name=label,
                    marker_color=colors[j % 4],
                    opacity=0.7,
                    showlegend=i == 0,
                    legendgroup=label,
                    row=i // ncols + 1,
                    col=i % ncols + 1,
                )
        fig.update_layout(
            title=title,
            barmode="overlay",
            height=max(320, 260 * nrows),
            template="plotly_white",
        )
        return fig
    fig = new_matplotlib_figure((4.0 * ncols, 2.8 * nrows + 0.5))
    for i, (name, series) in enumerate(panels):
        ax = fig.add_subplot(nrows, ncols, i + 1)
        allv = np.concatenate([np.ravel(v) for v in series.values()]).astype(float)
        edges = np.histogram_bin_edges(allv, bins=bins)  # one set of bins per panel
        for j, (label, values) in enumerate(series.items()):
            ax.hist(np.ravel(values), bins=edges, alpha=0.7, color=colors[j % 4], label=label)
        ax.set_title(name, fontsize=8)
        ax.tick_params(labelsize=7)
        ax.legend(fontsize=7)
    if title:
        fig.suptitle(title)
    return fig


def resize_bilinear(arr: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Resize a 2-D array to ``shape`` with bilinear interpolation (pixel-centre aligned)."""
    arr = np.asarray(arr, dtype=float)
    out = arr
    for axis, size in enumerate(shape):
        n = out.shape[axis]
        pos = np.clip((np.arange(size) + 0.5) * n / size - 0.5, 0, n - 1)
        lo = np.floor(pos).astype(int)
        hi = np.minimum(lo + 1, n - 1)
        w = pos - lo
        a, b = np.take(out, lo, axis=axis), np.take(out, hi, axis=axis)
        w = w.reshape((-1, 1) if axis == 0 else (1, -1))
        out = a * (1 - w) + b * w
    return out


def _plotly_image(fig, image: np.ndarray, row: int, col: int) -> None:
    """Add an (H, W, 3) image, or an (H, W) one in grey, to one plotly subplot."""
    if image.ndim == 3:
        fig.add_image(z=(image * 255).astype(np.uint8), row=row, col=col)
    else:
        fig.add_heatmap(
            z=image.tolist(),
            colorscale="Greys",
            reversescale=True,
            showscale=False,
            row=row,
            col=col,
        )


def make_overlay_figure(
    image: np.ndarray,
    heat: np.ndarray,
    *,
    backend: str = "matplotlib",
    alpha: float = 0.5,
    cmap: str = "jet",
    title: str | None = None,
    heat_title: str = "activation",
):
    """Draw the input image, the (upsampled) activation map and the map blended over it.

    ``image`` is (H, W) or (H, W, 3) scaled to [0, 1]; ``heat`` is (H, W) in [0, 1].
    """
    check_backend(backend)
    rgb = image.ndim == 3
    if backend == "plotly":
        from plotly.subplots import make_subplots

        fig = make_subplots(rows=1, cols=3, subplot_titles=["input", heat_title, "overlay"])
        for col in (1, 3):
            _plotly_image(fig, image, 1, col)
        fig.add_heatmap(z=heat.tolist(), colorscale="Jet", row=1, col=2)
        fig.add_heatmap(
            z=heat.tolist(), colorscale="Jet", opacity=alpha, showscale=False, row=1, col=3
        )
        fig.update_yaxes(autorange="reversed", scaleanchor="x")
        fig.update_layout(title=title, height=380, template="plotly_white")
        return fig
    fig = new_matplotlib_figure((10, 3.6))
    kw = {} if rgb else {"cmap": "gray"}
    for i, name in enumerate(["input", heat_title, "overlay"]):
        ax = fig.add_subplot(1, 3, i + 1)
        if i != 1:
            ax.imshow(image, **kw)
        if i == 1:
            im = ax.imshow(heat, cmap=cmap, vmin=0, vmax=1)
            fig.colorbar(im, ax=ax, shrink=0.8)
        if i == 2:
            ax.imshow(heat, cmap=cmap, alpha=alpha, vmin=0, vmax=1)
        ax.set_title(name, fontsize=9)
        ax.set_axis_off()
    if title:
        fig.suptitle(title)
    return fig


def make_overlay_grid_figure(
    image: np.ndarray,
    heats: Sequence[tuple[str, np.ndarray]],
    *,
    backend: str = "matplotlib",
    alpha: float = 0.5,
    cmap: str = "jet",
    ncols: int = 4,
    title: str | None = None,
):
    """Draw one panel per ``(title, map)``: the map blended over the same input image.

    ``image`` is (H, W) or (H, W, 3) scaled to [0, 1]; every map is (H, W) in [0, 1]
    (feature maps already upsampled to the image size). With matplotlib the opacity of
    each pixel of the map is ``alpha`` times its value, so the image shows through where
    the activation is weak; plotly draws the map with the uniform opacity ``alpha``.

    Returns
    -------
    matplotlib.figure.Figure or plotly.graph_objects.Figure
    """
    check_backend(backend)
    if not heats:
        raise InputError("make_overlay_grid_figure needs at least one map.")
    for name, heat in heats:
        if np.shape(heat) != image.shape[:2]:
            raise InputError(
                f"Map {name!r} has shape {np.shape(heat)} but the image is {image.shape[:2]}."
            )
    rgb = image.ndim == 3
    nrows, ncols = _grid_shape(len(heats), min(ncols, len(heats)))
    if backend == "plotly":
        from plotly.subplots import make_subplots

        fig = make_subplots(rows=nrows, cols=ncols, subplot_titles=[h[0] for h in heats])
        for i, (_name, heat) in enumerate(heats):
            row, col = i // ncols + 1, i % ncols + 1
            _plotly_image(fig, image, row, col)
            fig.add_heatmap(
                z=np.asarray(heat, float).tolist(),
                colorscale="Jet",
                zmin=0,
                zmax=1,
                opacity=alpha,
                showscale=i == 0,
                row=row,
                col=col,
            )
        fig.update_yaxes(autorange="reversed", scaleanchor="x")
        fig.update_layout(title=title, height=max(320, 240 * nrows), template="plotly_white")
        return fig
    fig = new_matplotlib_figure((2.6 * ncols + 0.4, 2.6 * nrows + 0.6))
    kw = {} if rgb else {"cmap": "gray", "vmin": 0, "vmax": 1}
    for i, (name, heat) in enumerate(heats):
        ax = fig.add_subplot(nrows, ncols, i + 1)
        ax.imshow(image, **kw)
        # strong activations opaque, weak ones transparent, so the image stays visible
        heat = np.asarray(heat, float)
        ax.imshow(heat, cmap=cmap, alpha=alpha * np.clip(heat, 0, 1), vmin=0, vmax=1)
        ax.set_title(name, fontsize=9)
        ax.set_axis_off()
    if title:
        fig.suptitle(title)
    return fig


def make_gradient_flow_figure(
    names: Sequence[str],
    mean_abs: np.ndarray,
    max_abs: np.ndarray,
    *,
    backend: str = "matplotlib",
    title: str | None = "Gradient flow",
    log_scale: bool = True,
):
    """Bars of max and mean absolute gradient per weight; zero gradients marked in red."""
    check_backend(backend)
    mean_abs, max_abs = np.asarray(mean_abs, float), np.asarray(max_abs, float)
    dead = max_abs == 0
    floor = 1e-12  # keeps zero bars drawable on a log axis
    if backend == "plotly":
        import plotly.graph_objects as go

        fig = go.Figure()
        fig.add_bar(
            x=list(names), y=(max_abs + floor).tolist(), name="max |grad|", marker_color="#9ecae1"
        )
        fig.add_bar(
            x=list(names), y=(mean_abs + floor).tolist(), name="mean |grad|", marker_color="#08519c"
        )
        if dead.any():
            fig.add_scatter(
                x=[n for n, d in zip(names, dead, strict=True) if d],
                y=[floor * 10] * int(dead.sum()),
                mode="markers",
                name="zero grad",
                marker={"color": "red", "size": 10, "symbol": "x"},
            )
        fig.update_layout(
            barmode="overlay",
            title=title,
            template="plotly_white",
            yaxis_type="log" if log_scale else "linear",
            yaxis_title="|gradient|",
        )
        return fig
    fig = new_matplotlib_figure((max(6, 0.5 * len(names) + 2), 4.5))
    ax = fig.add_subplot(1, 1, 1)
    pos = np.arange(len(names))
    ax.bar(pos, max_abs + floor, color="#9ecae1", label="max |grad|")
    ax.bar(pos, mean_abs + floor, color="#08519c", label="mean |grad|")
    if dead.any():
        ax.plot(pos[dead], np.full(dead.sum(), floor * 10), "rx", ms=9, label="zero grad")
    ax.set_xticks(pos, list(names), rotation=60, ha="right", fontsize=7)
    if log_scale:
        ax.set_yscale("log")
    ax.set_ylabel("|gradient|")
    if title:
        ax.set_title(title)
    ax.legend(fontsize=8)
    return fig
