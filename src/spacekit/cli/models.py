"""``spacekit models``: list, describe, download and locate the registered model archives."""

from __future__ import annotations

import json
import sys

import click

__all__ = ["models", "list_cmd", "info", "fetch", "path"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def models() -> None:
    """Trained-network archives by name (spacekit-1.1.4/jwst_cal, packaged/jwst_cal ...).

    Published archives are downloaded once into the cache (SPACEKIT_CACHE) from the
    public spacekit repository, or from SPACEKIT_MODEL_MIRROR (a URL or folder) when set,
    and verified against their SHA-256. Every predictor's --model-path takes these names.
    """


def _status(entry) -> str:
    from spacekit.builder.registry import cached_path

    if entry.packaged:
        return "packaged" if cached_path(entry.name) else "packaged (missing or modified)"
    return "cached" if cached_path(entry.name) else "not cached"


def _size(n: int | None) -> str:
    if n is None:
        return "-"
    return f"{n / 1024**2:.1f} MB" if n >= 1024**2 else f"{n / 1024:.0f} KB"


def _fail(exc: Exception) -> None:
    click.echo(f"Error: {exc}", err=True)
    sys.exit(1)


@models.command("list")
@click.option("-k", "--kind", default=None, help="Only archives of this kind (e.g. jwst_cal).")
@click.option("--json", "as_json", is_flag=True, help="Print the entries as JSON.")
def list_cmd(kind: str | None, as_json: bool) -> None:
    """List the registered archives: name, kind, version, training data, size, status."""
    from spacekit.builder.registry import list_entries

    entries = list_entries(kind)
    if as_json:
        rows = [{**e.to_dict(), "status": _status(e)} for e in entries]
        click.echo(json.dumps(rows, indent=2))
        return
    if not entries:
        click.echo(f"No archive of kind {kind!r} is registered.")
        return
    header = ("name", "kind", "version", "trained on", "size", "status")
    rows = [(e.name, e.kind, e.version, e.trained_on, _size(e.size), _status(e)) for e in entries]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, *rows]:
        click.echo("  ".join(f"{str(c):<{w}}" for c, w in zip(r, widths, strict=True)).rstrip())


@models.command()
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print the entry as JSON.")
def info(name: str, as_json: bool) -> None:
    """Describe archive NAME: hash, size, source, cache location, status and model card."""
    from spacekit.builder.registry import cached_path, get_entry, model_card, source_url
    from spacekit.exceptions import SpacekitError

    try:
        entry = get_entry(name)
        where = cached_path(name)
        source = str(entry.packaged_path) if entry.packaged else source_url(entry)
        card = model_card(name)
    except SpacekitError as exc:
        _fail(exc)
    if as_json:
        data = {
            **entry.to_dict(),
            "source": source,
            "local_path": str(where) if where else None,
            "status": _status(entry),
            "card": card,
        }
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(f"{entry.name}  ({entry.kind}, version {entry.version})")
    click.echo(f"  {entry.description}")
    click.echo(f"  trained on: {entry.trained_on} data")
    click.echo(f"  sha256:     {entry.sha256}")
    click.echo(f"  size:       {_size(entry.size)}")
    click.echo(f"  source:     {source}")
    click.echo(f"  local:      {where or 'not cached (spacekit models fetch ' + name + ')'}")
    click.echo("")
    click.echo(card.rstrip())


@models.command()
@click.argument("names", nargs=-1, required=True)
@click.option("--force", is_flag=True, help="Download again even if a verified copy is cached.")
@click.option("--no-progress", is_flag=True, help="Hide the download progress bar.")
def fetch(names: tuple[str, ...], force: bool, no_progress: bool) -> None:
    """Download archives NAMES into the cache and verify their SHA-256.

    Prints each local path. Exits with 1 if any archive could not be fetched.
    """
    from spacekit.builder import registry
    from spacekit.exceptions import SpacekitError

    failed = 0
    for name in names:
        try:
            entry = registry.get_entry(name)
            was_cached = registry.cached_path(name) is not None
            progress = None if not no_progress else False
            local = registry.fetch(name, progress=progress, force=force)
        except SpacekitError as exc:
            click.echo(f"Error: {exc}", err=True)
            failed += 1
            continue
        how = "packaged" if entry.packaged else "cached" if was_cached and not force else "fetched"
        click.echo(f"{name}: {how}, sha256 {entry.sha256[:12]} verified -> {local}")
    if failed:
        sys.exit(1)


@models.command()
@click.argument("name")
@click.option(
    "--no-download", is_flag=True, help="Fail (exit 1) instead of downloading when not cached."
)
def path(name: str, no_download: bool) -> None:
    """Print the local path of archive NAME (downloading it first if needed).

    Only the path goes to standard output, for scripts:
    MODEL=$(spacekit models path spacekit-1.1.4/jwst_cal).
    """
    from spacekit.builder.registry import get_entry, resolve_model_path
    from spacekit.exceptions import SpacekitError

    try:
        get_entry(name)
        local = resolve_model_path(name, download=not no_download)
    except SpacekitError as exc:
        _fail(exc)
    click.echo(str(local))
