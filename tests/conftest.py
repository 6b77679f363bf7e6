"""Session-wide test configuration: no network, no display, quiet TensorFlow."""

import os

import numpy as np
import pytest
from astropy.io import fits

# Never let any dependency probe the cloud metadata address (see .ci/run).
os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")
# Tests never download models: any fetch that a test did not point at a mirror (see the
# ``model_mirror`` fixture) fails on this missing folder instead of reaching the network,
# and nothing lands in the user's cache.
os.environ["SPACEKIT_MODEL_MIRROR"] = "file:///nonexistent/spacekit-tests-never-download/"


# Tiny JWST Level-1 FITS files for the extractor and preprocessor tests. They are
# hand-written on purpose (edge cases the simulator never makes: dropped keywords,
# wrong types); end-to-end tests use spacekit.datasets.jwst.simulate_jwst.
BASE_HEADER = {
    "PROGRAM": "02732",
    "OBSERVTN": "001",
    "NEXPOSUR": 4,
    "BKGDTARG": False,
    "IS_IMPRT": "F",
    "VISITYPE": "PRIME_TARGETED_FIXED",
    "TSOVISIT": False,
    "TARGNAME": "NGC 7320",
    "TARG_RA": 339.0145,
    "TARG_DEC": 33.9559,
    "INSTRUME": "NIRCAM",
    "DETECTOR": "NRCB1",
    "FILTER": "F150W",
    "PUPIL": "CLEAR",
    "EXP_TYPE": "NRC_IMAGE",
    "CHANNEL": "SHORT",
    "SUBARRAY": "FULL",
    "NUMDTHPT": 4,
    "GS_RA": 339.1,
    "GS_DEC": 33.9,
    "GS_MAG": 15.2,
    "CROWDFLD": False,
}
SCI_HEADER = {"RA_REF": 339.01, "DEC_REF": 33.95, "CRVAL1": 339.011, "CRVAL2": 33.951}


def write_uncal(path, primary=None, sci=None, drop=(), n_pad=40, shape=(2, 4, 8, 8)):
    """Write a minimal Level-1 exposure: primary header + SCI extension with a tiny cube."""
    hdr0 = fits.Header()
    for key, value in {**BASE_HEADER, **(primary or {})}.items():
        if key not in drop:
            hdr0[key] = value
    for i in range(n_pad):
        hdr0[f"PAD{i:04d}"] = (i * 0.5, "padding card")
    hdr1 = fits.Header()
    for key, value in {**SCI_HEADER, **(sci or {})}.items():
        if key not in drop:
            hdr1[key] = value
    sci_hdu = fits.ImageHDU(np.zeros(shape, dtype=np.uint16), header=hdr1, name="SCI")
    fits.HDUList([fits.PrimaryHDU(header=hdr0), sci_hdu]).writeto(path, overwrite=True)
    return path


@pytest.fixture
def uncal_writer():
    """The :func:`write_uncal` helper."""
    return write_uncal


@pytest.fixture(scope="session")
def reference_dir():
    """``../shared/reference/spacekit-1.1.4``: skips in a user's clone, fails in CI."""
    from support import shared_path

    return shared_path("reference", "spacekit-1.1.4")


@pytest.fixture(autouse=True, scope="session")
def _private_model_cache(tmp_path_factory):
    """Every test session caches fetched models in its own temporary folder."""
    old = os.environ.get("SPACEKIT_CACHE")
    os.environ["SPACEKIT_CACHE"] = str(tmp_path_factory.mktemp("spacekit-cache"))
    yield
    if old is None:
        os.environ.pop("SPACEKIT_CACHE", None)
    else:
        os.environ["SPACEKIT_CACHE"] = old


@pytest.fixture
def model_mirror(monkeypatch, tmp_path):
    """Point the model registry at ``../shared/reference/spacekit-1.1.4`` and a fresh cache.

    Returns the reference folder. Skips in a user's clone, fails in CI (shared_path).
    """
    from support import shared_path

    ref = shared_path("reference", "spacekit-1.1.4")
    monkeypatch.setenv("SPACEKIT_MODEL_MIRROR", ref.as_uri())
    monkeypatch.setenv("SPACEKIT_CACHE", str(tmp_path / "cache"))
    return ref
