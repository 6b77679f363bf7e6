"""``overwrite=True`` for the simulators: replace only what a previous simulation wrote.

Every simulator lists the files it wrote, relative to its output folder, under
``"written"`` in its ``manifest.json`` (the manifest itself included). When a simulation
is asked to overwrite a non-empty folder:

1. a ``manifest.json`` there must be a spacekit simulation manifest with such a list;
   any other ``manifest.json`` (the user's, a corrupt one) stops the run and nothing is
   touched;
2. every file the new simulation will write (those known in advance) must either not
   exist or be listed by the previous manifest; a user's file that merely has a
   simulator's name (``truth.csv``, ``uncal/*_uncal.fits``...) stops the run;
3. only then are the listed files removed (regular files inside the folder; never links),
   with the sub-folders they leave empty. Everything else in the folder is kept.
"""

from __future__ import annotations

import contextlib
import logging
import os
import posixpath
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

from spacekit._json import read_json_file
from spacekit._text import preview
from spacekit.exceptions import InputError

__all__ = [
    "MANIFEST",
    "previous_outputs",
    "prepare_overwrite",
    "written_files",
    "removed_on_failure",
]

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
_MANIFEST_BYTES = 64 * 1024**2


def _safe_relative(name) -> str | None:
    """A normalised relative path inside the folder, or None for anything else."""
    if not isinstance(name, str) or not name or "\x00" in name or "\\" in name:
        return None
    clean = posixpath.normpath(name)
    if clean.startswith(("/", "../")) or clean in ("..", ".") or ":" in clean.split("/")[0]:
        return None
    return clean


def previous_outputs(out: Path) -> set[str]:
    """Relative paths of the files the simulation in ``out`` wrote, from its manifest.

    Returns an empty set when ``out`` has no ``manifest.json``.

    Raises
    ------
    InputError
        If ``manifest.json`` exists but is not a spacekit simulation manifest that lists
        its files (so spacekit cannot tell its files from the user's).
    """
    path = out / MANIFEST
    if not path.exists() and not path.is_symlink():
        return set()
    why = None
    if path.is_symlink() or not path.is_file():
        why = "it is not a regular file"
    else:
        try:
            manifest = read_json_file(
                path, max_depth=8, error=InputError, max_bytes=_MANIFEST_BYTES
            )
        except InputError as exc:
            manifest, why = None, str(exc)
        if why is None:
            written = manifest.get("written") if isinstance(manifest, dict) else None
            ours = isinstance(manifest, dict) and str(manifest.get("kind", "")) in (
                "jwst",
                "svm",
                "hstcal",
            )
            if not ours or not isinstance(written, list):
                why = "it does not list the files a spacekit simulation wrote"
            else:
                return {p for p in map(_safe_relative, written) if p is not None} | {MANIFEST}
    raise InputError(
        f"'{path}' was not written by a spacekit simulation ({why}), so --overwrite cannot "
        "tell the simulation's files from yours and touches nothing. Choose another "
        "out_dir, or move your files away first."
    )


def prepare_overwrite(out: Path, will_write: Iterable[str]) -> set[str]:
    """Check ``out`` can take a new simulation, then remove the previous one's files.

    Parameters
    ----------
    out : pathlib.Path
        The output folder (may not exist).
    will_write : iterable of str
        Relative paths the new simulation will write that are known in advance.

    Returns
    -------
    set of str
        The relative paths that were removed.

    Raises
    ------
    InputError
        If a foreign ``manifest.json`` is there, a file the new simulation will write
        exists but was not written by the previous simulation, or the folder is not
        writable. Nothing is removed then.
    """
    if not out.is_dir():
        return set()
    owned = previous_outputs(out)
    clashes = []
    for rel in sorted(set(will_write) | {MANIFEST}):
        target = out / rel
        if not (target.exists() or target.is_symlink()):
            continue
        if rel in owned and target.is_file() and not target.is_symlink():
            continue
        clashes.append(rel)
    if clashes:
        raise InputError(
            f"out_dir='{out}' holds {preview(clashes)}, which the previous "
            "simulation's manifest does not list as its own; --overwrite replaces only a "
            "simulation's own files. Move them away or choose another out_dir."
        )
    if not os.access(out, os.W_OK | os.X_OK):
        raise InputError(f"out_dir='{out}' is not writable. Choose a writable folder.")
    removed, parents = set(), set()
    root = out.resolve()
    for rel in sorted(owned):
        target = out / rel
        if target.is_symlink() or not target.is_file():
            continue
        if not target.resolve().is_relative_to(root):
            continue
        target.unlink()
        removed.add(rel)
        parent = target.parent
        while parent != out and parent.resolve().is_relative_to(root):
            parents.add(parent)
            parent = parent.parent
    for folder in sorted(parents, key=lambda p: len(p.parts), reverse=True):
        try:
            folder.rmdir()  # only if now empty
        except OSError:
            pass
    log.info("Removed %d file(s) of the previous simulation in %s", len(removed), out)
    return removed


def written_files(out: Path, folders: Iterable[str] = (), files: Iterable[str] = ()) -> list[str]:
    """Sorted relative paths of ``files`` plus every file under ``folders`` of ``out``."""
    found = set(files) | {MANIFEST}
    for folder in folders:
        base = out / folder
        for path in base.rglob("*"):
            if path.is_file() and not path.is_symlink():
                found.add(path.relative_to(out).as_posix())
    return sorted(found)


@contextlib.contextmanager
def removed_on_failure(
    out: Path, files: Iterable[str] = (), folders: list[str] | None = None
) -> Iterator[None]:
    """Remove what this run wrote if the block fails (an error or Ctrl-C).

    ``files`` are relative paths that did not exist before the run (checked by
    :func:`prepare_overwrite`); ``folders`` is a list the block appends the relative
    folders it creates to. An interrupted simulation leaves nothing half done behind, so
    the same command can simply be run again.
    """
    try:
        yield
    except BaseException:
        for rel in files:
            target = out / rel
            if target.is_file() and not target.is_symlink():
                target.unlink()
        for rel in folders or []:
            shutil.rmtree(out / rel, ignore_errors=True)
        for sub in {Path(rel).parent for rel in files if Path(rel).parent != Path(".")}:
            with contextlib.suppress(OSError):
                (out / sub).rmdir()
        raise
