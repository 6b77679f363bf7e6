"""``python -m spacekit.dashboard.cal``: serve the cal results dashboard."""

import sys

from spacekit.dashboard._runner import main

if __name__ == "__main__":
    sys.exit(main("cal"))
