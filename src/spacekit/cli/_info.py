"""``spacekit info``: report versions and which optional extras are installed."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import platform
import sys

import click

from spacekit._optional import EXTRAS
from spacekit._version import __version__


def environment_report() -> dict:
    """Return spacekit's version, Python's and each optional module's (without importing it)."""
    optional = {}
    for module, extra in sorted(EXTRAS.items()):
        if importlib.util.find_spec(module) is None:
            optional[module] = {"extra": extra, "version": None}
            continue
        try:
            version = importlib.metadata.version(module)
        except importlib.metadata.PackageNotFoundError:
            version = "installed"
        optional[module] = {"extra": extra, "version": version}
    return {
        "spacekit": __version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "optional": optional,
    }


@click.command("info")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def info(as_json: bool) -> None:
    """Show versions and which optional extras (ml, dashboard, jwst, distributed) are installed."""
    report = environment_report()
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    click.echo(f"spacekit {report['spacekit']} (python {report['python']}, {report['platform']})")
    for module, row in report["optional"].items():
        status = row["version"] or f'missing: pip install "spacekit[{row["extra"]}]"'
        click.echo(f"  {module:<14} {status}")
