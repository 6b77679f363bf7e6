"""Encoding and feature tables of each pipeline's models, one module per skope.

The preprocessor owns these tables; each skope's ``config`` module re-exports them at
its 1.1.4 import path (for example :mod:`spacekit.skopes.jwst.cal.config`).
"""
