"""Model evaluation: confusion-matrix grids and comparisons of model versions.

Data in, :class:`plotly.graph_objects.Figure` out; nothing is shown or written here.
Used by the classifier results (:mod:`spacekit.analyzer.classifier`) and the model
evaluation page of the dashboards.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from spacekit.exceptions import InputError

__all__ = [
    "make_confusion_figure",
    "make_confusion_grid",
    "make_score_bars",
    "make_history_compare",
    "make_error_distribution",
]


def _cell_text(matrix: np.ndarray, normalized: bool) -> list[list[str]]:
    fmt = "{:.2f}" if normalized else "{:.0f}"
    return [[fmt.format(v) for v in row] for row in matrix]


def make_confusion_figure(
    matrix,
    classes: Sequence[str],
    normalized: bool = False,
    title: str | None = None,
    colorscale: str = "Blues",
):
    """Heatmap of one confusion matrix (rows: true class, columns: predicted).

    Parameters
    ----------
    matrix : array-like of shape (k, k)
        Counts, or row-normalised fractions when ``normalized``.
    classes : sequence of str
        One name per row/column.
    normalized : bool, default=False
        Colour range 0-1 and two-decimal cell text; otherwise the colour range runs to
        the largest count (1.1.4 fixed it at 0-100).
    title : str, optional
    colorscale : str, default="Blues"

    Returns
    -------
    plotly.graph_objects.Figure
    """
    return make_confusion_grid([matrix], classes, normalized, [title or ""], colorscale)


def make_confusion_grid(
    matrices: Sequence,
    classes: Sequence[str],
    normalized: bool = False,
    titles: Sequence[str] | None = None,
    colorscale: str = "Blues",
    ncols: int = 3,
):
    """Confusion matrices of several versions side by side, sharing one colour range.

    Parameters
    ----------
    matrices : sequence of array-like of shape (k, k)
        One matrix per version (any number; wraps after ``ncols`` panels).
    classes : sequence of str
    normalized : bool, default=False
    titles : sequence of str, optional
        Panel titles (version names).
    colorscale : str, default="Blues"
    ncols : int, default=3

    Returns
    -------
    plotly.graph_objects.Figure
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    names = [str(c) for c in classes]
    mats = [np.asarray(m, dtype=float) for m in matrices]
    if not mats:
        raise InputError("make_confusion_grid needs at least one matrix.")
    for m in mats:
        if m.shape != (len(names), len(names)):
            raise InputError(
                f"Confusion matrix of shape {m.shape} does not match {len(names)} classes."
            )
    n = len(mats)
    cols = max(1, min(ncols, n))
    rows = -(-n // cols)
    titles = list(titles or [""] * n)
    fig = make_subplots(
        rows=rows, cols=cols, subplot_titles=titles, horizontal_spacing=0.08,
        vertical_spacing=0.12 if rows > 1 else 0.0,
    )  # fmt: skip
    zmax = 1.0 if normalized else max(1.0, max(float(np.nanmax(m)) for m in mats))
    for i, m in enumerate(mats):
        fig.add_trace(
            go.Heatmap(
                z=m.tolist(),
                x=names,
                y=names,
                zmin=0,
                zmax=zmax,
                colorscale=colorscale,
                showscale=i == 0,
                text=_cell_text(m, normalized),
                texttemplate="%{text}",
                hovertemplate="true %{y}<br>predicted %{x}<br>%{z}<extra>"
                + (titles[i] if i < len(titles) else "")
                + "</extra>",
            ),
            row=i // cols + 1,
            col=i % cols + 1,
        )
    fig.update_yaxes(autorange="reversed", title_text="true", col=1)
    fig.update_xaxes(title_text="predicted")
    side = 320 if cols > 1 else 460
    fig.update_layout(
        title=("Confusion matrix (fraction of each true class)" if normalized else
               "Confusion matrix (counts)") if n > 1 or not titles[0] else titles[0],
        height=side * rows + 120,
        margin={"t": 90},
    )  # fmt: skip
    if n == 1 and titles[0]:
        fig.layout.annotations = ()
    return fig


def make_score_bars(
    scores: Mapping[str, Mapping[str, float]],
    metrics: Sequence[str] = ("train_acc", "test_acc", "train_loss", "test_loss"),
    title: str = "Accuracy vs. loss",
    left: str = "acc",
    panel_titles: tuple[str, str] = ("Accuracy", "Loss"),
):
    """Grouped bars of every version: metrics containing ``left`` on the left panel.

    Parameters
    ----------
    scores : mapping of str to mapping
        ``{version: {"train_acc": ..., "test_acc": ..., "train_loss": ..., ...}}``;
        missing or NaN values leave a gap.
    metrics : sequence of str
        Keys to draw.
    title : str, default="Accuracy vs. loss"
    left : str, default="acc"
        Metrics whose name contains this go on the left panel, the others on the right
        (use ``"rmse"`` for regressors).
    panel_titles : (str, str), default=("Accuracy", "Loss")

    Returns
    -------
    plotly.graph_objects.Figure
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    versions = list(scores)
    lkeys = [m for m in metrics if left in m]
    rkeys = [m for m in metrics if left not in m]
    fig = make_subplots(rows=1, cols=2, subplot_titles=panel_titles)
    colors = {"train": "#119dff", "test": "#66c2a5", "val": "#fdae61"}
    for col, keys in ((1, lkeys), (2, rkeys)):
        for key in keys:
            vals = []
            for v in versions:
                x = scores[v].get(key)
                x = float(np.asarray(x)) if x is not None else float("nan")
                vals.append(x if np.isfinite(x) else None)
            part = key.split("_")[0]
            fig.add_trace(
                go.Bar(
                    x=versions,
                    y=vals,
                    name=key,
                    marker_color=colors.get(part),
                    marker_pattern_shape="" if col == 1 else "/",
                    hovertemplate="%{x}<br>" + key + " = %{y:.4f}<extra></extra>",
                ),
                row=1,
                col=col,
            )
    fig.update_layout(title=title, barmode="group")
    return fig


def make_history_compare(
    histories: Mapping[str, Mapping[str, Sequence[float]]],
    metric: str = "loss",
    title: str | None = None,
):
    """Per-epoch ``metric`` (solid) and ``val_{metric}`` (dashed) of several versions.

    Parameters
    ----------
    histories : mapping of str to mapping
        ``{version: {"loss": [...], "val_loss": [...], ...}}``.
    metric : str, default="loss"
        Looked up by name in every history (versions without it are skipped).
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure
    """
    import plotly.graph_objects as go
    from plotly.colors import qualitative

    palette = qualitative.Plotly
    fig = go.Figure()
    for i, (version, hist) in enumerate(histories.items()):
        color = palette[i % len(palette)]
        for key, dash in ((metric, "solid"), (f"val_{metric}", "dash")):
            vals = np.ravel(np.asarray(hist.get(key, []), dtype=float))
            if vals.size:
                fig.add_trace(
                    go.Scatter(
                        x=np.arange(1, vals.size + 1),
                        y=vals,
                        mode="lines",
                        name=f"{version} {'val' if key.startswith('val_') else 'train'}",
                        line={"color": color, "dash": dash},
                        legendgroup=version,
                    )
                )
    fig.update_layout(
        title=title or f"{metric} per epoch (solid: train, dashed: validation)",
        xaxis_title="epoch",
        xaxis_tickformat="d",
        yaxis_title=metric,
    )
    return fig


def make_error_distribution(
    residuals: Mapping[str, Sequence[float]],
    title: str = "Distribution of errors (predicted - true)",
    nbins: int = 60,
):
    """Overlaid histograms of the residuals of several versions, on shared bins.

    Parameters
    ----------
    residuals : mapping of str to array-like
        ``{version: residuals}``.
    title : str
    nbins : int, default=60

    Returns
    -------
    plotly.graph_objects.Figure
    """
    import plotly.graph_objects as go

    arrays = {k: np.ravel(np.asarray(v, dtype=float)) for k, v in residuals.items()}
    arrays = {k: v[np.isfinite(v)] for k, v in arrays.items() if v.size}
    fig = go.Figure()
    if arrays:
        allv = np.concatenate(list(arrays.values()))
        lo, hi = np.percentile(allv, [0.5, 99.5]) if allv.size > 20 else (allv.min(), allv.max())
        if hi <= lo:
            lo, hi = lo - 0.5, hi + 0.5
        edges = np.linspace(lo, hi, nbins + 1)
        centers = (edges[:-1] + edges[1:]) / 2
        for name, v in arrays.items():
            counts, _ = np.histogram(np.clip(v, lo, hi), bins=edges)
            fig.add_trace(
                go.Scatter(
                    x=centers, y=counts / max(v.size, 1), mode="lines", name=name,
                    line={"shape": "hvh"},
                    hovertemplate="%{x:.3g}: %{y:.1%}<extra>" + name + "</extra>",
                )
            )  # fmt: skip
        fig.add_vline(x=0, line_dash="dash", line_color="gray")
    fig.update_layout(
        title=title, xaxis_title="predicted - true", yaxis_title="fraction", yaxis_tickformat=".0%"
    )
    return fig
