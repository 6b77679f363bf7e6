"""``JwstCalIngest``: daily JWST pipeline metadata in, training tables out, incrementally.

The steps live in the sibling modules: :mod:`~spacekit.preprocessor.ingest.daily` reads
the daily CSVs, :mod:`~spacekit.preprocessor.ingest.state` keeps the manifest and the
carried rows, :mod:`~spacekit.preprocessor.ingest.match` matches products to Level-3
jobs and :mod:`~spacekit.preprocessor.ingest.tables` writes the tables. The layout of a
run is described in :mod:`spacekit.preprocessor.ingest`.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from spacekit.exceptions import DataError, InputError
from spacekit.preprocessor.ingest.daily import find_daily_files, read_many
from spacekit.preprocessor.ingest.match import drop_unusable, match_products
from spacekit.preprocessor.ingest.state import (
    CARRIED_NAME,
    drop_old,
    read_carried,
    read_manifest,
    write_manifest,
)
from spacekit.preprocessor.ingest.tables import append_table, write_table

__all__ = ["JwstCalIngest", "IngestReport", "jwst_cal_ingest"]

log = logging.getLogger(__name__)


@dataclass
class IngestReport:
    """Counts and file lists of one ingest run."""

    files_read: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    matched: dict[str, int] = field(default_factory=dict)
    carried: int = 0
    dropped: int = 0
    mosaics: int = 0
    outputs: list[str] = field(default_factory=list)

    @property
    def n_matched(self) -> int:
        return int(sum(self.matched.values()))


class JwstCalIngest:
    """Build and extend JWST training tables from daily pipeline metadata.

    Parameters
    ----------
    input_path : path-like
        Folder of daily CSVs (or one CSV).
    outpath : path-like
        Folder of the training tables; created if needed.
    pfx : str, default=""
        Prefix of the daily file names.
    save_l1 : bool, default=False
        Also write the Level-1 rows read in this run to ``level1.csv``.
    max_carry_days : int, default=60
        Unmatched rows older than this (relative to the newest date read) are dropped.
    reprocess : bool, default=False
        Read every daily file again, even those already ingested.

    Attributes
    ----------
    report : IngestReport
    skipped : list of (path, reason)
    """

    def __init__(
        self,
        input_path: str | os.PathLike,
        outpath: str | os.PathLike,
        pfx: str = "",
        save_l1: bool = False,
        max_carry_days: int = 60,
        reprocess: bool = False,
    ):
        self.input_path = Path(input_path)
        self.outpath = Path(outpath)
        self.pfx = pfx or ""
        self.save_l1 = bool(save_l1)
        self.max_carry_days = int(max_carry_days)
        self.reprocess = bool(reprocess)
        self.report = IngestReport()

    @property
    def skipped(self) -> list[tuple[str, str]]:
        return self.report.skipped

    # -- reading -----------------------------------------------------------------------
    def read_inputs(self) -> pd.DataFrame | None:
        """Read new daily files plus carried rows; return the de-duplicated job table.

        Returns None when every daily file was ingested before and nothing is carried.
        """
        files, skipped = find_daily_files(self.input_path, self.pfx)
        self.report.skipped += [(str(p), r) for p, r in skipped]
        done = set() if self.reprocess else set(read_manifest(self.outpath)["processed"])
        new = [f for f in files if f.name not in done]
        if files and not new:
            log.info(
                "all %d daily files were ingested before; only carried rows are used", len(files)
            )
        raw, bad = read_many(new, pfx=self.pfx)
        self.report.skipped += [(str(p), r) for p, r in bad]
        self.report.files_read = [f.name for f in new if str(f) not in {str(p) for p, _ in bad}]
        frames = [f for f in (read_carried(self.outpath), raw) if f is not None and not f.empty]
        if not frames and files and not new:
            return None
        if not frames:
            raise DataError(
                "Nothing to ingest: no readable daily CSV and no rows carried over "
                f"(skipped: {[r for _, r in self.report.skipped] or 'none'})."
            )
        df = pd.concat(frames, axis=0, sort=False)
        df = df[df["level"].isin([1, 3])]
        df = df.sort_values(["date", "ImageSize"], kind="stable")
        df = df[~df.index.duplicated(keep="last")]
        return self._drop_unusable(df)

    def _drop_unusable(self, df: pd.DataFrame) -> pd.DataFrame:
        kept, skipped, self.report.dropped = drop_unusable(df)
        self.report.skipped += skipped
        return kept

    # -- matching ----------------------------------------------------------------------
    def match(self, jobs: pd.DataFrame) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, set]:
        """Match scrubbed L1 products to L3 jobs (see :func:`.match.match_products`).

        Returns
        -------
        tables : dict
            ``{mode: DataFrame}`` of matched products (index = Level-3 Dataset name).
        raw : DataFrame
            The matched Level-3 rows, with an ``exp_mode`` column.
        used : set
            Dataset labels (L1 and L3) consumed by a match.
        """
        found = match_products(jobs)
        self._mosaics = found.mosaics
        self.report.skipped += found.skipped
        self.report.matched.update(found.matched)
        return found.tables, found.raw, found.used

    # -- writing -----------------------------------------------------------------------
    def _append(self, name: str, new: pd.DataFrame) -> Path:
        path = append_table(self.outpath / name, new)
        self.report.outputs.append(str(path))
        return path

    def _write(self, name: str, df: pd.DataFrame) -> Path:
        path = write_table(self.outpath / name, df)
        self.report.outputs.append(str(path))
        return path

    def run_ingest(self) -> IngestReport:
        """Run the whole ingest and return its report.

        Raises
        ------
        InputError
            The input path does not exist or holds no CSV, or the output path is a file.
        DataError
            Nothing readable to ingest, or ``ingest.csv`` (the carried rows) is unreadable.
        """
        if self.outpath.exists() and not self.outpath.is_dir():
            raise InputError(
                f"Output path {self.outpath} is a file; expected a folder for the training "
                "tables (it is created if missing)."
            )
        try:
            self.outpath.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(
                f"Cannot create the output folder {self.outpath}: {exc.strerror or exc}."
            ) from exc
        if not os.access(self.outpath, os.W_OK | os.X_OK):
            raise InputError(f"Output folder {self.outpath} is not writable.")
        jobs = self.read_inputs()
        if jobs is None:
            log.info("nothing new to ingest in %s", self.input_path)
            return self.report
        tables, raw, used = self.match(jobs)
        for mode, table in tables.items():
            self._append(f"train-{mode.lower()}.csv", table)
        if tables:
            self._append("training.csv", pd.concat(tables.values(), axis=0, sort=False))
        if len(raw):
            for mode, part in raw.groupby("exp_mode"):
                self._append(f"raw-{mode}.csv", part)
        mosaics = getattr(self, "_mosaics", None)
        if mosaics is not None and len(mosaics):
            self._append("mosaics.csv", mosaics)
            self.report.mosaics = int(len(mosaics))
        rest = jobs[~jobs.index.isin(used)]
        if mosaics is not None:
            rest = rest[~rest.index.isin(mosaics.index)]
        rest = drop_old(rest, self.max_carry_days)
        self._write(CARRIED_NAME, rest)
        self.report.carried = int(len(rest))
        if self.save_l1:
            l1 = jobs[(jobs["level"] == 1) & jobs["source"].isin(self.report.files_read)]
            self._write("level1.csv", l1)
        write_manifest(self.outpath, self.report.files_read)
        log.info(
            "ingest: %d files read, %d products matched %s, %d rows carried, %d skipped",
            len(self.report.files_read),
            self.report.n_matched,
            self.report.matched,
            self.report.carried,
            len(self.report.skipped),
        )
        return self.report


def jwst_cal_ingest(input_path, outpath, pfx: str = "", save_l1: bool = False) -> IngestReport:
    """Functional form of ``JwstCalIngest(...).run_ingest()`` (1.1.4 name)."""
    return JwstCalIngest(input_path, outpath, pfx=pfx, save_l1=save_l1).run_ingest()
