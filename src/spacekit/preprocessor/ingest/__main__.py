"""``python -m spacekit.preprocessor.ingest``: see :mod:`spacekit.preprocessor.ingest.runner`."""

import sys

from spacekit.preprocessor.ingest.runner import main

sys.exit(main())
