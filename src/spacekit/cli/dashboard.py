"""``spacekit dashboard``: serve the results dashboards in a browser.

Examples::

    spacekit dashboard cal                      # packaged sample results, 127.0.0.1:8050
    spacekit dashboard svm --results runs/ --port 8051
    spacekit dashboard jwst --results runs/2026-03-01_1772323200 --data train-image.csv
"""

from __future__ import annotations

import click

from spacekit.exceptions import SpacekitError

__all__ = ["dashboard"]

_KIND_HELP = {
    "cal": "HST calibration: memory bin classifier, memory and wallclock regressors.",
    "svm": "HST single-visit mosaic alignment classifier (test and validation sets).",
    "jwst": "JWST calibration: Level-3 memory regressors (image and spec, every fold).",
}


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def dashboard() -> None:
    """Serve a results dashboard: evaluation, EDA, drift, network graph, predictions.

    With no --results the packaged sample results are shown. The server binds
    127.0.0.1 (use an SSH port-forward to watch from elsewhere) and runs without
    debug tools unless --debug is given.
    """


def _make(kind: str) -> click.Command:
    @click.command(name=kind, help=_KIND_HELP[kind])
    @click.option(
        "--results",
        type=click.Path(file_okay=False, path_type=str),
        default=None,
        help="Folder of training results: version folders (YYYY-MM-DD-epoch), one "
        "version, or one results folder. Default: the packaged sample.",
    )
    @click.option(
        "--data",
        type=click.Path(dir_okay=False, path_type=str),
        default=None,
        help="CSV for the EDA, drift, network and predictions pages (default: the "
        "newest version's data/*.csv).",
    )
    @click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
    @click.option(
        "--port", default=8050, show_default=True, type=click.IntRange(0, 65535),
        help="TCP port (0 picks a free one).",
    )  # fmt: skip
    @click.option("--debug", is_flag=True, help="Dash dev tools; for development only.")
    @click.option(
        "--max-upload-mb", default=20.0, show_default=True, type=click.FloatRange(min=0.1),
        help="Largest upload accepted.",
    )  # fmt: skip
    @click.option(
        "--allow-host",
        "allow_hosts",
        multiple=True,
        metavar="NAME",
        help="Also answer requests for this host name (e.g. behind a proxy); repeatable. "
        "On 127.0.0.1 the dashboard refuses other Host headers (DNS rebinding).",
    )
    def command(results, data, host, port, debug, max_upload_mb, allow_hosts):
        from spacekit.dashboard._runner import run_dashboard

        try:
            run_dashboard(
                kind, results, data, host, port, debug, echo=click.echo,
                max_upload_mb=max_upload_mb, allowed_hosts=allow_hosts or None,
            )  # fmt: skip
        except SpacekitError as exc:
            raise click.ClickException(str(exc)) from exc
        except KeyboardInterrupt:
            click.echo("Stopped.")

    return command


for _kind in ("cal", "svm", "jwst"):
    dashboard.add_command(_make(_kind))
