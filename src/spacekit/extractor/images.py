"""Read SVM image triplets back as the CNN sees them: 128×128 RGB, nearest-neighbour.

spacekit 1.1.4 read each PNG with ``keras.utils.load_img(path, color_mode="rgb",
target_size=(128, 128))``: Pillow decodes the file, converts it to RGB (an alpha channel
is dropped, not composited) and resizes it with nearest-neighbour sampling.
:func:`read_image` does exactly that with Pillow alone (no TensorFlow), so the arrays are
identical to 1.1.4's, byte for byte. The published ``svm_align`` network was trained on
such arrays.

A visit ``name`` has three frames, in this order (spec §2.3)::

    {img_path}/{name}/{name}.png          plain
    {img_path}/{name}/{name}_source.png   point + segment catalogue overlay
    {img_path}/{name}/{name}_gaia.png     Gaia overlay

Training sets may keep them in class folders, ``{img_path}/{0|1}/{name}/...``, as 1.1.4's
training did; :func:`find_visit_folder` looks in both places.

Examples
--------
>>> from spacekit.extractor.images import load_svm_images
>>> images, names, skipped = load_svm_images("img", ["hst_..._ibpb01"])  # doctest: +SKIP
>>> images.shape  # doctest: +SKIP
(1, 3, 128, 128, 3)
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from spacekit.exceptions import InputError, SkippedInputWarning

__all__ = [
    "FRAME_SUFFIXES",
    "IMAGE_SIZE",
    "ImageReadError",
    "read_image",
    "frame_paths",
    "find_visit_folder",
    "read_visit_frames",
    "load_svm_images",
    "load_svm_npz",
]

log = logging.getLogger(__name__)

#: File-name suffixes of the three frames of a visit, in the order the CNN expects.
FRAME_SUFFIXES: tuple[str, str, str] = ("", "_source", "_gaia")
#: Side (pixels) of the square CNN inputs of the published ``svm_align`` network.
IMAGE_SIZE = 128
#: Image file formats tried for each frame, in order.
_FORMATS = (".png", ".jpg", ".jpeg")
#: Largest image accepted (pixels), far above a 24-inch 1.1.4 rendering (~2400² px).
_MAX_PIXELS = 64_000_000


class ImageReadError(InputError):
    """An image file is missing, unreadable or not an image (names the file)."""


def _check_size(size) -> int:
    if isinstance(size, bool) or not isinstance(size, int | np.integer) or not 8 <= size <= 4096:
        raise InputError(f"size must be an integer between 8 and 4096; received size={size!r}.")
    return int(size)


def read_image(path: str | os.PathLike, size: int = IMAGE_SIZE) -> np.ndarray:
    """Read one image as a ``(size, size, 3)`` uint8 RGB array (nearest-neighbour resize).

    Identical to ``keras.utils.load_img(path, color_mode="rgb", target_size=(size, size))``
    followed by ``img_to_array``, without importing Keras.

    Parameters
    ----------
    path : path-like
        A PNG or JPEG file.
    size : int, default=128
        Side of the output; the image is resized only if its size differs.

    Returns
    -------
    numpy.ndarray of shape (size, size, 3), dtype uint8

    Raises
    ------
    ImageReadError
        If the file does not exist, cannot be decoded or is implausibly large.
    """
    from PIL import Image, UnidentifiedImageError

    size = _check_size(size)
    path = Path(path)
    try:
        with Image.open(path) as img:
            w, h = img.size
            if w * h > _MAX_PIXELS:
                raise ImageReadError(
                    f"Image '{path}' is {w}×{h} pixels, more than {_MAX_PIXELS}; refusing "
                    "to decode it."
                )
            rgb = img.convert("RGB") if img.mode != "RGB" else img
            if rgb.size != (size, size):
                rgb = rgb.resize((size, size), Image.Resampling.NEAREST)
            return np.asarray(rgb, dtype=np.uint8).copy()
    except FileNotFoundError as exc:
        raise ImageReadError(f"Image '{path}' does not exist.") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ImageReadError(f"Image '{path}' could not be read: {exc}") from exc


def frame_paths(folder: str | os.PathLike, name: str, fmt: str = ".png") -> list[Path]:
    """The three frame files of visit ``name`` inside ``folder`` (plain, source, gaia)."""
    folder = Path(folder)
    return [folder / f"{name}{sfx}{fmt}" for sfx in FRAME_SUFFIXES]


def find_visit_folder(
    img_path: str | os.PathLike, name: str, classes: Sequence[str] = ("0", "1")
) -> Path | None:
    """Return the folder holding visit ``name``'s frames, or None.

    Looks in ``{img_path}/{name}`` first, then in the class folders
    ``{img_path}/{cls}/{name}`` (1.1.4's training layout).
    """
    root = Path(img_path)
    for folder in [root / name, *(root / str(c) / name for c in classes)]:
        if folder.is_dir():
            return folder
    return None


def read_visit_frames(img_path: str | os.PathLike, name: str, size: int = IMAGE_SIZE) -> np.ndarray:
    """Read the three frames of visit ``name`` as a ``(3, size, size, 3)`` uint8 array.

    Raises
    ------
    ImageReadError
        If the visit folder is missing, or any of its three frames is missing or unreadable
        (the message names the file).
    """
    folder = find_visit_folder(img_path, name)
    if folder is None:
        raise ImageReadError(
            f"No image folder for '{name}' under '{img_path}' (looked for {name}/ and "
            f"0/{name}/, 1/{name}/)."
        )
    frames = []
    for sfx in FRAME_SUFFIXES:
        found = [folder / f"{name}{sfx}{fmt}" for fmt in _FORMATS]
        path = next((p for p in found if p.is_file()), None)
        if path is None:
            raise ImageReadError(
                f"Visit '{name}' lacks its '{sfx or 'plain'}' frame: '{found[0]}' does not "
                "exist (each visit needs three images: plain, _source and _gaia)."
            )
        frames.append(read_image(path, size))
    return np.stack(frames)


def load_svm_images(
    img_path: str | os.PathLike,
    names: Iterable[str],
    size: int = IMAGE_SIZE,
    *,
    progress: bool = False,
) -> tuple[np.ndarray, list[str], list[tuple[str, str]]]:
    """Read the image triplets of many visits; skip (and report) the unusable ones.

    Parameters
    ----------
    img_path : path-like
        Folder holding one sub-folder per visit (or class folders ``0/``, ``1/``), or a
        ``.npz`` file with ``index`` and ``images`` arrays (see :func:`load_svm_npz`).
    names : iterable of str
        Visit names (the ``index`` of ``svm_data.csv``).
    size : int, default=128
        Side of the square frames.
    progress : bool, default=False
        Show a progress bar (hidden when not on a terminal).

    Returns
    -------
    images : numpy.ndarray of shape (n_kept, 3, size, size, 3), dtype uint8
    kept : list of str
        The names whose three frames were read, in input order.
    skipped : list of (str, str)
        ``(name, reason)`` for each visit left out; each one is also logged and warned
        with :class:`~spacekit.exceptions.SkippedInputWarning`.

    Raises
    ------
    InputError
        If ``img_path`` does not exist.
    """
    names = [str(n) for n in names]
    size = _check_size(size)
    root = Path(img_path)
    if not root.exists():
        raise InputError(
            f"Image path '{root}' does not exist. Pass the 'img' folder written by "
            "'spacekit svm prep' (one sub-folder per visit) or an .npz of images."
        )
    if root.is_file():
        return _select_npz(load_svm_npz(root, size), names)
    from spacekit._progress import progress_bar

    out = np.empty((len(names), len(FRAME_SUFFIXES), size, size, 3), dtype=np.uint8)
    kept, skipped = [], []
    bar = progress_bar(names, progress=progress, desc="images", unit="visit", leave=False)
    for name in bar:
        try:
            out[len(kept)] = read_visit_frames(root, name, size)
        except ImageReadError as exc:
            skipped.append((name, str(exc)))
            continue
        kept.append(name)
    _report(skipped)
    return out[: len(kept)], kept, skipped


def load_svm_npz(path: str | os.PathLike, size: int | None = None) -> tuple[list[str], np.ndarray]:
    """Read an ``.npz`` of SVM images (keys ``index`` and ``images``) without pickle.

    Returns
    -------
    names : list of str
    images : numpy.ndarray of shape (n, 3, size, size, 3)
        1.1.4's training layout ``(n, size, size, 9)`` is accepted and reshaped the way
        1.1.4 did (a memory reinterpretation).
    """
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as data:
            if "index" not in data.files or "images" not in data.files:
                raise InputError(
                    f"'{path}' must hold the arrays 'index' and 'images'; it holds {data.files}."
                )
            names = [str(n) for n in data["index"]]
            images = np.asarray(data["images"])
    except (OSError, ValueError) as exc:
        raise InputError(
            f"'{path}' is not a readable .npz of images ({exc}). Object arrays (pickle) are "
            "refused; save the names as a string array."
        ) from exc
    if images.ndim == 4 and images.shape[-1] == 9:
        images = images.reshape(images.shape[0], 3, images.shape[1], images.shape[2], 3)
    if images.ndim != 5 or images.shape[1] != 3 or images.shape[-1] != 3:
        raise InputError(
            f"'{path}' images have shape {images.shape}; expected (n, 3, size, size, 3)."
        )
    if len(names) != images.shape[0]:
        raise InputError(f"'{path}' has {len(names)} names but {images.shape[0]} images.")
    if size is not None and images.shape[2:4] != (size, size):
        raise InputError(
            f"'{path}' images are {images.shape[2]}×{images.shape[3]}, not {size}×{size}."
        )
    return names, images


def _select_npz(loaded, names: list[str]):
    stored, images = loaded
    pos = {n: i for i, n in enumerate(stored)}
    kept = [n for n in names if n in pos]
    skipped = [(n, "not in the .npz of images") for n in names if n not in pos]
    _report(skipped)
    sel = images[[pos[n] for n in kept]] if kept else images[:0]
    return sel, kept, skipped


def _report(skipped: list[tuple[str, str]]) -> None:
    for name, reason in skipped:
        log.info("Skipped %s: %s", name, reason)
        warnings.warn(f"Skipped {name}: {reason}", SkippedInputWarning, stacklevel=3)
