"""Safe, in-memory reading of zip files (model archives and ``.keras`` files).

Nothing is extracted to disk. Every member name is checked before it is read: no
absolute paths, no ``..`` components, no drive letters or backslashes, no symbolic
links, and per-member and total uncompressed size limits guard against zip bombs.
"""

from __future__ import annotations

import io
import os
import posixpath
import stat
import zipfile
from collections.abc import Iterable
from pathlib import Path

from spacekit.exceptions import ArchiveError

__all__ = [
    "MAX_MEMBER_BYTES",
    "MAX_TOTAL_BYTES",
    "check_member_name",
    "list_members",
    "open_zip",
    "read_zip_members",
]

#: Largest uncompressed size accepted for one member (bytes).
MAX_MEMBER_BYTES = 512 * 1024**2
#: Largest total uncompressed size accepted for one archive (bytes).
MAX_TOTAL_BYTES = 1024**3
#: Largest accepted compression ratio of a member (a higher one looks like a zip bomb).
MAX_RATIO = 1000


def check_member_name(name: str, where: str = "archive") -> str:
    """Return the normalised member ``name`` or raise if it could escape its folder.

    Parameters
    ----------
    name : str
        A zip member name (always ``/``-separated).
    where : str, default="archive"
        Describes the archive in error messages.

    Returns
    -------
    str
        The name without a leading ``./`` and without a trailing ``/``.

    Raises
    ------
    ArchiveError
        If the name is absolute, contains ``..``, a backslash, a drive letter or a NUL.
    """
    bad = (
        not name
        or name.startswith(("/", "\\"))
        or "\\" in name
        or "\x00" in name
        or (len(name) > 1 and name[1] == ":")
        or ".." in name.split("/")
    )
    if bad:
        raise ArchiveError(
            f"Unsafe member name {name!r} in {where}: member names must be relative paths "
            "without '..', backslashes or drive letters. The archive may be corrupt or "
            "malicious; do not load it."
        )
    clean = posixpath.normpath(name)
    return clean[2:] if clean.startswith("./") else clean


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    mode = (info.external_attr >> 16) & 0xFFFF
    return info.create_system == 3 and stat.S_ISLNK(mode)


def open_zip(source: str | os.PathLike | bytes | io.BufferedIOBase) -> zipfile.ZipFile:
    """Open ``source`` (a path, bytes, or binary file object) as a read-only ZipFile.

    Raises
    ------
    ArchiveError
        If the file does not exist or is not a valid zip file.
    """
    where = _describe(source)
    try:
        if isinstance(source, bytes | bytearray | memoryview):
            return zipfile.ZipFile(io.BytesIO(bytes(source)))
        if isinstance(source, str | os.PathLike):
            path = Path(source)
            if not path.is_file():
                raise ArchiveError(
                    f"Archive not found: {str(path)!r} is not a file. Pass the path of an "
                    "existing .zip archive or a folder."
                )
            return zipfile.ZipFile(path)
        return zipfile.ZipFile(source)
    except ArchiveError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise ArchiveError(
            f"{where} is not a readable zip file ({exc}). Expected a .zip model archive or a "
            ".keras file; re-download or re-create it."
        ) from exc


def read_zip_members(
    zf: zipfile.ZipFile,
    names: Iterable[str] | None = None,
    where: str = "archive",
    max_member_bytes: int = MAX_MEMBER_BYTES,
    max_total_bytes: int = MAX_TOTAL_BYTES,
) -> dict[str, bytes]:
    """Read members of an open zip into memory after checking them.

    Parameters
    ----------
    zf : zipfile.ZipFile
        The open archive.
    names : iterable of str, optional
        Normalised member names to read; every file member when omitted. Directory
        entries are never returned.
    where : str, default="archive"
        Describes the archive in error messages.
    max_member_bytes, max_total_bytes : int
        Size limits for one member and for the whole archive (uncompressed).

    Returns
    -------
    dict of str to bytes
        Normalised member name -> content.

    Raises
    ------
    ArchiveError
        On an unsafe name, a symbolic link, a member too large, a duplicate name, a
        missing requested member or a CRC error.
    """
    infos: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in zf.infolist():
        clean = check_member_name(info.filename, where)
        if _is_symlink(info):
            raise ArchiveError(
                f"Member {info.filename!r} of {where} is a symbolic link; links are refused "
                "because they can point outside the archive."
            )
        if info.is_dir():
            continue
        if clean in infos:
            raise ArchiveError(f"Member {clean!r} appears twice in {where}; refusing to guess.")
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > max_member_bytes or (info.file_size > 1024**2 and ratio > MAX_RATIO):
            raise ArchiveError(
                f"Member {clean!r} of {where} is too large when uncompressed "
                f"({info.file_size} bytes, ratio {ratio:.0f}); the limit is "
                f"{max_member_bytes} bytes."
            )
        total += info.file_size
        infos[clean] = info
    if total > max_total_bytes:
        raise ArchiveError(
            f"{where} expands to {total} bytes, more than the {max_total_bytes}-byte limit."
        )
    wanted = list(infos) if names is None else list(names)
    missing = [n for n in wanted if n not in infos]
    if missing:
        raise ArchiveError(
            f"{where} lacks the member(s) {missing}; it holds {sorted(infos)}. "
            "The archive is incomplete or of another kind."
        )
    out: dict[str, bytes] = {}
    for name in wanted:
        info = infos[name]
        try:
            with zf.open(info) as fh:
                data = fh.read(max_member_bytes + 1)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:
            raise ArchiveError(f"Cannot read member {name!r} of {where}: {exc}") from exc
        if len(data) > max_member_bytes:
            raise ArchiveError(f"Member {name!r} of {where} exceeds {max_member_bytes} bytes.")
        out[name] = data
    return out


def list_members(zf: zipfile.ZipFile, where: str = "archive") -> list[str]:
    """Return the checked, normalised names of the file members of ``zf``."""
    names = []
    for info in zf.infolist():
        clean = check_member_name(info.filename, where)
        if not info.is_dir():
            names.append(clean)
    return names


def _describe(source) -> str:
    if isinstance(source, str | os.PathLike):
        return repr(str(source))
    if isinstance(source, bytes | bytearray | memoryview):
        return f"<{len(source)} bytes>"
    return repr(getattr(source, "name", source))
