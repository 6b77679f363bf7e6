"""The ``python -m spacekit.skopes.jwst.cal.predict`` command line (1.1.4 flags).

Usage::

    python -m spacekit.skopes.jwst.cal.predict INPUT_PATH [-p PID [-o OBS]] [-n 0|1]
        [-c COLS] [-s SFX] [-e MODES] [-m ARCHIVE] [-t TX_FILE] [log options]

Prints the predictions as JSON on stdout. Exit code 0 if at least one product was
predicted, 1 if nothing could be predicted (or the input/archive was unusable), 2 on a
usage error. :func:`main` and :func:`parse_expmodes` are also importable from
:mod:`spacekit.skopes.jwst.cal.predict`, which runs :func:`main` under ``python -m``.
The estimator itself (imported when :func:`main` runs) is
:class:`~spacekit.skopes.jwst.cal.predict.JwstCalPredict`.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import warnings
from collections.abc import Sequence

from spacekit._runner import add_log_arguments, configure_runner_logging

__all__ = ["main", "parse_expmodes"]

# the logger of the documented module, which users filter on
log = logging.getLogger("spacekit.skopes.jwst.cal.predict")


def parse_expmodes(text: str | None) -> list[str] | None:
    """``"spec,image"`` -> ``["IMAGE", "SPEC"]`` (upper-cased and sorted, as 1.1.4); None stays."""
    if text is None:
        return None
    return sorted({m.strip().upper() for m in text.split(",") if m.strip()})


def _parser() -> argparse.ArgumentParser:
    from spacekit.skopes.jwst.cal.predict import DEFAULT_NORM_COLS

    p = argparse.ArgumentParser(
        prog="python -m spacekit.skopes.jwst.cal.predict",
        description="Predict JWST Level-3 memory footprints (GB) from Level-1 exposures.",
    )
    p.add_argument("input_path", help="folder of Level-1 files, or one file")
    p.add_argument("-p", "--pid", type=int, default=None, help="program id")
    p.add_argument("-o", "--obs", type=int, default=None, help="observation number (needs -p)")
    p.add_argument("-n", "--norm", type=int, default=1, help="normalise inputs (1) or not (0)")
    p.add_argument(
        "-c",
        "--norm_cols",
        type=str,
        default=",".join(DEFAULT_NORM_COLS),
        help="comma-separated fallback columns to normalise",
    )
    p.add_argument("-s", "--sfx", type=str, default="_uncal.fits", help="input file suffix")
    p.add_argument(
        "-e",
        "--expmodes",
        type=str,
        default=None,
        help="comma-separated modes, e.g. IMAGE,SPEC (default: IMAGE and SPEC, or those the "
        "archive has models for)",
    )
    p.add_argument(
        "-m",
        "--model_path",
        type=str,
        default=os.environ.get("MODEL_PATH"),
        help="model archive (zip or folder); default: env MODEL_PATH, else the packaged one",
    )
    p.add_argument("-t", "--tx_file", type=str, default=None, help="normalisation JSON")
    add_log_arguments(p, "spacekit.log")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the 1.1.4-compatible command line; return the exit code.

    Prints the predictions as JSON on stdout. Exit code 0 if at least one product was
    predicted, 1 if nothing could be predicted (or the input/archive was unusable).
    """
    from spacekit.exceptions import FlaggedInputWarning, SkippedInputWarning, SpacekitError
    from spacekit.skopes.jwst.cal.predict import predict_handler, simulated_model_warning

    parser = _parser()
    args = parser.parse_args(argv)
    if args.obs is not None and args.pid is None:
        parser.error("-o/--obs requires -p/--pid")
    configure_runner_logging(args, "spacekit.log")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SkippedInputWarning)  # each one is logged below
            warnings.simplefilter("ignore", FlaggedInputWarning)  # so is each flag
            jp = predict_handler(
                args.input_path,
                pid=args.pid,
                obs=args.obs,
                model_path=args.model_path,
                tx_file=args.tx_file,
                norm=args.norm,
                norm_cols=[c.strip() for c in args.norm_cols.split(",") if c.strip()],
                sfx=args.sfx,
                expmodes=parse_expmodes(args.expmodes),
            )
    except SpacekitError as exc:
        log.error("%s", exc)
        return 1
    except OSError as exc:  # e.g. an unreadable input folder
        log.error("%s%s", exc.strerror or exc, f" ({exc.filename})" if exc.filename else "")
        return 1
    caution = simulated_model_warning(jp)
    if caution:
        log.warning("%s", caution)
    sys.stdout.write(json.dumps(jp.predictions, indent=2) + "\n")
    return 0 if jp.predictions else 1
