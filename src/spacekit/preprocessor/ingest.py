"""Turn daily JWST pipeline metadata into training tables (``JwstCalIngest``).

Command line::

    python -m spacekit.preprocessor.ingest jcal -i INPUT -o OUT [-p PFX] [-s SAVE_L1]

``INPUT`` is a folder of daily CSVs ``YYYY-MM-DD_DOY.csv`` (or one file). Each row is a
pipeline job: Level-1 rows (``DagNodeName`` containing "1") carry an exposure's header
keywords, Level-3 rows (containing "3") carry a product's measured ``ImageSize`` (kB).

What a run does:

1. reads the new daily files (those not listed in ``OUT/ingest-manifest.json``) and the
   rows carried over in ``OUT/ingest.csv``; unreadable files are skipped with a reason;
2. drops duplicate jobs (keeping the last by date, image size), Level-1 exposures whose
   EXP_TYPE makes no Level-3 product (target acquisitions ...), MIRI MRS channel 2/4
   Level-3 rows (products are named after channels 1 and 3, as in 1.1.4) and sets
   Level-3 mosaics (association names ``jwNNNNN-cNNNN...``) aside in ``mosaics.csv``;
3. groups the Level-1 exposures into Level-3 products and computes their features with
   :class:`~spacekit.preprocessor.scrub.JwstCalScrubber` (``mode="df"``);
4. matches each product to a Level-3 job: same name once the target token is removed
   (``jw01076-o101_t1_nircam_clear-f212n`` ~ ``jw01076-o101_t001_nircam_clear-f212n``);
   among several candidates, the same target number, then the same ``TARGNAME``;
5. appends matched products to ``train-{image,spec,tac,fgs}.csv`` and ``training.csv``
   (target ``imgsize_gb = ImageSize / 1e6``) and the matched Level-3 rows to
   ``raw-{mode}.csv``; unmatched rows go to ``ingest.csv`` for the next run
   (rows older than ``max_carry_days`` are dropped).

Every file is written atomically. The run reports what it skipped and why.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from spacekit._io import atomic_path, atomic_write_json
from spacekit._runner import parse_bool
from spacekit.exceptions import DataError, InputError, SkippedInputWarning, SpacekitError
from spacekit.preprocessor.ingest_io import (
    STRING_COLUMNS,
    find_daily_files,
    normalise_codes,
    read_many,
)

__all__ = ["JwstCalIngest", "IngestReport", "product_key", "jwst_cal_ingest", "main"]

# named explicitly: under `python -m` this module runs as "__main__"
log = logging.getLogger("spacekit.preprocessor.ingest")

MODES = ("IMAGE", "SPEC", "TAC", "FGS")
_MOSAIC = re.compile(r"^jw\d{5}-c\d{4}", re.IGNORECASE)
_MANIFEST = "ingest-manifest.json"


def product_key(name: str) -> tuple[str, int | None]:
    """Split a product name into (name without the target token, target number or None)."""
    parts = str(name).lower().split("_", 2)
    if len(parts) < 3:
        return str(name).lower(), None
    head, tid, rest = parts
    num = int(tid[1:]) if tid[:1] in ("t", "s") and tid[1:].isdigit() else None
    return f"{head}_{rest}", num


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
    def _manifest(self) -> dict:
        path = self.outpath / _MANIFEST
        if path.is_file():
            try:
                manifest = json.loads(path.read_text("utf-8"))
            except (json.JSONDecodeError, UnicodeDecodeError):
                manifest = None
            if isinstance(manifest, dict) and isinstance(manifest.get("processed"), list):
                return manifest
            log.warning(
                "%s is not an ingest manifest (JSON with a 'processed' list); starting a new "
                "one, so every daily file is read again (duplicates are dropped)",
                path,
            )
        return {"format": "spacekit-ingest", "version": 1, "processed": []}

    def _carried(self) -> pd.DataFrame | None:
        path = self.outpath / "ingest.csv"
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

    def read_inputs(self) -> pd.DataFrame | None:
        """Read new daily files plus carried rows; return the de-duplicated job table.

        Returns None when every daily file was ingested before and nothing is carried.
        """
        files, skipped = find_daily_files(self.input_path, self.pfx)
        self.report.skipped += [(str(p), r) for p, r in skipped]
        done = set() if self.reprocess else set(self._manifest()["processed"])
        new = [f for f in files if f.name not in done]
        if files and not new:
            log.info(
                "all %d daily files were ingested before; only carried rows are used", len(files)
            )
        raw, bad = read_many(new, pfx=self.pfx)
        self.report.skipped += [(str(p), r) for p, r in bad]
        self.report.files_read = [f.name for f in new if str(f) not in {str(p) for p, _ in bad}]
        frames = [f for f in (self._carried(), raw) if f is not None and not f.empty]
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
        """Drop L1 rows of non-Level-3 exposure types and MIRI MRS channel 2/4 L3 rows.

        Level-3 rows without a numeric ``ImageSize`` cannot label a product: they are
        dropped and listed in the report's ``skipped`` with the file they came from.
        """
        from spacekit.preprocessor.tables.jwst_cal import L3_TYPES

        no_size = (df["level"] == 3) & pd.to_numeric(df["ImageSize"], errors="coerce").isna()
        if no_size.any():
            sources = df.loc[no_size, "source"] if "source" in df.columns else None
            for ds in df.index[no_size.to_numpy()]:
                where = f" ({sources.loc[ds]})" if sources is not None else ""
                self.report.skipped.append(
                    (f"{ds}{where}", "Level-3 job has no numeric ImageSize; not a training label")
                )
            log.warning("skipped %d Level-3 rows without a numeric ImageSize", int(no_size.sum()))
            df = df[~no_size.to_numpy()]
        drop = pd.Series(False, index=df.index)
        if "EXP_TYPE" in df.columns:
            exp = df["EXP_TYPE"].astype("string").str.upper()
            drop |= (df["level"] == 1) & ~exp.isin(L3_TYPES).fillna(False)
        names = df.index.to_series().str.lower()
        drop |= (df["level"] == 3) & names.str.contains(r"_miri_ch[24]-", regex=True)
        self.report.dropped = int(drop.sum())
        if self.report.dropped:
            log.info(
                "dropped %d rows: Level-1 exposures of non-Level-3 types (target "
                "acquisitions ...) and MIRI MRS channel 2/4 Level-3 rows",
                self.report.dropped,
            )
        return df[~drop.to_numpy()]

    # -- matching ----------------------------------------------------------------------
    def _scrubber(self, l1: pd.DataFrame):
        from spacekit.preprocessor.scrub import JwstCalScrubber

        scrubber = JwstCalScrubber(data=l1, mode="df", progress=False)
        self.report.skipped += [(str(p), str(r)) for p, r in scrubber.skipped]
        return scrubber

    @staticmethod
    def _targname(members: Sequence[str], l1: pd.DataFrame) -> str | None:
        if "TARGNAME" not in l1.columns:
            return None
        names = l1.loc[[m for m in members if m in l1.index], "TARGNAME"].dropna().astype(str)
        return names.iloc[0] if len(names) else None

    def match(self, jobs: pd.DataFrame) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, set]:
        """Match scrubbed L1 products to L3 jobs.

        Returns
        -------
        tables : dict
            ``{mode: DataFrame}`` of matched products (index = Level-3 Dataset name).
        raw : DataFrame
            The matched Level-3 rows, with an ``exp_mode`` column.
        used : set
            Dataset labels (L1 and L3) consumed by a match.
        """
        l1 = jobs[jobs["level"] == 1]
        l3 = jobs[jobs["level"] == 3]
        mosaic = l3.index.to_series().str.match(_MOSAIC)
        self._mosaics = l3[mosaic]
        l3 = l3[~mosaic]
        keyed: dict[str, list[str]] = {}
        for ds in l3.index:
            keyed.setdefault(product_key(ds)[0], []).append(ds)
        tables, raw_rows, used = {}, [], set()
        taken: set[str] = set()
        if l1.empty or l3.empty:
            return tables, l3.iloc[0:0], used
        scrubber = self._scrubber(l1)
        products = scrubber.products
        for mode in MODES:
            feats = scrubber.scrub_inputs(exp_type=mode)
            if feats is None or len(feats) == 0:
                continue
            rows = []
            for pname in feats.index:
                key, num = product_key(pname)
                cands = [c for c in keyed.get(key, []) if c not in taken]
                if not cands:
                    continue
                if len(cands) > 1:
                    same_num = [c for c in cands if product_key(c)[1] == num]
                    tname = self._targname(products.get(pname, []), l1)
                    same_targ = (
                        [
                            c
                            for c in cands
                            if tname is not None and str(l3.at[c, "TARGNAME"]) == tname
                        ]
                        if "TARGNAME" in l3.columns
                        else []
                    )
                    cands = same_num or same_targ or cands
                ds = sorted(cands)[0]
                taken.add(ds)
                used.add(ds)
                used.update(m for m in products.get(pname, []) if m in l1.index)
                row = feats.loc[pname].to_dict()
                job = l3.loc[ds]
                row.update(
                    Dataset=ds,
                    pname=pname,
                    date=job["date"],
                    year=job["year"],
                    doy=job["doy"],
                    imagesize=float(job["ImageSize"]),
                    imgsize_gb=float(job["ImageSize"]) / 1e6,
                    exp_mode=mode.lower(),
                )
                rows.append(row)
                raw_rows.append(job.to_frame().T.assign(exp_mode=mode.lower()))
            if rows:
                tables[mode] = pd.DataFrame(rows).set_index("Dataset")
                self.report.matched[mode.lower()] = len(rows)
        raw = pd.concat(raw_rows) if raw_rows else l3.iloc[0:0]
        return tables, raw, used

    # -- writing -----------------------------------------------------------------------
    def _append(self, name: str, new: pd.DataFrame) -> Path:
        path = self.outpath / name
        df = new
        if path.is_file():
            old = pd.read_csv(path, index_col="Dataset", low_memory=False)
            old.index = old.index.astype(str)
            df = pd.concat([old, new], axis=0, sort=False)
        if "imagesize" in df.columns:
            df = df.sort_values(["date", "imagesize"], kind="stable")
        df = df[~df.index.duplicated(keep="last")]
        with atomic_path(path) as tmp:
            df.to_csv(tmp, index=True, index_label="Dataset")
        self.report.outputs.append(str(path))
        return path

    def _write(self, name: str, df: pd.DataFrame) -> Path:
        path = self.outpath / name
        with atomic_path(path) as tmp:
            df.to_csv(tmp, index=True, index_label="Dataset")
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
        self.outpath.mkdir(parents=True, exist_ok=True)
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
        rest = self._drop_old(rest)
        self._write("ingest.csv", rest)
        self.report.carried = int(len(rest))
        if self.save_l1:
            l1 = jobs[(jobs["level"] == 1) & jobs["source"].isin(self.report.files_read)]
            self._write("level1.csv", l1)
        manifest = self._manifest()
        manifest["processed"] = sorted(set(manifest["processed"]) | set(self.report.files_read))
        manifest["updated"] = datetime.now(UTC).isoformat(timespec="seconds")
        atomic_write_json(self.outpath / _MANIFEST, manifest)
        log.info(
            "ingest: %d files read, %d products matched %s, %d rows carried, %d skipped",
            len(self.report.files_read),
            self.report.n_matched,
            self.report.matched,
            self.report.carried,
            len(self.report.skipped),
        )
        return self.report

    def _drop_old(self, rest: pd.DataFrame) -> pd.DataFrame:
        if rest.empty or self.max_carry_days <= 0:
            return rest
        dates = pd.to_datetime(rest["date"], errors="coerce")
        newest = dates.max()
        keep = (newest - dates).dt.days <= self.max_carry_days
        keep = keep.fillna(True).to_numpy(bool)
        if not np.all(keep):
            log.info(
                "dropping %d unmatched rows older than %d days",
                int((~keep).sum()),
                self.max_carry_days,
            )
        return rest[keep]


def jwst_cal_ingest(input_path, outpath, pfx: str = "", save_l1: bool = False) -> IngestReport:
    """Functional form of ``JwstCalIngest(...).run_ingest()`` (1.1.4 name)."""
    return JwstCalIngest(input_path, outpath, pfx=pfx, save_l1=save_l1).run_ingest()


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m spacekit.preprocessor.ingest",
        description="Build training tables from daily pipeline metadata CSVs.",
    )
    sub = p.add_subparsers(dest="skope", required=True)
    j = sub.add_parser("jcal", help="JWST calibration (Level-3 memory) training tables")
    j.add_argument("-i", "--input_path", "--input-path", required=True)
    j.add_argument("-o", "--outpath", "--out", required=True)
    j.add_argument("-p", "--pfx", default="")
    j.add_argument("-s", "--save_l1", "--save-l1", type=parse_bool, default=False)
    j.add_argument("--reprocess", action="store_true", help="read already-ingested days again")
    j.add_argument("-v", "--verbose", action="count", default=0)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns 0 on success, 1 when nothing was usable."""
    from spacekit.logging_setup import configure_logging, verbosity_to_level

    args = _parser().parse_args(argv)
    configure_logging(verbosity_to_level(1 + args.verbose))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SkippedInputWarning)  # each one is logged
            report = JwstCalIngest(
                args.input_path,
                args.outpath,
                pfx=args.pfx,
                save_l1=args.save_l1,
                reprocess=args.reprocess,
            ).run_ingest()
    except SpacekitError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    for path, reason in report.skipped:
        sys.stderr.write(f"skipped {path}: {reason}\n")
    sys.stdout.write(
        f"files read: {len(report.files_read)}  matched: {report.n_matched} "
        f"{json.dumps(report.matched)}  carried: {report.carried}  dropped: {report.dropped}  "
        f"mosaics: {report.mosaics}\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
