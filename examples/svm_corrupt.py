"""Simulate aligned SVM visits, corrupt them, and prepare both for the alignment classifier.

Usage: python examples/svm_corrupt.py [OUTPUT_DIR]

Writes::

    OUTPUT_DIR/sim/                      aligned visits with their _flt.fits exposures
    OUTPUT_DIR/work/synthetic/           corrupted copies <visit>_<filter>_<all|sub>_<stat|stoc>
    OUTPUT_DIR/work/img/1/               their CNN frames (class 1)
    OUTPUT_DIR/prepped/{aligned,misaligned}/svm_data.csv

OUTPUT_DIR defaults to a new temporary folder (never the current directory).
"""

import sys
import tempfile
from pathlib import Path


def main(out: Path) -> None:
    from spacekit.datasets.svm import simulate_svm
    from spacekit.skopes.hst.svm.corrupt import corrupt_svm
    from spacekit.skopes.hst.svm.prep import prep_svm

    sim = simulate_svm(
        out / "sim", n_visits=4, seed=1, misaligned_fraction=0.0, image_size=128, exposures=True
    )
    res = corrupt_svm(
        sim.out_dir,
        out / "work" / "synthetic",
        palette="rfi",
        expos="sub",
        mode="stat",
        runsvm=1,
        draw=1,
        seed=1,
    )
    print(f"{len(res.created)} corrupted copies, {len(res.images)} frames")
    for item, reason in res.skipped:
        print(f"  skipped {item}: {reason}")
    aligned = prep_svm(sim.out_dir, out / "prepped" / "aligned", labels=sim.labels_path)
    misaligned = prep_svm(
        out / "work" / "synthetic", out / "prepped" / "misaligned", crpt=1, draw=False
    )
    cols = ["point", "segment", "rms_ra", "nmatches", "label"]
    print(aligned.data[cols])
    print(misaligned.data[cols])
    print("written to", out)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="svm_"))
    main(target)
