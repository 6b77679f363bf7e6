"""A self-contained HTML report of a training history (``spacekit viz report``).

The page embeds plotly.js, so it opens offline and can be mailed or archived. Figures
come from the package's figure builders (:mod:`spacekit.visualization._figures`).
"""

from __future__ import annotations

import html
import math
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from spacekit._io import atomic_write_text
from spacekit._version import __version__
from spacekit.visualization.server_history import read_history

__all__ = ["summarize_history", "build_report_html", "write_report"]


def _lower_is_better(name: str) -> bool:
    try:
        from spacekit.visualization._figures import lower_is_better
    except ImportError:  # pragma: no cover - fallback if the builders are unavailable
        return any(t in name.lower() for t in ("loss", "error", "mae", "mse"))
    return lower_is_better(name)


def summarize_history(history: dict[str, Any]) -> list[dict[str, Any]]:
    """Return one row per epoch metric: last value, best value and the best epoch.

    "Best" is the minimum for losses and errors and the maximum otherwise.
    """
    rows = []
    epochs = history["epochs"]
    for name, values in history["metrics"].items():
        finite = [(v, e) for v, e in zip(values, epochs, strict=True) if v is not None]
        finite = [(v, e) for v, e in finite if math.isfinite(v)]
        if not finite:
            rows.append({"metric": name, "last": None, "best": None, "best_epoch": None})
            continue
        pick = min if _lower_is_better(name) else max
        best, best_epoch = pick(finite, key=lambda item: item[0])
        rows.append({"metric": name, "last": finite[-1][0], "best": best, "best_epoch": best_epoch})
    return rows


def _figures(history: dict[str, Any]) -> list:
    from spacekit.visualization._figures import make_batch_figure, make_history_figure

    figs = []
    if history["epochs"]:
        lr = history["lr"] if any(v is not None for v in history["lr"]) else None
        figs.append(
            make_history_figure(
                history["epochs"], history["metrics"], lr=lr, backend="plotly", title="Epochs"
            )
        )
    if history["batches"]["step"] and history["batches"]["metrics"]:
        figs.append(
            make_batch_figure(
                history["batches"]["step"],
                history["batches"]["metrics"],
                backend="plotly",
                title="Batches",
            )
        )
    return figs


def _fmt(value: Any) -> str:
    if value is None:
        return "&ndash;"
    if isinstance(value, float):
        return f"{value:.6g}"
    return html.escape(str(value))


def build_report_html(history: dict[str, Any], title: str | None = None) -> str:
    """Return a complete HTML page (plotly.js embedded) for a normalised history."""
    run = history.get("run")
    title = title or (f"Training report: {run}" if run else "Training report")
    parts = []
    for i, fig in enumerate(_figures(history)):
        parts.append(fig.to_html(full_html=False, include_plotlyjs=(i == 0)))
    if not parts:
        parts.append("<p>The history holds no metrics yet.</p>")
    rows = "".join(
        f"<tr><td>{html.escape(r['metric'])}</td><td>{_fmt(r['last'])}</td>"
        f"<td>{_fmt(r['best'])}</td><td>{_fmt(r['best_epoch'])}</td></tr>"
        for r in summarize_history(history)
    )
    made = datetime.now(UTC).isoformat(timespec="seconds")
    meta = (
        f"{len(history['epochs'])} epochs, {len(history['batches']['step'])} batch steps; "
        f"history updated {html.escape(str(history.get('updated') or 'unknown'))}; "
        f"report made {made} by spacekit {__version__}"
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{html.escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1.5rem; color: #1f2933; }}
table {{ border-collapse: collapse; margin: 1rem 0; }}
th, td {{ border: 1px solid #cbd2d9; padding: 0.3rem 0.8rem; text-align: right; }}
th:first-child, td:first-child {{ text-align: left; }}
.meta {{ color: #616e7c; }}
</style>
</head>
<body>
<h1>{html.escape(title)}</h1>
<p class="meta">{meta}</p>
<table id="summary">
<thead><tr><th>metric</th><th>last</th><th>best</th><th>best epoch</th></tr></thead>
<tbody>{rows}</tbody>
</table>
{"".join(parts)}
</body>
</html>
"""


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
