"""``spacekit info``: report the versions of spacekit, Python and every dependency."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import platform
import re
import sys

import click

from spacekit._optional import EXTRAS
from spacekit._version import __version__

#: The core dependencies (distribution names, as in ``pyproject.toml``).
CORE_DISTRIBUTIONS = (
    "numpy",
    "pandas",
    "scikit-learn",
    "astropy",
    "click",
    "matplotlib",
    "plotly",
    "h5py",
    "scipy",
    "pyyaml",
    "tqdm",
    "pillow",
    "pooch",
    "threadpoolctl",
)


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def _module_version(module: str, owners: dict[str, list[str]]) -> tuple[str | None, str | None]:
    """``(distribution, version)`` of an importable top-level module, without importing it.

    The distribution is looked up by the files it installed, so ``tensorflow`` installed
    by ``tensorflow-cpu`` reports that distribution's version.
    """
    for dist in [*owners.get(module, []), module]:
        version = _version(dist)
        if version is not None:
            return re.sub(r"[-_.]+", "-", dist).lower(), version  # PEP 503 spelling
    return None, None


def environment_report() -> dict:
    """Return the versions of spacekit, Python, the core and the optional dependencies.

    Nothing is imported to find a version (TensorFlow stays unloaded). ``version`` is None
    for a dependency that is not installed.
    """
    owners = importlib.metadata.packages_distributions()
    core = {dist: _version(dist) for dist in CORE_DISTRIBUTIONS}
    optional = {}
    for module, extra in sorted(EXTRAS.items()):
        dist = version = None
        if importlib.util.find_spec(module) is not None:
            dist, version = _module_version(module, owners)
            if version is None:
                version = "unknown version"  # importable, but installed without metadata
        optional[module] = {"extra": extra, "distribution": dist, "version": version}
    return {
        "spacekit": __version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "core": core,
        "optional": optional,
    }


@click.command("info")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def info(as_json: bool) -> None:
    """Show the versions of spacekit, Python and every dependency (core and extras)."""
    report = environment_report()
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    click.echo(f"spacekit {report['spacekit']} (python {report['python']}, {report['platform']})")
    click.echo("core:")
    for dist, version in report["core"].items():
        click.echo(f"  {dist:<14} {version or 'missing (reinstall spacekit)'}")
    click.echo("optional:")
    for module, row in report["optional"].items():
        if row["version"] is None:
            status = f'missing: pip install "spacekit[{row["extra"]}]"'
        else:
            status = row["version"]
            if row["distribution"] not in (None, module):
                status += f" ({row['distribution']})"
        click.echo(f"  {module:<14} {status}  [{row['extra']}]")
