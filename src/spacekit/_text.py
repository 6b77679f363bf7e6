"""Small text helpers for messages (errors, warnings, logs)."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["preview"]


def preview(items: Iterable[object], limit: int = 3) -> str:
    """The first ``limit`` items joined by commas, then how many more there are.

    Messages about many inputs name a few and count the rest.

    Parameters
    ----------
    items : iterable
        What to name (each is shown with ``str``).
    limit : int, default=3
        How many are named.

    Returns
    -------
    str
        ``"a, b, c and 2 more"``, or all of them when there are at most ``limit``.

    Examples
    --------
    >>> preview(["a", "b", "c", "d", "e"])
    'a, b, c and 2 more'
    >>> preview(["a", "b"])
    'a, b'
    """
    names = [str(item) for item in items]
    shown = ", ".join(names[:limit])
    rest = len(names) - limit
    return f"{shown} and {rest} more" if rest > 0 else shown
