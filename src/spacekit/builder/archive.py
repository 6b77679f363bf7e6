"""Trained-network archives: load (zip or folder, verified, in memory) and save (atomic).

Two layouts load:

* **spacekit archives** (written by :func:`save_archive`): at the root a
  ``manifest.json``::

      {"format": "spacekit-archive", "format_version": 1, "name": "jwst_cal",
       "spacekit_version": "...", "created": "2026-...Z",
       "models": {"img3_reg": "img3_reg.keras", "spec3_reg": "spec3_reg.keras"},
       "tx_data": {"image": "tx_data-image.json", "spec": "tx_data-spec.json"},
       "card": "MODEL_CARD.md", "json": {"upper_bounds": "upper_bounds.json"},
       "sha256": {"img3_reg.keras": "<hex>", ...}}

  plus the listed members (``json`` lists optional extra JSON documents, such as the
  conformal calibration of the HST cal upper bounds). Every listed member must be
  present and match its SHA-256.
* **spacekit 1.1.4 archives**: ``{name}/{model}.keras`` and ``{name}/tx_data-{mode}.json``
  inside the zip (or a folder holding them, such as 1.1.4's extracted ``models/jwst_cal``);
  no manifest, no hashes.

Zip archives are read in memory: nothing is extracted, member names are checked for path
escape, symbolic links are refused and sizes are limited (:mod:`spacekit.builder.archive_zip`).
Models are returned as :class:`~spacekit.builder.inference.NumpyMLP` (no TensorFlow) by
default; pass ``loader=`` (e.g. :func:`spacekit.builder.keras_io.load_keras_bytes`) for
networks numpy cannot run, such as the SVM ensemble's 3D CNN.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import logging
import os
import shutil
import tempfile
import threading
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from spacekit._io import atomic_path
from spacekit._json import loads_bounded
from spacekit._version import __version__
from spacekit.builder.archive_zip import (
    MAX_MEMBER_BYTES,
    MAX_TOTAL_BYTES,
    ExpansionBudget,
    check_member_name,
    list_members,
    open_zip,
    read_zip_members,
)
from spacekit.builder.inference import NumpyMLP
from spacekit.exceptions import ArchiveError, DataError

__all__ = [
    "ARCHIVE_FORMAT",
    "ARCHIVE_FORMAT_VERSION",
    "ModelArchive",
    "default_archive_path",
    "load_archive",
    "get_archive",
    "clear_archive_cache",
    "save_archive",
    "ModelLoader",
]

log = logging.getLogger(__name__)

ARCHIVE_FORMAT = "spacekit-archive"
ARCHIVE_FORMAT_VERSION = 1
_MANIFEST = "manifest.json"
_CARD = "MODEL_CARD.md"
_ZIP_DATE = (2020, 1, 1, 0, 0, 0)

#: A function ``(keras_file_bytes, where) -> model`` turning a ``.keras`` member into a model.
ModelLoader = Callable[[bytes, str], object]


def _numpy_loader(data: bytes, where: str) -> NumpyMLP:
    return NumpyMLP.from_keras_file(data, where=where)


@dataclass
class ModelArchive:
    """A loaded model archive.

    Attributes
    ----------
    path : pathlib.Path
        Where it was loaded from.
    name : str
        Archive name (``"jwst_cal"``).
    layout : {"spacekit", "spacekit-1.1.4"}
        Our manifest format, or the published 1.1.4 layout.
    models : dict of str to NumpyMLP
        Model name (``"img3_reg"``) -> numpy model (or what the ``loader`` returned).
    tx_data : dict of str to dict
        Lower-case mode (``"image"``, ``"spec"``; ``"default"`` for a plain
        ``tx_data.json``) -> normalisation statistics ``{"lambdas", "mu", "sigma"}``.
    manifest : dict
        The manifest (synthesised for 1.1.4 archives, with ``"format": "spacekit-1.1.4"``).
    card : str or None
        The model card (Markdown), if the archive has one.
    raw : dict of str to bytes
        Raw content of the model files, by member name (used when re-saving).
    extras : dict of str to dict
        Extra JSON documents listed under the manifest's ``json`` key, by key.
    """

    path: Path
    name: str
    layout: str
    models: dict[str, object]
    tx_data: dict[str, dict]
    manifest: dict
    card: str | None = None
    raw: dict[str, bytes] = field(default_factory=dict, repr=False)
    extras: dict[str, dict] = field(default_factory=dict, repr=False)

    def tx_for(self, mode: str) -> dict | None:
        """Normalisation statistics for ``mode`` (case-insensitive), or None."""
        return self.tx_data.get(mode.lower())

    def __repr__(self) -> str:
        return (
            f"ModelArchive(name={self.name!r}, layout={self.layout!r}, path='{self.path}', "
            f"models={sorted(self.models)}, tx_data={sorted(self.tx_data)})"
        )


def default_archive_path(name: str = "jwst_cal") -> Path:
    """Path of the archive shipped in ``spacekit/builder/trained_networks/{name}.zip``.

    The file may not exist (e.g. in a source checkout before the training script ran);
    :func:`load_archive` then raises an :class:`ArchiveError` saying so.
    """
    return Path(__file__).resolve().parent / "trained_networks" / f"{name}.zip"


# --------------------------------------------------------------------------- sources
class _Source:
    """Uniform, checked access to the files of a zip or a folder."""

    def __init__(self, path: Path, name: str = "jwst_cal"):
        self.path = path
        self.where = f"archive '{path}'"
        #: every byte this load expands to, at every level, is taken from this budget
        self.budget = ExpansionBudget(where=self.where)
        if path.is_dir():
            self.zf = None
            self.names = self._walk_folder(path)
        elif path.is_file():
            self.zf = open_zip(path)
            self.names = list_members(self.zf, self.where)
        else:
            raise ArchiveError(
                f"Model archive not found: '{path}' does not exist. Pass the path of a .zip "
                f"archive or a folder (e.g. --model-path .../{name}.zip)."
            )

    def _walk_folder(self, root: Path) -> list[str]:
        names, total = [], 0
        root_real = root.resolve()
        for dirpath, dirnames, filenames in os.walk(root):
            # both layouts are at most one folder deep; do not crawl big trees
            depth = len(Path(dirpath).relative_to(root).parts)
            dirnames[:] = [d for d in dirnames if not d.startswith(".") and depth < 1]
            for fname in filenames:
                full = Path(dirpath) / fname
                rel = full.relative_to(root).as_posix()
                if full.is_symlink():
                    raise ArchiveError(
                        f"'{full}' is a symbolic link; archive folders may not contain links."
                    )
                if not full.resolve().is_relative_to(root_real):
                    raise ArchiveError(f"'{full}' resolves outside the archive folder '{root}'.")
                size = full.stat().st_size
                if size > MAX_MEMBER_BYTES:
                    raise ArchiveError(f"'{full}' is too large ({size} bytes) for an archive.")
                total += size
                names.append(rel)
        if total > MAX_TOTAL_BYTES:
            raise ArchiveError(f"Archive folder '{root}' holds more than {MAX_TOTAL_BYTES} bytes.")
        return sorted(names)

    def read(self, names: list[str]) -> dict[str, bytes]:
        names = [check_member_name(n, self.where) for n in names]
        missing = [n for n in names if n not in self.names]
        if missing:
            raise ArchiveError(
                f"{self.where} lacks the member(s) {missing}; it holds {self.names}. The "
                "archive is incomplete or is not a spacekit model archive."
            )
        if self.zf is not None:
            return read_zip_members(self.zf, names, self.where, budget=self.budget)
        self.budget.take(sum((self.path / n).stat().st_size for n in names), str(names))
        return {n: (self.path / n).read_bytes() for n in names}

    def model(self, data: bytes, member: str) -> NumpyMLP:
        """Load the ``.keras`` bytes of ``member`` within this archive's budget."""
        return NumpyMLP.from_keras_file(data, where=f"{member} in {self.where}", budget=self.budget)

    def close(self) -> None:
        if self.zf is not None:
            self.zf.close()


# --------------------------------------------------------------------------- loading
def load_archive(
    path: str | os.PathLike | None = None,
    name: str = "jwst_cal",
    *,
    loader: ModelLoader | None = None,
) -> ModelArchive:
    """Load a model archive (zip or folder, our format or spacekit 1.1.4's).

    Parameters
    ----------
    path : path-like, optional
        A ``.zip`` file or a folder. Defaults to :func:`default_archive_path` of ``name``.
    name : str, default="jwst_cal"
        The archive kind expected; an archive of another kind raises.
    loader : callable, optional
        ``loader(keras_file_bytes, where) -> model``; default
        :meth:`NumpyMLP.from_keras_file <spacekit.builder.inference.NumpyMLP.from_keras_file>`.

    Returns
    -------
    ModelArchive

    Raises
    ------
    ArchiveError
        If the archive does not exist, is not a zip/folder, lacks a member, has a member
        whose SHA-256 differs from the manifest, has an unsafe member, or is of another
        kind (e.g. an ``hst_cal`` archive where ``jwst_cal`` is expected).
    """
    path = Path(path).expanduser() if path is not None else default_archive_path(name)
    if not path.exists() and path == default_archive_path(name):
        raise ArchiveError(
            f"The default {name} archive is not installed ('{path}' is missing). Pass "
            f"model_path / --model-path pointing to an archive, e.g. the published spacekit "
            f"1.1.4 {name}.zip."
        )
    src = _Source(path, name)
    try:
        if _MANIFEST in src.names:
            archive = _load_ours(src, name, loader)
        else:
            archive = _load_114(src, name, loader)
    finally:
        src.close()
    log.debug("Loaded %r", archive)
    return archive


#: Largest JSON member of an archive parsed (bytes); manifests and tx_data are a few KB.
MAX_JSON_MEMBER_BYTES = 16 * 1024**2


def _json(data: bytes, member: str, where: str) -> dict:
    if len(data) > MAX_JSON_MEMBER_BYTES:
        raise ArchiveError(
            f"{member} in {where} is {len(data):,} bytes; JSON members of at most "
            f"{MAX_JSON_MEMBER_BYTES:,} bytes are read. The archive is not one spacekit wrote."
        )
    obj = loads_bounded(data, where=f"{member} in {where}", error=ArchiveError)
    if not isinstance(obj, dict):
        raise ArchiveError(
            f"{member} in {where} must hold a JSON object; it holds a {type(obj).__name__}."
        )
    return obj


def _tx_json(data: bytes, member: str, where: str) -> dict:
    """A ``tx_data`` member, checked as :func:`~spacekit.preprocessor.transform.load_tx_data`
    checks normalisation statistics (lists of finite numbers of one length...)."""
    from spacekit.preprocessor.transform import load_tx_data

    tx = _json(data, member, where)
    try:
        load_tx_data(tx, where=f"{member} in {where}")
    except DataError as exc:
        raise ArchiveError(f"{exc} Re-create the archive.") from None
    return tx


def _manifest_map(manifest: dict, key: str, where: str) -> dict[str, str]:
    """``manifest[key]`` as ``{name: member}`` (absent: empty); ArchiveError if malformed."""
    value = manifest.get(key) or {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ArchiveError(
            f"manifest.json in {where}: {key!r} must map names to member files (a JSON "
            f"object of strings); received {type(value).__name__} {str(value)[:80]}."
        )
    return dict(value)


def _load_model(src: _Source, loader: ModelLoader | None, data: bytes, member: str):
    """Numpy models load within the archive's budget; a custom ``loader`` gets the bytes."""
    if loader is None:
        return src.model(data, member)
    return loader(data, f"{member} in {src.where}")


def _load_ours(src: _Source, name: str, loader: ModelLoader | None) -> ModelArchive:
    manifest = _json(src.read([_MANIFEST])[_MANIFEST], _MANIFEST, src.where)
    if manifest.get("format") != ARCHIVE_FORMAT:
        raise ArchiveError(
            f"{src.where} has a manifest.json whose format is {manifest.get('format')!r}; "
            f"expected {ARCHIVE_FORMAT!r}."
        )
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > ARCHIVE_FORMAT_VERSION:
        raise ArchiveError(
            f"{src.where} uses archive format_version {version!r}; this spacekit reads "
            f"versions up to {ARCHIVE_FORMAT_VERSION}. Upgrade spacekit."
        )
    if manifest.get("name") != name:
        raise ArchiveError(
            f"{src.where} is a {manifest.get('name')!r} archive, but a {name!r} archive was "
            "expected. Pass the right archive."
        )
    models = _manifest_map(manifest, "models", src.where)
    txs = _manifest_map(manifest, "tx_data", src.where)
    docs = _manifest_map(manifest, "json", src.where)
    card = manifest.get("card")
    card_name = card if isinstance(card, str) and card in src.names else None
    members = list(models.values()) + list(txs.values()) + list(docs.values())
    members += [card_name] if card_name else []
    sums = _manifest_map(manifest, "sha256", src.where)
    unhashed = [m for m in members if m not in sums]
    if unhashed:
        raise ArchiveError(f"{src.where}: manifest.json has no sha256 for {unhashed}.")
    data = src.read(members)
    for member in members:
        digest = hashlib.sha256(data[member]).hexdigest()
        if digest != sums[member]:
            raise ArchiveError(
                f"SHA-256 mismatch for {member!r} in {src.where}: manifest says "
                f"{sums[member]}, file has {digest}. The archive was modified or corrupted; "
                "re-create or re-download it."
            )
    loaded = {key: _load_model(src, loader, data[member], member) for key, member in models.items()}
    tx = {mode.lower(): _tx_json(data[m], m, src.where) for mode, m in txs.items()}
    card = data[card_name].decode("utf-8", "replace") if card_name else None
    raw = {m: data[m] for m in models.values()}
    extras = {key: _json(data[m], m, src.where) for key, m in docs.items()}
    return ModelArchive(src.path, name, "spacekit", loaded, tx, manifest, card, raw, extras)


def _load_114(src: _Source, name: str, loader: ModelLoader | None) -> ModelArchive:
    prefix = ""
    if not any(n.endswith(".keras") and "/" not in n for n in src.names):
        prefix = f"{name}/"
    keras_files = [
        n
        for n in src.names
        if n.startswith(prefix) and n.endswith(".keras") and "/" not in n[len(prefix) :]
    ]
    if not keras_files:
        tops = sorted({n.split("/")[0] for n in src.names if "/" in n})
        hint = (
            f" It holds folders {tops}: is it another kind of archive, or a training run "
            "(then pass the jwst_cal.zip that training wrote)?"
            if tops
            else ""
        )
        raise ArchiveError(
            f"{src.where} is not a {name!r} model archive: no manifest.json and no "
            f"'{prefix}*.keras' models.{hint}"
        )
    tx_files = [
        n
        for n in src.names
        if n.startswith(prefix)
        and "/" not in n[len(prefix) :]
        and n[len(prefix) :].startswith("tx_data")
        and n.endswith(".json")
    ]
    data = src.read(keras_files + tx_files)
    models = {Path(n).stem: _load_model(src, loader, data[n], n) for n in keras_files}
    tx = {}
    for n in tx_files:
        stem = Path(n).stem  # tx_data-image / tx_data
        mode = stem.split("-", 1)[1] if "-" in stem else "default"
        tx[mode.lower()] = _tx_json(data[n], n, src.where)
    manifest = {
        "format": "spacekit-1.1.4",
        "name": name,
        "models": {Path(n).stem: n for n in keras_files},
        "tx_data": {mode: n for mode, n in zip(tx, tx_files, strict=True)},
        "sha256": {n: hashlib.sha256(data[n]).hexdigest() for n in keras_files + tx_files},
    }
    raw = {n: data[n] for n in keras_files}
    return ModelArchive(src.path, name, "spacekit-1.1.4", models, tx, manifest, None, raw)


# ----------------------------------------------------------------------------- cache
_CACHE: dict[tuple, ModelArchive] = {}
_CACHE_LOCK = threading.Lock()


def get_archive(
    path: str | os.PathLike | None = None,
    name: str = "jwst_cal",
    *,
    loader: ModelLoader | None = None,
) -> ModelArchive:
    """Like :func:`load_archive`, but loaded once per process.

    The cache key is the resolved path, the archive kind, the loader, and the file's
    modification time and size, so a rewritten archive is reloaded. Use
    :func:`clear_archive_cache` to drop everything.
    """
    p = Path(path).expanduser() if path is not None else default_archive_path(name)
    how = "numpy" if loader is None else f"{loader.__module__}.{loader.__qualname__}"
    try:
        st = p.stat()
        key = (str(p.resolve()), name, how, st.st_mtime_ns, st.st_size)
    except OSError:
        return load_archive(p, name, loader=loader)  # raises the helpful "not found" error
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
    if hit is not None:
        return hit
    archive = load_archive(p, name, loader=loader)
    with _CACHE_LOCK:
        for old in [k for k in _CACHE if k[:3] == key[:3]]:
            del _CACHE[old]
        _CACHE[key] = archive
    return archive


def clear_archive_cache() -> None:
    """Forget every archive loaded by :func:`get_archive`."""
    with _CACHE_LOCK:
        _CACHE.clear()


# ---------------------------------------------------------------------------- saving
def _model_bytes(key: str, model) -> bytes:
    """Bytes of a ``.keras`` file from a path, bytes, or a keras.Model."""
    if isinstance(model, bytes | bytearray):
        return bytes(model)
    if isinstance(model, str | os.PathLike):
        p = Path(model)
        if not p.is_file() or p.suffix != ".keras":
            raise ArchiveError(
                f"Model {key!r}: expected a .keras file, a keras.Model or bytes; received "
                f"the path '{p}', which is not an existing .keras file."
            )
        return p.read_bytes()
    if hasattr(model, "save") and hasattr(model, "get_config"):
        with tempfile.TemporaryDirectory(prefix="spacekit-archive-") as tmp:
            target = Path(tmp) / f"{key}.keras"
            model.save(target)
            return target.read_bytes()
    raise ArchiveError(
        f"Model {key!r}: expected a keras.Model, a path to a .keras file or bytes; received "
        f"{type(model).__name__}."
    )


def _check_tx(mode: str, tx) -> dict:
    if not isinstance(tx, Mapping) or not {"lambdas", "mu", "sigma"} <= set(tx):
        keys = sorted(tx) if isinstance(tx, Mapping) else "-"
        raise ArchiveError(
            f"tx_data[{mode!r}] must be a dict with 'lambdas', 'mu' and 'sigma' lists; "
            f"received {type(tx).__name__} with keys {keys}."
        )
    lengths = {k: len(tx[k]) for k in ("lambdas", "mu", "sigma")}
    if len(set(lengths.values())) != 1:
        raise ArchiveError(f"tx_data[{mode!r}] lists have different lengths: {lengths}.")
    return json.loads(json.dumps(dict(tx), allow_nan=False))


def save_archive(
    out_path: str | os.PathLike,
    models: Mapping[str, object],
    tx_data: Mapping[str, Mapping] | None = None,
    card: str = "",
    name: str = "jwst_cal",
    extra: Mapping | None = None,
    json_members: Mapping[str, Mapping] | None = None,
    *,
    loader: ModelLoader | None = None,
) -> Path:
    """Write a spacekit model archive (zip if ``out_path`` ends in ``.zip``, else a folder).

    Parameters
    ----------
    out_path : path-like
        Destination. Written atomically: a temporary file or folder is renamed into place
        only when complete, so readers never see half an archive.
    models : dict of str to keras.Model, path-like or bytes
        Model name -> a Keras model (saved to ``.keras`` with Keras), an existing
        ``.keras`` file, or its bytes. Each one must be loadable by ``loader``
        (default :class:`~spacekit.builder.inference.NumpyMLP`), which is checked.
    tx_data : dict of str to dict, optional
        Mode (``"image"``, ``"spec"``) -> ``{"lambdas": [...], "mu": [...], "sigma": [...]}``,
        stored as ``tx_data-{mode}.json``; the mode ``"default"`` is stored as
        ``tx_data.json`` (the name 1.1.4's single-mode archives use).
    card : str, default=""
        Model card (Markdown) stored as ``MODEL_CARD.md``: data, date, metrics, version.
    name : str, default="jwst_cal"
        Archive name recorded in the manifest.
    extra : dict, optional
        Additional JSON-serialisable manifest entries (e.g. ``{"metrics": {...}}``).
    json_members : dict of str to dict, optional
        Extra JSON documents stored as ``{key}.json`` members (hashed like the models)
        and returned by :func:`load_archive` in ``ModelArchive.extras[key]``.
    loader : callable, optional
        ``loader(keras_file_bytes, where)`` used to check each model loads; default numpy.

    Returns
    -------
    pathlib.Path
        ``out_path``.

    Raises
    ------
    ArchiveError
        If a model is not a supported feed-forward Keras model, a tx dict is malformed,
        or ``out_path`` is an existing folder that is not a spacekit archive.
    """
    out = Path(out_path)
    if not models:
        raise ArchiveError("save_archive needs at least one model; received none.")
    files: dict[str, bytes] = {}
    manifest_models, manifest_tx = {}, {}
    for key, model in models.items():
        member = f"{key}.keras"
        check_member_name(member, "the new archive")
        blob = _model_bytes(key, model)
        (loader or _numpy_loader)(blob, f"model {key!r}")  # must load the way it will be read
        files[member] = blob
        manifest_models[key] = member
    for mode, tx in (tx_data or {}).items():
        member = "tx_data.json" if mode.lower() == "default" else f"tx_data-{mode.lower()}.json"
        files[member] = (json.dumps(_check_tx(mode, tx), indent=2) + "\n").encode()
        manifest_tx[mode.lower()] = member
    manifest_json = {}
    for key, doc in (json_members or {}).items():
        member = check_member_name(f"{key}.json", "the new archive")
        if member in files or not isinstance(doc, Mapping):
            raise ArchiveError(
                f"json_members[{key!r}] must be a dict with a name unused by the models "
                "and tx_data."
            )
        files[member] = (json.dumps(dict(doc), allow_nan=False) + "\n").encode()
        manifest_json[key] = member
    files[_CARD] = (card or f"# {name}\n\nNo model card was provided.\n").encode("utf-8")
    manifest = {
        "format": ARCHIVE_FORMAT,
        "format_version": ARCHIVE_FORMAT_VERSION,
        "name": name,
        "spacekit_version": __version__,
        "created": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "models": manifest_models,
        "tx_data": manifest_tx,
        "card": _CARD,
        **({"json": manifest_json} if manifest_json else {}),
        **dict(extra or {}),
        "sha256": {m: hashlib.sha256(b).hexdigest() for m, b in sorted(files.items())},
    }
    files[_MANIFEST] = (json.dumps(manifest, indent=2, allow_nan=False) + "\n").encode()
    if out.suffix.lower() == ".zip":
        _write_zip(out, files)
    else:
        _write_folder(out, files)
    log.info("Saved %s archive with models %s to %s", name, sorted(manifest_models), out)
    return out


def _write_zip(out: Path, files: dict[str, bytes]) -> None:
    with atomic_path(out) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for member in sorted(files):
            info = zipfile.ZipInfo(member, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, files[member])
        os.chmod(tmp, 0o644)


def _write_folder(out: Path, files: dict[str, bytes]) -> None:
    if out.exists() and (
        not out.is_dir() or (any(out.iterdir()) and not (out / _MANIFEST).exists())
    ):
        raise ArchiveError(
            f"'{out}' exists and is not a spacekit archive folder; refusing to replace it. "
            "Choose a new path or remove it."
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent))
    try:
        os.chmod(tmp, 0o755)
        for member, blob in files.items():
            (tmp / member).write_bytes(blob)
        if out.exists():
            old = out.with_name(f".{out.name}.old-{os.getpid()}")
            os.replace(out, old)
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
    except BaseException:
        with contextlib.suppress(OSError):
            shutil.rmtree(tmp)
        raise
