import argparse
import logging

import pytest

from spacekit._runner import add_log_arguments, configure_runner_logging, parse_bool


@pytest.mark.parametrize("text", ["false", "F", "0", "no", "off", "None", ""])
def test_parse_bool_false(text):
    assert parse_bool(text) is False


@pytest.mark.parametrize("text", ["true", "T", "1", "yes", "anything"])
def test_parse_bool_true(text):
    assert parse_bool(text) is True


def _args(argv):
    parser = argparse.ArgumentParser()
    add_log_arguments(parser, "x.log")
    return parser.parse_args(argv)


def test_no_log_file_unless_asked(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    configure_runner_logging(_args([]), "x.log")
    configure_runner_logging(_args(["--logfile", "false", "--logdir", "logs"]), "x.log")
    assert list(tmp_path.iterdir()) == []


def test_log_file_in_logdir(tmp_path):
    configure_runner_logging(_args(["--logdir", str(tmp_path), "-v"]), "x.log")
    logging.getLogger("spacekit.test_runner").debug("runner debug line")
    assert "runner debug line" in (tmp_path / "x.log").read_text()
