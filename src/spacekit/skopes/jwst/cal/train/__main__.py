"""``python -m spacekit.skopes.jwst.cal.train``: see :mod:`.runner`."""

import sys

from spacekit.skopes.jwst.cal.train.runner import main

sys.exit(main())
