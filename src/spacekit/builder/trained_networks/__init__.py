"""Trained model archives shipped with spacekit.

``jwst_cal.zip`` is made by ``tools/train_default_jwst.py``.
"""
