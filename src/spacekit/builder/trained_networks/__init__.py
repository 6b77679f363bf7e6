"""Trained model archives shipped with spacekit.

Each ``{kind}.zip`` has a ``{kind}.json`` beside it that registers it as
``packaged/{kind}`` in :mod:`spacekit.builder.registry` (SHA-256, size, version,
training data); both are written by the training tool (``jwst_cal.zip``:
``tools/train_default_jwst.py``).
"""
