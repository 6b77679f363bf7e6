"""Train the HST calibration resource models on simulated jobs, end to end.

Usage: python examples/hstcal_train.py [OUTPUT_DIR] [--n N] [--epochs N] [--model-path ARCHIVE]

1. simulates N labelled calibration jobs (``OUTPUT_DIR/jobs.csv``: raw keywords, memory in
   GB, wallclock in seconds) and 200 new ones to predict;
2. trains the memory-bin classifier and the memory and wallclock regressors with their
   gradient-boosting baselines and the calibrated upper bounds
   (``OUTPUT_DIR/runs/<date>-<time>/``, archive ``hst_cal.zip``);
3. predicts the new jobs with that archive and with the packaged one, and compares both
   with the simulated truth: memory error, and how many jobs stay below their 95 %
   wallclock bound against tripling the estimate.

Needs the ml extra (TensorFlow/Keras). OUTPUT_DIR defaults to a new temporary folder
(never the current directory). The same from the shell::

    spacekit datasets simulate hstcal sim --n 2000
    spacekit hstcal train --data sim/hstcal.csv -o runs
    spacekit hstcal predict new.csv -m runs/*/hst_cal.zip -o predictions.csv
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd


def compare(name: str, preds: pd.DataFrame, truth: pd.DataFrame) -> None:
    """Print memory error and wallclock-bound coverage of ``preds`` against ``truth``."""
    truth = truth.loc[preds.index]
    mem_err = np.median(np.abs(preds["memVal"] - truth["memory"]))
    line = f"{name}: median |memory error| {mem_err:.2f} GB"
    if "clockTime_upper" in preds:
        wall = truth["wallclock"].to_numpy()
        est = np.maximum(preds["clockTime"].to_numpy(), 1)
        line += (
            f"; wallclock below the 95 % bound for {np.mean(wall <= preds['clockTime_upper']):.0%}"
            f" of jobs (3 x estimate: {np.mean(wall <= 3 * est):.0%})"
        )
    print(line)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output_dir", nargs="?", type=Path, default=None)
    parser.add_argument("--n", type=int, default=2000, help="simulated training jobs")
    parser.add_argument("--epochs", type=int, default=None, help="default: the blueprints'")
    parser.add_argument("--model-path", default=None, help="archive to compare with")
    args = parser.parse_args(argv)
    out = args.output_dir or Path(tempfile.mkdtemp(prefix="hstcal_train_"))

    from spacekit.datasets.hstcal import simulate_hstcal, write_hstcal_csv
    from spacekit.skopes.hst.cal.predict import predict_inputs
    from spacekit.skopes.hst.cal.train import Train

    jobs = write_hstcal_csv(simulate_hstcal(n=args.n, seed=1), out / "jobs.csv")
    new = simulate_hstcal(n=200, seed=2)
    write_hstcal_csv(new, out / "new.csv")
    print(f"simulated {args.n} training jobs ({jobs}) and {len(new)} new ones")

    trainer = Train(fpath=jobs, train_path=out / "runs", seed=0, epochs=args.epochs, progress=False)
    summary = trainer.main()
    scores = summary["scores"]
    print(
        f"rows: {summary['rows']}; memory bin accuracy "
        f"{scores['mem_clf']['network']['accuracy']:.2f} "
        f"(baseline {scores['mem_clf']['baseline']['accuracy']:.2f}); memory RMSE "
        f"{scores['mem_reg']['network']['test_rmse']:.2f} GB "
        f"(baseline {scores['mem_reg']['baseline']['test_rmse']:.2f} GB)"
    )
    print(f"run folder: {trainer.run_path}")
    print(f"archive: {trainer.archive_path}")

    ours, skipped, _ = predict_inputs(out / "new.csv", model_path=trainer.archive_path)
    ours.to_csv(out / "predictions.csv", index_label="dataset")
    print(f"{len(ours)} new jobs predicted, {len(skipped)} skipped: {out / 'predictions.csv'}")
    compare("new model", ours, new)
    other, _, _ = predict_inputs(out / "new.csv", model_path=args.model_path)
    compare(args.model_path or "packaged model", other, new)


if __name__ == "__main__":
    main()
