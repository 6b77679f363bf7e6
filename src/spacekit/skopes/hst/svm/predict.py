"""Classify HST single-visit mosaics as aligned or misaligned (spacekit 1.1.4 interface).

::

    from spacekit.skopes.hst.svm.predict import predict_alignment
    preds = predict_alignment("out/svm_data.csv", "out/img")

or from a shell, with 1.1.4's flags::

    python -m spacekit.skopes.hst.svm.predict out/svm_data.csv out/img [-m svm_align.zip]

Flow: the 10 features of ``svm_data.csv`` (``spacekit svm prep``) and the three 128×128
frames of each visit (:mod:`spacekit.extractor.images`) go through the ensemble
(:mod:`spacekit.builder.ensemble_model`, Keras, loaded once per process). Images are read
and classified in chunks, so memory stays flat for any number of visits. Outputs, in
``{output_path}/predictions/``:

* ``predictions.csv``: the 10 features, ``y_pred`` (1.0 = suspicious, probability ≥ 0.5),
  ``y_proba`` and ``index`` (the visit name);
* ``clf_report.txt``: mean probability, counts, misalignment counts by detector, the model
  used;
* ``compromised.txt``: the visits predicted misaligned, one per line;
* ``skipped.txt`` (only when rows were skipped): visit name and reason.

``output_path`` defaults to the folder of ``data_file`` (1.1.4 wrote into the current
directory).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from spacekit._io import atomic_path
from spacekit._runner import add_log_arguments, configure_runner_logging
from spacekit.exceptions import DataError, InputError, SpacekitWarning
from spacekit.skopes.hst.svm._inputs import normalize_features, read_features
from spacekit.skopes.hst.svm._report import classification_report, write_skipped
from spacekit.skopes.hst.svm.config import DETECTOR_KEY

__all__ = [
    "DIM",
    "CH",
    "SIZE",
    "DEPTH",
    "SHAPE",
    "DETECTOR_KEY",
    "THRESHOLD",
    "load_mixed_inputs",
    "classify_alignments",
    "classification_report",
    "predict_alignment",
    "main",
]

# named explicitly: under `python -m` this module runs as "__main__"
log = logging.getLogger("spacekit.skopes.hst.svm.predict")

DIM, CH, SIZE, DEPTH = 3, 3, 128, 9
SHAPE = (DIM, SIZE, SIZE, CH)
#: Probability at or above which a visit is reported as suspicious (misaligned).
THRESHOLD = 0.5
#: Visits read and classified at a time by :func:`predict_alignment`.
CHUNK = 256


def _images(img_path, names, size, progress=False):
    from spacekit.extractor.images import load_svm_images

    return load_svm_images(img_path, names, size=size, progress=progress)


def load_mixed_inputs(
    data_file: str | os.PathLike | pd.DataFrame,
    img_path: str | os.PathLike,
    tx: dict | str | os.PathLike | None = None,
    size: int = SIZE,
    norm: int = 0,
) -> list:
    """Read the features and images of every usable visit: ``[X_data, X_img]``.

    Parameters
    ----------
    data_file : path-like or DataFrame
        ``svm_data.csv`` (``index`` column of visit names + the 10 features).
    img_path : path-like
        The ``img`` folder (one sub-folder per visit with three PNGs) or an ``.npz``.
    tx : dict or path-like, optional
        Normalisation statistics (``tx_data.json``) for ``norm=1``.
    size : int, default=128
        Side of the square frames.
    norm : int, default=0
        1: PowerX on the 7 continuous features and pixels divided by 255.

    Returns
    -------
    list
        ``[X_data, X_img]``: a DataFrame (n, 10) indexed by visit name and a float32 array
        (n, 3, size, size, 3). Visits without usable images or features are dropped (each
        one warned with :class:`~spacekit.exceptions.SkippedInputWarning`).
    """
    X, _ = read_features(data_file)
    images, kept, _ = _images(img_path, X.index, size)
    X = X.loc[kept]
    if not kept:
        raise DataError(f"No visit of {len(X)} has its three images under '{img_path}'.")
    if norm:
        if tx is not None and not isinstance(tx, dict):
            from spacekit.preprocessor.transform import load_tx_data

            tx = load_tx_data(tx)
        X = normalize_features(X, tx)
        return [X, images.astype(np.float32) / 255.0]
    return [X, images.astype(np.float32)]


def classify_alignments(
    X: list,
    model,
    output_path: str | os.PathLike | None = None,
    group: str | None = None,
    *,
    raw_features: pd.DataFrame | None = None,
    model_label: str | None = None,
) -> pd.DataFrame:
    """Classify ``X = [X_data, X_img]`` and write the three output files.

    Parameters
    ----------
    X : list
        ``[X_data (DataFrame indexed by visit), X_img (n, 3, size, size, 3)]``, model-ready.
    model : keras.Model or EnsembleModel
        Anything with ``predict([X_data, X_img])``.
    output_path : path-like, optional
        Parent of the ``predictions/`` folder (required: nothing is written to the current
        directory by default).
    group : str, optional
        Name of the data set in the report.
    raw_features : DataFrame, optional
        Features written to ``predictions.csv`` (default ``X_data``; pass the raw values
        when ``X_data`` is normalised).
    model_label : str, optional
        Names the model in the report.

    Returns
    -------
    pandas.DataFrame
        The features, ``y_pred`` and ``y_proba``, indexed by visit name.
    """
    if output_path is None:
        raise InputError(
            "classify_alignments needs output_path (spacekit never writes into the current "
            "directory by default)."
        )
    X_data, X_img = X
    if hasattr(model, "image_size"):
        proba = model.predict(np.asarray(X_data, dtype=np.float32), X_img)
    else:
        proba = np.asarray(
            model.predict([np.asarray(X_data, dtype=np.float32), X_img], verbose=0)
        ).reshape(-1)
    feats = raw_features if raw_features is not None else X_data
    preds = _prediction_frame(feats.loc[X_data.index], proba)
    write_outputs(preds, output_path, group=group, model_label=model_label)
    return preds


def _prediction_frame(features: pd.DataFrame, proba: np.ndarray) -> pd.DataFrame:
    proba = np.asarray(proba, dtype=np.float32).reshape(-1)
    out = features.copy()
    for col in ("numexp", "nmatches", "point", "segment", "gaia", "det", "wcs", "cat"):
        if col in out and np.all(np.mod(out[col], 1) == 0):
            out[col] = out[col].astype(np.int64)
    out["y_pred"] = (proba >= THRESHOLD).astype(np.float64)
    out["y_proba"] = proba
    return out


def write_outputs(
    preds: pd.DataFrame,
    output_path: str | os.PathLike,
    group: str | None = None,
    skipped: Sequence[tuple[str, str]] = (),
    model_label: str | None = None,
) -> Path:
    """Write ``predictions.csv``, ``clf_report.txt``, ``compromised.txt`` (and skips)."""
    folder = Path(output_path) / "predictions"
    folder.mkdir(parents=True, exist_ok=True)
    table = preds.copy()
    table["index"] = table.index
    with atomic_path(folder / "predictions.csv") as tmp:
        table.to_csv(tmp, index=False)
    classification_report(preds, folder, group=group, model_label=model_label, skipped=skipped)
    write_skipped(folder, skipped)
    return folder


def predict_alignment(
    data_file: str | os.PathLike | pd.DataFrame,
    img_path: str | os.PathLike,
    model_path: str | os.PathLike | None = None,
    output_path: str | os.PathLike | None = None,
    size: int = SIZE,
    norm: int = 0,
    group: str | None = None,
    extract_to: str | os.PathLike | None = None,
    *,
    progress: bool = False,
    chunk: int = CHUNK,
) -> pd.DataFrame:
    """Predict the alignment of every visit in ``data_file`` and write the outputs.

    Parameters
    ----------
    data_file : path-like or DataFrame
        ``svm_data.csv`` from ``spacekit svm prep``.
    img_path : path-like
        The ``img`` folder with ``{visit}/{visit}.png``, ``_source.png``, ``_gaia.png``
        (or class folders ``0/``, ``1/``), or an ``.npz`` of images.
    model_path : path-like, optional
        An ``svm_align`` archive (zip or folder; spacekit's or the published 1.1.4 one) or
        a ``.keras`` file. Default: the archive packaged with spacekit.
    output_path : path-like, optional
        Parent of ``predictions/``. Default: the folder of ``data_file`` (1.1.4 used the
        current directory).
    size : int, default=128
        Side of the frames; must match the model's input.
    norm : int, default=0
        1: PowerX-normalise the 7 continuous features with the archive's ``tx_data.json``
        and divide pixels by 255 (how the model must have been trained).
    group : str, optional
        Name of the data set, written in the report.
    extract_to : path-like, optional
        Accepted for 1.1.4 compatibility and ignored: archives are read in memory.
    progress : bool, default=False
        Show a progress bar over the chunks of visits.
    chunk : int, default=256
        Visits read and classified at a time (bounds memory).

    Returns
    -------
    pandas.DataFrame
        Indexed by visit name: the 10 features, ``y_pred`` and ``y_proba``. Its ``attrs``
        hold ``skipped`` (list of (visit, reason)), ``model`` (which archive answered) and
        ``output`` (the predictions folder).

    Raises
    ------
    InputError, DataError
        Missing or unreadable inputs, or no visit with usable features and images.
    ArchiveError
        The model cannot be loaded.
    """
    from tqdm import tqdm

    from spacekit.builder.ensemble_model import load_ensemble_model

    if extract_to is not None:
        log.debug("extract_to=%r ignored: archives are read in memory", extract_to)
    if isinstance(chunk, bool) or not isinstance(chunk, int) or chunk < 1:
        raise InputError(f"chunk must be a positive integer; received {chunk!r}.")
    model = load_ensemble_model(model_path)
    if model.image_size != size:
        raise InputError(
            f"The model takes {model.image_size}×{model.image_size} images, but size={size} "
            f"was asked for; pass size={model.image_size}."
        )
    trained_norm = model.training.get("norm")
    if trained_norm is not None and int(trained_norm) != int(bool(norm)):
        msg = (
            f"The model {model.path.name} was trained with norm={trained_norm} but norm={norm} "
            "was given; its predictions will be wrong unless the inputs are scaled the same way."
        )
        log.warning("%s", msg)
        warnings.warn(msg, SpacekitWarning, stacklevel=2)
    if output_path is None:
        output_path = (
            Path(data_file).expanduser().resolve().parent
            if not isinstance(data_file, pd.DataFrame)
            else None
        )
        if output_path is None:
            raise InputError("Pass output_path when data_file is a DataFrame.")
    X, skipped = read_features(data_file)
    starts = range(0, len(X), chunk)
    parts = []
    bar = tqdm(starts, desc="classify", unit="chunk", disable=not progress or None)
    for start in bar:
        block = X.iloc[start : start + chunk]
        images, kept, lost = _images(img_path, block.index, size)
        skipped.extend(lost)
        if not kept:
            continue
        feats = block.loc[kept]
        Xm = normalize_features(feats, model.tx_data, where=str(model.path)) if norm else feats
        imgs = images.astype(np.float32) / 255.0 if norm else images.astype(np.float32)
        parts.append(_prediction_frame(feats, model.predict(Xm.to_numpy(np.float32), imgs)))
    if not parts:
        raise DataError(
            f"None of the {len(X)} visits in the data has its three images under "
            f"'{img_path}'; nothing to classify."
        )
    preds = pd.concat(parts)
    folder = write_outputs(preds, output_path, group, skipped, model_label=model.label)
    preds.attrs.update(skipped=list(skipped), model=model.label, output=str(folder))
    n_bad = int(preds["y_pred"].sum())
    log.info(
        "Classified %d visit(s) with %s: %d suspicious; %d skipped. Outputs in %s",
        len(preds),
        model.label,
        n_bad,
        len(skipped),
        folder,
    )
    return preds


# -------------------------------------------------------------------------- runner
def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m spacekit.skopes.hst.svm.predict",
        description="Classify HST single-visit mosaics as aligned or misaligned.",
    )
    p.add_argument("data_file", help="svm_data.csv written by 'spacekit svm prep'")
    p.add_argument("img_path", help="folder of visit image folders (or an .npz)")
    p.add_argument(
        "-m",
        "--model_path",
        default=os.environ.get("MODEL_PATH"),
        help="svm_align archive (.zip or folder) or .keras file; default: env MODEL_PATH, "
        "else the packaged one",
    )
    p.add_argument(
        "-o",
        "--output_path",
        default=None,
        help="parent of the predictions/ folder (default: the data file's folder)",
    )
    p.add_argument("-s", "--size", type=int, default=SIZE, help="image size (default 128)")
    p.add_argument(
        "-n", "--normalization", type=int, choices=(0, 1), default=0, help="normalise inputs"
    )
    p.add_argument("-g", "--group", default=None, help="data set name for the report")
    add_log_arguments(p, "svm_predict.log")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the 1.1.4-compatible command line; return the exit code.

    Prints where the outputs went and how many visits look suspicious. Exit code 0 when
    at least one visit was classified, 1 when nothing could be (or the inputs or model
    were unusable).
    """
    from spacekit.exceptions import SkippedInputWarning, SpacekitError

    args = _parser().parse_args(argv)
    configure_runner_logging(args, "svm_predict.log")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SkippedInputWarning)  # each one is logged
            preds = predict_alignment(
                args.data_file,
                args.img_path,
                model_path=args.model_path,
                output_path=args.output_path,
                size=args.size,
                norm=args.normalization,
                group=args.group,
                progress=True,
            )
    except (SpacekitError, FileNotFoundError) as exc:
        log.error("%s", exc)
        return 1
    out = Path(args.output_path or Path(args.data_file).expanduser().resolve().parent)
    n_bad = int(preds["y_pred"].sum())
    sys.stdout.write(
        f"{len(preds)} visit(s) classified, {n_bad} suspicious; see {out / 'predictions'}\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
