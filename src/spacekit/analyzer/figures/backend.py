"""The backend switch shared by every figure builder.

Every ``make_*_figure`` in :mod:`spacekit.analyzer.figures` takes
``backend="matplotlib"|"plotly"``: matplotlib figures are made without pyplot (no global
state, nothing shown), plotly figures are plain :class:`plotly.graph_objects.Figure`
objects.

Examples
--------
>>> from spacekit.analyzer.figures.backend import check_backend, new_matplotlib_figure
>>> check_backend("plotly")
'plotly'
>>> type(new_matplotlib_figure()).__name__
'Figure'
"""

from __future__ import annotations

from spacekit.exceptions import InputError

__all__ = ["BACKENDS", "check_backend", "new_matplotlib_figure"]

#: Figure backends every builder accepts.
BACKENDS = ("matplotlib", "plotly")


def check_backend(backend: str) -> str:
    """Return ``backend`` if it is one of :data:`BACKENDS`, else raise :class:`InputError`."""
    if backend not in BACKENDS:
        raise InputError(f"Unknown backend {backend!r}; expected 'matplotlib' or 'plotly'.")
    return backend


def new_matplotlib_figure(figsize: tuple[float, float] = (8, 5)):
    """Return a new pyplot-free ``matplotlib.figure.Figure`` (Agg canvas)."""
    from matplotlib.figure import Figure

    return Figure(figsize=figsize, layout="constrained")
