"""What a results dashboard has loaded: versions of results, data tables, models.

:class:`DashboardContext` is built once per app by :func:`load_context` and is the
same for every browser session. It scans the results folder (cheap: only names), and
loads results folders, tables and models lazily on first use, caching them behind a
lock (the WSGI server runs callbacks in several threads). Nothing here depends on who
is looking; selections and uploads stay in the browser.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from spacekit.analyzer.scan import HST_INSTR, SVM_DET, ResultVersion, load_compute, scan_results
from spacekit.exceptions import InputError, SpacekitError
from spacekit.preprocessor.tables.hst_cal import COLUMN_ORDER, MEM_BIN_LABELS, NORM_COLS

__all__ = ["KINDS", "KindSettings", "DashboardContext", "load_context", "sample_results_path"]

log = logging.getLogger(__name__)

#: Largest table the dashboards read (rows); bigger files are sampled with a warning.
MAX_ROWS = 2_000_000


@dataclass(frozen=True)
class KindSettings:
    """Per-pipeline defaults of a results dashboard."""

    kind: str
    title: str
    sample: str
    targets: tuple[str, ...]
    group: str
    decoders: Mapping[str, Mapping[int, str]]
    index_col: str
    classes: tuple[str, ...] = ()
    #: Default input features of the pipeline's models, in model order.
    features: tuple[str, ...] = ()
    #: Columns normalised with ``tx_data.json`` (Yeo-Johnson + standardisation).
    tx_cols: tuple[str, ...] = ()


KINDS: dict[str, KindSettings] = {
    "cal": KindSettings(
        kind="cal",
        title="HST calibration",
        sample="results_cal",
        targets=("mem_bin", "memory", "wallclock"),
        group="instr",
        decoders={"instr": HST_INSTR},
        index_col="ipst",
        classes=MEM_BIN_LABELS,
        features=COLUMN_ORDER["asn"],
        tx_cols=NORM_COLS["asn"],
    ),
    "svm": KindSettings(
        kind="svm",
        title="HST single-visit mosaic alignment",
        sample="results_svm",
        targets=("label",),
        group="det",
        decoders={"det": SVM_DET},
        index_col="index",
        classes=("aligned", "misaligned"),
    ),
    "jwst": KindSettings(
        kind="jwst",
        title="JWST calibration",
        sample="results_jwst",
        targets=("imgsize_gb",),
        group="instr",
        decoders={},
        index_col="Dataset",
    ),
}


def sample_results_path(kind: str) -> Path:
    """Folder of the packaged sample results of ``kind`` (the embedded default)."""
    from spacekit.datasets import SAMPLE_NAMES, get_sample_path

    name = _settings(kind).sample
    if name not in SAMPLE_NAMES:
        raise InputError(
            f"No packaged sample results for the {kind} dashboard in this installation; "
            "pass --results DIR (a folder of training results)."
        )
    return get_sample_path(name)


def _settings(kind: str) -> KindSettings:
    if kind not in KINDS:
        raise InputError(f"Unknown dashboard {kind!r}; expected one of {', '.join(KINDS)}.")
    return KINDS[kind]


@dataclass
class ModelSpec:
    """A saved model the network and predictions pages can run.

    Attributes
    ----------
    name : str
    path : pathlib.Path
        The ``.keras`` file.
    features : list of str
        Input columns in model order.
    tx_cols : list of str
        Columns normalised with ``tx`` before the model.
    tx : dict or None
        ``{"lambdas", "mu", "sigma"}`` (Yeo-Johnson + standardisation), if any.
    classes : list of str
        Output names (class names, or ``[target]`` for a regressor).
    images : dict or None
        Images the model takes besides the table columns (``model_inputs.json``'s
        ``images``, e.g. the SVM ensemble's frames); such a model is not run by the pages.
    """

    name: str
    path: Path
    features: list[str] = field(default_factory=list)
    tx_cols: list[str] = field(default_factory=list)
    tx: dict | None = None
    classes: list[str] = field(default_factory=list)
    images: dict | None = None


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"Cannot read {path}: {exc}") from exc


@dataclass
class DashboardContext:
    """Results, tables and models shown by one dashboard (shared, read-only).

    Attributes
    ----------
    settings : KindSettings
    results_root : pathlib.Path
    versions : list of ResultVersion
        Oldest first (``v0``); the newest is ``versions[-1]``.
    data_path : pathlib.Path or None
        The table shown on the EDA page (``--data`` or the newest version's).
    source : str
        ``"packaged sample"`` or the results folder, for the home page.
    problems : list of str
        Things that could not be loaded, shown on the home page.
    max_upload_mb : float
        Largest upload the pages accept.
    """

    settings: KindSettings
    results_root: Path
    versions: list[ResultVersion]
    data_path: Path | None
    source: str
    problems: list[str] = field(default_factory=list)
    max_upload_mb: float = 20.0
    _cache: dict = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def kind(self) -> str:
        return self.settings.kind

    def version(self, label: str) -> ResultVersion:
        """The version labelled ``label`` (``v0`` ...)."""
        for v in self.versions:
            if v.label == label:
                return v
        raise InputError(f"Unknown version {label!r}; have {[v.label for v in self.versions]}.")

    def result_keys(self) -> list[str]:
        """Every results key found in any version, targets first."""
        keys: list[str] = []
        for v in self.versions:
            keys += [k for k in v.results if k not in keys]
        order = {t: i for i, t in enumerate(("mem_bin", "memory", "wallclock", "test", "val"))}
        return sorted(keys, key=lambda k: (order.get(k, 99), len(k), k))

    def _cached(self, key: tuple, make):
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        value = make()
        with self._lock:
            return self._cache.setdefault(key, value)

    def compute(self, label: str, key: str):
        """The loaded results of ``key`` in version ``label`` (or None if absent)."""
        v = self.version(label)
        path = v.results.get(key)
        if path is None:
            return None
        kwargs = {}
        if key == "mem_bin" and self.settings.classes:
            kwargs["classes"] = list(self.settings.classes)
        elif key in ("test", "val") and self.kind == "svm":
            kwargs["classes"] = list(self.settings.classes)
        return self._cached(("compute", label, key), lambda: load_compute(path, **kwargs))

    def tables(self) -> dict[str, Path]:
        """Data tables available to the EDA and drift pages, by display name."""
        out: dict[str, Path] = {}
        seen: set[Path] = set()
        for v in reversed(self.versions):
            for p in v.data:
                out[f"{v.label}: {p.relative_to(v.path)}"] = p
                seen.add(p.resolve())
        if self.data_path is not None and self.data_path.resolve() not in seen:
            out = {f"data: {self.data_path.name}": self.data_path, **out}
        return out

    def table(self, path: str | os.PathLike | None = None) -> pd.DataFrame:
        """Read (once) and return a table; the EDA table by default."""
        p = Path(path) if path is not None else self.data_path
        if p is None:
            raise InputError(
                "No data table: pass --data CSV, or use results whose versions hold data/*.csv."
            )
        return self._cached(("table", str(p)), lambda: read_table(p, self.settings))

    def models(self) -> list[ModelSpec]:
        """Saved table models of the newest version that has any (cached).

        Models whose ``model_inputs.json`` says they also take images (the SVM ensemble)
        cannot run on table rows: they are left out and named by :meth:`image_models`.
        """
        return [s for s in self._all_models() if not s.images]

    def image_models(self) -> list[ModelSpec]:
        """Saved models of that version that also take images (not run by the pages)."""
        return [s for s in self._all_models() if s.images]

    def _all_models(self) -> list[ModelSpec]:
        return self._cached(("models",), self._find_models)

    def _find_models(self) -> list[ModelSpec]:
        for v in reversed(self.versions):
            if v.models:
                return [self._model_spec(p) for p in v.models]
        return []

    def _model_spec(self, path: Path) -> ModelSpec:
        spec = ModelSpec(name=path.stem, path=path)
        folder = path.parent
        sidecar = next(
            (
                p
                for p in (folder / "model_inputs.json", folder.parent / "model_inputs.json")
                if p.is_file()
            ),
            None,
        )
        info = (_read_json(sidecar) or {}).get(path.stem, {}) if sidecar else {}
        spec.features = list(info.get("features") or self._default_features(path.stem))
        spec.tx_cols = list(info.get("tx_cols") or self.settings.tx_cols)
        spec.classes = list(info.get("classes") or [])
        images = info.get("images")
        spec.images = dict(images) if isinstance(images, dict) else None
        tx_name = info.get("tx_file")
        candidates = [folder / tx_name] if tx_name else sorted(folder.glob("tx_data*.json"))
        if candidates and candidates[0].is_file():
            spec.tx = _read_json(candidates[0])
        return spec

    def _default_features(self, name: str) -> list[str]:
        if self.kind == "jwst":
            from spacekit.preprocessor.tables.jwst_cal import COLUMN_ORDER

            mode = "SPEC" if name.startswith("spec") else "IMAGE"
            return list(COLUMN_ORDER[mode])
        return list(self.settings.features)

    def model_spec(self, name: str) -> ModelSpec:
        """The saved model called ``name``."""
        for spec in self.models():
            if spec.name == name:
                return spec
        raise InputError(f"No saved model {name!r}; have {[m.name for m in self.models()]}.")

    def load_model(self, spec: ModelSpec):
        """The numpy model of ``spec`` (loaded once)."""
        from spacekit.builder.inference import NumpyMLP

        return self._cached(("model", str(spec.path)), lambda: NumpyMLP.from_keras_file(spec.path))

    def network(self, spec: ModelSpec):
        """The Dense structure of ``spec`` (:func:`~spacekit.analyzer.network.dense_structure`)."""
        from spacekit.analyzer.network import dense_structure

        return self._cached(
            ("network", str(spec.path)), lambda: dense_structure(self.load_model(spec))
        )

    def describe(self) -> dict[str, Any]:
        """Summary for the home page."""
        return {
            "source": self.source,
            "results_root": str(self.results_root),
            "versions": [(v.label, v.name, sorted(v.results)) for v in self.versions],
            "data": str(self.data_path) if self.data_path else None,
            "models": [m.name for m in self.models()],
            "problems": list(self.problems),
        }


def read_table(path: Path, settings: KindSettings | None = None) -> pd.DataFrame:
    """Read a CSV for the dashboards with clear errors; index by the kind's id column."""
    if not path.is_file():
        raise InputError(f"Data file {path} does not exist.")
    try:
        df = pd.read_csv(path, nrows=MAX_ROWS + 1, low_memory=False)
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise InputError(f"Cannot read {path} as CSV: {exc}") from exc
    if len(df) > MAX_ROWS:
        log.warning(
            "%s has more than %d rows; only the first %d are shown", path, MAX_ROWS, MAX_ROWS
        )
        df = df.iloc[:MAX_ROWS]
    if df.empty:
        raise InputError(f"{path} has no rows.")
    for col in ("ipst", "index", "Dataset", "img_name", settings.index_col if settings else None):
        if col and col in df.columns and df[col].is_unique:
            return df.set_index(col)
    return df


def load_context(
    kind: str,
    results: str | os.PathLike | None = None,
    data: str | os.PathLike | None = None,
) -> DashboardContext:
    """Scan ``results`` (default: the packaged sample of ``kind``) and pick the data table.

    Parameters
    ----------
    kind : {"cal", "svm", "jwst"}
    results : path-like, optional
        A folder of training iterations, one iteration, or one results folder.
    data : path-like, optional
        CSV shown on the EDA page (default: the newest version's ``data/*.csv``).

    Raises
    ------
    InputError
        Unknown kind, missing folder or file, or no results found.
    """
    settings = _settings(kind)
    if results is None:
        root = sample_results_path(kind)
        source = "packaged sample"
    else:
        root = Path(results).expanduser()
        source = str(root)
    versions = scan_results(root)
    data_path: Path | None = None
    if data is not None:
        data_path = Path(data).expanduser()
        if not data_path.is_file():
            raise InputError(f"--data {data_path} does not exist or is not a file.")
    else:
        for v in reversed(versions):
            if v.data:
                data_path = v.data[0]
                break
    ctx = DashboardContext(settings, root, versions, data_path, source)
    if data_path is None:
        ctx.problems.append(
            "No data table found (data/*.csv in the results); pass --data CSV for the "
            "EDA, drift and network pages."
        )
    try:
        ctx.models()
    except SpacekitError as exc:
        ctx.problems.append(str(exc))
    return ctx
