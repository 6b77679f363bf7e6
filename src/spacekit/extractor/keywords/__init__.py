"""Header keywords each pipeline's scrapers read, one module per skope.

The extractor owns these lists; each skope's ``config`` module re-exports them at its
1.1.4 import path (for example :mod:`spacekit.skopes.jwst.cal.config`).
"""
