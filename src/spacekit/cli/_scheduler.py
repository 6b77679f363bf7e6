"""``--scheduler`` / ``--dask-address``: the options of the commands that can scale out."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import click

__all__ = ["scheduler_options", "open_client"]


def scheduler_options(func: Callable) -> Callable:
    """Add ``--scheduler {processes,dask}`` and ``--dask-address`` to a command."""
    func = click.option(
        "--dask-address",
        metavar="tcp://HOST:PORT",
        default=None,
        help="Dask scheduler to run on (implies --scheduler dask). Default with "
        "--scheduler dask: $DASK_SCHEDULER_ADDRESS.",
    )(func)
    return click.option(
        "--scheduler",
        type=click.Choice(["processes", "dask"]),
        default=None,
        help="Where the work runs: local worker processes (the default) or a Dask cluster "
        '(needs pip install "spacekit[distributed]").',
    )(func)


@contextlib.contextmanager
def open_client(scheduler: str | None, address: str | None) -> Iterator[object | None]:
    """Yield None for local processes, or a connected Dask client (closed on exit).

    Raises
    ------
    click.UsageError
        ``--dask-address`` with ``--scheduler processes``, or ``--scheduler dask`` with no
        address given and ``DASK_SCHEDULER_ADDRESS`` unset.
    """
    from spacekit._distributed import ADDRESS_ENV, connect, resolve_address

    if scheduler is None:
        scheduler = "dask" if address else "processes"
    if scheduler == "processes":
        if address:
            raise click.UsageError("--dask-address needs --scheduler dask (or no --scheduler)")
        yield None
        return
    where = resolve_address(address)
    if where is None:
        raise click.UsageError(
            f"--scheduler dask needs --dask-address tcp://HOST:PORT or {ADDRESS_ENV} set"
        )
    client = connect(where)
    try:
        yield client
    finally:
        client.close()
