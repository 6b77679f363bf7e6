"""Train the default JWST calibration models shipped with spacekit.

Simulates daily pipeline metadata with :func:`spacekit.datasets.jwst.simulate_jwst`
(``write_fits=False``), ingests it into training tables with
:class:`spacekit.preprocessor.ingest.JwstCalIngest` (or uses ``--data DIR`` holding
``train-image.csv`` / ``train-spec.csv``), trains ``img3_reg`` and ``spec3_reg`` with
:class:`spacekit.skopes.jwst.cal.train.JwstCalTrain`, and writes the archive
``src/spacekit/builder/trained_networks/jwst_cal.zip`` with a model card.

Usage::

    python tools/train_default_jwst.py                  # simulate, train, write the archive
    python tools/train_default_jwst.py --data DIR -o /tmp/jwst_cal.zip --epochs 20

The run is reproducible (``--seed``) and takes a few minutes on two CPU cores.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "src" / "spacekit" / "builder" / "trained_networks" / "jwst_cal.zip"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", type=Path, default=None, help="folder with train-{mode}.csv")
    p.add_argument("-o", "--out", type=Path, default=DEFAULT_OUT, help="archive to write")
    p.add_argument("--workdir", type=Path, default=None, help="keep intermediate files here")
    p.add_argument("-n", "--n-exposures", type=int, default=60000, help="simulated exposures")
    p.add_argument("--days", type=int, default=10, help="simulated days of metadata")
    p.add_argument("--epochs", type=int, default=150)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument(
        "--learning-rate",
        type=float,
        default=1e-3,
        help="initial learning rate (the 1.1.4 blueprint's 1e-4 underfits short runs)",
    )
    p.add_argument("--patience", type=int, default=30, help="early-stopping patience")
    p.add_argument("-k", "--cross-val", type=int, default=0, help="folds (0: one 80/20 split)")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("-v", "--verbose", action="store_true")
    return p


def simulate_tables(workdir: Path, n: int, days: int, seed: int) -> tuple[Path, dict]:
    """Simulate metadata CSVs and ingest them; return the tables folder and a summary."""
    from spacekit.datasets.jwst import simulate_jwst
    from spacekit.preprocessor.ingest import JwstCalIngest

    t0 = time.perf_counter()
    sim = simulate_jwst(
        workdir / "sim",
        n=n,
        seed=seed,
        write_fits=False,
        days=days,
        overwrite=True,
        progress=False,
    )
    t_sim = time.perf_counter() - t0
    tables = workdir / "tables"
    t0 = time.perf_counter()
    report = JwstCalIngest(Path(sim.out_dir) / "metadata", tables).run_ingest()
    info = {
        "simulator": "spacekit.datasets.jwst.simulate_jwst(write_fits=False)",
        "n_exposures": n,
        "days": days,
        "seed": seed,
        "n_products_truth": int(len(sim.products)),
        "matched": report.matched,
        "simulate_seconds": round(t_sim, 1),
        "ingest_seconds": round(time.perf_counter() - t0, 1),
    }
    return tables, info


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    from spacekit.logging_setup import configure_logging

    configure_logging("INFO" if args.verbose else "WARNING")
    from spacekit.skopes.jwst.cal.train import JwstCalTrain, build_archive

    tmp = None
    workdir = args.workdir
    if workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix="spacekit-train-default-")
        workdir = Path(tmp.name)
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        if args.data is not None:
            tables, data_info = args.data, {"source": str(args.data)}
        else:
            tables, data_info = simulate_tables(workdir, args.n_exposures, args.days, args.seed)
        run = workdir / "runs" / "2000-01-01_0000000000"
        timings = {}
        arch = {"fit_params": {"learning_rate": args.learning_rate, "patience": args.patience}}
        for mode in ("image", "spec"):
            if not (tables / f"train-{mode}.csv").is_file():
                print(f"no train-{mode}.csv in {tables}; skipping {mode}", file=sys.stderr)
                continue
            t0 = time.perf_counter()
            JwstCalTrain(
                tables,
                out=run,
                exp_mode=mode,
                cross_val=args.cross_val,
                epochs=args.epochs,
                batch_size=args.batch_size,
                seed=args.seed,
                plots=False,
                archive=False,
                progress=False,
            ).main(custom_arch=arch)
            timings[mode] = round(time.perf_counter() - t0, 1)
        extra = "\n".join(
            [
                "## Training data",
                "",
                "Simulated, not observed: these models show the package working end to end",
                "and are no substitute for models trained on real pipeline metadata. Use",
                "`--model-path` with the published spacekit 1.1.4 archive or your own.",
                "",
                "```json",
                json.dumps(
                    {
                        **data_info,
                        "epochs": args.epochs,
                        "batch_size": args.batch_size,
                        "learning_rate": args.learning_rate,
                        "patience": args.patience,
                        "early_stopping": "val_rmse",
                        "cross_val": args.cross_val,
                        "train_seconds": timings,
                    },
                    indent=2,
                ),
                "```",
                "",
                "Produced by `tools/train_default_jwst.py`.",
            ]
        )
        out = build_archive(run, out_path=args.out, card_extra=extra)
        print(f"wrote {out} ({out.stat().st_size / 1024:.0f} KiB)")
        print(json.dumps({**data_info, "train_seconds": timings}, indent=2))
        for mode in timings:
            scores = json.loads(
                (run / mode / "summary" / f"{mode}-cv-scores.json").read_text("utf-8")
            )
            nn, hgb = scores["network"], scores["baseline"]
            print(
                f"{scores['model']}: test RMSE {nn['test_rmse']:.3f} GB (R2 {nn['r2']:.3f}); "
                f"baseline RMSE {hgb['test_rmse']:.3f} GB (R2 {hgb['r2']:.3f}); "
                f"train {nn['train_size']:.0f} / test {nn['test_size']:.0f} products"
            )
    finally:
        if tmp is not None:
            tmp.cleanup()
    logging.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
