"""The ``python -m spacekit.skopes.jwst.cal.train`` command line (1.1.4 flags).

Usage::

    python -m spacekit.skopes.jwst.cal.train -d DIR [-o OUT] [-e image|spec] [-n 0|1]
        [-k FOLDS] [-s METRIC] [-t GB] [--epochs N] [--batch-size N] [--seed N]
        [--stratify] [--no-baseline] [--no-plots] [--no-archive] [log options]

Exit code 0; 2 when the training data is missing or unusable; 1 on other errors.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from spacekit._runner import add_log_arguments, configure_runner_logging
from spacekit.builder.packaging import format_score
from spacekit.exceptions import DataError, InputError, SpacekitError
from spacekit.skopes.jwst.cal.train.trainer import JwstCalTrain

__all__ = ["main"]

log = logging.getLogger("spacekit.skopes.jwst.cal.train")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m spacekit.skopes.jwst.cal.train",
        description="Train the JWST Level-3 memory regressor of one exposure mode.",
    )
    p.add_argument(
        "-d",
        "--training_data",
        "--training-data",
        required=True,
        help="folder holding train-{mode}.csv (ingest output)",
    )
    p.add_argument(
        "-o",
        "--out",
        default=None,
        help="parent of the timestamped output folder (default DIR/runs)",
    )
    p.add_argument("-e", "--exp_mode", "--exp-mode", default="image", choices=["image", "spec"])
    p.add_argument("-n", "--norm", type=int, default=1, choices=[0, 1])
    p.add_argument("-k", "--cross_val", "--cross-val", type=int, default=0)
    p.add_argument(
        "-s",
        "--early_stopping",
        "--early-stopping",
        default=None,
        help="metric to monitor (default val_rmse); 'none' disables",
    )
    p.add_argument("-t", "--threshold", type=float, default=100)
    p.add_argument("--epochs", type=int, default=None, help="override the blueprint's 200")
    p.add_argument("--batch-size", "--batch_size", type=int, default=None)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--stratify", action="store_true", help="stratify by memory class")
    p.add_argument("--no-baseline", action="store_true")
    p.add_argument("--no-plots", action="store_true")
    p.add_argument("--no-archive", action="store_true")
    add_log_arguments(p, "spacekit-train.log")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    args = _parser().parse_args(argv)
    configure_runner_logging(args, "spacekit-train.log")
    try:
        trainer = JwstCalTrain(
            training_data=args.training_data,
            out=args.out,
            exp_mode=args.exp_mode,
            norm=args.norm,
            cross_val=args.cross_val,
            early_stopping=args.early_stopping,
            threshold=args.threshold,
            epochs=args.epochs,
            batch_size=args.batch_size,
            seed=args.seed,
            baseline=not args.no_baseline,
            plots=not args.no_plots,
            archive=not args.no_archive,
            verbose=1 if args.verbose else 0,
        )
        scores = trainer.main(stratify=args.stratify)
    except SpacekitError as exc:
        log.error("%s", exc)
        return 2 if isinstance(exc, InputError | DataError) else 1
    nn, hgb = scores["network"], scores["baseline"]
    sys.stdout.write(
        f"{trainer.model_name}: test RMSE {format_score(nn.get('test_rmse'))} GB, "
        f"baseline {format_score(hgb.get('test_rmse'))} GB\noutput: {trainer.output_path}\n"
    )
    if trainer.archive_path is not None:
        sys.stdout.write(f"archive: {trainer.archive_path}\n")
    return 0
