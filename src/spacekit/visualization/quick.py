"""One-call plots of a training history: loss, metrics and an interactive HTML page."""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from spacekit._io import atomic_write_text
from spacekit._version import __version__
from spacekit.analyzer.figures import (
    best_epoch,
    make_batch_figure,
    make_history_figure,
    make_loss_figure,
    save_figure,
)
from spacekit.exceptions import DataError, InputError
from spacekit.visualization.training_history import TrainingHistory

__all__ = [
    "quick_plot_loss",
    "quick_plot_metrics",
    "create_interactive_dashboard",
    "dashboard_html",
]


def _history(history: Any) -> TrainingHistory:
    if isinstance(history, np.ndarray) or (
        isinstance(history, Sequence) and not isinstance(history, str)
    ):
        return TrainingHistory.from_any({"loss": list(history)})
    return TrainingHistory.from_any(history)


def _is_path(value: Any) -> bool:
    return isinstance(value, str | os.PathLike)


def quick_plot_loss(
    train_loss: Any,
    val_loss: Sequence[float] | None = None,
    save_path: str | os.PathLike | None = None,
    *,
    backend: str = "matplotlib",
    title: str = "Loss",
):
    """Plot training and validation loss of a run.

    Parameters
    ----------
    train_loss : sequence of float, or keras History, TrainingDashboard, dict or path
        The training losses, or a whole run: a Keras ``History`` (from ``model.fit``), a
        dashboard, a ``{"loss": [...], "val_loss": [...]}`` dict or a history JSON file.
    val_loss : sequence of float, optional
        Validation losses (taken from the run when ``train_loss`` is a whole run).
    save_path : str or path-like, optional
        Write the figure here (``.png``, ``.html``, ...). Nothing is written by default.
        (A path in second place, spacekit's older order, is recognised too.)
    backend : {"matplotlib", "plotly"}, default="matplotlib"
    title : str, default="Loss"

    Returns
    -------
    matplotlib.figure.Figure or plotly.graph_objects.Figure
    """
    if _is_path(val_loss):  # spacekit's older order quick_plot_loss(history, path)
        if save_path is not None:
            raise InputError("Pass save_path once.")
        val_loss, save_path = None, val_loss
    h = _history(train_loss)
    if "loss" not in h.metrics:
        raise DataError(
            f"The history has no 'loss' series (it has {sorted(h.metrics) or 'nothing'}); "
            "use quick_plot_metrics to plot other metrics."
        )
    series = {"loss": h.metrics["loss"]}
    val = list(val_loss) if val_loss is not None else h.metrics.get("val_loss")
    if val is not None:
        series["val_loss"] = val
    fig = make_loss_figure(series, epochs=h.epochs, backend=backend, title=title)
    if save_path is not None:
        save_figure(fig, save_path)
    return fig


def quick_plot_metrics(
    history: Any = None,
    metrics: Any = None,
    save_path: str | os.PathLike | None = None,
    *,
    backend: str = "matplotlib",
    title: str | None = "Training metrics",
):
    """Plot every metric of a run (or only some), one panel per metric.

    Both the dashboard toolkit's ``quick_plot_metrics(metrics, save_path)`` (``metrics``
    being the ``{name: [values]}`` dict, positionally or by keyword) and spacekit's
    ``quick_plot_metrics(history, metrics=["accuracy"], save_path=...)`` work: a mapping
    or run in ``metrics`` is the data, a list of names is a selection, a path in second
    place is ``save_path``.

    Parameters
    ----------
    history : keras History, TrainingDashboard, dict or path
        The run; see :func:`quick_plot_loss`.
    metrics : sequence of str, or the run itself
        Metric names to plot (``val_`` partners follow); all by default.
    save_path : str or path-like, optional
        Write the figure here. Nothing is written by default.
    backend : {"matplotlib", "plotly"}, default="matplotlib"
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure or plotly.graph_objects.Figure
        An empty history gives a figure that says so.
    """
    if _is_path(metrics):  # quick_plot_metrics(metrics_dict, "metrics.png")
        if save_path is not None:
            raise InputError("Pass save_path once.")
        metrics, save_path = None, metrics
    elif metrics is not None and not _is_name_list(metrics):  # the run, by keyword
        if history is not None:
            raise InputError(
                "Received the run twice: pass it first (or as metrics=) and metric names as a list."
            )
        history, metrics = metrics, None
    if history is None:
        raise InputError("quick_plot_metrics needs the metrics: a {name: [values]} dict or a run.")
    h = _history(history)
    fig = make_history_figure(
        h.epochs, h.metrics, lr=h.lr, backend=backend, metrics_to_plot=metrics, title=title
    )
    if save_path is not None:
        save_figure(fig, save_path)
    return fig


def _summary_table(h: TrainingHistory) -> str:
    rows = []
    for name, values in h.metrics.items():
        best = best_epoch(h.epochs, values, name)
        if best is None:
            continue
        last = next(v for v in reversed(values) if v is not None)
        rows.append(
            f"<tr><td>{html.escape(name)}</td><td>{last:.4g}</td>"
            f"<td>{best[1]:.4g}</td><td>{best[0]}</td></tr>"
        )
    if not rows:
        return "<p>No metrics recorded.</p>"
    return (
        '<table id="summary"><thead><tr><th>metric</th><th>last</th><th>best</th>'
        "<th>best epoch</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )


def dashboard_html(history: TrainingHistory, title: str, note: str | None = None) -> str:
    """Return the self-contained HTML page of a run (plotly.js embedded once).

    Used by :func:`create_interactive_dashboard` and ``spacekit viz report``: a summary
    table (last and best value per epoch metric), the epoch figure with the learning rate,
    and the batch figure when batch metrics were recorded.

    Parameters
    ----------
    history : TrainingHistory
        The run.
    title : str
        Page title and heading.
    note : str, optional
        Extra text for the line under the heading (escaped).
    """
    h = history
    figs = [make_history_figure(h.epochs, h.metrics, lr=h.lr, backend="plotly", title="Epochs")]
    if h.batch_steps:
        figs.append(
            make_batch_figure(
                h.batch_steps,
                h.batch_metrics,
                backend="plotly",
                smooth=min(25, max(2, len(h.batch_steps) // 20)),
            )
        )
    parts = [
        fig.to_html(include_plotlyjs=(i == 0), full_html=False, default_width="100%")
        for i, fig in enumerate(figs)
    ]
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    meta = (
        f"{len(h.epochs)} epochs, {len(h.batch_steps)} batch records. "
        f"Written {stamp} by spacekit {__version__}." + (f" {html.escape(note)}" if note else "")
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;margin:1.5em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.25em .6em;text-align:right}}
td:first-child,th:first-child{{text-align:left}}</style></head>
<body><h1>{html.escape(title)}</h1>
<p class="meta">{meta}</p>
{_summary_table(h)}
{"".join(parts)}
</body></html>
"""


def _is_name_list(value: Any) -> bool:
    return isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)


def create_interactive_dashboard(
    history: Any, save_path: str | os.PathLike = "dashboard.html", title: str | None = None
) -> Path:
    """Write one self-contained interactive HTML page of a run (works offline).

    The page holds a summary table (last and best value per metric), the metrics figure
    with the learning rate, and batch-level metrics when they were recorded. plotly.js is
    embedded once, so the file opens without network access.

    Parameters
    ----------
    history : keras History, TrainingDashboard, dict or path
        See :func:`quick_plot_loss`.
    save_path : str or path-like, default="dashboard.html"
        The ``.html`` file to write (atomically); writing it is all this function does.
    title : str, optional
        Page title; the run name or "Training dashboard" by default.

    Returns
    -------
    pathlib.Path
        ``save_path``.
    """
    h = _history(history)
    page = dashboard_html(h, title or h.run or "Training dashboard")
    return atomic_write_text(Path(save_path).expanduser(), page)
