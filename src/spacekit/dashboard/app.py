"""The one Dash app factory of spacekit's browser dashboards.

A dashboard is a set of **page modules** plus a **context** object:

* a page module defines ``PATH`` (``"/eda"``), ``NAME`` (the navigation label),
  ``ORDER`` (position in the navigation), optionally ``DESCRIPTION`` (one sentence, shown
  on a home page), ``layout(ctx, **query)`` returning the page's
  component tree, and optionally ``register_callbacks(app, ctx)``, which registers the
  page's callbacks on *this* app with ``app.callback`` (never the global
  ``dash.callback``), so several apps can be built in one process one after another;
* the context is whatever the pages need that is the same for every user: loaded
  results, data tables, model paths. It is read-only after :func:`create_app`.
  Anything that differs between browser sessions (selections, uploaded tables,
  form values) lives in the browser, in components and ``dcc.Store``.

:func:`create_app` builds a ``dash.Dash`` with ``use_pages=True``, registers the pages
in the order given, ships the package's CSS (no external fonts or CDNs: Dash serves its
JavaScript from the installed packages), limits request bodies (uploads) and adds
basic security headers. Serve it with :func:`spacekit.dashboard.server.serve`
(waitress, 127.0.0.1) or expose ``app.server`` to another WSGI server.

The HST/JWST dashboards are built by :func:`spacekit.dashboard.create_dashboard`; the
model explorer reuses this factory with its own page set in
:mod:`spacekit.dashboard.explorer`.

Examples
--------
A minimal page set (a module object works as well as a dotted name)::

    import types
    from dash import html
    from spacekit.dashboard.app import create_app

    page = types.ModuleType("mypkg.hello")
    page.PATH, page.NAME, page.ORDER = "/", "Hello", 0
    page.layout = lambda ctx, **query: html.H2(f"Hello {ctx}")
    app = create_app([page], context="world", title="demo")
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from spacekit._optional import require
from spacekit.exceptions import InputError

__all__ = ["create_app", "ASSETS_DIR", "page_modules", "request_limit"]

log = logging.getLogger(__name__)

#: CSS shipped with the package and served by every dashboard.
ASSETS_DIR = Path(__file__).with_name("assets")


def page_modules(pages: Sequence[str | ModuleType]) -> list[ModuleType]:
    """Import page modules given by dotted name; check each defines the page API."""
    mods = []
    for page in pages:
        mod = importlib.import_module(page) if isinstance(page, str) else page
        missing = [a for a in ("PATH", "NAME", "layout") if not hasattr(mod, a)]
        if missing:
            raise InputError(
                f"Page module {mod.__name__} lacks {missing}; a page defines PATH, NAME, "
                "layout(ctx, **query) and optionally ORDER and register_callbacks(app, ctx)."
            )
        mods.append(mod)
    paths = [m.PATH for m in mods]
    if len(set(paths)) != len(paths):
        raise InputError(f"Two pages share a path: {paths}.")
    return mods


def request_limit(max_upload_mb: float) -> int:
    """Largest request body (bytes) for files of ``max_upload_mb``: base64 + 1 MB."""
    return int(max_upload_mb * 1e6 * 4 / 3) + 1_000_000


def _layout_for(mod: ModuleType, context: Any):
    def layout(**query):
        return mod.layout(context, **query)

    layout.__name__ = f"{mod.__name__.rsplit('.', 1)[-1]}_layout"
    return layout


def _short(mod: ModuleType) -> str:
    return mod.__name__.rsplit(".", 1)[-1]


def _shell(title: str, subtitle: str | None, mods: list[ModuleType]):
    import dash
    from dash import dcc, html

    links = [
        dcc.Link(
            m.NAME, href=m.PATH, className="sk-nav-link", id=f"nav-{m.__name__.split('.')[-1]}"
        )
        for m in mods
    ]
    header = html.Header(
        [
            html.Div(
                [
                    html.Span(title, className="sk-title"),
                    # shown whole (it wraps); the tooltip repeats it for copying
                    html.Span(subtitle or "", className="sk-sub", title=subtitle or None),
                ],
                className="sk-brand",
            ),
            html.Nav(links, className="sk-nav"),
        ],
        className="sk-header",
    )
    return html.Div(
        [header, html.Main(dash.page_container, className="sk-main")], className="sk-app"
    )


def create_app(
    pages: Sequence[str | ModuleType],
    context: Any = None,
    *,
    title: str = "spacekit dashboard",
    subtitle: str | None = None,
    max_upload_mb: float = 20.0,
    assets_folder: str | Path | None = None,
):
    """Build a multi-page Dash app from page modules and a shared read-only context.

    Parameters
    ----------
    pages : sequence of str or module
        Page modules (dotted names or module objects) in navigation order; see the
        module docstring for the page API.
    context : object, optional
        Passed to every ``layout(ctx, **query)`` and ``register_callbacks(app, ctx)``.
        Stored as ``app.spacekit_context``.
    title : str, default="spacekit dashboard"
        Browser tab title and header.
    subtitle : str, optional
        Shown beside the title (e.g. what data is loaded).
    max_upload_mb : float, default=20.0
        Largest uploaded file (MB). Uploads arrive base64-encoded inside a callback
        request, so the server refuses request bodies larger than
        :func:`request_limit` bytes (413) before reading them.
    assets_folder : path-like, optional
        CSS/JS/images to serve (default: the package's own ``assets``).

    Returns
    -------
    dash.Dash
        ``app.server`` is the Flask WSGI application.

    Notes
    -----
    Dash keeps one page registry per process: building an app replaces the pages of
    any app built before it in the same process. Serve one app per process.
    """
    dash = require("dash", "dashboards")
    if max_upload_mb <= 0:
        raise InputError(f"max_upload_mb must be positive; received {max_upload_mb}.")
    mods = page_modules(pages)
    assets = Path(assets_folder) if assets_folder is not None else ASSETS_DIR
    app = dash.Dash(
        "spacekit.dashboard",
        use_pages=True,
        pages_folder="",
        assets_folder=str(assets),
        title=title,
        update_title=None,
        suppress_callback_exceptions=True,
        serve_locally=True,
    )
    dash.page_registry.clear()
    for i, mod in enumerate(sorted(mods, key=lambda m: getattr(m, "ORDER", 0))):
        dash.register_page(
            mod.__name__,
            path=mod.PATH,
            name=mod.NAME,
            title=f"{mod.NAME} - {title}",
            order=getattr(mod, "ORDER", i),
            description=getattr(mod, "DESCRIPTION", ""),
            layout=_layout_for(mod, context),
        )
    app.layout = _shell(title, subtitle, mods)
    for mod in mods:
        register = getattr(mod, "register_callbacks", None)
        if register is not None:
            register(app, context)
    server = app.server
    server.config["MAX_CONTENT_LENGTH"] = request_limit(max_upload_mb)

    @server.after_request
    def _security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    app.spacekit_context = context
    app.spacekit_max_upload_mb = float(max_upload_mb)
    return app
