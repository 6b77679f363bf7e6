"""Keras callback that feeds a :class:`~spacekit.visualization.TrainingDashboard`.

This module imports Keras when it is imported; ``spacekit.visualization`` only imports
it when ``DashboardCallback`` is first used.
"""

from __future__ import annotations

import logging
import time
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
    save_on_epoch : bool, default=True
        Rewrite the metrics figure in the dashboard's ``save_dir`` after each epoch (the
        history JSON is rewritten every epoch by the dashboard itself). Drawing is skipped
        when the dashboard's real-time refresh already draws that file, and while drawing
        would take more than about a tenth of the training time; the figure is always
        drawn when training ends (``plot_on_train_end``).
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
    layer_visualizer : LayerVisualizer, optional
        With ``gradient_data``, record gradients into it at every epoch end, for
        ``layer_visualizer.plot_gradient_flow()`` (Keras ``fit`` keeps its own gradients
        to itself).
    gradient_data : tuple (x, y), optional
        A small batch on which the gradients of the compiled loss are computed.

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
        save_on_epoch: bool = True,
        *,
        batch_level: bool = False,
        log_lr: bool = True,
        plot_on_train_end: bool = True,
        batch_lr_every: int = 10,
        layer_visualizer: Any = None,
        gradient_data: tuple[Any, Any] | None = None,
    ):
        super().__init__()
        if not hasattr(dashboard, "update") or not hasattr(dashboard, "update_batch"):
            raise InputError(
                f"DashboardCallback needs a TrainingDashboard; received "
                f"{type(dashboard).__name__}. Create one with TrainingDashboard(...)."
            )
        if (layer_visualizer is None) != (gradient_data is None):
            raise InputError(
                "Recording gradients needs both layer_visualizer= (a LayerVisualizer) and "
                "gradient_data=(x, y) (a small batch)."
            )
        if gradient_data is not None and (
            not isinstance(gradient_data, tuple | list) or len(gradient_data) != 2
        ):
            raise InputError(
                f"gradient_data must be a pair (x, y); received {type(gradient_data).__name__}."
            )
        self.dashboard = dashboard
        self.save_on_epoch = save_on_epoch
        self.layer_visualizer = layer_visualizer
        self.gradient_data = gradient_data
        self._draw_seconds = 0.0
        self._drawn_at: float | None = None
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

    def on_epoch_end(self, epoch, logs=None, *rest):
        if rest:  # the toolkit's trainer form: on_epoch_end(trainer, epoch, logs)
            epoch, logs = logs, rest[0]
            self.dashboard.update(int(epoch), dict(logs or {}))
        else:
            self.dashboard.update(int(epoch) + 1, dict(logs or {}), lr=self._lr())
        if self.layer_visualizer is not None:
            self.layer_visualizer.compute_gradients(*self.gradient_data)
        if self.save_on_epoch and self._epoch_figure_due():
            self._draw()

    def _epoch_figure_due(self) -> bool:
        dash = self.dashboard
        if getattr(dash, "save_dir", None) is None:
            return False
        if getattr(dash, "real_time", False):
            return False  # the dashboard's live refresh rewrites the same file
        if self._drawn_at is None:
            return True
        # keep drawing below ~10 % of the wall time
        return time.monotonic() - self._drawn_at >= 9 * self._draw_seconds

    def _draw(self) -> None:
        t0 = time.monotonic()
        try:
            fig = self.dashboard.plot_all_metrics(save=True)
        except Exception as exc:  # a figure failure must not lose a trained model
            log.warning("Could not draw the training figures: %s", exc)
            return
        close_figure(fig)
        self._drawn_at = time.monotonic()
        self._draw_seconds = self._drawn_at - t0

    def on_train_end(self, logs=None):
        # (the toolkit's trainer form passes the trainer here; it is not needed)
        if self.plot_on_train_end and getattr(self.dashboard, "save_dir", None) is not None:
            self._draw()
        if hasattr(self.dashboard, "format_summary") and log.isEnabledFor(logging.INFO):
            log.info("%s", self.dashboard.format_summary())
