"""The ``python -m spacekit.dashboard.{cal,svm,jwst}`` runners (and 1.1.4's ``.index``).

Flags: ``--results DIR``, ``--data CSV``, ``--host`` (default 127.0.0.1), ``--port``
(default 8050), ``--debug``; 1.1.4's ``--env dev|prod`` is accepted (``dev`` = debug).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from spacekit.exceptions import SpacekitError

__all__ = ["run_dashboard", "main"]


def run_dashboard(
    kind: str,
    results=None,
    data=None,
    host: str = "127.0.0.1",
    port: int = 8050,
    debug: bool = False,
    echo: Callable[[str], None] = print,
    max_upload_mb: float = 20.0,
    allowed_hosts=None,
) -> None:
    """Build the dashboard of ``kind`` and serve it until Ctrl-C (raises SpacekitError)."""
    from spacekit.dashboard import create_dashboard
    from spacekit.dashboard.server import check_port, serve

    check_port(host, port)  # before the (slower) loading, so a busy port fails fast
    app = create_dashboard(kind, results, data, max_upload_mb=max_upload_mb)
    ctx = app.spacekit_context
    echo(
        f"spacekit {kind} dashboard: {len(ctx.versions)} version(s) from {ctx.source}; "
        f"data: {ctx.data_path or 'none'}"
    )
    for problem in ctx.problems:
        echo(f"warning: {problem}")
    serve(
        app, host=host, port=port, debug=debug,
        on_start=lambda url: echo(f"Serving at {url} (Ctrl-C to stop)"),
        allowed_hosts=allowed_hosts,
    )  # fmt: skip


def _parser(kind: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=f"python -m spacekit.dashboard.{kind}",
        description=f"Serve the spacekit {kind} results dashboard.",
    )
    p.add_argument("--results", default=None, help="folder of training results (default: sample)")
    p.add_argument("--data", default=None, help="CSV for the EDA, drift and network pages")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8050, help="TCP port (default 8050)")
    p.add_argument("--debug", action="store_true", help="Dash dev tools (development only)")
    p.add_argument("--env", choices=("prod", "dev"), default="prod", help="1.1.4: dev = --debug")
    p.add_argument(
        "--allow-host",
        action="append",
        default=None,
        metavar="NAME",
        help="also answer requests for this host name (repeatable)",
    )
    return p


def main(kind: str, argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and serve; return the exit status (2 for bad input)."""
    from spacekit.logging_setup import configure_logging

    args = _parser(kind).parse_args(argv)
    configure_logging("info")
    try:
        run_dashboard(
            kind,
            args.results,
            args.data,
            args.host,
            args.port,
            args.debug or args.env == "dev",
            allowed_hosts=args.allow_host,
        )
    except SpacekitError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Stopped.")
    return 0
