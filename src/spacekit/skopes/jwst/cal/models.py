"""Load the JWST Level-3 memory models: spacekit 1.1.4's ``load_pretrained_model``.

:func:`load_pretrained_model` takes one model (``img3_reg`` or ``spec3_reg``) from a model
archive, read once per process; :class:`ModelHandle` stands where 1.1.4 kept a
``Builder``. Both are also importable from :mod:`spacekit.skopes.jwst.cal.predict`, the
documented path, whose :class:`~spacekit.skopes.jwst.cal.predict.JwstCalPredict` uses
:func:`archive_handle` and :func:`predict_quietly`.
"""

from __future__ import annotations

import inspect
import logging
import os

import numpy as np

from spacekit.builder.archive import ModelArchive, get_archive
from spacekit.builder.handle import ModelHandle as _BaseHandle
from spacekit.builder.registry import resolve_model_path
from spacekit.exceptions import DataError

__all__ = [
    "JWST_CAL_MODELS",
    "ModelHandle",
    "archive_handle",
    "load_pretrained_model",
    "predict_quietly",
]

# the logger of the documented module, which users filter on
log = logging.getLogger("spacekit.skopes.jwst.cal.predict")

#: The models loaded by :func:`load_pretrained_model`, by name (``"img3_reg"``,
#: ``"spec3_reg"``): the last one loaded under each name (spacekit 1.1.4's module cache).
#: :class:`~spacekit.skopes.jwst.cal.predict.JwstCalPredict` fills it but never reads it:
#: its warm starts come from the per-process archive cache, keyed by archive path, so a
#: ``model_path`` is always honoured.
JWST_CAL_MODELS: dict[str, ModelHandle] = {}


class ModelHandle(_BaseHandle):
    """Stands where 1.1.4 kept a ``Builder``: the loaded network is in ``.model``.

    Attributes
    ----------
    name : str
        Model name (``"img3_reg"``).
    model : object
        An object with ``predict(X)``: a :class:`~spacekit.builder.inference.NumpyMLP`
        from an archive, or a user-supplied Keras model.
    model_path : str or None
        The archive it came from.
    blueprint : str
        1.1.4's blueprint name (``"jwst_img3_reg"``).
    """

    def __init__(self, name: str, model, model_path: str | None = None):
        super().__init__(name, model, model_path, blueprint=f"jwst_{name}")


def _takes_verbose(predict) -> bool:
    """True if ``predict`` accepts ``verbose=`` (Keras models, NumpyMLP)."""
    try:
        params = inspect.signature(predict).parameters.values()
    except (TypeError, ValueError):  # builtins without a signature
        return False
    return any(p.name == "verbose" or p.kind is p.VAR_KEYWORD for p in params)


def predict_quietly(model, X: np.ndarray) -> np.ndarray:
    """``model.predict(X)``, quietly for Keras models; errors propagate unchanged.

    Parameters
    ----------
    model : object
        Anything with ``predict(X)``; ``verbose=0`` is passed only if it is accepted.
    X : numpy.ndarray
        The model inputs.

    Returns
    -------
    numpy.ndarray
        The model outputs.
    """
    if _takes_verbose(model.predict):
        return np.asarray(model.predict(X, verbose=0))
    return np.asarray(model.predict(X))


def load_pretrained_model(
    model_path: str | os.PathLike | None = None, name: str = "img3_reg", **kwargs
) -> ModelHandle:
    """Load one JWST model from an archive (spacekit 1.1.4's ``load_pretrained_model``).

    The archive is read once per process (see :func:`spacekit.builder.archive.get_archive`)
    and nothing is extracted; the handle is also stored in :data:`JWST_CAL_MODELS`.

    Parameters
    ----------
    model_path : str or path-like, optional
        A registry name (``"spacekit-1.1.4/jwst_cal"``, ``"packaged/jwst_cal"``) or the
        path of an archive (zip or folder, spacekit or 1.1.4 layout). Default: the archive
        shipped with spacekit.
    name : {"img3_reg", "spec3_reg"}, default="img3_reg"
        The model to take from the archive.
    **kwargs
        Other 1.1.4 ``Builder`` keywords (``blueprint``, ``extract_to``, ...): accepted
        and ignored, since nothing is extracted or rebuilt.

    Returns
    -------
    ModelHandle
        ``.model`` has ``predict(X)``; ``.model_path`` is the archive's path.

    Raises
    ------
    ArchiveError
        The archive cannot be found or read.
    DataError
        The archive has no model called ``name``.

    Examples
    --------
    >>> from spacekit.skopes.jwst.cal.predict import JWST_CAL_MODELS, load_pretrained_model
    >>> handle = load_pretrained_model(name="img3_reg")
    >>> handle.model.input_dim, JWST_CAL_MODELS["img3_reg"] is handle
    (18, True)
    """
    if kwargs:
        log.debug("load_pretrained_model ignores the 1.1.4 Builder options %s", sorted(kwargs))
    archive = get_archive(resolve_model_path(model_path, kind="jwst_cal"), name="jwst_cal")
    if name not in archive.models:
        raise DataError(
            f"The model archive '{archive.path}' has no {name!r} model; it holds "
            f"{sorted(archive.models)}."
        )
    return archive_handle(archive, name)


def archive_handle(archive: ModelArchive, name: str) -> ModelHandle:
    """Wrap the archive's model ``name`` in a :class:`ModelHandle` and record it.

    Parameters
    ----------
    archive : spacekit.builder.archive.ModelArchive
        A loaded archive holding ``name``.
    name : str
        The model name (``"img3_reg"``, ``"spec3_reg"``).

    Returns
    -------
    ModelHandle
        Also stored in :data:`JWST_CAL_MODELS` under ``name``.
    """
    handle = ModelHandle(name, archive.models[name], str(archive.path))
    JWST_CAL_MODELS[name] = handle
    return handle
