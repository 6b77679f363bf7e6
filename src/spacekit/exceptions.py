"""Exception and warning classes raised by spacekit.

Every error spacekit raises on purpose derives from :class:`SpacekitError`, so a
pipeline can catch them all with one ``except`` clause. Each subclass also derives from
the closest built-in exception, so code written for the built-ins keeps working
(``InputError`` is a ``ValueError``, ``OptionalDependencyError`` an ``ImportError``).
"""

__all__ = [
    "SpacekitError",
    "InputError",
    "DataError",
    "ArchiveError",
    "OptionalDependencyError",
    "SpacekitWarning",
    "UnknownCategoryWarning",
    "SkippedInputWarning",
    "FlaggedInputWarning",
]


class SpacekitError(Exception):
    """Base class of every error raised by spacekit."""


class InputError(SpacekitError, ValueError):
    """An argument or input file is invalid: wrong value, wrong path, empty folder."""


class DataError(SpacekitError, ValueError):
    """Input data could be read but its contents are unusable (missing keys, NaNs...)."""


class ArchiveError(SpacekitError, OSError):
    """A model archive or results folder is missing, corrupt or unsafe to load."""


class OptionalDependencyError(SpacekitError, ImportError):
    """A feature needs an optional dependency that is not installed."""


class SpacekitWarning(UserWarning):
    """Base class of every warning issued by spacekit."""


class UnknownCategoryWarning(SpacekitWarning):
    """A categorical value is not in the encoding table and was mapped to a fallback code."""


class SkippedInputWarning(SpacekitWarning):
    """An input file or record was skipped; the message names it and says why."""


class FlaggedInputWarning(SpacekitWarning):
    """Results were computed from missing or implausible input values and are flagged.

    The message names the inputs and the values; the affected results carry the same
    reasons (e.g. ``JwstCalPredict.flags``).
    """
