"""``spacekit viz``: watch a training history live in a browser, or turn it into a report.

Examples::

    spacekit viz serve runs/history.json --port 8050     # follows the file; Ctrl-C stops
    spacekit viz report runs/history.json -o report.html # self-contained HTML
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import click

from spacekit.cli._paths import check_writable_file, describe_os_error
from spacekit.exceptions import SpacekitError

__all__ = ["viz", "serve", "report"]

log = logging.getLogger(__name__)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def viz() -> None:
    """Training visualizations: live server and HTML reports."""


@viz.command()
@click.argument("history", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to bind. Keep the default and use an SSH port-forward to watch "
    "from another machine; the server has no authentication.",
)
@click.option(
    "--port",
    default=8050,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="TCP port (0 picks a free one).",
)
@click.option(
    "--poll",
    default=0.5,
    show_default=True,
    type=click.FloatRange(min=0.05),
    help="Seconds between checks of the history file.",
)
@click.option(
    "--allow-host",
    "allow_hosts",
    multiple=True,
    metavar="NAME",
    help="Also answer requests for this host name (repeatable), e.g. the machine's name "
    "when bound to a LAN address; other names get 403 (DNS-rebinding guard).",
)
@click.option(
    "--wait/--no-wait",
    default=False,
    show_default=True,
    help="Start even if HISTORY does not exist yet (training has not begun).",
)
@click.option(
    "--duration",
    default=None,
    type=click.FloatRange(min=0),
    hidden=True,
    help="Stop after this many seconds (for tests and scripted demos).",
)
def serve(
    history: Path,
    host: str,
    port: int,
    poll: float,
    allow_hosts: tuple[str, ...],
    wait: bool,
    duration: float | None,
) -> None:
    """Serve a live dashboard that follows HISTORY (a TrainingDashboard JSON file).

    Open the printed URL in a browser: it shows every epoch so far and each new one as
    the training process saves the file. Press Ctrl-C to stop.
    """
    from spacekit.visualization.server import DashboardServer, read_history

    if history.exists():
        try:
            read_history(history)
        except SpacekitError as exc:
            raise click.ClickException(str(exc)) from exc
    elif not wait:
        raise click.ClickException(
            f"history file not found: {history}. Pass the JSON written by "
            "TrainingDashboard.save_history(), or add --wait to start before training does."
        )
    try:
        server = DashboardServer(host=host, port=port, allowed_hosts=allow_hosts or None)
    except SpacekitError as exc:
        raise click.BadParameter(str(exc), param_hint="--allow-host") from exc
    try:
        server.follow(history, poll_interval=poll)
        url = server.start()
    except SpacekitError as exc:
        server.stop()
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Serving {history} at {url} (Ctrl-C to stop)")
    deadline = None if duration is None else time.monotonic() + duration
    try:
        while server.running and (deadline is None or time.monotonic() < deadline):
            time.sleep(0.2)
    except KeyboardInterrupt:
        click.echo("Stopping.")
    finally:
        server.stop()
    click.echo("Server stopped.")


@viz.command()
@click.argument("history", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="HTML file to write (plotly.js is embedded; it opens offline).",
)
@click.option("--title", default=None, help="Page title (default: 'Training report: RUN').")
def report(history: Path, output: Path, title: str | None) -> None:
    """Write a self-contained HTML report of HISTORY (a TrainingDashboard JSON file)."""
    from spacekit.visualization.server import write_report

    check_writable_file(output, "--output")
    try:
        path = write_report(history, output, title=title)
    except SpacekitError as exc:
        raise click.ClickException(str(exc)) from exc
    except OSError as exc:
        raise click.ClickException(f"cannot write {output}: {describe_os_error(exc)}") from exc
    click.echo(f"Wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
