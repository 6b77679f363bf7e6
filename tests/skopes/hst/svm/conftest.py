"""Fixtures of the SVM skope tests: simulated visits, their feature table and images.

``svm_prepped`` stands in for ``spacekit svm prep`` (issue 14, data half) until it lands:
it writes ``svm_data.csv`` from the simulator's own values and three PNG frames per visit
made from the simulated drizzle image (plain, plus red/cyan marks at the catalogue and Gaia
positions), in the layout prep writes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from astropy.io import fits
from astropy.table import Table
from PIL import Image

from spacekit.datasets import simulate_svm

_DET = {"hrc": 0, "ir": 1, "sbc": 2, "uvis": 3, "wfc": 4}
_WCS = {"a posteriori": 0, "a priori": 1, "default a": 2, "not aligned": 3}
_CAT = {
    "CALIBRATION": 0,
    "SOLAR SYSTEM": 1,
    "ISM": 2,
    "EXT-MEDIUM": 2,
    "UNIDENTIFIED": 3,
    "STELLAR CLUSTER": 4,
    "EXT-CLUSTER": 4,
    "STAR": 5,
    "EXT-STAR": 5,
    "CLUSTER OF GALAXIES": 6,
    "GALAXY": 7,
}
FEATURES = [
    "numexp",
    "rms_ra",
    "rms_dec",
    "nmatches",
    "point",
    "segment",
    "gaia",
    "det",
    "wcs",
    "cat",
]


def _gray(data: np.ndarray) -> np.ndarray:
    lo, hi = np.nanpercentile(data, [5, 99.5])
    scaled = np.clip((np.nan_to_num(data) - lo) / max(hi - lo, 1e-6), 0, 1)
    return (np.arcsinh(scaled * 10) / np.arcsinh(10) * 255).astype(np.uint8)


def _mark(rgb: np.ndarray, wcs_hdr, table_path: Path, colour) -> np.ndarray:
    from astropy.wcs import WCS

    out = rgb.copy()
    tab = Table.read(table_path, format="ascii.ecsv")
    ra_col = next(c for c in tab.colnames if c.upper() in ("RA", "RA_ICRS"))
    dec_col = next(c for c in tab.colnames if c.upper() in ("DEC", "DEC_ICRS"))
    x, y = WCS(wcs_hdr).all_world2pix(tab[ra_col], tab[dec_col], 0)
    ny, nx = rgb.shape[:2]
    ok = (x >= 0) & (x < nx) & (y >= 0) & (y < ny)
    out[ny - 1 - y[ok].astype(int), x[ok].astype(int)] = colour
    return out


def prep_like(sim, out_dir: Path) -> tuple[Path, Path]:
    """Write svm_data.csv and img/<visit>/ three PNGs from a simulation (test stand-in)."""
    labels, prods = sim.labels, sim.products
    rows = []
    for name, lab in labels.iterrows():
        det = name.split("_")[4]
        rows.append(
            {
                "index": name,
                "numexp": lab["numexp"],
                "rms_ra": lab["rms_ra"],
                "rms_dec": lab["rms_dec"],
                "nmatches": lab["nmatches"],
                "point": lab["point"],
                "segment": lab["segment"],
                "gaia": lab["gaia"],
                "det": _DET[det],
                "wcs": _WCS[lab["wcstype"]],
                "cat": _CAT.get(lab["category"], 3),
                "label": lab["label"],
            }
        )
        with fits.open(prods.loc[name, "drizzle"]) as hdul:
            data, hdr = hdul[1].data, hdul[1].header
        gray = np.flipud(_gray(data))
        rgb = np.repeat(gray[..., None], 3, axis=2)
        source = _mark(rgb, hdr, Path(prods.loc[name, "point_catalog"]), (255, 0, 0))
        gaia = _mark(rgb, hdr, Path(prods.loc[name, "gaia_catalog"]), (0, 255, 255))
        folder = out_dir / "img" / name
        folder.mkdir(parents=True)
        for sfx, arr in (("", rgb), ("_source", source), ("_gaia", gaia)):
            Image.fromarray(arr).save(folder / f"{name}{sfx}.png")
    data_file = out_dir / "svm_data.csv"
    pd.DataFrame(rows)[FEATURES + ["label", "index"]].to_csv(data_file, index=False)
    return data_file, out_dir / "img"


@pytest.fixture(scope="session")
def svm_prepped(tmp_path_factory):
    """(data_file, img_path, labels) of 12 simulated visits, half misaligned, 64 px images."""
    root = tmp_path_factory.mktemp("svm")
    sim = simulate_svm(
        root / "sim", n_visits=12, seed=5, misaligned_fraction=0.5, progress=False, image_size=64
    )
    data_file, img_path = prep_like(sim, root / "prep")
    return data_file, img_path, sim.labels


@pytest.fixture(scope="session")
def tiny_archive(svm_prepped, tmp_path_factory):
    """A 1-epoch lite ensemble (32 px) trained on the fixture, saved as an svm_align zip."""
    from spacekit.builder.ensemble_builder import BuilderEnsemble
    from spacekit.builder.ensemble_model import save_ensemble_archive
    from spacekit.extractor.images import load_svm_images

    data_file, img_path, _ = svm_prepped
    df = pd.read_csv(data_file, index_col="index")
    images, kept, _ = load_svm_images(img_path, df.index, size=32)
    X = df.loc[kept, FEATURES].to_numpy(np.float32)
    y = df.loc[kept, "label"].to_numpy()
    ens = BuilderEnsemble(
        [X, images],
        y,
        params={"epochs": 1, "batch_size": 4},
        blueprint="svm_ensemble_lite",
        seed=0,
    )
    ens.batch_fit()
    out = tmp_path_factory.mktemp("archive") / "svm_align.zip"
    save_ensemble_archive(
        out,
        ens.model,
        card="# tiny test model\n",
        training={"norm": 0, "image_size": 32, "trained_on": "simulated"},
    )
    return out, ens
