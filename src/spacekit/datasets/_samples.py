"""Small packaged samples (no network): paths, loaders and a listing.

Each sample is a folder ``spacekit/datasets/samples/<name>/`` with a ``manifest.json``:

* ``jwst``: Level-1 ``_uncal.fits`` exposures, daily metadata CSVs and ``truth.csv``;
* ``svm``: a few SVM visits (aligned and misaligned) and ``labels.csv``;
* ``hstcal``: ``hstcal.csv``, simulated HST calibration jobs with labels;
* ``results_cal``, ``results_svm``, ``results_jwst``: training results (several
  versions, written by :mod:`spacekit.analyzer.compute`) shown by default by
  ``spacekit dashboard cal|svm|jwst``; made by ``tools/make_dashboard_samples.py``.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from spacekit.exceptions import DataError, InputError

if TYPE_CHECKING:  # pandas is imported by the loaders, so ``import spacekit.datasets`` is cheap
    import pandas as pd

__all__ = [
    "SAMPLE_NAMES",
    "get_sample_path",
    "list_samples",
    "load_jwst_sample",
    "load_svm_sample",
    "load_hstcal_sample",
]

SAMPLE_NAMES: tuple[str, ...] = (
    "jwst",
    "svm",
    "hstcal",
    "results_cal",
    "results_svm",
    "results_jwst",
)


def _samples_root() -> Path:
    return Path(str(resources.files("spacekit.datasets").joinpath("samples")))


def get_sample_path(name: str) -> Path:
    """Return the folder of a packaged sample.

    Parameters
    ----------
    name : {"jwst", "svm", "hstcal", "results_cal", "results_svm", "results_jwst"}
        Sample name.

    Returns
    -------
    pathlib.Path
        The folder ``spacekit/datasets/samples/<name>/`` (it holds ``manifest.json``).

    Raises
    ------
    InputError
        If ``name`` is not a known sample.
    DataError
        If the sample is not installed (its folder or manifest is missing).

    Examples
    --------
    >>> from spacekit.datasets import get_sample_path
    >>> (get_sample_path("hstcal") / "manifest.json").is_file()
    True
    """
    if name not in SAMPLE_NAMES:
        raise InputError(
            f"Unknown sample name={name!r}; expected one of {', '.join(SAMPLE_NAMES)}."
        )
    path = _samples_root() / name
    if not (path / "manifest.json").is_file():
        raise DataError(
            f"The packaged sample {name!r} is missing (no manifest.json in {str(path)!r}). "
            "Reinstall spacekit, or build it with `spacekit datasets simulate "
            f"{name} OUT_DIR` and use that folder instead."
        )
    return path


def _manifest(path: Path) -> dict:
    try:
        return json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataError(f"Cannot read {str(path / 'manifest.json')!r}: {exc}") from exc


def list_samples() -> pd.DataFrame:
    """List the packaged samples.

    Returns
    -------
    pandas.DataFrame
        One row per known sample name with ``available`` (bool), ``path``,
        ``description`` and ``summary`` (counts from the manifest).
    """
    import pandas as pd

    rows = []
    for name in SAMPLE_NAMES:
        path = _samples_root() / name
        row = {
            "name": name,
            "available": False,
            "path": str(path),
            "description": "",
            "summary": "",
        }
        if (path / "manifest.json").is_file():
            try:
                man = _manifest(path)
            except DataError:
                man = {}
            row["available"] = bool(man)
            row["description"] = str(man.get("description", ""))
            counts = man.get("counts") or {}
            parts = [f"{k}={v}" for k, v in counts.items() if not isinstance(v, (dict, list))]
            for key in ("n", "n_visits", "seed"):
                if key in man and not isinstance(man[key], (dict, list)):
                    parts.insert(0, f"{key}={man[key]}")
            row["summary"] = ", ".join(parts)
        rows.append(row)
    return pd.DataFrame(rows).set_index("name")


def load_hstcal_sample() -> pd.DataFrame:
    """Load the packaged HST cal table (see :func:`spacekit.datasets.simulate_hstcal`).

    Returns
    -------
    pandas.DataFrame
        Indexed by ipppssoot, raw keyword columns plus ``memory``, ``wallclock``, ``mem_bin``.
    """
    from spacekit.datasets.hstcal.simulate import read_hstcal_csv

    return read_hstcal_csv(get_sample_path("hstcal") / "hstcal.csv")


def load_svm_sample() -> tuple[Path, pd.DataFrame]:
    """Return the packaged SVM sample folder and its label table.

    Returns
    -------
    path : pathlib.Path
        Folder with one sub-folder per visit (the input of the SVM preprocessing).
    labels : pandas.DataFrame
        ``labels.csv``, indexed by product name, with ``label`` 0 (aligned) / 1 (misaligned).
    """
    import pandas as pd

    path = get_sample_path("svm")
    labels = pd.read_csv(path / "labels.csv", index_col="index", keep_default_na=False)
    return path, labels


def load_jwst_sample() -> tuple[Path, pd.DataFrame]:
    """Return the packaged JWST sample folder and its ground-truth product table.

    Returns
    -------
    path : pathlib.Path
        Folder with ``uncal/``, ``metadata/``, ``truth.csv`` and ``manifest.json``.
    truth : pandas.DataFrame
        ``truth.csv``: one row per Level-3 product with the ground-truth memory ``gb``.
    """
    import pandas as pd

    path = get_sample_path("jwst")
    truth_file = path / "truth.csv"
    if not truth_file.is_file():
        raise DataError(f"The jwst sample at {str(path)!r} has no truth.csv.")
    return path, pd.read_csv(truth_file)
