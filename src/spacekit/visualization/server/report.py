"""A self-contained HTML report of a training history (``spacekit viz report``).

The page is the one :func:`~spacekit.visualization.create_interactive_dashboard` writes
(summary table, epoch and batch figures, plotly.js embedded so it opens offline), titled
"Training report" and read from a history file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from spacekit._io import atomic_write_text
from spacekit.visualization.server.history import read_history

__all__ = ["build_report_html", "write_report"]


def build_report_html(history: dict[str, Any], title: str | None = None) -> str:
    """Return a complete HTML page (plotly.js embedded) for a history dictionary.

    Parameters
    ----------
    history : dict
        A ``spacekit-training-history`` dictionary (as returned by
        :func:`~spacekit.visualization.server.history.read_history`).
    title : str, optional
        Page title; defaults to "Training report: <run>".
    """
    from spacekit.visualization.quick import dashboard_html
    from spacekit.visualization.training_history import TrainingHistory

    h = TrainingHistory.from_dict(history)
    title = title or (f"Training report: {h.run}" if h.run else "Training report")
    return dashboard_html(h, title, note=f"History updated {history.get('updated') or 'unknown'}.")


def write_report(
    history_path: str | os.PathLike, out_path: str | os.PathLike, title: str | None = None
) -> Path:
    """Read a training-history JSON and write a self-contained HTML report atomically.

    Parameters
    ----------
    history_path : str or path-like
        The JSON written by ``TrainingDashboard.save_history``.
    out_path : str or path-like
        The HTML file to write (parent folders are created).
    title : str, optional
        Page title; defaults to "Training report: <run>".

    Returns
    -------
    pathlib.Path
        ``out_path``.
    """
    history = read_history(history_path)
    return atomic_write_text(Path(out_path), build_report_html(history, title))
