"""Named, hash-pinned model archives: the published spacekit 1.1.4 networks and our defaults.

A *registry name* such as ``spacekit-1.1.4/jwst_cal`` stands for one archive file with a
known SHA-256. Every predictor's ``model_path=`` / ``--model-path`` accepts a registry name
as well as a path; skopes turn the value into a local file with :func:`resolve_model_path`::

    from spacekit.builder.registry import resolve_model_path
    path = resolve_model_path(model_path, kind="hst_cal")   # None -> packaged default
    archive = get_archive(path, name="hst_cal")              # spacekit.builder.archive

Two kinds of entries:

* **published** archives (``spacekit-1.1.4/jwst_cal``, ``.../hst_cal``, ``.../svm_align``)
  are downloaded on first use into the cache and verified against their SHA-256; later
  uses read the cached copy. Nothing is downloaded at import time, and only when a
  registered name is asked for.
* **packaged** defaults (``packaged/jwst_cal``...) ship inside spacekit in
  ``spacekit/builder/trained_networks/``; they are never downloaded, only verified.
  A skope registers its default by shipping ``trained_networks/{kind}.zip`` together
  with ``trained_networks/{kind}.json``, written by :func:`write_packaged_entry` (the
  archive's SHA-256, size, version and training data). The model card is the archive's
  ``MODEL_CARD.md``. No code change in this module is needed.

Settings (environment variables):

``SPACEKIT_CACHE``
    Cache folder (default: the platform cache folder, e.g. ``~/.cache/spacekit``).
    Archives are stored as ``{cache}/models/{name}.zip``, e.g.
    ``models/spacekit-1.1.4/jwst_cal.zip``.
``SPACEKIT_MODEL_MIRROR``
    Base URL or folder to download from instead of the upstream URLs, for air-gapped
    sites: ``https://host/models/``, ``file:///data/mirror/`` or ``/data/mirror``. The
    archive's file name (``jwst_cal.zip``) is appended; a mirror holding several
    versions can use ``{version}``, ``{kind}``, ``{filename}`` placeholders, e.g.
    ``file:///data/spacekit-{version}/{filename}``.

Guarantees: a download goes to a temporary file in the cache folder and is renamed into
place only after its SHA-256 matched, so a partial or corrupt download never lands in
the cache; a mismatch raises :class:`~spacekit.exceptions.ArchiveError` naming both
hashes. A cached file that no longer matches is downloaded again.

Other code calls :func:`resolve_model_path`, :func:`fetch`, :func:`get_entry`,
:func:`list_entries`, :func:`provenance` and, to add site-specific archives at run time,
:func:`register`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from spacekit._io import atomic_write_json
from spacekit._json import read_json_file
from spacekit.builder import registry_fetch as _fetch
from spacekit.builder.registry_fetch import CACHE_ENV, MIRROR_ENV, cache_dir, file_sha256
from spacekit.builder.registry_published import PUBLISHED_114, UPSTREAM_114
from spacekit.exceptions import ArchiveError, InputError

__all__ = [
    "CACHE_ENV",
    "MIRROR_ENV",
    "PACKAGED_PREFIX",
    "TRAINED_ON",
    "ModelEntry",
    "ModelProvenance",
    "register",
    "list_entries",
    "get_entry",
    "model_card",
    "is_registry_name",
    "default_name",
    "cache_dir",
    "cached_path",
    "source_url",
    "fetch",
    "resolve_model_path",
    "file_sha256",
    "provenance",
    "write_packaged_entry",
]

log = logging.getLogger(__name__)

#: Registry names of the archives shipped in ``spacekit/builder/trained_networks``.
PACKAGED_PREFIX = "packaged"
#: Allowed values of :attr:`ModelEntry.trained_on`.
TRAINED_ON = ("real", "simulated", "unknown")

_TRAINED_NETWORKS = Path(__file__).resolve().parent / "trained_networks"
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]*/[A-Za-z0-9][A-Za-z0-9_.+-]*$")
_SHA_RE = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class ModelEntry:
    """One named archive of the registry.

    Attributes
    ----------
    name : str
        Registry name, ``"{source}/{kind}"`` (``"spacekit-1.1.4/jwst_cal"``).
    kind : str
        Archive kind, as :func:`spacekit.builder.archive.load_archive` expects it
        (``"jwst_cal"``, ``"hst_cal"``, ``"svm_align"``).
    version : str
        Version of the archive (the spacekit release that produced it).
    filename : str
        File name of the archive (``"jwst_cal.zip"``).
    sha256 : str
        SHA-256 of the archive file (64 lower-case hex digits).
    size : int or None
        Size in bytes.
    url : str or None
        Upstream download URL; None for packaged archives.
    trained_on : {"real", "simulated", "unknown"}
        What the networks were trained on.
    description : str
        One line: what it predicts and from what.
    card : str
        Model card (Markdown). Packaged archives carry theirs inside (``MODEL_CARD.md``).
    packaged_path : pathlib.Path or None
        For archives shipped with spacekit: their location inside the package.
    """

    name: str
    kind: str
    version: str
    filename: str
    sha256: str
    size: int | None = None
    url: str | None = None
    trained_on: str = "unknown"
    description: str = ""
    card: str = field(default="", repr=False)
    packaged_path: Path | None = None

    def __post_init__(self):
        if not _NAME_RE.match(self.name):
            raise InputError(
                f"Registry names look like 'source/kind' (e.g. 'spacekit-1.1.4/jwst_cal'); "
                f"received {self.name!r}."
            )
        if not _SHA_RE.match(self.sha256):
            raise InputError(
                f"sha256 of {self.name!r} must be 64 lower-case hex digits; received "
                f"{self.sha256!r}."
            )
        if self.trained_on not in TRAINED_ON:
            raise InputError(
                f"trained_on of {self.name!r} must be one of {TRAINED_ON}; received "
                f"{self.trained_on!r}."
            )
        if self.url is None and self.packaged_path is None:
            raise InputError(f"{self.name!r} needs a url or a packaged_path.")

    @property
    def packaged(self) -> bool:
        """True for archives shipped inside spacekit (never downloaded)."""
        return self.packaged_path is not None

    def to_dict(self) -> dict:
        """JSON-friendly description (without the card)."""
        d = asdict(self)
        d.pop("card")
        d["packaged_path"] = str(self.packaged_path) if self.packaged_path else None
        return d


_REGISTRY: dict[str, ModelEntry] = {}
#: packaged names whose entry file is unusable -> why (said when the name is asked for)
_BROKEN: dict[str, str] = {}
_LOCK = threading.Lock()
_PACKAGED_LOADED = False
#: Largest packaged entry file read (bytes); an entry is a few hundred bytes.
MAX_ENTRY_BYTES = 64 * 1024
_ENTRY_KEYS = ("kind", "version", "filename", "sha256")


def _builtin() -> None:
    for kind, data in PUBLISHED_114.items():
        filename = f"{kind}.zip"
        _REGISTRY[f"spacekit-1.1.4/{kind}"] = ModelEntry(
            name=f"spacekit-1.1.4/{kind}",
            kind=kind,
            version="1.1.4",
            filename=filename,
            sha256=data["sha256"],
            size=data["size"],
            url=UPSTREAM_114.format(filename=filename),
            trained_on="real",
            description=data["description"],
            card=data["card"],
        )


_builtin()


# ---------------------------------------------------------------------- packaged
def _parse_packaged_entry(meta_file: Path) -> ModelEntry:
    """The entry described by ``meta_file``; ArchiveError naming the file and the problem."""
    meta = read_json_file(meta_file, max_depth=4, error=ArchiveError, max_bytes=MAX_ENTRY_BYTES)
    if not isinstance(meta, dict):
        raise ArchiveError(
            f"'{meta_file}' must hold a JSON object (a registry entry); it holds a "
            f"{type(meta).__name__}."
        )
    missing = [k for k in _ENTRY_KEYS if k not in meta]
    if missing:
        raise ArchiveError(
            f"'{meta_file}' lacks the key(s) {missing} of a registry entry "
            f"(needs {list(_ENTRY_KEYS)})."
        )
    wrong = [k for k in ("kind", "filename", "sha256") if not isinstance(meta[k], str)]
    wrong += [k for k in ("trained_on", "description") if not isinstance(meta.get(k, ""), str)]
    if meta.get("size") is not None and not isinstance(meta["size"], int):
        wrong.append("size")
    if wrong:
        raise ArchiveError(
            f"'{meta_file}': the value(s) of {wrong} have the wrong type (kind, filename, "
            "sha256, trained_on and description are strings, size an integer)."
        )
    filename = meta["filename"]
    if not filename or Path(filename).name != filename or filename in (".", ".."):
        raise ArchiveError(
            f"'{meta_file}': filename must be the name of a file beside it; received {filename!r}."
        )
    try:
        return ModelEntry(
            name=f"{PACKAGED_PREFIX}/{meta['kind']}",
            kind=meta["kind"],
            version=str(meta["version"]),
            filename=filename,
            sha256=meta["sha256"],
            size=meta.get("size"),
            trained_on=meta.get("trained_on", "unknown"),
            description=meta.get("description", ""),
            packaged_path=meta_file.with_name(filename),
        )
    except InputError as exc:
        raise ArchiveError(f"'{meta_file}' is not a valid registry entry: {exc}") from None


def _read_packaged_entry(meta_file: Path) -> ModelEntry | None:
    """The entry of ``meta_file``, or None (logged, and said when the name is asked for)."""
    try:
        return _parse_packaged_entry(meta_file)
    except ArchiveError as exc:
        log.warning("Ignoring the packaged model entry: %s", exc)
        _BROKEN[f"{PACKAGED_PREFIX}/{meta_file.stem}"] = str(exc)  # _ensure_packaged holds _LOCK
        return None


def _ensure_packaged() -> None:
    """Discover ``trained_networks/*.json`` once (lazily, never at import)."""
    global _PACKAGED_LOADED
    if _PACKAGED_LOADED:
        return
    with _LOCK:
        if _PACKAGED_LOADED:
            return
        for meta_file in sorted(_TRAINED_NETWORKS.glob("*.json")):
            entry = _read_packaged_entry(meta_file)
            if entry is not None:
                _REGISTRY.setdefault(entry.name, entry)
        _PACKAGED_LOADED = True


def write_packaged_entry(
    archive: str | os.PathLike,
    kind: str,
    trained_on: str,
    description: str,
    version: str | None = None,
) -> Path:
    """Record a packaged archive in the registry by writing ``{archive stem}.json`` beside it.

    Training tools call this after writing ``spacekit/builder/trained_networks/{kind}.zip``,
    so that ``packaged/{kind}`` names it with its SHA-256.

    Parameters
    ----------
    archive : path-like
        The archive file (in ``spacekit/builder/trained_networks/`` to be discovered).
    kind : str
        Archive kind (``"jwst_cal"``, ``"hst_cal"``, ``"svm_align"``).
    trained_on : {"real", "simulated", "unknown"}
        What the networks were trained on.
    description : str
        One line for ``spacekit models list``.
    version : str, optional
        Archive version; default: the running spacekit's version.

    Returns
    -------
    pathlib.Path
        The JSON file written.
    """
    from spacekit._version import __version__

    archive = Path(archive)
    meta = {
        "kind": kind,
        "version": version or __version__,
        "filename": archive.name,
        "sha256": file_sha256(archive),
        "size": archive.stat().st_size,
        "trained_on": trained_on,
        "description": description,
    }
    # validate before writing
    ModelEntry(name=f"{PACKAGED_PREFIX}/{kind}", packaged_path=archive, **meta)
    out = archive.with_suffix(".json")
    atomic_write_json(out, meta)
    with _LOCK:
        _REGISTRY.pop(f"{PACKAGED_PREFIX}/{kind}", None)
        global _PACKAGED_LOADED
        _PACKAGED_LOADED = False
    return out


# ------------------------------------------------------------------------ lookup
def register(entry: ModelEntry, replace_existing: bool = False) -> ModelEntry:
    """Add ``entry`` to the registry of this process (e.g. a site's own archives).

    Raises
    ------
    InputError
        If the name is taken and ``replace_existing`` is False.
    """
    _ensure_packaged()
    with _LOCK:
        if entry.name in _REGISTRY and not replace_existing:
            raise InputError(
                f"A model named {entry.name!r} is already registered; pass "
                "replace_existing=True to replace it."
            )
        _REGISTRY[entry.name] = entry
    return entry


def list_entries(kind: str | None = None) -> list[ModelEntry]:
    """Registered entries (of one ``kind`` if given), sorted by name."""
    _ensure_packaged()
    with _LOCK:
        items = list(_REGISTRY.values())
    return sorted((e for e in items if kind is None or e.kind == kind), key=lambda e: e.name)


def is_registry_name(value) -> bool:
    """True if ``value`` is the name of a registered archive."""
    if not isinstance(value, str):
        return False
    _ensure_packaged()
    return value in _REGISTRY


def get_entry(name: str) -> ModelEntry:
    """The entry called ``name``.

    Raises
    ------
    ArchiveError
        If no archive of that name is registered (the message lists the known names).
    """
    _ensure_packaged()
    with _LOCK:
        entry = _REGISTRY.get(name)
        known = sorted(_REGISTRY)
    if entry is None and name in _BROKEN:
        raise ArchiveError(
            f"The registry entry of {name!r} is unusable ({_BROKEN[name].rstrip('.')}). "
            "Reinstall spacekit, or pass the path of an archive."
        )
    if entry is None:
        raise ArchiveError(
            f"No model named {name!r} is registered. Known names: {', '.join(known)}. "
            "Run 'spacekit models list', or pass the path of an archive."
        )
    return entry


def default_name(kind: str) -> str:
    """Registry name of the packaged default archive of ``kind`` (``"packaged/jwst_cal"``)."""
    return f"{PACKAGED_PREFIX}/{kind}"


def model_card(name: str) -> str:
    """The model card (Markdown) of ``name``.

    Packaged archives carry theirs (``MODEL_CARD.md``, read from the zip without
    extracting anything); published ones have theirs in the registry.
    """
    entry = get_entry(name)
    if entry.packaged and entry.packaged_path.is_file():
        from spacekit.builder.archive_zip import open_zip, read_zip_members

        with open_zip(entry.packaged_path) as zf:
            names = {i.filename for i in zf.infolist()}
            if "MODEL_CARD.md" in names:
                where = f"archive '{entry.packaged_path}'"
                data = read_zip_members(zf, ["MODEL_CARD.md"], where)["MODEL_CARD.md"]
                return data.decode("utf-8", "replace")
    return entry.card or f"# {entry.name}\n\n{entry.description}\n"


# ------------------------------------------------------------------------- cache
def _cache_file(entry: ModelEntry) -> Path:
    source = entry.name.split("/", 1)[0]
    return cache_dir() / "models" / source / entry.filename


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


def cached_path(name: str) -> Path | None:
    """Local, verified path of ``name`` if no download is needed, else None."""
    entry = get_entry(name)
    path = entry.packaged_path if entry.packaged else _cache_file(entry)
    if path.is_file() and _sha256_cached(path) == entry.sha256:
        return path
    return None


def source_url(entry: ModelEntry | str) -> str:
    """Where :func:`fetch` downloads ``entry`` from (the mirror if set, else upstream)."""
    return _fetch.mirror_url(get_entry(entry) if isinstance(entry, str) else entry)


def fetch(name: str, progress: bool | None = None, force: bool = False) -> Path:
    """Return a local, verified copy of the archive ``name``, downloading it if needed.

    Parameters
    ----------
    name : str
        A registry name (``"spacekit-1.1.4/jwst_cal"``).
    progress : bool, optional
        Show a download progress bar; default: when stderr is a terminal.
    force : bool, default=False
        Download again even if a verified copy is cached.

    Returns
    -------
    pathlib.Path
        The packaged file, or the cached ``{cache}/models/{name}.zip``.

    Raises
    ------
    ArchiveError
        Unknown name; a packaged archive that does not match its recorded hash; a
        download that failed or whose SHA-256 differs (both hashes are named; nothing
        is left in the cache).
    """
    entry = get_entry(name)
    if entry.packaged:
        path = entry.packaged_path
        if not path.is_file():
            raise ArchiveError(
                f"The packaged archive {name} is missing ('{path}'); reinstall spacekit."
            )
        got = _sha256_cached(path)
        if got != entry.sha256:
            raise ArchiveError(
                f"SHA-256 mismatch for the packaged archive {name} ('{path}'): expected "
                f"{entry.sha256}, got {got}. Reinstall spacekit."
            )
        return path
    dest = _cache_file(entry)
    if not force and cached_path(name) is not None:
        return dest
    _fetch.download(entry, dest, progress)
    return dest


def resolve_model_path(
    value: str | os.PathLike | None, kind: str | None = None, download: bool = True
) -> Path:
    """Turn a ``model_path`` / ``--model-path`` value into a local archive path.

    Parameters
    ----------
    value : str, path-like or None
        A registry name (``"spacekit-1.1.4/jwst_cal"``, ``"packaged/jwst_cal"``), the path
        of an archive (``.zip`` or folder), or None for the packaged default of ``kind``.
        A registered name wins over a relative path spelled the same; write ``./name``
        to mean the path.
    kind : str, optional
        The archive kind the caller needs (``"jwst_cal"``). A registry name of another
        kind raises; None accepts any kind (and ``value=None`` then raises).
    download : bool, default=True
        Download a published archive that is not cached yet. With False, an archive
        missing from the cache raises instead.

    Returns
    -------
    pathlib.Path
        A local file or folder. Paths are returned as given (``~`` expanded), without
        checking that they exist: the archive loader reports a missing path.

    Raises
    ------
    ArchiveError
        An unknown name that is not an existing path either, a name of the wrong kind, a
        failed or mismatching download, or ``download=False`` with nothing cached.
    """
    if value is None:
        if kind is None:
            raise InputError("resolve_model_path(None) needs the archive kind.")
        value = default_name(kind)
        if not is_registry_name(value):
            from spacekit.builder.archive import default_archive_path

            return default_archive_path(kind)
    text = os.fspath(value)
    if is_registry_name(text):
        value = text
        entry = get_entry(value)
        if kind is not None and entry.kind != kind:
            raise ArchiveError(
                f"{value!r} is a {entry.kind} archive, but a {kind} archive is needed here. "
                f"Registered {kind} archives: "
                f"{', '.join(e.name for e in list_entries(kind)) or 'none'}."
            )
        if not download and cached_path(value) is None:
            raise ArchiveError(
                f"{value} is not in the cache ({cache_dir()}); run 'spacekit models fetch "
                f"{value}' first."
            )
        return fetch(value)
    path = Path(value).expanduser()
    if text in _BROKEN and not path.exists():
        get_entry(text)  # raises: the entry file is unusable, and why
    if not path.exists() and _NAME_RE.match(text) and not text.endswith((".zip", ".keras")):
        raise ArchiveError(
            f"{text!r} is neither a registered model name nor an existing path. Registered "
            f"names: {', '.join(e.name for e in list_entries(kind))}."
        )
    return path


# -------------------------------------------------------------------- provenance
@dataclass(frozen=True)
class ModelProvenance:
    """Which archive answered: attached to every prediction output.

    Attributes
    ----------
    name : str
        Registry name when the archive is registered (matched by SHA-256, so a
        published archive passed by path is recognised), else the archive's file name.
    kind : str
        Archive kind.
    version : str or None
        Archive version (spacekit release), if known.
    sha256 : str or None
        SHA-256 of the archive file (of its member hashes for a folder).
    trained_on : {"real", "simulated", "unknown"}
        What the networks were trained on.
    path : str
        Where it was loaded from.
    registered : bool
        True when ``name`` is a registry name.
    """

    name: str
    kind: str
    version: str | None
    sha256: str | None
    trained_on: str
    path: str
    registered: bool = False

    @property
    def short_hash(self) -> str:
        """The first 12 hex digits of ``sha256`` (or ``"-"``)."""
        return self.sha256[:12] if self.sha256 else "-"

    def label(self) -> str:
        """One line for tables and logs."""
        version = f"version {self.version}, " if self.version else ""
        return f"{self.name} ({version}sha256 {self.short_hash}, trained on {self.trained_on} data)"

    def to_dict(self) -> dict:
        """JSON-friendly form."""
        return asdict(self)


def _content_digest(sums: Mapping[str, str]) -> str:
    blob = json.dumps(dict(sorted(sums.items())), separators=(",", ":")).encode()
    return hashlib.sha256(blob).hexdigest()


def provenance(archive) -> ModelProvenance:
    """Describe a loaded :class:`~spacekit.builder.archive.ModelArchive`.

    A zip archive is identified by the SHA-256 of its file: if a registered entry has
    that hash, its name, version and training data are used (so the published
    ``jwst_cal.zip`` is recognised wherever it lies). Otherwise the archive's manifest
    gives the version and ``trained_on`` (``"unknown"`` when absent).
    """
    path = Path(archive.path)
    if path.is_file():
        sha = _sha256_cached(path)
    else:
        sha = _content_digest(archive.manifest.get("sha256") or {})
    for entry in list_entries(archive.name):
        if entry.sha256 == sha:
            return ModelProvenance(
                entry.name, entry.kind, entry.version, sha, entry.trained_on, str(path), True
            )
    manifest = archive.manifest or {}
    trained_on = manifest.get("trained_on", "unknown")
    if trained_on not in TRAINED_ON:
        trained_on = "unknown"
    version = manifest.get("version") or manifest.get("spacekit_version")
    if archive.layout == "spacekit-1.1.4" and version is None:
        version = "1.1.4 layout"
    return ModelProvenance(
        path.name, archive.name, version, sha, trained_on, str(path), registered=False
    )
