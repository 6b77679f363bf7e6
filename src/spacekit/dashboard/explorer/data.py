"""Image data sets for the model explorer: scikit-learn's digits, image folders, ``.npz``.

Every loader returns an :class:`ExplorerData`: images as ``float32`` arrays scaled to
[0, 1] (integer inputs are divided by their range), integer labels, class names and
where the data came from. :func:`load_data` picks the loader from the argument:

``"digits"`` (default)
    scikit-learn's packaged 8×8 handwritten digits (1,797 images, 10 classes; no
    download).
a folder of class-named sub-folders
    ``cats/*.png``, ``dogs/*.jpg`` ...; class names are the folder names (sorted). Images
    are read with Pillow, in grayscale when every image is grayscale, else RGB, and
    resized (bilinear) to ``size`` (the model's input size when a model is given, else
    the most common size). Unreadable files are skipped with a
    :class:`~spacekit.exceptions.SkippedInputWarning` naming each one.
an ``.npz`` file
    arrays ``images`` (or ``x``/``X``) and ``labels`` (or ``y``), optionally ``classes``
    (strings); read with ``allow_pickle=False``.
the SVM PNGs
    the output folder of ``spacekit svm prep`` (``img/`` and a CSV with ``index`` and
    ``label``), or an image folder in the training layout ``{0,1}/{visit}/`` (see
    :mod:`spacekit.dashboard.explorer.data_svm`).

Examples
--------
>>> from spacekit.dashboard.explorer.data import load_data
>>> data = load_data("digits", max_samples=100)
>>> data.images.shape, data.classes[:3], len(data)
((100, 8, 8, 1), ('0', '1', '2'), 100)
"""

from __future__ import annotations

import collections
import logging
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from spacekit.exceptions import InputError, SkippedInputWarning

__all__ = [
    "ExplorerData",
    "DATA_NAMES",
    "IMAGE_SUFFIXES",
    "load_data",
    "load_digits_data",
    "load_image_folder",
    "load_npz",
    "subsample",
    "data_digest",
]

log = logging.getLogger(__name__)

#: Named data sets that need no path.
DATA_NAMES: tuple[str, ...] = ("digits",)
#: Image files read from class folders.
IMAGE_SUFFIXES: tuple[str, ...] = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff")
_NPZ_IMAGE_KEYS = ("images", "x", "X")
_NPZ_LABEL_KEYS = ("labels", "y", "Y")
_MAX_PIXELS = 16_000_000


@dataclass
class ExplorerData:
    """Images with labels, as the explorer shows them and feeds them to the model.

    Attributes
    ----------
    images : numpy.ndarray of shape (n, ...) and dtype float32
        ``(n, h, w, c)`` for plain images, ``(n, frames, h, w, c)`` for SVM triplets;
        values in [0, 1] for data read from integer pixels.
    labels : numpy.ndarray of shape (n,) and dtype int64
        Class index of each image.
    classes : tuple of str
        Class names, ``classes[label]``.
    source : str
        Where the data came from (shown in the page).
    names : tuple of str, optional
        A name per image (file or visit), when there is one.
    split : numpy.ndarray of shape (n,), optional
        ``"train"``/``"test"`` when the model was trained here on a known split.
    features : numpy.ndarray of shape (n, k), optional
        Tabular inputs beside the images, for models with a second, feature input (the
        SVM ensemble's 10 statistics of ``svm_data.csv``), unscaled.
    feature_names : tuple of str, optional
        Names of the ``features`` columns.
    """

    images: np.ndarray
    labels: np.ndarray
    classes: tuple[str, ...]
    source: str
    names: tuple[str, ...] | None = None
    split: np.ndarray | None = field(default=None)
    features: np.ndarray | None = field(default=None)
    feature_names: tuple[str, ...] | None = field(default=None)

    def __post_init__(self) -> None:
        self.images = np.asarray(self.images, dtype=np.float32)
        self.labels = np.asarray(self.labels, dtype=np.int64).reshape(-1)
        self.classes = tuple(str(c) for c in self.classes)
        if self.images.ndim < 3:
            raise InputError(
                f"Images must have at least 3 dimensions (n, height, width); received "
                f"shape {self.images.shape} from {self.source}."
            )
        if len(self.images) != len(self.labels):
            raise InputError(
                f"{self.source}: {len(self.images)} images but {len(self.labels)} labels."
            )
        if len(self.labels) == 0:
            raise InputError(f"{self.source} holds no images.")
        if self.labels.min() < 0 or self.labels.max() >= len(self.classes):
            raise InputError(
                f"{self.source}: labels must be class indices 0..{len(self.classes) - 1}; "
                f"found {int(self.labels.min())}..{int(self.labels.max())}."
            )
        if not np.isfinite(self.images).all():
            raise InputError(f"{self.source}: the images contain NaN or infinite values.")
        if self.features is not None:
            self.features = np.asarray(self.features, dtype=np.float32)
            if self.features.ndim != 2 or len(self.features) != len(self.labels):
                raise InputError(
                    f"{self.source}: features must have shape (n_images, k) = "
                    f"({len(self.labels)}, k); received {self.features.shape}."
                )
            if not np.isfinite(self.features).all():
                raise InputError(f"{self.source}: the features contain NaN or infinite values.")
            names = self.feature_names or tuple(f"f{i}" for i in range(self.features.shape[1]))
            if len(names) != self.features.shape[1]:
                raise InputError(
                    f"{self.source}: {len(names)} feature names for "
                    f"{self.features.shape[1]} feature columns."
                )
            self.feature_names = tuple(str(n) for n in names)

    def __len__(self) -> int:
        return int(len(self.labels))

    @property
    def image_shape(self) -> tuple[int, ...]:
        """Shape of one image."""
        return tuple(int(s) for s in self.images.shape[1:])

    def counts(self) -> dict[str, int]:
        """Number of images of each class."""
        n = np.bincount(self.labels, minlength=len(self.classes))
        return {c: int(k) for c, k in zip(self.classes, n, strict=True)}

    def take(self, index: np.ndarray) -> ExplorerData:
        """A new data set of the rows ``index``."""
        index = np.asarray(index, dtype=np.int64)
        return ExplorerData(
            self.images[index],
            self.labels[index],
            self.classes,
            self.source,
            None if self.names is None else tuple(self.names[i] for i in index),
            None if self.split is None else self.split[index],
            None if self.features is None else self.features[index],
            self.feature_names,
        )


def _scaled(images: np.ndarray) -> np.ndarray:
    """Integer pixels to [0, 1]; floats unchanged."""
    if np.issubdtype(images.dtype, np.bool_):
        return images.astype(np.float32)
    if np.issubdtype(images.dtype, np.integer):
        top = 255.0 if images.max(initial=0) > 1 else 1.0
        if images.max(initial=0) > 255:
            top = float(np.iinfo(images.dtype).max)
        return images.astype(np.float32) / top
    return images.astype(np.float32, copy=False)


def _with_channels(images: np.ndarray) -> np.ndarray:
    return images[..., None] if images.ndim == 3 else images


def data_digest(data: ExplorerData) -> str:
    """SHA-256 (hex) of the images, labels and class names (the cache key of the data)."""
    import hashlib

    h = hashlib.sha256()
    h.update(repr((data.images.shape, data.classes)).encode())
    h.update(np.ascontiguousarray(data.images).tobytes())
    h.update(np.ascontiguousarray(data.labels).tobytes())
    if data.features is not None:
        h.update(repr(data.feature_names).encode())
        h.update(np.ascontiguousarray(data.features).tobytes())
    return h.hexdigest()


def subsample(data: ExplorerData, max_samples: int | None, seed: int = 0) -> ExplorerData:
    """At most ``max_samples`` images, drawn per class in proportion (stratified), in order.

    Every class keeps at least one image when ``max_samples`` allows it.
    """
    if max_samples is None or max_samples >= len(data):
        return data
    if isinstance(max_samples, bool) or int(max_samples) < 1:
        raise InputError(f"max_samples must be a positive integer; received {max_samples!r}.")
    rng = np.random.default_rng(seed)
    counts = np.bincount(data.labels, minlength=len(data.classes))
    share = counts / counts.sum() * int(max_samples)
    quota = np.floor(share).astype(int)
    quota[(counts > 0) & (quota == 0)] = 1
    order = np.argsort(-(share - np.floor(share)))
    i = 0
    while quota.sum() < max_samples and i < len(order) * 4:
        k = order[i % len(order)]
        if quota[k] < counts[k]:
            quota[k] += 1
        i += 1
    while quota.sum() > max_samples:
        quota[int(np.argmax(quota))] -= 1
    keep = []
    for k, q in enumerate(quota):
        members = np.flatnonzero(data.labels == k)
        if q > 0:
            keep.append(rng.choice(members, size=min(q, len(members)), replace=False))
    index = np.sort(np.concatenate(keep))
    return data.take(index)


def load_digits_data() -> ExplorerData:
    """scikit-learn's packaged digits: 1,797 images of 8×8 pixels, values scaled to [0, 1]."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    images = (bunch.images / 16.0).astype(np.float32)[..., None]
    return ExplorerData(
        images,
        bunch.target,
        tuple(str(c) for c in bunch.target_names),
        "scikit-learn digits",
    )


def _read_pil(path: Path):
    from PIL import Image, UnidentifiedImageError

    try:
        img = Image.open(path)
        img.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InputError(f"Image '{path}' could not be read: {exc}") from exc
    if img.size[0] * img.size[1] > _MAX_PIXELS:
        raise InputError(f"Image '{path}' is {img.size[0]}×{img.size[1]} pixels; too large.")
    return img


def _class_folders(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def load_image_folder(
    path: str | os.PathLike,
    size: tuple[int, int] | None = None,
    channels: int | None = None,
) -> ExplorerData:
    """Read a folder of class-named sub-folders of images.

    Parameters
    ----------
    path : path-like
        ``path/<class>/<image>``; class names are the sub-folder names, sorted.
    size : (int, int), optional
        ``(height, width)`` to resize every image to. Default: the most common size.
    channels : {1, 3}, optional
        Grayscale or RGB. Default: 1 when every image is grayscale, else 3.

    Returns
    -------
    ExplorerData

    Raises
    ------
    InputError
        No class folders, no readable image, or a wrong ``size``/``channels``.
    """
    from PIL import Image

    root = Path(path)
    folders = _class_folders(root)
    files = [
        (k, f)
        for k, folder in enumerate(folders)
        for f in sorted(folder.iterdir())
        if f.is_file() and f.suffix.lower() in IMAGE_SUFFIXES
    ]
    if not folders or not files:
        raise InputError(
            f"'{root}' has no class folders with images: expected <class>/<image> files "
            f"with suffixes {', '.join(IMAGE_SUFFIXES)}."
        )
    if channels not in (None, 1, 3):
        raise InputError(f"channels must be 1 or 3; received {channels!r}.")
    images, labels, names, skipped = [], [], [], []
    for k, f in files:
        try:
            images.append(_read_pil(f))
        except InputError as exc:
            skipped.append(str(exc))
            continue
        labels.append(k)
        names.append(f"{folders[k].name}/{f.name}")
    for reason in skipped:
        warnings.warn(f"Skipped {reason}", SkippedInputWarning, stacklevel=2)
    if not images:
        raise InputError(f"None of the {len(files)} image files under '{root}' could be read.")
    gray = all(im.mode in ("1", "L", "I", "I;16", "F", "LA") for im in images)
    channels = channels or (1 if gray else 3)
    if size is None:
        size = collections.Counter((im.size[1], im.size[0]) for im in images).most_common(1)[0][0]
    height, width = (int(s) for s in size)
    out = np.empty((len(images), height, width, channels), dtype=np.float32)
    for i, im in enumerate(images):
        im = im.convert("L" if channels == 1 else "RGB")
        if im.size != (width, height):
            im = im.resize((width, height), Image.Resampling.BILINEAR)
        arr = np.asarray(im, dtype=np.float32) / 255.0
        out[i] = arr[..., None] if channels == 1 else arr
    if skipped:
        log.warning("skipped %d unreadable image(s) under %s", len(skipped), root)
    classes = tuple(f.name for f in folders)
    return ExplorerData(out, labels, classes, f"image folder {root}", tuple(names))


def _pick(loaded, keys: Sequence[str], what: str, path: Path):
    for key in keys:
        if key in loaded.files:
            return loaded[key]
    raise InputError(
        f"'{path}' has no {what} array: looked for {list(keys)}; it holds {loaded.files}."
    )


def load_npz(path: str | os.PathLike) -> ExplorerData:
    """Read ``images`` (or ``x``) and ``labels`` (or ``y``), optionally ``classes``.

    Loaded with ``allow_pickle=False``: object arrays are refused. Labels may be integers
    0..k-1 or strings (then the classes are the sorted distinct strings).
    """
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as loaded:
            images = _pick(loaded, _NPZ_IMAGE_KEYS, "images", path)
            labels = _pick(loaded, _NPZ_LABEL_KEYS, "labels", path)
            classes = loaded["classes"] if "classes" in loaded.files else None
    except (OSError, ValueError, EOFError) as exc:
        raise InputError(f"Cannot read '{path}' as an .npz without pickle: {exc}") from exc
    labels = np.asarray(labels).reshape(-1)
    if labels.dtype.kind in "US":
        names, labels = np.unique(labels.astype(str), return_inverse=True)
        classes = names if classes is None else classes
    elif labels.dtype.kind not in "iu" and not (
        labels.dtype.kind == "f" and np.all(labels == np.round(labels))
    ):
        raise InputError(f"'{path}': labels must be integers or strings; got {labels.dtype}.")
    labels = labels.astype(np.int64)
    if classes is None:
        classes = [str(c) for c in range(int(labels.max(initial=0)) + 1)]
    if images.dtype.kind not in "biuf":
        raise InputError(f"'{path}': images must be numbers; got dtype {images.dtype}.")
    return ExplorerData(
        _with_channels(_scaled(np.asarray(images))),
        labels,
        tuple(str(c) for c in np.asarray(classes).reshape(-1)),
        f"npz file {path}",
    )


def load_data(
    source: str | os.PathLike = "digits",
    *,
    size: tuple[int, int] | None = None,
    channels: int | None = None,
    max_samples: int | None = None,
    seed: int = 0,
) -> ExplorerData:
    """Load the explorer's data from a name or a path (see the module docstring).

    Parameters
    ----------
    source : str or path-like, default="digits"
        ``"digits"``, a folder of class folders, an ``.npz`` file or SVM PNGs.
    size : (int, int), optional
        Image folders only: ``(height, width)`` to resize to.
    channels : {1, 3}, optional
        Image folders only: grayscale or RGB.
    max_samples : int, optional
        Keep at most this many images, sampled per class (stratified), for large sets.
    seed : int, default=0
        Seed of that sampling.

    Returns
    -------
    ExplorerData

    Raises
    ------
    InputError
        An unknown name or a missing path (the message lists the valid choices), or
        unusable contents.
    """
    text = os.fspath(source)
    if text in DATA_NAMES:
        data = load_digits_data()
    else:
        path = Path(text).expanduser()
        if not path.exists():
            raise InputError(
                f"Unknown data {text!r}: not a named data set ({', '.join(DATA_NAMES)}) and "
                "no such file or folder. Pass 'digits', a folder of class-named image "
                "folders, an .npz with images and labels, or an 'svm prep' output folder."
            )
        from spacekit.dashboard.explorer import data_svm

        if path.is_file():
            if path.suffix.lower() != ".npz":
                raise InputError(
                    f"'{path}' is a file but not an .npz; pass an .npz of images and labels "
                    "or a folder."
                )
            data = load_npz(path)
        elif data_svm.is_svm_folder(path):
            data = data_svm.load_svm_data(path, size=size[0] if size else None)
        else:
            data = load_image_folder(path, size=size, channels=channels)
    return subsample(data, max_samples, seed)
