"""Batch estimation of HST calibration job resources: one pure function over a DataFrame.

:func:`predict_batch` turns a chunk of raw dataset values (one row per dataset, as
:func:`spacekit.extractor.scrape_hstcal.load_hstcal_inputs` returns them) into
predictions and the list of datasets it skipped. It reads no file, keeps no state and
never prints, so any number of chunks can run in threads, processes or a Dask cluster
with the same :class:`HstCalModels` (which pickles).

Flow: :func:`~spacekit.preprocessor.scrub_hstcal.encode_features` (9 features) ->
:class:`~spacekit.preprocessor.transform.PowerX` on ``n_files`` and ``total_mb`` (the
normalised columns first, as 1.1.4) -> the three networks in numpy -> the 1.1.4 output
rules (``memBin = argmax``, ``memVal = round(GB, 2)``, ``clockTime = int(seconds)``) ->
the conformal upper bounds, when the archive has a calibration.
"""

from __future__ import annotations

import logging
import math
import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from spacekit.builder.conformal import ConformalUpperBound, group_labels
from spacekit.builder.handle import model_outputs
from spacekit.exceptions import DataError, InputError
from spacekit.preprocessor.scrub_hstcal import encode_features
from spacekit.preprocessor.tables.hst_cal import COLUMN_ORDER

__all__ = [
    "MODEL_NAMES",
    "BOUND_TARGETS",
    "DEFAULT_LEVEL",
    "MIN_MEMORY_GB",
    "MIN_WALLCLOCK_S",
    "HstCalModels",
    "normalize_features",
    "predict_features",
    "predict_batch",
    "PREDICTION_COLUMNS",
]

log = logging.getLogger(__name__)

#: The networks of an ``hst_cal`` archive.
MODEL_NAMES: tuple[str, ...] = ("mem_clf", "mem_reg", "wall_reg")
#: Upper-bound calibrations in an archive (``upper_bounds.json``), by target.
BOUND_TARGETS: Mapping[str, str] = {"memory": "memVal", "wallclock": "clockTime"}
#: Smallest point estimates: a network's output below them (even negative, for a few tiny
#: jobs) is raised to them; spacekit 1.1.4 passed a negative wallclock through.
MIN_MEMORY_GB = 0.01
MIN_WALLCLOCK_S = 1
#: Default coverage level of the upper bounds.
DEFAULT_LEVEL = 0.95
#: Columns of :func:`predict_batch` output (bounds only when calibrated).
PREDICTION_COLUMNS: tuple[str, ...] = (
    "memBin",
    "memVal",
    "clockTime",
    "memVal_upper",
    "clockTime_upper",
    "p0",
    "p1",
    "p2",
    "p3",
)


@dataclass
class HstCalModels:
    """The three HST cal networks, their normalisation and (optionally) upper bounds.

    Attributes
    ----------
    mem_clf, mem_reg, wall_reg : object
        Objects with ``predict(X)``: :class:`~spacekit.builder.inference.NumpyMLP` from an
        archive, Keras models, or 1.1.4 ``Builder``-like objects with ``.model``.
    tx_data : dict or None
        ``{"lambdas", "mu", "sigma"}`` of the normalised columns.
    bounds : dict of str to ConformalUpperBound
        ``"memory"`` and/or ``"wallclock"`` calibrations (empty for 1.1.4 archives).
    path : str or None
        The archive the models came from.
    archive : ModelArchive or None
        The loaded archive (for :func:`spacekit.builder.registry.provenance`).
    """

    mem_clf: object
    mem_reg: object
    wall_reg: object
    tx_data: dict | None = None
    bounds: dict[str, ConformalUpperBound] = field(default_factory=dict)
    path: str | None = None
    archive: object = field(default=None, repr=False, compare=False)

    @classmethod
    def from_archive(cls, path: str | os.PathLike | None = None) -> HstCalModels:
        """Load an ``hst_cal`` archive (ours or 1.1.4's), once per process.

        Parameters
        ----------
        path : path-like or str, optional
            A ``.zip`` or folder, or a registry name (``"spacekit-1.1.4/hst_cal"``,
            ``"packaged/hst_cal"``; see :mod:`spacekit.builder.registry`); default: the
            archive shipped with spacekit.

        Raises
        ------
        ArchiveError
            If the archive is missing, unsafe, not an ``hst_cal`` archive, or a registry
            name that cannot be fetched.
        DataError
            If it lacks one of the three networks.
        """
        from spacekit.builder.archive import get_archive
        from spacekit.builder.registry import resolve_model_path

        archive = get_archive(resolve_model_path(path, kind="hst_cal"), name="hst_cal")
        with _BUNDLE_LOCK:
            hit = _BUNDLES.get(id(archive))
        if hit is not None and hit[0] is archive:
            return hit[1]
        missing = [m for m in MODEL_NAMES if m not in archive.models]
        if missing:
            raise DataError(
                f"The hst_cal archive '{archive.path}' lacks {missing}; it holds "
                f"{sorted(archive.models)}. Pass an archive with mem_clf, mem_reg and wall_reg."
            )
        bounds = {
            target: ConformalUpperBound.from_dict(doc)
            for target, doc in (archive.extras.get("upper_bounds") or {}).items()
            if target in BOUND_TARGETS
        }
        bundle = cls(
            archive.models["mem_clf"],
            archive.models["mem_reg"],
            archive.models["wall_reg"],
            archive.tx_for("default"),
            bounds,
            str(archive.path),
            archive,
        )
        with _BUNDLE_LOCK:
            if len(_BUNDLES) >= 8:
                _BUNDLES.clear()
            _BUNDLES[id(archive)] = (archive, bundle)  # keeps the archive (and its id) alive
        return bundle


_BUNDLES: dict[int, tuple[object, HstCalModels]] = {}
_BUNDLE_LOCK = threading.Lock()


def normalize_features(
    features: pd.DataFrame,
    tx_data: Mapping | None,
    norm: int = 1,
    norm_cols: Sequence[int] = (0, 1),
) -> np.ndarray:
    """Model inputs from the 9 features: PowerX on ``norm_cols``, those columns first.

    Parameters
    ----------
    features : pandas.DataFrame
        The :data:`~spacekit.preprocessor.scrub_hstcal.COLUMN_ORDER` ``["asn"]`` columns.
    tx_data : mapping or None
        ``{"lambdas", "mu", "sigma"}`` (one entry per normalised column).
    norm : int, default=1
        1 normalises, 0 passes the features through unchanged.
    norm_cols : sequence of int, default=(0, 1)
        Positions of the columns to normalise (``n_files``, ``total_mb``).

    Returns
    -------
    numpy.ndarray of shape (n, 9), float64
    """
    cols = list(COLUMN_ORDER["asn"])
    X = features[cols].to_numpy(dtype=np.float64)
    if not norm:
        return X
    idx = [int(c) for c in norm_cols]
    if not idx or len(set(idx)) != len(idx) or min(idx) < 0 or max(idx) >= len(cols):
        raise InputError(
            f"norm_cols must be distinct positions among 0..{len(cols) - 1}; received {idx}."
        )
    if tx_data is None:
        raise DataError(
            "No normalisation statistics: the archive has no tx_data.json; pass tx_file or norm=0."
        )
    if len(X) == 0:
        return X
    from spacekit.preprocessor.transform import PowerX

    return np.asarray(PowerX(X, cols=idx, tx_data=tx_data, join_data=1).Xt, dtype=np.float64)


def _round2(values: np.ndarray) -> list[float]:
    return [round(v, 2) for v in values.tolist()]


def _ceil2(values: np.ndarray) -> list[float]:
    # add a hair before ceil so a value that is already x.yz is not bumped by float noise
    return [math.ceil(round(v * 100, 6)) / 100 for v in values.tolist()]


def predict_batch(
    raw: pd.DataFrame,
    models: HstCalModels,
    level: float | None = DEFAULT_LEVEL,
    norm: int = 1,
    norm_cols: Sequence[int] = (0, 1),
) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """Predict memory bin, memory and wallclock for a chunk of datasets.

    Parameters
    ----------
    raw : pandas.DataFrame
        Indexed by dataset name, with the raw keys as columns (see
        :func:`~spacekit.preprocessor.scrub_hstcal.encode_features`).
    models : HstCalModels
    level : float or None, default=0.95
        Coverage level of the upper bounds; None leaves them out.
    norm : int, default=1
    norm_cols : sequence of int, default=(0, 1)

    Returns
    -------
    predictions : pandas.DataFrame
        Indexed by dataset: ``memBin`` (0-3), ``memVal`` (GB, 2 decimals, at least
        :data:`MIN_MEMORY_GB`), ``clockTime`` (whole seconds, truncated as 1.1.4, at least
        :data:`MIN_WALLCLOCK_S`), ``memVal_upper`` / ``clockTime_upper``
        (rounded up; only when the archive is calibrated and ``level`` is given), and the
        memory-bin probabilities ``p0``..``p3``.
    skipped : list of (str, str)
        ``(dataset, reason)`` for every dataset left out.

    Raises
    ------
    InputError
        If ``level`` is out of range or ``norm_cols`` invalid (nothing is predicted).

    Examples
    --------
    >>> from spacekit.datasets.hstcal import simulate_hstcal
    >>> from spacekit.skopes.hst.cal.estimate import HstCalModels, predict_batch
    >>> models = HstCalModels.from_archive()          # the packaged hst_cal.zip
    >>> preds, skipped = predict_batch(simulate_hstcal(5, seed=3), models)
    >>> list(preds.columns[:5])
    ['memBin', 'memVal', 'clockTime', 'memVal_upper', 'clockTime_upper']
    """
    features, skipped = encode_features(raw)
    out, more = predict_features(features, models, level, norm, norm_cols)
    return out, skipped + more


def predict_features(
    features: pd.DataFrame,
    models: HstCalModels,
    level: float | None = DEFAULT_LEVEL,
    norm: int = 1,
    norm_cols: Sequence[int] = (0, 1),
) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """Like :func:`predict_batch`, from already encoded features (9 columns)."""
    skipped: list[tuple[str, str]] = []
    if level is not None and not 0 < float(level) < 1:
        raise InputError(f"level must be between 0 and 1; received {level!r}.")
    X = normalize_features(features, models.tx_data, norm, norm_cols).astype(np.float32)
    index = features.index
    if len(index) == 0:
        return pd.DataFrame(columns=list(PREDICTION_COLUMNS[:3])), skipped
    proba = model_outputs(models.mem_clf, X).reshape(len(index), -1)
    mem = model_outputs(models.mem_reg, X).reshape(len(index), -1)[:, 0].astype(np.float64)
    wall = model_outputs(models.wall_reg, X).reshape(len(index), -1)[:, 0].astype(np.float64)
    ok = np.isfinite(mem) & np.isfinite(wall) & np.all(np.isfinite(proba), axis=1)
    for name in index[~ok]:
        skipped.append((str(name), "a network output is not finite (NaN or infinite)"))
    if not ok.all():
        index, proba, mem, wall = index[ok], proba[ok], mem[ok], wall[ok]
        features = features[ok]
    out = pd.DataFrame(
        {
            "memBin": np.argmax(proba, axis=1).astype(np.int64),
            "memVal": _round2(np.maximum(mem, MIN_MEMORY_GB)),
            "clockTime": np.maximum(np.trunc(wall), MIN_WALLCLOCK_S).astype(np.int64),
        },
        index=index,
    )
    if level is not None and models.bounds:
        groups = group_labels(features["instr"], features["dtype"])
        for target, column, values in (("memory", "memVal", mem), ("wallclock", "clockTime", wall)):
            cb = models.bounds.get(target)
            if cb is None:
                continue
            upper = np.maximum(cb.predict(values, level=level, groups=groups), values)
            if column == "memVal":
                out["memVal_upper"] = _ceil2(upper)
            else:
                out["clockTime_upper"] = np.ceil(upper).astype(np.int64)
    for k in range(proba.shape[1]):
        out[f"p{k}"] = proba[:, k].astype(np.float64)
    return out, skipped
