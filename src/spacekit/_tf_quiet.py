"""Keep TensorFlow's C++ start-up log lines off the console of spacekit's programs.

TensorFlow writes lines such as ``I0000 ... port.cc:153] oneDNN custom operations are
on`` or ``cpu_feature_guard.cc ... This TensorFlow binary is optimized ...`` straight to
the process's standard error when it is loaded. ``TF_CPP_MIN_LOG_LEVEL`` hides most of
them, but TensorFlow >= 2.20 logs the oneDNN notice through absl before that variable
is read, so it also has to be filtered while the library loads.

Only entry points call :func:`quiet_tensorflow` (the training commands of the
``spacekit`` CLI and the ``python -m`` runners that import Keras): the library itself
never changes the environment or the process's streams, on import or otherwise.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import tempfile

__all__ = ["TF_LOG_LEVEL", "is_tensorflow_noise", "quiet_tensorflow"]

#: Value given to ``TF_CPP_MIN_LOG_LEVEL`` when the user has not set it: 2 hides
#: TensorFlow's C++ INFO and WARNING lines and keeps its errors.
TF_LOG_LEVEL = "2"

_NOTICE = "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR"
# absl/glog line prefix: severity letter, MMDD, hh:mm:ss.micros (before absl is
# initialised the seconds field holds the whole Unix time), thread id, file:line]
_ABSL_LINE = re.compile(r"^([IWEF])\d{4} \d\d:\d\d:\d+\.\d+\s+\d+ [^\s\]]+:\d+\] ")
_SEVERITY = {"I": 0, "W": 1, "E": 2, "F": 3}


def _min_level() -> int:
    try:
        return int(os.environ.get("TF_CPP_MIN_LOG_LEVEL", "0"))
    except ValueError:
        return 0


def is_tensorflow_noise(line: str, min_level: int | None = None) -> bool:
    """Return True if ``line`` is a TensorFlow C++ log line below the wanted level.

    Parameters
    ----------
    line : str
        One line of standard error.
    min_level : int, optional
        Lowest severity kept (0 info, 1 warning, 2 error, 3 fatal), as
        ``TF_CPP_MIN_LOG_LEVEL``. Default: that variable's value (0 when unset).

    Returns
    -------
    bool
        True for absl-formatted lines below ``min_level`` and, when ``min_level`` is at
        least 1, for absl's "All log messages before absl::InitializeLog()" notice.
    """
    level = _min_level() if min_level is None else min_level
    if level <= 0:
        return False
    if line.rstrip("\r\n") == _NOTICE:
        return True
    match = _ABSL_LINE.match(line)
    return match is not None and _SEVERITY[match.group(1)] < level


def quiet_tensorflow() -> None:
    """Default ``TF_CPP_MIN_LOG_LEVEL`` to 2 and load TensorFlow without its start-up noise.

    A value the user set for ``TF_CPP_MIN_LOG_LEVEL`` wins (``0`` shows everything).
    TensorFlow is then imported (if it is installed and not imported yet) with the
    process's standard error captured; every captured line except TensorFlow's log lines
    below that level is written back to ``sys.stderr``, so nothing else is lost. At level
    2 or more, TensorFlow's Python logger (``tensorflow``, e.g. its "triggered
    tf.function retracing" notes) is set to show errors only, too. A missing TensorFlow
    is not an error here: the command that needs it says which extra to install.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", TF_LOG_LEVEL)
    if _min_level() >= 2:
        logging.getLogger("tensorflow").setLevel(logging.ERROR)
    if "tensorflow" in sys.modules:
        return
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no usable standard error
        _import_tensorflow()
        return
    with tempfile.TemporaryFile(mode="w+b") as captured:
        try:
            os.dup2(captured.fileno(), 2)
            try:
                _import_tensorflow()
            finally:
                sys.stderr.flush()
                os.dup2(saved, 2)
        finally:
            os.close(saved)
        captured.seek(0)
        text = captured.read().decode("utf-8", errors="replace")
    kept = [line for line in text.splitlines(keepends=True) if not is_tensorflow_noise(line)]
    if kept:
        sys.stderr.write("".join(kept))
        sys.stderr.flush()


def _import_tensorflow() -> None:
    try:
        import tensorflow  # noqa: F401
    except ImportError:
        pass
