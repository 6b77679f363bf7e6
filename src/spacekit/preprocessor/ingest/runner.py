"""The ``python -m spacekit.preprocessor.ingest`` command line (1.1.4 flags).

Usage::

    python -m spacekit.preprocessor.ingest jcal -i INPUT -o OUT [-p PFX] [-s SAVE_L1]
        [--reprocess] [-v]

Prints what was read, matched and carried; lists skipped inputs on stderr. Exit code 0,
or 1 when nothing could be ingested.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Sequence

from spacekit._runner import parse_bool
from spacekit.exceptions import SkippedInputWarning, SpacekitError
from spacekit.preprocessor.ingest.jwst_cal import JwstCalIngest

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m spacekit.preprocessor.ingest",
        description="Build training tables from daily pipeline metadata CSVs.",
    )
    sub = p.add_subparsers(dest="skope", required=True)
    j = sub.add_parser("jcal", help="JWST calibration (Level-3 memory) training tables")
    j.add_argument("-i", "--input_path", "--input-path", required=True)
    j.add_argument("-o", "--outpath", "--out", required=True)
    j.add_argument("-p", "--pfx", default="")
    j.add_argument("-s", "--save_l1", "--save-l1", type=parse_bool, default=False)
    j.add_argument("--reprocess", action="store_true", help="read already-ingested days again")
    j.add_argument("-v", "--verbose", action="count", default=0)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns 0 on success, 1 when nothing was usable."""
    from spacekit.logging_setup import configure_logging, verbosity_to_level

    args = _parser().parse_args(argv)
    configure_logging(verbosity_to_level(1 + args.verbose))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SkippedInputWarning)  # each one is logged
            report = JwstCalIngest(
                args.input_path,
                args.outpath,
                pfx=args.pfx,
                save_l1=args.save_l1,
                reprocess=args.reprocess,
            ).run_ingest()
    except SpacekitError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    except OSError as exc:  # e.g. an output folder that cannot be written
        where = f" ({exc.filename})" if exc.filename else ""
        sys.stderr.write(f"error: {exc.strerror or exc}{where}\n")
        return 1
    for path, reason in report.skipped:
        sys.stderr.write(f"skipped {path}: {reason}\n")
    sys.stdout.write(
        f"files read: {len(report.files_read)}  matched: {report.n_matched} "
        f"{json.dumps(report.matched)}  carried: {report.carried}  dropped: {report.dropped}  "
        f"mosaics: {report.mosaics}\n"
    )
    return 0
