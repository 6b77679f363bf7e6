"""Benchmark: reading JWST Level-1 headers (and grouping them) for 600 and 6,000 files.

Usage::

    python benchmarks/bench_jwst_scrape.py [--sizes 600 6000] [--keep DIR]

Template exposures come from :func:`spacekit.datasets.jwst.simulate_jwst` (a small
simulation); they are copied under new exposure names until each size is reached, in a
temporary folder (never the current directory). Prints ms per file and files per second for

- ``raw``: :class:`~spacekit.extractor.scrape.JwstFitsScraper` in one process;
- ``auto``: the same with its default worker processes (2 above 500 files);
- ``astropy``: ``fits.open`` + both headers + the 29 keywords (the 1.1.4-style read);
- ``scrub``: :class:`~spacekit.preprocessor.scrub.JwstCalScrubber` (read, group, offsets)
  plus ``scrub_inputs`` for IMAGE and SPEC.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path


def make_inputs(folder: Path, n: int, templates: list[Path]) -> None:
    """Fill ``folder`` with ``n`` exposure files copied from ``templates``.

    Each round of copies gets a new program number (file name and PROGRAM card), so the
    number of products grows with ``n`` as in a real folder.
    """
    folder.mkdir(parents=True, exist_ok=True)
    raw = [t.read_bytes() for t in templates]
    for i in range(n):
        j, program = i % len(templates), f"{90000 + i // len(templates):05d}"
        data = bytearray(raw[j])
        at = data.index(b"PROGRAM = '") + 11
        data[at : at + 5] = program.encode()
        head, rest = templates[j].name.split("_", 1)
        (folder / f"{head[:2]}{program}{head[7:]}_{rest}").write_bytes(bytes(data))


def astropy_read(paths: list[str]) -> None:
    from astropy.io import fits

    from spacekit.extractor.keywords.jwst_cal import GENKEYS, SCIKEYS

    for p in paths:
        with fits.open(p) as hdul:
            h0, h1 = hdul[0].header, hdul[1].header
            _ = [h0.get(k, "NaN") for k in GENKEYS] + [h1.get(k, "NaN") for k in SCIKEYS]


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[600, 6000])
    parser.add_argument("--keep", help="folder to keep the generated inputs in")
    args = parser.parse_args()

    from spacekit.datasets.jwst import simulate_jwst
    from spacekit.extractor.scrape import JwstFitsScraper
    from spacekit.preprocessor.scrub import JwstCalScrubber

    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench_jwst_scrape_"))
    try:
        sim = simulate_jwst(root / "template", n=120, seed=1, progress=False)
        templates = sorted(Path(sim.out_dir, "uncal").glob("*_uncal.fits"))
        print(f"templates: {len(templates)} simulated exposures")
        print(f"{'files':>6} {'method':>8} {'seconds':>8} {'ms/file':>8} {'files/s':>9}")
        for n in args.sizes:
            folder = root / f"n{n}"
            make_inputs(folder, n, templates)
            paths = sorted(str(p) for p in folder.glob("*_uncal.fits"))
            JwstFitsScraper(folder, n_jobs=1, progress=False).scrape_inputs()  # warm the cache
            rows = {
                "raw": timed(
                    lambda f=folder: JwstFitsScraper(f, n_jobs=1, progress=False).scrape_inputs()
                ),
                "auto": timed(lambda f=folder: JwstFitsScraper(f, progress=False).scrape_inputs()),
                "astropy": timed(lambda p=paths[:600]: astropy_read(p)) * n / min(n, 600),
            }

            def scrub(f=folder):
                s = JwstCalScrubber(f, progress=False)
                s.scrub_inputs("IMAGE")
                s.scrub_inputs("SPEC")

            rows["scrub"] = timed(scrub)
            for name, sec in rows.items():
                print(f"{n:>6} {name:>8} {sec:>8.3f} {sec / n * 1e3:>8.3f} {n / sec:>9.0f}")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
