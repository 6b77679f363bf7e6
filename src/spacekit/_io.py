"""Small, safe file-writing helpers shared by every package (atomic writes)."""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

__all__ = ["atomic_open", "atomic_write_text", "atomic_write_json", "atomic_path"]


def _target(path: Path) -> Path:
    """The file a write to ``path`` must replace: symbolic links are followed."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _copy_mode(tmp_path: Path, target: Path) -> None:
    """Give ``tmp_path`` the permissions (and, if allowed, owner) of an existing ``target``,
    or those a plain ``open()`` would give a new file."""
    try:
        st = target.stat()
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)
        return
    os.chmod(tmp_path, stat.S_IMODE(st.st_mode))
    if hasattr(os, "chown"):
        with contextlib.suppress(OSError):
            os.chown(tmp_path, st.st_uid, st.st_gid)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` on success.

    Use it with writers that want a file name (``DataFrame.to_csv``, ``fits.writeto``,
    ``Figure.savefig``...). If the block raises, the temporary file is removed and
    ``path`` is left untouched, so an interrupted write never leaves half a file.

    An existing file keeps its permission bits (a 0600 file stays 0600) and, where the
    process may, its owner. If ``path`` is a symbolic link, the file it points to is
    replaced and the link is kept.
    """
    path = _target(Path(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".part" + path.suffix, dir=path.parent
    )
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        _copy_mode(tmp_path, path)
        yield tmp_path
        os.replace(tmp_path, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "w", **kwargs: Any) -> Iterator[IO]:
    """Open a temporary file for writing and rename it onto ``path`` when closed cleanly."""
    if not any(c in mode for c in "wx"):
        raise ValueError(f"atomic_open only writes; received mode={mode!r}")
    with atomic_path(path) as tmp, open(tmp, mode.replace("x", "w"), **kwargs) as fh:
        yield fh


def atomic_write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically and return the path."""
    with atomic_open(path, "w", encoding=encoding) as fh:
        fh.write(text)
    return Path(path)


def atomic_write_json(path: str | os.PathLike, obj: Any, indent: int | None = 2) -> Path:
    """Serialise ``obj`` as JSON (NaN-free, sorted keys kept as given) to ``path`` atomically."""
    return atomic_write_text(path, json.dumps(obj, indent=indent, allow_nan=False) + "\n")
