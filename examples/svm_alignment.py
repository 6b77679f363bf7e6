"""SVM alignment end to end on simulated visits: prep, train, predict (offline).

Run with::

    python examples/svm_alignment.py [OUT_DIR]

It simulates 60 single-visit mosaics, prepares them (``svm_data.csv`` + ``img/``),
trains the lite ensemble for a few epochs, prints its held-out metrics, then classifies
the visits with the archive it wrote and with spacekit's packaged default model. Needs
``pip install "spacekit[ml]"``; takes a couple of minutes on a laptop.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from spacekit.datasets import simulate_svm
from spacekit.skopes.hst.svm.predict import predict_alignment
from spacekit.skopes.hst.svm.prep import run_preprocessing
from spacekit.skopes.hst.svm.train import format_metrics, run_training


def main(out: Path) -> None:
    sim = simulate_svm(out / "sim", n_visits=60, seed=3, overwrite=True)
    run_preprocessing(str(out / "sim"), output_path=str(out / "prep"), labels=str(sim.labels_path))
    data_file, img_path = out / "prep" / "svm_data.csv", out / "prep" / "img"

    ens, com, val = run_training(
        data_file,
        img_path,
        params={"epochs": 5},
        output_path=out / "run",
        seed=3,
        trained_on="simulated",
    )
    print(format_metrics(ens.metrics))
    print("confusion matrix (test):", com.cmx.tolist())

    preds = predict_alignment(data_file, img_path, out / "run" / "svm_align.zip", out / "ours")
    print(preds.attrs["model"])
    print(preds[["y_pred", "y_proba"]].head())

    default = predict_alignment(data_file, img_path, output_path=out / "default")
    print(default.attrs["model"])
    print("suspicious:", int(default["y_pred"].sum()), "of", len(default))
    print("outputs in", out)


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(Path(sys.argv[1]))
    else:
        with tempfile.TemporaryDirectory(prefix="spacekit-svm-") as tmp:
            main(Path(tmp))
