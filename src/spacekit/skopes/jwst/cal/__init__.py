"""JWST calibration: Level-3 memory-footprint estimation from Level-1 exposure headers."""
