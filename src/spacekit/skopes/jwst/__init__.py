"""JWST pipeline skopes."""
