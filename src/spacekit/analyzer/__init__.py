"""Analysis: metrics, results folders saved and loaded, comparisons of model versions."""
