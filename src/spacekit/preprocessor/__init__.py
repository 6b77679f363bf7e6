"""Preprocessing: scrub (clean and group), encode (category tables), transform, ingest."""
