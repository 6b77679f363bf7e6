"""The array renderer against spacekit 1.1.4's own renderings and matplotlib."""

import io

import numpy as np
import pytest

from spacekit.generator.draw import draw_total_frames, footprint_limits
from spacekit.generator.render import (
    FIGSIZE,
    figure_canvas,
    nearest_indices,
    render_frame,
    zscale_vmax,
)

VISIT = "hst_15000_01_wfc3_ir_total_ibpb01"


def test_nearest_indices_are_pillows_choices():
    from PIL import Image

    for width in (1820, 1868, 515, 300, 128):
        ramp = np.tile(np.arange(width, dtype=np.int32)[None, :], (2, 1))
        got = np.asarray(Image.fromarray(ramp).resize((128, 2), Image.Resampling.NEAREST))[0]
        np.testing.assert_array_equal(nearest_indices(width, 128), got)


def test_gray_lut_is_matplotlibs():
    import matplotlib

    from spacekit.generator import render

    cmap = matplotlib.colormaps["gray"]
    np.testing.assert_array_equal(render._LUT8, cmap(np.arange(256), bytes=True)[:, 0])


def test_canvas_of_the_reference_figure_is_its_png_size(reference_dir):
    from astropy.io import fits
    from astropy.wcs import WCS

    path = reference_dir / "svm_render" / "input" / "ibpb01" / f"{VISIT}_drz.fits"
    with fits.open(path) as hdul:
        wcs, shape = WCS(hdul[1].header), hdul[1].data.shape
    canvas = figure_canvas(*footprint_limits(wcs, shape))
    assert (canvas.height, canvas.width) == (1868, 1820)  # 1.1.4's tight-cropped PNG
    assert canvas.left == 10.0


@pytest.fixture(scope="module")
def reference_frames(reference_dir):
    drz = reference_dir / "svm_render" / "input" / "ibpb01" / f"{VISIT}_drz.fits"
    cnn = np.load(reference_dir / "svm_render" / "output" / "cnn_inputs_128.npy")
    return draw_total_frames(drz), cnn


@pytest.mark.parametrize("k, sfx", [(0, ""), (1, "_source"), (2, "_gaia")])
def test_cnn_inputs_match_1_1_4(reference_frames, k, sfx):
    """Metric: per frame, mean |ours - 1.1.4| over the 128x128x3 uint8 values < 0.05,
    max < 12, and at least 98 % of the pixels identical."""
    frames, cnn = reference_frames
    ours = frames.images[sfx].astype(int)
    diff = np.abs(ours - cnn[k].astype(int))
    assert ours.shape == (128, 128, 3)
    assert diff.mean() < 0.05
    assert diff.max() < 12
    assert (diff.max(axis=-1) == 0).mean() > 0.98


def test_full_size_plain_frame_matches_1_1_4_png(reference_dir):
    from PIL import Image

    drz = reference_dir / "svm_render" / "input" / "ibpb01" / f"{VISIT}_drz.fits"
    png = reference_dir / "svm_render" / "output" / "img" / VISIT / f"{VISIT}.png"
    ours = draw_total_frames(drz, size=None, frames=("",)).images[""].astype(int)
    theirs = np.asarray(Image.open(png).convert("RGB")).astype(int)
    assert ours.shape == theirs.shape
    diff = np.abs(ours - theirs)
    assert diff.max() <= 2
    assert (diff.max(axis=-1) == 0).mean() > 0.99


def _matplotlib_114(data, wcs, markers):
    """1.1.4's way: a 24-inch WCS figure, zscale x2, tight crop (re-created here)."""
    import matplotlib.pyplot as plt
    from astropy.visualization import ImageNormalize, ZScaleInterval
    from PIL import Image

    fig = plt.figure(figsize=FIGSIZE)
    ax = fig.add_subplot(111, projection=wcs, frameon=False)
    ax.axis("off")
    _, zmax = ZScaleInterval().get_limits(data)
    ax.imshow(
        data,
        origin="lower",
        cmap="gray",
        norm=ImageNormalize(data, vmin=0, vmax=2 * zmax, clip=True),
    )
    xlim, ylim = footprint_limits(wcs, data.shape)
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    for x, y, color, alpha in markers:
        ax.scatter(x, y, marker="o", s=15, facecolor="none", edgecolor=color, alpha=alpha)
    buf = io.BytesIO()
    fig.savefig(buf, bbox_inches="tight")
    plt.close(fig)
    return np.asarray(Image.open(buf).convert("RGB")).astype(int)


@pytest.mark.parametrize("shape, rot", [((96, 80), 0.0), ((64, 64), 25.0)])
def test_small_rotated_images_match_matplotlib(shape, rot):
    """Nearest-neighbour zoom (> 3x) and a rotated WCS (the crop 1.1.4's limits make)."""
    from astropy.wcs import WCS

    from spacekit.generator.render import Marker

    rng = np.random.default_rng(3)
    data = rng.normal(10, 2, shape).astype(np.float32)
    data[20:24, 30:34] = 400
    wcs = WCS(naxis=2)
    wcs.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    wcs.wcs.crval = [150.0, 2.0]
    wcs.wcs.crpix = [shape[1] / 2, shape[0] / 2]
    c, s = np.cos(np.radians(rot)), np.sin(np.radians(rot))
    wcs.wcs.cd = 1e-5 * np.array([[-c, s], [s, c]])
    x, y = rng.uniform(5, shape[1] - 5, 6), rng.uniform(5, shape[0] - 5, 6)
    theirs = _matplotlib_114(data, wcs, [(x, y, "red", 0.5)])
    canvas = figure_canvas(*footprint_limits(wcs, shape))
    rows, cols = np.arange(canvas.height), np.arange(canvas.width)
    ours = render_frame(
        data, zscale_vmax(data), canvas, rows, cols, [Marker(x, y, (255, 0, 0), 0.5)]
    ).astype(int)
    assert ours.shape == theirs.shape
    diff = np.abs(ours - theirs)
    assert (diff.max(axis=-1) <= 2).mean() > 0.999
