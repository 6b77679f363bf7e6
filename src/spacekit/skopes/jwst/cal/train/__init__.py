"""Train the JWST Level-3 memory regressors (``img3_reg``, ``spec3_reg``).

Command line::

    python -m spacekit.skopes.jwst.cal.train -d DIR --exp-mode image -o OUT -k 5 \\
        --early-stopping val_rmse --epochs 100 --seed 42

``DIR`` holds ``train-image.csv`` / ``train-spec.csv`` as written by
``python -m spacekit.preprocessor.ingest jcal``. Every output goes under
``OUT/{YYYY-MM-DD}_{unix time}/{mode}/`` (or ``OUT/{mode}/`` when ``OUT`` already has
that timestamped form)::

    {mode}/data/{mode}-tts_N.csv          fold tables (split = train|test)
    {mode}/models/N/{model}.keras         one model per fold (+ tx_data-{mode}.json)
    {mode}/results/N/                     history.npz, loss.npz, predictions.npy,
                                          residuals.npy, test_idx.csv, roc_auc.npz, pr.npz
    {mode}/figures/foldN-*.html|png       residuals, loss, ROC, precision-recall
    {mode}/summary/{mode}-cv-metrics.csv  one row per fold, network and baseline
    {mode}/summary/{mode}-cv-scores.json  NaN-skipping means over folds
    {mode}/tx_data-{mode}.json            normalisation of the best fold
    jwst_cal.zip                          archive of the best models, for JwstCalPredict

A run without cross-validation (``-k 0``) is fold ``0`` of a single 80/20 split.

Modules: :mod:`~spacekit.skopes.jwst.cal.train.trainer` (:class:`JwstCalTrain`, the
run), :mod:`~spacekit.skopes.jwst.cal.train.folds`,
:mod:`~spacekit.skopes.jwst.cal.train.params`,
:mod:`~spacekit.skopes.jwst.cal.train.metrics` and
:mod:`~spacekit.skopes.jwst.cal.train.runner` (the command line).
"""

from spacekit.builder.packaging import build_archive, make_model_card
from spacekit.skopes.jwst.cal.train.runner import main
from spacekit.skopes.jwst.cal.train.trainer import VALIDATION_FRACTION, JwstCalTrain

__all__ = ["JwstCalTrain", "VALIDATION_FRACTION", "build_archive", "make_model_card", "main"]
