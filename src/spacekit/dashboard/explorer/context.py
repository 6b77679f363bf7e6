"""What one explorer app studies: the data, the model, its predictions and projections.

:func:`build_context` loads (or trains) everything once, before the server starts;
:class:`ExplorerContext` is then the same for every browser session and never changes
what a user sees for another. Hidden-layer outputs of other layers and the 2-D
projections are computed on first request, behind a lock per item (the WSGI server runs
callbacks in several threads), and kept on disk in the cache folder keyed by the model
file, the data, the layer and the method, so a restart reuses them.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from spacekit.dashboard.explorer.data import ExplorerData, data_digest, load_data
from spacekit.dashboard.explorer.model import ClassifierInfo
from spacekit.exceptions import InputError

__all__ = ["ExplorerContext", "build_context", "explorer_cache_dir", "INPUT_SPACE"]

log = logging.getLogger(__name__)

#: The name of the input (pixel) space among the projection spaces.
INPUT_SPACE = "input"
_CACHE_VERSION = 1


def explorer_cache_dir(cache: str | os.PathLike | None = None) -> Path:
    """The explorer's cache folder: ``cache``, else ``<spacekit cache>/explorer``."""
    if cache is not None:
        return Path(cache).expanduser()
    from spacekit.builder.registry_fetch import cache_dir

    return cache_dir() / "explorer"


@dataclass
class ExplorerContext:
    """Everything the explorer pages read (read-only for them).

    Attributes
    ----------
    data : ExplorerData
    model : keras.Model
    info : ClassifierInfo
    model_name : str
        The model file name, or ``"default CNN"``.
    layer : str
        Default hidden layer.
    layers : list of str
        Every layer that can be projected.
    x : numpy.ndarray or list of numpy.ndarray
        The model's inputs (a list for a model with a feature input too).
    probabilities : numpy.ndarray of shape (n, n_classes)
    predicted, confidence, loss : numpy.ndarray of shape (n,)
    norm : int, optional
        How the feature input is scaled (models with one; see
        :func:`~spacekit.dashboard.explorer.ensemble.model_inputs`).
    """

    data: ExplorerData
    model: object
    info: ClassifierInfo
    model_name: str
    model_digest: str
    layer: str
    layers: list[str]
    x: np.ndarray | list[np.ndarray]
    probabilities: np.ndarray
    cache: Path | None
    timings: dict[str, float] = field(default_factory=dict)
    norm: int | None = None
    _features: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    _projections: dict[tuple[str, str], np.ndarray] = field(default_factory=dict, repr=False)
    _locks: dict[tuple, threading.Lock] = field(default_factory=dict, repr=False)
    _guard: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _model_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self.predicted = self.probabilities.argmax(axis=1)
        self.confidence = self.probabilities.max(axis=1)
        from spacekit.dashboard.explorer.projection import per_sample_loss

        self.loss = per_sample_loss(self.probabilities, self.data.labels)
        self.data_digest = data_digest(self.data)

    def __len__(self) -> int:
        return len(self.data)

    @property
    def classes(self) -> tuple[str, ...]:
        return self.data.classes

    @property
    def accuracy(self) -> float:
        return float(np.mean(self.predicted == self.data.labels))

    def spaces(self) -> list[str]:
        """Projection spaces: the input space and every layer."""
        return [INPUT_SPACE, *self.layers]

    def check_layer(self, layer: str | None) -> str:
        """``layer`` (or the default one) after checking the model has it."""
        if layer in (None, ""):
            return self.layer
        if layer not in self.layers:
            raise InputError(f"Unknown layer {layer!r}; layers of the model: {self.layers}.")
        return layer

    def _lock(self, key: tuple) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def _cache_file(self, *parts: str) -> Path | None:
        if self.cache is None:
            return None
        key = "|".join((str(_CACHE_VERSION), self.model_digest, self.data_digest, *parts))
        return self.cache / "projections" / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.npz"

    def _load(self, path: Path | None, name: str, rows: int) -> np.ndarray | None:
        if path is None or not path.is_file():
            return None
        try:
            with np.load(path, allow_pickle=False) as f:
                arr = f[name]
        except (OSError, ValueError, KeyError) as exc:
            log.warning("ignoring the unreadable cache file %s: %s", path, exc)
            return None
        return arr if len(arr) == rows else None

    def _save(self, path: Path | None, name: str, arr: np.ndarray) -> None:
        if path is None:
            return
        from spacekit._io import atomic_path

        try:
            with atomic_path(path) as tmp, open(tmp, "wb") as fh:
                np.savez(fh, **{name: arr})
        except OSError as exc:
            log.warning("cannot write the cache file %s: %s", path, exc)

    def features(self, layer: str | None = None) -> np.ndarray:
        """Flattened outputs of ``layer`` for every sample (computed once, cached)."""
        layer = self.check_layer(layer)
        if layer in self._features:
            return self._features[layer]
        with self._lock(("features", layer)):
            if layer in self._features:
                return self._features[layer]
            path = self._cache_file("features", layer)
            arr = self._load(path, "features", len(self))
            if arr is None:
                from spacekit.dashboard.explorer.model import forward

                t0 = time.perf_counter()
                with self._model_lock:
                    _, feats = forward(self.model, self.x, [layer])
                arr = feats[layer]
                self.timings[f"features:{layer}"] = time.perf_counter() - t0
                self._save(path, "features", arr)
            self._features[layer] = arr
            return arr

    def is_cached(self, space: str, method: str) -> bool:
        """True when the projection is in memory or on disk (no computing needed)."""
        if (space, method) in self._projections:
            return True
        path = self._cache_file("projection", space, method)
        return path is not None and path.is_file()

    def projection(self, space: str, method: str = "pca") -> np.ndarray:
        """2-D coordinates of every sample in ``space`` (``"input"`` or a layer name)."""
        from spacekit.dashboard.explorer.projection import check_method, project

        check_method(method)
        space = space if space == INPUT_SPACE else self.check_layer(space)
        key = (space, method)
        if key in self._projections:
            return self._projections[key]
        with self._lock(("projection", *key)):
            if key in self._projections:
                return self._projections[key]
            path = self._cache_file("projection", space, method)
            coords = self._load(path, "coords", len(self))
            if coords is None:
                vectors = self.data.images if space == INPUT_SPACE else self.features(space)
                t0 = time.perf_counter()
                coords = project(vectors, method)
                self.timings[f"projection:{space}:{method}"] = time.perf_counter() - t0
                log.info("%s projection of %s: %.1f s", method, space, time.perf_counter() - t0)
                self._save(path, "coords", coords)
            self._projections[key] = coords
            return coords

    def row(self, i: int) -> dict:
        """Label, prediction, confidence and loss of sample ``i`` (display strings)."""
        i = int(i)
        return {
            "index": i,
            "label": self.classes[int(self.data.labels[i])],
            "prediction": self.classes[int(self.predicted[i])],
            "confidence": float(self.confidence[i]),
            "loss": float(self.loss[i]),
            "name": None if self.data.names is None else self.data.names[i],
            "split": None if self.data.split is None else str(self.data.split[i]),
        }


def _file_digest(path: Path) -> str:
    from spacekit.builder.registry_fetch import file_sha256

    return file_sha256(path)


def build_context(
    model=None,
    data: str | os.PathLike | ExplorerData = "digits",
    layer: str | None = None,
    *,
    max_samples: int | None = None,
    cache: str | os.PathLike | None | bool = None,
    epochs: int | None = None,
    progress: bool = False,
    norm: int | None = None,
) -> ExplorerContext:
    """Load the data and the model (or train the default CNN), predict, check everything.

    Parameters
    ----------
    model : str, path-like or keras.Model, optional
        A ``.keras`` (or legacy ``.h5``) classifier, an ``svm_align`` archive (``.zip``
        or folder) or its registry name (``packaged/svm_align``); None trains (or loads
        the cached) default CNN on the data.
    data : str, path-like or ExplorerData, default="digits"
        See :func:`~spacekit.dashboard.explorer.data.load_data`.
    layer : str, optional
        Default hidden layer (default: the layer feeding the output layer).
    max_samples : int, optional
        Stratified subsample of the data.
    cache : path-like or False, optional
        Cache folder (default ``<spacekit cache>/explorer``); False keeps nothing on disk
        (the default model is then trained in a temporary folder).
    epochs : int, optional
        Epochs of the default CNN.
    progress : bool, default=False
        Progress bars (training, forward pass).
    norm : {0, 1}, optional
        Models with a feature input (the SVM ensemble) only: 0 feeds raw features and
        0-255 pixels, 1 normalised features and pixels in [0, 1]. Default: what the
        archive says the model was trained with, else 0.

    Returns
    -------
    ExplorerContext

    Raises
    ------
    InputError
        Bad data, a model that is not a classifier, data that does not fit it, an
        unknown layer (the messages list the valid choices).
    """
    import tempfile

    from spacekit.dashboard.explorer import ensemble as E
    from spacekit.dashboard.explorer import model as M
    from spacekit.dashboard.explorer.default_model import DEFAULT_EPOCHS, train_default_model

    timings = {}
    t0 = time.perf_counter()
    cache_path = None if cache is False else explorer_cache_dir(cache or None)
    loaded_model, model_path, name, tx, trained_norm = None, None, None, None, None
    if model is not None and not isinstance(model, str | os.PathLike):
        loaded_model = model
    elif E.is_archive_reference(model):
        found = E.load_svm_archive(model)
        loaded_model, model_path, name = found.model, found.path, found.name
        tx, trained_norm = found.tx_data, found.norm
    elif model is not None:
        model_path = Path(model).expanduser()
        loaded_model = M.load_classifier(model_path)
    info = M.check_classifier(loaded_model) if loaded_model is not None else None
    if info is not None and info.feature_width is not None and tx is None and model_path:
        if model_path.suffix.lower() == ".keras":
            tx = E.tx_beside(model_path)
    if isinstance(data, ExplorerData):
        dataset = data
    else:
        size = None
        if info is not None and len(info.input_shape) >= 3 and None not in info.input_shape[:2]:
            size = tuple(info.input_shape[-3:-1])
        dataset = load_data(data, size=size, max_samples=max_samples)
    timings["load data"] = time.perf_counter() - t0
    if loaded_model is None:
        t1 = time.perf_counter()
        digest = data_digest(dataset)
        folder = cache_path if cache_path is not None else Path(tempfile.mkdtemp())
        loaded_model, split, model_path = train_default_model(
            dataset.images, dataset.labels, len(dataset.classes), digest, folder,
            epochs=epochs or DEFAULT_EPOCHS, progress=progress,
        )  # fmt: skip
        dataset.split = split
        info = M.check_classifier(loaded_model)
        timings["default model"] = time.perf_counter() - t1
        name = "default CNN"
    elif name is None:
        name = model_path.name if model_path is not None else loaded_model.name
    numbered = dataset.classes == tuple(str(i) for i in range(len(dataset.classes)))
    if numbered and len(dataset.classes) < info.n_classes:  # unnamed classes: the model's
        dataset.classes = tuple(str(i) for i in range(info.n_classes))
    if info.n_classes != len(dataset.classes):
        raise InputError(
            f"The model predicts {info.n_classes} classes but the data has "
            f"{len(dataset.classes)} ({', '.join(dataset.classes[:12])}); pass the data "
            "the model was trained on."
        )
    if info.feature_width is not None:
        if norm is None:
            norm = 0 if trained_norm is None else trained_norm
        elif trained_norm is not None and int(norm) != trained_norm:
            log.warning(
                "%s was trained with norm=%d but norm=%s was asked for: its predictions will "
                "be wrong unless the inputs are scaled the same way", name, trained_norm, norm,
            )  # fmt: skip
    else:
        norm = None
    images = M.conform_images(dataset.images, info.input_shape)
    x = E.model_inputs(dataset, info, images, norm or 0, tx)
    chosen = M.check_layer(loaded_model, layer)
    t2 = time.perf_counter()
    raw, feats = M.forward(loaded_model, x, [chosen], progress=progress)
    timings["forward pass"] = time.perf_counter() - t2
    if model_path is not None and model_path.is_file():
        digest = _file_digest(model_path)
    else:  # an in-memory model or an archive folder: its weights are its identity
        h = hashlib.sha256()
        for w in loaded_model.get_weights():
            h.update(np.ascontiguousarray(w).tobytes())
        digest = h.hexdigest()
    if norm is not None:  # the inputs, so the hidden layers, depend on it
        digest = f"{digest}-norm{norm}"
    ctx = ExplorerContext(
        data=dataset,
        model=loaded_model,
        info=info,
        model_name=name,
        model_digest=digest,
        layer=chosen,
        layers=M.hidden_layer_names(loaded_model),
        x=x,
        probabilities=M.to_probabilities(raw, info),
        cache=cache_path,
        timings=timings,
        norm=norm,
    )
    ctx._features[chosen] = feats[chosen]
    timings["total"] = time.perf_counter() - t0
    return ctx
