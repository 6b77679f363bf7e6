"""The live training dashboard: a small web server with push updates and a REST API.

:class:`DashboardServer` is the entry point. The other names are the pieces it is built
from, public so that scripts and other dashboards can reuse them:

- :mod:`~spacekit.visualization.server.store`: :class:`MetricStore`, the thread-safe
  metric history with push subscribers, and :func:`validate_metrics` /
  :func:`check_name`, the checks every metric record passes;
- :mod:`~spacekit.visualization.server.history`: :func:`read_history`,
  :func:`write_history` and :class:`HistoryFollower` for ``spacekit-training-history``
  JSON files;
- :mod:`~spacekit.visualization.server.report`: :func:`build_report_html` and
  :func:`write_report`, a self-contained HTML report of a history file;
- :mod:`~spacekit.visualization.server.httpd`: the HTTP server and request handler
  (standard library only).

Everything here uses the standard library only, so importing it is cheap.

Examples
--------
>>> from spacekit.visualization.server import DashboardServer
>>> server = DashboardServer(port=0)
>>> server.running
False
>>> server.update_metrics(epoch=1, loss=0.5)["metrics"]
{'loss': 0.5}
"""

from spacekit.visualization.server.dashboard import DashboardServer
from spacekit.visualization.server.history import (
    HistoryFollower,
    read_history,
    records_to_history,
    write_history,
)
from spacekit.visualization.server.report import build_report_html, write_report
from spacekit.visualization.server.store import MetricStore, check_name, validate_metrics

__all__ = [
    "DashboardServer",
    "MetricStore",
    "validate_metrics",
    "check_name",
    "read_history",
    "write_history",
    "records_to_history",
    "HistoryFollower",
    "build_report_html",
    "write_report",
]
