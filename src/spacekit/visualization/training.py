"""Live training dashboard: record metrics per epoch (and batch), plot and save them."""

from __future__ import annotations

import functools
import inspect
import logging
import math
import os
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from spacekit.analyzer.figures import (
    best_epoch,
    check_backend,
    close_figure,
    lower_is_better,
    make_batch_figure,
    make_history_figure,
    save_figure,
)
from spacekit.exceptions import InputError
from spacekit.visualization._export import LiveOutput, in_notebook, output_dir
from spacekit.visualization.training_history import TrainingHistory

__all__ = ["TrainingDashboard"]

log = logging.getLogger(__name__)

HISTORY_FILE = "training_history.json"


class _class_or_instance:
    """Descriptor: the method receives the class or the instance it is called on."""

    def __init__(self, func):
        self.func = func
        functools.update_wrapper(self, func)

    def __get__(self, obj, cls):
        target = cls if obj is None else obj

        @functools.wraps(self.func)
        def bound(*args, **kwargs):
            return self.func(target, *args, **kwargs)

        sig = inspect.signature(self.func)
        bound.__signature__ = sig.replace(parameters=list(sig.parameters.values())[1:])
        return bound


class TrainingDashboard:
    """Record training metrics, plot them live and save them as figures and JSON.

    Feed it by hand with :meth:`update` or during ``model.fit`` with
    :class:`~spacekit.visualization.DashboardCallback`.

    Parameters
    ----------
    save_dir : str or path-like, optional
        Where files go (``all_metrics.png``/``.html``, ``batches.png``/``.html``,
        ``training_history.json``): ``<save_dir>/training/`` when ``save_dir`` is a root,
        or ``save_dir`` itself when it is named ``dashboard`` or ``training`` (the
        dashboard toolkit's default ``"visualizations/dashboard"``). ``None`` (default)
        writes nothing unless a path is passed explicitly.
    real_time : bool, default=True
        Redraw the metrics figure every ``update_interval`` epochs. In Jupyter one inline
        figure is updated in place; elsewhere the figure file in ``save_dir`` is rewritten
        (nothing is drawn when there is neither).
    backend : {"matplotlib", "plotly"}, default="matplotlib"
        Figure type for live and saved figures (PNG for matplotlib, self-contained HTML
        for plotly).
    update_interval : int, default=1
        Epochs between live redraws.
    metrics_to_plot : sequence of str, optional
        Metrics to draw (base names such as ``"loss"``; ``val_`` partners follow). All
        recorded metrics are still saved.
    interactive : bool, default=False
        Also write an interactive HTML page (plotly) from :meth:`plot_all_metrics`.
    autosave : bool, default=True
        With ``save_dir``, rewrite ``training_history.json`` after every epoch, so another
        process (``spacekit viz serve``) can follow the run.
    run : str, optional
        Name of the run, stored in the history file.

    Attributes
    ----------
    history_ : TrainingHistory
        Everything recorded so far.

    Examples
    --------
    >>> dash = TrainingDashboard()
    >>> dash.update(1, {"loss": 0.9, "val_loss": 1.0})
    >>> dash.update(2, {"loss": 0.5, "val_loss": 0.7})
    >>> dash.get_summary()["metrics"]["val_loss"]["best_epoch"]
    2
    """

    def __init__(
        self,
        save_dir: str | os.PathLike | None = None,
        real_time: bool = True,
        backend: str = "matplotlib",
        update_interval: int = 1,
        metrics_to_plot: Sequence[str] | None = None,
        interactive: bool = False,
        autosave: bool = True,
        run: str | None = None,
    ):
        self.save_dir = save_dir
        self.real_time = real_time
        self.backend = check_backend(backend)
        if int(update_interval) < 1:
            raise InputError(f"update_interval must be a positive integer; got {update_interval}.")
        self.update_interval = int(update_interval)
        self.metrics_to_plot = list(metrics_to_plot) if metrics_to_plot is not None else None
        self.interactive = interactive
        self.autosave = autosave
        self.history_ = TrainingHistory(run=run)
        self._start: float | None = None
        self._last: float | None = None
        self._live = LiveOutput(self._figure_path("all_metrics") if save_dir else None)

    # ------------------------------------------------------------------ recording
    @property
    def epochs(self) -> list[int]:
        """Recorded epoch numbers."""
        return self.history_.epochs

    @property
    def metrics(self) -> dict[str, list[float | None]]:
        """Recorded epoch metrics, aligned with :attr:`epochs` (``None`` = missing)."""
        return self.history_.metrics

    @property
    def lr(self) -> list[float | None]:
        """Learning rate per epoch (``None`` where unknown)."""
        return self.history_.lr

    def update(
        self, epoch: int, logs: Mapping[str, Any] | None = None, lr: float | None = None
    ) -> None:
        """Record the metrics of one epoch; redraw and autosave as configured.

        Parameters
        ----------
        epoch : int
            Epoch number (the callback passes 1-based numbers, as Keras prints them).
        logs : mapping of str to float, optional
            Metric values; NaN/inf are stored as missing. ``lr``/``learning_rate`` keys
            go to the learning-rate series.
        lr : float, optional
            Learning rate for this epoch.
        """
        now = time.monotonic()
        if self._start is None:
            self._start = now
        self._last = now
        self.history_.add_epoch(epoch, logs, lr=lr)
        if self.save_dir is not None and self.autosave:
            self.save_history()
        if self.real_time and len(self.history_) % self.update_interval == 0:
            self.refresh()

    def update_batch(self, step: int, logs: Mapping[str, Any] | None = None) -> None:
        """Record batch-level metrics at global ``step`` (cheap: nothing is drawn)."""
        if self._start is None:
            self._start = time.monotonic()
        self.history_.add_batch(step, logs)

    def mark_start(self) -> None:
        """Start the clock used for the summary's duration (the callback calls it)."""
        self._start = time.monotonic()

    # ------------------------------------------------------------------ figures
    def _figure_path(self, stem: str) -> Path:
        folder = output_dir(self.save_dir, "training", create=False)
        return folder / f"{stem}{'.html' if self.backend == 'plotly' else '.png'}"

    def make_figure(self, backend: str | None = None):
        """Return the metrics figure (one panel per metric, plus learning rate)."""
        h = self.history_
        return make_history_figure(
            h.epochs,
            h.metrics,
            lr=h.lr,
            backend=backend or self.backend,
            metrics_to_plot=self.metrics_to_plot,
            title=h.run or "Training metrics",
        )

    def refresh(self) -> None:
        """Redraw the live figure now (inline in Jupyter, else rewrite the figure file)."""
        if self._live.path is None and not in_notebook():
            return  # nowhere to show it: do not spend time drawing
        fig = self.make_figure()
        if self.save_dir is not None:
            output_dir(self.save_dir, "training")
        self._live.show(fig)
        close_figure(fig)

    def plot_all_metrics(self, save_path: str | os.PathLike | None = None, save: bool = True):
        """Draw every recorded metric and, if asked, save the figure(s).

        Parameters
        ----------
        save_path : str or path-like, optional
            Write the metrics figure here (format from the suffix) instead of the default
            file.
        save : bool, default=True
            Without ``save_path``: write ``all_metrics.png`` (matplotlib) or
            ``all_metrics.html`` (plotly) to the dashboard's folder (and
            ``all_metrics.html`` too when ``interactive``), plus ``batches.*`` when batch
            metrics were recorded. Ignored without ``save_dir``.

        Returns
        -------
        matplotlib.figure.Figure or plotly.graph_objects.Figure
            The metrics figure.
        """
        if isinstance(save_path, bool):  # spacekit's older order plot_all_metrics(save)
            save_path, save = None, save_path
        fig = self.make_figure()
        if save_path is not None:
            save_figure(fig, save_path)
        elif save and self.save_dir is not None:
            output_dir(self.save_dir, "training")
            save_figure(fig, self._figure_path("all_metrics"))
            if self.interactive and self.backend != "plotly":
                save_figure(
                    self.make_figure("plotly"),
                    self._figure_path("all_metrics").with_suffix(".html"),
                )
            h = self.history_
            if h.batch_steps:
                bfig = make_batch_figure(
                    h.batch_steps,
                    h.batch_metrics,
                    backend=self.backend,
                    smooth=min(25, max(2, len(h.batch_steps) // 20)),
                )
                save_figure(bfig, self._figure_path("batches"))
                close_figure(bfig)
        return fig

    # ------------------------------------------------------------------ persistence
    def save_history(self, filepath: str | os.PathLike | None = None) -> Path:
        """Write the history JSON (documented format) atomically and return its path.

        Parameters
        ----------
        filepath : str or path-like, optional
            Target file; default ``training_history.json`` in the dashboard's folder.
        """
        path = filepath
        if path is None:
            if self.save_dir is None:
                raise InputError(
                    "save_history() needs a path because the dashboard has no save_dir; "
                    "pass path=... or create TrainingDashboard(save_dir=...)."
                )
            path = output_dir(self.save_dir, "training") / HISTORY_FILE
        return self.history_.save(path)

    @_class_or_instance
    def load_history(target, filepath: str | os.PathLike, **kwargs: Any) -> TrainingDashboard:
        """Read a history JSON file written by :meth:`save_history`.

        Called on the class (``TrainingDashboard.load_history(path, save_dir=...)``) it
        returns a new dashboard; called on a dashboard (``dash.load_history(path)``) it
        replaces that dashboard's history and returns the dashboard.

        Parameters
        ----------
        filepath : str or path-like
            A file written by :meth:`save_history`.
        **kwargs
            Constructor arguments (``save_dir``, ``backend``, ...) when called on the class.
        """
        history = TrainingHistory.load(filepath)
        if isinstance(target, type):
            dash = target(**kwargs)
        else:
            if kwargs:
                raise InputError(
                    f"Unexpected arguments {sorted(kwargs)} when loading into an "
                    "existing dashboard; call TrainingDashboard.load_history()."
                )
            dash = target
        dash.history_ = history
        dash._start = dash._last = None  # the loaded run's duration is unknown
        return dash

    # ------------------------------------------------------------------ summary
    def get_summary(self) -> dict[str, Any]:
        """Return a summary of the run.

        Returns
        -------
        dict
            ``{"run", "epochs", "first_epoch", "last_epoch", "duration_s", "lr_last",
            "metrics": {name: {"last", "min", "max", "mean", "best", "best_epoch",
            "goal", "missing"}}}``; ``best`` is the minimum for losses and errors and the
            maximum otherwise (``goal`` says which). Values are ``None`` when unknown.
            Each metric's statistics are also at the top level, ``summary["loss"]["min"]``
            (as the dashboard toolkit returns them), unless the metric's name is one of
            the keys above. ``best_epoch`` is the recorded epoch number.
        """
        h = self.history_
        metrics = {}
        for name, values in h.metrics.items():
            pairs = [(e, v) for e, v in zip(h.epochs, values, strict=True) if v is not None]
            goal = "min" if lower_is_better(name) else "max"
            if pairs:
                vals = [v for _, v in pairs]
                at, best = best_epoch(h.epochs, values, name)
                stats = {
                    "last": values[-1],
                    "min": min(vals),
                    "max": max(vals),
                    "mean": math.fsum(vals) / len(vals),
                    "best": best,
                    "best_epoch": at,
                }
            else:
                stats = dict.fromkeys(("last", "min", "max", "mean", "best", "best_epoch"))
            stats.update(goal=goal, missing=len(values) - len(pairs))
            metrics[name] = stats
        lr_known = [v for v in h.lr if v is not None]
        duration = (self._last - self._start) if self._start and self._last else None
        summary: dict[str, Any] = {
            "run": h.run,
            "epochs": len(h.epochs),
            "first_epoch": h.epochs[0] if h.epochs else None,
            "last_epoch": h.epochs[-1] if h.epochs else None,
            "duration_s": duration,
            "lr_last": lr_known[-1] if lr_known else None,
            "batches": len(h.batch_steps),
            "metrics": metrics,
        }
        for name, stats in metrics.items():
            summary.setdefault(name, stats)
        return summary

    def format_summary(self) -> str:
        """Return :meth:`get_summary` as a small text table."""
        s = self.get_summary()
        lines = [
            f"Training summary{' for ' + s['run'] if s['run'] else ''}: "
            f"{s['epochs']} epochs"
            + (f" in {s['duration_s']:.1f} s" if s["duration_s"] is not None else "")
        ]
        if s["lr_last"] is not None:
            lines.append(f"  final learning rate: {s['lr_last']:.3g}")
        width = max([len(n) for n in s["metrics"]] + [6])
        lines.append(f"  {'metric':<{width}}  {'last':>10}  {'best':>10}  best epoch")
        for name, m in s["metrics"].items():

            def fmt(v):
                return f"{v:10.4g}" if v is not None else f"{'-':>10}"

            be = m["best_epoch"] if m["best_epoch"] is not None else "-"
            lines.append(
                f"  {name:<{width}}  {fmt(m['last'])}  {fmt(m['best'])}  {be} ({m['goal']})"
            )
        return "\n".join(lines)

    def print_summary(self) -> str:
        """Print the summary table to standard output (an explicit user request) and return it."""
        text = self.format_summary()
        print(text)  # printing is what the user asked for
        return text
