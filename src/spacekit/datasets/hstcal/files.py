"""Write simulated HST calibration jobs in the formats the predictor reads.

* :func:`write_features_files`: one calcloud ``{dataset}_MemModelFeatures.txt`` per job
  (``key=value`` lines), flat or in calcloud's ``control/{dataset}/`` layout;
* :func:`write_fits_datasets`: one folder per job holding small raw FITS files whose
  primary headers carry the job's keywords (``INSTRUME``, ``DETECTOR``, ``SUBARRAY``,
  ``DRIZCORR``, ``PCTECORR``, ``CRSPLIT``; a keyword that does not apply to the
  instrument is left out, as in real headers). Associations get an ``_asn.fits`` file and
  ``n_files - 1`` member ``_raw.fits`` files; a single exposure ``{dataset}_raw.fits``
  (plus ``n_files - 1`` more raw files if ``n_files`` > 1). The
  files are tiny (a few KB), so their ``total_mb`` is not the simulated one: the scraper
  measures the files it finds.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from spacekit.datasets.hstcal.simulate import KEYWORD_COLUMNS
from spacekit.extractor.keywords.hst_cal import FEATURE_KEYS

__all__ = ["write_features_files", "write_fits_datasets", "FEATURE_FILE_KEYS"]

#: Keys written to a features file, in calcloud's order (the scraper's list).
FEATURE_FILE_KEYS: tuple[str, ...] = FEATURE_KEYS
_SUFFIX = "_MemModelFeatures.txt"
_ALNUM = "0123456789abcdefghijklmnopqrstuvwxyz"


def _check(df: pd.DataFrame) -> None:
    from spacekit.exceptions import InputError

    missing = [c for c in FEATURE_FILE_KEYS if c not in df.columns]
    if missing:
        raise InputError(
            f"The table lacks the column(s) {missing}; expected a table from simulate_hstcal "
            f"(columns {list(KEYWORD_COLUMNS)})."
        )


def write_features_files(
    df: pd.DataFrame, out_dir: str | os.PathLike, layout: str = "flat"
) -> list[Path]:
    """Write one ``{dataset}_MemModelFeatures.txt`` per row.

    Parameters
    ----------
    df : pandas.DataFrame
        A table from :func:`~spacekit.datasets.hstcal.simulate_hstcal` (index: dataset).
    out_dir : str or os.PathLike
        Output folder (created).
    layout : {"flat", "control"}, default="flat"
        ``flat``: ``out_dir/{dataset}_MemModelFeatures.txt``; ``control``: calcloud's
        ``out_dir/control/{dataset}/{dataset}_MemModelFeatures.txt``.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    from spacekit._io import atomic_write_text
    from spacekit.exceptions import InputError

    if layout not in ("flat", "control"):
        raise InputError(f"layout must be 'flat' or 'control'; received {layout!r}.")
    _check(df)
    out = Path(out_dir)
    paths = []
    for name, row in df.iterrows():
        folder = out if layout == "flat" else out / "control" / str(name)
        lines = [f"{k}={row[k]}" for k in FEATURE_FILE_KEYS]
        paths.append(atomic_write_text(folder / f"{name}{_SUFFIX}", "\n".join(lines) + "\n"))
    return paths


def _member_names(name: str, n: int) -> list[str]:
    base = name[:6]
    return [f"{base}{_ALNUM[(k // 36) % 36]}{_ALNUM[k % 36]}q" for k in range(1, n + 1)]


def _header(row: pd.Series, name: str, asn_id: str):
    from astropy.io import fits

    hdr = fits.Header()
    hdr["ROOTNAME"] = name
    hdr["INSTRUME"] = str(row["INSTRUME"])
    hdr["DETECTOR"] = str(row["DETECTOR"])
    hdr["SUBARRAY"] = str(row["SUBARRAY"]).strip().lower() == "true"
    for key in ("DRIZCORR", "PCTECORR"):
        if str(row[key]) != "NaN":
            hdr[key] = str(row[key])
    if str(row["CRSPLIT"]) != "NaN":
        hdr["CRSPLIT"] = int(float(row["CRSPLIT"]))
    hdr["ASN_ID"] = asn_id
    return hdr


def write_fits_datasets(
    df: pd.DataFrame, out_dir: str | os.PathLike, shape: tuple[int, int] = (16, 16)
) -> list[Path]:
    """Write each row's raw FITS inputs into ``out_dir/{dataset}/``.

    Parameters
    ----------
    df : pandas.DataFrame
        A table from :func:`~spacekit.datasets.hstcal.simulate_hstcal`.
    out_dir : str or os.PathLike
        Output folder (created); one sub-folder per dataset.
    shape : tuple of int, default=(16, 16)
        Size of the (zero) SCI image of each raw file.

    Returns
    -------
    list of pathlib.Path
        The dataset folders.
    """
    from astropy.io import fits

    from spacekit._io import atomic_path

    _check(df)
    out = Path(out_dir)
    folders = []
    for name, row in df.iterrows():
        name = str(name)
        folder = out / name
        folder.mkdir(parents=True, exist_ok=True)
        n = max(1, int(row["n_files"]))
        asn = name.endswith("0")
        members = _member_names(name, n - 1) if asn else [name, *_member_names(name, n - 1)]
        if asn:
            hdr = _header(row, name, name.upper())
            table = fits.BinTableHDU.from_columns(
                [fits.Column(name="MEMNAME", format="14A", array=np.array(members + [name]))]
            )
            with atomic_path(folder / f"{name}_asn.fits") as tmp:
                fits.HDUList([fits.PrimaryHDU(header=hdr), table]).writeto(tmp)
        for member in members:
            hdr = _header(row, member, name.upper() if asn else "NONE")
            sci = fits.ImageHDU(np.zeros(shape, dtype=np.uint16), name="SCI")
            with atomic_path(folder / f"{member}_raw.fits") as tmp:
                fits.HDUList([fits.PrimaryHDU(header=hdr), sci]).writeto(tmp)
        folders.append(folder)
    return folders
