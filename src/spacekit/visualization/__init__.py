"""Training dashboards, layer/attention/prediction visualizers and a live web server.

Names are imported lazily, so ``import spacekit.visualization`` stays cheap; Keras and
the web server's dependencies load only when the class that needs them is used.
"""

import importlib

_LAZY = {
    "TrainingDashboard": "spacekit.visualization.training",
    "DashboardCallback": "spacekit.visualization.callbacks",
    "RealTimePlot": "spacekit.visualization.realtime",
    "PredictionVisualizer": "spacekit.visualization.predictions",
    "LayerVisualizer": "spacekit.visualization.layers",
    "AttentionVisualizer": "spacekit.visualization.attention",
    "DashboardServer": "spacekit.visualization.server",
    "quick_plot_loss": "spacekit.visualization.quick",
    "quick_plot_metrics": "spacekit.visualization.quick",
    "create_interactive_dashboard": "spacekit.visualization.quick",
}

__all__ = sorted(_LAZY)


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'spacekit.visualization' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + __all__)
