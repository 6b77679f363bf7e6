"""Image generation for the SVM alignment models: render frames from drizzle products.

* :mod:`spacekit.generator.render` — array renderer reproducing spacekit 1.1.4's
  matplotlib figures (geometry, zscale, colormap, markers) without matplotlib;
* :mod:`spacekit.generator.draw` — read a total-detection product and its catalogues,
  draw the plain, ``_source`` and ``_gaia`` frames and save them as PNGs;
* :mod:`spacekit.generator.mosaics` — ``DrawMosaics``, 1.1.4's class over many visits;
* :mod:`spacekit.generator.augment` — random flips, rotations, colour jitter and feature
  noise for training batches of the ensemble;
* :mod:`spacekit.generator.coadd` — co-add calibrated exposures onto a north-up drizzle
  grid through their WCS (the simulator's products and ``corrupt``'s re-combination).
"""
