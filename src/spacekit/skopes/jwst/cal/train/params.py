"""Hyper-parameters of a training run: blueprint overrides and the hyper-parameters file.

:func:`override_blueprint` applies the run's options (``custom_arch`` with 1.1.4 key
names, ``--epochs``, ``--batch-size``, ``--early-stopping``) to a blueprint;
:func:`hyperparameters` describes the run in ``summary/{mode}-hyperparameters.json``.

Examples
--------
>>> from spacekit.builder.blueprints import get_blueprint
>>> from spacekit.skopes.jwst.cal.train.params import override_blueprint
>>> bp = override_blueprint(
...     get_blueprint("jwst_img3_reg"), {"fit_params": {"lr": 0.01}}, epochs=5
... )
>>> bp.epochs, bp.learning_rate
(5, 0.01)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from spacekit.builder.blueprints import Blueprint

__all__ = ["FIELD_ALIASES", "override_blueprint", "hyperparameters"]

#: 1.1.4 ``custom_arch`` key -> :class:`~spacekit.builder.blueprints.Blueprint` field.
FIELD_ALIASES = {"layers": "hidden", "lr": "learning_rate", "batch": "batch_size"}


def override_blueprint(
    bp: Blueprint,
    custom_arch: Mapping | None = None,
    *,
    epochs: int | None = None,
    batch_size: int | None = None,
    early_stopping: str | None = None,
) -> Blueprint:
    """Return ``bp`` with the run's overrides applied (``bp`` itself when there are none).

    Parameters
    ----------
    bp : Blueprint
    custom_arch : dict, optional
        ``{"build_params": {...}, "fit_params": {...}}``; 1.1.4 names (``layers``, ``lr``,
        ``batch``) are accepted.
    epochs, batch_size : int, optional
    early_stopping : str, optional
        Metric to monitor; ``"none"`` (or ``"false"``, ``"0"``, ``""``) disables it.
    """
    changes: dict[str, Any] = {}
    for part in ("build_params", "fit_params"):
        for key, value in dict((custom_arch or {}).get(part, {})).items():
            changes[FIELD_ALIASES.get(key, key)] = value
    if epochs is not None:
        changes["epochs"] = int(epochs)
    if batch_size is not None:
        changes["batch_size"] = int(batch_size)
    if early_stopping is not None:
        off = str(early_stopping).lower() in ("none", "false", "0", "")
        changes["early_stopping"] = None if off else str(early_stopping)
    return bp.replace(**changes) if changes else bp


def hyperparameters(bp: Blueprint, *, exp_mode: str, architecture: str, **run: Any) -> dict:
    """The hyper-parameters file: the blueprint's fit settings plus the ``run`` settings."""
    return {
        "exp_mode": exp_mode,
        "architecture": architecture,
        "hidden": list(bp.hidden),
        "epochs": bp.epochs,
        "batch_size": bp.batch_size,
        "learning_rate": bp.learning_rate,
        "decay_steps": bp.decay_steps,
        "decay_rate": bp.decay_rate,
        "early_stopping": bp.early_stopping,
        "patience": bp.patience,
        **run,
    }
