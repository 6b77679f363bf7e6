"""Small shared pieces of the dashboard pages: messages, guarded callbacks, theming."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

from spacekit.exceptions import SpacekitError

__all__ = ["message", "guarded", "themed", "options", "PALETTE"]

log = logging.getLogger(__name__)

#: Dark theme of the 1.1.4 dashboards (page, panels, text, accent).
PALETTE = {"page": "#1b1f34", "panel": "#242a44", "text": "#f2f4f8", "accent": "#2186f4"}


def message(text: str, kind: str = "error"):
    """A visible message box (``kind``: ``error``, ``warning`` or ``info``)."""
    from dash import html

    return html.Div(text, className=f"sk-msg sk-msg-{kind}", role="alert")


def guarded(n_outputs: int, status_index: int = -1) -> Callable:
    """Wrap a callback so errors become a message in the page, never a traceback.

    The callback returns ``n_outputs`` values; on a
    :class:`~spacekit.exceptions.SpacekitError` (bad input: a wrong file, a model that is
    not a Dense network...) the output at ``status_index`` gets the error message and the
    others are left unchanged. Other exceptions are logged with their traceback on the
    server and shown as a short generic message.
    """

    def wrap(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def inner(*args, **kwargs):
            from dash import no_update
            from dash.exceptions import PreventUpdate

            try:
                return fn(*args, **kwargs)
            except PreventUpdate:
                raise
            except SpacekitError as exc:
                box = message(str(exc))
            except Exception:
                log.exception("dashboard callback %s failed", fn.__name__)
                box = message(
                    f"Internal error in {fn.__name__}; the details are in the server log."
                )
            if n_outputs == 1:
                return box
            out = [no_update] * n_outputs
            out[status_index] = box
            return tuple(out)

        return inner

    return wrap


def themed(fig, height: int | None = None):
    """Apply the dashboard's dark theme to a plotly figure (in place) and return it."""
    fig.update_layout(
        template="plotly_dark",
        paper_bgcolor=PALETTE["panel"],
        plot_bgcolor=PALETTE["panel"],
        font={"color": PALETTE["text"]},
        margin={"l": 60, "r": 30, "t": 60, "b": 50},
        autosize=True,
        width=None,
    )
    if height is not None:
        fig.update_layout(height=height)
    return fig


def options(values, labels=None) -> list[dict]:
    """Dropdown options from values (and optional labels)."""
    labels = labels or [str(v) for v in values]
    return [{"label": str(lab), "value": v} for v, lab in zip(values, labels, strict=True)]
