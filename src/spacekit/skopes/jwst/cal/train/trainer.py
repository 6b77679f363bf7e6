"""``JwstCalTrain``: train, evaluate and package the JWST Level-3 memory regressors.

The class orchestrates one training run; the pieces live beside it:
:mod:`~spacekit.skopes.jwst.cal.train.folds` (training tables and folds),
:mod:`~spacekit.skopes.jwst.cal.train.params` (blueprint overrides, hyper-parameters
file), :mod:`~spacekit.skopes.jwst.cal.train.metrics` (fold rows, cv-scores summary) and
:mod:`~spacekit.skopes.jwst.cal.train.runner` (the command line). The output tree is
described in :mod:`spacekit.skopes.jwst.cal.train`.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import time
import warnings
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from spacekit._io import atomic_path, atomic_write_json, atomic_write_text
from spacekit._text import preview
from spacekit.analyzer.compute import ComputeRegressor
from spacekit.builder.blueprints import Blueprint, get_blueprint
from spacekit.builder.packaging import MODEL_NAMES as _MODEL_NAMES
from spacekit.builder.packaging import build_archive, format_score
from spacekit.exceptions import DataError, InputError, SkippedInputWarning
from spacekit.skopes.jwst.cal.prep import JwstCalPrep, usable_rows
from spacekit.skopes.jwst.cal.train.folds import dedupe_products, kfold_indices, write_fold_table
from spacekit.skopes.jwst.cal.train.metrics import (
    add_fold_row,
    baseline_metrics,
    cv_scores,
    fold_row,
    write_metrics_table,
)
from spacekit.skopes.jwst.cal.train.metrics import (
    best_fold as best_fold_of,
)
from spacekit.skopes.jwst.cal.train.params import hyperparameters, override_blueprint

__all__ = ["JwstCalTrain", "VALIDATION_FRACTION"]

# one logger for the whole training (its runner runs under `python -m` as "__main__")
log = logging.getLogger("spacekit.skopes.jwst.cal.train")

_RUN_DIR = re.compile(r"^\d{4}-\d{2}-\d{2}_\d{10}$")
#: Share of a fold's training rows held out to drive early stopping (never the test rows).
VALIDATION_FRACTION = 0.1
#: Fewer training rows than this: no hold-out, early stopping watches the test rows.
_MIN_ROWS_FOR_VALIDATION = 10


class JwstCalTrain:
    """Train, evaluate and save a JWST Level-3 memory regressor for one exposure mode.

    Parameters
    ----------
    training_data : path-like, optional
        Folder holding ``train-{exp_mode}.csv`` (ingest output), or the CSV itself.
    out : path-like, optional
        Parent of the timestamped output folder. Default: ``{training_data}/runs``
        (never the current directory).
    exp_mode : {"image", "spec"}, default="image"
    norm : int, default=1
        1 normalises the offset columns (Yeo-Johnson + standardise), 0 does not.
    cross_val : int, default=0
        Number of K folds (>= 2); 0 or 1 trains once on an 80/20 split.
    early_stopping : str or None, default=None
        Metric monitored by early stopping. None keeps the blueprint's (``val_rmse``);
        ``"none"`` disables it. (1.1.4 silently disabled it when None.) The ``val_*``
        metrics are computed on ``VALIDATION_FRACTION`` (10 %) of each fold's training
        rows, held out, never on the test rows.
    threshold : float, default=100
        GB threshold reported in the metrics (counts and mean above it).
    layer_kwargs : dict, optional
        Per-hidden-layer overrides keyed by 0-based position or layer name, see
        :func:`spacekit.builder.blueprints.build_mlp_regressor`.
    data : pandas.DataFrame, optional
        Use this table instead of reading ``training_data``.
    epochs, batch_size : int, optional
        Override the blueprint (200 epochs, batch 32).
    seed : int, optional
        Seeds folds, weights, shuffling and the baseline (reproducible runs).
    baseline : bool, default=True
        Also fit a HistGradientBoostingRegressor on each fold.
    plots : bool, default=True
        Save per-fold figures (HTML and PNG).
    archive : bool, default=True
        After :meth:`main`, write ``{run}/jwst_cal.zip`` for ``JwstCalPredict``.
    callbacks : sequence, optional
        Extra Keras callbacks.
    progress : bool, default=True
        Show a progress bar over folds.
    training_history : bool, default=True
        Record each fold's epochs (loss, RMSE, their ``val_`` partners, learning rate)
        with a :class:`~spacekit.visualization.TrainingDashboard`, saved after every
        epoch to ``visualizations/{fold}/training/training_history.json`` (the best
        fold's is copied to ``{mode}/training_history.json``). ``spacekit viz serve``
        and ``spacekit viz report`` read these files.
    server : spacekit.visualization.DashboardServer, optional
        A started live-dashboard server; it follows the training history of the fold
        being trained, so the page shows each epoch as it ends (needs
        ``training_history``).
    **log_kws
        Accepted for 1.1.4 compatibility (``console_log_level`` ...) and ignored:
        applications configure logging.

    Attributes
    ----------
    output_path : pathlib.Path
        ``{run}/{exp_mode}``, where everything is written.
    data : pandas.DataFrame or None
        The training table, once loaded (duplicates and unusable rows removed).
    skipped : list of (str, str)
        Training rows left out (``Dataset``, reason): missing or non-numeric features or
        target.
    jp : JwstCalPrep or None
        The current fold's prepared arrays.
    builder : keras.Model or None
        The current fold's model.
    com : ComputeRegressor or None
        The current fold's results.
    metrics : pandas.DataFrame or None
        One row per fold (``summary/{mode}-cv-metrics.csv``); ``dm`` is the last fold's row.
    scores : dict or None
        The cv-scores summary.
    """

    def __init__(
        self,
        training_data: str | os.PathLike | None = None,
        out: str | os.PathLike | None = None,
        exp_mode: str = "image",
        norm: int = 1,
        cross_val: int = 0,
        early_stopping: str | None = None,
        threshold: float = 100,
        layer_kwargs: Mapping | None = None,
        *,
        data: pd.DataFrame | None = None,
        epochs: int | None = None,
        batch_size: int | None = None,
        seed: int | None = None,
        baseline: bool = True,
        plots: bool = True,
        archive: bool = True,
        callbacks: Sequence | None = None,
        progress: bool = True,
        verbose: int = 0,
        training_history: bool = True,
        server: Any = None,
        **log_kws: Any,
    ):
        exp_mode = str(exp_mode).lower()
        if exp_mode not in _MODEL_NAMES:
            raise InputError(
                f"exp_mode={exp_mode!r} has no model; expected one of {sorted(_MODEL_NAMES)}."
            )
        if training_data is None and data is None:
            raise InputError("Pass training_data (a folder with train-*.csv) or data=DataFrame.")
        self.training_data = None if training_data is None else Path(training_data)
        self.exp_mode = exp_mode
        self.norm = int(norm)
        self.prep_kwargs = {"exp_mode": exp_mode, "normalize": bool(self.norm)}
        self.cross_val = int(cross_val or 0)
        if self.cross_val < 0:
            raise InputError(f"cross_val must be >= 0; received {cross_val}.")
        self.early_stopping = early_stopping
        self.threshold = float(threshold)
        self.layer_kwargs = dict(layer_kwargs or {})
        self.epochs, self.batch_size, self.seed = epochs, batch_size, seed
        self.baseline, self.plots, self.archive = bool(baseline), bool(plots), bool(archive)
        self.callbacks = list(callbacks or [])
        self.progress, self.verbose = bool(progress), int(verbose)
        self.training_history = bool(training_history)
        if server is not None and not self.training_history:
            raise InputError("server= shows the training history: keep training_history=True.")
        self.server = server
        if log_kws:
            log.debug("ignoring 1.1.4 logging options %s (configure logging instead)", log_kws)
        self.data = data
        self.skipped: list[tuple[str, str]] = []
        self.output_path = self.set_outpath(out)
        self.builder = None
        self.blueprint: Blueprint = get_blueprint(self.architecture)
        self.itn: str | None = None
        self.jp: JwstCalPrep | None = None
        self.metrics: pd.DataFrame | None = None
        self.dm: pd.DataFrame | None = None
        self.scores: dict | None = None
        self.metrics_file: Path | None = None
        self.com: ComputeRegressor | None = None
        self.res_fig = self.loss_fig = self.roc_fig = self.pr_fig = None
        self.history: dict | None = None
        self.archive_path: Path | None = None

    # -- layout ------------------------------------------------------------------------
    @property
    def architecture(self) -> str:
        """Blueprint name: ``jwst_img3_reg`` or ``jwst_spec3_reg``."""
        return f"jwst_{_MODEL_NAMES[self.exp_mode]}"

    @property
    def model_name(self) -> str:
        """Model (and ``.keras`` file) name: ``img3_reg`` or ``spec3_reg``."""
        return _MODEL_NAMES[self.exp_mode]

    @property
    def run_path(self) -> Path:
        """The timestamped run folder (parent of the mode folder)."""
        return self.output_path.parent

    def set_outpath(self, out: str | os.PathLike | None) -> Path:
        """Return ``out/{mode}`` if ``out`` is a run folder, else ``out/{date}_{ts}/{mode}``."""
        if out is None:
            base = self.training_data if self.training_data is not None else None
            if base is None:
                raise InputError("Pass out= (where to write the training outputs).")
            if base.suffix == ".csv":
                base = base.parent
            out = base / "runs"
        out = Path(out)
        if _RUN_DIR.match(out.name):
            return out / self.exp_mode
        now = datetime.now(UTC)
        return out / f"{now.date().isoformat()}_{int(now.timestamp())}" / self.exp_mode

    def _dir(self, name: str, itn: str | None = None) -> Path:
        path = self.output_path / name
        return path / itn if itn is not None else path

    def initialize(self) -> JwstCalTrain:
        """Create ``data/ models/ results/ summary/`` and load an existing summary."""
        for name in ("data", "models", "results", "summary"):
            self._dir(name).mkdir(parents=True, exist_ok=True)
        self.metrics_file = self._dir("summary") / f"{self.exp_mode}-cv-metrics.csv"
        if self.metrics_file.exists():
            self.metrics = pd.read_csv(self.metrics_file, index_col="index")
        return self

    # -- data --------------------------------------------------------------------------
    def _csv_path(self) -> Path:
        if self.training_data.is_file() or self.training_data.suffix == ".csv":
            return self.training_data
        return self.training_data / f"train-{self.exp_mode}.csv"

    def load_data(self, tts: str | int | None = None) -> pd.DataFrame:
        """Read the training table (or a fold table) and drop duplicate products.

        Rows whose model features or target are missing or non-numeric are left out with
        a :class:`~spacekit.exceptions.SkippedInputWarning` and listed in ``skipped``.

        Raises
        ------
        InputError
            If the table does not exist.
        DataError
            If it cannot be read or fewer than 2 usable rows remain.
        """
        if tts is not None:
            path = self._dir("data") / f"{self.exp_mode}-tts_{tts}.csv"
        elif self.data is not None:
            self.data = self._usable(self._dedupe(self.data), "the data= table")
            return self.data
        else:
            path = self._csv_path()
        if not path.is_file():
            raise InputError(
                f"Training table {path} does not exist; expected train-{self.exp_mode}.csv "
                "from `python -m spacekit.preprocessor.ingest jcal -i RAW -o DIR`."
            )
        try:
            df = pd.read_csv(path, index_col="Dataset")
        except ValueError as exc:
            raise DataError(f"Could not read {path}: {exc} (expected a 'Dataset' column).") from exc
        df = self._dedupe(df)
        if tts is None:
            df = self._usable(df, str(path))
            self.data = df
        return df

    def _usable(self, df: pd.DataFrame, source: str) -> pd.DataFrame:
        """Leave out rows with missing/non-numeric model columns or target (named, warned)."""
        df, self.skipped = usable_rows(df, self.exp_mode, source=source)
        if self.skipped:
            names = [label for label, _ in self.skipped]
            msg = (
                f"{source}: left out {len(names)} of {len(df) + len(names)} rows with missing "
                f"or non-numeric features/target ({preview(names)})"
            )
            log.warning("%s", msg)
            warnings.warn(msg, SkippedInputWarning, stacklevel=3)
        if len(df) < 2:
            raise DataError(
                f"{source} has {len(df)} usable row(s); training needs at least 2 products "
                "(ingest more days of metadata)."
            )
        return df

    @staticmethod
    def _dedupe(df: pd.DataFrame) -> pd.DataFrame:
        return dedupe_products(df)

    def _prep(self, df: pd.DataFrame) -> JwstCalPrep:
        return JwstCalPrep(
            df,
            exp_mode=self.exp_mode,
            normalize=self.prep_kwargs["normalize"],
            random=self.seed,
        )

    def prep_train_test(self, stratify: bool = False) -> JwstCalPrep:
        """Random 80/20 split of the loaded data (fold ``0``), written as a fold table."""
        if self.data is None:
            self.load_data()
        self.jp = self._prep(self.data).prep_data(stratify=stratify)
        self._write_fold_table("0", self.jp.train_idx, self.jp.test_idx)
        return self.jp

    def load_train_test(self, tts: str | int = "0") -> JwstCalPrep:
        """Prepare a fold from its fold table's ``split`` column."""
        df = self.load_data(tts=tts)
        self.jp = self._prep(df).split_from_column("split")
        return self.jp

    def _write_fold_table(self, itn: str, train_idx, test_idx) -> Path:
        path = self._dir("data") / f"{self.exp_mode}-tts_{itn}.csv"
        return write_fold_table(path, self.data, train_idx, test_idx)

    def generate_kfolds(self, stratify: bool = False) -> list[str]:
        """Write ``data/{mode}-tts_{i}.csv`` for each of the ``cross_val`` folds."""
        if self.data is None:
            self.load_data()
        k = self.cross_val
        if len(self.data) < 2 * k:
            source = self._csv_path() if self.training_data is not None else "the data= table"
            raise DataError(
                f"{source}: {len(self.data)} usable products are too few for {k} folds (at "
                f"least {2 * k} needed); use fewer folds (-k) or ingest more data."
            )
        y = pd.to_numeric(self.data["imgsize_gb"], errors="coerce").fillna(0).to_numpy()
        names = []
        for i, (tr, te) in enumerate(kfold_indices(y, k, stratify=stratify, seed=self.seed)):
            self._write_fold_table(str(i), self.data.index[tr], self.data.index[te])
            names.append(str(i))
        return names

    # -- model -------------------------------------------------------------------------
    def _blueprint(self, custom_arch: Mapping | None) -> Blueprint:
        return override_blueprint(
            get_blueprint(self.architecture),
            custom_arch,
            epochs=self.epochs,
            batch_size=self.batch_size,
            early_stopping=self.early_stopping,
        )

    def build_model(self, custom_arch: Mapping | None = None):
        """Build and compile the blueprint's Keras model (``layer_kwargs`` applied)."""
        from spacekit.builder.architect import set_seed

        self.blueprint = self._blueprint(custom_arch)
        set_seed(self.seed)
        self.builder = self.blueprint.build(layer_kwargs=self.layer_kwargs, seed=self.seed)
        return self.builder

    def run_training(self, save_diagram: bool = False, custom_arch: Mapping | None = None) -> dict:
        """Build, fit on the current fold and save ``models/{itn}/{model}.keras``.

        Parameters
        ----------
        save_diagram : bool, default=False
            Also draw the network to ``models/{itn}/{model}.png`` (needs pydot and
            graphviz; without them a warning is logged and training goes on).
        custom_arch : dict, optional
            Blueprint overrides, as for :meth:`main`.
        """
        from spacekit.builder.architect import fit_model, save_keras_model

        if self.jp is None:
            raise InputError("Prepare a fold first (prep_train_test or load_train_test).")
        itn = self.itn or "0"
        self.build_model(custom_arch)
        X_fit, y_fit, X_val, y_val = self._validation_split()
        self._validation_size = len(X_val) if X_val is not self.jp.X_test else 0
        t0 = time.perf_counter()
        self.history = fit_model(
            self.builder,
            X_fit,
            y_fit,
            X_val,
            y_val,
            blueprint=self.blueprint,
            early_stopping=self.blueprint.early_stopping,
            callbacks=[*self.callbacks, *self._history_callbacks(itn)],
            verbose=self.verbose,
        )
        self._fit_seconds = time.perf_counter() - t0
        mdir = self._dir("models", itn)
        save_keras_model(self.builder, mdir / f"{self.model_name}.keras")
        if save_diagram:
            self._save_diagram(mdir / f"{self.model_name}.png")
        if self.jp.tx_data is not None:
            self.jp.save_tx(mdir / f"tx_data-{self.exp_mode}.json")
        return self.history

    def history_path(self, itn: str | int | None = None) -> Path:
        """``visualizations/{fold}/training/training_history.json`` of fold ``itn``.

        Without ``itn``: ``{mode}/training_history.json``, the best fold's copy (written
        by :meth:`write_scores`).
        """
        if itn is None:
            return self.output_path / "training_history.json"
        return self._dir("visualizations", str(itn)) / "training" / "training_history.json"

    def _history_callbacks(self, itn: str) -> list:
        """A ``DashboardCallback`` saving fold ``itn``'s history after every epoch."""
        if not self.training_history:
            return []
        from spacekit.visualization import DashboardCallback, TrainingDashboard

        run = f"{self.model_name} fold {itn}" if self.cross_val >= 2 else self.model_name
        # The JSON history only (figures/foldN-loss.* are drawn at the end): drawing a figure
        # every epoch would cost more than the epoch itself.
        dash = TrainingDashboard(
            save_dir=self._dir("visualizations", itn), run=run, real_time=False
        )
        if self.server is not None:
            self.server.follow(self.history_path(itn), poll_interval=0.25)
        log.info("training history of fold %s: %s", itn, self.history_path(itn))
        return [DashboardCallback(dash, save_on_epoch=False, plot_on_train_end=False)]

    def _validation_split(self):
        """Return ``X_fit, y_fit, X_val, y_val`` for fitting the current fold.

        With early stopping, ``VALIDATION_FRACTION`` of the fold's training rows (seeded)
        are held out to choose the epoch, so the test rows stay unseen and the reported
        test metrics are fair against the baseline (1.1.4 watched the test rows). Without
        early stopping nothing is chosen on the validation data: the test rows only draw
        the validation curve. A fold with fewer than 10 training rows has no hold-out.
        """
        jp = self.jp
        n = len(jp.X_train)
        if not self.blueprint.early_stopping:
            return jp.X_train, jp.y_reg_train, jp.X_test, jp.y_reg_test
        if n < _MIN_ROWS_FOR_VALIDATION:
            log.warning(
                "fold %s has %d training rows, too few to hold out a validation set: early "
                "stopping watches the test rows, so its test metrics are optimistic",
                self.itn or "0",
                n,
            )
            return jp.X_train, jp.y_reg_train, jp.X_test, jp.y_reg_test
        n_val = max(1, round(n * VALIDATION_FRACTION))
        order = np.random.default_rng(self.seed).permutation(n)
        fit, val = order[n_val:], order[:n_val]
        return jp.X_train[fit], jp.y_reg_train[fit], jp.X_train[val], jp.y_reg_train[val]

    def _save_diagram(self, path: Path) -> None:
        from spacekit._optional import require

        keras = require("keras", feature="model diagrams")
        try:
            with atomic_path(path) as tmp:
                keras.utils.plot_model(self.builder, to_file=str(tmp), show_shapes=True)
        except (ImportError, OSError) as exc:
            log.warning("model diagram not drawn (needs pydot and graphviz): %s", exc)

    def _predict(self, X) -> np.ndarray:
        # An eager call avoids tracing a predict function for every fold's new model.
        X = np.asarray(X, dtype=np.float32)
        parts = [
            np.asarray(self.builder(X[i : i + 8192], training=False))
            for i in range(0, len(X), 8192)
        ]
        return np.concatenate(parts).ravel().astype(float) if parts else np.empty(0)

    def compute_cache(self) -> ComputeRegressor:
        """Evaluate the fold, save ``results/{itn}`` and (optionally) the figures."""
        itn = self.itn or "0"
        jp = self.jp
        self.com = ComputeRegressor(
            y_true=jp.y_reg_test,
            y_pred=self._predict(jp.X_test),
            history=self.history,
            test_idx=list(jp.test_idx),
            y_train_true=jp.y_reg_train,
            y_train_pred=self._predict(jp.X_train),
            model_name=self.model_name,
            res_path=self._dir("results", itn),
        )
        self.com.calculate_results()
        self.com.download()
        if self.plots:
            self.com.save_plots(self.output_path / "figures", prefix=f"fold{itn}-")
            self.res_fig, self.loss_fig = self.com.res_fig, self.com.loss_fig
            self.roc_fig, self.pr_fig = self.com.roc_fig, self.com.pr_fig
        return self.com

    def record_metrics(self) -> pd.DataFrame:
        """Append this fold's row to ``summary/{mode}-cv-metrics.csv``."""
        itn = self.itn or "0"
        jp = self.jp
        row = fold_row(
            jp.y_reg_train,
            jp.y_reg_test,
            self.threshold,
            loss=self.com.loss,
            history=self.history,
            validation_size=getattr(self, "_validation_size", 0),
            fit_seconds=getattr(self, "_fit_seconds", float("nan")),
        )
        if self.baseline:
            row |= baseline_metrics(
                jp.X_train, jp.y_reg_train, jp.X_test, jp.y_reg_test, seed=self.seed
            )
        self.dm = add_fold_row(None, int(itn), row)
        self.metrics = add_fold_row(self.metrics, int(itn), row)
        write_metrics_table(self.metrics_file, self.metrics)
        return self.metrics

    def _run_fold(self, itn: str, custom_arch: Mapping | None) -> None:
        self.itn = itn
        self.run_training(custom_arch=custom_arch)
        self.compute_cache()
        self.record_metrics()

    def run_cross_val(self, custom_arch: Mapping | None = None, stratify: bool = False) -> dict:
        """Train and evaluate every fold, then write the cv-scores summary."""
        from spacekit._progress import progress_bar

        folds = self.generate_kfolds(stratify=stratify)
        for itn in progress_bar(folds, progress=self.progress, desc=f"{self.exp_mode} folds"):
            self.load_train_test(itn)
            self._run_fold(itn, custom_arch)
        return self.write_scores()

    def best_fold(self) -> str:
        """Fold with the lowest test RMSE (ties: the first)."""
        return best_fold_of(self.metrics)

    def write_scores(self) -> dict:
        """Write ``summary/{mode}-cv-scores.json`` and the best fold's ``tx_data``."""
        scores = cv_scores(self.metrics, self.exp_mode, self.model_name)
        self.scores = scores
        atomic_write_json(self._dir("summary") / f"{self.exp_mode}-cv-scores.json", scores)
        best = scores["best_fold"]
        tx = self._dir("models", best) / f"tx_data-{self.exp_mode}.json"
        if tx.exists():
            atomic_write_text(
                self.output_path / f"tx_data-{self.exp_mode}.json", tx.read_text("utf-8")
            )
        history = self.history_path(best)
        if self.training_history and history.exists():
            atomic_write_text(self.history_path(), history.read_text("utf-8"))
        return scores

    def _write_hyperparameters(self) -> None:
        params = hyperparameters(
            self.blueprint,
            exp_mode=self.exp_mode,
            architecture=self.architecture,
            layer_kwargs={str(k): str(v) for k, v in self.layer_kwargs.items()},
            cross_val=self.cross_val,
            norm=self.norm,
            threshold=self.threshold,
            seed=self.seed,
            training_data=None if self.training_data is None else str(self.training_data),
        )
        atomic_write_json(self._dir("summary") / f"{self.exp_mode}-hyperparameters.json", params)

    def main(self, stratify: bool = False, custom_arch: Mapping | None = None) -> dict:
        """Run the whole training: folds (or one split), summary, archive.

        Parameters
        ----------
        stratify : bool, default=False
            Stratify the split / folds by memory class (0-12-225-950 GB).
        custom_arch : dict, optional
            ``{"build_params": {...}, "fit_params": {...}}`` blueprint overrides
            (e.g. ``{"fit_params": {"epochs": 50}}``).

        Returns
        -------
        dict
            The cv-scores summary.

        Notes
        -----
        A run that fails (or is interrupted) removes the run folder it created, so no
        half-written run is left for :func:`~spacekit.builder.packaging.build_archive`
        or the dashboards to pick up. Folders that existed before are kept.
        """
        self.load_data()  # first: a missing or unusable table leaves no empty output tree
        # the outermost folder this run creates; removed again if the run fails
        fresh = next((p for p in (self.run_path, self.output_path) if not p.exists()), None)
        try:
            self.initialize()
            if self.cross_val >= 2:
                self.run_cross_val(custom_arch, stratify=stratify)
            else:
                self.prep_train_test(stratify=stratify)
                self._run_fold("0", custom_arch)
                self.write_scores()
            self._write_hyperparameters()
            if self.archive:
                self.archive_path = build_archive(self.run_path)
        except BaseException:
            if fresh is not None and fresh.exists():
                shutil.rmtree(fresh, ignore_errors=True)
                log.error("training failed; removed the incomplete run folder %s", fresh)
            raise
        log.info(
            "%s: test RMSE %s GB (baseline %s GB) -> %s",
            self.model_name,
            format_score(self.scores["network"].get("test_rmse")),
            format_score(self.scores["baseline"].get("test_rmse")),
            self.output_path,
        )
        return self.scores
