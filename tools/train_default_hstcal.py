"""Train the default HST calibration models shipped with spacekit.

Simulates HST calibration jobs with :func:`spacekit.datasets.hstcal.simulate_hstcal`
(labels follow the real per-instrument distributions), trains ``mem_clf``, ``mem_reg``
and ``wall_reg`` with :class:`spacekit.skopes.hst.cal.train.Train` (each beside a
gradient-boosting baseline), calibrates the conformal upper bounds and writes
``src/spacekit/builder/trained_networks/hst_cal.zip`` with a model card, registered as
``packaged/hst_cal`` (``hst_cal.json`` beside it, :mod:`spacekit.builder.registry`).

Usage::

    python tools/train_default_hstcal.py                       # simulate, train, write
    python tools/train_default_hstcal.py -n 5000 -o /tmp/hst_cal.zip --epochs 5

The run is reproducible (``--seed``) and takes several minutes on two CPU cores.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "src" / "spacekit" / "builder" / "trained_networks" / "hst_cal.zip"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("-o", "--out", type=Path, default=DEFAULT_OUT, help="archive to write")
    p.add_argument("--workdir", type=Path, default=None, help="keep the training run here")
    p.add_argument("-n", "--n-jobs", type=int, default=30000, help="simulated datasets")
    p.add_argument("--epochs", type=int, default=None, help="override the blueprints")
    p.add_argument("-k", "--cross-val", type=int, default=0, help="folds (0: none)")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("-v", "--verbose", action="store_true")
    return p


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    from spacekit._io import atomic_path
    from spacekit.datasets.hstcal import simulate_hstcal
    from spacekit.logging_setup import configure_logging
    from spacekit.skopes.hst.cal.card import summary_lines
    from spacekit.skopes.hst.cal.train import Train

    configure_logging("INFO" if args.verbose else "WARNING")
    tmp = None
    workdir = args.workdir
    if workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix="spacekit-train-hstcal-")
        workdir = Path(tmp.name)
    try:
        t0 = time.perf_counter()
        data = simulate_hstcal(n=args.n_jobs, seed=args.seed)
        info = {
            "simulator": "spacekit.datasets.hstcal.simulate_hstcal",
            "n_jobs": args.n_jobs,
            "seed": args.seed,
            "epochs": args.epochs or "blueprint (mem_clf, mem_reg 60; wall_reg 300)",
            "early_stopping": "val_loss on 10 % of the fitting rows",
            "cross_val": args.cross_val,
        }
        extra = "\n".join(
            [
                "## Training data",
                "",
                "Simulated, not observed: the labels follow the real per-instrument",
                "distributions of 110,464 HST datasets, but the link between features and",
                "labels is the simulator's. These models show the package working end to end",
                "and are no substitute for models trained on real calcloud data. Use",
                "`--model-path` with the published spacekit 1.1.4 archive or your own.",
                "",
                "```json",
                json.dumps(info, indent=2),
                "```",
                "",
                "Produced by `tools/train_default_hstcal.py`.",
            ]
        )
        trainer = Train(
            data=data,
            train_path=workdir / "runs" / "2000-01-01-0946684800",
            cross_val=args.cross_val or None,
            epochs=args.epochs,
            seed=args.seed,
            plots=False,
            progress=args.verbose,
            card_extra=extra,
        )
        trainer.main()
        if trainer.archive_path is None:
            print("no archive was written", file=sys.stderr)
            return 1
        with atomic_path(args.out) as part:
            shutil.copyfile(trainer.archive_path, part)
        if args.out.resolve() == DEFAULT_OUT.resolve():  # register packaged/hst_cal
            from spacekit.builder.registry import write_packaged_entry

            write_packaged_entry(
                args.out,
                "hst_cal",
                "simulated",
                "HST cal memory bin, memory (GB) and wallclock (s) with 95 % upper bounds; "
                "trained on simulated jobs",
            )
        print("\n".join(summary_lines(trainer)))
        print(
            f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB) in "
            f"{time.perf_counter() - t0:.0f} s"
        )
        print(json.dumps(trainer.coverage, indent=1))
    finally:
        if tmp is not None:
            tmp.cleanup()
    logging.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
