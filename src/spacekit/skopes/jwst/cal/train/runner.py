"""The ``python -m spacekit.skopes.jwst.cal.train`` command line (1.1.4 flags).

Usage::

    python -m spacekit.skopes.jwst.cal.train -d DIR [-o OUT] [-e image|spec] [-n 0|1]
        [-k FOLDS] [-s METRIC] [-t GB] [--epochs N] [--batch-size N] [--seed N]
        [--stratify] [--no-baseline] [--no-plots] [--no-archive]
        [--live [--port PORT]] [log options]

Each fold's epochs go to ``{mode}/visualizations/N/training/training_history.json``
as they end; ``--live`` serves the live training dashboard on 127.0.0.1 meanwhile.
Exit code 0; 2 when the training data is missing or unusable (or the port is taken);
1 on other errors.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from collections.abc import Callable, Sequence
from typing import Any

from spacekit._runner import add_log_arguments, configure_runner_logging
from spacekit._tf_quiet import quiet_tensorflow
from spacekit.builder.packaging import format_score
from spacekit.exceptions import DataError, InputError, SpacekitError
from spacekit.skopes.jwst.cal.train.trainer import JwstCalTrain

__all__ = ["main", "train_and_report"]

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
    p.add_argument(
        "--live",
        action="store_true",
        help="serve the live training dashboard on http://127.0.0.1:PORT/ while training",
    )
    p.add_argument(
        "--port", type=int, default=8050, help="port of --live (default 8050; 0: a free one)"
    )
    add_log_arguments(p, "spacekit-train.log")
    return p


def train_and_report(
    options: dict[str, Any],
    *,
    stratify: bool = False,
    live: bool = False,
    port: int = 8050,
    echo: Callable[[str], None] = print,
) -> JwstCalTrain:
    """Train with ``JwstCalTrain(**options)``, optionally served live; report as it goes.

    ``echo`` receives the lines for the user: where the training history goes (and the
    live dashboard's URL) before training, the scores and output folders after it.
    Shared by this runner and ``spacekit jwst train``.

    Raises
    ------
    SpacekitError
        As :class:`JwstCalTrain` does; :class:`InputError` when ``port`` is taken.
    """
    server = None
    if live:
        from spacekit.visualization import DashboardServer

        server = DashboardServer(port=port)
    with server if server is not None else contextlib.nullcontext():
        trainer = JwstCalTrain(**options, server=server)
        where = trainer.history_path("N") if trainer.cross_val >= 2 else trainer.history_path(0)
        echo(f"training history: {where} (after every epoch)")
        if server is not None:
            echo(f"live dashboard: {server.url} (stops when training ends)")
        scores = trainer.main(stratify=stratify)
    nn, hgb = scores["network"], scores["baseline"]
    echo(
        f"{trainer.model_name}: test RMSE {format_score(nn.get('test_rmse'))} GB, "
        f"baseline {format_score(hgb.get('test_rmse'))} GB"
    )
    echo(f"output: {trainer.output_path}")
    if trainer.archive_path is not None:
        echo(f"archive: {trainer.archive_path}")
    if trainer.training_history and trainer.history_path().exists():
        echo(f"history: {trainer.history_path()} (spacekit viz serve / viz report)")
    return trainer


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    args = _parser().parse_args(argv)
    configure_runner_logging(args, "spacekit-train.log")
    quiet_tensorflow()
    options = {
        "training_data": args.training_data,
        "out": args.out,
        "exp_mode": args.exp_mode,
        "norm": args.norm,
        "cross_val": args.cross_val,
        "early_stopping": args.early_stopping,
        "threshold": args.threshold,
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "seed": args.seed,
        "baseline": not args.no_baseline,
        "plots": not args.no_plots,
        "archive": not args.no_archive,
        "verbose": 1 if args.verbose else 0,
    }

    def echo(line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    try:
        train_and_report(options, stratify=args.stratify, live=args.live, port=args.port, echo=echo)
    except SpacekitError as exc:
        log.error("%s", exc)
        return 2 if isinstance(exc, InputError | DataError) else 1
    return 0
