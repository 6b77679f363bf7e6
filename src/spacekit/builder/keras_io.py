"""Load ``.keras`` models with Keras, safely (for networks numpy inference cannot run).

The SVM alignment ensemble has a 3D-CNN branch, which
:class:`~spacekit.builder.inference.NumpyMLP` does not evaluate. :func:`load_keras_bytes`
loads such a model from the bytes of a ``.keras`` file (as read from a model archive, in
memory): the inner zip is checked like any archive (no path escape, no links, size
limits), then written to a private temporary folder and loaded with
``keras.models.load_model(..., safe_mode=True, compile=False)``, which refuses Lambda
layers and arbitrary code. Keras is imported only when a model is loaded.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from spacekit._optional import require
from spacekit.builder.archive_zip import list_members, open_zip
from spacekit.exceptions import ArchiveError

__all__ = ["load_keras_bytes", "keras_model_bytes", "inference_copy"]

log = logging.getLogger(__name__)

_REQUIRED = ("config.json", "model.weights.h5")


def load_keras_bytes(data: bytes, where: str = "model", *, compile: bool = False):
    """Load a Keras model from the bytes of a ``.keras`` file.

    Parameters
    ----------
    data : bytes
        Content of a ``.keras`` file (a zip with ``config.json`` and ``model.weights.h5``).
    where : str, default="model"
        Describes the model in error messages (e.g. ``"ensembleSVM.keras in svm_align.zip"``).
    compile : bool, default=False
        Restore the training configuration too (not needed for inference).

    Returns
    -------
    keras.Model

    Raises
    ------
    ArchiveError
        If the bytes are not a safe ``.keras`` zip, or Keras cannot load them in safe mode.
    OptionalDependencyError
        If Keras is not installed (``pip install "spacekit[ml]"``).
    """
    with open_zip(bytes(data)) as zf:
        members = list_members(zf, where)
    missing = [m for m in _REQUIRED if m not in members]
    if missing:
        raise ArchiveError(
            f"{where} is not a Keras 3 .keras file: it lacks {missing} (holds {members})."
        )
    keras = require("keras", feature="loading the SVM ensemble (CNN) model")
    with tempfile.TemporaryDirectory(prefix="spacekit-keras-") as tmp:
        path = Path(tmp) / "model.keras"
        path.write_bytes(bytes(data))
        try:
            model = keras.models.load_model(path, safe_mode=True, compile=compile)
        except Exception as exc:  # Keras raises many types; say which model and why
            raise ArchiveError(
                f"Keras could not load {where} in safe mode: {type(exc).__name__}: {exc}"
            ) from exc
    log.debug("loaded %s with Keras (%d layers)", where, len(model.layers))
    return model


def keras_model_bytes(model) -> bytes:
    """Return the bytes of ``model`` saved as a ``.keras`` file (nothing left on disk)."""
    with tempfile.TemporaryDirectory(prefix="spacekit-keras-") as tmp:
        path = Path(tmp) / "model.keras"
        model.save(path)
        return path.read_bytes()


def inference_copy(model):
    """Return an uncompiled copy of ``model`` with the same weights (no optimizer state).

    Saved archives then hold only what inference needs (about a third of the size of a
    compiled model with Adam's moments).
    """
    keras = require("keras", feature="packaging trained models")
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    return copy
