"""Import optional (heavy) dependencies lazily, naming the extra that provides them."""

from __future__ import annotations

import importlib
from types import ModuleType

from spacekit.exceptions import OptionalDependencyError

__all__ = ["EXTRAS", "require", "is_available"]

#: Which ``pip install "spacekit[EXTRA]"`` provides each optional top-level module.
EXTRAS: dict[str, str] = {
    "tensorflow": "ml",
    "keras": "ml",
    "dash": "dashboard",
    "waitress": "dashboard",
    "flask": "dashboard",
    "stdatamodels": "jwst",
    "boto3": "aws",
    "dask": "distributed",
    "distributed": "distributed",
}


def require(module: str, feature: str | None = None) -> ModuleType:
    """Import and return ``module``, or raise an ImportError that names the extra.

    Parameters
    ----------
    module : str
        Dotted module name, e.g. ``"keras"`` or ``"dash"``.
    feature : str, optional
        What the caller wanted to do, used in the message (e.g. ``"training"``).

    Returns
    -------
    types.ModuleType
        The imported module.

    Raises
    ------
    OptionalDependencyError
        If the module cannot be imported. The message says which extra to install.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        top = module.split(".")[0]
        extra = EXTRAS.get(top, "all")
        what = f" for {feature}" if feature else ""
        raise OptionalDependencyError(
            f"{top!r} is required{what} but could not be imported ({exc}). "
            f'Install it with: pip install "spacekit[{extra}]"'
        ) from exc


def is_available(module: str) -> bool:
    """Return True if ``module`` can be imported (it is imported to find out)."""
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True
