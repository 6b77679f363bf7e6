"""Browser dashboards (Dash), served by a production WSGI server on 127.0.0.1.

Results dashboards (``spacekit dashboard cal|svm|jwst``, ``python -m
spacekit.dashboard.cal``): :func:`create_dashboard` loads training results (any number
of versions) and a data table, and builds an app with the pages home, model evaluation,
EDA, drift, neural-network graph and predictions. With no results folder it shows the
packaged sample results, so it works out of the box.

Building blocks, reusable by other dashboards (the model explorer in
:mod:`spacekit.dashboard.explorer` is built on them):

* :func:`spacekit.dashboard.app.create_app` -- the app factory: page modules +
  a read-only shared context, ``use_pages=True``, packaged CSS, request-size limit;
* :func:`spacekit.dashboard.server.serve` / :func:`~spacekit.dashboard.server.start_server`
  -- waitress, 127.0.0.1 by default, debug only when asked, clear port-in-use errors;
* :mod:`spacekit.dashboard.components` -- messages instead of tracebacks
  (``guarded``), the dark theme (``themed``).

Importing this package does not import Dash; the functions do.

Examples
--------
>>> from spacekit.dashboard import create_dashboard, start_server  # doctest: +SKIP
>>> app = create_dashboard("cal")                                  # doctest: +SKIP
>>> srv = start_server(app, port=0); print(srv.url); srv.stop()    # doctest: +SKIP
"""

from __future__ import annotations

import os

__all__ = ["create_app", "create_dashboard", "serve", "start_server", "load_context"]


def create_dashboard(
    kind: str = "cal",
    results: str | os.PathLike | None = None,
    data: str | os.PathLike | None = None,
    *,
    max_upload_mb: float = 20.0,
):
    """Build the results dashboard of ``kind`` (``"cal"``, ``"svm"`` or ``"jwst"``).

    Parameters
    ----------
    kind : {"cal", "svm", "jwst"}, default="cal"
    results : path-like, optional
        A folder of training iterations (``YYYY-MM-DD-epoch`` or ``YYYY-MM-DD_epoch``
        folders), one iteration, or one results folder. Default: the packaged sample.
    data : path-like, optional
        CSV for the EDA, drift and network pages (default: the newest version's
        ``data/*.csv``).
    max_upload_mb : float, default=20.0
        Largest upload accepted (predictions and drift pages).

    Returns
    -------
    dash.Dash

    Raises
    ------
    InputError
        Unknown kind, a missing folder or file, or no results in the folder.
    """
    from spacekit.dashboard.app import create_app
    from spacekit.dashboard.context import load_context
    from spacekit.dashboard.pages import RESULTS_PAGES

    ctx = load_context(kind, results, data)
    ctx.max_upload_mb = float(max_upload_mb)
    _warm_imports()
    return create_app(
        RESULTS_PAGES,
        ctx,
        title="spacekit dashboard",
        subtitle=f"{ctx.settings.title} - {len(ctx.versions)} version(s), {ctx.source}",
        max_upload_mb=max_upload_mb,
    )


def _warm_imports() -> None:
    """Import the heavy libraries of the pages in a background thread.

    scikit-learn, SciPy and plotly take seconds to import on a busy machine; doing it
    while the server starts keeps that wait away from the first page a user opens.
    """
    import importlib
    import threading

    def work():
        for name in ("plotly.graph_objects", "plotly.subplots", "sklearn.metrics", "scipy.stats"):
            try:
                importlib.import_module(name)
            except ImportError:  # pragma: no cover - the pages report it when used
                pass

    threading.Thread(target=work, name="spacekit-warm-imports", daemon=True).start()


def __getattr__(name):
    if name == "create_app":
        from spacekit.dashboard.app import create_app

        return create_app
    if name in ("serve", "start_server"):
        from spacekit.dashboard import server as _server

        return getattr(_server, name)
    if name == "load_context":
        from spacekit.dashboard.context import load_context

        return load_context
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
