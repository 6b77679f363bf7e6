"""Train the SVM alignment ensemble: balanced, augmented batches; save as ``.keras``.

:class:`BuilderEnsemble` keeps spacekit 1.1.4's name and constructor
(``X_train, y_train, X_test, y_test, params``) and its ``build()`` / ``batch_fit()`` /
``save_model()`` steps, with 1.1.4's bugs fixed: ``name`` is honoured (1.1.4 always
called the model ``ensembleSVM``), nothing is written to the current directory (no
checkpoint file; early stopping keeps the best weights in memory), and every batch is
half aligned, half misaligned and augmented in numpy
(:mod:`spacekit.generator.augment`).

Inputs are always given **raw** (features as scraped, pixels 0..255): augmentation needs
raw values. A ``preprocess`` callable, e.g. the PowerX normalisation of ``norm=1``, is
applied to every batch after augmentation and to the validation set.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from spacekit._optional import require
from spacekit.builder._grappler import remapper_off
from spacekit.builder.architect import history_to_dict, save_keras_model
from spacekit.builder.ensemble import (
    SVM_FEATURES,
    EnsembleBlueprint,
    build_ensemble,
    get_ensemble_blueprint,
)
from spacekit.exceptions import InputError, SpacekitWarning
from spacekit.generator.augment import augment_features, augment_images

__all__ = ["BuilderEnsemble", "split_inputs", "PARAM_ALIASES"]

log = logging.getLogger(__name__)

#: 1.1.4 ``params`` keys -> blueprint fields (``decay`` is ``[steps, rate]``).
PARAM_ALIASES = {"lr": "learning_rate", "batch": "batch_size", "batchsize": "batch_size"}

Preprocess = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def split_inputs(inputs) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(X, I)`` from ``[X, I]`` (X may be a DataFrame), checking the shapes."""
    if not isinstance(inputs, list | tuple) or len(inputs) != 2:
        raise InputError(
            "Ensemble inputs must be a pair [X, I]: features of shape (n, 10) and images "
            f"of shape (n, 3, size, size, 3); received {type(inputs).__name__}."
        )
    X = np.asarray(getattr(inputs[0], "values", inputs[0]), dtype=np.float32)
    I_ = np.asarray(inputs[1])
    if X.ndim != 2 or I_.ndim != 5 or X.shape[0] != I_.shape[0]:
        raise InputError(
            f"Ensemble inputs have shapes {X.shape} and {I_.shape}; expected (n, n_features) "
            "and (n, 3, size, size, 3) with the same n."
        )
    return X, I_


def _labels(y, n: int) -> np.ndarray:
    y = np.asarray(y, dtype=np.float32).reshape(-1)
    if y.size != n:
        raise InputError(f"Got {y.size} labels for {n} samples.")
    if not np.isin(y, (0.0, 1.0)).all():
        raise InputError("Labels must be 0 (aligned) or 1 (misaligned).")
    return y


def _identity(X: np.ndarray, I_: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return X, I_.astype(np.float32, copy=False)


def _select(branch: str, X: np.ndarray, I_: np.ndarray):
    """The model inputs of ``branch``: ``(X, I)``, ``X`` or ``I``."""
    if branch == "mlp":
        return X
    if branch == "cnn":
        return I_
    return (X, I_)


def _make_batches(
    keras, X, I_, y, *, batch_size, steps, seed, augment, columns, preprocess, branch
):
    """A keras PyDataset of balanced (half 0, half 1), augmented, preprocessed batches."""

    class _Batches(keras.utils.PyDataset):
        def __init__(self):
            super().__init__()
            self.rng = np.random.default_rng(seed)
            self.pos = np.flatnonzero(y == 1)
            self.neg = np.flatnonzero(y == 0)
            self.balanced = self.pos.size > 0 and self.neg.size > 0

        def __len__(self):
            return steps

        def _indices(self) -> np.ndarray:
            if not self.balanced:
                return self.rng.choice(y.size, batch_size, replace=y.size < batch_size)
            half = batch_size // 2
            parts = [
                self.rng.choice(self.pos, half, replace=self.pos.size < half),
                self.rng.choice(
                    self.neg, batch_size - half, replace=self.neg.size < batch_size - half
                ),
            ]
            return self.rng.permutation(np.concatenate(parts))

        def __getitem__(self, index):
            idx = self._indices()
            xb, ib = X[idx], I_[idx]
            if augment and branch != "cnn":
                xb = augment_features(xb, self.rng, columns)
            if augment and branch != "mlp":
                ib = augment_images(ib, self.rng)
            xb, ib = preprocess(xb, ib)
            return _select(branch, xb, ib), y[idx]

    return _Batches()


class BuilderEnsemble:
    """Build and train the SVM ensemble (MLP + 3D CNN) from a blueprint.

    Parameters
    ----------
    X_train, X_test : list of [X, I], optional
        Raw features ``X`` (n, 10) (array or DataFrame, columns in ``feature_columns``
        order) and images ``I`` (n, 3, size, size, 3), pixels 0..255.
    y_train, y_test : array-like of shape (n,) or (n, 1), optional
        Labels, 0 aligned, 1 misaligned. The test set is the validation data of ``fit``.
    params : dict, optional
        Training settings overriding the blueprint, with 1.1.4's keys: ``batch_size``,
        ``epochs``, ``lr``, ``decay`` (``[steps, rate]``), ``early_stopping``,
        ``verbose``; blueprint fields (``learning_rate``, ``patience`` ...) also work.
    input_name : str, default="combined_input"
        Name of the Dense layer on the concatenated branches.
    output_name : str, default="ensemble_output"
    name : str, default="ensembleSVM"
        Model name and ``.keras`` file stem (honoured, unlike 1.1.4).
    blueprint : str or EnsembleBlueprint, default="svm_ensemble"
        ``"svm_ensemble"`` (1.1.4's network) or ``"svm_ensemble_lite"`` (spacekit's
        default, small); see :mod:`spacekit.builder.ensemble`.
    branch : {"ensemble", "mlp", "cnn"}, default="ensemble"
        Train one branch alone (with its own head) to measure what it contributes.
    feature_columns : sequence of str
        Names of the columns of ``X`` (for augmentation).
    augment : bool, default=True
        Augment every training batch.
    preprocess : callable, optional
        ``(X, I) -> (X, I)`` applied after augmentation (e.g. normalisation).
    seed : int, optional
        Seeds weights, batch sampling and augmentation.
    callbacks : sequence of keras.callbacks.Callback, optional

    Attributes
    ----------
    model : keras.Model or None
    history : dict
        Per-epoch metrics (``loss, accuracy, auc, val_loss, val_accuracy, val_auc``).
    blueprint : EnsembleBlueprint
        The blueprint with ``params`` applied.
    """

    def __init__(
        self,
        X_train=None,
        y_train=None,
        X_test=None,
        y_test=None,
        params: Mapping[str, Any] | None = None,
        input_name: str = "combined_input",
        output_name: str = "ensemble_output",
        name: str = "ensembleSVM",
        blueprint: str | EnsembleBlueprint = "svm_ensemble",
        *,
        branch: str = "ensemble",
        feature_columns: Sequence[str] = SVM_FEATURES,
        augment: bool = True,
        preprocess: Preprocess | None = None,
        seed: int | None = None,
        callbacks: Sequence | None = None,
    ):
        self.X_train = X_train
        self.y_train = y_train
        self.X_test = X_test
        self.y_test = y_test
        self.params = dict(params or {})
        self.input_name = input_name
        self.output_name = output_name
        self.name = name
        self.branch = branch
        self.feature_columns = list(feature_columns)
        self.augment = augment
        self.preprocess = preprocess or _identity
        self.seed = seed
        self.callbacks = list(callbacks or [])
        self.verbose = int(self.params.pop("verbose", 0) or 0)
        changes = self._blueprint_changes(self.params)
        changes.update(mixed_name=input_name, output_name=output_name)
        self.blueprint = get_ensemble_blueprint(blueprint).replace(**changes)
        if X_train is not None:
            shape = tuple(int(v) for v in split_inputs(X_train)[1].shape[1:])
            if shape != tuple(self.blueprint.image_shape):
                # the convolutional branch is size-agnostic: build it for the data given
                self.blueprint = self.blueprint.replace(image_shape=shape)
        self.model = None
        self.history: dict[str, list[float]] = {}

    @staticmethod
    def _blueprint_changes(params: Mapping[str, Any]) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        for key, value in params.items():
            if key == "decay":
                if value is None:
                    continue
                try:
                    steps, rate = value
                except (TypeError, ValueError) as exc:
                    raise InputError(
                        f"params['decay'] must be [steps, rate]; got {value!r}"
                    ) from exc
                changes.update(decay_steps=int(steps), decay_rate=float(rate))
            elif key in ("ensemble", "keras"):
                continue  # 1.1.4 bookkeeping keys
            else:
                changes[PARAM_ALIASES.get(key, key)] = value
        if changes.get("early_stopping") in ("", "none", "None"):
            changes["early_stopping"] = None
        return changes

    # ------------------------------------------------------------------ build
    def build(self):
        """Build and compile the model (adapting its feature scaling to ``X_train``)."""
        keras = require("keras", feature="training the SVM ensemble")
        if self.seed is not None:
            keras.utils.set_random_seed(int(self.seed))
        self.model = build_ensemble(self.blueprint, self.branch, name=self.name, seed=self.seed)
        if self.blueprint.scale_inputs and self.branch != "cnn":
            if self.X_train is None:
                raise InputError("build() needs X_train to adapt the feature scaling layer.")
            X, I_ = split_inputs(self.X_train)
            X, _ = self.preprocess(X, I_[:1])
            self.model.get_layer("feature_scaling").adapt(X)
        return self.model

    # -------------------------------------------------------------------- fit
    def _check_sizes(self, I_: np.ndarray) -> None:
        want = tuple(self.blueprint.image_shape)
        if tuple(I_.shape[1:]) != want:
            raise InputError(
                f"Images have shape {I_.shape[1:]} but the blueprint expects {want}; pass "
                f"img_size={I_.shape[2]} or resize the images."
            )

    def batch_fit(self):
        """Fit on balanced, augmented batches; validate on the test set. Returns the model."""
        keras = require("keras", feature="training the SVM ensemble")
        if self.X_train is None or self.y_train is None:
            raise InputError("batch_fit() needs X_train and y_train.")
        X, I_ = split_inputs(self.X_train)
        y = _labels(self.y_train, X.shape[0])
        self._check_sizes(I_)
        if self.model is None:
            self.build()
        bp = self.blueprint
        if np.unique(y).size < 2:
            warnings.warn(
                "The training set has a single class; batches cannot be balanced.",
                SpacekitWarning,
                stacklevel=2,
            )
        steps = max(1, X.shape[0] // bp.batch_size)
        batches = _make_batches(
            keras,
            X,
            I_,
            y,
            batch_size=bp.batch_size,
            steps=steps,
            seed=self.seed,
            augment=self.augment,
            columns=self.feature_columns,
            preprocess=self.preprocess,
            branch=self.branch,
        )
        validation = None
        if self.X_test is not None and self.y_test is not None:
            Xv, Iv = split_inputs(self.X_test)
            Xv, Iv = self.preprocess(Xv, Iv)
            validation = (_select(self.branch, Xv, Iv), _labels(self.y_test, Xv.shape[0]))
        cbs = list(self.callbacks)
        if bp.early_stopping:
            if validation is None and bp.early_stopping.startswith("val_"):
                raise InputError(
                    f"early_stopping={bp.early_stopping!r} needs validation data (X_test)."
                )
            mode = "min" if "loss" in bp.early_stopping else "max"
            cbs.append(
                keras.callbacks.EarlyStopping(
                    monitor=bp.early_stopping,
                    patience=bp.patience,
                    mode=mode,
                    restore_best_weights=True,
                )
            )
        log.info(
            "training %s (%s): %d samples, %d epochs x %d steps of %d",
            self.name,
            bp.name,
            X.shape[0],
            bp.epochs,
            steps,
            bp.batch_size,
        )
        with remapper_off():
            hist = self.model.fit(
                batches,
                validation_data=validation,
                epochs=int(bp.epochs),
                callbacks=cbs,
                verbose=self.verbose,
            )
        self.history = history_to_dict(hist)
        return self.model

    fit = batch_fit

    def predict_proba(self, inputs, batch_size: int = 64) -> np.ndarray:
        """Probability of misalignment for raw ``[X, I]`` (preprocessed like training)."""
        if self.model is None:
            raise InputError("The model is not built or trained yet; call batch_fit() first.")
        X, I_ = split_inputs(inputs)
        X, I_ = self.preprocess(X, I_)
        pred = self.model.predict(_select(self.branch, X, I_), batch_size=batch_size, verbose=0)
        return np.asarray(pred, dtype=float).reshape(-1)

    # ------------------------------------------------------------------- save
    def save_model(
        self,
        output_path: str | os.PathLike,
        keras_archive: bool = True,
        parent_dir: str = "svm_align",
    ) -> Path:
        """Save to ``{output_path}/models/{parent_dir}/{name}.keras`` (1.1.4's layout).

        Only the ``.keras`` format is written (``keras_archive=False``, 1.1.4's legacy
        SavedModel, raises).
        """
        if not keras_archive:
            raise InputError("Only the Keras 3 '.keras' format is supported (keras_archive=True).")
        if self.model is None:
            raise InputError("Nothing to save: build and train the model first.")
        path = Path(output_path) / "models" / parent_dir / f"{self.model.name}.keras"
        return save_keras_model(self.model, path)
