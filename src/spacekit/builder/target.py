"""From a regressor's raw output to a reported value: inverse target transform and bounds.

A network may be trained on a transformed target (``log`` of the memory, say). The
transform is recorded with the model's normalisation statistics, in the ``tx_data``
JSON of its archive, as ``"target": {"transform": "log"}``; archives without it (all
spacekit 1.1.4 archives) predict the target directly (``"identity"``).

Reported values are then bounded: below a documented floor (e.g. a negative memory) or
above a cap, the value is set to the bound and the product is flagged, never changed
silently.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from spacekit.exceptions import DataError

__all__ = ["TARGET_TRANSFORMS", "target_transform", "inverse_target", "bound_value"]

#: Transform name -> inverse (from network output to target units).
TARGET_TRANSFORMS = {
    "identity": lambda z: z,
    "log": np.exp,
    "log1p": np.expm1,
}


def target_transform(tx: Mapping | None, where: str = "tx_data") -> str:
    """The target transform recorded in ``tx`` (``"identity"`` when there is none).

    Raises
    ------
    DataError
        If ``tx`` names a transform spacekit does not know.
    """
    spec = (tx or {}).get("target") if isinstance(tx, Mapping) else None
    if spec is None:
        return "identity"
    name = spec.get("transform") if isinstance(spec, Mapping) else spec
    if name not in TARGET_TRANSFORMS:
        raise DataError(
            f"{where} records the target transform {name!r}; this spacekit knows "
            f"{sorted(TARGET_TRANSFORMS)}. Upgrade spacekit or use another archive."
        )
    return str(name)


def inverse_target(values, transform: str = "identity") -> np.ndarray:
    """Map network outputs back to target units (float64; overflow gives ``inf``)."""
    z = np.asarray(values, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        return TARGET_TRANSFORMS[transform](z)


def bound_value(
    value: float, floor: float, cap: float, unit: str = "GB"
) -> tuple[float, str | None]:
    """Clip ``value`` to ``[floor, cap]`` and say why when it was changed.

    Returns
    -------
    value : float
        The bounded value.
    flag : str or None
        ``"floor: model output -0.08 GB raised to the 0.1 GB floor"``, ``"cap: ..."`` or
        None when the value was inside the bounds.
    """
    if value < floor:
        return floor, f"floor: model output {value:.3g} {unit} raised to the {floor:g} {unit} floor"
    if value > cap:
        return cap, f"cap: model output {value:.4g} {unit} lowered to the {cap:g} {unit} cap"
    return value, None
