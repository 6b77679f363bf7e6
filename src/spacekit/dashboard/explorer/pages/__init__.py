"""Pages of the model explorer (one module per page; see :mod:`spacekit.dashboard.app`).

``EXPLORER_PAGES`` lists them in navigation order.
"""

EXPLORER_PAGES: tuple[str, ...] = (
    "spacekit.dashboard.explorer.pages.preview",
    "spacekit.dashboard.explorer.pages.projections",
    "spacekit.dashboard.explorer.pages.hard",
    "spacekit.dashboard.explorer.pages.losses",
    "spacekit.dashboard.explorer.pages.confusion",
    "spacekit.dashboard.explorer.pages.similar",
)
