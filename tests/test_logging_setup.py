import io
import logging

from spacekit.logging_setup import configure_logging, verbosity_to_level


def test_verbosity_levels():
    assert verbosity_to_level(0, 0) == logging.WARNING
    assert verbosity_to_level(1, 0) == logging.INFO
    assert verbosity_to_level(2, 0) == logging.DEBUG
    assert verbosity_to_level(0, 1) == logging.ERROR


def test_configure_twice_replaces_own_handlers():
    logger = logging.getLogger("spacekit")
    before = len(logger.handlers)
    stream = io.StringIO()
    configure_logging("INFO", stream=stream)
    configure_logging("INFO", stream=stream)
    assert len(logger.handlers) == before + 1 or len(logger.handlers) <= before + 1
    logging.getLogger("spacekit.x").info("message")
    assert stream.getvalue().count("message") == 1


def test_package_logger_has_nullhandler():
    import spacekit  # noqa: F401

    assert any(isinstance(h, logging.NullHandler) for h in logging.getLogger("spacekit").handlers)
