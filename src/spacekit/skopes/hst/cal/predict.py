"""Predict the memory bin, memory (GB) and wallclock (s) of HST calibration jobs.

The spacekit 1.1.4 interface, with the networks run in numpy (no TensorFlow import)
and loaded once per process::

    from spacekit.skopes.hst.cal.predict import Predict
    pred = Predict("j8zs05020", bucket_name="calcloud-bucket")   # reads S3 control/...
    pred.run_inference()
    pred.predictions      # {'memBin': 3, 'memVal': 18.89, 'clockTime': 76479}
    pred.upper_bounds     # {'memVal_upper': ..., 'clockTime_upper': ..., 'level': 0.95}

``input_data`` may be set to the ``key=value`` dict before :meth:`Predict.run_inference`
to skip the scrape, as in 1.1.4; ``dataset`` may also be a local ``_MemModelFeatures.txt``
file or a dataset's folder of raw FITS files. Many datasets at once (a CSV, a folder of
dataset folders) go through :func:`predict_inputs` or the command line::

    python -m spacekit.skopes.hst.cal.predict DATASET|FILE|CSV|DIR [-b BUCKET] [-m ARCHIVE]

which prints ``{dataset: {"memBin", "memVal", "clockTime", ...}}`` as JSON.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from spacekit._runner import add_log_arguments, configure_runner_logging
from spacekit._text import preview
from spacekit.builder.handle import ModelHandle, model_outputs, unwrap_model
from spacekit.exceptions import DataError, InputError, SkippedInputWarning
from spacekit.extractor.keywords.hst_cal import FEATURES_SUFFIX
from spacekit.extractor.scrape_hstcal import load_hstcal_inputs, read_features_file, records_frame
from spacekit.preprocessor.scrub_hstcal import encode_features
from spacekit.skopes.hst.cal.batch import DEFAULT_CHUNK_SIZE, predict_in_chunks
from spacekit.skopes.hst.cal.estimate import (
    DEFAULT_LEVEL,
    MODEL_NAMES,
    HstCalModels,
    normalize_features,
    predict_features,
)

__all__ = [
    "Predict",
    "load_pretrained_model",
    "local_handler",
    "lambda_handler",
    "predict_inputs",
    "predict_records",
    "records",
    "RECORD_COLUMNS",
    "main",
]

# named explicitly: under `python -m` this module runs as "__main__"
log = logging.getLogger("spacekit.skopes.hst.cal.predict")

_CONTROL = "control"
#: Columns of a prediction record (the 1.1.4 keys, then the upper bounds).
RECORD_COLUMNS = ("memBin", "memVal", "clockTime", "memVal_upper", "clockTime_upper")


def load_pretrained_model(model_path: str | os.PathLike | None = None, **kwargs) -> HstCalModels:
    """Load the three networks of an ``hst_cal`` archive (the packaged one by default).

    The archive is read once per process and cached; nothing is extracted. Other keyword
    arguments of 1.1.4's ``Builder`` are accepted and ignored.

    Returns
    -------
    HstCalModels
    """
    if kwargs:
        log.debug("load_pretrained_model: ignoring 1.1.4 Builder options %s", sorted(kwargs))
    return HstCalModels.from_archive(model_path)


def _read_tx(path: str | os.PathLike) -> dict:
    p = Path(path).expanduser()
    if not p.is_file():
        raise InputError(
            f"tx_file '{p}' does not exist. Pass an existing tx_data.json, or omit tx_file "
            "to use the model archive's statistics."
        )
    try:
        tx = json.loads(p.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise InputError(f"tx_file '{p}' is not valid JSON: {exc}") from exc
    if not isinstance(tx, dict) or not {"lambdas", "mu", "sigma"} <= set(tx):
        raise InputError(f"tx_file '{p}' must hold {{'lambdas', 'mu', 'sigma'}} lists.")
    return tx


class Predict:
    """Estimate the resources of one HST calibration dataset.

    Parameters
    ----------
    dataset : str or path-like
        The dataset name (ipppssoot), or a local ``{dataset}_MemModelFeatures.txt`` file,
        or the folder of the dataset's raw FITS files.
    bucket_name : str, optional
        S3 bucket holding ``{key}`` (needs boto3: ``pip install "spacekit[aws]"``).
    key : str, optional
        S3 key of the features file; ``None`` or ``"control"`` means
        ``control/{dataset}/{dataset}_MemModelFeatures.txt``. Without ``bucket_name`` a key
        is a local path (or an ``s3://`` address).
    model_path : path-like or str, optional
        An ``hst_cal`` archive (zip or folder; ours or spacekit 1.1.4's), or a registry
        name such as ``"spacekit-1.1.4/hst_cal"`` (fetched into the cache on first use,
        see :mod:`spacekit.builder.registry`). Default: the archive shipped with spacekit
        (``"packaged/hst_cal"``).
    models : dict, optional
        Pre-loaded networks keyed ``mem_clf``, ``mem_reg``, ``wall_reg`` (objects with
        ``predict``, or 1.1.4 ``Builder``-like objects with ``.model``).
    tx_file : path-like, optional
        Normalisation JSON; default: the archive's ``tx_data``.
    norm : int, default=1
        1 normalises ``n_files`` and ``total_mb`` (PowerX), 0 does not.
    norm_cols : sequence of int, default=[0, 1]
        Positions of the normalised feature columns.
    level : float or None, default=0.95
        Coverage level of :attr:`upper_bounds` (needs a calibrated archive; the published
        1.1.4 archive has none). None skips the bounds.
    **log_kws
        Accepted for compatibility with 1.1.4 and ignored: applications configure logging.

    Attributes
    ----------
    predictions : dict
        ``{"memBin": int, "memVal": float, "clockTime": int}`` (the 1.1.4 contract).
    probabilities : dict
        ``{"dataset": name, "probabilities": [p0, p1, p2, p3]}`` of the memory bins.
    upper_bounds : dict
        ``{"memVal_upper": float, "clockTime_upper": int, "level": float}``, or empty
        when the archive carries no calibration.
    input_data : dict or None
        The raw ``key=value`` values of the dataset.
    inputs : pandas.DataFrame or None
        The 9 encoded features (one row).
    X : numpy.ndarray or None
        The normalised model inputs, shape (1, 9).
    tx_data : dict or None
    mem_clf, mem_reg, wall_reg : ModelHandle
        The networks (``.model`` has ``predict``).
    """

    def __init__(
        self,
        dataset: str | os.PathLike | None = None,
        bucket_name: str | None = None,
        key: str | None = None,
        model_path: str | os.PathLike | None = None,
        models: Mapping | None = None,
        tx_file: str | os.PathLike | None = None,
        norm: int = 1,
        norm_cols: Sequence[int] = (0, 1),
        level: float | None = DEFAULT_LEVEL,
        **log_kws,
    ):
        self.__name__ = "Predict"
        self.dataset = None if dataset is None else str(dataset)
        self.bucket_name = bucket_name
        self.key = key
        self.model_path = None if model_path is None else str(model_path)
        self.models = dict(models or {})
        self.tx_file = tx_file
        self.norm = int(norm)
        self.norm_cols = [int(c) for c in norm_cols]
        self.level = level
        self.log = log
        self.log_kws = log_kws
        self.input_data: dict | None = None
        self.inputs: pd.DataFrame | None = None
        self.X: np.ndarray | None = None
        self.tx_data: dict | None = None
        self.predictions: dict = {}
        self.probabilities: dict = {}
        self.upper_bounds: dict = {}
        self.mem_clf = self.mem_reg = self.wall_reg = None
        self._bundle: HstCalModels | None = None
        self.initialize_models()

    # ------------------------------------------------------------------ models
    def initialize_models(self) -> None:
        """Load the networks (called by the constructor, as in 1.1.4)."""
        self.load_models(self.models)

    def load_models(self, models: Mapping | None = None) -> None:
        """Set ``mem_clf``/``mem_reg``/``wall_reg`` from ``models`` or the archive.

        The archive is read only if a network or the normalisation is missing, and then
        once per process (cached by path, modification time and size).
        """
        given = {k: v for k, v in dict(models or {}).items() if v is not None}
        archive = None
        if any(n not in given for n in MODEL_NAMES) or (self.norm and self.tx_file is None):
            archive = HstCalModels.from_archive(self.model_path)
            self.model_path = archive.path
        for name in MODEL_NAMES:
            obj = given.get(name)
            if obj is None:
                model = getattr(archive, name)
            else:  # a model, or a 1.1.4 Builder-like object holding it in .model
                model = unwrap_model(obj)
            handle = ModelHandle(name, model, self.model_path, blueprint=f"hst_{name}")
            setattr(self, name, handle)
            self.models[name] = handle
        self.tx_data = _read_tx(self.tx_file) if self.tx_file is not None else None
        if self.tx_data is None and archive is not None:
            self.tx_data = archive.tx_data
        self._bundle = HstCalModels(
            self.mem_clf.model,
            self.mem_reg.model,
            self.wall_reg.model,
            self.tx_data,
            archive.bounds if archive is not None else {},
            self.model_path,
            archive.archive if archive is not None else None,
        )

    # ------------------------------------------------------------------ inputs
    def _s3_address(self) -> str:
        key = self.key
        if key is None or key == _CONTROL:
            key = f"{_CONTROL}/{self.dataset}/{self.dataset}{FEATURES_SUFFIX}"
        return f"s3://{self.bucket_name}/{key.lstrip('/')}"

    def scrape_s3_inputs(self) -> dict:
        """Read the dataset's raw values into :attr:`input_data` and return them.

        From S3 when ``bucket_name`` is set; otherwise from ``key`` (a local path or
        ``s3://`` address) or from ``dataset`` when it is a features file or a folder of
        the dataset's raw FITS files.

        Raises
        ------
        InputError
            If no source can be found, or a folder holds several datasets.
        """
        if self.bucket_name:
            name, values = read_features_file(self._s3_address())
        elif self.key is not None and self.key != _CONTROL:
            name, values = read_features_file(self.key)
        elif self.dataset is not None and (
            Path(self.dataset).expanduser().exists() or self.dataset.startswith("s3://")
        ):
            raw, skipped = load_hstcal_inputs(self.dataset, progress=False)
            if len(raw) == 0 and len(skipped) == 1:
                raise DataError(f"{skipped[0][0]}: {skipped[0][1]}.")
            if len(raw) != 1:
                found = list(raw.index[:3]) + [s for s, _ in skipped[:3]]
                raise InputError(
                    f"'{self.dataset}' holds {len(raw)} usable datasets ({found}...); "
                    "Predict estimates one. Use predict_inputs() or `spacekit hstcal predict` "
                    "for many."
                )
            name = str(raw.index[0])
            values = {k: v for k, v in raw.iloc[0].items() if v is not None}
        else:
            raise InputError(
                f"No input for dataset {self.dataset!r}: pass bucket_name (S3), key (a "
                f"{FEATURES_SUFFIX} path), a local features file or FITS folder as dataset, "
                "or set input_data to the key=value dict before run_inference()."
            )
        if self.dataset is None or Path(self.dataset).expanduser().exists():
            self.dataset = name
        self.input_data = dict(values)
        return self.input_data

    def preprocess(self) -> pd.DataFrame:
        """Scrape (unless :attr:`input_data` is set), encode and normalise the inputs.

        Raises
        ------
        DataError
            If the dataset's values cannot be encoded (the message gives the reason).
        """
        if self.input_data is None:
            self.scrape_s3_inputs()
        if not self.dataset:
            raise InputError("Predict needs the dataset name (its first letter is the instrument).")
        raw = records_frame([(self.dataset, self.input_data)])
        features, skipped = encode_features(raw)
        if skipped:
            raise DataError(f"Dataset {self.dataset}: {skipped[0][1]}.")
        self.inputs = features
        self.X = self.normalize_inputs(features)
        return features

    def normalize_inputs(self, inputs: pd.DataFrame) -> np.ndarray:
        """Model inputs from the 9 encoded features (PowerX on ``norm_cols``)."""
        return normalize_features(inputs, self.tx_data, self.norm, self.norm_cols)

    # --------------------------------------------------------------- inference
    def classifier(self, model, data) -> tuple[int, np.ndarray]:
        """Return (memory bin, probabilities) of one sample."""
        proba = model_outputs(model, np.atleast_2d(np.asarray(data, dtype=np.float32)))
        return int(np.argmax(proba[0])), proba[0]

    def regressor(self, model, data) -> float:
        """Return the raw network output for one sample."""
        out = model_outputs(model, np.atleast_2d(np.asarray(data, dtype=np.float32)))
        return float(np.ravel(out)[0])

    def run_inference(self) -> dict:
        """Preprocess (if not done yet) and predict; returns :attr:`predictions`."""
        if self.inputs is None:
            self.preprocess()
        out, skipped = predict_features(
            self.inputs, self._bundle, self.level, self.norm, self.norm_cols
        )
        if skipped:
            raise DataError(f"Dataset {self.dataset}: {skipped[0][1]}.")
        row = out.iloc[0]
        self.predictions = {
            "memBin": int(row["memBin"]),
            "memVal": float(row["memVal"]),
            "clockTime": int(row["clockTime"]),
        }
        self.probabilities = {
            "dataset": self.dataset,
            "probabilities": [float(row[c]) for c in out.columns if c.startswith("p")],
        }
        self.upper_bounds = {}
        if "memVal_upper" in out or "clockTime_upper" in out:
            if "memVal_upper" in out:
                self.upper_bounds["memVal_upper"] = float(row["memVal_upper"])
            if "clockTime_upper" in out:
                self.upper_bounds["clockTime_upper"] = int(row["clockTime_upper"])
            self.upper_bounds["level"] = float(self.level)
        log.info("%s: %s %s", self.dataset, self.predictions, self.upper_bounds)
        return self.predictions


def local_handler(dataset, **kwargs) -> Predict:
    """Construct :class:`Predict`, run inference and return the object (1.1.4)."""
    pred = Predict(dataset, **kwargs)
    pred.run_inference()
    return pred


def lambda_handler(event: Mapping, context=None) -> dict:
    """AWS Lambda entry point: ``event = {"Dataset", "Bucket", "Key"}`` -> predictions.

    The archive comes from the environment variable ``MODEL_PATH`` (an ``hst_cal`` zip or
    folder, or a registry name; default: the packaged archive), with
    ``{MODEL_PATH}/tx_data.json`` when that file exists. It is loaded once per process,
    so warm invocations only scrape and predict. An event ``"Level"`` (e.g. 0.95) adds
    ``memVal_upper``/``clockTime_upper``.

    Returns
    -------
    dict
        ``{"memBin", "memVal", "clockTime"}`` (plus the bounds when asked for).
    """
    if not isinstance(event, Mapping) or not event.get("Dataset"):
        raise InputError(f"The event needs a 'Dataset' (and 'Bucket', 'Key'); received {event!r}.")
    model_path = os.environ.get("MODEL_PATH") or None
    tx_file = None
    if model_path and Path(model_path).is_dir() and Path(model_path, "tx_data.json").is_file():
        tx_file = str(Path(model_path, "tx_data.json"))
    level = event.get("Level")
    pred = Predict(
        event["Dataset"],
        bucket_name=event.get("Bucket"),
        key=event.get("Key"),
        model_path=model_path,
        tx_file=tx_file,
        level=float(level) if level is not None else None,
    )
    pred.run_inference()
    out = dict(pred.predictions)
    if level is not None:
        out.update({k: v for k, v in pred.upper_bounds.items() if k != "level"})
    return out


def predict_inputs(
    source,
    model_path: str | os.PathLike | None = None,
    tx_file: str | os.PathLike | None = None,
    level: float | None = DEFAULT_LEVEL,
    norm: int = 1,
    norm_cols: Sequence[int] = (0, 1),
    progress: bool = True,
    client=None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> tuple[pd.DataFrame, list[tuple[str, str]], HstCalModels]:
    """Read any supported input (CSV, folder, file, dict, DataFrame) and predict it all.

    Parameters
    ----------
    source
        See :func:`spacekit.extractor.scrape_hstcal.load_hstcal_inputs`.
    model_path, tx_file, level, norm, norm_cols
        As for :class:`Predict`.
    progress : bool, default=True
        Progress bar while scraping many FITS datasets, and over the row chunks.
    client : distributed.Client or str, optional
        Encode and predict the row chunks on this Dask cluster (or the scheduler at this
        address), one task per chunk (:mod:`spacekit.skopes.hst.cal.batch`); the inputs
        are read here. The results are those of a local run. The workers load the
        archive themselves: the packaged one from their own spacekit, any other from
        its path (which they must see). Needs ``pip install "spacekit[distributed]"``.
    chunk_size : int, default=20000
        Datasets per task (local runs predict the same chunks).

    Returns
    -------
    predictions : pandas.DataFrame
        One row per predicted dataset (see :func:`.estimate.predict_batch`).
    skipped : list of (str, str)
        Every input left out, with the reason (logged at INFO; one
        :class:`~spacekit.exceptions.SkippedInputWarning` sums them up).
    models : HstCalModels
        The networks used.
    """
    models = HstCalModels.from_archive(model_path)
    if tx_file is not None:
        models = HstCalModels(
            models.mem_clf, models.mem_reg, models.wall_reg, _read_tx(tx_file),
            models.bounds, models.path, models.archive,
        )  # fmt: skip
    raw, skipped = load_hstcal_inputs(source, progress=progress)
    preds, more = predict_in_chunks(
        raw,
        models,
        model_path=model_path,
        level=level,
        norm=norm,
        norm_cols=norm_cols,
        chunk_size=chunk_size,
        client=client,
        progress=progress,
    )
    skipped = skipped + more
    if skipped:
        by_reason: dict[str, list[str]] = {}
        for item, reason in skipped:
            by_reason.setdefault(reason, []).append(item)
        for reason, items in by_reason.items():
            log.info("Skipped %s: %s", preview(items), reason)
        names = preview(f"{item} ({reason})" for item, reason in skipped)
        warnings.warn(
            f"Skipped {len(skipped)} dataset(s): {names}. The second returned value "
            "lists every dataset and reason.",
            SkippedInputWarning,
            stacklevel=2,
        )
    return preds, skipped, models


def predict_records(
    source,
    bucket_name: str | None = None,
    key: str | None = None,
    model_path: str | os.PathLike | None = None,
    tx_file: str | os.PathLike | None = None,
    level: float | None = DEFAULT_LEVEL,
    norm: int = 1,
    norm_cols: Sequence[int] = (0, 1),
    progress: bool = True,
    client=None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> tuple[dict[str, dict], list[tuple[str, str]], HstCalModels]:
    """``{dataset: record}`` for one dataset read from S3, or for any local source.

    With ``bucket_name`` (or a ``key`` while ``source`` is not a local path), ``source``
    is a dataset name read through :class:`Predict`; otherwise it goes to
    :func:`predict_inputs` (with ``client`` and ``chunk_size``). A record has
    :data:`RECORD_COLUMNS` (the bounds when the archive is calibrated). This is what the
    command lines print.

    Returns
    -------
    records : dict
    skipped : list of (str, str)
    models : HstCalModels
    """
    if bucket_name or (key and not Path(str(source)).exists()):
        pred = local_handler(
            str(source),
            bucket_name=bucket_name,
            key=key,
            model_path=model_path,
            tx_file=tx_file,
            norm=norm,
            norm_cols=norm_cols,
            level=level,
        )
        bounds = {k: v for k, v in pred.upper_bounds.items() if k != "level"}
        return {pred.dataset: {**pred.predictions, **bounds}}, [], pred._bundle
    preds, skipped, models = predict_inputs(
        source,
        model_path=model_path,
        tx_file=tx_file,
        level=level,
        norm=norm,
        norm_cols=norm_cols,
        progress=progress,
        client=client,
        chunk_size=chunk_size,
    )
    return records(preds), skipped, models


# -------------------------------------------------------------------------- runner
def _parse_cols(text: str) -> list[int]:
    try:
        return [int(c) for c in str(text).split(",") if c.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated column positions such as '0,1'; received {text!r}"
        ) from exc


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m spacekit.skopes.hst.cal.predict",
        description="Predict memory bin, memory (GB) and wallclock (s) of HST calibration jobs.",
    )
    p.add_argument(
        "dataset",
        help="dataset name (with -b), or a _MemModelFeatures.txt file, a CSV of datasets, or "
        "a folder of raw FITS files (one dataset or one folder per dataset)",
    )
    p.add_argument("-b", "--bucket_name", default=os.environ.get("BUCKET"), help="S3 bucket")
    p.add_argument("-k", "--key", default=None, help="S3 key of the features file")
    p.add_argument("-n", "--norm", type=int, default=1, help="normalise inputs (1) or not (0)")
    p.add_argument("-c", "--norm_cols", type=_parse_cols, default=[0, 1], help="e.g. 0,1")
    p.add_argument(
        "-m",
        "--model_path",
        default=os.environ.get("MODEL_PATH"),
        help="hst_cal archive (zip, folder or registry name such as spacekit-1.1.4/hst_cal); "
        "default: env MODEL_PATH, else the packaged one",
    )
    p.add_argument("-t", "--tx_file", default=None, help="normalisation JSON")
    p.add_argument(
        "--level",
        type=float,
        default=DEFAULT_LEVEL,
        help="coverage level of the upper bounds (default 0.95; needs a calibrated archive)",
    )
    add_log_arguments(p, "spacekit.log")
    return p


def records(preds: pd.DataFrame) -> dict[str, dict]:
    """``{dataset: {column: value}}`` of the prediction columns, as Python numbers."""
    cols = [c for c in RECORD_COLUMNS if c in preds.columns]
    values = {c: preds[c].tolist() for c in cols}
    return {str(name): {c: values[c][i] for c in cols} for i, name in enumerate(preds.index)}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the 1.1.4-compatible command line; return the exit code.

    Prints ``{dataset: {"memBin", "memVal", "clockTime", "memVal_upper",
    "clockTime_upper"}}`` as JSON. Exit code 0 if at least one dataset was predicted,
    1 if none could be (the reasons are logged).
    """
    from spacekit.exceptions import SpacekitError

    args = _parser().parse_args(argv)
    configure_runner_logging(args, "spacekit.log")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SkippedInputWarning)
            result, _, _ = predict_records(
                args.dataset,
                bucket_name=args.bucket_name,
                key=args.key,
                model_path=args.model_path,
                tx_file=args.tx_file,
                level=args.level,
                norm=args.norm,
                norm_cols=args.norm_cols,
            )
    except (SpacekitError, FileNotFoundError) as exc:
        log.error("%s", exc)
        return 1
    sys.stdout.write(json.dumps(result, indent=2) + "\n")
    return 0 if result else 1


if __name__ == "__main__":
    sys.exit(main())
