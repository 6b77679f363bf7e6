"""``python -m spacekit`` runs the ``spacekit`` command line."""

from spacekit.cli import main

if __name__ == "__main__":  # pragma: no cover - exercised through subprocess tests
    main(prog_name="spacekit")
