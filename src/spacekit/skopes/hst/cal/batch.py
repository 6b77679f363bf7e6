"""Predict HST calibration resources for many datasets in row chunks, locally or on Dask.

:func:`~spacekit.skopes.hst.cal.predict.predict_inputs` (and so ``spacekit hstcal
predict``) reads its inputs on this process, then cuts the rows into chunks of
``chunk_size`` datasets; each chunk is encoded and predicted by one task
(:func:`predict_chunk`), here or on a Dask cluster (``client=``). The chunks are joined
in input order, so the predictions and the skipped list are the same whichever scheduler
ran them (the same chunks run either way, so even the floating-point rounding is).

On a cluster the workers load the networks themselves, once per worker process: the
packaged archive from their own spacekit install (the same version is checked), any other
archive from the path this process resolved (it must be on a file system the workers
share). Before the chunks are sent one task checks that the workers' archive has the
same file digests as this one. The normalisation statistics (``tx_data``, including a
``tx_file``) are sent with every chunk.

A chunk whose task raises (after one retry on a cluster) has each of its datasets in the
skipped list with the reason; the other chunks are kept.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from spacekit.exceptions import InputError
from spacekit.preprocessor.scrub_hstcal import encode_features
from spacekit.skopes.hst.cal.estimate import DEFAULT_LEVEL, HstCalModels, predict_features

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "ChunkPrediction",
    "chunk_rows",
    "predict_chunk",
    "predict_in_chunks",
    "worker_archive",
]

log = logging.getLogger(__name__)

#: Datasets per task: large enough that a task's fixed cost (about a millisecond here,
#: a few on a cluster) stays small next to encoding and predicting its rows.
DEFAULT_CHUNK_SIZE = 20_000


@dataclass
class ChunkPrediction:
    """What :func:`predict_chunk` returns for one chunk of rows.

    Attributes
    ----------
    predictions : pandas.DataFrame
        As :func:`~spacekit.skopes.hst.cal.estimate.predict_batch` returns them.
    unencodable : list of (str, str)
        Datasets the encoder left out, with the reason.
    not_finite : list of (str, str)
        Datasets whose network outputs were not finite.
    """

    predictions: pd.DataFrame
    unencodable: list[tuple[str, str]] = field(default_factory=list)
    not_finite: list[tuple[str, str]] = field(default_factory=list)


def chunk_rows(raw: pd.DataFrame, chunk_size: int) -> list[tuple[str, pd.DataFrame]]:
    """Cut ``raw`` into consecutive chunks of at most ``chunk_size`` rows, named by rows.

    Examples
    --------
    >>> import pandas as pd
    >>> [name for name, _ in chunk_rows(pd.DataFrame(index=list("abcde")), 2)]
    ['rows 1-2', 'rows 3-4', 'rows 5-5']
    """
    if int(chunk_size) < 1:
        raise InputError(f"chunk_size must be a whole number >= 1; received {chunk_size!r}.")
    size = int(chunk_size)
    return [
        (f"rows {start + 1}-{min(start + size, len(raw))}", raw.iloc[start : start + size])
        for start in range(0, len(raw), size)
    ]


def worker_archive(model_path: str | None) -> dict:
    """The file digests of the ``hst_cal`` archive at ``model_path`` (run on a worker)."""
    return dict(HstCalModels.from_archive(model_path).archive.manifest.get("sha256") or {})


def predict_chunk(
    raw: pd.DataFrame,
    model_path: str | None = None,
    tx_data: dict | None = None,
    level: float | None = DEFAULT_LEVEL,
    norm: int = 1,
    norm_cols: Sequence[int] = (0, 1),
    models: HstCalModels | None = None,
) -> ChunkPrediction:
    """Encode and predict one chunk of raw rows (one task).

    Parameters
    ----------
    raw : pandas.DataFrame
        Raw values indexed by dataset (see
        :func:`~spacekit.preprocessor.scrub_hstcal.encode_features`).
    model_path : str, optional
        The archive to load (once per process) when ``models`` is not given.
    tx_data : dict, optional
        Normalisation statistics used instead of the archive's.
    level, norm, norm_cols
        As for :func:`~spacekit.skopes.hst.cal.estimate.predict_batch`.
    models : HstCalModels, optional
        Networks already loaded in this process.

    Returns
    -------
    ChunkPrediction
    """
    if models is None:
        models = HstCalModels.from_archive(model_path)
    if tx_data is not None:
        models = replace(models, tx_data=tx_data)
    features, unencodable = encode_features(raw)
    with _one_blas_thread():
        preds, not_finite = predict_features(features, models, level, norm, norm_cols)
    return ChunkPrediction(preds, unencodable, not_finite)


_CONTROLLER = None
_CONTROLLER_LOCK = threading.Lock()


def _one_blas_thread():
    """Run the networks on one BLAS thread, as Dask workers do (their nannies set
    ``OPENBLAS_NUM_THREADS=1``): a float32 product summed by several threads can differ
    in the last bit, which is enough to move a rounded memory or a truncated wallclock.
    One thread makes every chunk's numbers the same wherever it runs."""
    global _CONTROLLER
    with _CONTROLLER_LOCK:
        if _CONTROLLER is None:
            from threadpoolctl import ThreadpoolController

            _CONTROLLER = ThreadpoolController()  # inspects the loaded libraries once
    return _CONTROLLER.limit(limits=1, user_api="blas")


def _worker_model_path(models: HstCalModels, model_path) -> str | None:
    """What the workers load: their own packaged archive, else the resolved local path."""
    if model_path is None or str(model_path).startswith("packaged/"):
        return None if model_path is None else str(model_path)
    return str(Path(models.path).absolute())


def _check_worker_archive(client, spec: str | None, models: HstCalModels) -> None:
    from spacekit._distributed import Task, run_tasks

    mine = dict(models.archive.manifest.get("sha256") or {}) if models.archive else {}
    done = run_tasks(worker_archive, [Task("archive", (spec,))], client=client, progress=False)
    if done.failed:
        raise InputError(
            f"The Dask workers cannot load the hst_cal archive {spec or '(packaged)'!r}: "
            f"{done.failed[0][1].rstrip('.')}. Put the archive on a file system the workers "
            "share, at the same path."
        )
    if done.results["archive"] != mine:
        raise InputError(
            f"The Dask workers' hst_cal archive at {spec!r} differs from this one "
            f"({models.path}); give both the same archive."
        )


def predict_in_chunks(
    raw: pd.DataFrame,
    models: HstCalModels,
    *,
    model_path: str | None = None,
    level: float | None = DEFAULT_LEVEL,
    norm: int = 1,
    norm_cols: Sequence[int] = (0, 1),
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    client=None,
    progress: bool = True,
) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """Predict every row of ``raw`` in chunks, here or on a Dask cluster.

    Parameters
    ----------
    raw : pandas.DataFrame
        Raw values indexed by dataset.
    models : HstCalModels
        The networks loaded here (used for local runs, and to check the workers' ones).
    model_path : str, optional
        What ``models`` was loaded from (``None``: the packaged archive).
    level, norm, norm_cols
        As for :func:`~spacekit.skopes.hst.cal.estimate.predict_batch`.
    chunk_size : int, default=20000
        Datasets per task.
    client : distributed.Client or str, optional
        Run the chunks on this Dask cluster (or the scheduler at this address).
    progress : bool, default=True
        Progress bar over the chunks (hidden when not on a terminal).

    Returns
    -------
    predictions : pandas.DataFrame
        One row per predicted dataset, in input order.
    skipped : list of (str, str)
        Datasets left out, with the reason: the encoder's, a failed chunk's, then those
        with non-finite network outputs, each in input order.

    Raises
    ------
    InputError
        ``level``, ``norm_cols`` or ``chunk_size`` is invalid, or the workers cannot load
        the same archive.
    DataError
        ``norm=1`` and no normalisation statistics.
    """
    from spacekit._distributed import Task, client_from, run_tasks

    chunks = chunk_rows(raw, chunk_size)
    # options are checked once here, not reported as a failure of every chunk
    empty = predict_chunk(raw.iloc[:0], level=level, norm=norm, norm_cols=norm_cols, models=models)
    kwargs = dict(level=level, norm=norm, norm_cols=[int(c) for c in norm_cols])
    with client_from(client) as cl:
        if cl is not None:
            spec = _worker_model_path(models, model_path)
            _check_worker_archive(cl, spec, models)
            kwargs.update(model_path=spec, tx_data=models.tx_data)
        else:
            kwargs.update(models=models)
        tasks = [Task(name, (part,), kwargs) for name, part in chunks]
        done = run_tasks(
            predict_chunk,
            tasks,
            client=cl,
            progress=progress and len(tasks) > 1,
            desc="HST cal chunks",
            unit="chunk",
        )
    failed = dict(done.failed)
    frames, unencodable, not_finite = [], [], []
    for name, part in chunks:
        res = done.results.get(name)
        if res is None:
            unencodable.extend((str(d), f"{name} failed: {failed[name]}") for d in part.index)
            continue
        frames.append(res.predictions)
        unencodable.extend(res.unencodable)
        not_finite.extend(res.not_finite)
    frames = [f for f in frames if len(f)] or [empty.predictions]
    preds = pd.concat(frames) if len(frames) > 1 else frames[0]
    return preds, unencodable + not_finite
