"""The spacekit version string (single source of truth, read by pyproject)."""

__version__ = "2.0.0.dev0"
