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
