"""Export helpers shared by every visualizer: the output tree, figure files, live display.

Every visualizer that is given a ``save_dir`` writes below it, one folder per kind of
``KINDS`` (``<save_dir>/training/``, ``<save_dir>/layers/``, ...). A ``save_dir`` that is
already the kind's own folder (``visualizations/layers`` for the layer visualizer, as in
the dashboard toolkit's documentation) is used as it is, never doubled, and the files in it
get the toolkit's names (:func:`toolkit_layout`, :func:`figure_path`). Both layouts are
documented once, in the "Output tree" section of the visualization docs.

:func:`output_dir` returns (and creates) one of those folders. Figures are written with
:func:`spacekit.analyzer.figures.save_figure`; :class:`LiveOutput` refreshes a figure in
Jupyter or in a file.
"""

from __future__ import annotations

import io
import json
import logging
import math
import os
import re
from pathlib import Path
from typing import Any

from spacekit.analyzer.figures.export import is_matplotlib_figure, is_plotly_figure, save_figure
from spacekit.exceptions import InputError

__all__ = [
    "KINDS",
    "output_dir",
    "toolkit_layout",
    "figure_path",
    "in_notebook",
    "clean_float",
    "LiveOutput",
]

log = logging.getLogger(__name__)

#: Sub-folders of the documented output tree.
KINDS = ("training", "predictions", "layers", "attention", "realtime", "server")

#: Folder names that make ``save_dir`` the kind's own folder (the toolkit called the
#: training folder ``dashboard``).
_OWN_FOLDER = {kind: {kind} for kind in KINDS} | {"training": {"training", "dashboard"}}


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
