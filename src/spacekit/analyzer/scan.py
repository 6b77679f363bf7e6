"""Find, order and load any number of training-result versions in a folder.

A *version* is one training iteration: a folder named ``{YYYY-MM-DD}-{unix time}``
(spacekit 1.1.4 and the HST archives) or ``{YYYY-MM-DD}_{unix time}`` (JWST training
runs), holding results folders in one of two layouts::

    2022-02-14-1644848448/            HST cal / SVM (1.1.4)
        data/*.csv                    the training table (EDA)
        models/                       saved models (+ tx_data.json)
        results/mem_bin/ memory/ ...  one results folder per model
    2026-03-01_1772323200/            JWST (spacekit.skopes.jwst.cal.train)
        image/results/0/ 1/ ...       one results folder per mode and fold ("image/0")
        image/data/*.csv  image/models/0/*.keras

:func:`scan_results` returns the versions oldest first (by the time stamp in the name),
labelled ``v0, v1, ...`` as in 1.1.4. :func:`load_compute` loads one results folder into
the right :mod:`~spacekit.analyzer.compute` class, using the folder's manifest (or, for
1.1.4 folders, its files and name). Nothing is loaded until asked, and nothing is pickled.

The 1.1.4 scanner classes (:class:`MegaScanner`, :class:`HstCalScanner`,
:class:`HstSvmScanner`, :class:`JwstCalScanner`) are built on these functions; they load
every version (1.1.4 shared one dict between versions, so every version showed the last
one's results) and compare any number of versions (1.1.4's confusion view stopped at 3).

Examples
--------
>>> import tempfile, pathlib
>>> from spacekit.analyzer.compute import ComputeBinary
>>> from spacekit.analyzer.scan import scan_results, load_compute
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> for ts in (1700000000, 1600000000):
...     com = ComputeBinary(y_true=[0, 1, 1], y_scores=[0.2, 0.9, 0.4],
...                         res_path=root / f"2023-11-14-{ts}" / "results" / "test")
...     _ = com.make_outputs()
>>> [(v.label, v.name, sorted(v.results)) for v in scan_results(root)]
[('v0', '2023-11-14-1600000000', ['test']), ('v1', '2023-11-14-1700000000', ['test'])]
>>> type(load_compute(root / "2023-11-14-1700000000" / "results" / "test")).__name__
'ComputeBinary'
"""

from __future__ import annotations

import glob
import logging
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from spacekit.analyzer.results import RESULTS_FORMAT, read_manifest
from spacekit.exceptions import ArchiveError, InputError

__all__ = [
    "ResultVersion",
    "is_results_folder",
    "scan_results",
    "load_compute",
    "decode_categorical",
    "import_dataset",
    "MegaScanner",
    "HstCalScanner",
    "HstSvmScanner",
    "JwstCalScanner",
    "HST_INSTR",
    "SVM_DET",
]

log = logging.getLogger(__name__)

VERSION_RE = re.compile(r"^(?P<date>\d{4}-\d{2}-\d{2})[-_](?P<ts>\d+)$")
_RESULT_MARKERS = ("manifest.json", "y_scores.npy", "predictions.npy")

#: HST instrument codes of the cal training data (``instr`` column).
HST_INSTR = {0: "acs", 1: "cos", 2: "stis", 3: "wfc3"}
#: SVM detector codes (``det`` column).
SVM_DET = {0: "hrc", 1: "ir", 2: "sbc", 3: "uvis", 4: "wfc"}


def is_results_folder(path: str | os.PathLike) -> bool:
    """True if ``path`` is a results folder: scores or predictions, or a results manifest."""
    p = Path(path)
    if not p.is_dir():
        return False
    if any((p / m).is_file() for m in _RESULT_MARKERS[1:]):
        return True
    if (p / "manifest.json").is_file():
        try:
            return read_manifest(p).get("format") == RESULTS_FORMAT
        except ArchiveError:
            return False
    return False


@dataclass
class ResultVersion:
    """One training iteration found by :func:`scan_results`.

    Attributes
    ----------
    name : str
        Folder name (``2022-02-14-1644848448``).
    path : pathlib.Path
    label : str
        ``v0`` (oldest) ... ``vN`` (newest).
    date : str or None
        ``YYYY-MM-DD`` from the name.
    timestamp : int or None
        Unix time from the name.
    results : dict of str to pathlib.Path
        Results folders by key (``mem_bin``, ``test``, ``image/0`` ...).
    data : list of pathlib.Path
        Training tables (``data/*.csv``, sorted).
    models : list of pathlib.Path
        Saved models (``*.keras``, sorted).
    """

    name: str
    path: Path
    label: str = ""
    date: str | None = None
    timestamp: int | None = None
    results: dict[str, Path] = field(default_factory=dict)
    data: list[Path] = field(default_factory=list)
    models: list[Path] = field(default_factory=list)

    @property
    def title(self) -> str:
        """``v1 (2022-02-14)`` style label for menus."""
        return f"{self.label} ({self.date})" if self.date else f"{self.label} ({self.name})"


def _results_in(version_dir: Path) -> dict[str, Path]:
    found: dict[str, Path] = {}
    res = version_dir / "results"
    if res.is_dir():
        for sub in sorted(res.iterdir()):
            if is_results_folder(sub):
                found[sub.name] = sub
    for mode in sorted(p for p in version_dir.iterdir() if p.is_dir()):
        res = mode / "results"
        if mode.name == "results" or VERSION_RE.match(mode.name) or not res.is_dir():
            continue
        for sub in sorted(res.iterdir(), key=lambda p: (len(p.name), p.name)):
            if is_results_folder(sub):
                found[f"{mode.name}/{sub.name}"] = sub
    return found


def _files(version_dir: Path, pattern: str) -> list[Path]:
    hits = set(version_dir.glob(f"data/{pattern}")) | set(version_dir.glob(f"*/data/{pattern}"))
    return sorted(hits)


def _models(version_dir: Path) -> list[Path]:
    hits = set(version_dir.glob("models/**/*.keras")) | set(version_dir.glob("*/models/**/*.keras"))
    return sorted(hits)


def _version(path: Path) -> ResultVersion:
    m = VERSION_RE.match(path.name)
    return ResultVersion(
        name=path.name,
        path=path,
        date=m.group("date") if m else None,
        timestamp=int(m.group("ts")) if m else None,
        results=_results_in(path),
        data=_files(path, "*.csv"),
        models=_models(path),
    )


def scan_results(root: str | os.PathLike, pattern: str | None = None) -> list[ResultVersion]:
    """Find the training-result versions under ``root``, oldest first.

    Parameters
    ----------
    root : path-like
        A folder of version folders, one version folder, or one results folder.
    pattern : str, optional
        Glob of version folder names (default: every sub-folder that holds results).

    Returns
    -------
    list of ResultVersion
        Ordered by the unix time in the name (undated folders first, by name) and
        labelled ``v0 ... vN``.

    Raises
    ------
    InputError
        If ``root`` does not exist or holds no results at all.
    """
    root = Path(root).expanduser()
    if not root.is_dir():
        raise InputError(f"Results folder {root} does not exist or is not a folder.")
    if is_results_folder(root):
        versions = [ResultVersion(name=root.name, path=root, results={root.name: root})]
    elif VERSION_RE.match(root.name) or (root / "results").is_dir():
        here = _version(root)
        versions = [here] if here.results else []
    else:
        subdirs = sorted(root.glob(pattern) if pattern else root.iterdir())
        versions = [
            v
            for v in (_version(s) for s in subdirs if s.is_dir() and not s.name.startswith("."))
            if v.results
        ]
    if not versions:
        raise InputError(
            f"No training results found under {root}: expected version folders "
            "(YYYY-MM-DD-epoch or YYYY-MM-DD_epoch) holding results/<name>/ or "
            "<mode>/results/<fold>/ folders written by spacekit."
        )
    versions.sort(key=lambda v: (v.timestamp if v.timestamp is not None else -1, v.name))
    for i, v in enumerate(versions):
        v.label = f"v{i}"
    return versions


def _task_of(path: Path, manifest: Mapping[str, Any]) -> str:
    task = str((manifest.get("meta") or {}).get("task", ""))
    if task in ("binary", "multiclass", "regression"):
        return task
    if (path / "predictions.npy").is_file():
        return "regression"
    if (path / "y_scores.npy").is_file():
        shape = np.load(path / "y_scores.npy", mmap_mode="r", allow_pickle=False).shape
        return "binary" if len(shape) == 1 or shape[-1] <= 2 else "multiclass"
    raise ArchiveError(
        f"{path} is not a results folder: expected manifest.json, y_scores.npy or predictions.npy."
    )


def load_compute(res_path: str | os.PathLike, validation: bool | None = None, **kwargs):
    """Load a results folder into a ComputeBinary, ComputeMulti or ComputeRegressor.

    The task comes from ``manifest.json``; for 1.1.4 folders from the files
    (``predictions.npy`` means a regressor, ``y_scores.npy`` a classifier with 2 or more
    columns) and the folder name (``val`` is a validation set; ``mem_bin`` uses the
    memory-bin names).

    Parameters
    ----------
    res_path : path-like
    validation : bool, optional
        Whether the folder describes a validation set (default: from the manifest, or
        a folder named ``val``).
    **kwargs
        Passed to the class (``classes=...``, ``thresholds=...``).

    Returns
    -------
    ComputeBinary or ComputeMulti or ComputeRegressor
        With the results loaded (figures are built on first access).
    """
    from spacekit.analyzer.compute import ComputeBinary, ComputeMulti, ComputeRegressor

    path = Path(res_path)
    if not path.is_dir():
        raise ArchiveError(f"Results folder {path} does not exist.")
    manifest = read_manifest(path)
    meta = manifest.get("meta") or {}
    task = _task_of(path, manifest)
    if validation is None:
        validation = bool(meta.get("validation", path.name == "val"))
    if task == "regression":
        com = ComputeRegressor(res_path=path, validation=validation, **kwargs)
    elif task == "binary":
        com = ComputeBinary(res_path=path, validation=validation, **kwargs)
    else:
        com = ComputeMulti(res_path=path, validation=validation, **kwargs)
    com.upload()
    return com


def decode_categorical(df: pd.DataFrame, decoder_key: Mapping[str, Mapping]) -> pd.DataFrame:
    """Add a ``{col}_key`` column of names for each ``{col: {code: name}}`` of the decoder.

    Codes missing from the decoder become ``"unknown"``. Returns a new DataFrame.
    """
    out = df.copy()
    for col, mapping in decoder_key.items():
        if col not in out.columns:
            raise InputError(f"decode_categorical: column {col!r} is not in the table.")
        lookup = {str(k): str(v) for k, v in mapping.items()}
        codes = out[col].map(lambda v: str(int(v)) if isinstance(v, float) and v == v else str(v))
        out[f"{col}_key"] = codes.map(lookup).fillna("unknown")
    return out


def import_dataset(
    filename: str | os.PathLike,
    kwargs: Mapping | None = None,
    decoder_key: Mapping[str, Mapping] | None = None,
) -> pd.DataFrame:
    """Read a CSV (``pd.read_csv(filename, **kwargs)``) and optionally decode columns.

    ``kwargs`` defaults to ``{"index_col": "ipst"}`` as in 1.1.4, falling back to no index
    column when the file has no ``ipst`` column.
    """
    path = Path(filename)
    if not path.is_file():
        raise InputError(f"Data file {path} does not exist.")
    opts = dict({"index_col": "ipst"} if kwargs is None else kwargs)
    try:
        df = pd.read_csv(path, **opts)
    except ValueError as exc:
        if kwargs is not None or "ipst" not in str(exc):
            raise InputError(f"Could not read {path}: {exc}") from exc
        df = pd.read_csv(path)
    return decode_categorical(df, decoder_key) if decoder_key else df


class MegaScanner:
    """Load and compare every training iteration matched by ``perimeter`` (1.1.4 API).

    Parameters
    ----------
    perimeter : str, optional
        Glob of version folders, by default ``"data/20??-*-*-*"`` (relative to the
        current directory, as in 1.1.4; both ``-`` and ``_`` before the time stamp
        match).
    primary : int, default=-1
        Which version supplies the EDA table (``-1`` = newest).
    **log_kws
        Ignored (1.1.4 compatibility).

    Attributes
    ----------
    datapaths, datasets, timestamps, dates, versions : list
        Version folders (oldest first), their names, unix times, dates and labels.
    mega : dict
        ``{"v0": {"date", "time", "res": {key: Compute object}}, ...}`` after
        :meth:`scan_results`.
    """

    labels: Sequence[str] = ()
    res_keys: Mapping[str, tuple[str, bool]] = {}
    index_col = "index"
    decoder: Mapping[str, Mapping] = {}
    target = ""

    def __init__(self, perimeter: str = "data/20??-*-*-*", primary: int = -1, **log_kws):
        self.perimeter = perimeter
        self.primary = primary
        pattern = perimeter
        paths = set(glob.glob(pattern))
        if pattern.endswith("-*"):
            paths |= set(glob.glob(pattern[:-2] + "_*"))
        found = [_version(Path(p)) for p in paths if Path(p).is_dir()]
        found.sort(key=lambda v: (v.timestamp if v.timestamp is not None else -1, v.name))
        for i, v in enumerate(found):
            v.label = f"v{i}"
        self._versions = found
        self.datapaths = [str(v.path) for v in found]
        self.datasets = [v.name for v in found]
        self.timestamps = [v.timestamp for v in found]
        self.dates = [v.date for v in found]
        self.versions = [v.label for v in found]
        self.mega: dict[str, dict] = {}
        self.data: pd.DataFrame | None = None
        if not found:
            log.warning("no training iterations match %s", perimeter)

    def _check_primary(self, primary: int) -> int:
        n = len(self._versions)
        if not -n <= primary < n:
            raise InputError(
                f"primary={primary} is out of range for {n} version(s) matching {self.perimeter!r}."
            )
        return primary

    def select_dataset(self, primary: int | None = None) -> str:
        """Path of the first CSV (sorted) of version ``primary``'s ``data/`` folder."""
        primary = self.primary if primary is None else primary
        v = self._versions[self._check_primary(primary)]
        if not v.data:
            raise InputError(f"No training table (data/*.csv) in {v.path}.")
        return str(v.data[0])

    def make_mega(self) -> dict[str, dict]:
        """An independent ``{"date", "time", "res": {}}`` entry per version."""
        self.mega = {
            v.label: {"date": v.date, "time": v.timestamp, "res": {}} for v in self._versions
        }
        return self.mega

    def load_compute_object(self, Com=None, alg: str = "", res_path=None, validation=False):
        """Load one results folder (``Com``/``alg`` kept for 1.1.4 call compatibility)."""
        kwargs: dict[str, Any] = {}
        if self.labels and Com is not None and "Regressor" not in Com.__name__:
            kwargs["classes"] = list(self.labels)
        return load_compute(res_path, validation=validation, **kwargs)

    def scan_results(self) -> dict[str, dict]:
        """Load every result key of every version into :attr:`mega`."""
        self.make_mega()
        for v in self._versions:
            for key, (_, validation) in self.res_keys.items():
                path = v.results.get(key)
                if path is None:
                    log.warning("%s has no results/%s", v.name, key)
                    continue
                self.mega[v.label]["res"][key] = self.load_compute_object(
                    self._class_for(key), key, path, validation
                )
        return self.mega

    def _class_for(self, key: str):
        from spacekit.analyzer import compute

        return getattr(compute, self.res_keys[key][0])

    def compare_scores(self, target: str | None = None, score_type: str = "acc_loss"):
        """Rows = metrics (``train_acc`` ...), columns = versions, for ``target``."""
        target = target or next(iter(self.res_keys), "")
        cols = {}
        for label, entry in (self.mega or self.scan_results()).items():
            com = entry["res"].get(target)
            if com is not None:
                cols[label] = pd.Series(getattr(com, score_type, None) or {}, dtype=float)
        return pd.DataFrame(cols)

    def acc_loss_subplots(self, target: str | None = None):
        """Grouped accuracy and loss bars of every version (one figure)."""
        from spacekit.analyzer.figures.evaluation import make_score_bars

        scores = self.compare_scores(target)
        return make_score_bars({c: scores[c].to_dict() for c in scores.columns})

    make_barplots = acc_loss_subplots

    def make_clf_plots(self, target: str | None = None) -> dict[str, dict]:
        """``{"keras": {v: [acc, loss]}, "roc": {v: [roc, pr]}, "cmx": {...}}``."""
        target = target or next(iter(self.res_keys), "")
        keras, roc = {}, {}
        cmx: dict[str, list] = {"normalized": [], "counts": []}
        for label, entry in (self.mega or self.scan_results()).items():
            com = entry["res"].get(target)
            if com is None or not hasattr(com, "cmx"):
                continue
            keras[label] = [com.acc_fig, com.loss_fig]
            roc[label] = [com.roc_fig, com.pr_fig]
            cmx["normalized"].append(com.cmx_norm)
            cmx["counts"].append(com.cmx)
        return {"keras": keras, "roc": roc, "cmx": cmx}

    def triple_cmx(self, cmx_list: Sequence, cmx_type: str = "counts"):
        """Confusion matrices of every version side by side (any number, not just 3)."""
        from spacekit.analyzer.figures.evaluation import make_confusion_grid

        labels = list(self.labels) or [str(k) for k in range(np.asarray(cmx_list[0]).shape[0])]
        return make_confusion_grid(
            cmx_list,
            labels,
            normalized=cmx_type == "normalized",
            titles=self.versions[: len(cmx_list)],
        )

    def load_dataframe(self, primary: int | None = None) -> pd.DataFrame:
        """Read the primary version's training table (decoded)."""
        self.data = import_dataset(
            self.select_dataset(primary), kwargs=None, decoder_key=self.decoder or None
        )
        return self.data


class HstCalScanner(MegaScanner):
    """HST calibration iterations: ``mem_bin`` (multiclass), ``memory``, ``wallclock``."""

    labels = ("2g", "8g", "16g", "64g")
    res_keys = {
        "mem_bin": ("ComputeMulti", False),
        "memory": ("ComputeRegressor", False),
        "wallclock": ("ComputeRegressor", False),
    }
    index_col = "ipst"
    decoder = {"instr": HST_INSTR}
    target = "mem_bin"


class HstSvmScanner(MegaScanner):
    """HST SVM alignment iterations: ``test`` and ``val`` (binary)."""

    labels = ("aligned", "misaligned")
    res_keys = {"test": ("ComputeBinary", False), "val": ("ComputeBinary", True)}
    index_col = "index"
    decoder = {"det": SVM_DET}
    target = "label"


class JwstCalScanner(MegaScanner):
    """JWST calibration runs (``{date}_{ts}/{mode}/results/{fold}``): regressors.

    Every mode and fold found is loaded under its key (``image/0``, ``spec/0`` ...);
    1.1.4 looked for ``results/img3_reg`` in hyphen-named folders, which JWST training
    never wrote.
    """

    labels = ()
    index_col = "img_name"
    target = "imgsize_gb"

    def __init__(self, perimeter: str = "data/20??-*-*_*", primary: int = -1, **log_kws):
        super().__init__(perimeter, primary, **log_kws)
        keys: dict[str, tuple[str, bool]] = {}
        for v in self._versions:
            for key in v.results:
                keys.setdefault(key, ("ComputeRegressor", False))
        self.res_keys = keys
