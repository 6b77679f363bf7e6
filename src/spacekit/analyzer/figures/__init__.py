"""Pure figure builders: data in, a figure out. The one place spacekit draws.

The analyzer, the visualizers and the dashboards all draw with these functions. Each
``make_*_figure`` takes plain data (lists, arrays, mappings) and returns a new
:class:`plotly.graph_objects.Figure` or a pyplot-free :class:`matplotlib.figure.Figure`
chosen by ``backend=``; none of them shows, saves or keeps anything (only
:func:`save_figure` writes a file). plotly and matplotlib are imported when a figure is
built, so importing this package is cheap.

Modules
-------
:mod:`~spacekit.analyzer.figures.backend`
    ``BACKENDS``, :func:`check_backend`, :func:`new_matplotlib_figure`.
:mod:`~spacekit.analyzer.figures.export`
    :func:`save_figure` (any figure, format by suffix, atomic), :func:`figure_to_html`.
:mod:`~spacekit.analyzer.figures.history`
    Training histories: :func:`make_history_figure`, :func:`make_loss_figure`,
    :func:`make_batch_figure` and their helpers.
:mod:`~spacekit.analyzer.figures.regression`
    :func:`make_residual_figure`.
:mod:`~spacekit.analyzer.figures.classification`
    :func:`make_confusion_matrix_figure`, :func:`make_curves_figure` (ROC, PR),
    :func:`make_roc_figure` / :func:`make_pr_figure` (per memory bin),
    :func:`make_gallery_figure`.
:mod:`~spacekit.analyzer.figures.evaluation`
    Model evaluation across versions: :func:`make_confusion_grid`,
    :func:`make_confusion_figure`, :func:`make_score_bars`, :func:`make_history_compare`,
    :func:`make_error_distribution`.
:mod:`~spacekit.analyzer.figures.images`
    :func:`make_image_grid`, :func:`make_histogram_grid`, :func:`make_overlay_figure`,
    :func:`make_overlay_grid_figure`, :func:`make_gradient_flow_figure`.
:mod:`~spacekit.analyzer.figures.projection`
    2-D projections in WebGL: :func:`make_projection_figure` (one trace per class),
    :func:`make_loss_projection_figure` (coloured by per-sample loss),
    :func:`selected_positions`.
:mod:`~spacekit.analyzer.figures.samples`
    :func:`make_thumbnail_figure`, :func:`make_activation_figure` (hidden-layer vectors as
    lines), :func:`display_image`, :func:`png_data_uri`.
:mod:`~spacekit.analyzer.figures.model_graph`
    :func:`make_layer_graph_figure` (layers of a model as a graph).

Examples
--------
>>> from spacekit.analyzer.figures import make_loss_figure
>>> fig = make_loss_figure({"loss": [0.9, 0.5], "val_loss": [1.0, 0.7]}, backend="matplotlib")
>>> fig.axes[0].get_title()
'loss'
"""

from spacekit.analyzer.figures.backend import BACKENDS, check_backend, new_matplotlib_figure
from spacekit.analyzer.figures.classification import (
    make_confusion_matrix_figure,
    make_curves_figure,
    make_gallery_figure,
    make_pr_figure,
    make_roc_figure,
    mpl_pr_figure,
    mpl_roc_figure,
)
from spacekit.analyzer.figures.evaluation import (
    make_confusion_figure,
    make_confusion_grid,
    make_error_distribution,
    make_history_compare,
    make_score_bars,
)
from spacekit.analyzer.figures.export import (
    close_figure,
    figure_to_html,
    is_matplotlib_figure,
    is_plotly_figure,
    save_figure,
)
from spacekit.analyzer.figures.history import (
    best_epoch,
    group_metrics,
    lower_is_better,
    make_batch_figure,
    make_history_figure,
    make_loss_figure,
    mpl_loss_figure,
    trailing_mean,
)
from spacekit.analyzer.figures.images import (
    make_gradient_flow_figure,
    make_histogram_grid,
    make_image_grid,
    make_overlay_figure,
    make_overlay_grid_figure,
    resize_bilinear,
)
from spacekit.analyzer.figures.model_graph import layer_depths, make_layer_graph_figure
from spacekit.analyzer.figures.projection import (
    CLASS_COLORS,
    make_loss_projection_figure,
    make_projection_figure,
    selected_positions,
)
from spacekit.analyzer.figures.regression import make_residual_figure, mpl_residual_figure
from spacekit.analyzer.figures.samples import (
    display_image,
    make_activation_figure,
    make_thumbnail_figure,
    png_data_uri,
)

__all__ = [
    "BACKENDS",
    "check_backend",
    "new_matplotlib_figure",
    "save_figure",
    "figure_to_html",
    "close_figure",
    "is_plotly_figure",
    "is_matplotlib_figure",
    "make_history_figure",
    "make_loss_figure",
    "make_batch_figure",
    "best_epoch",
    "group_metrics",
    "lower_is_better",
    "trailing_mean",
    "make_residual_figure",
    "make_confusion_matrix_figure",
    "make_curves_figure",
    "make_roc_figure",
    "make_pr_figure",
    "make_gallery_figure",
    "make_confusion_figure",
    "make_confusion_grid",
    "make_score_bars",
    "make_error_distribution",
    "make_history_compare",
    "make_image_grid",
    "make_histogram_grid",
    "make_overlay_figure",
    "make_overlay_grid_figure",
    "make_gradient_flow_figure",
    "resize_bilinear",
    "mpl_residual_figure",
    "mpl_loss_figure",
    "mpl_roc_figure",
    "mpl_pr_figure",
    "CLASS_COLORS",
    "make_projection_figure",
    "make_loss_projection_figure",
    "selected_positions",
    "display_image",
    "png_data_uri",
    "make_thumbnail_figure",
    "make_activation_figure",
    "layer_depths",
    "make_layer_graph_figure",
]
