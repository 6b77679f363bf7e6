"""Shared pieces of the spacekit 1.1.4-compatible ``python -m`` runners (log flags)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

__all__ = ["LOG_LEVELS", "parse_bool", "add_log_arguments", "configure_runner_logging"]

#: Choices of ``--console_log_level`` / ``--logfile_log_level``, as in spacekit 1.1.4.
LOG_LEVELS = ("info", "debug", "error", "warning")

_FALSE = ("", "0", "false", "f", "no", "n", "off", "none")


def parse_bool(value: object) -> bool:
    """Parse a command-line boolean: false/0/no/off/none (any case) are False, else True.

    spacekit 1.1.4 used ``type=bool``, so any non-empty string, even ``"false"``, was True.
    """
    return str(value).strip().lower() not in _FALSE


def add_log_arguments(
    parser: argparse.ArgumentParser,
    log_name: str,
    verbose_flags: tuple[str, ...] = ("-v", "--verbose"),
) -> None:
    """Add the 1.1.4 logging flags: console/logfile levels, ``--logfile``, ``--logdir``, ``-v``.

    No log file is written unless ``--logdir`` is given or ``--logfile`` is true (then into
    ``--logdir``, default the current folder), unlike 1.1.4, which always wrote one.
    ``verbose_flags`` names the debug switch (a runner whose 1.1.4 flags already use
    ``-v`` passes ``("--verbose",)``).
    """
    parser.add_argument(
        "--console_log_level", "--console-log-level", choices=LOG_LEVELS, default="info"
    )
    parser.add_argument(
        "--logfile_log_level", "--logfile-log-level", choices=LOG_LEVELS, default="debug"
    )
    parser.add_argument(
        "--logfile",
        type=parse_bool,
        default=None,
        help=f"write LOGDIR/{log_name} if true (default: only when --logdir is given)",
    )
    parser.add_argument("--logdir", default=None, help=f"folder for {log_name}")
    parser.add_argument(*verbose_flags, action="store_true", help="debug output on the console")


def configure_runner_logging(args: argparse.Namespace, log_name: str) -> logging.Logger:
    """Configure the ``spacekit`` logger from the flags added by :func:`add_log_arguments`."""
    from spacekit.logging_setup import configure_logging

    want_file = args.logfile if args.logfile is not None else args.logdir is not None
    log_file = Path(args.logdir or ".", log_name) if want_file else None
    try:
        return configure_logging(
            "debug" if args.verbose else args.console_log_level,
            log_file=log_file,
            file_level=args.logfile_log_level,
        )
    except OSError as exc:  # like argparse's usage errors: one line, exit status 2
        where = f" ({exc.filename})" if exc.filename else ""
        sys.stderr.write(
            f"error: cannot write the log file {log_file}: {exc.strerror or exc}{where}\n"
        )
        raise SystemExit(2) from exc
