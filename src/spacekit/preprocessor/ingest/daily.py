"""Read the daily raw pipeline-metadata CSVs of JWST calibration jobs.

Each file is named ``YYYY-MM-DD_DOY.csv`` (the date of the jobs it lists), has a
``Dataset`` index column, a ``DagNodeName`` (pipeline step), an ``ImageSize`` (the job's
memory footprint, in kB) and the FITS header keywords of the exposure.
A file that cannot be used is skipped with a reason instead of aborting the run; so is a
single garbage row (not UTF-8 text, malformed CSV, a wrong number of fields, no
``Dataset``), and the rest of its file is kept. A file without some of the header keyword
columns the features need (:data:`KEYWORD_COLUMNS`) keeps its Level-3 rows, but its
Level-1 rows are left out with the reason instead of being filled with missing values.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import warnings
from datetime import date
from pathlib import Path

import pandas as pd

from spacekit.exceptions import InputError, SkippedInputWarning
from spacekit.extractor.keywords.jwst_cal import GENKEYS, SCIKEYS

__all__ = [
    "DAILY_PATTERN",
    "REQUIRED_COLUMNS",
    "KEYWORD_COLUMNS",
    "find_daily_files",
    "read_daily_csv",
    "read_many",
    "dag_level",
    "normalise_codes",
]

log = logging.getLogger(__name__)

DAILY_PATTERN = re.compile(r"^(?P<date>\d{4}-\d{2}-\d{2})_(?P<doy>\d{1,3})\.csv$")
#: Columns every daily CSV needs besides ``Dataset`` (``EXP_TYPE`` groups the exposures).
REQUIRED_COLUMNS = ("DagNodeName", "ImageSize", "EXP_TYPE")
#: Header keyword columns the Level-1 rows need to make features (the scraper's keywords).
KEYWORD_COLUMNS = tuple(GENKEYS) + tuple(SCIKEYS)
#: Columns read as text, so that zero-padded codes survive ("01076", "001").
STRING_COLUMNS = {"Dataset": str, "PROGRAM": str, "OBSERVTN": str, "VISIT": str}
_PADDING = {"PROGRAM": 5, "OBSERVTN": 3}


def normalise_codes(df: pd.DataFrame) -> pd.DataFrame:
    """Zero-pad ``PROGRAM`` (5 digits) and ``OBSERVTN`` (3 digits) in place and return df."""
    for col, width in _PADDING.items():
        if col in df.columns:
            text = df[col].astype("string").str.strip().str.replace(r"\.0$", "", regex=True)
            df[col] = text.where(~text.str.isdigit().fillna(False), text.str.zfill(width))
    return df


def find_daily_files(input_path: str | Path, pfx: str = "") -> tuple[list[Path], list[tuple]]:
    """Return the daily CSVs under ``input_path`` (a folder or one file), sorted by name.

    Returns
    -------
    files : list of pathlib.Path
    skipped : list of (path, reason)
        CSV files whose name is not ``{pfx}YYYY-MM-DD_DOY.csv``.

    Raises
    ------
    InputError
        If the path does not exist or holds no CSV file at all.
    """
    path = Path(input_path)
    if not path.exists():
        raise InputError(
            f"Input path {path} does not exist; expected a folder of daily metadata CSVs "
            "named YYYY-MM-DD_DOY.csv (or one such file)."
        )
    candidates = [path] if path.is_file() else sorted(path.glob(f"{pfx}*.csv"))
    if not candidates:
        raise InputError(
            f"No CSV files matching {pfx}*.csv in {path}; expected daily metadata CSVs "
            "named YYYY-MM-DD_DOY.csv."
        )
    files, skipped = [], []
    for f in candidates:
        name = f.name[len(pfx) :] if pfx and f.name.startswith(pfx) else f.name
        if DAILY_PATTERN.match(name):
            files.append(f)
        else:
            skipped.append((f, "file name is not YYYY-MM-DD_DOY.csv"))
    return files, skipped


def dag_level(dag: str) -> int | None:
    """Pipeline level of a ``DagNodeName`` (3, 1, or None for other steps)."""
    text = str(dag).upper()
    if "MEMORY" in text:
        return None
    if "3" in text:
        return 3
    if "1" in text:
        return 1
    return None


def read_daily_csv(path: str | Path, pfx: str = "") -> pd.DataFrame:
    """Read one daily CSV and add ``date``, ``year``, ``doy``, ``level`` and ``source``.

    Raises
    ------
    InputError
        If the file cannot be parsed, lacks ``Dataset``/``DagNodeName``/``ImageSize``/
        ``EXP_TYPE``, or has a bad date in its name. The message says what was found.
    """
    path = Path(path)
    name = path.name[len(pfx) :] if pfx and path.name.startswith(pfx) else path.name
    m = DAILY_PATTERN.match(name)
    if m is None:
        raise InputError(f"{path.name}: file name is not YYYY-MM-DD_DOY.csv")
    try:
        day = date.fromisoformat(m["date"])
    except ValueError as exc:
        raise InputError(f"{path.name}: invalid date in file name ({exc})") from exc
    try:
        text, bad_rows = _checked_lines(path.read_bytes(), path.name)
        df = pd.read_csv(io.BytesIO(text), low_memory=False, dtype=STRING_COLUMNS)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(f"{path.name}: not a readable CSV ({type(exc).__name__}: {exc})") from exc
    except OSError as exc:
        raise InputError(f"{path.name}: cannot be read ({exc.strerror or exc})") from exc
    if "Dataset" not in df.columns:
        raise InputError(
            f"{path.name}: no 'Dataset' column (found {list(df.columns)[:8]}...); expected "
            "Dataset, DagNodeName, ImageSize and the FITS keywords."
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(
            f"{path.name}: missing required column(s) {missing}; expected Dataset, "
            "DagNodeName, ImageSize and the FITS header keywords (EXP_TYPE, ...)."
        )
    nameless = df["Dataset"].isna() | (df["Dataset"].astype(str).str.strip() == "")
    if nameless.any():
        bad_rows += [(f"{path.name} row {i + 2}", "no Dataset name") for i in df.index[nameless]]
        df = df[~nameless]
    if df.empty:
        raise InputError(f"{path.name}: no rows{' that can be read' if bad_rows else ''}.")
    df["Dataset"] = df["Dataset"].astype(str)
    df = normalise_codes(df.set_index("Dataset"))
    df["ImageSize"] = pd.to_numeric(df["ImageSize"], errors="coerce")
    df["date"] = day.isoformat()
    df["year"] = day.year
    df["doy"] = int(m["doy"])
    df["level"] = [dag_level(d) for d in df["DagNodeName"]]
    df["source"] = path.name
    absent = [k for k in KEYWORD_COLUMNS if k not in df.columns]
    level1 = df["level"] == 1
    if absent and level1.any():
        bad_rows.append(
            (
                f"{path.name} ({int(level1.sum())} Level-1 rows)",
                f"no {', '.join(absent)} column(s): its exposures cannot make features, so "
                "they are left out (its Level-3 rows are kept)",
            )
        )
        df = df[~level1.to_numpy()]
    df.attrs["bad_rows"] = bad_rows
    return df


def _checked_lines(raw: bytes, name: str) -> tuple[bytes, list[tuple[str, str]]]:
    """Keep the header and the well-formed lines; return ``(csv bytes, [(row, reason)])``.

    A line is dropped (with its reason) if it is not UTF-8 text, is not one valid CSV
    record on its own line (an unbalanced quote would otherwise swallow the lines after
    it) or has another number of fields than the header.
    """
    lines = raw.splitlines()
    if not lines:
        return raw, []
    header = lines[0].decode("utf-8")  # an unreadable header makes the file unreadable
    n_fields = len(next(csv.reader([header], strict=True)))
    good, bad = [lines[0]], []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        try:
            fields = next(csv.reader([line.decode("utf-8")], strict=True))
        except UnicodeDecodeError:
            bad.append((f"{name} line {number}", "not UTF-8 text"))
            continue
        except csv.Error as exc:
            bad.append((f"{name} line {number}", f"malformed CSV ({exc})"))
            continue
        if len(fields) != n_fields:
            bad.append(
                (f"{name} line {number}", f"{len(fields)} fields; the header has {n_fields}")
            )
            continue
        good.append(line)
    return b"\n".join(good) + b"\n", bad


def read_many(files: list[Path], pfx: str = "") -> tuple[pd.DataFrame | None, list[tuple]]:
    """Read several daily CSVs; unreadable files and rows are skipped with a reason.

    Returns the rows of all files and ``[(file or row, reason)]``. One warning names the
    skipped files, one the skipped rows.
    """
    frames, skipped, rows = [], [], []
    for f in files:
        try:
            df = read_daily_csv(f, pfx=pfx)
        except InputError as exc:
            skipped.append((f, str(exc)))
            log.warning("skipping %s", exc)
            warnings.warn(f"skipped {exc}", SkippedInputWarning, stacklevel=3)
            continue
        rows += df.attrs.pop("bad_rows", [])
        frames.append(df)
    for label, reason in rows:
        log.warning("skipping %s: %s", label, reason)
    if rows:
        warnings.warn(
            f"skipped {len(rows)} row(s) of the daily files, kept the rest "
            f"({', '.join(f'{label}: {reason}' for label, reason in rows[:2])}"
            f"{' ...' if len(rows) > 2 else ''})",
            SkippedInputWarning,
            stacklevel=3,
        )
    skipped += rows
    if not frames:
        return None, skipped
    return pd.concat(frames, axis=0, sort=False), skipped
