"""The trained-network archives published with spacekit 1.1.4 (registry data).

Hashes and sizes are those of the files in the spacekit 1.1.4 wheel's
``spacekit/builder/trained_networks`` (the same as its ``datasets/meta.py``); the URLs
point at the public spacekit repository's copies at the 1.1.4 tag. The model cards
summarise what the 1.1.4 specification documents about each archive.
"""

from __future__ import annotations

__all__ = ["PUBLISHED_114", "UPSTREAM_114"]

#: Upstream location of the 1.1.4 archives (``{filename}`` is ``jwst_cal.zip``...).
UPSTREAM_114 = (
    "https://raw.githubusercontent.com/spacetelescope/spacekit/v1.1.4/"
    "spacekit/builder/trained_networks/{filename}"
)

_CARDS = {
    "jwst_cal": """# spacekit 1.1.4 jwst_cal

Level-3 memory footprint (GB) of JWST calibration products, estimated from the headers
of their Level-1 exposures.

- models: `img3_reg` (IMAGE products; 18 inputs, Dense 18-36-72-144-72-36-18-9, ReLU,
  linear output) and `spec3_reg` (SPEC products; 18 inputs, Dense
  18-36-72-144-288-144-72-36-18, ReLU, linear output); outputs are GB directly.
- normalisation: Yeo-Johnson + standardisation of the offset columns,
  `tx_data-image.json` (6 columns) and `tx_data-spec.json` (7 columns).
- training data: real JWST pipeline metadata (calibration jobs and their measured
  memory), as published with spacekit 1.1.4 (saved with Keras 3.10.0).
- licence: MIT (spacekit 1.1.4).
""",
    "hst_cal": """# spacekit 1.1.4 hst_cal

HST calibration ("calcloud") job resources from 9 dataset features.

- models: `mem_clf` (memory bin, 4 classes, softmax), `mem_reg` (memory, GB) and
  `wall_reg` (wallclock, seconds); one `tx_data.json`.
- training data: real HST calibration jobs (memory and wallclock measured by the
  pipeline), as published with spacekit 1.1.4 (saved with Keras 3.3).
- licence: MIT (spacekit 1.1.4).
""",
    "svm_align": """# spacekit 1.1.4 svm_align

HST single-visit-mosaic alignment classifier: one sigmoid output, >= 0.5 means
"suspicious/misaligned".

- model: `ensembleSVM` (an MLP on 10 catalog features joined with a 3-D CNN on three
  128x128 RGB renderings of the total-detection drizzle image); `tx_data.json`.
- training data: real SVM products labelled aligned or misaligned, augmented with
  synthetically misaligned copies (spacekit's `corrupt` rules), as published with
  spacekit 1.1.4.
- licence: MIT (spacekit 1.1.4).
""",
}

_TABLE = (
    ("jwst_cal", "216ba261e7c74c644133f5c7f42d1ab06b91c78bc9aac1c30b11991cff73cf27", 1467592,
     "JWST Level-3 memory (GB) from Level-1 headers; trained on real pipeline data"),
    ("hst_cal", "3dcfd4760154dee890f7943e237e679a43eef82d3c0838ff62ecf17e4c3702fb", 385467,
     "HST calibration memory bin, memory (GB) and wallclock (s); trained on real jobs"),
    ("svm_align", "cda062ba768374802e4e8b919c0dcce79ce3b72e29004cc09601a67da454b008", 4919552,
     "HST SVM alignment classifier (MLP + 3-D CNN); trained on real mosaics"),
)  # fmt: skip


#: kind -> dict(sha256, size, description, card), one per published archive.
PUBLISHED_114 = {
    kind: {"sha256": sha, "size": size, "description": desc, "card": _CARDS[kind]}
    for kind, sha, size, desc in _TABLE
}
