"""Options every ``spacekit`` subcommand shares: ``-v``/``-q`` after the subcommand name.

``spacekit -v jwst predict --sample`` and ``spacekit jwst predict --sample -v`` mean the
same: the counts given before and after the subcommand add up. :func:`add_log_options`
puts the two flags on a command (and, for a group, on every command it already holds);
the ``spacekit`` group calls it on each subcommand it resolves (:class:`~spacekit.cli.LazyGroup`),
so a command added to ``SUBCOMMANDS`` (or to a group beneath it) gets them without any
code of its own.
"""

from __future__ import annotations

import click

from spacekit.logging_setup import configure_logging, verbosity_to_level

__all__ = ["add_log_options", "apply_verbosity"]

_MARK = "_spacekit_log_options"


def apply_verbosity(ctx: click.Context, verbose: int = 0, quiet: int = 0) -> None:
    """Add ``verbose``/``quiet`` counts to the run's totals and set the console log level.

    The totals live in the root context's ``obj`` (``verbose``, ``quiet``, ``log_file``,
    ``verbosity``), so options given before and after a subcommand add up.
    """
    obj = ctx.find_root().ensure_object(dict)
    obj["verbose"] = obj.get("verbose", 0) + verbose
    obj["quiet"] = obj.get("quiet", 0) + quiet
    obj["verbosity"] = obj["verbose"] - obj["quiet"]
    configure_logging(
        verbosity_to_level(obj["verbose"], obj["quiet"]), log_file=obj.get("log_file")
    )


def _on_verbose(ctx: click.Context, param: click.Parameter, value: int) -> None:
    if value and not ctx.resilient_parsing:
        apply_verbosity(ctx, verbose=value)


def _on_quiet(ctx: click.Context, param: click.Parameter, value: int) -> None:
    if value and not ctx.resilient_parsing:
        apply_verbosity(ctx, quiet=value)


def _taken(command: click.Command) -> set[str]:
    return {opt for p in command.params for opt in (*p.opts, *p.secondary_opts)}


def add_log_options(command: click.Command) -> click.Command:
    """Give ``command`` the ``-v/--verbose`` and ``-q/--quiet`` flags (once) and return it.

    A flag the command already defines for itself is left alone. For a group, the
    commands it holds get them too (a lazy group's commands get them when resolved).
    """
    if getattr(command, _MARK, False):
        return command
    setattr(command, _MARK, True)
    taken = _taken(command)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            add_log_options(sub)
    if "-v" not in taken and "--verbose" not in taken:
        command.params.append(
            click.Option(
                ["-v", "--verbose"],
                count=True,
                expose_value=False,
                callback=_on_verbose,
                help="More log output (-v info, -vv debug); same as before the command.",
            )
        )
    if "-q" not in taken and "--quiet" not in taken:
        command.params.append(
            click.Option(
                ["-q", "--quiet"],
                count=True,
                expose_value=False,
                callback=_on_quiet,
                help="Less log output (-q errors only).",
            )
        )
    return command
