"""Sample images and their hidden-layer vectors: thumbnail grids and activation lines.

Data in, :class:`plotly.graph_objects.Figure` out (plus :func:`png_data_uri`, the PNG
encoding the figures and the dashboards share). Images may be grayscale ``(h, w)`` or
``(h, w, 1)``, RGB ``(h, w, 3)``, or a stack of frames ``(frames, h, w, c)`` (drawn
side by side); values in [0, 1] or any range (scaled to it).

Examples
--------
>>> import numpy as np
>>> from spacekit.analyzer.figures import display_image, make_activation_figure
>>> display_image(np.ones((2, 4, 4, 3))).shape
(4, 8, 3)
>>> fig = make_activation_figure(np.eye(3), ["query", "n1", "n2"])
>>> len(fig.data)
5
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence

import numpy as np

from spacekit.exceptions import InputError

__all__ = ["display_image", "png_data_uri", "make_thumbnail_figure", "make_activation_figure"]


def display_image(image) -> np.ndarray:
    """A ``uint8`` array Pillow can save: ``(h, w)`` grayscale or ``(h, w, 3)`` RGB.

    Frames ``(frames, h, w, c)`` are placed side by side; values are scaled to 0-255
    (``[0, 1]`` data as is, other ranges by their min and max).
    """
    img = np.asarray(image, dtype=np.float64)
    if img.ndim == 4:
        img = np.concatenate(list(img), axis=1)
    if img.ndim == 3 and img.shape[-1] == 1:
        img = img[..., 0]
    if img.ndim == 3 and img.shape[-1] == 4:
        img = img[..., :3]
    if img.ndim == 1:
        side = int(math.isqrt(img.size))
        if side * side != img.size:
            raise InputError(f"Cannot show a vector of {img.size} values as an image.")
        img = img.reshape(side, side)
    if img.ndim not in (2, 3) or (img.ndim == 3 and img.shape[-1] != 3):
        raise InputError(f"Cannot show an array of shape {np.shape(image)} as an image.")
    lo, hi = float(np.nanmin(img)), float(np.nanmax(img))
    if lo < 0 or hi > 1:
        img = (img - lo) / (hi - lo) if hi > lo else np.zeros_like(img)
    return np.clip(np.nan_to_num(img) * 255.0 + 0.5, 0, 255).astype(np.uint8)


def png_data_uri(image, min_side: int = 0) -> str:
    """The image as a ``data:image/png;base64,...`` URI (for ``<img src>`` or ``go.Image``).

    ``min_side`` upscales small images (nearest neighbour) so they stay sharp.
    """
    from PIL import Image

    arr = display_image(image)
    pil = Image.fromarray(arr)
    short = min(pil.size)
    if min_side and short < min_side:
        factor = math.ceil(min_side / short)
        pil = pil.resize((pil.size[0] * factor, pil.size[1] * factor), Image.Resampling.NEAREST)
    buf = io.BytesIO()
    pil.save(buf, format="PNG", optimize=False)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def make_thumbnail_figure(
    images: Sequence,
    titles: Sequence[str] | None = None,
    *,
    ncols: int = 8,
    title: str | None = None,
    panel_px: int = 96,
):
    """A grid of images (one ``go.Image`` each, sent as PNG) with a title over each.

    Parameters
    ----------
    images : sequence of array-like
    titles : sequence of str, optional
    ncols : int, default=8
    title : str, optional
    panel_px : int, default=96
        Height of a grid row in pixels.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    n = len(images)
    if n == 0:
        raise InputError("make_thumbnail_figure needs at least one image.")
    titles = list(titles or [""] * n)
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    fig = make_subplots(
        rows=nrows, cols=ncols, subplot_titles=titles, horizontal_spacing=0.01,
        vertical_spacing=min(0.3 / max(nrows - 1, 1), 0.08) if nrows > 1 else 0.0,
    )  # fmt: skip
    for i, img in enumerate(images):
        arr = display_image(img)
        fig.add_trace(
            go.Image(source=png_data_uri(arr), hoverinfo="skip", name=titles[i]),
            row=i // ncols + 1,
            col=i % ncols + 1,
        )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_annotations(font_size=11)
    fig.update_layout(
        title=title, height=int(panel_px * nrows * 1.25 + (80 if title else 40)),
        margin={"l": 10, "r": 10, "t": 60 if title else 30, "b": 10},
    )  # fmt: skip
    return fig


def make_activation_figure(
    vectors,
    names: Sequence[str],
    *,
    images: Sequence | None = None,
    title: str | None = None,
    query: int = 0,
    color: str = "#2186f4",
):
    """One row per sample: its image (optional) and its activation vector as a line.

    The vector of row ``query`` is repeated, dashed and faint, on every other row, so
    how closely each neighbour follows it is visible at a glance.

    Parameters
    ----------
    vectors : array-like of shape (k, d)
        Hidden-layer outputs, one row per sample (unit order as in the layer).
    names : sequence of str
        Row titles (e.g. ``"#12 label 3, distance 0.4"``).
    images : sequence of array-like, optional
        One image per row, drawn left of its line.
    title : str, optional
    query : int, default=0
        Row of the reference sample.
    color : str, default="#2186f4"

    Returns
    -------
    plotly.graph_objects.Figure
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    vec = np.asarray(vectors, dtype=float)
    if vec.ndim != 2 or len(vec) != len(names):
        raise InputError(
            f"vectors must have shape (k, d) with one name per row; received {vec.shape} "
            f"and {len(names)} names."
        )
    k, d = vec.shape
    with_images = images is not None
    if with_images and len(images) != k:
        raise InputError(f"{len(images)} images for {k} vectors.")
    cols = 2 if with_images else 1
    fig = make_subplots(
        rows=k, cols=cols, column_widths=[0.12, 0.88] if with_images else None,
        shared_xaxes=True, horizontal_spacing=0.02, vertical_spacing=0.25 / max(k, 1),
        subplot_titles=[t for name in names for t in ((name, "") if with_images else (name,))],
    )  # fmt: skip
    units = np.arange(d)
    lo, hi = float(vec.min()), float(vec.max())
    pad = 0.05 * (hi - lo or 1.0)
    for r in range(k):
        line_col = cols
        if with_images:
            fig.add_trace(
                go.Image(source=png_data_uri(images[r]), hoverinfo="skip"), row=r + 1, col=1
            )
            fig.update_xaxes(visible=False, row=r + 1, col=1)
            fig.update_yaxes(visible=False, row=r + 1, col=1)
        if r != query:
            fig.add_trace(
                go.Scatter(
                    x=units, y=vec[query], mode="lines", showlegend=False, hoverinfo="skip",
                    line={"color": "rgba(200,200,200,0.45)", "width": 1, "dash": "dot"},
                ),
                row=r + 1, col=line_col,
            )  # fmt: skip
        fig.add_trace(
            go.Scatter(
                x=units, y=vec[r], mode="lines", showlegend=False, name=str(names[r]),
                line={"color": "#ff7f0e" if r == query else color, "width": 1.5},
                hovertemplate="unit %{x}: %{y:.3g}<extra></extra>",
            ),
            row=r + 1, col=line_col,
        )  # fmt: skip
        fig.update_yaxes(range=[lo - pad, hi + pad], showticklabels=False, row=r + 1, col=line_col)
    fig.update_xaxes(title_text="unit of the hidden layer", row=k, col=cols)
    fig.update_annotations(font_size=11, xanchor="left", x=0.0 if not with_images else None)
    if with_images:
        for ann in fig.layout.annotations:
            ann.update(xanchor="left")
    fig.update_layout(
        title=title, height=int(95 * k + 110), margin={"l": 20, "r": 20, "t": 70, "b": 50}
    )
    return fig
