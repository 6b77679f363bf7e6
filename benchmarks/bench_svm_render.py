"""Benchmark SVM frame rendering against spacekit 1.1.4's matplotlib way, side by side.

Usage::

    python benchmarks/bench_svm_render.py [--visit DIR] [--repeat 3]

For one visit (default: the 1.1.4 reference visit in ``../shared``, else the first visit
of the packaged SVM sample) it times, per visit (three frames: plain, source, Gaia):

* **1.1.4's way**, re-created here: a 24×24-inch figure with a WCS axis per frame,
  zscale ``vmax×2``, catalogue scatter overlays, ``savefig(bbox_inches="tight")``, then
  the PNG read back shrunk to 128×128 with nearest-neighbour sampling (what the CNN saw);
* **ours** (:func:`spacekit.generator.draw.draw_total_frames`): the same 128×128 pixels
  computed from arrays, and the full-size figure (``size=None``) for comparison.

Prints seconds per visit, the ratio, and the mean absolute difference of the 128×128
inputs between the two ways.
"""

from __future__ import annotations

import argparse
import io
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO.parent / "shared" / "reference" / "spacekit-1.1.4" / "svm_render" / "input"


def _catalog_scatter(ax, path, colors, alpha):
    from astropy.table import Table

    t = Table.read(path)
    flags = [c for c in t.colnames if "Flags" in c]
    kw = dict(transform=ax.get_transform("fk5"), marker="o", s=15, facecolor="none")
    if not flags:
        ax.scatter(t["RA"], t["DEC"], edgecolor=colors[0], alpha=alpha, **kw)
        return
    f = np.nanmin(np.vstack([np.asarray(t[c], float) for c in flags]), axis=0)
    f[np.isnan(f)] = 100
    for mask, color in ((f <= 1, colors[0]), ((f > 1) & (f <= 5), colors[1])):
        ax.scatter(t["RA"][mask], t["DEC"][mask], edgecolor=color, alpha=alpha, **kw)


def draw_like_1_1_4(drizzle: Path) -> np.ndarray:
    """1.1.4's DrawMosaics rendering of the three frames, read back as the CNN did."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from astropy.io import fits
    from astropy.visualization import ImageNormalize, ZScaleInterval
    from astropy.wcs import WCS
    from PIL import Image

    from spacekit.generator.draw import catalog_paths

    cats = catalog_paths(drizzle)
    frames = []
    for overlay in ("", "_source", "_gaia"):
        with fits.open(drizzle) as hdul:
            data, header = hdul[1].data, hdul[1].header
            wcs = WCS(header)
            fp = wcs.calc_footprint(header)
            ralim = [fp[:, 0].max(), fp[:, 0].min()]
            declim = [fp[:, 1].max(), fp[:, 1].min()]
            fig = plt.figure(figsize=(24, 24))
            ax = fig.add_subplot(111, projection=wcs, frameon=False)
            plt.axis(False)
            _, zmax = ZScaleInterval().get_limits(data)
            norm = ImageNormalize(data, vmin=0, vmax=2 * zmax, clip=True)
            ax.imshow(data, origin="lower", norm=norm, cmap="gray")
            xlim, ylim = wcs.wcs_world2pix(ralim, declim, 1)
            ax.set_xlim(xlim)
            ax.set_ylim(ylim)
            if overlay == "_source":
                _catalog_scatter(ax, cats["point"], ("red", "green"), 0.5)
                _catalog_scatter(ax, cats["segment"], ("blue", "green"), 0.5)
            elif overlay == "_gaia":
                _catalog_scatter(ax, cats["gaia"], ("cyan",), None)
            buf = io.BytesIO()
            fig.savefig(buf, bbox_inches="tight")
            plt.close(fig)
        img = Image.open(buf).convert("RGB").resize((128, 128), Image.Resampling.NEAREST)
        frames.append(np.asarray(img))
    return np.stack(frames)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--visit", type=Path, default=None, help="a visit folder")
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    visit = args.visit
    if visit is None:
        if REFERENCE.is_dir():
            visit = REFERENCE / "ibpb01"
        else:
            from spacekit.datasets import get_sample_path

            visit = next(d for d in sorted(get_sample_path("svm").iterdir()) if d.is_dir())
    drizzle = sorted(visit.glob("*total_*_dr?.fits"))[0]
    from spacekit.generator.draw import draw_total_frames

    draw_total_frames(drizzle)  # warm-up: imports and caches
    draw_like_1_1_4(drizzle)

    def best(fn):
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            out = fn()
            times.append(time.perf_counter() - t0)
        return min(times), out

    t_old, old = best(lambda: draw_like_1_1_4(drizzle))
    t_new, new = best(lambda: draw_total_frames(drizzle))
    t_full, _ = best(lambda: draw_total_frames(drizzle, size=None))
    ours = np.stack([new.images[s] for s in ("", "_source", "_gaia")])
    diff = np.abs(ours.astype(int) - old.astype(int))
    print(f"visit: {drizzle.name}")
    print(f"1.1.4 matplotlib 24-inch figures -> 128x128: {t_old:8.3f} s/visit")
    print(
        f"spacekit 128x128 frames from arrays:          {t_new:8.3f} s/visit "
        f"({t_old / t_new:.0f}x faster)"
    )
    print(
        f"spacekit full-size frames from arrays:        {t_full:8.3f} s/visit "
        f"({t_old / t_full:.1f}x faster)"
    )
    print(
        f"128x128 inputs: mean |diff| {diff.mean():.4f} of 255, max {diff.max()}, "
        f"{(diff.max(axis=-1) == 0).mean():.2%} of pixels identical"
    )


if __name__ == "__main__":
    main()
