"""The cal results dashboard: ``python -m spacekit.dashboard.cal [--results DIR] [--data CSV]``.

See :func:`spacekit.dashboard.create_dashboard`.
"""

from __future__ import annotations

__all__ = ["create_app"]


def create_app(results=None, data=None, **kwargs):
    """Build the cal dashboard (see :func:`spacekit.dashboard.create_dashboard`)."""
    from spacekit.dashboard import create_dashboard

    return create_dashboard("cal", results, data, **kwargs)
