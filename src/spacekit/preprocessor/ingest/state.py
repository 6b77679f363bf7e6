"""The incremental state of an ingest output folder.

An ingest run only reads the daily files it has not read before and carries the rows it
could not match yet to the next run. Two files beside the training tables hold that
state:

- ``ingest-manifest.json``: ``{"format": "spacekit-ingest", "version": 1,
  "processed": [daily file names], "updated": iso time}``;
- ``ingest.csv``: the unmatched job rows, read back on the next run (rows older than
  ``max_carry_days`` are dropped).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from spacekit._io import atomic_write_json
from spacekit._json import read_json_file
from spacekit.exceptions import DataError
from spacekit.preprocessor.ingest.daily import STRING_COLUMNS, normalise_codes

__all__ = [
    "MANIFEST_NAME",
    "CARRIED_NAME",
    "read_manifest",
    "write_manifest",
    "read_carried",
    "drop_old",
]

log = logging.getLogger(__name__)

#: File name of the list of daily files already ingested.
MANIFEST_NAME = "ingest-manifest.json"
#: File name of the rows carried over to the next run.
CARRIED_NAME = "ingest.csv"


def _new_manifest() -> dict:
    return {"format": "spacekit-ingest", "version": 1, "processed": []}


def read_manifest(outpath: str | os.PathLike) -> dict:
    """Return the manifest of ``outpath`` (a new, empty one if there is none).

    A manifest that is not valid JSON with a ``processed`` list is replaced by a new one
    with a warning: every daily file is then read again (duplicates are dropped).
    """
    path = Path(outpath) / MANIFEST_NAME
    if path.is_file():
        try:
            manifest = read_json_file(path, max_depth=8)
        except DataError:
            manifest = None
        if isinstance(manifest, dict) and isinstance(manifest.get("processed"), list):
            return manifest
        log.warning(
            "%s is not an ingest manifest (JSON with a 'processed' list); starting a new "
            "one, so every daily file is read again (duplicates are dropped)",
            path,
        )
    return _new_manifest()


def write_manifest(outpath: str | os.PathLike, files_read: Iterable[str]) -> Path:
    """Add ``files_read`` to the manifest of ``outpath`` and write it atomically."""
    manifest = read_manifest(outpath)
    manifest["processed"] = sorted(set(manifest["processed"]) | set(files_read))
    manifest["updated"] = datetime.now(UTC).isoformat(timespec="seconds")
    path = Path(outpath) / MANIFEST_NAME
    atomic_write_json(path, manifest)
    return path


def read_carried(outpath: str | os.PathLike) -> pd.DataFrame | None:
    """Return the rows carried over from earlier runs, or None if there are none.

    Raises
    ------
    DataError
        ``ingest.csv`` exists but cannot be read or was not written by spacekit.
    """
    path = Path(outpath) / CARRIED_NAME
    if not path.is_file():
        return None
    try:
        df = pd.read_csv(path, index_col="Dataset", low_memory=False, dtype=STRING_COLUMNS)
    except (ValueError, UnicodeDecodeError) as exc:  # pandas parser errors are ValueErrors
        raise DataError(
            f"{path} holds the rows carried over from earlier runs but cannot be read "
            f"({exc}). Move it aside (its rows are then not matched) and run again."
        ) from exc
    missing = [c for c in ("level", "date", "ImageSize") if c not in df.columns]
    if missing:
        raise DataError(
            f"{path} lacks the column(s) {missing}: it was not written by spacekit's "
            "ingest. Move it aside and run again."
        )
    df.index = df.index.astype(str)
    return normalise_codes(df)


def drop_old(rest: pd.DataFrame, max_carry_days: int) -> pd.DataFrame:
    """Drop rows older than ``max_carry_days`` before the newest ``date`` (0: keep all)."""
    if rest.empty or max_carry_days <= 0:
        return rest
    dates = pd.to_datetime(rest["date"], errors="coerce")
    newest = dates.max()
    keep = (newest - dates).dt.days <= max_carry_days
    keep = keep.fillna(True).to_numpy(bool)
    if not np.all(keep):
        log.info(
            "dropping %d unmatched rows older than %d days", int((~keep).sum()), max_carry_days
        )
    return rest[keep]
