"""Train the JWST Level-3 memory model on simulated pipeline metadata, end to end.

Usage: python examples/jwst_train.py [OUTPUT_DIR] [--epochs N] [--folds K] [--live]

1. simulates a few days of pipeline metadata and Level-1 exposures
   (``OUTPUT_DIR/sim``: the daily CSVs the pipeline writes, the FITS files, the truth);
2. ingests the metadata into training tables (``OUTPUT_DIR/training/train-image.csv``);
3. trains the imaging model with K-fold cross-validation and a baseline
   (``OUTPUT_DIR/runs/<date>_<time>/``); every fold's epochs go to a
   ``training_history.json`` as they end (``--live`` shows them in the browser, on
   http://127.0.0.1:PORT/);
4. predicts the simulated exposures with the new archive (``jwst_cal.zip``) and compares
   with the truth and with the packaged model.

Needs the ml extra (TensorFlow/Keras). OUTPUT_DIR defaults to a new temporary folder
(never the current directory). The same from the shell::

    spacekit datasets simulate jwst sim --n 600
    python -m spacekit.preprocessor.ingest jcal -i sim/metadata -o training
    spacekit jwst train training -o runs --live
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd


def median_ratio(predictions: dict, truth: pd.Series) -> float:
    pairs = [(v["gbSize"], truth[k]) for k, v in predictions.items() if k in truth.index]
    return float(np.median([p / t for p, t in pairs]))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output_dir", nargs="?", type=Path, default=None)
    parser.add_argument("--n", type=int, default=600, help="simulated exposures")
    parser.add_argument("--epochs", type=int, default=20, help="the blueprint's default: 200")
    parser.add_argument("--folds", type=int, default=2)
    parser.add_argument("--live", action="store_true", help="serve the live dashboard")
    parser.add_argument("--port", type=int, default=8050)
    args = parser.parse_args(argv)
    out = args.output_dir or Path(tempfile.mkdtemp(prefix="jwst_train_"))

    from spacekit.datasets import simulate_jwst
    from spacekit.exceptions import SkippedInputWarning
    from spacekit.preprocessor.ingest import JwstCalIngest
    from spacekit.skopes.jwst.cal.predict import JwstCalPredict
    from spacekit.skopes.jwst.cal.train import JwstCalTrain

    sim = simulate_jwst(out / "sim", n=args.n, seed=7)
    print(f"simulated {len(sim.exposures)} exposures, {len(sim.products)} products")
    report = JwstCalIngest(sim.out_dir / "metadata", out / "training").run_ingest()
    print(f"training tables: {report.matched} products per mode in {out / 'training'}")

    server = None
    if args.live:
        from spacekit.visualization import DashboardServer

        server = DashboardServer(port=args.port)
    with server if server is not None else contextlib.nullcontext():
        if server is not None:
            print(f"live training dashboard: {server.url}")
        trainer = JwstCalTrain(
            out / "training",
            out=out / "runs",
            exp_mode="image",
            cross_val=args.folds,
            epochs=args.epochs,
            seed=0,
            server=server,
        )
        scores = trainer.main()
    print(
        f"img3_reg: test RMSE {scores['network']['test_rmse']:.3f} GB "
        f"(baseline {scores['baseline']['test_rmse']:.3f} GB), best fold {scores['best_fold']}"
    )
    print(f"training history: {trainer.history_path()}")
    print(f"  watch or report it: spacekit viz serve {trainer.history_path()}")
    print(f"archive: {trainer.archive_path}")

    truth = sim.products.set_index("product")["gb"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkippedInputWarning)  # target acquisitions ...
        ours = JwstCalPredict(sim.out_dir / "uncal", model_path=trainer.archive_path)
        ours.run_inference()
        packaged = JwstCalPredict(sim.out_dir / "uncal", expmodes=["IMAGE"])
        packaged.run_inference()
    print(
        "median predicted/true memory of the imaging products: "
        f"new model {median_ratio(ours.predictions, truth):.2f}, "
        f"packaged model {median_ratio(packaged.predictions, truth):.2f}"
    )


if __name__ == "__main__":
    main()
