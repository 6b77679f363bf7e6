"""Argument checks shared by the simulators and the ``spacekit datasets`` command (private).

Every check raises :class:`~spacekit.exceptions.InputError` naming the argument, the
value received and what is expected, before anything is written.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from spacekit.exceptions import InputError

__all__ = ["check_int", "check_seed", "check_out_dir", "make_out_dir"]


def check_int(name: str, value: Any, minimum: int, maximum: int | None = None) -> int:
    """Return ``value`` as an ``int`` if it is an integer in ``[minimum, maximum]``.

    Parameters
    ----------
    name : str
        Argument name used in the error message.
    value : Any
        The value received (``bool`` and strings are rejected).
    minimum : int
        Smallest allowed value.
    maximum : int, optional
        Largest allowed value (no upper bound by default).

    Returns
    -------
    int

    Raises
    ------
    InputError
        If ``value`` is not an integer in the range.
    """
    ok = isinstance(value, int | np.integer) and not isinstance(value, bool)
    if ok and minimum <= value and (maximum is None or value <= maximum):
        return int(value)
    if maximum is not None:
        expected = f"an integer in [{minimum}, {maximum}]"
    elif minimum == 1:
        expected = "a positive integer"
    elif minimum == 0:
        expected = "a non-negative integer"
    else:
        expected = f"an integer >= {minimum}"
    raise InputError(f"{name} must be {expected}; received {name}={value!r}.")


def check_seed(seed: Any) -> int:
    """Return ``seed`` as an ``int`` if it is a valid random seed.

    Parameters
    ----------
    seed : Any
        The value received.

    Returns
    -------
    int

    Raises
    ------
    InputError
        If ``seed`` is not an integer >= 0.
    """
    return check_int("seed", seed, 0)


def check_out_dir(out_dir: str | os.PathLike, overwrite: bool) -> Path:
    """Check that ``out_dir`` can receive a simulation, without creating it.

    Parameters
    ----------
    out_dir : str or os.PathLike
        Output folder; it may be missing.
    overwrite : bool
        Whether a non-empty folder is allowed.

    Returns
    -------
    pathlib.Path
        ``out_dir`` as a path (``~`` expanded).

    Raises
    ------
    InputError
        If ``out_dir`` is an existing file, or a non-empty folder and ``overwrite`` is false.
    """
    path = Path(out_dir).expanduser()
    if path.exists() and not path.is_dir():
        raise InputError(f"out_dir must be a folder; received out_dir={str(path)!r}, a file.")
    if not overwrite and path.is_dir() and any(path.iterdir()):
        raise InputError(
            f"out_dir={str(path)!r} is not empty. Choose an empty or new folder, or pass "
            "overwrite=True (--overwrite on the command line) to replace a previous "
            "simulation there."
        )
    return path


def make_out_dir(path: Path) -> None:
    """Create the folder ``path`` (and its parents) and check that it is writable.

    Parameters
    ----------
    path : pathlib.Path
        The folder, usually from :func:`check_out_dir`.

    Raises
    ------
    InputError
        If the folder cannot be created (a parent is a file, no permission...) or is not
        writable.
    """
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"Cannot create out_dir={str(path)!r}: {exc.strerror or exc}. "
            "Choose a folder in a writable location."
        ) from exc
    if not os.access(path, os.W_OK | os.X_OK):
        raise InputError(
            f"out_dir={str(path)!r} is not writable. Choose a folder in a writable location."
        )
