"""Readers: FITS header and JSON scraping, safe archive and results loading."""
