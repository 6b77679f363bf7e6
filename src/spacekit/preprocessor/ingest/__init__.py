"""Turn daily JWST pipeline metadata into training tables (``JwstCalIngest``).

Command line::

    python -m spacekit.preprocessor.ingest jcal -i INPUT -o OUT [-p PFX] [-s SAVE_L1]

``INPUT`` is a folder of daily CSVs ``YYYY-MM-DD_DOY.csv`` (or one file). Each row is a
pipeline job: Level-1 rows (``DagNodeName`` containing "1") carry an exposure's header
keywords, Level-3 rows (containing "3") carry a product's measured ``ImageSize`` (kB).

What a run does:

1. reads the new daily files (those not listed in ``OUT/ingest-manifest.json``) and the
   rows carried over in ``OUT/ingest.csv``; unreadable files are skipped with a reason;
2. drops duplicate jobs (keeping the last by date, image size), Level-1 exposures whose
   EXP_TYPE makes no Level-3 product (target acquisitions ...), MIRI MRS channel 2/4
   Level-3 rows (products are named after channels 1 and 3, as in 1.1.4) and sets
   Level-3 mosaics (association names ``jwNNNNN-cNNNN...``) aside in ``mosaics.csv``;
3. groups the Level-1 exposures into Level-3 products and computes their features with
   :class:`~spacekit.preprocessor.scrub.JwstCalScrubber` (``mode="df"``);
4. matches each product to a Level-3 job: same name once the target token is removed
   (``jw01076-o101_t1_nircam_clear-f212n`` ~ ``jw01076-o101_t001_nircam_clear-f212n``);
   among several candidates, the same target number, then the same ``TARGNAME``;
5. appends matched products to ``train-{image,spec,tac,fgs}.csv`` and ``training.csv``
   (target ``imgsize_gb = ImageSize / 1e6``) and the matched Level-3 rows to
   ``raw-{mode}.csv``; unmatched rows go to ``ingest.csv`` for the next run
   (rows older than ``max_carry_days`` are dropped).

Every file is written atomically. The run reports what it skipped and why.

Modules: :mod:`~spacekit.preprocessor.ingest.daily` (reading the daily CSVs),
:mod:`~spacekit.preprocessor.ingest.state` (manifest and carried rows),
:mod:`~spacekit.preprocessor.ingest.match` (products to Level-3 jobs),
:mod:`~spacekit.preprocessor.ingest.tables` (writing the tables),
:mod:`~spacekit.preprocessor.ingest.jwst_cal` (:class:`JwstCalIngest`, the run) and
:mod:`~spacekit.preprocessor.ingest.runner` (the command line).
"""

from spacekit.preprocessor.ingest.jwst_cal import IngestReport, JwstCalIngest, jwst_cal_ingest
from spacekit.preprocessor.ingest.match import product_key
from spacekit.preprocessor.ingest.runner import main

__all__ = ["JwstCalIngest", "IngestReport", "product_key", "jwst_cal_ingest", "main"]
