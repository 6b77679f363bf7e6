"""Read, write and follow ``spacekit-training-history`` JSON files for the live server.

The format (written by :meth:`TrainingDashboard.save_history`) is::

    {"format": "spacekit-training-history", "version": 1, "created": iso, "updated": iso,
     "run": str | null, "epochs": [int, ...], "metrics": {name: [float | null, ...]},
     "batches": {"step": [int, ...], "metrics": {name: [...]}}, "lr": [float | null, ...]}

``metrics`` lists are aligned with ``epochs``, batch lists with ``batches.step`` and ``lr``
with ``epochs``. :class:`HistoryFollower` polls such a file, written atomically by
another process, and feeds new epochs and batches into a :class:`MetricStore`.
"""

from __future__ import annotations

import json
import logging
import math
import os
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from spacekit._io import atomic_write_json
from spacekit.exceptions import DataError, InputError

__all__ = [
    "HISTORY_FORMAT",
    "HISTORY_VERSION",
    "read_history",
    "parse_history",
    "history_rows",
    "records_to_history",
    "write_history",
    "HistoryFollower",
]

log = logging.getLogger(__name__)

HISTORY_FORMAT = "spacekit-training-history"
HISTORY_VERSION = 1


def _reject_constant(token: str) -> None:
    raise ValueError(f"non-standard JSON constant {token}")


def _num(value: Any) -> float | None:
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _series(obj: Any, where: str, length: int) -> list[float | None]:
    if not isinstance(obj, list):
        raise DataError(f"{where} must be a list; received {type(obj).__name__}.")
    if len(obj) != length:
        raise DataError(f"{where} has {len(obj)} values but there are {length} epochs/steps.")
    return [_num(v) for v in obj]


def _metric_block(obj: Any, where: str, length: int) -> dict[str, list[float | None]]:
    if obj is None:
        return {}
    if not isinstance(obj, dict):
        raise DataError(f"{where} must be an object of name: list; received {type(obj).__name__}.")
    return {str(k): _series(v, f"{where}[{k!r}]", length) for k, v in obj.items()}


def _int_list(obj: Any, where: str) -> list[int]:
    if not isinstance(obj, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in obj
    ):
        raise DataError(f"{where} must be a list of integers.")
    return list(obj)


def parse_history(data: Any, source: str = "history") -> dict[str, Any]:
    """Validate a decoded history object and return it normalised.

    Parameters
    ----------
    data : object
        The decoded JSON.
    source : str, default="history"
        Name used in error messages (usually the file path).

    Returns
    -------
    dict
        The history with every key present (``batches`` and ``lr`` filled when missing)
        and every value a float or None.

    Raises
    ------
    DataError
        If the object is not a version-1 ``spacekit-training-history``.
    """
    if not isinstance(data, dict) or data.get("format") != HISTORY_FORMAT:
        got = data.get("format") if isinstance(data, dict) else type(data).__name__
        raise DataError(
            f"{source} is not a spacekit training history: expected "
            f'"format": "{HISTORY_FORMAT}", received {got!r}. Write it with '
            "TrainingDashboard.save_history()."
        )
    version = data.get("version")
    if version != HISTORY_VERSION:
        raise DataError(
            f"{source} has history version {version!r}; this spacekit reads version "
            f"{HISTORY_VERSION}. Upgrade spacekit or re-save the history."
        )
    try:
        epochs = _int_list(data.get("epochs", []), "epochs")
        metrics = _metric_block(data.get("metrics", {}), "metrics", len(epochs))
        lr_raw = data.get("lr") or []
        lr = _series(lr_raw, "lr", len(epochs)) if lr_raw else []
        batches = data.get("batches") or {}
        if not isinstance(batches, dict):
            raise DataError("batches must be an object with 'step' and 'metrics'.")
        steps = _int_list(batches.get("step", []), "batches.step")
        batch_metrics = _metric_block(batches.get("metrics", {}), "batches.metrics", len(steps))
    except DataError as exc:
        raise DataError(f"{source} is malformed: {exc}") from None
    run = data.get("run")
    return {
        "format": HISTORY_FORMAT,
        "version": HISTORY_VERSION,
        "created": data.get("created"),
        "updated": data.get("updated"),
        "run": run if isinstance(run, str) else None,
        "epochs": epochs,
        "metrics": metrics,
        "batches": {"step": steps, "metrics": batch_metrics},
        "lr": lr,
    }


def read_history(path: str | os.PathLike) -> dict[str, Any]:
    """Read and validate a training-history JSON file.

    Parameters
    ----------
    path : str or path-like
        The file written by ``TrainingDashboard.save_history``.

    Returns
    -------
    dict
        The normalised history (see :func:`parse_history`).

    Raises
    ------
    InputError
        If the file does not exist or is not a file.
    DataError
        If it is not valid JSON or not a version-1 training history.
    """
    path = Path(path).expanduser()
    if not path.is_file():
        raise InputError(
            f"history file not found: {str(path)!r}. Pass the JSON written by "
            "TrainingDashboard.save_history()."
        )
    try:
        from spacekit.visualization.training_history import TrainingHistory
    except ImportError:  # pragma: no cover - the training module is part of the package
        TrainingHistory = None
    if TrainingHistory is not None:
        # The writer's own reader, so both sides agree on the format.
        try:
            data = TrainingHistory.load(path).to_dict()
        except (InputError, DataError):
            raise
        except (TypeError, ValueError, AttributeError) as exc:
            raise DataError(f"{path} is malformed ({exc}).") from None
        return parse_history(data, source=str(path))
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text, parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise DataError(f"{path} is not valid JSON ({exc}).") from None
    return parse_history(data, source=str(path))


def history_rows(
    history: dict[str, Any], epoch_start: int = 0, batch_start: int = 0
) -> tuple[list[tuple], list[tuple]]:
    """Turn a normalised history into ``(epoch, step, metrics)`` rows.

    Returns the epoch rows from index ``epoch_start`` on and the batch rows from
    ``batch_start`` on. The learning rate is reported as the metric ``lr`` unless the
    metrics already hold one.
    """
    epochs = history["epochs"]
    metrics = history["metrics"]
    lr = history["lr"]
    epoch_rows = []
    for i in range(epoch_start, len(epochs)):
        row = {name: values[i] for name, values in metrics.items()}
        if lr and "lr" not in row:
            row["lr"] = lr[i]
        epoch_rows.append((epochs[i], None, row))
    steps = history["batches"]["step"]
    bmetrics = history["batches"]["metrics"]
    batch_rows = [
        (None, steps[i], {name: values[i] for name, values in bmetrics.items()})
        for i in range(batch_start, len(steps))
    ]
    return epoch_rows, batch_rows


def records_to_history(records: Iterable[dict[str, Any]], run: str | None = None) -> dict:
    """Convert server records back to a training-history object (the contract format).

    Records with a ``step`` become batch rows; the others epoch rows (their ``epoch``, or
    their position when no epoch was given). The metric ``lr`` of epoch rows goes to the
    ``lr`` list.
    """
    epoch_recs, batch_recs = [], []
    for rec in records:
        (batch_recs if rec.get("step") is not None else epoch_recs).append(rec)

    def align(recs: list[dict]) -> dict[str, list]:
        names: dict[str, None] = {}
        for rec in recs:
            names.update(dict.fromkeys(rec["metrics"]))
        return {n: [rec["metrics"].get(n) for rec in recs] for n in names}

    metrics = align(epoch_recs)
    lr = metrics.pop("lr", [])
    now = datetime.now(UTC).isoformat(timespec="seconds")
    return {
        "format": HISTORY_FORMAT,
        "version": HISTORY_VERSION,
        "created": now,
        "updated": now,
        "run": run,
        "epochs": [
            rec["epoch"] if rec.get("epoch") is not None else i for i, rec in enumerate(epoch_recs)
        ],
        "metrics": metrics,
        "batches": {"step": [rec["step"] for rec in batch_recs], "metrics": align(batch_recs)},
        "lr": lr,
    }


def write_history(path: str | os.PathLike, history: dict[str, Any]) -> Path:
    """Write a history object atomically (non-finite values as null) and return the path."""

    def clean(obj: Any) -> Any:
        if isinstance(obj, float) and not math.isfinite(obj):
            return None
        if isinstance(obj, dict):
            return {k: clean(v) for k, v in obj.items()}
        if isinstance(obj, list):
            return [clean(v) for v in obj]
        return obj

    return atomic_write_json(path, clean(history))


def _fingerprint(history: dict[str, Any]) -> str:
    """The first epoch and batch rows: a run whose ``created`` changes but whose start is
    unchanged is the same run re-saved, not a new one."""
    return json.dumps(
        [
            history["epochs"][:1],
            {k: v[:1] for k, v in history["metrics"].items()},
            history["batches"]["step"][:1],
        ]
    )


class HistoryFollower:
    """Poll a history file and feed what is new into a store.

    Parameters
    ----------
    path : path-like
        The history JSON (it may not exist yet).
    on_rows : callable
        ``on_rows(epoch_rows, batch_rows)`` receives the new rows (see :func:`history_rows`).
    on_reset : callable
        ``on_reset(run)`` is called when the file starts a new run (its ``created`` stamp
        changes or it gets shorter); the rows of the new run follow.
    poll_interval : float, default=0.5
        Seconds between checks of the file's size and modification time.
    """

    def __init__(self, path, on_rows, on_reset, poll_interval: float = 0.5) -> None:
        if not poll_interval > 0:
            raise InputError(f"poll_interval must be > 0 seconds; received {poll_interval!r}.")
        self.path = Path(path)
        self.on_rows = on_rows
        self.on_reset = on_reset
        self.poll_interval = float(poll_interval)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._stamp: tuple | None = None
        self._created: Any = None
        self._head: str | None = None
        self._n_epochs = 0
        self._n_batches = 0
        self._started = False
        self._last_error: str | None = None

    def start(self) -> None:
        """Read the file once now (if it exists) and keep polling in a daemon thread."""
        self.poll()
        self._thread = threading.Thread(
            target=self._run, name=f"spacekit-follow-{self.path.name}", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop polling and wait for the thread to end."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def alive(self) -> bool:
        """True while the polling thread runs."""
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.wait(self.poll_interval):
            try:
                self.poll()
            except Exception:  # keep following whatever happens to one read
                log.exception("error while following %s", self.path)

    def poll(self) -> bool:
        """Check the file once; return True if new rows were delivered."""
        try:
            st = self.path.stat()
        except FileNotFoundError:
            if self._stamp is not None:
                log.info("history file %s disappeared; waiting for it", self.path)
                self._stamp = None
            return False
        stamp = (st.st_ino, st.st_size, st.st_mtime_ns)
        if stamp == self._stamp:
            return False
        try:
            history = read_history(self.path)
        except (DataError, InputError, OSError) as exc:
            # A writer that is not atomic may be half-way through; try again next poll.
            msg = str(exc)
            if msg != self._last_error:
                log.warning("cannot read %s yet: %s", self.path, msg)
                self._last_error = msg
            return False
        self._stamp = stamp
        self._last_error = None
        n_epochs, n_batches = len(history["epochs"]), len(history["batches"]["step"])
        head = _fingerprint(history)
        if (
            not self._started
            or (history["created"] != self._created and head != self._head)
            or n_epochs < self._n_epochs
            or n_batches < self._n_batches
        ):
            if self._started:
                log.info("%s holds a new run; starting over", self.path)
            self.on_reset(history["run"])
            self._created = history["created"]
            self._head = head
            self._n_epochs = self._n_batches = 0
            self._started = True
        epoch_rows, batch_rows = history_rows(history, self._n_epochs, self._n_batches)
        self._n_epochs, self._n_batches = n_epochs, n_batches
        if epoch_rows or batch_rows:
            self.on_rows(epoch_rows, batch_rows)
            return True
        return False
