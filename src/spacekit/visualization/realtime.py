"""A live line/scatter plot that can be updated many times without piling up artists."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import numpy as np

from spacekit.analyzer.figures import check_backend, save_figure
from spacekit.exceptions import InputError
from spacekit.visualization._export import LiveOutput, in_notebook

__all__ = ["RealTimePlot"]

log = logging.getLogger(__name__)

_NON_GUI = {"agg", "pdf", "ps", "svg", "cairo", "template", "pgf"}


def _gui_backend() -> bool:
    import matplotlib

    name = matplotlib.get_backend().lower()
    return name not in _NON_GUI and "inline" not in name and not name.startswith("module://")


def _as_1d(values: Any) -> np.ndarray:
    arr = np.atleast_1d(np.asarray(values, dtype=float)).ravel()
    arr[~np.isfinite(arr)] = np.nan
    return arr


class RealTimePlot:
    """A figure of named line and scatter series, refreshed in place by :meth:`update`.

    Each series keeps one artist (matplotlib) or one trace (plotly) that is updated with
    new data, so a thousand updates still draw one line per series. In Jupyter the figure
    is one inline output updated in place; with a GUI matplotlib backend a window is
    refreshed without blocking; elsewhere (headless scripts) ``update()`` rewrites
    ``save_path`` when one is given.

    Parameters
    ----------
    backend : {"matplotlib", "plotly"}, default="matplotlib"
    figsize : (float, float), default=(12, 6)
        Size in inches (plotly: times 100 pixels).
    title : str, default="Training Visualization"
    xlabel, ylabel : str, optional
        Axis labels.
    save_path : str or path-like, optional
        File rewritten by each headless :meth:`update` (``.png`` or ``.html``).
    max_points : int, optional
        Keep only the newest ``max_points`` points of each series.

    Examples
    --------
    >>> plot = RealTimePlot(title="loss")
    >>> plot.add_line("train")
    >>> for step in range(3):
    ...     plot.append("train", step, 1.0 / (step + 1))
    >>> plot.update()
    """

    def __init__(
        self,
        backend: str = "matplotlib",
        figsize: tuple[float, float] = (12, 6),
        title: str | None = "Training Visualization",
        xlabel: str | None = None,
        ylabel: str | None = None,
        save_path: str | os.PathLike | None = None,
        max_points: int | None = None,
    ):
        self.backend = check_backend(backend)
        self.figsize = figsize
        self.title = title
        self.xlabel = xlabel
        self.ylabel = ylabel
        self.save_path = Path(save_path) if save_path is not None else None
        self.max_points = max_points
        self._series: dict[str, dict[str, Any]] = {}
        self._fig = None
        self._ax = None
        self._pyplot = False
        self._legend_n = -1
        self._live = LiveOutput(self.save_path)

    # ------------------------------------------------------------------ series
    @property
    def series(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Current data of every series: ``{name: (x, y)}``."""
        return {
            n: (np.array(s["x"], dtype=float), np.array(s["y"], dtype=float))
            for n, s in self._series.items()
        }

    def _add(self, kind: str, name: str, x: Any, y: Any, style: dict[str, Any]) -> None:
        if name in self._series:
            raise InputError(
                f"A series named {name!r} already exists; use append() to add "
                "points or pick another name."
            )
        xs = _as_1d(x) if x is not None else np.empty(0)
        ys = _as_1d(y) if y is not None else np.empty(0)
        if len(xs) != len(ys):
            if x is None and y is not None:
                xs = np.arange(len(ys), dtype=float)
            else:
                raise InputError(f"Series {name!r}: x has {len(xs)} values but y has {len(ys)}.")
        self._series[name] = {
            "kind": kind,
            "x": xs.tolist(),
            "y": ys.tolist(),
            "style": style,
            "artist": None,
        }

    def add_line(self, name: str, x: Any = None, y: Any = None, **style: Any) -> None:
        """Add a line series (optionally with initial data); ``style`` goes to the artist."""
        self._add("line", name, x, y, style)

    def add_scatter(self, name: str, x: Any = None, y: Any = None, **style: Any) -> None:
        """Add a scatter series (optionally with initial data)."""
        self._add("scatter", name, x, y, style)

    def append(self, name: str, x: Any, y: Any) -> None:
        """Append one point or arrays of points to series ``name`` (created as a line if new).

        Non-finite ``y`` values are kept as gaps.
        """
        if name not in self._series:
            self.add_line(name)
        s = self._series[name]
        xs, ys = _as_1d(x), _as_1d(y)
        if len(xs) != len(ys):
            raise InputError(f"append({name!r}): x has {len(xs)} values but y has {len(ys)}.")
        s["x"].extend(xs.tolist())
        s["y"].extend(ys.tolist())
        if self.max_points and len(s["x"]) > self.max_points:
            del s["x"][: -self.max_points], s["y"][: -self.max_points]

    def clear(self) -> None:
        """Remove every series and reset the figure."""
        self._series.clear()
        self._legend_n = -1
        if self.backend == "plotly":
            self._fig = None
        elif self._fig is not None:
            self._fig.clear()
            self._ax = self._fig.add_subplot(1, 1, 1)

    # ------------------------------------------------------------------ drawing
    @property
    def figure(self):
        """The current figure, synchronised with the data."""
        self._sync()
        return self._fig

    def _new_figure(self) -> None:
        if self.backend == "plotly":
            import plotly.graph_objects as go

            self._fig = go.Figure()
            self._fig.update_layout(
                title=self.title,
                xaxis_title=self.xlabel,
                yaxis_title=self.ylabel,
                width=int(self.figsize[0] * 100),
                height=int(self.figsize[1] * 100),
                template="plotly_white",
            )
            return
        if _gui_backend() and not in_notebook():
            import matplotlib.pyplot as plt

            self._fig = plt.figure(figsize=self.figsize)
            self._pyplot = True
        else:
            from matplotlib.figure import Figure

            self._fig = Figure(figsize=self.figsize, layout="constrained")
        self._ax = self._fig.add_subplot(1, 1, 1)

    def _sync(self) -> None:
        if self._fig is None or (self.backend == "matplotlib" and self._ax is None):
            self._new_figure()
        if self.backend == "plotly":
            self._sync_plotly()
        else:
            self._sync_matplotlib()

    def _sync_plotly(self) -> None:
        fig = self._fig
        for name, s in self._series.items():
            x = list(s["x"])
            y = [None if np.isnan(v) else v for v in s["y"]]
            if s["artist"] is None:
                mode = "lines" if s["kind"] == "line" else "markers"
                fig.add_scatter(x=x, y=y, mode=mode, name=name, **_plotly_style(s))
                s["artist"] = len(fig.data) - 1
            else:
                fig.data[s["artist"]].update(x=x, y=y)

    def _sync_matplotlib(self) -> None:
        ax = self._ax
        data = self.series
        for name, s in self._series.items():
            x, y = data[name]
            if s["artist"] is None:
                if s["kind"] == "line":
                    (s["artist"],) = ax.plot(x, y, label=name, **s["style"])
                else:
                    s["artist"] = ax.scatter(x, y, label=name, **s["style"])
            elif s["kind"] == "line":
                s["artist"].set_data(x, y)
            else:
                s["artist"].set_offsets(np.column_stack([x, y]))
        if self._legend_n != len(self._series) and self._series:
            ax.legend(loc="best", fontsize="small")
            self._legend_n = len(self._series)
        ax.relim()
        ax.autoscale_view()
        if self._series:  # scatter collections are not covered by relim
            xs = np.concatenate([xy[0] for xy in data.values()])
            ys = np.concatenate([xy[1] for xy in data.values()])
            ok = np.isfinite(xs) & np.isfinite(ys)
            if ok.any():
                _set_limits(ax, xs[ok], ys[ok])
        if self.title:
            ax.set_title(self.title)
        if self.xlabel:
            ax.set_xlabel(self.xlabel)
        if self.ylabel:
            ax.set_ylabel(self.ylabel)
        ax.grid(True, alpha=0.3)

    def update(self) -> None:
        """Redraw with the current data without blocking (no ``plt.pause``)."""
        self._sync()
        if self._pyplot:
            self._fig.canvas.draw_idle()
            self._fig.canvas.flush_events()
            if self.save_path is not None:
                save_figure(self._fig, self.save_path)
        else:
            self._live.show(self._fig)

    def show(self) -> None:
        """Show the figure: inline in Jupyter, in a window with a GUI backend, else saved."""
        self._sync()
        if self._pyplot:
            import matplotlib.pyplot as plt

            plt.show(block=False)
        elif in_notebook() or self.save_path is not None:
            self._live.show(self._fig)
        else:
            log.info("RealTimePlot.show(): no display available; use save(path) to write it.")

    def save(self, path: str | os.PathLike) -> Path:
        """Write the figure (format from the suffix: .png/.svg/.pdf/.html/.json)."""
        self._sync()
        return save_figure(self._fig, path)


_MPL_TO_PLOTLY = {"linewidth": "width", "lw": "width", "linestyle": "dash", "ls": "dash"}
_DASHES = {"-": "solid", "--": "dash", ":": "dot", "-.": "dashdot"}


def _plotly_style(series: dict[str, Any]) -> dict[str, Any]:
    """Translate the common matplotlib style keywords (color, lw, ls, markersize, alpha)."""
    out: dict[str, Any] = {}
    line: dict[str, Any] = {}
    marker: dict[str, Any] = {}
    for key, value in series["style"].items():
        if key in ("color", "c"):
            (line if series["kind"] == "line" else marker)["color"] = value
        elif key in _MPL_TO_PLOTLY:
            line[_MPL_TO_PLOTLY[key]] = (
                _DASHES.get(value, value) if "dash" in _MPL_TO_PLOTLY[key] else value
            )
        elif key in ("markersize", "ms", "s"):
            marker["size"] = value
        elif key == "alpha":
            out["opacity"] = value
        else:
            out[key] = value  # plotly's own keywords pass through
    if line:
        out["line"] = {**out.get("line", {}), **line}
    if marker:
        out["marker"] = {**out.get("marker", {}), **marker}
    return out


def _set_limits(ax: Any, xs: np.ndarray, ys: np.ndarray) -> None:
    def pad(lo: float, hi: float) -> tuple[float, float]:
        span = hi - lo
        margin = 0.05 * span if span > 0 else (abs(lo) * 0.05 or 0.5)
        return lo - margin, hi + margin

    ax.set_xlim(*pad(float(xs.min()), float(xs.max())))
    if ax.get_yscale() == "linear":
        ax.set_ylim(*pad(float(ys.min()), float(ys.max())))
