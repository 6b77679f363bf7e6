"""Image classifiers with a feature input too: the SVM alignment ensemble in the explorer.

The SVM ensemble (:mod:`spacekit.builder.ensemble`) takes ``[X, I]``: the 10 statistics
of ``svm_data.csv`` and the three frames of each visit. The explorer loads it

* from an ``svm_align`` archive (``.zip`` or folder, spacekit's or the published 1.1.4
  one) or a registry name (``packaged/svm_align``), through
  :func:`spacekit.builder.ensemble_model.load_ensemble_model`, which also gives the
  normalisation statistics and how the model was trained (``norm``);
* or from a two-input ``.keras`` file, with its ``tx_data.json`` beside it if any.

and feeds it the way ``spacekit svm predict`` does (:func:`model_inputs`): with
``norm=0`` raw features and 0-255 pixels, with ``norm=1`` the 7 continuous features
Yeo-Johnson-normalised by the archive's statistics and pixels in [0, 1]. Projections,
hard examples and the rest then work as for any image classifier; the input-space
projection is of the images.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from spacekit.exceptions import InputError

__all__ = ["LoadedModel", "is_archive_reference", "load_svm_archive", "tx_beside", "model_inputs"]

log = logging.getLogger(__name__)

#: The SVM features Yeo-Johnson-normalised with ``norm=1`` (the first 7, 1.1.4 §2.5).
N_NORMALISED = 7
_KERAS_SUFFIXES = (".keras", ".h5", ".hdf5")


@dataclass
class LoadedModel:
    """A model file the explorer loaded, with what it needs to feed it.

    Attributes
    ----------
    model : keras.Model
    path : pathlib.Path or None
        The file or archive (its hash keys the cache).
    name : str
        Shown in the page.
    tx_data : dict, optional
        Normalisation statistics of the feature input (``norm=1``).
    norm : int, optional
        How the model was trained, when the archive says.
    """

    model: object
    path: Path | None
    name: str
    tx_data: dict | None = None
    norm: int | None = None


def is_archive_reference(model) -> bool:
    """True for a value naming an ``svm_align`` archive: a ``.zip``, a folder, a registry name."""
    if model is None or not isinstance(model, str | os.PathLike):
        return False
    path = Path(model).expanduser()
    if path.suffix.lower() in _KERAS_SUFFIXES:
        return False
    if path.suffix.lower() == ".zip" or path.is_dir():
        return True
    from spacekit.builder.registry import is_registry_name

    return not path.exists() and is_registry_name(os.fspath(model))


def load_svm_archive(ref: str | os.PathLike) -> LoadedModel:
    """Load an ``svm_align`` archive or registry name (see the module notes).

    Raises
    ------
    InputError
        A path that does not exist.
    ArchiveError
        Not a usable ``svm_align`` archive (or an unknown registry name).
    """
    from spacekit.builder.ensemble_model import load_ensemble_model

    ens = load_ensemble_model(ref)
    norm = ens.training.get("norm")
    return LoadedModel(
        ens.model,
        Path(ens.path),
        ens.label,
        None if ens.tx_data is None else dict(ens.tx_data),
        None if norm is None else int(norm),
    )


def tx_beside(path: Path) -> dict | None:
    """The ``tx_data.json`` next to a ``.keras`` file, if there is one."""
    from spacekit.preprocessor.transform import load_tx_data

    tx_file = path.with_name("tx_data.json")
    return load_tx_data(tx_file) if tx_file.is_file() else None


def model_inputs(data, info, images: np.ndarray, norm: int = 0, tx: dict | None = None):
    """The model's inputs for ``data``: the images alone, or ``[features, images]`` in order.

    Parameters
    ----------
    data : ExplorerData
    info : ClassifierInfo
    images : numpy.ndarray
        The images fitted to the image input (values in [0, 1] when read from pixels).
    norm : {0, 1}, default=0
        For a model with a feature input: 0 feeds raw features and 0-255 pixels, 1 the
        normalised features (``tx``) and pixels in [0, 1] (``spacekit svm predict``'s rule).
    tx : dict, optional
        Normalisation statistics (required with ``norm=1``).

    Returns
    -------
    numpy.ndarray or list of numpy.ndarray

    Raises
    ------
    InputError
        The data has no features, or not as many as the model takes; ``norm=1`` without
        statistics.
    """
    if info.feature_width is None:
        return images
    if data.features is None:
        raise InputError(
            f"The model takes {info.feature_width} features per sample beside the images, but "
            f"{data.source} has none. Pass the output folder of 'spacekit svm prep' (its "
            "svm_data.csv holds the features) or an image-only classifier."
        )
    if data.features.shape[1] != info.feature_width:
        raise InputError(
            f"The model takes {info.feature_width} features per sample; {data.source} has "
            f"{data.features.shape[1]} ({', '.join(data.feature_names or ())})."
        )
    if norm not in (0, 1):
        raise InputError(f"norm must be 0 or 1; received {norm!r}.")
    feats = data.features.astype(np.float32)
    if norm:
        if tx is None:
            raise InputError(
                "norm=1 needs the normalisation statistics (tx_data.json) the model was "
                "trained with; this model has none. Pass norm=0."
            )
        import pandas as pd

        from spacekit.preprocessor.transform import apply_power_transform

        names = list(data.feature_names)
        cols = [str(c) for c in tx.get("columns", names[:N_NORMALISED])]
        missing = [c for c in cols if c not in names]
        if missing:
            raise InputError(f"The normalisation statistics name {missing}, not in {names}.")
        frame = apply_power_transform(pd.DataFrame(feats, columns=names), tx, cols=cols)
        feats = frame.to_numpy(np.float32)
        pixels = images.astype(np.float32)
    else:
        pixels = np.rint(images.astype(np.float32) * 255.0)
    return [feats if kind == "features" else pixels for kind in info.input_order]
