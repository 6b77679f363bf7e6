"""Pages of the results dashboards (one module per page; see :mod:`spacekit.dashboard.app`).

``RESULTS_PAGES`` lists them in navigation order.
"""

RESULTS_PAGES: tuple[str, ...] = (
    "spacekit.dashboard.pages.home",
    "spacekit.dashboard.pages.evaluation",
    "spacekit.dashboard.pages.eda",
    "spacekit.dashboard.pages.drift",
    "spacekit.dashboard.pages.network",
    "spacekit.dashboard.pages.predictions",
)
