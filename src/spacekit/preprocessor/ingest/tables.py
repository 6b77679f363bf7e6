"""Writing the training tables of an ingest run (``train-{mode}.csv`` and friends).

Every table is indexed by ``Dataset`` and written atomically. Appending to a table
keeps one row per ``Dataset``: the newest (by ``date``, then ``imagesize``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from spacekit._io import atomic_path

__all__ = ["append_table", "write_table"]


def write_table(path: str | os.PathLike, df: pd.DataFrame) -> Path:
    """Write ``df`` to ``path`` as CSV with a ``Dataset`` index column, atomically."""
    path = Path(path)
    with atomic_path(path) as tmp:
        df.to_csv(tmp, index=True, index_label="Dataset")
    return path


def append_table(path: str | os.PathLike, new: pd.DataFrame) -> Path:
    """Add the rows of ``new`` to the table at ``path`` (created if missing).

    A ``Dataset`` present in both keeps its newest row.
    """
    path = Path(path)
    df = new
    if path.is_file():
        old = pd.read_csv(path, index_col="Dataset", low_memory=False)
        old.index = old.index.astype(str)
        df = pd.concat([old, new], axis=0, sort=False)
    if "imagesize" in df.columns:
        df = df.sort_values(["date", "imagesize"], kind="stable")
    df = df[~df.index.duplicated(keep="last")]
    return write_table(path, df)
