"""Blueprints of the SVM alignment ensemble: an MLP on 10 features + a 3D CNN on 3 images.

The ensemble classifies an HST single-visit mosaic as aligned (0) or misaligned (1) from

* ``X`` of shape (n, 10): ``numexp, rms_ra, rms_dec, nmatches, point, segment, gaia, det,
  wcs, cat`` (spacekit 1.1.4 §2.2), through an MLP branch;
* ``I`` of shape (n, 3, 128, 128, 3): the plain, source-overlay and Gaia-overlay frames,
  RGB, through a 3D-convolution branch (the three frames are the depth axis);

concatenates the two branches, then ``Dense(9)`` and a sigmoid output. Inputs are given
in that order, ``[X, I]``.

Two blueprints are registered:

=====================  ==========================================================  ==========
name                   CNN branch                                                  parameters
=====================  ==========================================================  ==========
``svm_ensemble``       1.1.4's: Conv3D 32-32-64-128-256 (3×3×3), first pool 2,     ~1.3 M
                       BatchNorm, global average pool, Dense 512, dropout 0.3
``svm_ensemble_lite``  average-pool to 64×64, Conv3D 8 (3×3×3) pooled over the     ~14 k
                       frames, Conv 16-32 (1×3×3) with 2×2 pooling, Dense 32;
                       input scaling layers inside the model (raw features and
                       0-255 pixels in)
=====================  ==========================================================  ==========

``svm_ensemble`` rebuilds the published ``svm_align`` network layer for layer (28 layers,
same input and output names), so its weights can be loaded into it. ``svm_ensemble_lite``
trains in minutes on two CPU cores; it is the architecture of spacekit's packaged default.
Both are compiled with binary cross-entropy, Adam on an exponentially decaying learning rate
(1e-4, 100000 steps, 0.96, staircase) and accuracy plus ROC-AUC metrics.

Only Keras built-in layers are used (no Lambda), so the models load with
``safe_mode=True``. Keras is imported only when a model is built.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from spacekit._optional import require
from spacekit.exceptions import InputError
from spacekit.preprocessor.scrub_svm import FEATURE_COLUMNS

__all__ = [
    "EnsembleBlueprint",
    "ENSEMBLE_BLUEPRINTS",
    "SVM_FEATURES",
    "get_ensemble_blueprint",
    "build_ensemble",
]

#: The MLP branch's input columns, in order (spacekit 1.1.4 §2.2): the feature columns of
#: ``svm_data.csv`` as written by prep.
SVM_FEATURES: tuple[str, ...] = tuple(FEATURE_COLUMNS)

_BRANCHES = ("ensemble", "mlp", "cnn")


@dataclasses.dataclass(frozen=True)
class EnsembleBlueprint:
    """Architecture and training settings of an SVM alignment ensemble.

    Parameters
    ----------
    name : str
        Blueprint name (``"svm_ensemble"``).
    n_features : int, default=10
    image_shape : tuple of int, default=(3, 128, 128, 3)
        (frames, height, width, channels).
    mlp_layers : tuple of int, default=(18, 32, 64, 32, 18)
        Units of the MLP branch; layers are named ``{i}_dense{units}``.
    input_pool : tuple of int or None, default=None
        Average pooling applied to the images before the first convolution (e.g.
        ``(1, 2, 2)`` halves height and width).
    conv_filters : tuple of int
        Filters of each Conv3D layer.
    conv_kernels : tuple of tuple of int
        Kernel of each Conv3D layer (same length as ``conv_filters``).
    conv_pools : tuple of tuple of int
        MaxPooling3D pool size after each Conv3D layer.
    cnn_dense : int, default=512
        Units of the Dense layer after global average pooling.
    dropout : float, default=0.3
    head_units : int, default=9
        Units of the Dense layer on the concatenated branches.
    activation : str, default="leaky_relu"
    scale_inputs : bool, default=False
        Put the input scaling inside the model: a ``Normalization`` layer on the features
        (adapted to the training data) and ``Rescaling(1/255)`` on the pixels. The model
        then takes raw features and 0-255 images (``norm=0``).
    mlp_input_name, image_input_name, mixed_name, output_name : str
        Layer names (those of the published ``svm_align`` model by default).
    learning_rate, decay_steps, decay_rate, staircase
        Adam's exponentially decaying learning rate.
    epochs : int, default=60
    batch_size : int, default=32
    early_stopping : str or None, default=None
        Metric monitored by early stopping (e.g. ``"val_loss"``); None disables it.
    patience : int, default=15
    aliases : tuple of str
        Other accepted names.
    """

    name: str
    n_features: int = 10
    image_shape: tuple[int, int, int, int] = (3, 128, 128, 3)
    mlp_layers: tuple[int, ...] = (18, 32, 64, 32, 18)
    input_pool: tuple[int, int, int] | None = None
    conv_filters: tuple[int, ...] = (32, 32, 64, 128, 256)
    conv_kernels: tuple[tuple[int, int, int], ...] = ((3, 3, 3),) * 5
    conv_pools: tuple[tuple[int, int, int], ...] = ((2, 2, 2),) + ((1, 1, 1),) * 4
    cnn_dense: int = 512
    dropout: float = 0.3
    head_units: int = 9
    activation: str = "leaky_relu"
    scale_inputs: bool = False
    mlp_input_name: str = "svm_inputs"
    image_input_name: str = "img3d_inputs"
    mixed_name: str = "combined_input"
    output_name: str = "ensemble_output"
    learning_rate: float = 1e-4
    decay_steps: int = 100_000
    decay_rate: float = 0.96
    staircase: bool = True
    epochs: int = 60
    batch_size: int = 32
    early_stopping: str | None = None
    patience: int = 15
    aliases: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        n = len(self.conv_filters)
        if len(self.conv_kernels) != n or len(self.conv_pools) != n:
            raise InputError(
                f"conv_filters, conv_kernels and conv_pools must have the same length; "
                f"received {n}, {len(self.conv_kernels)} and {len(self.conv_pools)}."
            )
        if len(self.image_shape) != 4 or min(self.image_shape) < 1:
            raise InputError(
                f"image_shape must be (frames, height, width, channels); received "
                f"{self.image_shape}."
            )

    @property
    def image_size(self) -> int:
        """Side of the square input images (pixels)."""
        return int(self.image_shape[1])

    def replace(self, **changes: Any) -> EnsembleBlueprint:
        """Return a copy with some fields changed (e.g. ``epochs=10, batch_size=16``).

        ``image_size=N`` is accepted as a shortcut for ``image_shape=(3, N, N, 3)``.
        """
        if "image_size" in changes:
            size = int(changes.pop("image_size"))
            frames, _, _, ch = self.image_shape
            changes["image_shape"] = (frames, size, size, ch)
        fields = {f.name for f in dataclasses.fields(self)}
        unknown = set(changes) - fields
        if unknown:
            raise InputError(
                f"Unknown ensemble blueprint field(s) {sorted(unknown)}; expected some of "
                f"{sorted(fields)} (or image_size)."
            )
        for key in ("mlp_layers", "conv_filters", "image_shape"):
            if key in changes:
                changes[key] = tuple(int(v) for v in changes[key])
        for key in ("conv_kernels", "conv_pools"):
            if key in changes:
                changes[key] = tuple(tuple(int(v) for v in t) for t in changes[key])
        return dataclasses.replace(self, **changes)

    def build(self, branch: str = "ensemble", *, seed: int | None = None, compile: bool = True):
        """Build (and by default compile) the Keras model; see :func:`build_ensemble`."""
        return build_ensemble(self, branch=branch, seed=seed, compile=compile)


ENSEMBLE_BLUEPRINTS: dict[str, EnsembleBlueprint] = {
    "svm_ensemble": EnsembleBlueprint(
        name="svm_ensemble", aliases=("ensemble", "ensemblesvm", "svm_align")
    ),
    "svm_ensemble_lite": EnsembleBlueprint(
        name="svm_ensemble_lite",
        input_pool=(1, 2, 2),
        conv_filters=(8, 16, 32),
        conv_kernels=((3, 3, 3), (1, 3, 3), (1, 3, 3)),
        conv_pools=((3, 2, 2), (1, 2, 2), (1, 2, 2)),
        cnn_dense=32,
        dropout=0.3,
        scale_inputs=True,
        learning_rate=2e-3,
        decay_steps=1000,
        decay_rate=0.9,
        staircase=False,
        epochs=30,
        batch_size=32,
        aliases=("lite", "svm_lite"),
    ),
}


def get_ensemble_blueprint(name: str | EnsembleBlueprint) -> EnsembleBlueprint:
    """Return the ensemble blueprint registered under ``name`` (or an alias).

    Examples
    --------
    >>> from spacekit.builder.ensemble import get_ensemble_blueprint
    >>> get_ensemble_blueprint("ensembleSVM").conv_filters
    (32, 32, 64, 128, 256)
    """
    if isinstance(name, EnsembleBlueprint):
        return name
    key = str(name).strip().lower()
    for bp in ENSEMBLE_BLUEPRINTS.values():
        if key == bp.name or key in bp.aliases:
            return bp
    known = sorted(
        list(ENSEMBLE_BLUEPRINTS) + [a for b in ENSEMBLE_BLUEPRINTS.values() for a in b.aliases]
    )
    raise InputError(f"Unknown ensemble blueprint {name!r}; expected one of {known}.")


def _mlp_branch(keras, bp: EnsembleBlueprint, init):
    inputs = keras.Input(shape=(bp.n_features,), name=bp.mlp_input_name)
    x = inputs
    if bp.scale_inputs:
        x = keras.layers.Normalization(name="feature_scaling")(x)
    for i, units in enumerate(bp.mlp_layers, start=1):
        x = keras.layers.Dense(
            units, activation=bp.activation, kernel_initializer=init(), name=f"{i}_dense{units}"
        )(x)
    return inputs, x


def _cnn_branch(keras, bp: EnsembleBlueprint, init):
    inputs = keras.Input(shape=tuple(bp.image_shape), name=bp.image_input_name)
    x = inputs
    if bp.scale_inputs:
        x = keras.layers.Rescaling(1.0 / 255.0, name="pixel_scaling")(x)
    if bp.input_pool is not None:
        x = keras.layers.AveragePooling3D(bp.input_pool, name="downsample")(x)
    stages = zip(bp.conv_filters, bp.conv_kernels, bp.conv_pools, strict=True)
    for i, (filters, kernel, pool) in enumerate(stages, start=1):
        x = keras.layers.Conv3D(
            filters,
            kernel,
            padding="same",
            activation=bp.activation,
            kernel_initializer=init(),
            name=f"conv3d_{i}",
        )(x)
        x = keras.layers.MaxPooling3D(pool, name=f"max_pooling3d_{i}")(x)
        x = keras.layers.BatchNormalization(name=f"batch_normalization_{i}")(x)
    x = keras.layers.GlobalAveragePooling3D(name="global_average_pooling3d")(x)
    x = keras.layers.Dense(
        bp.cnn_dense, activation=bp.activation, kernel_initializer=init(), name="cnn_dense"
    )(x)
    x = keras.layers.Dropout(bp.dropout, name="dropout")(x)
    return inputs, x


def build_ensemble(
    bp: EnsembleBlueprint | str = "svm_ensemble",
    branch: str = "ensemble",
    *,
    name: str = "ensembleSVM",
    seed: int | None = None,
    compile: bool = True,
):
    """Build the SVM ensemble (or one of its branches alone, with its own sigmoid head).

    Parameters
    ----------
    bp : EnsembleBlueprint or str, default="svm_ensemble"
        Blueprint or its name.
    branch : {"ensemble", "mlp", "cnn"}, default="ensemble"
        ``"mlp"`` / ``"cnn"`` build one branch followed by the same ``Dense(head_units)``
        and sigmoid output: the single-branch models used to report what each branch
        achieves alone. They take one input (``X`` or ``I``).
    name : str, default="ensembleSVM"
        Model name (the ``.keras`` stem); branch models get ``_mlp`` / ``_cnn`` appended.
    seed : int, optional
        Seed of the Glorot-uniform kernel initializers.
    compile : bool, default=True

    Returns
    -------
    keras.Model
        Inputs ``[X, I]`` (ensemble), ``X`` (mlp) or ``I`` (cnn); output (n, 1) probabilities.
    """
    keras = require("keras", feature="building the SVM ensemble")
    bp = get_ensemble_blueprint(bp)
    if branch not in _BRANCHES:
        raise InputError(f"branch must be one of {_BRANCHES}; received {branch!r}.")
    counter = iter(range(10_000))

    def init():
        return keras.initializers.GlorotUniform(
            seed=None if seed is None else int(seed) + next(counter)
        )

    parts = []
    if branch in ("ensemble", "mlp"):
        parts.append(_mlp_branch(keras, bp, init))
    if branch in ("ensemble", "cnn"):
        parts.append(_cnn_branch(keras, bp, init))
    inputs = [p[0] for p in parts]
    x = (
        keras.layers.Concatenate(name="concatenate")([p[1] for p in parts])
        if len(parts) == 2
        else parts[0][1]
    )
    x = keras.layers.Dense(
        bp.head_units, activation=bp.activation, kernel_initializer=init(), name=bp.mixed_name
    )(x)
    out = keras.layers.Dense(
        1, activation="sigmoid", kernel_initializer=init(), name=bp.output_name
    )(x)
    model_name = name if branch == "ensemble" else f"{name}_{branch}"
    model = keras.Model(
        inputs=inputs if len(inputs) == 2 else inputs[0], outputs=out, name=model_name
    )
    if compile:
        compile_classifier(model, bp)
    return model


def compile_classifier(model, bp: EnsembleBlueprint):
    """Compile with Adam on the blueprint's schedule, binary cross-entropy, accuracy and AUC."""
    keras = require("keras", feature="training")
    schedule = keras.optimizers.schedules.ExponentialDecay(
        initial_learning_rate=bp.learning_rate,
        decay_steps=bp.decay_steps,
        decay_rate=bp.decay_rate,
        staircase=bp.staircase,
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=schedule),
        loss="binary_crossentropy",
        metrics=["accuracy", keras.metrics.AUC(name="auc")],
    )
    return model
