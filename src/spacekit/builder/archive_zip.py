"""Safe, in-memory reading of zip files (model archives and ``.keras`` files).

Nothing is extracted to disk. Every member name is checked before it is read: no
absolute paths, no ``..`` components, no drive letters or backslashes, no symbolic
links, only the stored and deflate methods, and per-member and total uncompressed size
limits guard against zip bombs. Members are decompressed in chunks of
:data:`READ_CHUNK` bytes and never past the size their header declares, so a header that
understates a member's size costs one chunk of memory, not the member's real size.

An :class:`ExpansionBudget` shared by every level of a nested read (an archive zip, the
``.keras`` zips inside it, the HDF5 weights inside those) caps the total bytes one load
may expand to.
"""

from __future__ import annotations

import io
import os
import posixpath
import stat
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path

from spacekit.exceptions import ArchiveError

__all__ = [
    "MAX_MEMBER_BYTES",
    "MAX_TOTAL_BYTES",
    "READ_CHUNK",
    "ExpansionBudget",
    "check_member_name",
    "list_members",
    "open_zip",
    "read_zip_members",
]

#: Largest uncompressed size accepted for one member (bytes).
MAX_MEMBER_BYTES = 256 * 1024**2
#: Largest total size one archive load may expand to (bytes): zip members, the members of
#: the ``.keras`` zips inside them and the weight arrays they declare, all counted.
MAX_TOTAL_BYTES = 512 * 1024**2
#: Largest accepted compression ratio of a member (a higher one looks like a zip bomb).
MAX_RATIO = 1000
#: Bytes decompressed per read call.
READ_CHUNK = 1024**2
_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}


class ExpansionBudget:
    """How many more bytes one load may expand to; shared by nested reads.

    Parameters
    ----------
    limit : int, default=MAX_TOTAL_BYTES
        Total bytes allowed.
    where : str, default="archive"
        Describes what is being loaded, for the error message.

    Examples
    --------
    >>> budget = ExpansionBudget(1000, where="demo.zip")
    >>> budget.take(600, "a.keras")
    >>> budget.remaining
    400
    """

    def __init__(self, limit: int | None = None, where: str = "archive") -> None:
        self.limit = MAX_TOTAL_BYTES if limit is None else int(limit)
        self.where = where
        self.used = 0

    @property
    def remaining(self) -> int:
        """Bytes still allowed."""
        return self.limit - self.used

    def take(self, n_bytes: int, what: str) -> None:
        """Count ``n_bytes`` more for ``what``; raise :class:`ArchiveError` past the limit."""
        if n_bytes > self.remaining:
            raise ArchiveError(
                f"{what} would expand {self.where} to {self.used + n_bytes} bytes, more than "
                f"the {self.limit}-byte limit for one archive. The archive is corrupt or "
                "crafted (a zip or HDF5 bomb); do not load it."
            )
        self.used += n_bytes


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
    max_member_bytes: int | None = None,
    max_total_bytes: int | None = None,
    budget: ExpansionBudget | None = None,
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
    max_member_bytes, max_total_bytes : int, optional
        Size limits for one member and for the whole archive (uncompressed); default
        :data:`MAX_MEMBER_BYTES` and :data:`MAX_TOTAL_BYTES`.
    budget : ExpansionBudget, optional
        Shared budget the declared sizes of the members read are taken from (nested
        reads pass the same one).

    Returns
    -------
    dict of str to bytes
        Normalised member name -> content.

    Raises
    ------
    ArchiveError
        On an unsafe name, a symbolic link, a member too large, an unsupported
        compression method, a duplicate name, a missing requested member, a member whose
        data do not match its header, or a CRC error.
    """
    max_member_bytes = MAX_MEMBER_BYTES if max_member_bytes is None else max_member_bytes
    max_total_bytes = MAX_TOTAL_BYTES if max_total_bytes is None else max_total_bytes
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
    for name in wanted:
        method = infos[name].compress_type
        if method not in _METHODS:
            raise ArchiveError(
                f"Member {name!r} of {where} uses zip compression method {method}; only "
                f"{sorted(_METHODS.values())} are read. Re-create the archive with spacekit."
            )
    if budget is not None:
        budget.take(sum(infos[n].file_size for n in wanted), f"the members {wanted} of {where}")
    return {name: _read_member(zf, infos[name], name, where) for name in wanted}


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, where: str) -> bytes:
    """Read one member in chunks, never more than its declared size (checked by CRC)."""
    declared = info.file_size
    buf = bytearray()
    try:
        with zf.open(info) as fh:
            # zipfile stops at the declared size and checks the CRC there, so a header
            # that understates the size fails after at most one chunk
            while len(buf) <= declared:
                chunk = fh.read(min(READ_CHUNK, declared - len(buf) + 1))
                if not chunk:
                    break
                buf += chunk
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, zlib.error) as exc:
        raise ArchiveError(
            f"Cannot read member {name!r} of {where}: {exc}. Its data do not match its "
            f"header (which declares {declared} bytes); the archive is corrupt or crafted."
        ) from exc
    if len(buf) != declared:
        raise ArchiveError(
            f"Member {name!r} of {where} holds {len(buf)} bytes but its header declares "
            f"{declared}; the archive is corrupt or crafted."
        )
    return bytes(buf)


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
