"""HST single-visit-mosaic (SVM) alignment skope: prep, predict, train, corrupt."""
