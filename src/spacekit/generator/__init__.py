"""Image generation: drawing SVM mosaics, augmentation, synthetic corruption."""
