"""Writing figures: one function saves any builder's figure, by file suffix, atomically.

:func:`save_figure` picks the format from the suffix: ``.png``/``.svg``/``.pdf``/``.jpg``
through matplotlib, ``.html`` as one page (plotly.js embedded, or shared from a
``plotly.min.js`` beside the page), ``.json`` as plotly's figure JSON.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from spacekit.analyzer.figures import make_loss_figure, save_figure
>>> fig = make_loss_figure({"loss": [0.9, 0.5]}, backend="matplotlib")
>>> with tempfile.TemporaryDirectory() as tmp:
...     save_figure(fig, Path(tmp) / "loss.png").name
'loss.png'
"""

from __future__ import annotations

import base64
import io
import logging
import os
from pathlib import Path
from typing import Any

from spacekit._io import atomic_path, atomic_write_text
from spacekit.exceptions import InputError

__all__ = [
    "save_figure",
    "figure_to_html",
    "is_plotly_figure",
    "is_matplotlib_figure",
    "close_figure",
]

log = logging.getLogger(__name__)

_MPL_SUFFIXES = {".png", ".svg", ".pdf", ".jpg", ".jpeg"}
_PLOTLYJS = {"embed": True, "directory": "directory"}


def is_plotly_figure(fig: Any) -> bool:
    """Return True if ``fig`` is a plotly ``BaseFigure`` (without importing plotly)."""
    return type(fig).__module__.startswith("plotly.") and hasattr(fig, "to_plotly_json")


def is_matplotlib_figure(fig: Any) -> bool:
    """Return True if ``fig`` is a matplotlib ``Figure``."""
    return type(fig).__module__.startswith("matplotlib.") and hasattr(fig, "savefig")


def figure_to_html(fig: Any, title: str | None = None, plotlyjs: str = "embed") -> str:
    """Return one HTML page showing ``fig`` (no network access needed).

    Plotly figures embed plotly.js (``plotlyjs="embed"``) or load it from a
    ``plotly.min.js`` beside the page (``"directory"``); matplotlib figures are embedded
    as a base64 PNG.
    """
    if plotlyjs not in _PLOTLYJS:
        raise InputError(f"plotlyjs must be 'embed' or 'directory'; received {plotlyjs!r}.")
    if is_plotly_figure(fig):
        return fig.to_html(include_plotlyjs=_PLOTLYJS[plotlyjs], full_html=True)
    if is_matplotlib_figure(fig):
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110)
        data = base64.b64encode(buf.getvalue()).decode("ascii")
        head = f"<title>{_escape(title or 'spacekit figure')}</title>"
        return (
            f'<!DOCTYPE html>\n<html><head><meta charset="utf-8">{head}</head>'
            f'<body><img alt="figure" src="data:image/png;base64,{data}"></body></html>\n'
        )
    raise InputError(
        f"Expected a matplotlib or plotly figure; received {type(fig).__name__}. "
        "Build figures with the spacekit.analyzer.figures builders."
    )


def save_figure(
    fig: Any, path: str | os.PathLike, dpi: int = 150, *, plotlyjs: str = "embed"
) -> Path:
    """Write ``fig`` to ``path``, choosing the format from the suffix, atomically.

    Parameters
    ----------
    fig : matplotlib.figure.Figure or plotly.graph_objects.Figure
        The figure to write.
    path : str or path-like
        Target file. ``.png``, ``.svg``, ``.pdf``, ``.jpg`` need a matplotlib figure (plotly's
        static export needs the optional ``kaleido`` package, which is used when installed).
        ``.html`` gives a self-contained page (plotly.js embedded); ``.json`` plotly's JSON.
    dpi : int, default=150
        Resolution of raster matplotlib output.
    plotlyjs : {"embed", "directory"}, default="embed"
        For ``.html`` plotly pages: embed plotly.js (one self-contained file), or write
        ``plotly.min.js`` once beside the page and load it from there (many figures in
        one folder, e.g. the per-fold training figures).

    Returns
    -------
    pathlib.Path
        The written path.
    """
    path = Path(path).expanduser()
    suffix = path.suffix.lower()
    if suffix == ".html":
        if plotlyjs == "directory" and is_plotly_figure(fig):
            with atomic_path(path) as tmp:
                fig.write_html(tmp, include_plotlyjs="directory", full_html=True)
        else:
            atomic_write_text(path, figure_to_html(fig, title=path.stem, plotlyjs=plotlyjs))
    elif suffix == ".json":
        if not is_plotly_figure(fig):
            raise InputError(
                f"Cannot write a {type(fig).__name__} to JSON ({path}); JSON export needs a "
                "plotly figure. Use backend='plotly' or a .png/.html suffix."
            )
        atomic_write_text(path, fig.to_json())
    elif suffix in _MPL_SUFFIXES:
        if is_matplotlib_figure(fig):
            # figures with a layout engine (all spacekit builders) need no second "tight" pass
            bbox = None if fig.get_layout_engine() is not None else "tight"
            with atomic_path(path) as tmp:
                fig.savefig(tmp, format=suffix.lstrip("."), dpi=dpi, bbox_inches=bbox)
        elif is_plotly_figure(fig):
            try:
                with atomic_path(path) as tmp:
                    fig.write_image(str(tmp), format=suffix.lstrip("."))
            except (ImportError, ValueError, RuntimeError) as exc:
                raise InputError(
                    f"Static export of a plotly figure to {path} failed ({exc}). Save it as "
                    ".html (self-contained) or build the figure with backend='matplotlib'."
                ) from exc
        else:
            figure_to_html(fig)  # raises the helpful type error
    else:
        raise InputError(
            f"Unsupported figure suffix {path.suffix!r} for {path}; expected one of "
            ".png, .svg, .pdf, .jpg, .html, .json."
        )
    log.debug("wrote figure %s", path)
    return path


def close_figure(fig: Any) -> None:
    """Release a matplotlib figure's memory (pyplot-free figures need no ``plt.close``).

    Plotly figures and anything else are left alone.
    """
    if is_matplotlib_figure(fig):
        fig.clear()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
