"""Train the HST calibration networks: memory bin, memory (GB) and wallclock (s).

Command line (it runs, unlike 1.1.4's, whose module overwrote ``__name__``)::

    python -m spacekit.skopes.hst.cal.train file --source_path jobs.csv -o OUT [-k 5]
    python -m spacekit.skopes.hst.cal.train sim --n-sim 20000 -o OUT --seed 1

``jobs.csv`` has one row per dataset: raw keywords (``n_files, total_mb, DETECTOR,
SUBARRAY, DRIZCORR, PCTECORR, CRSPLIT``) or the 9 encoded features, and the labels
``memory`` (GB), ``wallclock`` (s) and optionally ``mem_bin`` (else cut from memory at
2/8/16 GB), e.g. ``spacekit datasets simulate hstcal``'s ``hstcal.csv`` or 1.1.4's
training tables. Everything is written under ``OUT/{YYYY-MM-DD}-{unix time}/``, the
layout the 1.1.4 dashboards scan::

    data/batch.csv                   every row: features, labels, split, predictions, bounds
    models/{mem_clf,mem_reg,wall_reg}.keras, tx_data.json, model_inputs.json
    results/{mem_bin,memory,wallclock}/   spacekit.analyzer results (+ kfold scores)
    figures/{memory,wallclock}-*.html|png
    summary/scores.json              each network and its gradient-boosting baseline
    summary/upper_bounds.json        coverage and head-room of the bounds vs "x 3"
    hst_cal.zip                      archive for Predict (models, tx_data, calibration, card)

The rows are split once, stratified by memory bin: 60 % to fit the networks (10 % of
those held out for early stopping), 20 % to calibrate the conformal upper bounds and
20 % to test. The normalisation is fitted on the fitting rows only. Each network gets a
``HistGradientBoosting`` baseline trained on the same rows and features.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from spacekit._io import atomic_path, atomic_write_json
from spacekit._runner import add_log_arguments, configure_runner_logging
from spacekit._tf_quiet import quiet_tensorflow
from spacekit.exceptions import DataError, InputError, SpacekitError
from spacekit.preprocessor.tables.hst_cal import COLUMN_ORDER, NORM_COLS
from spacekit.skopes.hst.cal import training_data as td

__all__ = ["Train", "make_timestamp_path", "TARGETS", "main"]

# named explicitly: under `python -m` this module runs as "__main__"
log = logging.getLogger("spacekit.skopes.hst.cal.train")

#: Network -> target column (and results folder).
TARGETS = {"mem_clf": "mem_bin", "mem_reg": "memory", "wall_reg": "wallclock"}
#: Bin edges of the regression ROC/PR curves per target (GB; seconds).
THRESHOLDS = {"memory": (0.0, 2.0, 8.0, 16.0), "wallclock": (0.0, 600.0, 3600.0, 21600.0)}
#: Smallest value the upper bounds scale from (GB; seconds).
FLOORS = {"memory": 0.05, "wallclock": 1.0}
#: Levels reported in the coverage summary.
REPORT_LEVELS = (0.8, 0.9, 0.95, 0.99)
VALIDATION_FRACTION = 0.1
_RUN_DIR = re.compile(r"^\d{4}-\d{2}-\d{2}-\d{9,11}$")


def make_timestamp_path(timestamp: str | float = "now") -> str:
    """``YYYY-MM-DD-<unix seconds>`` for ``timestamp`` ("now" or unix seconds), as 1.1.4."""
    ts = time.time() if str(timestamp) == "now" else float(timestamp)
    return f"{datetime.fromtimestamp(ts, UTC).date().isoformat()}-{int(ts)}"


class Train:
    """Train, evaluate, calibrate and package the three HST cal networks.

    Parameters
    ----------
    cfg : {"asn"}, default="asn"
        Feature configuration (1.1.4's ``"svm"`` has no features).
    date_key : str, optional
        Label of the training data (1.1.4: its S3 snapshot); recorded in the summary.
    fpath : path-like, optional
        Training CSV (see the module docstring). Or pass ``data=``.
    train_path : path-like, optional
        Parent of the timestamped run folder (used as the run folder if it already has
        the ``YYYY-MM-DD-<unix>`` form). Default: ``{fpath folder}/runs``.
    model_path, res_path : path-like, optional
        Where models and results go; default ``{run}/models`` and ``{run}/results``.
    mem_clf, mem_reg, wall_reg : int, default=1
        Which networks to train (1) or skip (0). The archive needs all three.
    cross_val : {None, "skip", "only"} or int, default=None
        None/"skip": no cross-validation; an int k >= 2: train, then k-fold
        cross-validate each network (and its baseline); "only": only cross-validate
        (``kfolds`` folds, no final models).
    njobs : int, default=-2
        Accepted for 1.1.4 compatibility; folds run one after the other.
    ddb_table, s3_bucket : str, optional
        1.1.4's cloud sources and sinks; not supported here (read local files).
    data : pandas.DataFrame, optional
        The training table instead of ``fpath``.
    epochs, batch_size : int, optional
        Override the blueprints (60 / 32; wall_reg 300 / 64).
    seed : int, optional
        Seeds the split, folds, weights and baselines.
    level : float, default=0.95
        Level of the upper bounds reported in ``batch.csv`` and the model card.
    kfolds : int, default=10
        Folds of ``cross_val="only"``.
    baseline, plots, archive, progress : bool, default=True
    verbose : int, default=0
        Keras fit verbosity.
    card_extra : str, optional
        Markdown appended to the archive's model card (e.g. where the data came from).

    Attributes
    ----------
    run_path : pathlib.Path
    data : pandas.DataFrame or None
        Usable rows: the 9 features, ``memory``, ``wallclock``, ``mem_bin``, ``split``.
    skipped : list of (str, str)
        Rows left out, with the reason.
    networks : dict of str to keras.Model
    scores : dict
        Per network: ``network`` and ``baseline`` held-out metrics (and ``kfold``).
    coverage : dict
        Per target and level: :func:`spacekit.analyzer.bounds.upper_bound_metrics`.
    archive_path : pathlib.Path or None
    """

    def __init__(
        self,
        cfg: str = "asn",
        date_key: str | None = None,
        fpath: str | os.PathLike | None = None,
        train_path: str | os.PathLike | None = None,
        model_path: str | os.PathLike | None = None,
        res_path: str | os.PathLike | None = None,
        mem_clf: int = 1,
        mem_reg: int = 1,
        wall_reg: int = 1,
        cross_val: str | int | None = None,
        njobs: int = -2,
        ddb_table: str | None = None,
        s3_bucket: str | None = None,
        *,
        data: pd.DataFrame | None = None,
        epochs: int | None = None,
        batch_size: int | None = None,
        seed: int | None = None,
        level: float = 0.95,
        kfolds: int = 10,
        baseline: bool = True,
        plots: bool = True,
        archive: bool = True,
        progress: bool = True,
        verbose: int = 0,
        card_extra: str = "",
    ):
        if cfg != "asn":
            raise InputError(f"cfg={cfg!r} has no features; only 'asn' can be trained.")
        if ddb_table or s3_bucket:
            raise InputError(
                "Training from DynamoDB or S3 (ddb_table, s3_bucket) is not supported: "
                "export the table to CSV and pass fpath."
            )
        if fpath is None and data is None:
            raise InputError("Pass fpath (a training CSV) or data= (a DataFrame).")
        self.cfg, self.date_key = cfg, date_key
        self.fpath = None if fpath is None else Path(fpath)
        self.networks_on = {"mem_clf": mem_clf, "mem_reg": mem_reg, "wall_reg": wall_reg}
        self.cross_val = self._parse_cross_val(cross_val)
        self.njobs = njobs
        self.input_data = data
        self.epochs, self.batch_size, self.seed = epochs, batch_size, seed
        if not 0 < float(level) < 1:
            raise InputError(f"level must be between 0 and 1; received {level!r}.")
        self.level, self.kfolds = float(level), int(kfolds)
        self.baseline, self.plots, self.archive = bool(baseline), bool(plots), bool(archive)
        self.progress, self.verbose = bool(progress), int(verbose)
        self.card_extra = str(card_extra or "")
        self.run_path = self._run_path(train_path)
        self.model_path = Path(model_path) if model_path else self.run_path / "models"
        self.res_path = Path(res_path) if res_path else self.run_path / "results"
        self.data: pd.DataFrame | None = None
        self.skipped: list[tuple[str, str]] = []
        self.tx_data: dict | None = None
        self.networks: dict = {}
        self.histories: dict = {}
        self.scores: dict = {}
        self.bounds: dict = {}
        self.coverage: dict = {}
        self.archive_path: Path | None = None

    @staticmethod
    def _parse_cross_val(value) -> str | int | None:
        if value is None or str(value).lower() in ("skip", "none", "0", ""):
            return None
        if str(value).lower() == "only":
            return "only"
        try:
            k = int(value)
        except (TypeError, ValueError) as exc:
            raise InputError(
                f"cross_val must be None, 'skip', 'only' or a number of folds; received {value!r}."
            ) from exc
        if k < 2:
            raise InputError(f"cross_val needs at least 2 folds; received {k}.")
        return k

    def _run_path(self, train_path) -> Path:
        if train_path is None:
            if self.fpath is None:
                raise InputError("Pass train_path (where to write the run) with data=.")
            train_path = (self.fpath.parent if self.fpath.suffix else self.fpath) / "runs"
        base = Path(train_path)
        return base if _RUN_DIR.match(base.name) else base / make_timestamp_path()

    # ------------------------------------------------------------------ data
    def load_data(self) -> pd.DataFrame:
        """Read and encode the training table; split it into fit / calib / test rows."""
        source = self.input_data if self.input_data is not None else self.fpath
        table, self.skipped = td.load_training_table(source)
        td.warn_skipped(self.skipped, str(self.fpath or "the data= table"), len(table))
        if len(table) < 10:
            raise DataError(
                f"Only {len(table)} usable training rows (need at least 10); "
                f"{len(self.skipped)} were left out."
            )
        table["split"] = td.split_rows(table, self.seed)
        self.data = table
        return table

    def _rows(self, split: str) -> pd.DataFrame:
        return self.data[self.data["split"] == split]

    def prep(self) -> np.ndarray:
        """Fit the normalisation on the fitting rows; return the inputs of all rows."""
        from spacekit.preprocessor.transform import fit_power_transform
        from spacekit.skopes.hst.cal.estimate import normalize_features

        fit = self._rows("fit")
        tx = fit_power_transform(fit[list(COLUMN_ORDER["asn"])], list(NORM_COLS["asn"]))
        self.tx_data = {k: tx[k] for k in ("lambdas", "mu", "sigma")}
        self.X = normalize_features(self.data, self.tx_data)
        return self.X

    # -------------------------------------------------------------- training
    def _blueprint(self, name: str):
        from spacekit.builder.blueprints import get_blueprint

        bp = get_blueprint(name)
        changes = {}
        if self.epochs is not None:
            changes["epochs"] = int(self.epochs)
        if self.batch_size is not None:
            changes["batch_size"] = int(self.batch_size)
        return bp.replace(**changes) if changes else bp

    def fit_network(self, name: str, X: np.ndarray, y: np.ndarray, seed_offset: int = 0):
        """Build and fit one network on ``X, y`` (10 % held out for early stopping).

        Regressors learn ``y / scale`` (``scale`` = the standard deviation of ``y``) and the
        scale is folded into the output layer afterwards, so the model predicts GB or
        seconds directly. Returns ``(model, history)``.
        """
        from spacekit.builder.architect import fit_model, scale_output, set_seed

        bp = self._blueprint(name)
        seed = None if self.seed is None else self.seed + seed_offset
        set_seed(seed)
        model = bp.build(seed=seed)
        if bp.task == "classification":
            target, scale = np.eye(bp.output_units, dtype=np.float32)[y.astype(int)], 1.0
        else:
            scale = float(np.std(y)) or 1.0
            target = (y / scale).astype(np.float32)
        n = len(X)
        n_val = round(n * VALIDATION_FRACTION) if n >= 20 else 0
        order = np.random.default_rng(seed).permutation(n)
        fit, val = order[n_val:], order[:n_val]
        history = fit_model(
            model,
            X[fit],
            target[fit],
            X[val] if n_val else None,
            target[val] if n_val else None,
            blueprint=bp,
            early_stopping=bp.early_stopping if n_val else None,
            verbose=self.verbose,
        )
        if bp.task != "classification":
            scale_output(model, scale, bp.output_name)
            history = {
                k: [v * (scale if "rmse" in k else scale**2 if "loss" in k else 1) for v in vals]
                for k, vals in history.items()
            }
        return model, history

    def train_networks(self) -> dict:
        """Fit every enabled network on the fitting rows."""
        from spacekit._progress import progress_bar

        fit = (self.data["split"] == "fit").to_numpy()
        names = [n for n, on in self.networks_on.items() if on]
        for i, name in enumerate(progress_bar(names, progress=self.progress, desc="networks")):
            y = self.data[TARGETS[name]].to_numpy(dtype=float)[fit]
            t0 = time.perf_counter()
            self.networks[name], self.histories[name] = self.fit_network(
                name, self.X[fit], y, seed_offset=i
            )
            log.info("%s trained in %.1f s", name, time.perf_counter() - t0)
        return self.networks

    # ------------------------------------------------------------ evaluation
    def evaluate(self) -> dict:
        """Score each network and its baseline on the test rows; write the results folders."""
        from spacekit.skopes.hst.cal import train_results as tr

        masks = {s: (self.data["split"] == s).to_numpy() for s in ("fit", "calib", "test")}
        for name, model in self.networks.items():
            target = TARGETS[name]
            kfold = self.scores.get(name, {}).get("kfold")
            self.scores[name] = tr.evaluate_network(self, name, target, model, masks, kfold=kfold)
        return self.scores

    def calibrate(self) -> dict:
        """Calibrate the conformal upper bounds on the calibration rows; test coverage."""
        from spacekit.skopes.hst.cal import train_results as tr

        self.bounds, self.coverage = tr.calibrate_bounds(self)
        return self.coverage

    def cross_validate(self, k: int) -> dict:
        """k-fold cross-validate every enabled network and its baseline (all usable rows)."""
        from spacekit.skopes.hst.cal import train_results as tr

        for name, on in self.networks_on.items():
            if on:
                self.scores.setdefault(name, {})["kfold"] = tr.kfold_scores(self, name, k)
        return self.scores

    # ---------------------------------------------------------------- outputs
    def save_models(self) -> list[Path]:
        """``models/{name}.keras``, ``models/tx_data.json`` and ``models/model_inputs.json``.

        ``model_inputs.json`` names each model's input columns, normalised columns,
        classes and target, as the dashboards' network and predictions pages read it.
        """
        from spacekit.builder.architect import save_keras_model
        from spacekit.preprocessor.tables.hst_cal import MEM_BIN_LABELS

        paths = [
            save_keras_model(m, self.model_path / f"{n}.keras") for n, m in self.networks.items()
        ]
        atomic_write_json(self.model_path / "tx_data.json", self.tx_data)
        inputs = {
            name: {
                "features": list(COLUMN_ORDER["asn"]),
                "tx_cols": list(NORM_COLS["asn"]),
                "tx_file": "tx_data.json",
                "classes": list(MEM_BIN_LABELS) if name == "mem_clf" else [],
                "target": TARGETS[name],
            }
            for name in self.networks
        }
        atomic_write_json(self.model_path / "model_inputs.json", inputs)
        return paths

    def write_batch(self) -> Path:
        """``data/batch.csv``: every usable row with its split, predictions and bounds."""
        from spacekit.skopes.hst.cal import train_results as tr

        table = tr.batch_table(self)
        path = self.run_path / "data" / "batch.csv"
        with atomic_path(path) as tmp:
            table.to_csv(tmp, index=True, index_label="ipst")
        return path

    def write_summary(self) -> dict:
        """``summary/scores.json`` and ``summary/upper_bounds.json``."""
        from spacekit import __version__

        summary = {
            "format": "spacekit-hstcal-training",
            "spacekit_version": __version__,
            "date_key": self.date_key,
            "seed": self.seed,
            "rows": {s: int((self.data["split"] == s).sum()) for s in ("fit", "calib", "test")},
            "skipped": len(self.skipped),
            "scores": self.scores,
        }
        atomic_write_json(self.run_path / "summary" / "scores.json", td.json_safe(summary))
        if self.coverage:
            atomic_write_json(
                self.run_path / "summary" / "upper_bounds.json", td.json_safe(self.coverage)
            )
        return summary

    def build_archive(self) -> Path | None:
        """``{run}/hst_cal.zip`` with the networks, tx_data, calibration and model card."""
        from spacekit.builder.architect import inference_copy
        from spacekit.builder.archive import save_archive
        from spacekit.skopes.hst.cal.card import make_model_card

        missing = [n for n in TARGETS if n not in self.networks]
        if missing:
            log.warning("no hst_cal archive: %s not trained", missing)
            return None
        self.archive_path = save_archive(
            self.run_path / "hst_cal.zip",
            models={n: inference_copy(m) for n, m in self.networks.items()},
            tx_data={"default": self.tx_data},
            card=make_model_card(self),
            name="hst_cal",
            json_members={"upper_bounds": {t: cb.to_dict() for t, cb in self.bounds.items()}},
        )
        return self.archive_path

    def main(self) -> dict:
        """Run everything; returns the summary (also in ``summary/scores.json``)."""
        self.load_data()
        self.run_path.mkdir(parents=True, exist_ok=True)
        self.prep()
        if self.cross_val is not None:
            k = self.kfolds if self.cross_val == "only" else int(self.cross_val)
            self.cross_validate(k)
        if self.cross_val == "only":
            from spacekit.skopes.hst.cal import train_results as tr

            tr.save_kfold_only(self)
            return self.write_summary()
        self.train_networks()
        if self.networks_on["mem_reg"] or self.networks_on["wall_reg"]:
            self.calibrate()
        self.evaluate()
        self.save_models()
        self.write_batch()
        summary = self.write_summary()
        if self.archive:
            self.build_archive()
        return summary


# -------------------------------------------------------------------------- runner
def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m spacekit.skopes.hst.cal.train",
        description="Train the HST calibration memory-bin, memory and wallclock networks.",
    )
    p.add_argument(
        "src",
        choices=["file", "sim", "ddb", "s3", "arch"],
        help="file: a CSV (--source_path); sim: simulated jobs (--n-sim); ddb/s3/arch: "
        "1.1.4's cloud sources, not supported here",
    )
    p.add_argument("--source_path", "--source-path", default=None, help="CSV or its folder")
    p.add_argument("--fname", default=None, help="CSV name inside --source_path (batch.csv)")
    p.add_argument("-o", "--train_path", "--train-path", default=None, help="output parent")
    p.add_argument("-d", "--date_key", default=None)
    p.add_argument("-t", "--timestamp", default="now", help="'now' or unix seconds")
    p.add_argument("--n-sim", "--n_sim", type=int, default=20000, help="rows for src=sim")
    for name in TARGETS:
        p.add_argument(f"--{name}", type=int, default=1, choices=[0, 1])
    p.add_argument("-k", "--cross_val", default=os.environ.get("KFOLD"))
    p.add_argument("-j", "--njobs", type=int, default=-2)
    p.add_argument("--overwrite", action="store_true", help="reuse an existing run folder")
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--batch-size", "--batch_size", type=int, default=None)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--level", type=float, default=0.95)
    p.add_argument("--no-baseline", action="store_true")
    p.add_argument("--no-plots", action="store_true")
    p.add_argument("--no-archive", action="store_true")
    for flag in ("--tablename", "--attrname", "--attrmethod", "--attrtype", "--attrvalue"):
        p.add_argument(flag, default=None, help=argparse.SUPPRESS)
    p.add_argument("--bucketname", default=None, help=argparse.SUPPRESS)
    p.add_argument("--save_ddb", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--save_s3", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("-c", "--config", default="asn", choices=["asn"])
    add_log_arguments(p, "spacekit-train.log")
    return p


def _source(args) -> tuple[Path | None, pd.DataFrame | None]:
    if args.src in ("ddb", "s3", "arch") or args.save_ddb or args.save_s3:
        raise InputError(
            f"src={args.src!r} / --save_ddb / --save_s3 need 1.1.4's cloud services, which "
            "spacekit does not use: export the data to CSV and run `... train file "
            "--source_path FILE`, or `... train sim` for simulated jobs."
        )
    if args.src == "sim":
        from spacekit.datasets.hstcal import simulate_hstcal

        if args.train_path is None:
            raise InputError("src=sim needs -o/--train_path (where to write the run).")
        return None, simulate_hstcal(n=args.n_sim, seed=args.seed or 0)
    if args.source_path is None:
        raise InputError("src=file needs --source_path (a training CSV or its folder).")
    path = Path(args.source_path)
    if path.is_dir():
        path = path / (args.fname or "batch.csv")
    return path, None


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit code (2: bad input or data)."""
    args = _parser().parse_args(argv)
    configure_runner_logging(args, "spacekit-train.log")
    quiet_tensorflow()
    try:
        fpath, data = _source(args)
        base = Path(args.train_path) if args.train_path else None
        if base is not None and not _RUN_DIR.match(base.name):
            base = base / make_timestamp_path(args.timestamp)
        if base is not None and base.exists() and any(base.iterdir()) and not args.overwrite:
            raise InputError(f"'{base}' exists; pass --overwrite to reuse it.")
        trainer = Train(
            cfg=args.config,
            date_key=args.date_key,
            fpath=fpath,
            train_path=base,
            mem_clf=args.mem_clf,
            mem_reg=args.mem_reg,
            wall_reg=args.wall_reg,
            cross_val=args.cross_val,
            njobs=args.njobs,
            data=data,
            epochs=args.epochs,
            batch_size=args.batch_size,
            seed=args.seed,
            level=args.level,
            baseline=not args.no_baseline,
            plots=not args.no_plots,
            archive=not args.no_archive,
            verbose=1 if args.verbose else 0,
        )
        trainer.main()
    except SpacekitError as exc:
        log.error("%s", exc)
        return 2 if isinstance(exc, InputError | DataError) else 1
    from spacekit.skopes.hst.cal.card import summary_lines

    sys.stdout.write("\n".join(summary_lines(trainer)) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
