"""HST single-visit mosaics (SVM): alignment classifier prep, predict, train and corrupt."""
