"""Estimate memory bin, memory and wallclock of HST calibration jobs, with upper bounds.

Usage: python examples/hstcal_predict.py [OUTPUT_DIR] [--model-path ARCHIVE]

Simulates 20 calibration jobs, writes them the three ways the predictor reads them
(calcloud ``_MemModelFeatures.txt`` files, one CSV, raw FITS folders), then:

1. predicts one dataset with the spacekit 1.1.4 API (``Predict``), including the 95 %
   upper bounds;
2. predicts the whole CSV in one batch and compares the bounds with tripling the
   estimate, on the simulated truth;
3. writes ``OUTPUT_DIR/predictions.csv``.

OUTPUT_DIR defaults to a new temporary folder (never the current directory). Without
``--model-path`` the archive shipped with spacekit is used.
"""

import argparse
import tempfile
from pathlib import Path


def main(out: Path, model_path: str | None) -> None:
    import numpy as np

    from spacekit.datasets.hstcal import (
        simulate_hstcal,
        write_features_files,
        write_fits_datasets,
        write_hstcal_csv,
    )
    from spacekit.skopes.hst.cal.predict import Predict, predict_inputs

    jobs = simulate_hstcal(n=20, seed=42)
    files = write_features_files(jobs, out / "control", layout="control")
    csv = write_hstcal_csv(jobs, out / "jobs.csv")
    write_fits_datasets(jobs.iloc[:3], out / "inputs")

    # 1. one dataset, the 1.1.4 way (a local features file instead of S3)
    pred = Predict(str(files[0]), model_path=model_path)
    pred.run_inference()
    print(f"{pred.dataset}: {pred.predictions}  upper bounds: {pred.upper_bounds}")

    # the raw FITS files of a dataset work too: n_files and total_mb are measured on disk
    # (the simulated files are small placeholders, so total_mb and the estimate differ)
    fits_pred = Predict(str(out / "inputs" / jobs.index[0]), model_path=model_path)
    measured = fits_pred.run_inference()
    print(
        f"{jobs.index[0]} from its FITS files ({fits_pred.input_data['total_mb']:.3f} MB on "
        f"disk, not the simulated {jobs.iloc[0]['total_mb']} MB): {measured}"
    )

    # 2. a batch: every row of the CSV
    preds, skipped, models = predict_inputs(str(csv), model_path=model_path)
    truth = jobs.loc[preds.index]
    print(f"\n{len(preds)} datasets predicted with {models.path}; {len(skipped)} skipped")
    if "clockTime_upper" in preds:
        wall = truth["wallclock"].to_numpy()
        est = np.maximum(preds["clockTime"].to_numpy(), 1)
        upper = preds["clockTime_upper"].to_numpy()
        print(
            f"wallclock below the 95 % bound: {np.mean(wall <= upper):.0%} of jobs, "
            f"below 3 x estimate: {np.mean(wall <= 3 * est):.0%}; the bounds reserve "
            f"{upper.sum() / (3 * est).sum():.2f} of what tripling reserves"
        )
    preds.to_csv(out / "predictions.csv", index_label="dataset")
    print(f"wrote {out / 'predictions.csv'}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", nargs="?", default=None)
    ap.add_argument("--model-path", default=None)
    args = ap.parse_args()
    folder = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="hstcal-example-"))
    folder.mkdir(parents=True, exist_ok=True)
    main(folder, args.model_path)
