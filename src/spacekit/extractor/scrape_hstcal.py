"""Read the raw inputs of the HST calibration resource models ("calcloud" jobs).

Every source gives the same record per dataset: its name (the ``ipppssoot``) and seven
raw values, ``FEATURE_KEYS``: ``n_files`` and ``total_mb`` of the raw input files and
the primary-header keywords ``HEADER_KEYWORDS`` (``DETECTOR, SUBARRAY, DRIZCORR,
PCTECORR, CRSPLIT``). Both lists live in :mod:`spacekit.extractor.keywords.hst_cal`. The sources are

* a ``{dataset}_MemModelFeatures.txt`` file, one ``key=value`` per line, on disk or at an
  ``s3://bucket/key`` address (read with boto3, the ``aws`` extra);
* a CSV of many datasets: a dataset column (``dataset``, ``ipst``, ``ipppssoot`` or the
  first column) and the seven keys as columns;
* the dataset's raw FITS files on disk: a folder holding them (a dataset's folder, as
  calcloud stores ``inputs/{ipppssoot}/``), or a folder of such folders. ``n_files`` is the
  number of FITS files, ``total_mb`` their total size in MiB (``2**20`` bytes), and the
  keywords come from the primary header of the first exposure (``*_raw.fits`` first, in
  name order) that has ``DETECTOR``. A switch keyword absent from the header (COS has no
  ``DRIZCORR``) is recorded as ``"NaN"``, as calcloud does.

Values are returned as found (strings, numbers); turning them into model features is the
preprocessor's work (:mod:`spacekit.preprocessor.scrub_hstcal`). A key that is absent is
``None``, so the encoder can say "missing keyword". Inputs that cannot be read are listed
with the reason in the ``skipped`` list each reader returns.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from spacekit._optional import require
from spacekit.exceptions import InputError
from spacekit.extractor.keywords.hst_cal import (
    BYTES_PER_MB,
    FEATURE_KEYS,
    FEATURES_SUFFIX,
    HEADER_KEYWORDS,
)
from spacekit.extractor.scrape_fits import MISSING, FitsReadError, read_primary_cards

__all__ = [
    "parse_features_text",
    "read_features_file",
    "read_features_csv",
    "read_text_csv",
    "dataset_column",
    "scrape_fits_datasets",
    "records_frame",
    "load_hstcal_inputs",
]

log = logging.getLogger(__name__)

_FITS_SUFFIXES = (".fits", ".fits.gz", ".fit")
_DATASET_COLUMNS = ("dataset", "ipst", "ipppssoot", "index", "name")
_IPPPSSOOT = re.compile(r"^[a-z0-9]{9}$", re.IGNORECASE)
_KEY_LOOKUP = {k.lower(): k for k in FEATURE_KEYS}


def _canonical_key(key: str) -> str | None:
    return _KEY_LOOKUP.get(str(key).strip().lower())


# --------------------------------------------------------------------- feature files
def parse_features_text(text: str, source: str = "features file") -> dict[str, str]:
    """Parse the ``key=value`` lines of a ``_MemModelFeatures.txt`` file.

    Keys are matched case-insensitively to ``FEATURE_KEYS`` (other keys are kept as
    they are); a value is everything after the first ``=``, so values may contain ``=``.
    Lines written as Python bytes reprs (``b'n_files=3'``) are unwrapped; blank lines and
    ``#`` comments are ignored.

    Parameters
    ----------
    text : str
        The file content.
    source : str, default="features file"
        How to name the input in error messages.

    Returns
    -------
    dict
        ``{key: value}`` with string values.

    Raises
    ------
    InputError
        If a line has no ``=`` or an empty key (the message gives the line number).

    Examples
    --------
    >>> parse_features_text("n_files=3\\ntotal_mb=86\\nDETECTOR=UVIS")
    {'n_files': '3', 'total_mb': '86', 'DETECTOR': 'UVIS'}
    """
    values: dict[str, str] = {}
    for number, raw in enumerate(str(text).splitlines(), start=1):
        line = raw.strip()
        if len(line) >= 3 and line[:2] in ("b'", 'b"') and line[-1] == line[1]:
            line = line[2:-1].strip()  # a bytes repr, as written by str(bytes_line)
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise InputError(
                f"{source}, line {number}: expected 'key=value', received {raw.strip()!r}."
            )
        name = _canonical_key(key) or key.strip()
        values[name] = value.strip()
    return values


def _dataset_from_path(path: str) -> str:
    name = path.rstrip("/").rsplit("/", 1)[-1]
    if name.endswith(FEATURES_SUFFIX):
        return name[: -len(FEATURES_SUFFIX)]
    return name.split(".", 1)[0]


def _read_s3(uri: str) -> str:
    boto3 = require("boto3", feature=f"reading {uri}")
    bucket, _, key = uri[len("s3://") :].partition("/")
    if not bucket or not key:
        raise InputError(f"Expected an S3 address 's3://BUCKET/KEY'; received {uri!r}.")
    try:
        body = boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    except Exception as exc:  # botocore raises ClientError, NoCredentialsError, ...
        raise InputError(f"Could not read {uri}: {type(exc).__name__}: {exc}") from exc
    return body.decode("utf-8", "replace")


def read_features_file(path: str | os.PathLike) -> tuple[str, dict[str, str]]:
    """Read one ``{dataset}_MemModelFeatures.txt`` file (local path or ``s3://`` address).

    Parameters
    ----------
    path : str or os.PathLike
        The file. The dataset name is the file name without ``_MemModelFeatures.txt``
        (or without its extension), unless the file has a ``dataset`` line.

    Returns
    -------
    tuple of (str, dict)
        The dataset name and the parsed ``{key: value}``.

    Raises
    ------
    InputError
        If the file does not exist, cannot be read, or has a malformed line.
    OptionalDependencyError
        For an ``s3://`` address when boto3 is not installed (``pip install "spacekit[aws]"``).
    """
    text_path = str(path)
    if text_path.startswith("s3://"):
        text = _read_s3(text_path)
    else:
        p = Path(path).expanduser()
        if not p.is_file():
            raise InputError(
                f"Features file not found: '{p}'. Pass a {{dataset}}{FEATURES_SUFFIX} file."
            )
        try:
            text = p.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise InputError(f"Could not read '{p}': {exc}") from exc
        text_path = str(p)
    values = parse_features_text(text, source=text_path)
    name = str(values.pop("dataset", "") or _dataset_from_path(text_path))
    return name, values


# ------------------------------------------------------------------------------ CSV
def read_features_csv(path: str | os.PathLike) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """Read a CSV of many datasets (one row each) with the raw values as text.

    Parameters
    ----------
    path : str or os.PathLike
        A CSV with a dataset column (``dataset``, ``ipst``, ``ipppssoot``, ``index`` or
        ``name``, any case; else the first column) and the ``FEATURE_KEYS`` columns
        (any case). Other columns (labels, encoded features) are ignored.

    Returns
    -------
    records : pandas.DataFrame
        Indexed by dataset, the ``FEATURE_KEYS`` columns (strings kept as written, so
        ``"NaN"`` stays a string; ``None`` for a column the CSV lacks).
    skipped : list of (str, str)
        Rows left out (duplicate or empty dataset names), with the reason.

    Raises
    ------
    InputError
        If the file does not exist or is not a CSV with a header row.
    """
    p = Path(path).expanduser()
    df = read_text_csv(p)
    name_col = dataset_column(df)
    columns = {c: _canonical_key(c) for c in df.columns if c != name_col}
    keep = {c: k for c, k in columns.items() if k is not None}
    records = df[list(keep)].rename(columns=keep).astype(object)
    for key in FEATURE_KEYS:  # an absent column is a missing keyword for every row
        if key not in records.columns:
            records[key] = None
    records = records[list(FEATURE_KEYS)]
    records.index = pd.Index(df[name_col].astype(str).str.strip(), name="dataset")
    return _dedupe(records, str(p))


def read_text_csv(path: str | os.PathLike) -> pd.DataFrame:
    """Read a CSV with every cell as text (``"NaN"`` stays a string).

    Raises
    ------
    InputError
        If the file does not exist, cannot be parsed, or has no header row.
    """
    p = Path(path).expanduser()
    if not p.is_file():
        raise InputError(f"CSV not found: '{p}'.")
    try:
        df = pd.read_csv(p, dtype=str, keep_default_na=False)
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise InputError(f"Could not read '{p}' as CSV: {exc}") from exc
    if df.shape[1] == 0:
        raise InputError(f"'{p}' has no columns; expected a header row.")
    return df


def dataset_column(df: pd.DataFrame) -> str:
    """The column naming the datasets: ``dataset``, ``ipst``, ``ipppssoot``, ``index`` or
    ``name`` (any case), else the first column."""
    lower = {str(c).strip().lower(): c for c in df.columns}
    return next((lower[c] for c in _DATASET_COLUMNS if c in lower), df.columns[0])


def _dedupe(records: pd.DataFrame, source: str) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    skipped: list[tuple[str, str]] = []
    empty = records.index == ""
    for _ in range(int(empty.sum())):
        skipped.append((f"{source} (row without a dataset name)", "no dataset name"))
    records = records[~empty]
    dup = records.index.duplicated(keep="first")
    skipped.extend(
        (str(name), f"duplicate dataset in {source}; the first row is used")
        for name in records.index[dup]
    )
    return records[~dup], skipped


# ----------------------------------------------------------------------------- FITS
def _is_fits(path: Path) -> bool:
    return path.is_file() and path.name.lower().endswith(_FITS_SUFFIXES)


def _fits_files(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if _is_fits(p))
    except OSError:
        return []


def _dataset_name(folder: Path, files: list[Path]) -> str | None:
    if _IPPPSSOOT.match(folder.name):
        return folder.name.lower()
    asn = [f for f in files if f.name.lower().endswith(("_asn.fits", "_asn.fits.gz"))]
    if len(asn) == 1:
        return asn[0].name.split("_", 1)[0].lower()
    stems = {f.name.split("_", 1)[0].lower() for f in files}
    if len(stems) == 1:
        return stems.pop()
    return None


def _header_order(files: list[Path]) -> list[Path]:
    def rank(p: Path) -> tuple[int, str]:
        name = p.name.lower()
        return (0 if "_raw." in name else 1 if "_asn." not in name else 2, name)

    return sorted(files, key=rank)


def _scrape_one(folder: Path, files: list[Path]) -> tuple[dict | None, str | None]:
    """Return (record, None) or (None, reason) for the FITS files of one dataset."""
    headers: list[tuple[Path, dict]] = []
    for path in _header_order(files):
        try:
            headers.append((path, read_primary_cards(path, HEADER_KEYWORDS)))
        except FitsReadError as exc:
            return None, f"{path.name} is not a readable FITS file ({exc})"
    source = next(((p, h) for p, h in headers if h.get("DETECTOR", MISSING) != MISSING), None)
    if source is None:
        return None, f"no DETECTOR keyword in the primary header of {[f.name for f in files]}"
    path, header = source
    record: dict = {
        "n_files": len(files),
        "total_mb": sum(f.stat().st_size for f in files) / BYTES_PER_MB,
    }
    for key in HEADER_KEYWORDS:
        value = header.get(key, MISSING)
        record[key] = str(value) if isinstance(value, bool) else value
    record["_header_file"] = path.name
    return record, None


def scrape_fits_datasets(
    path: str | os.PathLike, progress: bool = True
) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """Scrape the raw FITS inputs of the datasets under ``path``.

    Parameters
    ----------
    path : str or os.PathLike
        A dataset's folder (holding its FITS files), or a folder of dataset folders
        (one level deep). A folder named like an ipppssoot names its dataset; otherwise the
        ``*_asn.fits`` file or the common file-name prefix does.
    progress : bool, default=True
        Show a progress bar over many datasets (hidden when not a terminal).

    Returns
    -------
    records : pandas.DataFrame
        Indexed by dataset with the ``FEATURE_KEYS`` columns (``total_mb`` in MiB) and
        ``_header_file`` (the file the keywords came from).
    skipped : list of (str, str)
        Datasets (or folders) that could not be scraped, with the reason.

    Raises
    ------
    InputError
        If ``path`` is not a folder or holds no FITS files.
    """
    from tqdm.auto import tqdm

    root = Path(path).expanduser()
    if not root.is_dir():
        raise InputError(f"'{root}' is not a folder of FITS files.")
    groups: list[tuple[Path, list[Path]]] = []
    top = _fits_files(root)
    if top:
        groups.append((root, top))
    for sub in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        files = _fits_files(sub)
        if files:
            groups.append((sub, files))
    if not groups:
        raise InputError(
            f"No FITS files in '{root}' or its sub-folders; expected a dataset's raw "
            "files (e.g. *_raw.fits, *_asn.fits) or one folder per dataset."
        )
    records, skipped = {}, []
    for folder, files in tqdm(groups, desc="datasets", disable=not progress or len(groups) < 20):
        name = _dataset_name(folder, files)
        if name is None:
            skipped.append(
                (
                    str(folder),
                    "cannot tell the dataset name: name the folder by the "
                    "ipppssoot or include its *_asn.fits",
                )
            )
            continue
        if name in records:
            skipped.append((name, f"duplicate dataset in '{folder}'; the first folder is used"))
            continue
        record, reason = _scrape_one(folder, files)
        if record is None:
            skipped.append((name, reason))
        else:
            records[name] = record
    frame = pd.DataFrame.from_dict(records, orient="index")
    frame.index.name = "dataset"
    return frame, skipped


# ----------------------------------------------------------------------- dispatching
def records_frame(records: Iterable[tuple[str, Mapping]]) -> pd.DataFrame:
    """Build the raw-values frame from ``(dataset, {key: value})`` pairs.

    Keys are matched case-insensitively to ``FEATURE_KEYS``; a key a record lacks is
    ``None`` (the encoder reports it as a missing keyword).
    """
    rows, names = [], []
    for name, values in records:
        canon = {}
        for key, value in dict(values).items():
            k = _canonical_key(key)
            if k is not None:
                canon[k] = value
        rows.append({k: canon.get(k) for k in FEATURE_KEYS})
        names.append(str(name))
    frame = pd.DataFrame(rows, columns=list(FEATURE_KEYS), dtype=object)
    frame.index = pd.Index(names, name="dataset")
    return frame


def _feature_files(root: Path) -> list[Path]:
    """Feature files up to two levels down (calcloud's ``control/{dataset}/`` layout)."""
    found = [p for depth in ("", "*/", "*/*/") for p in root.glob(f"{depth}*{FEATURES_SUFFIX}")]
    return sorted(p for p in found if p.is_file())


def load_hstcal_inputs(source, progress: bool = True) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """Read HST cal inputs from any supported source into one raw-values frame.

    Parameters
    ----------
    source : mapping, pandas.DataFrame, str or os.PathLike
        * a dict ``{dataset: {key: value}}`` (several datasets) or one record with a
          ``dataset`` key;
        * a DataFrame indexed by dataset with the keys as columns;
        * a ``_MemModelFeatures.txt`` file path or ``s3://`` address;
        * a ``.csv`` file of many datasets;
        * a folder: its ``*_MemModelFeatures.txt`` files (also up to two levels down, as in
          calcloud's ``control/{dataset}/``), or else the raw FITS files of one dataset or
          of one dataset per sub-folder.
    progress : bool, default=True
        Progress bar while scraping many FITS datasets.

    Returns
    -------
    records : pandas.DataFrame
        Indexed by dataset, columns ``FEATURE_KEYS`` (None where a key is absent).
    skipped : list of (str, str)
        Inputs that could not be read, with the reason.

    Raises
    ------
    InputError
        If the source does not exist, is of an unsupported kind, or holds no inputs.
    """
    if isinstance(source, pd.DataFrame):
        records = source.rename(columns=lambda c: _canonical_key(c) or c).astype(object)
        for key in FEATURE_KEYS:  # an absent key is None; a NaN cell is the value "NaN"
            if key not in records.columns:
                records[key] = None
        records = records[list(FEATURE_KEYS)]
        records.index = pd.Index([str(i) for i in source.index], name="dataset")
        return _dedupe(records, "the DataFrame")
    if isinstance(source, Mapping):
        if "dataset" in source and not isinstance(source["dataset"], Mapping):
            values = {k: v for k, v in source.items() if k != "dataset"}
            return records_frame([(str(source["dataset"]), values)]), []
        bad = [k for k, v in source.items() if not isinstance(v, Mapping)]
        if bad:
            raise InputError(
                "A dict input is either {dataset: {key: value}, ...} or one record with a "
                f"'dataset' key; received non-dict values for {bad[:3]}."
            )
        return records_frame(source.items()), []
    text = str(source)
    if text.startswith("s3://"):
        name, values = read_features_file(text)
        return records_frame([(name, values)]), []
    path = Path(text).expanduser()
    if not path.exists():
        raise InputError(
            f"Input not found: '{path}'. Pass a {FEATURES_SUFFIX} file, a CSV of datasets, "
            "a folder of raw FITS files, or a dict of keyword values"
            + (
                f"; a bare dataset name such as '{text}' is read from S3 and needs its "
                "bucket (bucket_name=, or --bucket on the command line)."
                if _IPPPSSOOT.match(text)
                else "."
            )
        )
    if path.is_file() and path.suffix.lower() == ".csv":
        return read_features_csv(path)
    if path.is_file():
        name, values = read_features_file(path)
        return records_frame([(name, values)]), []
    files = _feature_files(path)
    if files:
        pairs, skipped = [], []
        for f in files:
            try:
                pairs.append(read_features_file(f))
            except InputError as exc:
                skipped.append((str(f), str(exc)))
        if not pairs:
            return records_frame([]), skipped
        frame, dups = _dedupe(records_frame(pairs), str(path))
        return frame, skipped + dups
    frame, skipped = scrape_fits_datasets(path, progress=progress)
    if frame.empty:
        return records_frame([]), skipped
    return frame[list(FEATURE_KEYS)].astype(object), skipped
