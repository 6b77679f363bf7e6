"""A live training dashboard served over HTTP: push updates, full history, REST API.

:class:`DashboardServer` runs a small web server (standard library only) in a
background thread. A browser on ``/`` sees every metric received so far and then each
new one within a fraction of a second (Server-Sent Events, no page reloads). Metrics
come from Python (:meth:`DashboardServer.update_metrics`), from any process over HTTP
(``POST /api/metrics``) or from a ``TrainingDashboard`` history file written by another
process (:meth:`DashboardServer.follow`).
"""

from __future__ import annotations

import errno
import json
import logging
import os
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from spacekit.exceptions import InputError
from spacekit.visualization._export import output_dir
from spacekit.visualization.server.history import (
    HistoryFollower,
    records_to_history,
    write_history,
)
from spacekit.visualization.server.hosts import normalise_names
from spacekit.visualization.server.store import (
    MAX_RECORDS,
    MetricStore,
    check_name,
    validate_metrics,
)

__all__ = ["DashboardServer"]

log = logging.getLogger(__name__)

#: Largest JSON size of one figure passed to :meth:`DashboardServer.update_plots`.
MAX_PLOT_BYTES = 5_000_000

#: Ports tried after the default one is taken, before any free port.
PORT_RETRIES = 20


class _DefaultPort(int):
    """The default port: an ``int`` that remembers it was not chosen by the user."""

    __slots__ = ()


DEFAULT_PORT = _DefaultPort(5000)


def _figure_to_json(name: str, figure: Any) -> dict:
    """Turn a plotly figure, a figure dict or an ``{"x", "y"}`` series into plain JSON."""
    import plotly.io as pio

    check_name(name, "plot name")
    if hasattr(figure, "to_plotly_json"):
        obj: Any = figure
    elif isinstance(figure, Mapping) and "data" in figure:
        obj = {"data": list(figure["data"]), "layout": dict(figure.get("layout") or {})}
    elif isinstance(figure, Mapping) and "y" in figure:
        trace = {"type": "scatter", "mode": "lines", "name": name, "y": figure["y"]}
        if "x" in figure:
            trace["x"] = figure["x"]
        obj = {"data": [trace], "layout": {"title": {"text": name}}}
    else:
        raise InputError(
            f"plot {name!r} must be a plotly Figure, a dict with 'data' (and 'layout') or a "
            f"dict with 'y' (and 'x'); received {type(figure).__name__}."
        )
    text = pio.to_json(obj, validate=False)
    if len(text) > MAX_PLOT_BYTES:
        raise InputError(
            f"plot {name!r} is {len(text)} bytes as JSON; the limit is {MAX_PLOT_BYTES}. "
            "Downsample the data before sending it."
        )
    return json.loads(text)


class DashboardServer:
    """Serve a live training dashboard and a small REST API from a background thread.

    Parameters
    ----------
    host : str, default="127.0.0.1"
        Address to bind. The default is only reachable from this machine; to watch
        from elsewhere use an SSH port-forward rather than binding ``0.0.0.0`` (the
        server has no authentication).
    port : int, default=5000
        TCP port; 0 picks a free one (see :attr:`url` after :meth:`start`). When the
        default is left and 5000 is taken, the next free port up to 5020 is used (then
        any free port) and logged; a port you pass yourself must be free.
    save_dir : str or path-like, optional
        Root of the output tree (as for the other visualizers): if given, :meth:`stop`
        writes ``<save_dir>/server/server_history.json`` (a training-history file) and
        ``server_plots.json`` beside it. Nothing is written when it is None.
    max_body_bytes : int, default=1_000_000
        Largest accepted ``POST /api/metrics`` body; larger ones get HTTP 413.
    allowed_hosts : iterable of str, optional
        Host names the server answers besides ``localhost``, ``127.x.x.x`` and ``[::1]``
        (e.g. the machine's name when it is bound to a LAN address). Requests with any
        other ``Host`` header get HTTP 403 (the guard against DNS rebinding; see
        :mod:`spacekit.visualization.server.hosts`). Without names, a server bound to a
        non-loopback address answers every host.
    max_records : int, default=MAX_RECORDS
        Most metric records kept; when more arrive, the oldest batch records are dropped
        first, then the oldest epoch records (:class:`MetricStore`).

    Examples
    --------
    >>> from spacekit.visualization import DashboardServer
    >>> with DashboardServer() as server:
    ...     _ = server.update_metrics(epoch=1, loss=0.5, val_loss=0.6)
    ...     server.latest()["values"]["loss"]
    0.5
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = DEFAULT_PORT,
        save_dir: str | os.PathLike | None = None,
        max_body_bytes: int = 1_000_000,
        allowed_hosts: Iterable[str] | None = None,
        max_records: int = MAX_RECORDS,
    ) -> None:
        if not isinstance(host, str) or not host:
            raise InputError(f"host must be a non-empty string; received {host!r}.")
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise InputError(f"port must be an integer from 0 to 65535; received {port!r}.")
        if isinstance(max_body_bytes, bool) or not isinstance(max_body_bytes, int):
            raise InputError(f"max_body_bytes must be an integer; received {max_body_bytes!r}.")
        if max_body_bytes < 1:
            raise InputError(f"max_body_bytes must be positive; received {max_body_bytes}.")
        try:
            self.allowed_hosts = normalise_names(
                [allowed_hosts] if isinstance(allowed_hosts, str) else allowed_hosts
            )
        except ValueError as exc:
            raise InputError(str(exc)) from exc
        self.host = host
        self.port = port
        self.save_dir = save_dir
        self.max_body_bytes = max_body_bytes
        self._store = MetricStore(max_records=max_records)
        self._lock = threading.Lock()
        self._httpd = None
        self._thread: threading.Thread | None = None
        self._follower: HistoryFollower | None = None
        self._skipped: set[str] = set()

    # -- life cycle ----------------------------------------------------------------
    @property
    def running(self) -> bool:
        """True while the web server thread is serving."""
        return self._thread is not None and self._thread.is_alive()

    @property
    def url(self) -> str | None:
        """``http://host:port/`` of the running server (None when stopped)."""
        if self._httpd is None:
            return None
        host, port = self._httpd.server_address[:2]
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{port}/"

    def start(self, blocking: bool = False) -> str:
        """Start serving and return the URL.

        Parameters
        ----------
        blocking : bool, default=False
            If False, serve from a daemon thread and return at once. If True, serve
            until :meth:`stop` is called from another thread or Ctrl-C is pressed, then
            stop cleanly and return.

        Returns
        -------
        str
            The page's URL, e.g. ``http://127.0.0.1:8050/``.

        Raises
        ------
        InputError
            If the address cannot be bound (port in use, unknown host).
        """
        from spacekit.visualization.server.httpd import DashboardHTTPServer

        with self._lock:
            if self.running:
                return self.url
            ports = [int(self.port)]
            if self.port is DEFAULT_PORT:
                ports += [*range(int(self.port) + 1, int(self.port) + PORT_RETRIES + 1), 0]
            for i, port in enumerate(ports):
                try:
                    httpd = DashboardHTTPServer(
                        (self.host, port), self._store, self.max_body_bytes, self.allowed_hosts
                    )
                    break
                except OSError as exc:
                    if exc.errno == errno.EADDRINUSE and i + 1 < len(ports):
                        continue
                    raise InputError(
                        f"cannot serve on {self.host}:{port} ({exc}). Choose another port, "
                        "or port=0 for a free one."
                    ) from exc
            if ports[i] != ports[0]:
                log.info("port %d is in use; serving on the next free port", ports[0])
            self._httpd = httpd
            self._thread = threading.Thread(
                target=httpd.serve_forever,
                kwargs={"poll_interval": 0.2},
                name=f"spacekit-dashboard-{httpd.server_address[1]}",
                daemon=True,
            )
            self._thread.start()
        if not httpd.loopback:
            log.warning(
                "dashboard server bound to %s: anyone who can reach this address can read "
                "the metrics and post new ones (there is no authentication)",
                self.host,
            )
        log.info("dashboard server listening on %s", self.url)
        url = self.url
        if blocking:
            try:
                while self.running:
                    self._thread.join(0.2)
            except KeyboardInterrupt:
                log.info("interrupted; stopping the dashboard server")
            finally:
                self.stop()
        return url

    def stop(self, timeout: float = 5.0) -> None:
        """Stop serving, close every connection, free the port and stop following.

        Safe to call more than once. Writes the history to ``save_dir`` if one was given.
        """
        with self._lock:
            follower, self._follower = self._follower, None
            httpd, self._httpd = self._httpd, None
            thread, self._thread = self._thread, None
        if follower is not None:
            follower.stop(timeout)
        if httpd is not None:
            httpd.stopping.set()
            self._store.close_subscribers()
            httpd.shutdown()
            httpd.server_close()
            if thread is not None:
                thread.join(timeout)
            log.info("dashboard server stopped")
        if self.save_dir is not None and len(self._store):
            self.save_history()

    def __enter__(self) -> DashboardServer:
        self.start()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"running at {self.url}" if self.running else "stopped"
        return f"<DashboardServer {state}, {len(self._store)} records>"

    # -- data ----------------------------------------------------------------------
    def update_metrics(self, **metrics: Any) -> dict[str, Any]:
        """Record metric values and push them to every open page.

        Parameters
        ----------
        **metrics
            ``name=value`` pairs (numbers or None; NaN and inf are stored as null).
            ``epoch`` and ``step`` are optional integers: records with a ``step`` are
            drawn on the batch chart, the others on the epoch charts.

        Returns
        -------
        dict
            The stored record (``seq``, ``time``, ``epoch``, ``step``, ``metrics``).

        Raises
        ------
        InputError
            If a name is not a safe string of at most 100 characters or a value is
            not a number.
        """
        epoch, step, values = validate_metrics(metrics, strict=False)
        return self._store.add(epoch, step, values, source="python")

    def update_plots(self, plot_data: Mapping[str, Any]) -> None:
        """Show (or replace) named figures below the metric charts.

        Parameters
        ----------
        plot_data : mapping of str to figure
            Each value is a plotly ``Figure``, a dict with ``data`` (and ``layout``), or
            a dict with ``y`` (and ``x``) drawn as one line.
        """
        if not isinstance(plot_data, Mapping):
            raise InputError(
                f"plot_data must be a mapping of name to figure; received "
                f"{type(plot_data).__name__}."
            )
        self._store.set_plots({name: _figure_to_json(name, fig) for name, fig in plot_data.items()})

    def history(self) -> list[dict[str, Any]]:
        """Return every record received so far (what ``GET /api/history`` returns)."""
        return self._store.records()

    def latest(self) -> dict[str, Any]:
        """Return the last record and the latest value of each metric."""
        return self._store.latest()

    @property
    def run(self) -> str | None:
        """Name of the current run (set by a followed history file), or None."""
        return self._store.run

    def clear(self) -> None:
        """Forget all records and plots; open pages are cleared too."""
        self._store.reset()

    def save_history(self, path: str | os.PathLike | None = None) -> Path:
        """Write the records as a training-history JSON (atomically) and return the path.

        Parameters
        ----------
        path : str or path-like, optional
            Destination; defaults to ``<save_dir>/server/server_history.json``. The figures from
            :meth:`update_plots` go to ``server_plots.json`` beside it.
        """
        if path is None:
            if self.save_dir is None:
                raise InputError("no path given and the server has no save_dir.")
            path = output_dir(self.save_dir, "server") / "server_history.json"
        path = Path(path)
        snapshot = self._store.snapshot()
        write_history(path, records_to_history(snapshot["records"], snapshot["run"]))
        if snapshot["plots"]:
            write_history(path.with_name("server_plots.json"), {"plots": snapshot["plots"]})
        log.info("saved %d records to %s", len(snapshot["records"]), path)
        return path

    # -- following a file ----------------------------------------------------------
    def follow(self, history_path: str | os.PathLike, poll_interval: float = 0.5) -> None:
        """Show a training-history file written by another process, updating as it grows.

        The file (written by ``TrainingDashboard.save_history``) is read now if it
        exists, then checked every ``poll_interval`` seconds; new epochs and batches are
        pushed to open pages. The records already in the server are cleared first, and
        again whenever the file starts a new run. Any file followed before is dropped.

        Parameters
        ----------
        history_path : str or path-like
            The JSON history; it may not exist yet.
        poll_interval : float, default=0.5
            Seconds between checks.
        """
        follower = HistoryFollower(
            history_path, self._ingest_rows, self._store.reset, poll_interval=poll_interval
        )
        with self._lock:
            old, self._follower = self._follower, None
        if old is not None:
            old.stop()
        self._store.reset()
        follower.start()
        with self._lock:
            self._follower = follower
        log.info("following %s every %.2f s", history_path, poll_interval)

    def _ingest_rows(self, epoch_rows: list[tuple], batch_rows: list[tuple]) -> None:
        for epoch, step, row in batch_rows + epoch_rows:
            clean = {}
            for name, value in row.items():
                try:
                    clean[check_name(name)] = value
                except InputError as exc:
                    if name not in self._skipped:
                        self._skipped.add(name)
                        log.warning("skipping a metric from the history file: %s", exc)
            if clean:
                self._store.add(epoch, step, clean, source="file")
