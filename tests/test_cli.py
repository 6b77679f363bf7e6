import json
import logging
import subprocess
import sys

import pytest
from click.testing import CliRunner

import spacekit
from spacekit.cli import main

HEAVY = ("tensorflow", "keras", "dash")


def test_version():
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert spacekit.__version__ in result.output


def test_help_lists_commands():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0, result.output
    assert "info" in result.output
    assert "--log-file" in result.output


def test_python_dash_m_runs():
    out = subprocess.run(
        [sys.executable, "-m", "spacekit", "--version"], capture_output=True, text=True, check=True
    )
    assert spacekit.__version__ in out.stdout


@pytest.mark.parametrize("argv", [["--help"], ["info", "--help"]])
def test_help_does_not_import_heavy_modules(argv):
    code = (
        "import sys\n"
        "from spacekit.cli import main\n"
        f"try:\n    main({argv!r}, prog_name='spacekit')\n"
        "except SystemExit:\n    pass\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in out.stdout, out.stdout


def test_import_is_cheap_and_silent(tmp_path):
    code = f"import sys, spacekit\nprint([m for m in {HEAVY!r} if m in sys.modules])\n"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert out.stdout.strip() == "[]"
    assert out.stderr == ""
    assert list(tmp_path.iterdir()) == []  # no log file or anything else in the CWD


def test_info_json():
    result = CliRunner().invoke(main, ["info", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["spacekit"] == spacekit.__version__
    assert report["optional"]["keras"]["extra"] == "ml"


def test_log_file_option(tmp_path):
    log = tmp_path / "logs" / "run.log"
    result = CliRunner().invoke(main, ["-vv", "--log-file", str(log), "info"])
    assert result.exit_code == 0, result.output
    logging.getLogger("spacekit.test").debug("hello from the test")
    assert "hello from the test" in log.read_text()


def test_unknown_command_fails():
    result = CliRunner().invoke(main, ["no-such-command"])
    assert result.exit_code != 0
    assert "No such command" in result.output


def _leaf_commands(group, ctx, prefix=()):
    """Yield ``(path, command)`` for every command under ``group`` (lazy ones imported)."""
    import click

    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        yield (*prefix, name), cmd
        if isinstance(cmd, click.Group):
            yield from _leaf_commands(cmd, ctx, (*prefix, name))


def test_every_command_takes_verbose_and_quiet_after_its_name():
    """The shared -v/-q reach every subcommand, including ones added later."""
    import click

    ctx = click.Context(main)
    missing = [
        " ".join(path)
        for path, cmd in _leaf_commands(main, ctx)
        if not {"-v", "-q"} <= {o for p in cmd.params for o in p.opts}
    ]
    assert missing == []


@pytest.mark.parametrize(
    ("argv", "level"),
    [
        (["info", "-v"], logging.INFO),
        (["info", "-vv"], logging.DEBUG),
        (["-v", "info", "-v"], logging.DEBUG),  # before and after add up
        (["-v", "info", "-q"], logging.WARNING),
        (["datasets", "list", "-q"], logging.ERROR),
    ],
)
def test_verbosity_after_the_subcommand_sets_the_console_level(argv, level):
    from spacekit.logging_setup import configure_logging

    try:
        result = CliRunner().invoke(main, argv)
        assert result.exit_code == 0, result.output
        logger = logging.getLogger("spacekit")
        console = [h for h in logger.handlers if isinstance(h, logging.StreamHandler)]
        assert [h.level for h in console] == [level]
    finally:
        configure_logging()  # back to the default for the other tests


def test_jwst_predict_verbose_after_the_subcommand_logs_info():
    out = subprocess.run(
        [sys.executable, "-m", "spacekit", "jwst", "predict", "--sample", "--no-progress", "-v"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert "INFO spacekit.preprocessor.scrub: Grouped" in out.stderr


@pytest.mark.parametrize("argv", [[], ["jwst"], ["datasets"], ["viz"]])
def test_no_arguments_print_help_and_exit_0(argv):
    out = subprocess.run([sys.executable, "-m", "spacekit", *argv], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("Usage: spacekit")
    assert "Commands:" in out.stdout


def test_info_reports_a_version_for_every_dependency():
    import importlib.metadata
    import re
    import tomllib
    from pathlib import Path

    result = CliRunner().invoke(main, ["info", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    deps = tomllib.loads(pyproject.read_text("utf-8"))["project"]["dependencies"]
    names = [re.match(r"[A-Za-z0-9_.-]+", d).group(0).lower() for d in deps]
    assert list(report["core"]) == names  # every core dependency, in pyproject's order
    assert report["core"]["numpy"] == importlib.metadata.version("numpy")
    extras = tomllib.loads(pyproject.read_text("utf-8"))["project"]["optional-dependencies"]
    in_test = set(re.search(r"spacekit\[([^\]]*)\]", " ".join(extras["test"])).group(1).split(","))
    assert {"ml", "dashboard"} <= in_test
    for module, row in report["optional"].items():
        if row["extra"] in in_test:
            # installed by the test extra: a real version string, never "installed"
            assert re.match(r"^\d+\.\d+", row["version"]), (module, row)
        else:
            assert row["version"] is None or re.match(r"^\d+\.\d+", row["version"])
    text = CliRunner().invoke(main, ["info"]).output
    assert "installed" not in text
    assert f"numpy          {importlib.metadata.version('numpy')}" in text


def test_tx_file_help_says_what_the_file_is():
    result = CliRunner().invoke(main, ["jwst", "predict", "--help"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "-t, --tx-file JSON" in text
    assert "Normalisation statistics of the offset features" in text
    assert "tx_data-MODE.json" in text


def test_ingest_help_describes_every_option():
    out = subprocess.run(
        [sys.executable, "-m", "spacekit.preprocessor.ingest", "jcal", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    options = out.stdout.split("options:")[1].split("\n\n")[0]
    # every option line (a line starting with '  -') is followed by its description
    lines = options.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("  -")]
    assert len(starts) == 7  # -h -i -o -p -s --reprocess -v
    for i in starts:
        described = len(lines[i].split("  ")) > 2 or (
            i + 1 < len(lines) and lines[i + 1].startswith(" " * 10)
        )
        assert described, lines[i]
