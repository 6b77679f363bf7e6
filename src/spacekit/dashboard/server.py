"""Serve a Dash app with a production WSGI server (waitress), safely by default.

* Bound to ``127.0.0.1`` unless a host is passed (the dashboards have no
  authentication; use an SSH port-forward to watch from another machine).
* Debug mode (Flask's reloader and Dash's dev tools) only when asked, and then on the
  development server, never on a network address without a warning.
* A port that is already in use is reported before anything starts.
* On a loopback address, requests whose ``Host`` header does not name this machine
  (``localhost``, ``127.x.y.z``, ``[::1]``, or a name you allow) are refused with 403:
  a web page elsewhere cannot reach the dashboard through DNS rebinding. The rules are
  those of the live training server (:mod:`spacekit.visualization.server.hosts`).

:func:`serve` blocks (the CLI); :func:`start_server` runs in a background thread and
returns a handle with the URL and ``stop()`` (notebooks, tests, the model explorer).
"""

from __future__ import annotations

import errno
import logging
import socket
import threading
from dataclasses import dataclass, field
from typing import Any

from spacekit._optional import require
from spacekit.exceptions import InputError

__all__ = ["serve", "start_server", "RunningServer", "check_port", "HostGuard"]

log = logging.getLogger(__name__)

LOCALHOST = "127.0.0.1"


def _check_address(host: str, port: int) -> None:
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise InputError(f"port must be an integer from 0 to 65535; received {port!r}.")
    if not isinstance(host, str) or not host:
        raise InputError(f"host must be a host name or address; received {host!r}.")


def check_port(host: str, port: int) -> None:
    """Raise :class:`~spacekit.exceptions.InputError` if ``host:port`` cannot be bound.

    Port 0 (any free port) is always accepted.
    """
    _check_address(host, port)
    if port == 0:
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                raise InputError(
                    f"Port {port} on {host} is already in use (or not permitted); "
                    f"pass another one, e.g. --port {port + 1}, or --port 0 for any free port."
                ) from exc
            raise InputError(f"Cannot listen on {host}:{port}: {exc.strerror or exc}") from exc


def _warn_public(host: str) -> None:
    if host not in (LOCALHOST, "localhost", "::1"):
        log.warning(
            "serving on %s: anyone who can reach this address can use the dashboard "
            "(it has no authentication)",
            host,
        )


class HostGuard:
    """WSGI middleware answering only requests whose ``Host`` names this machine.

    Parameters
    ----------
    app : WSGI callable
    allowed_hosts : iterable of str, optional
        Extra host names to accept (e.g. ``mybox.local``).
    """

    def __init__(self, app, allowed_hosts=None):
        from spacekit.visualization.server.hosts import normalise_names

        self.app = app
        try:
            self.allowed = normalise_names(allowed_hosts)
        except ValueError as exc:
            raise InputError(str(exc)) from exc

    def __call__(self, environ, start_response):
        from spacekit.visualization.server.hosts import host_allowed

        if host_allowed(environ.get("HTTP_HOST"), self.allowed):
            return self.app(environ, start_response)
        body = b"Host not allowed (the dashboard answers only to this machine's names).\n"
        start_response(
            "403 Forbidden",
            [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))],
        )
        return [body]


def _guarded_wsgi(app, host: str, allowed_hosts):
    """The WSGI callable to serve: behind a :class:`HostGuard` on loopback addresses."""
    from spacekit.visualization.server.hosts import is_loopback_address

    wsgi = getattr(app, "server", app)
    if is_loopback_address(host):
        return HostGuard(wsgi, allowed_hosts)
    return wsgi


@dataclass
class RunningServer:
    """A dashboard served from a background thread (see :func:`start_server`).

    Attributes
    ----------
    url : str
        ``http://host:port/``.
    host : str
    port : int
        The bound port (the real one when 0 was asked).
    """

    url: str
    host: str
    port: int
    _server: Any = field(repr=False)
    _thread: threading.Thread = field(repr=False)
    _stop: threading.Event = field(repr=False)

    @property
    def running(self) -> bool:
        """True while the server thread is alive."""
        return self._thread.is_alive()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving (the socket and open connections close) and wait for the thread."""
        self._stop.set()
        self._thread.join(timeout)

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def _create_waitress(app, host: str, port: int, threads: int, allowed_hosts=None):
    waitress_server = require("waitress.server", "serving dashboards")
    wsgi = _guarded_wsgi(app, host, allowed_hosts)
    try:
        return waitress_server.create_server(
            wsgi, host=host, port=port, threads=threads, clear_untrusted_proxy_headers=True
        )
    except OSError as exc:
        raise InputError(
            f"Cannot listen on {host}:{port}: {exc.strerror or exc}. Pass another --port."
        ) from exc


def start_server(
    app, host: str = LOCALHOST, port: int = 0, threads: int = 4, allowed_hosts=None
) -> RunningServer:
    """Serve ``app`` (a Dash app or WSGI callable) with waitress in a background thread.

    Parameters
    ----------
    app : dash.Dash or WSGI callable
    host : str, default="127.0.0.1"
    port : int, default=0
        0 picks a free port (read it from the returned handle).
    threads : int, default=4
        Worker threads.
    allowed_hosts : iterable of str, optional
        Host names accepted besides this machine's loopback names.

    Returns
    -------
    RunningServer
        Call ``stop()`` (or use it as a context manager) to shut it down.
    """
    check_port(host, port)
    _warn_public(host)
    server = _create_waitress(app, host, port, threads, allowed_hosts)
    bound = int(server.effective_port)
    shown = f"[{host}]" if ":" in host else host
    stop = threading.Event()
    thread = threading.Thread(
        target=_serve_until, args=(server, stop), name="spacekit-dashboard", daemon=True
    )
    thread.start()
    return RunningServer(f"http://{shown}:{bound}/", host, bound, server, thread, stop)


def _serve_until(server, stop: threading.Event) -> None:
    """Run waitress' event loop until ``stop`` is set, then close everything here.

    Closing from the loop's own thread avoids racing ``select`` on closed sockets.
    """
    try:
        while not stop.is_set() and server._map:
            server.asyncore.loop(timeout=0.2, map=server._map, count=1)
    finally:
        for channel in list(server._map.values()):
            try:
                channel.close()
            except OSError:  # the peer closed it already
                pass
        server.task_dispatcher.shutdown(cancel_pending=True, timeout=5)


def serve(
    app,
    host: str = LOCALHOST,
    port: int = 8050,
    debug: bool = False,
    threads: int = 4,
    on_start=None,
    allowed_hosts=None,
) -> None:
    """Serve ``app`` until interrupted (Ctrl-C).

    Parameters
    ----------
    app : dash.Dash
    host : str, default="127.0.0.1"
    port : int, default=8050
    debug : bool, default=False
        Run Dash's development server with dev tools and the reloader off. Only for
        development on your own machine.
    threads : int, default=4
        waitress worker threads (production mode).
    on_start : callable, optional
        Called with the URL once the socket is bound (the CLI prints it).
    allowed_hosts : iterable of str, optional
        Host names accepted besides this machine's loopback names.
    """
    check_port(host, port)
    _warn_public(host)
    if debug:
        log.warning("debug mode: Dash dev tools are on; do not expose this server")
        if on_start:
            on_start(f"http://{host}:{port}/")
        from spacekit.visualization.server.hosts import is_loopback_address

        if is_loopback_address(host):
            app.server.wsgi_app = HostGuard(app.server.wsgi_app, allowed_hosts)
        app.run(host=host, port=port, debug=True, use_reloader=False)
        return
    server = _create_waitress(app, host, port, threads, allowed_hosts)
    if on_start:
        on_start(f"http://{host}:{server.effective_port}/")
    try:
        server.run()
    finally:
        server.close()
