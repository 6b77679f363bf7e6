"""Checks the CLI makes on output paths before doing any work."""

from __future__ import annotations

import os
from pathlib import Path

import click

__all__ = ["check_writable_file", "describe_os_error"]


def describe_os_error(exc: OSError) -> str:
    """``Permission denied: '/data/out.json'`` from an OSError (no errno number)."""
    text = exc.strerror or str(exc)
    if exc.filename is not None:
        text += f": {str(exc.filename)!r}"
    return text


def check_writable_file(path: str | os.PathLike, param_hint: str) -> None:
    """Raise :class:`click.BadParameter` unless a file can be written at ``path``.

    Checks that ``path`` is not a folder, that its nearest existing ancestor is a folder
    (not a file) that this process may write in, and that an existing file is writable.
    Missing parent folders are fine: writers create them.
    """
    where = Path(path).expanduser()
    shown = str(path)
    if where.is_dir():
        raise click.BadParameter(f"{shown!r} is a folder; give a file name.", param_hint=param_hint)
    parent = where.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise click.BadParameter(
            f"cannot write {shown!r}: {str(parent)!r} is a file, not a folder.",
            param_hint=param_hint,
        )
    if not os.access(parent, os.W_OK | os.X_OK) or (
        where.exists() and not os.access(where, os.W_OK)
    ):
        raise click.BadParameter(
            f"cannot write {shown!r}: permission denied.", param_hint=param_hint
        )
