"""``python -m spacekit.dashboard.svm``: serve the svm results dashboard."""

import sys

from spacekit.dashboard._runner import main

if __name__ == "__main__":
    sys.exit(main("svm"))
