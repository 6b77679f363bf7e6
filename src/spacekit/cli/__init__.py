"""The ``spacekit`` command line: one click group with lazily imported subcommands.

Subcommand modules are imported only when their command runs (or its ``--help`` is
shown), so ``spacekit --help`` stays fast and never imports TensorFlow, Keras or Dash.
"""

from __future__ import annotations

import importlib
import logging

import click

from spacekit._version import __version__
from spacekit.cli._paths import check_writable_file, describe_os_error
from spacekit.logging_setup import configure_logging, verbosity_to_level

__all__ = ["main", "SUBCOMMANDS"]

log = logging.getLogger(__name__)

#: name -> ("module:attribute", one-line help shown by ``spacekit --help``).
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "info": ("spacekit.cli._info:info", "Show versions and which optional extras are installed."),
    "datasets": ("spacekit.cli.datasets:datasets", "Simulate observatory data; list samples."),
    "jwst": ("spacekit.cli.jwst:jwst", "JWST calibration: predict Level-3 memory footprints."),
    "hstcal": (
        "spacekit.cli.hstcal:hstcal",
        "HST calibration: memory bin, memory and wallclock of calibration jobs.",
    ),
    "viz": ("spacekit.cli.viz:viz", "Training visualizations: live server and HTML reports."),
    "models": ("spacekit.cli.models:models", "Trained-model archives by name: list, info, fetch."),
    "svm": ("spacekit.cli.svm:svm", "HST single-visit mosaics: prep, corrupt, predict, train."),
    "dashboard": (
        "spacekit.cli.dashboard:dashboard",
        "Results dashboards in the browser: evaluation, EDA, drift, network, predictions.",
    ),
    "explore": (
        "spacekit.cli.explore:explore",
        "Model explorer in the browser: projections, hard examples, similar images.",
    ),
}


class LazyGroup(click.Group):
    """A click group that imports each registered subcommand on first use."""

    def __init__(self, *args, lazy: dict[str, tuple[str, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy = lazy if lazy is not None else {}

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | set(self.lazy))

    def get_command(self, ctx, cmd_name):
        if cmd_name in self.lazy:
            target, _ = self.lazy[cmd_name]
            module_name, attr = target.split(":")
            return getattr(importlib.import_module(module_name), attr)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx):
        """Run the subcommand; a spacekit error or an OS error becomes one ``Error:`` line.

        The traceback is logged at DEBUG (``-vv`` or ``--log-file`` show it), so no
        command ends in a traceback for bad input, an unwritable path or a missing file.
        """
        from spacekit.exceptions import SpacekitError

        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except SpacekitError as exc:
            log.debug("spacekit error", exc_info=True)
            raise click.ClickException(str(exc)) from exc
        except OSError as exc:
            log.debug("OS error", exc_info=True)
            raise click.ClickException(describe_os_error(exc)) from exc

    def format_commands(self, ctx, formatter):
        # Show the registered one-line help without importing the subcommand modules.
        rows = []
        for name in self.list_commands(ctx):
            if name in self.lazy:
                rows.append((name, self.lazy[name][1]))
            else:
                cmd = super().get_command(ctx, name)
                if cmd is not None and not cmd.hidden:
                    rows.append((name, cmd.get_short_help_str(limit=formatter.width)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(
    cls=LazyGroup, lazy=SUBCOMMANDS, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.version_option(__version__, "-V", "--version", prog_name="spacekit")
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
@click.option("-q", "--quiet", count=True, help="Less log output (-q errors only).")
@click.option(
    "--log-file",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Also write a debug-level log to this file.",
)
@click.pass_context
def main(ctx: click.Context, verbose: int, quiet: int, log_file: str | None) -> None:
    """spacekit: resource estimation and alignment models for the HST and JWST pipelines.

    Run ``spacekit COMMAND --help`` for the options of a command.
    """
    if log_file is not None:
        check_writable_file(log_file, "--log-file")
    try:
        configure_logging(verbosity_to_level(verbose, quiet), log_file=log_file)
    except OSError as exc:
        raise click.BadParameter(
            f"cannot write the log file: {describe_os_error(exc)}", param_hint="--log-file"
        ) from exc
    ctx.ensure_object(dict)
    ctx.obj["verbosity"] = verbose - quiet
