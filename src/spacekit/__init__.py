"""spacekit: data science and machine learning for the HST and JWST calibration pipelines.

Importing :mod:`spacekit` is cheap: it loads no TensorFlow, Keras or Dash, creates no
cloud clients, reads or writes no files and configures no logging handlers. Heavy
dependencies are imported inside the functions that need them.
"""

import logging

from spacekit._version import __version__
from spacekit.exceptions import (
    ArchiveError,
    DataError,
    InputError,
    OptionalDependencyError,
    SpacekitError,
    SpacekitWarning,
)

# Library logs, application configures: only a NullHandler here.
logging.getLogger("spacekit").addHandler(logging.NullHandler())

__all__ = [
    "__version__",
    "SpacekitError",
    "InputError",
    "DataError",
    "ArchiveError",
    "OptionalDependencyError",
    "SpacekitWarning",
]
