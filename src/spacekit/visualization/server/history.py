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
from pathlib import Path
from typing import Any

from spacekit._io import atomic_write_json
from spacekit.exceptions import DataError, InputError
from spacekit.visualization.training_history import (
    HISTORY_FORMAT,
    HISTORY_VERSION,
    TrainingHistory,
    read_history,  # the one reader, re-exported here (its documented public name)
)

__all__ = [
    "HISTORY_FORMAT",
    "HISTORY_VERSION",
    "read_history",
    "history_rows",
    "records_to_history",
    "write_history",
    "HistoryFollower",
]

log = logging.getLogger(__name__)


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
    their position when no epoch was given). Records of the same epoch are merged into
    one row (training and validation metrics may arrive separately). The metric ``lr``
    of epoch rows goes to the ``lr`` list.
    """
    history = TrainingHistory(run=run)
    position = 0
    for rec in records:
        if rec.get("step") is not None:
            history.add_batch(rec["step"], rec["metrics"])
            continue
        epoch = rec["epoch"] if rec.get("epoch") is not None else position
        history.add_epoch(epoch, rec["metrics"])
        position += 1
    return history.to_dict()


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
