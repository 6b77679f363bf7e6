"""Thread-safe metric history for the live server, with validation and push subscribers.

The store keeps the metric records it receives, the latest figures sent with
:meth:`MetricStore.set_plots`, and a set of subscribers (one per open Server-Sent-Events
connection). A subscriber is registered and handed a full snapshot under the same lock,
so a browser that joins mid-run sees the whole history and then every later update
exactly once.

The history is bounded, so a server left running for weeks (or fed by a misbehaving
client) keeps a bounded memory: at most ``max_records`` records (default
:data:`MAX_RECORDS`) and :data:`MAX_VALUES` metric values. When a limit is passed, the
oldest batch-level records are dropped first (the epoch curves are kept whole as long as
possible), then the oldest epoch records, down to 80 % of the limit; open pages then get
the trimmed history. ``seq`` numbers keep increasing, so ``records(since=...)`` still
works across a trim.
"""

from __future__ import annotations

import bisect
import json
import logging
import math
import numbers
import queue
import re
import threading
import time
from collections.abc import Mapping
from typing import Any

from spacekit.exceptions import InputError

__all__ = [
    "MetricStore",
    "Subscriber",
    "validate_metrics",
    "check_name",
    "NAME_PATTERN",
    "MAX_NAME_LENGTH",
    "MAX_METRIC_NAMES",
    "MAX_RECORDS",
    "MAX_VALUES",
]

log = logging.getLogger(__name__)

#: Metric and plot names: a letter, digit or underscore, then letters, digits and ``_.-/:``.
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.:/\-]*$")
#: Longest accepted metric or plot name.
MAX_NAME_LENGTH = 100
#: Most distinct metric names one server accepts (keeps the page usable).
MAX_METRIC_NAMES = 256
#: Most metrics in one record.
MAX_METRICS_PER_RECORD = 200
#: Events a slow browser may fall behind by before it is disconnected (it then reconnects
#: and receives a fresh snapshot).
SUBSCRIBER_QUEUE_SIZE = 10_000
#: Default most records a store keeps (see the module docstring for what is dropped).
MAX_RECORDS = 200_000
#: Most metric values (over all records) a store keeps.
MAX_VALUES = 2_000_000
_KEEP = 0.8  # a trim drops down to this share of the limits

_RESERVED = ("epoch", "step")


def check_name(name: Any, what: str = "metric name") -> str:
    """Return ``name`` if it is a valid metric or plot name, else raise ``InputError``.

    A valid name is a string of 1 to :data:`MAX_NAME_LENGTH` characters matching
    :data:`NAME_PATTERN`; ``what`` names the thing in the error message.
    """
    if not isinstance(name, str):
        raise InputError(f"{what} must be a string; received {name!r} ({type(name).__name__}).")
    if not name or len(name) > MAX_NAME_LENGTH:
        raise InputError(
            f"{what} must have 1 to {MAX_NAME_LENGTH} characters; received {len(name)} "
            f"characters ({name[:40]!r}...)."
        )
    if not NAME_PATTERN.match(name):
        raise InputError(
            f"{what} {name!r} contains characters that are not allowed; use letters, digits "
            "and '_', '.', '-', '/', ':' (starting with a letter, digit or '_')."
        )
    return name


def _check_index(value: Any, key: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, numbers.Real) and float(value).is_integer():
            value = int(value)
        else:
            raise InputError(f"{key!r} must be a non-negative integer or null; received {value!r}.")
    value = int(value)
    if value < 0:
        raise InputError(f"{key!r} must be a non-negative integer or null; received {value}.")
    return value


def _check_value(name: str, value: Any, strict: bool) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InputError(
            f"metric {name!r} must be a number or null; received {value!r} "
            f"({type(value).__name__})."
        )
    value = float(value)
    if not math.isfinite(value):
        if strict:
            raise InputError(
                f"metric {name!r} must be a finite number or null; received {value!r}. "
                "Send null for a missing or non-finite value."
            )
        return None
    return value


def validate_metrics(
    payload: Mapping[str, Any], *, strict: bool = True
) -> tuple[int | None, int | None, dict[str, float | None]]:
    """Validate one metric record.

    Parameters
    ----------
    payload : mapping
        ``{"epoch": int|None, "step": int|None, name: number|None, ...}``. ``epoch`` and
        ``step`` are optional; every other key is a metric name.
    strict : bool, default=True
        If True, NaN and infinite values are rejected (the REST API); if False they are
        stored as null (the Python API, where a diverging loss can be NaN).

    Returns
    -------
    epoch : int or None
    step : int or None
    metrics : dict of str to float or None

    Raises
    ------
    InputError
        If a name or value is not acceptable; the message says which and why.
    """
    if not isinstance(payload, Mapping):
        raise InputError(
            f"metrics must be a JSON object of name: number; received {type(payload).__name__}."
        )
    epoch = _check_index(payload.get("epoch"), "epoch")
    step = _check_index(payload.get("step"), "step")
    metrics: dict[str, float | None] = {}
    for name, value in payload.items():
        if name in _RESERVED:
            continue
        metrics[check_name(name)] = _check_value(name, value, strict)
    if not metrics:
        raise InputError(
            "no metrics received; send at least one name: value pair, "
            'e.g. {"epoch": 1, "loss": 0.25}.'
        )
    if len(metrics) > MAX_METRICS_PER_RECORD:
        raise InputError(
            f"too many metrics in one record: {len(metrics)} (at most {MAX_METRICS_PER_RECORD})."
        )
    return epoch, step, metrics


class Subscriber:
    """One push connection: a bounded queue of pre-serialised events."""

    def __init__(self) -> None:
        self.queue: queue.Queue = queue.Queue(maxsize=SUBSCRIBER_QUEUE_SIZE)
        self.closed = threading.Event()

    def push(self, event: tuple[str, str] | None) -> None:
        """Queue an event (or ``None``, which ends the connection)."""
        try:
            self.queue.put_nowait(event)
        except queue.Full:
            log.warning("a browser fell %d events behind; disconnecting it", self.queue.qsize())
            self.closed.set()

    def get(self, timeout: float) -> tuple[str, str] | None:
        """Return the next event, ``("", "")`` on timeout or ``None`` when closed."""
        if self.closed.is_set():
            return None
        try:
            return self.queue.get(timeout=timeout)
        except queue.Empty:
            return ("", "")


class MetricStore:
    """Thread-safe, bounded metric history plus the latest plots.

    Parameters
    ----------
    max_metric_names : int, default=MAX_METRIC_NAMES
        Most distinct metric names accepted; more raise :class:`InputError`.
    max_records : int, default=MAX_RECORDS
        Most records kept (see the module docstring for what is dropped past it).
    max_values : int, default=MAX_VALUES
        Most metric values kept over all records.
    """

    def __init__(
        self,
        max_metric_names: int = MAX_METRIC_NAMES,
        max_records: int = MAX_RECORDS,
        max_values: int = MAX_VALUES,
    ) -> None:
        for name, value in (("max_records", max_records), ("max_values", max_values)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 10:
                raise InputError(f"{name} must be an integer >= 10; received {value!r}.")
        self.max_metric_names = max_metric_names
        self.max_records = max_records
        self.max_values = max_values
        self._lock = threading.Lock()
        self._records: list[dict[str, Any]] = []
        self._seqs: list[int] = []
        self._next_seq = 0
        self._n_values = 0
        self._latest: dict[str, float] = {}
        self._names: dict[str, None] = {}
        self._plots: dict[str, dict] = {}
        self._subscribers: set[Subscriber] = set()
        self._run: str | None = None
        self._version = 0
        self._snapshot_cache: tuple[int, str] | None = None
        self.dropped = 0

    # -- writing -------------------------------------------------------------------
    def add(
        self,
        epoch: int | None,
        step: int | None,
        metrics: dict[str, float | None],
        source: str = "python",
    ) -> dict[str, Any]:
        """Append one validated record and push it to every subscriber; return it."""
        with self._lock:
            new = [n for n in metrics if n not in self._names]
            if len(self._names) + len(new) > self.max_metric_names:
                raise InputError(
                    f"too many distinct metric names: this server accepts at most "
                    f"{self.max_metric_names}; received new names {new[:5]}."
                )
            for name in new:
                self._names[name] = None
            record = {
                "seq": self._next_seq,
                "time": round(time.time(), 3),
                "epoch": epoch,
                "step": step,
                "metrics": dict(metrics),
                "source": source,
            }
            self._next_seq += 1
            self._records.append(record)
            self._seqs.append(record["seq"])
            self._n_values += len(metrics)
            if None in metrics.values():
                self._latest.update({k: v for k, v in metrics.items() if v is not None})
            else:
                self._latest.update(metrics)
            self._version += 1
            self._broadcast("metrics", record)
            if len(self._records) > self.max_records or self._n_values > self.max_values:
                self._trim_locked()
        return record

    def _trim_locked(self) -> None:
        """Drop the oldest batch records, then the oldest epoch records, to 80 % of the
        limits; send open pages the trimmed history."""
        keep_records = int(self.max_records * _KEEP)
        keep_values = int(self.max_values * _KEEP)
        n, values = len(self._records), self._n_values
        drop = set()
        for batch_first in (True, False):
            for i, rec in enumerate(self._records):
                if n <= keep_records and values <= keep_values:
                    break
                if i in drop or (batch_first and rec["step"] is None):
                    continue
                drop.add(i)
                n -= 1
                values -= len(rec["metrics"])
        self._records = [r for i, r in enumerate(self._records) if i not in drop]
        self._seqs = [r["seq"] for r in self._records]
        self._n_values = values
        self.dropped += len(drop)
        self._version += 1
        log.warning(
            "the dashboard history passed its limit (%d records, %d values); dropped the "
            "%d oldest records (batch records first)",
            self.max_records,
            self.max_values,
            len(drop),
        )
        if self._subscribers:  # open pages replace their data with the trimmed history
            self._broadcast("history", self._snapshot_locked())

    def set_plots(self, plots: dict[str, dict]) -> None:
        """Replace or add named figures (plotly JSON dicts) and push them."""
        with self._lock:
            self._plots.update(plots)
            self._version += 1
            self._broadcast("plots", plots)

    def reset(self, run: str | None = None) -> None:
        """Forget every record and plot (a new run started) and tell subscribers."""
        with self._lock:
            self._records.clear()
            self._seqs.clear()
            self._next_seq = 0
            self._n_values = 0
            self._latest.clear()
            self._names.clear()
            self._plots.clear()
            self._run = run
            self._version += 1
            self._broadcast("history", self._snapshot_locked())

    def set_run(self, run: str | None) -> None:
        """Set the run name shown on the page."""
        with self._lock:
            self._run = run
            self._version += 1

    # -- reading -------------------------------------------------------------------
    @property
    def run(self) -> str | None:
        """The run name shown on the page (None when unnamed)."""
        with self._lock:
            return self._run

    def __len__(self) -> int:
        with self._lock:
            return len(self._records)

    def records(self, since: int | None = None) -> list[dict[str, Any]]:
        """Return copies of the records (those with ``seq > since`` if given)."""
        with self._lock:
            start = 0 if since is None else bisect.bisect_right(self._seqs, since)
            return [dict(r, metrics=dict(r["metrics"])) for r in self._records[start:]]

    def plots(self) -> dict[str, dict]:
        """Return the current figures by name."""
        with self._lock:
            return dict(self._plots)

    def latest(self) -> dict[str, Any]:
        """Return the last record, the last non-null value of every metric and the count."""
        with self._lock:
            last = self._records[-1] if self._records else None
            return {"count": len(self._records), "record": last, "values": dict(self._latest)}

    def snapshot(self) -> dict[str, Any]:
        """Return everything a newly connected page needs."""
        with self._lock:
            return self._snapshot_locked()

    def _snapshot_locked(self) -> dict[str, Any]:
        return {
            "run": self._run,
            "records": [dict(r, metrics=dict(r["metrics"])) for r in self._records],
            "plots": dict(self._plots),
        }

    # -- push ----------------------------------------------------------------------
    def subscribe(self) -> Subscriber:
        """Register a subscriber whose first queued event is the full history."""
        sub = Subscriber()
        with self._lock:
            # pages that join at the same moment share one serialised snapshot
            if self._snapshot_cache is None or self._snapshot_cache[0] != self._version:
                text = json.dumps(self._snapshot_locked(), allow_nan=False)
                self._snapshot_cache = (self._version, text)
            sub.push(("history", self._snapshot_cache[1]))
            self._subscribers.add(sub)
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        """Forget a subscriber (its connection ended)."""
        with self._lock:
            self._subscribers.discard(sub)

    def close_subscribers(self) -> None:
        """End every push connection (used when the server stops)."""
        with self._lock:
            subs = list(self._subscribers)
            self._subscribers.clear()
        for sub in subs:
            sub.push(None)

    @property
    def n_subscribers(self) -> int:
        """Number of open push connections."""
        with self._lock:
            return len(self._subscribers)

    def _broadcast(self, kind: str, payload: Any) -> None:
        if not self._subscribers:
            return
        data = json.dumps(payload, allow_nan=False)
        for sub in list(self._subscribers):
            sub.push((kind, data))
            if sub.closed.is_set():
                self._subscribers.discard(sub)
