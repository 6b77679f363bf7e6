"""Training histories: per-epoch panels, loss curves and batch metrics.

Every ``make_*_figure`` takes plain lists/arrays and ``backend="matplotlib"|"plotly"`` and
returns a new ``matplotlib.figure.Figure`` (made without pyplot, so nothing global is
touched and nothing is shown) or a ``plotly.graph_objects.Figure``. Missing values
(``None``, NaN, inf) are drawn as gaps. Nothing here writes files or displays anything.

Examples
--------
>>> from spacekit.analyzer.figures import make_loss_figure
>>> fig = make_loss_figure({"loss": [0.9, 0.5, 0.4], "val_loss": [1.0, 0.7, 0.6]})
>>> [trace.name for trace in fig.data if not trace.name.startswith("best")]
['loss', 'val_loss']
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from spacekit.analyzer.figures.backend import check_backend, new_matplotlib_figure
from spacekit.exceptions import InputError

__all__ = [
    "lower_is_better",
    "best_epoch",
    "group_metrics",
    "make_history_figure",
    "make_loss_figure",
    "mpl_loss_figure",
    "make_batch_figure",
    "trailing_mean",
]

_LOWER_TOKENS = (
    "loss",
    "error",
    "mae",
    "mse",
    "rmse",
    "mape",
    "msle",
    "hinge",
    "crossentropy",
    "divergence",
    "kld",
    "poisson",
    "logcosh",
    "huber",
)
_TRAIN_COLOR = "#1f77b4"
_VAL_COLOR = "#ff7f0e"
_LR_COLOR = "#2ca02c"


def lower_is_better(name: str) -> bool:
    """Return True if smaller values of metric ``name`` are better (losses and errors)."""
    low = name.lower()
    return any(tok in low for tok in _LOWER_TOKENS)


def best_epoch(
    epochs: Sequence[int], values: Sequence[float | None], name: str
) -> tuple[int, float] | None:
    """Return ``(epoch, value)`` of the best value of metric ``name``, or None if it has none.

    "Best" is the minimum for losses and errors (:func:`lower_is_better`) and the maximum
    otherwise; ``None`` and non-finite values are ignored; ties go to the earliest epoch.
    """
    pairs = [
        (e, float(v))
        for e, v in zip(epochs, values, strict=True)
        if v is not None and math.isfinite(v)
    ]
    if not pairs:
        return None
    pick = min if lower_is_better(name) else max
    return pick(pairs, key=lambda p: p[1])


def _as_float_array(values: Sequence[Any]) -> np.ndarray:
    out = np.array([np.nan if v is None else v for v in values], dtype=float)
    out[~np.isfinite(out)] = np.nan
    return out


def group_metrics(
    names: Sequence[str], metrics_to_plot: Sequence[str] | None = None
) -> list[tuple[str, list[str]]]:
    """Group metric names into panels: ``x`` and ``val_x`` share one panel.

    Parameters
    ----------
    names : sequence of str
        Metric names as logged (e.g. ``["loss", "accuracy", "val_loss"]``).
    metrics_to_plot : sequence of str, optional
        Keep only these panels (base names such as ``"loss"``, or full names).

    Returns
    -------
    list of (str, list of str)
        ``(panel title, [names in the panel])``, losses first.
    """
    panels: dict[str, list[str]] = {}
    for name in names:
        base = name[4:] if name.startswith("val_") else name
        panels.setdefault(base, []).append(name)
    if metrics_to_plot is not None:
        wanted = set(metrics_to_plot)
        panels = {
            base: [n for n in members if base in wanted or n in wanted]
            for base, members in panels.items()
        }
        panels = {base: members for base, members in panels.items() if members}
    order = sorted(
        panels, key=lambda b: (b != "loss", not lower_is_better(b), list(panels).index(b))
    )
    return [(base, sorted(panels[base], key=lambda n: n.startswith("val_"))) for base in order]


def _grid(n: int) -> tuple[int, int]:
    ncols = 1 if n <= 1 else 2
    return max(1, math.ceil(n / ncols)), ncols


def _best_index(values: np.ndarray, name: str) -> int | None:
    if not np.isfinite(values).any():
        return None
    return int(np.nanargmin(values) if lower_is_better(name) else np.nanargmax(values))


def make_history_figure(
    epochs: Sequence[int],
    metrics: Mapping[str, Sequence[Any]],
    *,
    lr: Sequence[Any] | None = None,
    backend: str = "matplotlib",
    metrics_to_plot: Sequence[str] | None = None,
    title: str | None = None,
    mark_best: bool = True,
):
    """Draw one panel per metric (training and validation together) plus learning rate.

    Parameters
    ----------
    epochs : sequence of int
        Epoch numbers (x axis).
    metrics : mapping of str to sequence of float or None
        Values aligned with ``epochs``; ``None``/NaN/inf are drawn as gaps.
    lr : sequence of float or None, optional
        Learning rate per epoch; drawn in its own panel (log scale) when present.
    backend : {"matplotlib", "plotly"}, default="matplotlib"
        Which figure type to return.
    metrics_to_plot : sequence of str, optional
        Only these metrics (base names such as ``"loss"``); all by default.
    title : str, optional
        Figure title.
    mark_best : bool, default=True
        Mark the best epoch of each series (minimum for losses, maximum otherwise).

    Returns
    -------
    matplotlib.figure.Figure or plotly.graph_objects.Figure
    """
    check_backend(backend)
    x = np.asarray(list(epochs), dtype=float)
    series = {name: _as_float_array(vals) for name, vals in metrics.items()}
    for name, vals in series.items():
        if len(vals) != len(x):
            raise InputError(
                f"Metric {name!r} has {len(vals)} values but there are {len(x)} epochs; "
                "metrics must be aligned with epochs (use None for missing values)."
            )
    panels = group_metrics(list(series), metrics_to_plot)
    lr_arr = _as_float_array(lr) if lr is not None and len(lr) == len(x) else None
    if lr_arr is not None and np.isfinite(lr_arr).any():
        panels.append(("learning rate", ["__lr__"]))
        series["__lr__"] = lr_arr
    if backend == "plotly":
        return _history_plotly(x, series, panels, title, mark_best)
    return _history_matplotlib(x, series, panels, title, mark_best)


def _label(name: str) -> str:
    return "learning rate" if name == "__lr__" else name


def _color(name: str) -> str:
    if name == "__lr__":
        return _LR_COLOR
    if "(avg" in name:
        return "#d62728"
    return _VAL_COLOR if name.startswith("val_") else _TRAIN_COLOR


def _history_matplotlib(x, series, panels, title, mark_best):
    from matplotlib.ticker import MaxNLocator

    nrows, ncols = _grid(len(panels))
    fig = new_matplotlib_figure((6.0 * ncols, 3.4 * nrows))
    if not panels:
        ax = fig.add_subplot(1, 1, 1)
        ax.text(0.5, 0.5, "No metrics recorded yet", ha="center", va="center")
        ax.set_axis_off()
    for i, (base, names) in enumerate(panels):
        ax = fig.add_subplot(nrows, ncols, i + 1)
        for name in names:
            y = series[name]
            ax.plot(x, y, marker="o", markersize=3, color=_color(name), label=_label(name))
            best = _best_index(y, name) if mark_best and name != "__lr__" else None
            if best is not None:
                ax.plot(x[best], y[best], marker="*", markersize=11, color=_color(name), ls="")
        if names == ["__lr__"] and np.nanmin(series["__lr__"]) > 0:
            ax.set_yscale("log")
        ax.set_title(base)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize="small")
    if title:
        fig.suptitle(title)
    return fig


def _history_plotly(x, series, panels, title, mark_best):
    from plotly.subplots import make_subplots

    nrows, ncols = _grid(len(panels))
    fig = make_subplots(rows=nrows, cols=ncols, subplot_titles=[p[0] for p in panels] or None)
    for i, (_base, names) in enumerate(panels):
        row, col = i // ncols + 1, i % ncols + 1
        for name in names:
            y = series[name]
            yy = [None if not np.isfinite(v) else float(v) for v in y]
            fig.add_scatter(
                x=x.tolist(),
                y=yy,
                mode="lines+markers",
                name=_label(name),
                line={"color": _color(name)},
                row=row,
                col=col,
                legendgroup=name,
            )
            best = _best_index(y, name) if mark_best and name != "__lr__" else None
            if best is not None:
                fig.add_scatter(
                    x=[float(x[best])],
                    y=[float(y[best])],
                    mode="markers",
                    marker={"symbol": "star", "size": 13, "color": _color(name)},
                    name=f"best {name}",
                    showlegend=False,
                    row=row,
                    col=col,
                )
        if names == ["__lr__"] and np.nanmin(series["__lr__"]) > 0:
            fig.update_yaxes(type="log", row=row, col=col)
        fig.update_xaxes(title_text="epoch", row=row, col=col)
    if not panels:
        fig.add_annotation(text="No metrics recorded yet", showarrow=False)
    fig.update_layout(
        title=title,
        height=max(350, 300 * nrows),
        template="plotly_white",
        hovermode="x unified",
    )
    return fig


def make_loss_figure(
    history: Mapping[str, Sequence[Any]],
    metric: str = "loss",
    title: str | None = None,
    *,
    epochs: Sequence[int] | None = None,
    backend: str = "plotly",
    mark_best: bool = True,
):
    """Draw the training and validation curves of one metric against epoch.

    Parameters
    ----------
    history : mapping of str to sequence of float or None
        Per-epoch values by name, e.g. Keras' ``History.history`` or a results folder's
        ``history``. ``metric`` and ``val_{metric}`` are looked up by name (not by
        position); either may be missing. A shorter series is padded with gaps.
    metric : str, default="loss"
        The metric to draw.
    title : str, optional
        Default: ``"Training vs validation {metric}"``.
    epochs : sequence of int, optional
        X values; ``1..n`` by default.
    backend : {"plotly", "matplotlib"}, default="plotly"
    mark_best : bool, default=True
        Mark the best epoch of each curve (minimum for losses and errors).

    Returns
    -------
    plotly.graph_objects.Figure or matplotlib.figure.Figure
        One panel; an empty history gives a figure that says so.
    """
    check_backend(backend)
    series = {
        name: list(np.ravel(np.asarray(history[name], dtype=object)))
        for name in (metric, f"val_{metric}")
        if name in history and history[name] is not None
    }
    n = max((len(v) for v in series.values()), default=0)
    series = {k: v + [None] * (n - len(v)) for k, v in series.items()}
    x = list(epochs) if epochs is not None else list(range(1, n + 1))
    return make_history_figure(
        x,
        series,
        backend=backend,
        title=title or f"Training vs validation {metric}",
        mark_best=mark_best,
    )


def mpl_loss_figure(history: Mapping, metric: str = "loss", title: str | None = None):
    """:func:`make_loss_figure` with ``backend="matplotlib"``."""
    return make_loss_figure(history, metric, title, backend="matplotlib")


def trailing_mean(values: np.ndarray, window: int) -> np.ndarray:
    """Moving average over the last ``window`` finite values (NaNs ignored, no edge dip)."""
    y = np.asarray(values, dtype=float)
    ok = np.isfinite(y)
    csum = np.concatenate([[0.0], np.cumsum(np.where(ok, y, 0.0))])
    ccount = np.concatenate([[0], np.cumsum(ok)])
    idx = np.arange(1, len(y) + 1)
    lo = np.maximum(idx - window, 0)
    count = ccount[idx] - ccount[lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        out = (csum[idx] - csum[lo]) / count
    out[count == 0] = np.nan
    return out


def make_batch_figure(
    steps: Sequence[int],
    metrics: Mapping[str, Sequence[Any]],
    *,
    backend: str = "matplotlib",
    smooth: int = 0,
    title: str | None = "Batch metrics",
):
    """Draw batch-level metrics against the global step, optionally smoothed.

    Parameters
    ----------
    steps : sequence of int
        Global batch step numbers.
    metrics : mapping of str to sequence of float or None
        Values aligned with ``steps``.
    backend : {"matplotlib", "plotly"}, default="matplotlib"
    smooth : int, default=0
        Width of a moving average drawn over the raw values (0 = none).
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure or plotly.graph_objects.Figure
    """
    check_backend(backend)
    x = np.asarray(list(steps), dtype=float)
    names = [n for n in metrics if n != "lr"]
    raw = {n: _as_float_array(metrics[n]) for n in names}
    if smooth and smooth > 1:
        for n in names:
            raw[f"{n} (avg {smooth})"] = trailing_mean(raw[n], int(smooth))
    panels = [(n, [m for m in raw if m == n or m.startswith(f"{n} (avg")]) for n in names]
    if backend == "plotly":
        return _history_plotly(x, raw, panels, title, False).update_xaxes(title_text="step")
    fig = _history_matplotlib(x, raw, panels, title, False)
    for ax in fig.axes:
        ax.set_xlabel("step")
        for line in ax.get_lines():
            line.set_marker("")
    return fig
