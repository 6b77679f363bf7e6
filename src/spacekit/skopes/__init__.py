"""Per-pipeline orchestration (prep, train, predict) and their ``python -m`` runners."""
