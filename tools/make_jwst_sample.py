"""Rebuild the packaged JWST sample ``src/spacekit/datasets/samples/jwst/``.

Usage (from the repository root)::

    python tools/make_jwst_sample.py            # writes the sample (replaces the old one)
    python tools/make_jwst_sample.py --dry-run  # only report the seed it would use

The sample is one ``simulate_jwst`` run with about 36 Level-1 files over two days. To cover
several observing modes in so few files, the script scans seeds (metadata only, no FITS)
and keeps the first seed whose plan has at least five different templates, including
NIRCam imaging and a spectroscopic mode, and at most 40 files; then it writes that
simulation with FITS. The result is deterministic and stays well under 1.5 MB.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "src" / "spacekit" / "datasets" / "samples" / "jwst"
MODES = [
    "nircam_imaging",
    "nircam_wfss",
    "nircam_tsgrism",
    "niriss_wfss",
    "niriss_soss",
    "miri_imaging",
    "miri_mrs",
    "miri_coron",
    "nirspec_ifu",
    "nirspec_fs",
    "nirspec_mos",
]
N, DAYS, MAX_FILES, MAX_BYTES = 36, 2, 40, 1_500_000


def choose_seed() -> int:
    from spacekit.datasets.jwst import simulate_jwst

    for seed in range(500):
        with tempfile.TemporaryDirectory() as tmp:
            sim = simulate_jwst(
                Path(tmp) / "s",
                n=N,
                seed=seed,
                write_fits=False,
                days=DAYS,
                progress=False,
                modes=MODES,
            )
        templates = set(sim.products["template"])
        modes = set(sim.products["exp_mode"])
        if (
            len(templates) >= 5
            and "nircam_imaging" in templates
            and "SPEC" in modes
            and len(sim.exposures) <= MAX_FILES
        ):
            return seed
    raise SystemExit("no seed in 0..499 gives a varied sample; widen MODES")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO / "src"))
    from spacekit.datasets.jwst import simulate_jwst

    seed = choose_seed()
    print(f"seed {seed}")
    if args.dry_run:
        return 0
    if OUT.exists():
        shutil.rmtree(OUT)
    sim = simulate_jwst(OUT, n=N, seed=seed, days=DAYS, progress=False, modes=MODES)
    size = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"wrote {OUT}: {len(sim.exposures)} files, {len(sim.products)} products, {size} bytes")
    print(sim.products[["product", "exp_mode", "n_exposures", "gb"]].to_string(index=False))
    if size > MAX_BYTES:
        raise SystemExit(f"sample is {size} bytes (> {MAX_BYTES})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
