"""A loaded network where spacekit 1.1.4 kept a ``Builder``: the model is in ``.model``."""

from __future__ import annotations

__all__ = ["ModelHandle"]


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
