"""A loaded network where spacekit 1.1.4 kept a ``Builder``: the model is in ``.model``.

:func:`unwrap_model` and :func:`model_outputs` let predictors accept any of: a
:class:`~spacekit.builder.inference.NumpyMLP`, a Keras model, a scikit-learn-style object
with ``predict``, or such a model wrapped in a :class:`ModelHandle` / 1.1.4 ``Builder``.
"""

from __future__ import annotations

import inspect

import numpy as np

__all__ = ["ModelHandle", "unwrap_model", "model_outputs"]


def unwrap_model(obj):
    """The object with ``predict``: a handle's (or 1.1.4 ``Builder``'s) ``.model``, or ``obj``."""
    inner = getattr(obj, "model", None)
    return inner if inner is not None and hasattr(inner, "predict") else obj


def _takes_verbose(predict) -> bool:
    try:
        params = inspect.signature(predict).parameters.values()
    except (TypeError, ValueError):  # builtins without a signature
        return False
    return any(p.name == "verbose" or p.kind is p.VAR_KEYWORD for p in params)


def model_outputs(model, X) -> np.ndarray:
    """``model.predict(X)`` as an array, quietly for Keras models (``verbose=0``).

    Errors raised by the model propagate unchanged (there is no retry).
    """
    model = unwrap_model(model)
    if _takes_verbose(model.predict):
        return np.asarray(model.predict(X, verbose=0))
    return np.asarray(model.predict(X))


class ModelHandle:
    """Stands where 1.1.4 kept a ``Builder``: the loaded network is in ``.model``.

    Parameters
    ----------
    name : str
        Model name (``"img3_reg"``, ``"mem_clf"``).
    model : object
        An object with ``predict(X)``: a :class:`~spacekit.builder.inference.NumpyMLP`
        from an archive, or a user-supplied Keras model.
    model_path : str, optional
        The archive it came from.
    blueprint : str, optional
        1.1.4's blueprint name (``"jwst_img3_reg"``, ``"hst_mem_clf"``); default ``name``.
    """

    def __init__(
        self, name: str, model, model_path: str | None = None, blueprint: str | None = None
    ):
        self.name = name
        self.model = model
        self.model_path = model_path
        self.blueprint = blueprint or name

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, model={self.model!r})"
