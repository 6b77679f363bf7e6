"""Train the SVM alignment ensemble (spacekit 1.1.4 interface, 1.1.4's bugs fixed).

::

    from spacekit.skopes.hst.svm.train import run_training
    ens, com, val = run_training("out/svm_data.csv", "out/img", output_path="runs/svm")

or, with 1.1.4's flags::

    python -m spacekit.skopes.hst.svm.train out/svm_data.csv out/img -o runs/svm -e 30

``svm_data.csv`` needs a ``label`` column (0 aligned, 1 misaligned), or pass the labels
separately (``labels=`` / ``--labels``, e.g. the ``labels.csv`` of ``spacekit datasets
simulate svm``). Output tree (``output_path`` defaults to ``runs/{date}-{unix time}`` beside
the data file, a name the dashboards order by time; 1.1.4 used ``./mml_{time}``)::

    data/training.csv                       the features, label and split of every visit
    models/svm_align/{model_name}.keras     the trained ensemble (+ tx_data.json if norm=1)
    models/svm_align/model_inputs.json      its input columns and frames (for the dashboards)
    results/test/  results/val/             ComputeBinary results (what the dashboards load)
    summary/metrics.json                    held-out metrics: ensemble, branches, baseline
    svm_align.zip                           archive with a model card, for predict

The held-out **test** split (20 %) is never seen during training; early stopping and the
per-epoch ``val_*`` metrics use the validation split (15 % of the rest), or the training
metrics when ``v`` is 0.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
import warnings
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from spacekit._io import atomic_path, atomic_write_json
from spacekit._runner import add_log_arguments, configure_runner_logging
from spacekit._tf_quiet import quiet_tensorflow
from spacekit.builder.ensemble import SVM_FEATURES
from spacekit.exceptions import DataError, InputError
from spacekit.skopes.hst.svm._inputs import NORM_COLS, read_features
from spacekit.skopes.hst.svm._train_report import (
    binary_metrics,
    fit_baseline_classifier,
    make_model_card,
    write_model_inputs,
)

__all__ = [
    "DEFAULT_BLUEPRINT",
    "stratified_splits",
    "make_ensembles",
    "load_ensemble_data",
    "train_ensemble",
    "compute_results",
    "run_training",
    "write_run_archive",
    "main",
]

# named explicitly: under `python -m` this module runs as "__main__"
log = logging.getLogger("spacekit.skopes.hst.svm.train")

#: Blueprint trained by default: small enough for minutes on two CPU cores.
DEFAULT_BLUEPRINT = "svm_ensemble_lite"
_TEST_SIZE = 0.2


# ---------------------------------------------------------------------- data
def _read_labels(labels) -> pd.Series:
    if isinstance(labels, pd.Series):
        out = labels
    elif isinstance(labels, pd.DataFrame):
        frame = labels.set_index("index") if "index" in labels.columns else labels
        out = frame["label"]
    else:
        path = Path(labels).expanduser()
        if not path.is_file():
            raise InputError(f"Labels file '{path}' does not exist.")
        frame = pd.read_csv(path)
        if "index" not in frame.columns or "label" not in frame.columns:
            raise DataError(
                f"Labels file '{path}' needs 'index' and 'label' columns; it has "
                f"{list(frame.columns)}."
            )
        out = frame.set_index("index")["label"]
    out.index = out.index.astype(str)
    return out


def _labelled(data_file, labels) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    df, skipped = read_features(data_file, extra=["label"])
    if labels is not None:
        lab = _read_labels(labels)
        df["label"] = lab.reindex(df.index)
    if "label" not in df.columns:
        raise DataError(
            "The training data has no 'label' column (0 aligned, 1 misaligned); add one or "
            "pass labels= / --labels (a CSV with 'index' and 'label')."
        )
    lab = pd.to_numeric(df["label"], errors="coerce")
    bad = ~lab.isin([0, 1])
    for name in df.index[bad]:
        skipped.append((name, f"label {df.loc[name, 'label']!r} is not 0 or 1"))
    df = df[~bad].copy()
    df["label"] = lab[~bad].astype(int)
    if bad.any():
        log.warning("Skipped %d visit(s) without a 0/1 label", int(bad.sum()))
    return df, skipped


def stratified_splits(
    df: pd.DataFrame, target: str = "label", v: float = 0.85, seed: int | None = None
) -> tuple[pd.Series, pd.Series, pd.Series | None]:
    """Split ``df[target]`` into train, test (20 %) and validation (``1 - v`` of the rest).

    Splits are stratified by label when every class has enough rows, and reproducible for
    a given ``seed`` (1.1.4 drew a random seed). ``v`` of 0 or 1 means no validation set.

    Returns
    -------
    train, test, val : pandas.Series
        Labels indexed by visit name (``val`` is None without a validation set).
    """
    from sklearn.model_selection import train_test_split

    y = df[target]
    if len(y) < 4:
        raise DataError(f"At least 4 labelled visits are needed to train; received {len(y)}.")

    def split(labels: pd.Series, size: float, salt: int):
        strat = labels if labels.value_counts().min() >= 2 else None
        state = None if seed is None else int(seed) + salt
        a, b = train_test_split(labels, test_size=size, random_state=state, stratify=strat)
        return a, b

    train, test = split(y, _TEST_SIZE, 0)
    val = None
    if v and 0 < float(v) < 1 and len(train) >= 4:
        train, val = split(train, 1.0 - float(v), 1)
    return train, test, val


def make_ensembles(
    train_data,
    train_img,
    train_label,
    test_data,
    test_img,
    test_label,
    val_data=None,
    val_img=None,
    val_label=None,
):
    """Pair features and images: ``XTR, YTR, XTS, YTS, XVL, YVL`` (labels as (n, 1))."""

    def y(lab):
        return None if lab is None else np.asarray(lab, dtype=np.float32).reshape(-1, 1)

    XVL = None if val_data is None else [val_data, val_img]
    return (
        [train_data, train_img],
        y(train_label),
        [test_data, test_img],
        y(test_label),
        XVL,
        y(val_label),
    )


def load_ensemble_data(
    filename,
    img_path,
    img_size: int = 128,
    dim: int = 3,
    ch: int = 3,
    norm: int = 0,
    v: float = 0.85,
    output_path=None,
    *,
    labels=None,
    seed: int | None = None,
    progress: bool = False,
):
    """Read, label and split the training data: ``tv_idx, XTR, YTR, XTS, YTS, XVL, YVL``.

    Parameters
    ----------
    filename : path-like or DataFrame
        ``svm_data.csv`` with a ``label`` column (or pass ``labels``).
    img_path : path-like
        Folder of visit image folders (``{visit}/`` or class folders ``{0,1}/{visit}/``),
        or an ``.npz`` with ``index`` and ``images``.
    img_size : int, default=128
    dim, ch : int, default=3
        Frames and channels per visit (3 and 3 are the only layout supported).
    norm : int, default=0
        Not applied here: the arrays are returned **raw** (features as scraped, pixels
        0..255) because training augments raw values; :func:`train_ensemble` normalises
        every batch when ``norm=1`` (1.1.4 normalised here and doubled the training rows
        with augmented copies instead).
    v : float, default=0.85
        Share of the non-test rows kept for training; the rest is the validation set.
    output_path : path-like, optional
        When given, ``data/training.csv`` (features, label and split of every visit, the
        table the dashboards explore) is written there.
    labels : path-like, Series or DataFrame, optional
        Labels by visit name (overrides a ``label`` column).
    seed : int, optional
        Seed of the splits.
    progress : bool, default=False
        Progress bar while reading images.

    Returns
    -------
    tv_idx : tuple of pandas.Series
        (train, test, val) labels indexed by visit name (val may be None).
    XTR, XTS, XVL : list
        ``[features DataFrame (n, 10), images uint8 (n, 3, size, size, 3)]``.
    YTR, YTS, YVL : numpy.ndarray of shape (n, 1)
    """
    from spacekit.extractor.images import load_svm_images

    if (dim, ch) != (3, 3):
        raise InputError(f"Only 3 frames of 3 channels are supported; received dim={dim}, ch={ch}.")
    df, _ = _labelled(filename, labels)
    images, kept, _ = load_svm_images(img_path, df.index, size=img_size, progress=progress)
    if not kept:
        raise DataError(f"None of the {len(df)} labelled visits has its images under '{img_path}'.")
    df = df.loc[kept]
    pos = {n: i for i, n in enumerate(kept)}
    train, test, val = stratified_splits(df, v=v, seed=seed)
    if output_path is not None:
        _write_training_table(Path(output_path), df, train, test, val)

    def part(idx):
        if idx is None:
            return None, None, None
        rows = [pos[n] for n in idx.index]
        return df.loc[idx.index, list(SVM_FEATURES)], images[rows], idx.to_numpy()

    tr, ts, vl = part(train), part(test), part(val)
    XTR, YTR, XTS, YTS, XVL, YVL = make_ensembles(*tr, *ts, *vl)
    log.info(
        "training data: %d train, %d test, %d validation visits (%d misaligned in all)",
        len(train),
        len(test),
        0 if val is None else len(val),
        int(df["label"].sum()),
    )
    return (train, test, val), XTR, YTR, XTS, YTS, XVL, YVL


def _write_training_table(out: Path, df: pd.DataFrame, train, test, val) -> Path:
    parts = [("train", train), ("test", test), ("val", val)]
    split = pd.concat([pd.Series(n, index=s.index) for n, s in parts if s is not None])
    frame = df.loc[split.index, [*SVM_FEATURES, "label"]].copy()
    frame["split"] = split
    frame.index.name = "index"
    path = out / "data" / "training.csv"
    with atomic_path(path) as tmp:
        frame.to_csv(tmp)
    return path


# --------------------------------------------------------------------- train
def _preprocessor(X_train: pd.DataFrame | np.ndarray, norm: int):
    """Return ``(preprocess, tx)``: PowerX on the 7 continuous columns + pixels / 255."""
    if not norm:
        return None, None
    from spacekit.preprocessor.transform import apply_power_transform, fit_power_transform

    frame = pd.DataFrame(np.asarray(X_train, dtype=float), columns=list(SVM_FEATURES))
    tx = fit_power_transform(frame, list(NORM_COLS))
    for i, col in enumerate(NORM_COLS):
        if not tx["sigma"][i] > 0:
            # a constant column in the training split: centre it, do not scale it
            log.warning("feature %r is constant in the training split; it is not scaled", col)
            tx["sigma"][i] = 1.0

    def preprocess(X, I_):
        df = pd.DataFrame(np.asarray(X, dtype=float), columns=list(SVM_FEATURES))
        Xn = apply_power_transform(df, tx, list(NORM_COLS)).to_numpy(np.float32)
        return Xn, np.asarray(I_, dtype=np.float32) / 255.0

    return preprocess, tx


def train_ensemble(
    XTR,
    YTR,
    XTS,
    YTS,
    model_name: str = "ensembleSVM",
    params: Mapping[str, Any] | None = None,
    output_path=None,
    keras: bool = True,
    *,
    norm: int = 0,
    blueprint: str = DEFAULT_BLUEPRINT,
    branch: str = "ensemble",
    seed: int | None = None,
    callbacks: Sequence | None = None,
    progress: bool = False,
):
    """Build and train the ensemble on balanced, augmented batches; save it.

    Parameters
    ----------
    XTR, YTR : list, array
        Training ``[features, images]`` (raw) and labels.
    XTS, YTS : list, array
        Data for the per-epoch ``val_*`` metrics (and early stopping).
    model_name : str, default="ensembleSVM"
        Model name and ``.keras`` stem (honoured, unlike 1.1.4).
    params : dict, optional
        ``batch_size``, ``epochs``, ``lr``, ``decay`` ([steps, rate]), ``early_stopping``
        (``"val_loss"``, ``"val_auc"`` ...), ``patience``, ``verbose``.
    output_path : path-like, optional
        Saves ``{output_path}/models/svm_align/{model_name}.keras`` (+ ``tx_data.json``).
    keras : bool, default=True
        Accepted for 1.1.4 compatibility (only the ``.keras`` format is written).
    norm : int, default=0
        1: fit PowerX on the training features (7 continuous columns) and divide pixels by
        255, for every batch after augmentation.
    blueprint : str, default="svm_ensemble_lite"
        ``"svm_ensemble"`` trains 1.1.4's full-size network.
    branch : {"ensemble", "mlp", "cnn"}, default="ensemble"
    seed : int, optional
    callbacks : sequence, optional
        Extra Keras callbacks (e.g. a live training dashboard).
    progress : bool, default=False
        Show a progress bar over epochs.

    Returns
    -------
    BuilderEnsemble
        Trained; ``tx_data`` holds the normalisation statistics (or None).
    """
    from spacekit.builder.ensemble_builder import BuilderEnsemble
    from spacekit.builder.progress import epoch_progress

    if not keras:
        raise InputError("Only the Keras 3 '.keras' format is supported (keras=True).")
    preprocess, tx = _preprocessor(XTR[0], norm)
    ens = BuilderEnsemble(
        XTR,
        YTR,
        XTS,
        YTS,
        params=params,
        name=model_name,
        blueprint=blueprint,
        branch=branch,
        preprocess=preprocess,
        seed=seed,
        callbacks=callbacks,
    )
    ens.callbacks.append(
        epoch_progress(ens.blueprint.epochs, desc=f"train {branch}", enabled=progress)
    )
    ens.batch_fit()
    ens.tx_data = tx
    if output_path is not None:
        path = ens.save_model(output_path)
        if tx is not None:
            atomic_write_json(path.with_name("tx_data.json"), tx)
        log.info("saved %s", path)
    return ens


# ------------------------------------------------------------------- results
def _compute(ens, X, y_idx: pd.Series, res_path: Path, validation: bool, train=None):
    from spacekit.analyzer.compute import ComputeBinary

    scores = ens.predict_proba(X)
    train_kw = {}
    if train is not None:
        train_kw = {"y_train_true": train[1].reshape(-1), "y_train_scores": train[2]}
    com = ComputeBinary(
        res_path=res_path,
        validation=validation,
        y_true=y_idx.to_numpy(),
        y_scores=scores,
        history=None if validation else ens.history,
        test_idx=y_idx,
        model_name=ens.name,
        **train_kw,
    )
    com.calculate_results(show_summary=False)
    com.make_outputs(dl=True)
    return com, scores


def compute_results(ens, tv_idx, val_set=(), output_path=None, *, test_set=None, train_set=()):
    """Write ComputeBinary results for the test set (``results/test``) and validation.

    Parameters
    ----------
    ens : BuilderEnsemble
        Trained.
    tv_idx : tuple
        ``(train, test, val)`` label Series from :func:`load_ensemble_data`.
    val_set : tuple, optional
        ``(XVL, YVL)``; results go to ``results/val`` when it has more than 2 rows.
    output_path : path-like
        Run folder (required).
    test_set : tuple, optional
        ``(XTS, YTS)``; default ``(ens.X_test, ens.y_test)`` as in 1.1.4, where the test
        set was also the training's validation data.
    train_set : tuple, optional
        ``(XTR, YTR)`` for the train accuracy and loss in ``acc_loss``.

    Returns
    -------
    com, val : ComputeBinary
        Test and validation results (``val`` is None without a validation set).
    """
    if output_path is None:
        raise InputError("compute_results needs output_path (the run folder).")
    out = Path(output_path)
    test_X = test_set[0] if test_set is not None else ens.X_test
    if test_X is None:
        raise InputError("compute_results needs a test set (test_set= or ens.X_test).")
    train = None
    if train_set:
        XTR, YTR = train_set
        train = (XTR, np.asarray(YTR), ens.predict_proba(XTR))
    com, _ = _compute(ens, test_X, tv_idx[1], out / "results" / "test", False, train)
    val = None
    if val_set and val_set[0] is not None and len(val_set[1]) > 2:
        val, _ = _compute(ens, val_set[0], tv_idx[2], out / "results" / "val", True)
    return com, val


# ---------------------------------------------------------------------- run
def _default_output(data_file) -> Path:
    base = (
        Path(data_file).expanduser().resolve().parent
        if not isinstance(data_file, pd.DataFrame)
        else Path.cwd()
    )
    now = datetime.now(UTC)
    return base / "runs" / f"{now:%Y-%m-%d}-{int(now.timestamp())}"


def run_training(
    data_file,
    img_path,
    img_size: int = 128,
    norm: int = 0,
    v: float = 0.85,
    model_name: str = "ensembleSVM",
    params: Mapping[str, Any] | None = None,
    output_path=None,
    keras: bool = True,
    *,
    labels=None,
    blueprint: str = DEFAULT_BLUEPRINT,
    seed: int | None = None,
    branches: bool = False,
    baseline: bool = True,
    archive: bool = True,
    card_extra: str = "",
    trained_on: str = "unknown",
    callbacks: Sequence | None = None,
    progress: bool = False,
):
    """Load, split, train, evaluate on the held-out test set and save: ``(ens, com, val)``.

    Parameters
    ----------
    data_file, img_path, img_size, norm, v, model_name, params, output_path, keras
        As in spacekit 1.1.4 (see :func:`load_ensemble_data`, :func:`train_ensemble`);
        ``output_path`` defaults to ``runs/{date}-{unix time}`` beside ``data_file``.
    labels : path-like, Series or DataFrame, optional
        Labels by visit name, when ``data_file`` has no ``label`` column.
    blueprint : str, default="svm_ensemble_lite"
    seed : int, optional
        Seeds the splits, weights, batches and augmentation (reproducible runs). Drawn at
        random (and recorded in ``summary/metrics.json``) when None.
    branches : bool, default=False
        Also train the MLP and CNN branches alone and report their held-out metrics.
    baseline : bool, default=True
        Also fit a gradient-boosting classifier on the 10 features (no images).
    archive : bool, default=True
        Write ``svm_align.zip`` (model, tx_data, model card) for ``predict_alignment``.
    card_extra : str, optional
        Markdown appended to the model card (e.g. how the data were made).
    trained_on : {"real", "simulated", "unknown"}, default="unknown"
        Recorded in the archive; predict names it in every report.
    callbacks : sequence, optional
        Extra Keras callbacks for the ensemble.
    progress : bool, default=False
        Progress bars (image reading, epochs).

    Returns
    -------
    ens : BuilderEnsemble
        The trained ensemble (``ens.metrics`` holds the summary).
    com, val : ComputeBinary
        Test-set and validation-set results (``results/test``, ``results/val``); ``val`` is
        None without a validation set.
    """
    start = time.time()
    if seed is None:
        seed = int(np.random.SeedSequence().generate_state(1)[0] % 2**31)
    out = Path(output_path) if output_path is not None else _default_output(data_file)
    out.mkdir(parents=True, exist_ok=True)
    tv_idx, XTR, YTR, XTS, YTS, XVL, YVL = load_ensemble_data(
        data_file,
        img_path,
        img_size=img_size,
        norm=norm,
        v=v,
        output_path=out,
        labels=labels,
        seed=seed,
        progress=progress,
    )
    fit_X, fit_y = (XVL, YVL) if XVL is not None else (None, None)
    kw = {"norm": norm, "blueprint": blueprint, "seed": seed, "progress": progress}
    ens = train_ensemble(
        XTR, YTR, fit_X, fit_y, model_name, params, out, keras, callbacks=callbacks, **kw
    )
    com, val = compute_results(
        ens, tv_idx, (XVL, YVL), out, test_set=(XTS, YTS), train_set=(XTR, YTR)
    )
    write_model_inputs(
        out / "models" / "svm_align",
        model_name,
        SVM_FEATURES,
        NORM_COLS if norm else (),
        img_size,
    )
    sets = {"test": (XTS, YTS), **({"val": (XVL, YVL)} if XVL is not None else {})}
    metrics: dict[str, Any] = {"ensemble": _scores(ens, sets)}
    if branches:
        for branch in ("mlp", "cnn"):
            b = train_ensemble(
                XTR, YTR, fit_X, fit_y, f"{model_name}_{branch}", params, None, branch=branch, **kw
            )
            metrics[branch] = _scores(b, sets)
    if baseline:
        metrics["baseline"] = fit_baseline_classifier(XTR, YTR, sets, seed=seed)
    summary = {
        "model_name": model_name,
        "blueprint": ens.blueprint.name,
        "epochs_run": len(ens.history.get("loss", [])),
        "params": {k: v for k, v in (params or {}).items() if k != "verbose"},
        "norm": int(bool(norm)),
        "image_size": int(img_size),
        "seed": int(seed),
        "n": {
            k: int(len(s))
            for k, s in zip(("train", "test", "val"), tv_idx, strict=True)
            if s is not None
        },
        "metrics": metrics,
        "seconds": round(time.time() - start, 1),
        "trained_on": trained_on,
    }
    atomic_write_json(out / "summary" / "metrics.json", summary)
    if archive:
        write_run_archive(out / "svm_align.zip", ens.model, ens.tx_data, summary, card_extra)
    ens.metrics = summary
    log.info(
        "held-out test ROC-AUC %.3f (n=%d) in %.0f s; outputs in %s",
        metrics["ensemble"]["test"]["roc_auc"],
        len(tv_idx[1]),
        summary["seconds"],
        out,
    )
    ens.output_path = out
    return ens, com, val


def write_run_archive(
    path, model, tx_data: Mapping | None, summary: Mapping[str, Any], card_extra: str = ""
) -> Path:
    """Write the ``svm_align.zip`` of a run: the model, ``tx_data`` and a model card.

    Parameters
    ----------
    path : path-like
        The archive to write (atomically).
    model : keras.Model or path-like
        The trained ensemble, or its saved ``.keras`` file.
    tx_data : dict or None
        Normalisation statistics (``norm=1``).
    summary : dict
        The run's ``summary/metrics.json`` content (what :func:`run_training` returns in
        ``ens.metrics``).
    card_extra : str, optional
        Markdown appended to the model card.
    """
    from spacekit.builder.ensemble_model import save_ensemble_archive

    card = make_model_card(summary, card_extra)
    training = {
        "norm": summary["norm"],
        "image_size": summary["image_size"],
        "features": list(SVM_FEATURES),
        "trained_on": summary.get("trained_on", "unknown"),
        "blueprint": summary["blueprint"],
        "test_roc_auc": summary["metrics"]["ensemble"]["test"]["roc_auc"],
    }
    return save_ensemble_archive(path, model, tx_data, card, training)


def _scores(ens, sets: Mapping[str, tuple]) -> dict[str, dict]:
    return {
        name: binary_metrics(np.asarray(y).reshape(-1), ens.predict_proba(X))
        for name, (X, y) in sets.items()
    }


# -------------------------------------------------------------------- runner
def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m spacekit.skopes.hst.svm.train",
        description="Train the SVM alignment ensemble (MLP + 3D CNN).",
    )
    p.add_argument("data_file", help="svm_data.csv with a label column (or --labels)")
    p.add_argument("img_path", help="folder of visit image folders (or an .npz)")
    p.add_argument("-s", "--image_size", type=int, default=128, help="image size (default 128)")
    p.add_argument("-m", "--model_name", default="ensembleSVM", help="model name")
    p.add_argument("-o", "--output_path", default=None, help="run folder")
    p.add_argument(
        "-n",
        "--normalize",
        type=int,
        choices=(0, 1),
        default=0,
        help="1: PowerX on the features, pixels / 255 (1.1.4 took any string as true)",
    )
    p.add_argument("-b", "--batchsize", type=int, default=None, help="batch size (default 32)")
    p.add_argument(
        "-e", "--epochs", type=int, default=None, help="epochs (default: the blueprint's, 30)"
    )
    p.add_argument(
        "-y",
        "--early_stopping",
        default=None,
        choices=("val_accuracy", "val_loss", "val_auc"),
        help="metric monitored by early stopping",
    )
    p.add_argument(
        "-v", "--validate", type=int, choices=(0, 1), default=1, help="hold out a validation set"
    )
    p.add_argument("-p", "--plots", type=int, choices=(0, 1), default=0, help="save figures")
    p.add_argument("--labels", default=None, help="CSV of index,label (if no label column)")
    p.add_argument(
        "--blueprint", default=DEFAULT_BLUEPRINT, help="svm_ensemble_lite | svm_ensemble"
    )
    p.add_argument("--seed", type=int, default=None, help="seed (reproducible runs)")
    p.add_argument("--branches", action="store_true", help="also train each branch alone")
    p.add_argument("--no-baseline", action="store_true", help="skip the gradient-boosting baseline")
    p.add_argument(
        "--trained-on",
        choices=("real", "simulated", "unknown"),
        default="unknown",
        help="what the visits are (recorded in the archive)",
    )
    add_log_arguments(p, "svm_train.log", verbose_flags=("--verbose",))  # -v is --validate
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the 1.1.4-compatible command line; return the exit code.

    Prints the held-out ROC-AUC (ensemble, branches, baseline) and where the outputs are.
    """
    from spacekit.exceptions import SkippedInputWarning, SpacekitError

    args = _parser().parse_args(argv)
    configure_runner_logging(args, "svm_train.log")
    quiet_tensorflow()
    params: dict[str, Any] = {}
    if args.batchsize is not None:
        params["batch_size"] = args.batchsize
    if args.epochs is not None:
        params["epochs"] = args.epochs
    if args.early_stopping:
        params["early_stopping"] = args.early_stopping
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SkippedInputWarning)  # each one is logged
            ens, com, val = run_training(
                args.data_file,
                args.img_path,
                img_size=args.image_size,
                norm=args.normalize,
                v=0.85 if args.validate else 0,
                model_name=args.model_name,
                params=params,
                output_path=args.output_path,
                labels=args.labels,
                blueprint=args.blueprint,
                seed=args.seed,
                branches=args.branches,
                baseline=not args.no_baseline,
                trained_on=args.trained_on,
                progress=True,
            )
            if args.plots:
                save_plots(com, val, ens.output_path)
    except (SpacekitError, FileNotFoundError) as exc:
        log.error("%s", exc)
        return 1
    sys.stdout.write(format_metrics(ens.metrics) + f"\noutputs: {ens.output_path}\n")
    return 0


def format_metrics(summary: Mapping[str, Any]) -> str:
    """A table of held-out metrics per model and split."""
    lines = [f"{'model':<10} {'split':<5} {'n':>5} {'ROC-AUC':>8} {'PR-AUC':>7} {'acc':>6}"]
    for model, per_split in summary["metrics"].items():
        for split, m in per_split.items():
            lines.append(
                f"{model:<10} {split:<5} {m['n']:>5} {m['roc_auc']:>8.3f} {m['pr_auc']:>7.3f} "
                f"{m['accuracy']:>6.3f}"
            )
    return "\n".join(lines)


def save_plots(com, val, out: Path) -> None:
    from spacekit.analyzer.figures import save_figure

    for name, c in (("test", com), ("val", val)):
        if c is None:
            continue
        for key, fig in c.draw_plots().items():
            if fig is not None:
                save_figure(fig, out / "figures" / f"{name}-{key}.html")


if __name__ == "__main__":
    sys.exit(main())
