"""HTTP layer of the live server: routes, REST API, Server-Sent Events and static files.

Built on the standard library's :class:`http.server.ThreadingHTTPServer`, so the server
runs with the core install, needs no terminal, and its ``shutdown``/``server_close``
really stop it and free the port.
"""

from __future__ import annotations

import gzip
import json
import logging
import select
import socket
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from spacekit._json import loads_bounded
from spacekit._version import __version__
from spacekit.exceptions import InputError
from spacekit.visualization.server.hosts import host_allowed, is_loopback_address
from spacekit.visualization.server.store import MetricStore, validate_metrics

__all__ = ["DashboardHTTPServer", "DashboardRequestHandler", "static_file", "plotly_js_path"]

log = logging.getLogger(__name__)

#: Seconds between keep-alive comments on an idle push connection.
SSE_KEEPALIVE = 15.0
#: Most simultaneous push connections (open pages); more get HTTP 503.
MAX_STREAMS = 64
#: Deepest JSON nesting accepted in a POST body (a metric record is one flat object).
MAX_BODY_DEPTH = 4
#: Largest refused body that is read and dropped before answering 413.
DRAIN_LIMIT = 16 * 1024 * 1024

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'none'"
)

_STATIC = {
    "app.js": "application/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
}


def plotly_js_path() -> Path:
    """Return the ``plotly.min.js`` shipped inside the installed ``plotly`` package."""
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not path.is_file():
        raise FileNotFoundError(
            f"plotly.min.js not found at {path}; reinstall plotly (pip install plotly)."
        )
    return path


def static_file(name: str) -> bytes:
    """Return the bytes of one of the page's packaged files (``index.html``, ``app.js``...)."""
    return resources.files("spacekit.visualization").joinpath("_static", name).read_bytes()


class _Cache:
    """Static bodies read once (and gzip-compressed once) per process."""

    _lock = threading.Lock()
    _data: dict[str, tuple[bytes, bytes]] = {}

    @classmethod
    def get(cls, name: str) -> tuple[bytes, bytes]:
        with cls._lock:
            if name not in cls._data:
                raw = (
                    plotly_js_path().read_bytes() if name == "plotly.min.js" else static_file(name)
                )
                cls._data[name] = (raw, gzip.compress(raw, compresslevel=6))
            return cls._data[name]


class DashboardHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server that knows its store and limits.

    Parameters
    ----------
    address : tuple of (str, int)
        Host and port to bind (port 0 picks a free one).
    store : MetricStore
        The history served and appended to.
    max_body_bytes : int
        Largest accepted POST body; larger ones get 413.
    allowed_hosts : frozenset of str, optional
        Host names answered besides the loopback ones (:mod:`.hosts`). When the server is
        bound to a loopback address, or names are given, other ``Host`` headers get 403.
    """

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        store: MetricStore,
        max_body_bytes: int,
        allowed_hosts: frozenset[str] = frozenset(),
    ):
        self.store = store
        self.max_body_bytes = max_body_bytes
        self.allowed_hosts = allowed_hosts
        self.stopping = threading.Event()
        host = address[0]
        if ":" in host:
            self.address_family = socket.AF_INET6
        self.loopback = is_loopback_address(host)
        super().__init__(address, DashboardRequestHandler)


class DashboardRequestHandler(BaseHTTPRequestHandler):
    """Routes: ``/``, ``/static/*``, ``/api/{history,latest,plots,stream,metrics}``,
    ``/healthz``."""

    server: DashboardHTTPServer
    server_version = f"spacekit/{__version__}"
    sys_version = ""
    timeout = 30

    # -- plumbing ------------------------------------------------------------------
    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, obj: Any, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(obj, allow_nan=False).encode("utf-8")
        extra = {"Cache-Control": "no-store", **(headers or {})}
        self._send(status, body, "application/json", extra)

    def _error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        self._json(status, {"error": HTTPStatus(status).phrase, "message": message}, headers)

    def _host_ok(self) -> bool:
        """The DNS-rebinding guard (:mod:`spacekit.visualization.server.hosts`)."""
        if not (self.server.loopback or self.server.allowed_hosts):
            return True
        host = self.headers.get("Host")
        if host_allowed(host, self.server.allowed_hosts):
            return True
        extra = sorted(self.server.allowed_hosts)
        self._error(
            HTTPStatus.FORBIDDEN,
            f"Host header {str(host or '')[:100]!r} is not answered: this server answers "
            f"localhost, 127.x.x.x and [::1]{' and ' + ', '.join(extra) if extra else ''} "
            "(add a name with allowed_hosts / --allow-host).",
        )
        return False

    # -- methods -------------------------------------------------------------------
    def do_GET(self) -> None:
        if not self._host_ok():
            return
        url = urlsplit(self.path)
        route = url.path
        if route in ("/", "/index.html"):
            self._static("index.html", "text/html; charset=utf-8", csp=True)
        elif route.startswith("/static/"):
            name = route[len("/static/") :]
            if name == "plotly.min.js":
                self._static(name, "application/javascript; charset=utf-8", cache=True)
            elif name in _STATIC:
                self._static(name, _STATIC[name])
            else:
                self._error(HTTPStatus.NOT_FOUND, f"no static file {name!r}.")
        elif route == "/favicon.ico":
            self._send(HTTPStatus.NO_CONTENT, b"", "image/x-icon")
        elif route == "/api/history":
            self._history(parse_qs(url.query))
        elif route == "/api/latest":
            self._json(HTTPStatus.OK, self.server.store.latest())
        elif route == "/api/plots":
            self._json(HTTPStatus.OK, {"plots": self.server.store.plots()})
        elif route == "/api/stream":
            self._stream()
        elif route == "/healthz":
            self._json(
                HTTPStatus.OK,
                {
                    "status": "ok",
                    "version": __version__,
                    "records": len(self.server.store),
                    "subscribers": self.server.store.n_subscribers,
                },
            )
        else:
            self._error(HTTPStatus.NOT_FOUND, f"no route {route!r}; see /healthz and /api/*.")

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_POST(self) -> None:
        if not self._host_ok():
            return
        route = urlsplit(self.path).path
        if route != "/api/metrics":
            self._error(HTTPStatus.NOT_FOUND, f"no POST route {route!r}; POST to /api/metrics.")
            return
        self._post_metrics()

    def _not_allowed(self) -> None:
        self._error(
            HTTPStatus.METHOD_NOT_ALLOWED,
            f"{self.command} is not supported; use GET, or POST /api/metrics.",
            {"Allow": "GET, HEAD, POST"},
        )

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _not_allowed

    # -- routes --------------------------------------------------------------------
    def _static(self, name: str, content_type: str, csp: bool = False, cache: bool = False):
        raw, packed = _Cache.get(name)
        headers = {"Cache-Control": "max-age=86400" if cache else "no-cache"}
        if csp:
            headers["Content-Security-Policy"] = CSP
        body = raw
        if "gzip" in (self.headers.get("Accept-Encoding") or "") and len(raw) > 1024:
            body = packed
            headers["Content-Encoding"] = "gzip"
            headers["Vary"] = "Accept-Encoding"
        self._send(HTTPStatus.OK, body, content_type, headers)

    def _history(self, query: dict[str, list[str]]) -> None:
        since = None
        if "since" in query:
            try:
                since = int(query["since"][0])
            except ValueError:
                self._error(
                    HTTPStatus.BAD_REQUEST,
                    f"since must be an integer record number; received {query['since'][0]!r}.",
                )
                return
        records = self.server.store.records(since)
        self._json(HTTPStatus.OK, {"count": len(records), "records": records})

    def _post_metrics(self) -> None:
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/json":
            self._error(
                HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                f"Content-Type must be application/json; received {ctype or 'none'!r}.",
            )
            return
        if self.headers.get("Transfer-Encoding"):
            self._error(
                HTTPStatus.LENGTH_REQUIRED,
                "send a Content-Length; chunked bodies are not accepted.",
            )
            return
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self._error(HTTPStatus.LENGTH_REQUIRED, "a Content-Length header is required.")
            return
        if length > self.server.max_body_bytes or length < 0:
            self.close_connection = True
            self._drain(length)
            self._error(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"body of {length} bytes exceeds the limit of {self.server.max_body_bytes}.",
            )
            return
        raw = self.rfile.read(length)
        try:
            # bounded nesting: "[" * 100_000 is a 400, not a RecursionError
            payload = loads_bounded(raw, "the request body", MAX_BODY_DEPTH, InputError)
        except InputError as exc:
            self._error(HTTPStatus.BAD_REQUEST, f"{exc} Send a JSON object of name: number.")
            return
        try:
            epoch, step, metrics = validate_metrics(payload, strict=True)
            record = self.server.store.add(epoch, step, metrics, source="rest")
        except InputError as exc:
            self._error(HTTPStatus.BAD_REQUEST, str(exc))
            return
        self._json(HTTPStatus.CREATED, {"ok": True, "seq": record["seq"]})

    def _drain(self, length: int) -> None:
        # Read (and drop) a refused body of moderate size so the client sees the 413
        # instead of a connection reset; very large bodies are cut off.
        remaining = min(max(length, 0), DRAIN_LIMIT)
        try:
            while remaining > 0:
                chunk = self.rfile.read(min(remaining, 65536))
                if not chunk:
                    break
                remaining -= len(chunk)
        except OSError:
            pass

    def _client_gone(self) -> bool:
        """True if the client closed a push connection (checked without blocking).

        A browser never sends anything on an event stream after its request, so a
        readable socket means the peer closed it (or sent garbage): the slot is freed
        within half a second instead of at the next keep-alive write.
        """
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            if not readable:
                return False
            return not self.connection.recv(1, socket.MSG_PEEK)
        except (OSError, ValueError):
            return True

    def _stream(self) -> None:
        """Server-Sent Events: the full history first, then every update as it happens."""
        if self.command == "HEAD":
            self._send(HTTPStatus.OK, b"", "text/event-stream; charset=utf-8")
            return
        store = self.server.store
        if store.n_subscribers >= MAX_STREAMS:
            self._error(
                HTTPStatus.SERVICE_UNAVAILABLE,
                f"too many open dashboard pages ({MAX_STREAMS}); close some and reload.",
                {"Retry-After": "5"},
            )
            return
        sub = store.subscribe()
        self.close_connection = True
        try:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Accel-Buffering", "no")
            self.end_headers()
            self.wfile.write(b"retry: 1000\n\n")
            self.wfile.flush()
            last = time.monotonic()
            while not self.server.stopping.is_set():
                event = sub.get(timeout=0.5)
                if event is None:
                    break
                kind, data = event
                if kind:
                    chunk = f"event: {kind}\ndata: {data}\n\n"
                elif self._client_gone():
                    log.debug("push connection from %s closed", self.address_string())
                    break
                elif time.monotonic() - last > SSE_KEEPALIVE:
                    chunk = ": keep-alive\n\n"
                else:
                    continue
                self.wfile.write(chunk.encode("utf-8"))
                self.wfile.flush()
                last = time.monotonic()
        except (BrokenPipeError, ConnectionResetError, TimeoutError, OSError) as exc:
            log.debug("push connection from %s ended: %s", self.address_string(), exc)
        finally:
            store.unsubscribe(sub)
