"""Build the explorer and serve it until Ctrl-C (the ``spacekit explore`` command)."""

from __future__ import annotations

import sys
from collections.abc import Callable

__all__ = ["run_explorer"]


def run_explorer(
    model=None,
    data="digits",
    layer: str | None = None,
    *,
    max_samples: int | None = None,
    cache=None,
    host: str = "127.0.0.1",
    port: int = 8050,
    debug: bool = False,
    echo: Callable[[str], None] = print,
    allowed_hosts=None,
    norm: int | None = None,
) -> None:
    """Load, check, predict, then serve (raises SpacekitError on bad input)."""
    from spacekit.dashboard.explorer import create_explorer
    from spacekit.dashboard.server import check_port, serve

    check_port(host, port)  # before the slower loading, so a busy port fails fast
    if model is None:
        echo("No model given: using the default CNN (trained and cached on first use).")
    app = create_explorer(
        model, data, layer, max_samples=max_samples, cache=cache, progress=sys.stderr.isatty(),
        norm=norm,
    )  # fmt: skip
    c = app.spacekit_context
    echo(
        f"spacekit explorer: {c.model_name} on {c.data.source}: {len(c):,} images, "
        f"{len(c.classes)} classes, accuracy {c.accuracy:.3f}; hidden layer {c.layer!r}"
    )
    echo(f"Cache: {c.cache if c.cache is not None else 'none'}")
    serve(
        app, host=host, port=port, debug=debug, allowed_hosts=allowed_hosts,
        on_start=lambda url: echo(f"Serving at {url} (Ctrl-C to stop)"),
    )  # fmt: skip
