"""HST pipeline skopes."""
