"""Load an SVM alignment ensemble for inference, once per process.

:func:`load_ensemble_model` accepts

* ``None``: spacekit's packaged default ``packaged/svm_align``
  (``trained_networks/svm_align.zip``, trained on simulated visits; see its model card);
* a registry name (:mod:`spacekit.builder.registry`), e.g. ``"spacekit-1.1.4/svm_align"``
  for the published network (fetched once into the cache and verified);
* a ``.zip`` archive or a folder, in spacekit's format (manifest, SHA-256 of every member,
  model card) or spacekit 1.1.4's (``svm_align/ensembleSVM.keras`` +
  ``svm_align/tx_data.json``), such as the published ``svm_align.zip``;
* a ``.keras`` file (e.g. what ``run_training`` saved in ``models/svm_align/``), with its
  ``tx_data.json`` beside it if any.

Nothing is extracted to disk except the one ``.keras`` member, into a private temporary
folder while Keras reads it (``safe_mode=True``). Loaded models are cached by path,
modification time and size.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from spacekit.builder.archive import get_archive, save_archive
from spacekit.builder.keras_io import inference_copy, load_keras_bytes
from spacekit.builder.registry import ModelProvenance, provenance, resolve_model_path
from spacekit.exceptions import ArchiveError, InputError

__all__ = [
    "EnsembleModel",
    "load_ensemble_model",
    "save_ensemble_archive",
    "ARCHIVE_NAME",
    "MODEL_NAME",
]

log = logging.getLogger(__name__)

#: Archive kind of the SVM alignment models (1.1.4: ``svm_align.zip``).
ARCHIVE_NAME = "svm_align"
#: Model name inside the archive (1.1.4: ``ensembleSVM.keras``).
MODEL_NAME = "ensembleSVM"


@dataclass
class EnsembleModel:
    """A loaded SVM ensemble with what is known about it.

    Attributes
    ----------
    model : keras.Model
        Inputs ``[X (n, n_features), I (n, 3, size, size, 3)]``, output (n, 1).
    path : pathlib.Path
        Where it was loaded from.
    tx_data : dict or None
        Normalisation statistics of the first 7 features (used when ``norm=1``).
    layout : str
        ``"spacekit"``, ``"spacekit-1.1.4"`` or ``"keras-file"``.
    manifest : dict
        The archive manifest (synthesised for 1.1.4 archives and bare ``.keras`` files).
    card : str or None
        The model card, if any.
    sha256 : str
        SHA-256 of the file loaded (the archive zip or the ``.keras`` file); of the model
        member for a folder.
    provenance : ModelProvenance or None
        Which archive this is (registry name, version, training data).
    """

    model: object
    path: Path
    tx_data: dict | None = None
    layout: str = "spacekit"
    manifest: dict = field(default_factory=dict)
    card: str | None = None
    sha256: str = ""
    provenance: ModelProvenance | None = None

    @property
    def image_size(self) -> int:
        """Side of the square images the model takes."""
        return int(self._image_input().shape[2])

    @property
    def n_features(self) -> int:
        """Number of tabular features the model takes."""
        return int(self._feature_input().shape[-1])

    @property
    def training(self) -> dict:
        """How the model was trained (``norm``, ``trained_on`` ...), from our manifest."""
        return dict(self.manifest.get("svm", {}))

    @property
    def label(self) -> str:
        """One line naming the archive (registry name, version, hash, training data)."""
        if self.provenance is not None:
            return self.provenance.label()
        trained = self.manifest.get("trained_on", "unknown")
        return f"{self.path.name} (sha256 {self.sha256[:12]}, trained on {trained} data)"

    def _inputs(self):
        return list(self.model.inputs)

    def _image_input(self):
        ins = [t for t in self._inputs() if len(t.shape) == 5]
        if not ins:
            raise ArchiveError(f"The model in '{self.path}' has no image input.")
        return ins[0]

    def _feature_input(self):
        ins = [t for t in self._inputs() if len(t.shape) == 2]
        if not ins:
            raise ArchiveError(f"The model in '{self.path}' has no feature input.")
        return ins[0]

    def predict(self, X: np.ndarray, images: np.ndarray, batch_size: int = 32) -> np.ndarray:
        """Probabilities of misalignment, shape (n,), for model-ready ``X`` and ``images``."""
        X = np.asarray(X, dtype=np.float32)
        images = np.asarray(images, dtype=np.float32)
        if X.shape[0] == 0:
            return np.zeros(0, dtype=np.float32)
        order = [X if len(t.shape) == 2 else images for t in self._inputs()]
        out = self.model.predict(order, batch_size=batch_size, verbose=0)
        return np.asarray(out, dtype=np.float32).reshape(-1)


_CACHE: dict[tuple, EnsembleModel] = {}
_LOCK = threading.Lock()


def _from_keras_file(path: Path) -> EnsembleModel:
    data = path.read_bytes()
    model = load_keras_bytes(data, where=f"'{path}'")
    tx = None
    tx_file = path.with_name("tx_data.json")
    if tx_file.is_file():
        try:
            tx = json.loads(tx_file.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise ArchiveError(f"'{tx_file}' is not valid JSON: {exc}") from exc
    manifest = {
        "format": "keras-file",
        "name": ARCHIVE_NAME,
        "sha256": {path.name: hashlib.sha256(data).hexdigest()},
    }
    return EnsembleModel(
        model, path, tx, "keras-file", manifest, None, manifest["sha256"][path.name]
    )


def _from_archive(path: Path) -> EnsembleModel:
    archive = get_archive(path, name=ARCHIVE_NAME, loader=load_keras_bytes)
    models = archive.models
    key = MODEL_NAME if MODEL_NAME in models else (next(iter(models)) if len(models) == 1 else None)
    if key is None:
        raise ArchiveError(
            f"'{archive.path}' holds the models {sorted(models)}; expected one named "
            f"{MODEL_NAME!r}."
        )
    tx = archive.tx_for("default")
    prov = provenance(archive)
    return EnsembleModel(
        models[key],
        archive.path,
        tx,
        archive.layout,
        dict(archive.manifest),
        archive.card,
        prov.sha256 or "",
        prov,
    )


def load_ensemble_model(model_path: str | os.PathLike | None = None) -> EnsembleModel:
    """Load (once per process) the SVM ensemble at ``model_path``; see the module notes.

    Raises
    ------
    InputError
        If ``model_path`` does not exist.
    ArchiveError
        If it is not a usable ``svm_align`` archive or ``.keras`` file.
    OptionalDependencyError
        If Keras is not installed (``pip install "spacekit[ml]"``).
    """
    path = resolve_model_path(model_path, kind=ARCHIVE_NAME)
    if model_path is None and not path.exists():
        raise ArchiveError(
            f"The default {ARCHIVE_NAME} archive is not installed ('{path}' is missing). "
            "Pass model_path / --model_path: e.g. 'spacekit-1.1.4/svm_align' (the published "
            "network) or the path of an svm_align.zip."
        )
    if not path.exists():
        raise InputError(
            f"model_path '{path}' does not exist. Pass an svm_align .zip archive, a folder "
            "holding ensembleSVM.keras, or a .keras file."
        )
    st = path.stat()
    key = (str(path.resolve()), st.st_mtime_ns, st.st_size)
    with _LOCK:
        hit = _CACHE.get(key)
    if hit is not None:
        return hit
    loaded = _from_keras_file(path) if path.suffix == ".keras" else _from_archive(path)
    with _LOCK:
        for old in [k for k in _CACHE if k[0] == key[0]]:
            del _CACHE[old]
        _CACHE[key] = loaded
    log.info("Loaded SVM ensemble %s", loaded.label)
    return loaded


def save_ensemble_archive(
    out_path: str | os.PathLike,
    model,
    tx_data: Mapping | None = None,
    card: str = "",
    training: Mapping | None = None,
    extra: Mapping | None = None,
) -> Path:
    """Write an ``svm_align`` archive (spacekit format) that :func:`load_ensemble_model` reads.

    Parameters
    ----------
    out_path : path-like
        ``.zip`` file or folder, written atomically.
    model : keras.Model or path-like
        The trained ensemble (stored uncompiled, without optimizer state) or a ``.keras``
        file.
    tx_data : dict, optional
        Normalisation statistics of the 7 continuous features (stored as ``tx_data.json``).
    card : str, optional
        Model card (Markdown).
    training : dict, optional
        How the model was trained, stored in the manifest under ``"svm"`` and used by
        predict to check its arguments: ``norm`` (0/1), ``image_size``, ``features``,
        ``trained_on`` ("simulated" / "real"), metrics ...
    extra : dict, optional
        Further manifest entries.

    Returns
    -------
    pathlib.Path
    """
    if hasattr(model, "get_weights"):
        model = inference_copy(model)
    tx = {"default": dict(tx_data)} if tx_data else None
    training = dict(training or {})
    entries = {
        "trained_on": training.get("trained_on", "unknown"),
        "svm": training,
        **dict(extra or {}),
    }
    return save_archive(
        out_path,
        models={MODEL_NAME: model},
        tx_data=tx,
        card=card,
        name=ARCHIVE_NAME,
        extra=entries,
        loader=load_keras_bytes,
    )
