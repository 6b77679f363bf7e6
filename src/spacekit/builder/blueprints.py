"""Model blueprints: named network architectures and their training settings.

A :class:`Blueprint` holds everything needed to rebuild one of spacekit's published
networks: layer sizes, activations, layer names, the optimizer with its learning-rate
schedule, the loss and metrics, and the fit settings (epochs, batch size, early stopping).
Blueprints are plain data; Keras is imported only when :meth:`Blueprint.build` (or one of
the ``build_*``/``make_*`` functions) is called.

The JWST calibration regressors (spacekit 1.1.4 §1.12):

===============  ==========================================  ===================
name             hidden layers (ReLU)                          output
===============  ==========================================  ===================
``img3_reg``     18, 36, 72, 144, 72, 36, 18, 9                 ``image3_regressor``
``spec3_reg``    18, 36, 72, 144, 288, 144, 72, 36, 18          ``spec3_regressor``
===============  ==========================================  ===================

Both take 18 inputs and output the Level-3 memory footprint in GB (linear output).
They are compiled with Adam on an exponentially decaying learning rate
(1e-4, decay steps 100000, rate 0.96, staircase), mean squared error loss and a root
mean squared error metric named ``rmse`` (so Keras logs ``rmse`` and ``val_rmse``).

The HST calibration networks (spacekit 1.1.4 §3.1), on the 9 features of input
``hst_jobs``, trained with Adam at a constant learning rate of 1e-3:

============  ==========================================  ==============================
name          hidden layers (ReLU)                          output
============  ==========================================  ==============================
``mem_clf``   18, 32, 64, 32, 18, 9                         ``output_mem_clf``: 4 softmax
``mem_reg``   18, 32, 64, 32, 18, 9                         ``memory_reg``: GB
``wall_reg``  18, 32, 64, 128, 256, 128, 64, 32, 18, 9      ``wallclock_reg``: seconds
============  ==========================================  ==============================

``mem_clf`` is compiled with categorical cross-entropy and an ``accuracy`` metric.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from spacekit._optional import require
from spacekit.exceptions import InputError

__all__ = [
    "Blueprint",
    "BLUEPRINTS",
    "get_blueprint",
    "list_blueprints",
    "build_mlp_regressor",
    "make_lr_schedule",
    "make_optimizer",
    "compile_regressor",
    "compile_classifier",
    "compile_model",
]

#: Keyword names a ``layer_kwargs`` entry may set on a hidden Dense layer.
ALLOWED_LAYER_KWARGS = frozenset(
    {
        "units",
        "activation",
        "use_bias",
        "kernel_initializer",
        "bias_initializer",
        "kernel_regularizer",
        "bias_regularizer",
        "activity_regularizer",
        "kernel_constraint",
        "bias_constraint",
    }
)


@dataclasses.dataclass(frozen=True)
class Blueprint:
    """Architecture and training settings of one named network.

    Parameters
    ----------
    name : str
        Model name (also the ``.keras`` file stem), e.g. ``"img3_reg"``.
    input_dim : int
        Number of input features.
    hidden : tuple of int
        Units of each hidden Dense layer, in order.
    input_name, output_name : str
        Names of the input layer and the output Dense layer.
    activation : str, default="relu"
        Activation of the hidden layers.
    output_units : int, default=1
    output_activation : str, default="linear"
    loss : str, default="mse"
    learning_rate : float, default=1e-4
        Initial learning rate of the exponential-decay schedule.
    decay_steps : int, default=100000
    decay_rate : float, default=0.96
    staircase : bool, default=True
    epochs : int, default=200
    batch_size : int, default=32
    early_stopping : str or None, default="val_rmse"
        Metric monitored by early stopping (None disables it).
    patience : int, default=15
    aliases : tuple of str
        Other accepted names (the 1.1.4 names ``jwst_img3_reg`` ...).
    task : {"regression", "classification"}, default="regression"
        Classification compiles with ``loss`` and an ``accuracy`` metric, regression with
        an ``rmse`` metric.
    """

    name: str
    input_dim: int
    hidden: tuple[int, ...]
    input_name: str
    output_name: str
    activation: str = "relu"
    output_units: int = 1
    output_activation: str = "linear"
    loss: str = "mse"
    learning_rate: float = 1e-4
    decay_steps: int = 100_000
    decay_rate: float = 0.96
    staircase: bool = True
    epochs: int = 200
    batch_size: int = 32
    early_stopping: str | None = "val_rmse"
    patience: int = 15
    aliases: tuple[str, ...] = ()
    task: str = "regression"

    @property
    def layer_names(self) -> list[str]:
        """Names of the hidden layers, ``{position}_dense{units}`` counted from 1."""
        return [f"{i}_dense{units}" for i, units in enumerate(self.hidden, start=1)]

    def replace(self, **changes: Any) -> Blueprint:
        """Return a copy with some fields changed (e.g. ``epochs=20``)."""
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise InputError(
                f"Unknown blueprint field(s) {sorted(unknown)}; expected some of "
                f"{[f.name for f in dataclasses.fields(self)]}."
            )
        if "hidden" in changes:
            changes["hidden"] = tuple(int(u) for u in changes["hidden"])
        return dataclasses.replace(self, **changes)

    def build(self, layer_kwargs: Mapping | None = None, compile: bool = True, seed=None):
        """Build (and by default compile) the Keras model of this blueprint.

        Parameters
        ----------
        layer_kwargs : mapping, optional
            Per-layer overrides, see :func:`build_mlp_regressor`.
        compile : bool, default=True
            Compile with the blueprint's optimizer, loss and metrics.
        seed : int, optional
            Seed of the Glorot-uniform kernel initializers (reproducible weights).

        Returns
        -------
        keras.Model
        """
        model = build_mlp_regressor(
            self.input_dim,
            layers=self.hidden,
            name=self.name,
            input_name=self.input_name,
            output_name=self.output_name,
            activation=self.activation,
            output_units=self.output_units,
            output_activation=self.output_activation,
            layer_kwargs=layer_kwargs,
            seed=seed,
        )
        if compile:
            compile_model(model, self)
        return model


BLUEPRINTS: dict[str, Blueprint] = {
    "img3_reg": Blueprint(
        name="img3_reg",
        input_dim=18,
        hidden=(18, 36, 72, 144, 72, 36, 18, 9),
        input_name="jwst_cal_image3",
        output_name="image3_regressor",
        aliases=("jwst_img3_reg", "image"),
    ),
    "spec3_reg": Blueprint(
        name="spec3_reg",
        input_dim=18,
        hidden=(18, 36, 72, 144, 288, 144, 72, 36, 18),
        input_name="jwst_cal_spec3",
        output_name="spec3_regressor",
        aliases=("jwst_spec3_reg", "spec"),
    ),
    "mem_clf": Blueprint(
        name="mem_clf",
        input_dim=9,
        hidden=(18, 32, 64, 32, 18, 9),
        input_name="hst_jobs",
        output_name="output_mem_clf",
        output_units=4,
        output_activation="softmax",
        loss="categorical_crossentropy",
        learning_rate=1e-3,
        decay_rate=1.0,
        epochs=60,
        batch_size=32,
        early_stopping="val_loss",
        patience=10,
        aliases=("hst_mem_clf", "memory_classifier"),
        task="classification",
    ),
    "mem_reg": Blueprint(
        name="mem_reg",
        input_dim=9,
        hidden=(18, 32, 64, 32, 18, 9),
        input_name="hst_jobs",
        output_name="memory_reg",
        learning_rate=1e-3,
        decay_rate=1.0,
        epochs=60,
        batch_size=32,
        early_stopping="val_loss",
        patience=10,
        aliases=("hst_mem_reg", "memory_regressor"),
    ),
    "wall_reg": Blueprint(
        name="wall_reg",
        input_dim=9,
        hidden=(18, 32, 64, 128, 256, 128, 64, 32, 18, 9),
        input_name="hst_jobs",
        output_name="wallclock_reg",
        learning_rate=1e-3,
        decay_rate=1.0,
        epochs=300,
        batch_size=64,
        early_stopping="val_loss",
        patience=15,
        aliases=("hst_wall_reg", "wallclock_regressor"),
    ),
}


def list_blueprints() -> list[str]:
    """Return the names of the registered blueprints."""
    return sorted(BLUEPRINTS)


def get_blueprint(name: str) -> Blueprint:
    """Return the blueprint registered under ``name`` (or one of its aliases).

    Parameters
    ----------
    name : str
        ``"img3_reg"``, ``"spec3_reg"``, ``"mem_clf"``, ``"mem_reg"`` or ``"wall_reg"``;
        the 1.1.4 names (``"jwst_img3_reg"``, ``"hst_mem_clf"`` ...), the Keras model names
        (``"memory_classifier"`` ...) and the JWST exposure modes ``"image"``/``"spec"``
        also work.

    Returns
    -------
    Blueprint

    Raises
    ------
    InputError
        If no blueprint has that name.

    Examples
    --------
    >>> from spacekit.builder.blueprints import get_blueprint
    >>> get_blueprint("jwst_img3_reg").hidden
    (18, 36, 72, 144, 72, 36, 18, 9)
    """
    key = str(name).strip().lower()
    if key in BLUEPRINTS:
        return BLUEPRINTS[key]
    for bp in BLUEPRINTS.values():
        if key in bp.aliases:
            return bp
    known = sorted(list(BLUEPRINTS) + [a for bp in BLUEPRINTS.values() for a in bp.aliases])
    raise InputError(f"Unknown blueprint {name!r}; expected one of {known}.")


def _resolve_layer_kwargs(
    layer_kwargs: Mapping | None, names: Sequence[str], n_hidden: int
) -> dict[int, dict]:
    """Map user ``layer_kwargs`` keys (position or layer name) to 0-based positions."""
    resolved: dict[int, dict] = {}
    for key, kwargs in (layer_kwargs or {}).items():
        if isinstance(key, bool):
            raise InputError(f"layer_kwargs key {key!r} is not a layer position or name.")
        if isinstance(key, int):
            pos = key
        elif isinstance(key, str) and key in names:
            pos = list(names).index(key)
        elif isinstance(key, str) and key.isdigit():
            pos = int(key)
        else:
            raise InputError(
                f"layer_kwargs key {key!r} does not name a hidden layer; use a 0-based "
                f"position (0..{n_hidden - 1}) or one of {list(names)}."
            )
        if not 0 <= pos < n_hidden:
            raise InputError(
                f"layer_kwargs position {pos} is out of range; the network has "
                f"{n_hidden} hidden layers (positions 0..{n_hidden - 1})."
            )
        if not isinstance(kwargs, Mapping):
            raise InputError(
                f"layer_kwargs[{key!r}] must be a dict of Dense keyword arguments; "
                f"received {type(kwargs).__name__}."
            )
        bad = set(kwargs) - ALLOWED_LAYER_KWARGS
        if bad:
            raise InputError(
                f"layer_kwargs[{key!r}] has unsupported keys {sorted(bad)}; allowed: "
                f"{sorted(ALLOWED_LAYER_KWARGS)}."
            )
        resolved[pos] = dict(kwargs)
    return resolved


def build_mlp_regressor(
    input_dim: int,
    layers: Sequence[int] = (18, 36, 72, 144, 72, 36, 18, 9),
    name: str = "img3_reg",
    *,
    input_name: str | None = None,
    output_name: str | None = None,
    activation: str = "relu",
    output_units: int = 1,
    output_activation: str = "linear",
    layer_kwargs: Mapping | None = None,
    seed: int | None = None,
):
    """Build an uncompiled fully connected Keras regressor.

    Parameters
    ----------
    input_dim : int
        Number of input features.
    layers : sequence of int, default=(18, 36, 72, 144, 72, 36, 18, 9)
        Units of the hidden Dense layers; they are named ``{i}_dense{units}`` (i from 1).
    name : str, default="img3_reg"
        Model name.
    input_name, output_name : str, optional
        Names of the input layer and of the output Dense layer
        (default ``"{name}_input"`` and ``"{name}_output"``).
    activation : str, default="relu"
        Hidden-layer activation.
    output_units : int, default=1
    output_activation : str, default="linear"
    layer_kwargs : mapping, optional
        Overrides for individual hidden layers. Keys are the **0-based position** of a
        hidden layer (``0`` is the first hidden layer) or its name (``"1_dense18"``);
        values are dicts of ``keras.layers.Dense`` arguments among ``units``,
        ``activation``, ``use_bias``, the initializers, regularizers and constraints.
        (spacekit 1.1.4 documented positions but keyed by layer size; spacekit keys by
        position or name.)
    seed : int, optional
        Seed for the Glorot-uniform kernel initializers.

    Returns
    -------
    keras.Model
        A functional model mapping ``(n, input_dim)`` to ``(n, output_units)``.
    """
    keras = require("keras", feature="building models")
    layers = [int(u) for u in layers]
    if int(input_dim) < 1 or not layers or min(layers) < 1:
        raise InputError(
            f"input_dim and layer sizes must be positive; received input_dim={input_dim}, "
            f"layers={layers}."
        )
    names = [f"{i}_dense{u}" for i, u in enumerate(layers, start=1)]
    overrides = _resolve_layer_kwargs(layer_kwargs, names, len(layers))
    inputs = keras.Input(shape=(int(input_dim),), name=input_name or f"{name}_input")
    x = inputs
    for pos, units in enumerate(layers):
        kwargs = {
            "units": units,
            "activation": activation,
            "kernel_initializer": keras.initializers.GlorotUniform(
                seed=None if seed is None else int(seed) + pos
            ),
        }
        kwargs.update(overrides.get(pos, {}))
        x = keras.layers.Dense(name=names[pos], **kwargs)(x)
    outputs = keras.layers.Dense(
        output_units,
        activation=output_activation,
        kernel_initializer=keras.initializers.GlorotUniform(
            seed=None if seed is None else int(seed) + len(layers)
        ),
        name=output_name or f"{name}_output",
    )(x)
    return keras.Model(inputs=inputs, outputs=outputs, name=name)


def make_lr_schedule(bp: Blueprint):
    """Return the blueprint's ``keras.optimizers.schedules.ExponentialDecay``."""
    keras = require("keras", feature="training")
    return keras.optimizers.schedules.ExponentialDecay(
        initial_learning_rate=bp.learning_rate,
        decay_steps=bp.decay_steps,
        decay_rate=bp.decay_rate,
        staircase=bp.staircase,
    )


def make_optimizer(bp: Blueprint):
    """Return an Adam optimizer on the blueprint's learning-rate schedule."""
    keras = require("keras", feature="training")
    return keras.optimizers.Adam(learning_rate=make_lr_schedule(bp))


def compile_model(model, bp: Blueprint):
    """Compile ``model`` for the blueprint's task (regression or classification)."""
    if bp.task == "classification":
        return compile_classifier(model, bp)
    return compile_regressor(model, bp)


def compile_classifier(model, bp: Blueprint):
    """Compile ``model`` with Adam + schedule, the blueprint loss and an ``accuracy`` metric.

    Returns
    -------
    keras.Model
        The same model, compiled.
    """
    model.compile(optimizer=make_optimizer(bp), loss=bp.loss, metrics=["accuracy"])
    return model


def compile_regressor(model, bp: Blueprint):
    """Compile ``model`` with Adam + schedule, the blueprint loss and an ``rmse`` metric.

    Returns
    -------
    keras.Model
        The same model, compiled.
    """
    keras = require("keras", feature="training")
    model.compile(
        optimizer=make_optimizer(bp),
        loss=bp.loss,
        metrics=[keras.metrics.RootMeanSquaredError(name="rmse")],
    )
    return model
