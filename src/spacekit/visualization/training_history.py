"""The training-history record behind :class:`~spacekit.visualization.TrainingDashboard`.

A :class:`TrainingHistory` holds epoch metrics (aligned lists, ``None`` for missing or
non-finite values), the learning rate per epoch and optional batch-level metrics. It is
saved as JSON in the documented ``spacekit-training-history`` format, version 1::

    {"format": "spacekit-training-history", "version": 1,
     "created": "<ISO 8601>", "updated": "<ISO 8601>", "run": "<str>" | null,
     "epochs": [int, ...],
     "metrics": {"<name>": [float | null, ...], ...},      # aligned with "epochs"
     "batches": {"step": [int, ...], "metrics": {"<name>": [float | null, ...]}},
     "lr": [float | null, ...]}                            # aligned with "epochs"

NaN and inf are written as ``null``; files are written atomically, so a process that
follows the file (``spacekit viz serve``) never reads half a file.
"""

from __future__ import annotations

import bisect
import logging
import os
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from spacekit._io import atomic_write_json
from spacekit._json import read_json_file
from spacekit.exceptions import DataError, InputError
from spacekit.visualization._export import clean_float

__all__ = ["HISTORY_FORMAT", "HISTORY_VERSION", "TrainingHistory", "read_history"]

log = logging.getLogger(__name__)

HISTORY_FORMAT = "spacekit-training-history"
HISTORY_VERSION = 1
#: Deepest JSON nesting a history file may have (the format itself nests 4 levels).
MAX_HISTORY_DEPTH = 16
#: Largest history file read (bytes); a million epochs of ten metrics fit in ~200 MB.
MAX_HISTORY_BYTES = 512 * 1024**2
_LR_KEYS = ("lr", "learning_rate")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class TrainingHistory:
    """Epoch and batch metrics of one training run (thread-safe appends).

    Parameters
    ----------
    run : str, optional
        A name for the run, saved in the JSON file.
    """

    def __init__(self, run: str | None = None):
        self.run = run
        self.epochs: list[int] = []
        self.metrics: dict[str, list[float | None]] = {}
        self.lr: list[float | None] = []
        self.batch_steps: list[int] = []
        self.batch_metrics: dict[str, list[float | None]] = {}
        self.created = _now()
        self.updated = self.created
        self._lock = threading.Lock()
        self._warned: set[str] = set()

    def __len__(self) -> int:
        return len(self.epochs)

    def _clean(self, name: str, value: Any, where: str) -> float | None:
        out = clean_float(value)
        if out is None and value is not None and name not in self._warned:
            self._warned.add(name)
            log.warning(
                "%s: metric %r is not a finite number (%r); stored as missing.", where, name, value
            )
        return out

    def add_epoch(
        self, epoch: int, logs: Mapping[str, Any] | None = None, lr: float | None = None
    ) -> None:
        """Record the metrics of ``epoch`` (replacing them if the epoch is already recorded).

        ``lr``/``learning_rate`` keys in ``logs`` go to the learning-rate series.
        """
        logs = dict(logs or {})
        for key in _LR_KEYS:
            if key in logs:
                value = logs.pop(key)
                lr = value if lr is None else lr
        epoch = int(epoch)
        with self._lock:
            if epoch in self.epochs:
                idx = self.epochs.index(epoch)
            else:
                idx = len(self.epochs)
                self.epochs.append(epoch)
                for series in self.metrics.values():
                    series.append(None)
                self.lr.append(None)
            for name, value in logs.items():
                series = self.metrics.setdefault(str(name), [None] * len(self.epochs))
                series[idx] = self._clean(name, value, f"epoch {epoch}")
            if lr is not None:
                self.lr[idx] = self._clean("learning_rate", lr, f"epoch {epoch}")
            self.updated = _now()

    def add_batch(self, step: int, logs: Mapping[str, Any] | None = None) -> None:
        """Record batch-level metrics at global ``step`` (kept sorted by step)."""
        step = int(step)
        with self._lock:
            if not self.batch_steps or step > self.batch_steps[-1]:
                idx = len(self.batch_steps)
            else:
                idx = bisect.bisect_left(self.batch_steps, step)
            self.batch_steps.insert(idx, step)
            for series in self.batch_metrics.values():
                series.insert(idx, None)
            for name, value in (logs or {}).items():
                if name in _LR_KEYS:
                    name = "lr"
                series = self.batch_metrics.setdefault(str(name), [None] * len(self.batch_steps))
                series[idx] = self._clean(name, value, f"step {step}")

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready contract dictionary (a copy)."""
        with self._lock:
            return {
                "format": HISTORY_FORMAT,
                "version": HISTORY_VERSION,
                "created": self.created,
                "updated": self.updated,
                "run": self.run,
                "epochs": list(self.epochs),
                "metrics": {k: list(v) for k, v in self.metrics.items()},
                "batches": {
                    "step": list(self.batch_steps),
                    "metrics": {k: list(v) for k, v in self.batch_metrics.items()},
                },
                "lr": list(self.lr),
            }

    def save(self, path: str | os.PathLike) -> Path:
        """Write the history JSON to ``path`` atomically and return the path."""
        return atomic_write_json(Path(path).expanduser(), self.to_dict(), indent=None)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "history") -> TrainingHistory:
        """Build a history from the contract dictionary, validating it.

        Raises
        ------
        DataError
            If ``data`` is not a version-1 training history or a series is malformed
            (the message names ``source``).
        """
        try:
            return cls._from_dict(data, source)
        except (InputError, DataError):  # already say what is wrong (they are ValueErrors)
            raise
        except (TypeError, ValueError, AttributeError, KeyError) as exc:
            raise DataError(f"{source} is malformed ({exc}).") from None

    @classmethod
    def _from_dict(cls, data: Mapping[str, Any], source: str) -> TrainingHistory:
        if not isinstance(data, Mapping):
            raise DataError(f"{source} is a {type(data).__name__}, not a training history.")
        if data.get("format") != HISTORY_FORMAT:
            raise DataError(
                f"{source} is not a spacekit training history (format={data.get('format')!r}, "
                f"expected {HISTORY_FORMAT!r}). Write it with TrainingDashboard.save_history."
            )
        if int(data.get("version", 0)) > HISTORY_VERSION:
            raise DataError(
                f"{source} has history version {data.get('version')}; this spacekit reads "
                f"version {HISTORY_VERSION}. Upgrade spacekit to read it."
            )
        out = cls(run=data.get("run"))
        out.created = data.get("created") or out.created
        out.updated = data.get("updated") or out.created
        out.epochs = [int(e) for e in data.get("epochs", [])]
        n = len(out.epochs)
        out.metrics = {
            str(k): [clean_float(v) for v in vals]
            for k, vals in (data.get("metrics") or {}).items()
        }
        lr = data.get("lr") or [None] * n
        out.lr = [clean_float(v) for v in lr]
        bad = [k for k, v in out.metrics.items() if len(v) != n]
        if bad or len(out.lr) != n:
            raise DataError(
                f"{source}: series {bad or ['lr']} do not have one value per epoch ({n}); "
                "the file is corrupt or was written by another tool."
            )
        batches = data.get("batches") or {}
        out.batch_steps = [int(s) for s in batches.get("step", [])]
        out.batch_metrics = {
            str(k): [clean_float(v) for v in vals]
            for k, vals in (batches.get("metrics") or {}).items()
        }
        if any(len(v) != len(out.batch_steps) for v in out.batch_metrics.values()):
            raise DataError(f"{source}: batch metrics are not aligned with batch steps.")
        return out

    @classmethod
    def load(cls, path: str | os.PathLike) -> TrainingHistory:
        """Read a history JSON file written by :meth:`save` (errors as :func:`read_history`)."""
        path = Path(path).expanduser()
        return cls.from_dict(_read_history_json(path), source=str(path))

    @classmethod
    def from_any(cls, obj: Any) -> TrainingHistory:
        """Coerce a history-like object into a :class:`TrainingHistory`.

        Accepts a :class:`TrainingHistory`, anything with a ``.history_`` attribute holding
        one (a :class:`TrainingDashboard`), a Keras ``History`` (``.history`` dict and
        ``.epoch`` list), the contract dictionary, a plain ``{name: [values]}`` mapping, or
        the path of a history JSON file.
        """
        if isinstance(obj, TrainingHistory):
            return obj
        inner = getattr(obj, "history_", None)
        if isinstance(inner, TrainingHistory):
            return inner
        if isinstance(obj, (str, os.PathLike)):
            return cls.load(obj)
        if hasattr(obj, "history") and isinstance(obj.history, Mapping):
            epochs = getattr(obj, "epoch", None)  # Keras counts from 0, we show 1-based
            epochs = [int(e) + 1 for e in epochs] if epochs is not None else None
            return cls._from_mapping(obj.history, epochs)
        if isinstance(obj, Mapping):
            if "format" in obj:
                return cls.from_dict(obj)
            return cls._from_mapping(obj, None)
        raise InputError(
            f"Cannot read a training history from {type(obj).__name__}; expected a Keras "
            "History, a TrainingDashboard, a dict of metric lists or a history JSON path."
        )

    @classmethod
    def _from_mapping(cls, mapping: Mapping[str, Any], epochs) -> TrainingHistory:
        out = cls()
        lengths = {len(v) for v in mapping.values() if hasattr(v, "__len__")}
        n = max(lengths) if lengths else 0
        epochs = list(epochs) if epochs is not None and len(epochs) == n else list(range(1, n + 1))
        for i, epoch in enumerate(epochs):
            logs = {k: (v[i] if i < len(v) else None) for k, v in mapping.items()}
            out.add_epoch(epoch, logs)
        return out


def _read_history_json(path: Path) -> dict[str, Any]:
    """The JSON object of a history file, read within the size and depth limits."""
    if not path.is_file():
        raise InputError(
            f"History file not found: {str(path)!r} does not exist (or is not a file). Pass "
            "the JSON written by TrainingDashboard.save_history()."
        )
    data = read_json_file(
        path, max_depth=MAX_HISTORY_DEPTH, max_bytes=MAX_HISTORY_BYTES, allow_nan=True
    )
    if not isinstance(data, dict) or data.get("format") != HISTORY_FORMAT:
        raise DataError(
            f"{path} is not a spacekit training history (expected a JSON object with "
            f'"format": "{HISTORY_FORMAT}").'
        )
    return data


def read_history(path: str | os.PathLike) -> dict[str, Any]:
    """Read, validate and normalise a training-history JSON file.

    The one reader of history files: :func:`spacekit.visualization.server.read_history`
    is this function, and :meth:`TrainingHistory.load` reads the same way.

    Parameters
    ----------
    path : str or path-like
        The file written by ``TrainingDashboard.save_history`` (or ``spacekit viz
        serve``, or a training run's ``training_history.json``).

    Returns
    -------
    dict
        The history in the documented format, validated and normalised by
        :class:`TrainingHistory` (every series aligned with its epochs or steps, ``lr``
        filled with ``None`` where unknown, values float or ``None``).

    Raises
    ------
    InputError
        If the file does not exist or is not a file.
    DataError
        If it is not valid JSON, nests deeper than :data:`MAX_HISTORY_DEPTH`, is larger
        than :data:`MAX_HISTORY_BYTES`, or is not a version-1 spacekit training history
        (missing format, misaligned or malformed series).
    """
    return TrainingHistory.load(path).to_dict()
