"""Rebuild the frozen label tables, the packaged samples and the docs figure of spacekit.datasets.

Usage (from the repository root)::

    python tools/make_samples.py tables    # needs ../shared/reference/real-labels (MIT)
    python tools/make_samples.py samples   # src/spacekit/datasets/samples/{svm,hstcal}/
    python tools/make_samples.py figure    # docs/_static/svm_pair.png
    python tools/make_samples.py quantiles # rst table of simulated vs real label quantiles

``tables`` reads the real label files once and freezes small summary tables inside the
package (``hstcal/real_label_tables.json`` and ``svm/real_label_mix.json``), so the package
never needs the reference folder at run time.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
PKG = REPO / "src" / "spacekit" / "datasets"
REAL = REPO.parent / "shared" / "reference" / "real-labels"
SOURCE = "spacekit commit cec1093 tests/data (MIT), via ../shared/reference/real-labels"

#: Probabilities (percent) at which the label quantile functions are frozen.
PERCENTS = [0.0, 0.5] + [float(p) for p in range(1, 100)] + [99.5, 99.9, 100.0]


def freeze_tables() -> None:
    """Write the hstcal and svm summary tables from the real labels."""
    cal = pd.read_csv(REAL / "hst_cal_labels.csv")
    groups = {}
    for (instr, dtype), g in cal.groupby(["instr", "dtype"]):
        mem = g["memory"].dropna()
        wall = g["wallclock"].dropna()
        both = g.dropna(subset=["memory", "wallclock"])
        bins = g["mem_bin"].dropna().astype(int).value_counts(normalize=True)
        groups[f"{instr}/{dtype}"] = {
            "count": int(len(g)),
            "n_memory": int(len(mem)),
            "n_wallclock": int(len(wall)),
            "memory": [round(float(v), 4) for v in np.percentile(mem, PERCENTS)],
            "wallclock": [round(float(v), 1) for v in np.percentile(wall, PERCENTS)],
            "spearman_memory_wallclock": round(
                float(both["memory"].corr(both["wallclock"], method="spearman")), 3
            ),
            "mem_bin_fraction": [round(float(bins.get(k, 0.0)), 4) for k in range(4)],
        }
    table = {
        "source": SOURCE,
        "percents": PERCENTS,
        "mem_bin_edges_gb": [2.0, 8.0, 16.0],
        "groups": groups,
    }
    out = PKG / "hstcal" / "real_label_tables.json"
    out.write_text(json.dumps(table, indent=1) + "\n")
    print("wrote", out, out.stat().st_size, "bytes")

    svm = pd.concat(
        [pd.read_csv(REAL / f"svm_{s}_labels.csv", index_col=0) for s in ("test", "val")]
    )
    mix = {}
    for det, g in svm.groupby("det"):
        synth = g[g["synthetic"]]
        modes = synth.index.str.extract(r"_(all|sub)_(stat|stoc)$")
        mix[det] = {
            "aligned": int(((g["label"] == 0) & ~g["synthetic"]).sum()),
            "misaligned_real": int(((g["label"] == 1) & ~g["synthetic"]).sum()),
            "misaligned_synthetic": int(len(synth)),
            "synthetic_modes": {
                f"{a}_{b}": int(n) for (a, b), n in modes.groupby([0, 1]).size().items()
            },
        }
    out = PKG / "svm" / "real_label_mix.json"
    out.write_text(json.dumps({"source": SOURCE, "detectors": mix}, indent=1) + "\n")
    print("wrote", out, out.stat().st_size, "bytes")


def make_samples() -> None:
    """Generate the packaged svm and hstcal samples (deterministic)."""
    from spacekit.datasets.hstcal import simulate_hstcal, write_hstcal_folder
    from spacekit.datasets.svm import simulate_svm

    svm_dir = PKG / "samples" / "svm"
    if svm_dir.exists():
        shutil.rmtree(svm_dir)
    sim = simulate_svm(
        svm_dir, n_visits=6, seed=7, misaligned_fraction=0.5, image_size=96, progress=False
    )
    print("svm sample:", len(sim.labels), "visits")

    cal_dir = PKG / "samples" / "hstcal"
    if cal_dir.exists():
        shutil.rmtree(cal_dir)
    write_hstcal_folder(simulate_hstcal(n=300, seed=0), cal_dir, seed=0, overwrite=True)
    for d in (svm_dir, cal_dir):
        size = sum(p.stat().st_size for p in d.rglob("*") if p.is_file())
        print(d, f"{size / 1024:.1f} KiB")


def make_figure() -> None:
    """Draw one simulated visit aligned and misaligned side by side (docs/_static/svm_pair.png)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from astropy.visualization import AsinhStretch, ImageNormalize, PercentileInterval

    from spacekit.datasets.svm.simulate import render_visit_pair

    aligned, misaligned, meta = render_visit_pair(
        seed=3, image_size=256, det="acs_wfc", category="STELLAR CLUSTER"
    )
    fig, axes = plt.subplots(1, 2, figsize=(9, 4.6))
    for ax, img, title in zip(
        axes, (aligned, misaligned), ("aligned", f"misaligned ({meta['suffix']})"), strict=True
    ):
        norm = ImageNormalize(img, interval=PercentileInterval(99.7), stretch=AsinhStretch(0.05))
        ax.imshow(img, origin="lower", cmap="gray", norm=norm)
        ax.set_title(title)
        ax.set_axis_off()
    fig.suptitle(meta["name"])
    fig.tight_layout()
    out = REPO / "docs" / "_static" / "svm_pair.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=80)
    print("wrote", out, out.stat().st_size, "bytes")


def quantile_table(n: int = 20000) -> None:
    """Print an rst table of simulated vs real label quantiles (10/50/90)."""
    from spacekit.datasets.hstcal import simulate_hstcal
    from spacekit.datasets.hstcal.simulate import GROUPS, real_quantiles

    df = simulate_hstcal(n=n, seed=0)
    rows = []
    for instr, dtype in GROUPS:
        g = df[(df["INSTRUME"] == instr) & (df["dtype"] == dtype)]
        for label in ("memory", "wallclock"):
            real = real_quantiles(instr, dtype, label, (10, 50, 90))
            sim = np.percentile(g[label], (10, 50, 90))
            fmt = "{:.2f}" if label == "memory" else "{:.0f}"
            rows.append(
                [instr, dtype, label, str(len(g))]
                + [f"{fmt.format(s)} / {fmt.format(r)}" for s, r in zip(sim, real, strict=True)]
            )
    head = [
        "instrument",
        "type",
        "label",
        "n sim",
        "p10 sim / real",
        "p50 sim / real",
        "p90 sim / real",
    ]
    widths = [max(len(r[i]) for r in [*rows, head]) for i in range(len(head))]
    sep = "  ".join("=" * w for w in widths)
    print(sep)
    print("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
    print(sep)
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    print(sep)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["tables", "samples", "figure", "quantiles"])
    args = parser.parse_args(argv)
    {
        "tables": freeze_tables,
        "samples": make_samples,
        "figure": make_figure,
        "quantiles": quantile_table,
    }[args.what]()
    return 0


if __name__ == "__main__":
    sys.exit(main())
