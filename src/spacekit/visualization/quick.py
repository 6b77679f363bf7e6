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
from spacekit.exceptions import DataError
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


def quick_plot_loss(
    history: Any,
    save_path: str | os.PathLike | None = None,
    *,
    val_loss: Sequence[float] | None = None,
    backend: str = "matplotlib",
    title: str = "Loss",
):
    """Plot training and validation loss of a run.

    Parameters
    ----------
    history : keras History, TrainingDashboard, dict, path or sequence of float
        The run: a Keras ``History`` (from ``model.fit``), a dashboard, a
        ``{"loss": [...], "val_loss": [...]}`` dict, a history JSON file, or the training
        losses themselves.
    save_path : str or path-like, optional
        Write the figure here (``.png``, ``.html``, ...). Nothing is written by default.
    val_loss : sequence of float, optional
        Validation losses, when ``history`` is a plain sequence of training losses.
    backend : {"matplotlib", "plotly"}, default="matplotlib"
    title : str, default="Loss"

    Returns
    -------
    matplotlib.figure.Figure or plotly.graph_objects.Figure
    """
    h = _history(history)
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
    history: Any,
    metrics: Sequence[str] | None = None,
    save_path: str | os.PathLike | None = None,
    *,
    backend: str = "matplotlib",
    title: str | None = "Training metrics",
):
    """Plot every metric of a run (or only ``metrics``), one panel per metric.

    Parameters
    ----------
    history : keras History, TrainingDashboard, dict or path
        See :func:`quick_plot_loss`.
    metrics : sequence of str, optional
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


def create_interactive_dashboard(
    history: Any, save_path: str | os.PathLike, title: str | None = None
) -> Path:
    """Write one self-contained interactive HTML page of a run (works offline).

    The page holds a summary table (last and best value per metric), the metrics figure
    with the learning rate, and batch-level metrics when they were recorded. plotly.js is
    embedded once, so the file opens without network access.

    Parameters
    ----------
    history : keras History, TrainingDashboard, dict or path
        See :func:`quick_plot_loss`.
    save_path : str or path-like
        The ``.html`` file to write (atomically).
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
