"""Predict the memory of JWST Level-3 products from their Level-1 exposures, end to end.

Usage: python examples/jwst_predict.py [OUTPUT_DIR] [--input INPUT_DIR] [-m MODEL]

Without ``--input``, simulates a folder of Level-1 ``_uncal.fits`` exposures (with the
true memory of each product, ``truth.csv``) and adds one broken file, then:

1. groups the exposures into Level-3 products and predicts each one's memory
   (``JwstCalPredict``, the packaged model unless ``-m`` names another archive or a
   registry name such as ``spacekit-1.1.4/jwst_cal``);
2. prints the table, the skipped inputs with their reasons and which model answered;
3. writes ``OUTPUT_DIR/predictions.csv`` and, for simulated inputs, compares the
   predictions with the truth.

OUTPUT_DIR defaults to a new temporary folder (never the current directory). The same
from the shell: ``spacekit jwst predict INPUT_DIR -o predictions.csv``.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd


def simulate_inputs(out: Path) -> Path:
    """A folder of simulated exposures, with one file that is not FITS."""
    from spacekit.datasets import simulate_jwst

    sim = simulate_jwst(out / "sim", n=60, seed=4)
    broken = sim.out_dir / "uncal" / "jw01234001001_02101_00001_nrca1_uncal.fits"
    broken.write_text("not a FITS file")
    return sim.out_dir


def predict(input_dir: Path, out: Path, model: str | None) -> pd.DataFrame:
    from spacekit.skopes.jwst.cal.predict import JwstCalPredict

    jp = JwstCalPredict(input_dir, model_path=model)
    jp.run_inference()
    table = pd.DataFrame(jp.results())
    print(f"model: {jp.model_info.label() if jp.model_info else jp.model_path}")
    print(table[["product", "exp_mode", "gbSize", "n_exposures"]].to_string(index=False))
    for item, reason in jp.skipped:
        print(f"skipped {Path(item).name}: {reason}")
    table.to_csv(out / "predictions.csv", index=False)
    print(f"wrote {out / 'predictions.csv'} ({len(table)} products, memory in GB)")
    return table


def compare_with_truth(table: pd.DataFrame, truth_csv: Path) -> None:
    truth = pd.read_csv(truth_csv).set_index("product")["gb"]
    both = table.set_index("product").join(truth, how="inner")
    ratio = both["gbSize"] / both["gb"]
    print(
        f"{len(both)} products with a known truth: median predicted/true memory "
        f"{np.median(ratio):.2f} (quartiles {np.quantile(ratio, 0.25):.2f}-"
        f"{np.quantile(ratio, 0.75):.2f})"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output_dir", nargs="?", type=Path, default=None)
    parser.add_argument("--input", type=Path, default=None, help="a folder of _uncal.fits")
    parser.add_argument("-m", "--model", default=None, help="archive path or registry name")
    args = parser.parse_args(argv)
    out = args.output_dir or Path(tempfile.mkdtemp(prefix="jwst_predict_"))
    out.mkdir(parents=True, exist_ok=True)
    input_dir = args.input or simulate_inputs(out)
    uncal = input_dir / "uncal" if (input_dir / "uncal").is_dir() else input_dir
    table = predict(uncal, out, args.model)
    if (input_dir / "truth.csv").is_file():
        compare_with_truth(table, input_dir / "truth.csv")


if __name__ == "__main__":
    main()
