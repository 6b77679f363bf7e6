"""Keras callback that feeds a :class:`~spacekit.visualization.TrainingDashboard`.

This module imports Keras when it is imported; ``spacekit.visualization`` only imports
it when ``DashboardCallback`` is first used.
"""

from __future__ import annotations

import logging
from typing import Any

from spacekit._optional import require
from spacekit.analyzer.figures import close_figure
from spacekit.exceptions import InputError

keras = require("keras", feature="DashboardCallback")

__all__ = ["DashboardCallback", "current_learning_rate"]

log = logging.getLogger(__name__)


def current_learning_rate(optimizer: Any) -> float | None:
    """Return the optimizer's learning rate now (schedules evaluated), or ``None``.

    Parameters
    ----------
    optimizer : keras.optimizers.Optimizer
        Any Keras 3 optimizer; a ``LearningRateSchedule`` or callable learning rate is
        evaluated at the optimizer's current iteration.
    """
    if optimizer is None:
        return None
    try:
        lr = optimizer.learning_rate  # Keras 3 evaluates schedules here
        if callable(lr) and not hasattr(lr, "numpy"):
            lr = lr(optimizer.iterations)
        return float(keras.ops.convert_to_numpy(lr))
    except (AttributeError, TypeError, ValueError) as exc:
        log.debug("could not read the learning rate from %r: %s", optimizer, exc)
        return None


class DashboardCallback(keras.callbacks.Callback):
    """Send epoch (and optionally batch) metrics and the learning rate to a dashboard.

    Parameters
    ----------
    dashboard : TrainingDashboard
        Receives ``update(epoch, logs, lr=...)`` at each epoch end (epochs numbered from 1)
        and ``update_batch(step, logs)`` at each training batch end when ``batch_level``.
    batch_level : bool, default=False
        Also record training-batch metrics, at a global step counting from 1.
    log_lr : bool, default=True
        Read the optimizer's learning rate (schedules included) each epoch (and each
        batch when ``batch_level``).
    plot_on_train_end : bool, default=True
        Call ``dashboard.plot_all_metrics()`` when training ends (writes the figures when
        the dashboard has a ``save_dir``).
    batch_lr_every : int, default=10
        With a learning-rate *schedule*, evaluate it for the batch records only every this
        many batches (each evaluation costs about a millisecond of eager ops); other batch
        records have no ``lr``. A constant learning rate is read once per epoch. Epoch
        records always carry the exact learning rate.

    Notes
    -----
    With ``batch_level=False`` the callback defines no batch hooks, so Keras keeps its fast
    path (asynchronous batch dispatch) and the cost is one small update per epoch. With
    ``batch_level=True`` the callback is marked ``async_safe``: the dashboard's appends are
    thread-safe and keep steps sorted.

    Examples
    --------
    >>> dash = TrainingDashboard(save_dir="runs/visualizations")  # doctest: +SKIP
    >>> model.fit(x, y, epochs=5, callbacks=[DashboardCallback(dash)])  # doctest: +SKIP
    """

    async_safe = True

    def __init__(
        self,
        dashboard: Any,
        batch_level: bool = False,
        log_lr: bool = True,
        plot_on_train_end: bool = True,
        batch_lr_every: int = 10,
    ):
        super().__init__()
        if not hasattr(dashboard, "update") or not hasattr(dashboard, "update_batch"):
            raise InputError(
                f"DashboardCallback needs a TrainingDashboard; received "
                f"{type(dashboard).__name__}. Create one with TrainingDashboard(...)."
            )
        self.dashboard = dashboard
        self.batch_level = batch_level
        self.log_lr = log_lr
        self.plot_on_train_end = plot_on_train_end
        self.batch_lr_every = max(1, int(batch_lr_every))
        self._scheduled = False
        self._epoch_lr: float | None = None
        self._epoch = 0
        self._steps_per_epoch: int | None = None
        self._step = 0
        if not batch_level:
            # Keep Keras's "no batch hook" fast path: use the base class's default method.
            self.on_train_batch_end = super().on_train_batch_end

    def _lr(self) -> float | None:
        if not self.log_lr or self.model is None:
            return None
        return current_learning_rate(getattr(self.model, "optimizer", None))

    def on_train_begin(self, logs=None):
        self._steps_per_epoch = (self.params or {}).get("steps")
        self._step = 0
        optimizer = getattr(self.model, "optimizer", None)
        raw = getattr(optimizer, "_learning_rate", None)
        # A schedule changes every step; a plain variable only when a callback sets it.
        self._scheduled = callable(raw) and not hasattr(raw, "assign")
        if hasattr(self.dashboard, "mark_start"):
            self.dashboard.mark_start()

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = int(epoch)
        self._epoch_lr = self._lr() if self.batch_level else None

    def _batch_lr(self, batch: int) -> float | None:
        """Learning rate for a batch record, cheaply: reading it costs ~1 ms of eager ops."""
        if not self.log_lr:
            return None
        if not self._scheduled:
            return self._epoch_lr
        if batch % self.batch_lr_every == 0:
            return self._lr()
        return None

    def on_train_batch_end(self, batch, logs=None):
        if self._steps_per_epoch:
            step = self._epoch * int(self._steps_per_epoch) + int(batch) + 1
        else:
            self._step += 1
            step = self._step
        logs = dict(logs or {})
        lr = self._batch_lr(int(batch))
        if lr is not None:
            logs["lr"] = lr
        self.dashboard.update_batch(step, logs)

    def on_epoch_end(self, epoch, logs=None):
        self.dashboard.update(int(epoch) + 1, dict(logs or {}), lr=self._lr())

    def on_train_end(self, logs=None):
        if self.plot_on_train_end and getattr(self.dashboard, "save_dir", None) is not None:
            try:
                fig = self.dashboard.plot_all_metrics(save=True)
            except Exception as exc:  # a figure failure must not lose a trained model
                log.warning("Could not draw the training figures: %s", exc)
                return
            close_figure(fig)
