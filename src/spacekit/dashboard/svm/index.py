"""``python -m spacekit.dashboard.svm.index``: the spacekit 1.1.4 runner path (same flags)."""

import sys

from spacekit.dashboard._runner import main

if __name__ == "__main__":
    sys.exit(main("svm"))
