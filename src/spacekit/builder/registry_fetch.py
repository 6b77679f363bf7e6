"""Cache folder, hashing and downloads of the model registry (:mod:`~spacekit.builder.registry`).

Downloads use pooch's HTTP downloader (progress bar with tqdm) for ``http(s)://`` and a
plain copy for ``file://`` mirrors. A download goes to a temporary file beside its
destination and is renamed into place only after its SHA-256 matched
(:func:`spacekit._io.atomic_path`), so an interrupted or corrupt download never lands
in the cache. pooch is imported only when a download or the platform cache folder is
needed.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import threading
import urllib.parse
import urllib.request
from pathlib import Path

from spacekit._io import atomic_path
from spacekit.exceptions import ArchiveError

__all__ = ["CACHE_ENV", "MIRROR_ENV", "cache_dir", "file_sha256", "mirror_url", "download"]

log = logging.getLogger("spacekit.builder.registry")

CACHE_ENV = "SPACEKIT_CACHE"
MIRROR_ENV = "SPACEKIT_MODEL_MIRROR"
_LOCK = threading.Lock()


def cache_dir() -> Path:
    """The cache folder: ``$SPACEKIT_CACHE``, else the platform cache folder of spacekit."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    import pooch

    return Path(pooch.os_cache("spacekit"))


def file_sha256(path: str | os.PathLike) -> str:
    """SHA-256 (hex) of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


_VERIFIED: dict[tuple, str] = {}


def _sha256_cached(path: Path) -> str:
    st = path.stat()
    key = (str(path.resolve()), st.st_mtime_ns, st.st_size)
    with _LOCK:
        hit = _VERIFIED.get(key)
    if hit is None:
        hit = file_sha256(path)
        with _LOCK:
            _VERIFIED[key] = hit
    return hit


def mirror_url(entry) -> str:
    """Where ``entry`` is downloaded from: the mirror if one is set, else its URL."""
    mirror = os.environ.get(MIRROR_ENV, "").strip()
    if not mirror:
        if entry.url is None:
            raise ArchiveError(f"{entry.name!r} is packaged with spacekit and has no URL.")
        return entry.url
    fields = {"filename": entry.filename, "kind": entry.kind, "version": entry.version}
    if any("{" + k + "}" in mirror for k in fields):
        return mirror.format(**fields)
    if "://" not in mirror:
        mirror = Path(mirror).expanduser().absolute().as_uri()
    return mirror.rstrip("/") + "/" + entry.filename


def _local_file(url: str) -> Path:
    parsed = urllib.parse.urlparse(url)
    if parsed.netloc not in ("", "localhost"):
        raise ArchiveError(f"file:// URLs must name a local file; received {url!r}.")
    return Path(urllib.request.url2pathname(parsed.path))


def _copy_file(url: str, output_file: str, pooch=None) -> None:
    """A pooch-style downloader for ``file://`` URLs (a mirror on a local or shared disk)."""
    src = _local_file(url)
    if not src.is_file():
        raise ArchiveError(
            f"The model mirror has no {src.name}: '{src}' does not exist. Check "
            f"{MIRROR_ENV} (currently {os.environ.get(MIRROR_ENV)!r})."
        )
    with open(src, "rb") as fin, open(output_file, "wb") as fout:
        for chunk in iter(lambda: fin.read(1 << 20), b""):
            fout.write(chunk)


def _downloader(url: str, progress: bool):
    scheme = urllib.parse.urlparse(url).scheme.lower()
    if scheme == "file":
        return _copy_file
    if scheme in ("http", "https"):
        import pooch

        return pooch.HTTPDownloader(progressbar=progress, timeout=60)
    raise ArchiveError(
        f"Cannot download {url!r}: only http(s):// and file:// sources are supported. Set "
        f"{MIRROR_ENV} to a URL or a folder."
    )


def download(entry, dest: Path, progress: bool | None = None) -> None:
    """Download ``entry`` to ``dest`` through a temporary file, verifying its SHA-256."""
    url = mirror_url(entry)
    if progress is None:
        progress = sys.stderr.isatty()
    log.info("Downloading %s from %s to %s", entry.name, url, dest)
    download = _downloader(url, progress)
    with atomic_path(dest) as tmp:  # removed unless the block completes
        try:
            download(url, str(tmp), None)
        except ArchiveError:
            raise
        except Exception as exc:  # requests/OSError: one clear message
            raise ArchiveError(
                f"Could not download {entry.name} from {url}: {exc}. Check the network, or "
                f"set {MIRROR_ENV} to a folder or URL holding {entry.filename}."
            ) from exc
        got = file_sha256(tmp)
        if got != entry.sha256:
            raise ArchiveError(
                f"SHA-256 mismatch for {entry.name} downloaded from {url}: expected "
                f"{entry.sha256}, got {got}. The download was discarded; the source is "
                "corrupt or holds another file."
            )
    log.info("Cached %s (%s bytes, sha256 %s)", entry.name, dest.stat().st_size, got[:12])
