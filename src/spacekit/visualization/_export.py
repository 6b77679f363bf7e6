"""Export helpers shared by every visualizer: the output tree, figure files, live display.

Every visualizer that is given a ``save_dir`` writes below it, one folder per kind of
``KINDS`` (``<save_dir>/training/``, ``<save_dir>/layers/``, ...). A ``save_dir`` that is
already the kind's own folder (``visualizations/layers`` for the layer visualizer, as in
the dashboard toolkit's documentation) is used as it is, never doubled, and the files in it
get the toolkit's names (:func:`toolkit_layout`, :func:`figure_path`). Both layouts are
documented once, in the "Output tree" section of the visualization docs.

:func:`output_dir` returns (and creates) one of those folders. Figures are written with
:func:`save_figure`, which picks the format from the file suffix: ``.png``/``.svg``/``.pdf``
through matplotlib, ``.html`` as one self-contained page (plotly.js embedded, no CDN),
``.json`` as plotly's figure JSON. Every write is atomic.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import math
import os
import re
from pathlib import Path
from typing import Any

from spacekit._io import atomic_path, atomic_write_text
from spacekit.exceptions import InputError

__all__ = [
    "KINDS",
    "output_dir",
    "toolkit_layout",
    "figure_path",
    "save_figure",
    "figure_to_html",
    "is_plotly_figure",
    "is_matplotlib_figure",
    "in_notebook",
    "clean_float",
    "close_figure",
    "LiveOutput",
]

log = logging.getLogger(__name__)

#: Sub-folders of the documented output tree.
KINDS = ("training", "predictions", "layers", "attention", "realtime", "server")

#: Folder names that make ``save_dir`` the kind's own folder (the toolkit called the
#: training folder ``dashboard``).
_OWN_FOLDER = {kind: {kind} for kind in KINDS} | {"training": {"training", "dashboard"}}

_MPL_SUFFIXES = {".png", ".svg", ".pdf", ".jpg", ".jpeg"}


def toolkit_layout(save_dir: str | os.PathLike | None, kind: str) -> bool:
    """Return True when ``save_dir`` is already the folder of ``kind`` (toolkit layout).

    ``visualizations/layers`` is the layer visualizer's own folder, as is
    ``visualizations/dashboard`` (or ``.../training``) for the training dashboard: files go
    straight into it and carry the dashboard toolkit's names.
    """
    if kind not in KINDS:
        raise InputError(f"Unknown output kind {kind!r}; expected one of {', '.join(KINDS)}.")
    return save_dir is not None and Path(save_dir).expanduser().name in _OWN_FOLDER[kind]


def output_dir(save_dir: str | os.PathLike | None, kind: str, create: bool = True) -> Path | None:
    """Return the folder of the output tree where ``kind`` figures go.

    Parameters
    ----------
    save_dir : str or path-like or None
        Root of the tree (e.g. ``"results/visualizations"``), or the kind's own folder
        (e.g. ``"results/visualizations/layers"``, see :func:`toolkit_layout`). ``None``
        means "do not write": the function then returns ``None``.
    kind : str
        One of :data:`KINDS`.
    create : bool, default=True
        Create the folder if it does not exist.

    Returns
    -------
    pathlib.Path or None
        ``Path(save_dir) / kind``, ``Path(save_dir)`` when it already is the kind's
        folder, or ``None`` when ``save_dir`` is ``None``.
    """
    if save_dir is None:
        toolkit_layout(None, kind)  # validates kind
        return None
    folder = Path(save_dir).expanduser()
    if not toolkit_layout(folder, kind):
        folder = folder / kind
    if create:
        folder.mkdir(parents=True, exist_ok=True)
    return folder


def figure_path(
    save_dir: str | os.PathLike | None,
    kind: str,
    stem: str,
    toolkit_stem: str,
    backend: str = "matplotlib",
) -> Path | None:
    """Default file of a figure in the output tree, or None without ``save_dir``.

    ``stem`` is spacekit's name (``activations_conv1``), ``toolkit_stem`` the dashboard
    toolkit's (``conv1_activations``), used when ``save_dir`` is the kind's own folder.
    The suffix is ``.html`` for plotly figures and ``.png`` otherwise; characters other
    than letters, digits, ``_ . -`` become ``_``.
    """
    folder = output_dir(save_dir, kind)
    if folder is None:
        return None
    name = toolkit_stem if toolkit_layout(save_dir, kind) else stem
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "figure"
    return folder / f"{name}.{'html' if backend == 'plotly' else 'png'}"


def is_plotly_figure(fig: Any) -> bool:
    """Return True if ``fig`` is a plotly ``BaseFigure`` (without importing plotly)."""
    return type(fig).__module__.startswith("plotly.") and hasattr(fig, "to_plotly_json")


def is_matplotlib_figure(fig: Any) -> bool:
    """Return True if ``fig`` is a matplotlib ``Figure``."""
    return type(fig).__module__.startswith("matplotlib.") and hasattr(fig, "savefig")


def figure_to_html(fig: Any, title: str | None = None) -> str:
    """Return one self-contained HTML page showing ``fig`` (no network access needed).

    Plotly figures embed plotly.js; matplotlib figures are embedded as a base64 PNG.
    """
    if is_plotly_figure(fig):
        return fig.to_html(include_plotlyjs=True, full_html=True)
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
        "Build figures with the spacekit.visualization figure builders."
    )


def save_figure(fig: Any, path: str | os.PathLike, dpi: int = 150) -> Path:
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

    Returns
    -------
    pathlib.Path
        The written path.
    """
    path = Path(path).expanduser()
    suffix = path.suffix.lower()
    if suffix == ".html":
        atomic_write_text(path, figure_to_html(fig, title=path.stem))
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


def clean_float(value: Any) -> float | None:
    """Return ``value`` as a finite float, or ``None`` for NaN, inf and unconvertible values."""
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def in_notebook() -> bool:
    """Return True inside a Jupyter kernel (IPython with a kernel app)."""
    import sys

    if "IPython" not in sys.modules:
        return False
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


class LiveOutput:
    """Show a figure that is refreshed again and again without piling up outputs.

    In Jupyter one display area is created on the first :meth:`show` and updated in place
    afterwards (``IPython.display`` handles). Elsewhere, if ``path`` is set, the figure is
    written there on every refresh (PNG for matplotlib, HTML for plotly, by suffix).

    Parameters
    ----------
    path : path-like, optional
        File written on each refresh outside Jupyter (or always, if ``always_write``).
    always_write : bool, default=False
        Also write ``path`` inside Jupyter.
    dpi : int, default=100
        Resolution of PNG refreshes (lower than final figures: refreshes must be cheap).
    """

    def __init__(
        self, path: str | os.PathLike | None = None, always_write: bool = False, dpi: int = 100
    ):
        self.path = Path(path) if path is not None else None
        self.dpi = dpi
        self.always_write = always_write
        self._handle = None

    def show(self, fig: Any) -> None:
        """Display or write ``fig`` (replacing the previous one)."""
        notebook = in_notebook()
        if notebook:
            self._display(fig)
        if self.path is not None and (self.always_write or not notebook):
            save_figure(fig, self.path, dpi=self.dpi)

    def _display(self, fig: Any) -> None:
        from IPython.display import Image, display

        if is_plotly_figure(fig):
            # plotly's own _ipython_display_ ignores display ids (every update would add an
            # output), so display its MIME bundle ourselves.
            bundle = fig._repr_mimebundle_() or {
                "application/vnd.plotly.v1+json": json.loads(fig.to_json()),
                "text/plain": f"<plotly figure: {len(fig.data)} traces>",
            }
            if self._handle is None:
                self._handle = display(bundle, raw=True, display_id=True)
            else:
                self._handle.update(bundle, raw=True)
            return
        obj = fig
        if is_matplotlib_figure(fig):
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=100)
            obj = Image(data=buf.getvalue(), format="png")
        if self._handle is None:
            self._handle = display(obj, display_id=True)
        else:
            self._handle.update(obj)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
