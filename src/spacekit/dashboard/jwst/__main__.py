"""``python -m spacekit.dashboard.jwst``: serve the jwst results dashboard."""

import sys

from spacekit.dashboard._runner import main

if __name__ == "__main__":
    sys.exit(main("jwst"))
