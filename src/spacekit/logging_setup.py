"""Logging configuration for applications (the CLI and ``python -m`` runners).

The library itself only logs to ``logging.getLogger("spacekit.<module>")`` and never
adds handlers; applications call :func:`configure_logging` once.
"""

from __future__ import annotations

import logging
import os
import sys

__all__ = ["configure_logging", "verbosity_to_level", "LOG_FORMAT"]

LOG_FORMAT = "%(asctime)s %(levelname)-8s %(name)s: %(message)s"
_HANDLER_TAG = "_spacekit_cli_handler"


def verbosity_to_level(verbose: int = 0, quiet: int = 0) -> int:
    """Map ``-v``/``-q`` counts to a logging level (default WARNING, -v INFO, -vv DEBUG)."""
    score = verbose - quiet
    if score >= 2:
        return logging.DEBUG
    if score == 1:
        return logging.INFO
    if score == 0:
        return logging.WARNING
    if score == -1:
        return logging.ERROR
    return logging.CRITICAL


def configure_logging(
    level: int | str = logging.WARNING,
    log_file: str | os.PathLike | None = None,
    file_level: int | str = logging.DEBUG,
    stream=None,
) -> logging.Logger:
    """Attach console (stderr) and optional file handlers to the ``spacekit`` logger.

    Calling it again replaces the handlers it added before, never others, so it is safe
    to call from tests and notebooks.

    Parameters
    ----------
    level : int or str, default=logging.WARNING
        Level of the console handler.
    log_file : path-like, optional
        If given, also log to this file (appended) at ``file_level``. Nothing is
        written to the current directory unless asked here.
    file_level : int or str, default=logging.DEBUG
        Level of the file handler.
    stream : file-like, optional
        Console stream; defaults to ``sys.stderr`` (so stdout stays machine-readable).

    Returns
    -------
    logging.Logger
        The configured ``spacekit`` logger.
    """
    logger = logging.getLogger("spacekit")
    for handler in list(logger.handlers):
        if getattr(handler, _HANDLER_TAG, False):
            logger.removeHandler(handler)
            handler.close()
    level = logging.getLevelName(level.upper()) if isinstance(level, str) else level
    file_level = (
        logging.getLevelName(file_level.upper()) if isinstance(file_level, str) else file_level
    )
    console = logging.StreamHandler(stream if stream is not None else sys.stderr)
    console.setLevel(level)
    console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    setattr(console, _HANDLER_TAG, True)
    logger.addHandler(console)
    lowest = level
    if log_file is not None:
        os.makedirs(os.path.dirname(os.path.abspath(log_file)), exist_ok=True)
        fh = logging.FileHandler(log_file, encoding="utf-8")
        fh.setLevel(file_level)
        fh.setFormatter(logging.Formatter(LOG_FORMAT))
        setattr(fh, _HANDLER_TAG, True)
        logger.addHandler(fh)
        lowest = min(level, file_level)
    logger.setLevel(lowest)
    return logger
