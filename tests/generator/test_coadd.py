import numpy as np
import pytest
from astropy.io import fits
from astropy.wcs import WCS

from spacekit.generator.coadd import ExposureImage, coadd, estimate_sky, read_exposure

RA, DEC = 150.0, 30.0


def _wcs(n, scale_as, pa_deg=0.0, dra=0.0, ddec=0.0):
    s = scale_as / 3600.0
    pa = np.radians(pa_deg)
    c, si = np.cos(pa), np.sin(pa)
    w = WCS(naxis=2)
    w.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    w.wcs.crpix = [n / 2 + 0.5, n / 2 + 0.5]
    w.wcs.crval = [RA + dra, DEC + ddec]
    w.wcs.cd = [[-s * c, s * si], [s * si, s * c]]
    return w


def _star(n, x0, y0, total, sigma=1.5):
    yy, xx = np.mgrid[0:n, 0:n]
    return (
        total * np.exp(-0.5 * ((xx - x0) ** 2 + (yy - y0) ** 2) / sigma**2) / (2 * np.pi * sigma**2)
    )


def _centroid(img):
    yy, xx = np.mgrid[0 : img.shape[0], 0 : img.shape[1]]
    return (img * xx).sum() / img.sum(), (img * yy).sum() / img.sum()


def test_rotated_exposure_lands_north_up_with_flux_conserved():
    w_in = _wcs(64, 0.1, pa_deg=30.0)
    img = _star(64, 40.3, 20.7, 1000.0) + 2.0  # e-/s with a flat sky of 2
    out_wcs = _wcs(96, 0.1)
    res = coadd([ExposureImage(img, w_in, 300.0)], out_wcs, (96, 96))
    assert res.sky[0] == pytest.approx(2.0, abs=0.05)
    # where astropy says the star is on the output grid
    ra, dec = w_in.all_pix2world([[40.3, 20.7]], 0)[0]
    x_exp, y_exp = out_wcs.all_world2pix([[ra, dec]], 0)[0]
    patch = np.zeros_like(res.sci)
    ix, iy = int(round(x_exp)), int(round(y_exp))
    patch[iy - 8 : iy + 9, ix - 8 : ix + 9] = res.sci[iy - 8 : iy + 9, ix - 8 : ix + 9]
    cx, cy = _centroid(patch)
    assert cx == pytest.approx(x_exp, abs=0.05) and cy == pytest.approx(y_exp, abs=0.05)
    assert patch.sum() == pytest.approx(1000.0, rel=0.01)
    # the footprint is the rotated 64 x 64 square; weights are the exposure time
    inside = res.wht > 0
    assert inside.sum() == pytest.approx(64 * 64, rel=0.03)
    assert set(np.unique(res.wht)) == {0.0, 300.0}
    assert (res.ctx[inside] == 1).all() and (res.ctx[~inside] == 0).all()
    assert (res.sci[~inside] == 0).all()


def test_finer_output_grid_conserves_flux():
    w_in = _wcs(48, 0.1)
    img = _star(48, 24.0, 24.0, 500.0, sigma=2.0)
    res = coadd([ExposureImage(img, w_in, 100.0)], _wcs(96, 0.05), (96, 96), sky=None)
    assert res.sci.sum() == pytest.approx(500.0, rel=0.01)
    # a quarter of the surface brightness per pixel (bilinear sampling blunts the peak)
    assert res.sci.max() == pytest.approx(img.max() / 4, rel=0.1)


def test_corrupted_crval_splits_the_light_by_the_shift():
    n = 64
    img = _star(n, 32.0, 32.0, 1000.0)
    shift_px = 6.0
    d_ra = shift_px * 0.1 / 3600.0 / np.cos(np.radians(DEC))
    good = ExposureImage(img, _wcs(n, 0.1), 200.0)
    bad = ExposureImage(img, _wcs(n, 0.1, dra=d_ra), 200.0)
    res = coadd([good, bad], _wcs(n, 0.1), (n, n), sky=None)
    row = res.sci[32]
    peaks = sorted(np.argsort(row)[-2:])
    # a larger CRVAL1 puts the shifted exposure's star to the east: smaller x
    assert peaks == [26, 32]
    assert row[26] == pytest.approx(row[32], rel=0.02)
    assert res.sci.sum() == pytest.approx(1000.0, rel=0.01)
    assert res.ctx.max() == 3 and res.wht.max() == 400.0


def test_weights_follow_exposure_time_and_nan_pixels_are_left_out():
    n = 16
    a = np.full((n, n), 1.0)
    b = np.full((n, n), 4.0)
    b[5, 7] = np.nan
    w = _wcs(n, 0.1)
    res = coadd([ExposureImage(a, w, 100.0), ExposureImage(b, w, 300.0)], w, (n, n), sky=None)
    assert res.sci[0, 0] == pytest.approx((1 * 100 + 4 * 300) / 400)
    assert res.sci[5, 7] == pytest.approx(1.0)  # only the first exposure there
    assert res.wht[5, 7] == 100.0 and res.ctx[5, 7] == 1 and res.ctx[0, 0] == 3


def test_bad_inputs_are_named():
    w = _wcs(8, 0.1)
    with pytest.raises(ValueError, match="nothing to co-add"):
        coadd([], w, (8, 8))
    with pytest.raises(ValueError, match="e1: exposure time 0"):
        coadd([ExposureImage(np.ones((8, 8)), w, 0.0, "e1")], w, (8, 8))
    with pytest.raises(ValueError, match="sky has 2 values for 1 exposures"):
        coadd([ExposureImage(np.ones((8, 8)), w, 1.0)], w, (8, 8), sky=[0.0, 1.0])


def test_estimate_sky_ignores_stars():
    rng = np.random.default_rng(0)
    img = 3.0 + rng.normal(0, 0.1, (128, 128))
    for x, y in rng.uniform(5, 120, (40, 2)):
        img += _star(128, x, y, 400.0)
    assert estimate_sky(img) == pytest.approx(3.0, abs=0.03)
    assert estimate_sky(np.full((4, 4), np.nan)) == 0.0


def _write_flt(path, data, unit, exptime=200.0, wcs=None):
    hdr = (wcs or _wcs(data.shape[0], 0.1)).to_header()
    hdr["BUNIT"] = unit
    prim = fits.PrimaryHDU()
    if exptime is not None:
        prim.header["EXPTIME"] = exptime
    fits.HDUList([prim, fits.ImageHDU(data, hdr, name="SCI")]).writeto(path)
    return path


def test_read_exposure_converts_to_count_rates(tmp_path):
    e = read_exposure(_write_flt(tmp_path / "a_flt.fits", np.full((8, 8), 400.0), "ELECTRONS"))
    assert len(e) == 1 and e[0].exptime == 200.0
    np.testing.assert_allclose(e[0].data, 2.0)
    assert e[0].name == "a_flt.fits[SCI,1]"
    r = read_exposure(_write_flt(tmp_path / "b_flt.fits", np.full((8, 8), 5.0), "ELECTRONS/S"))
    np.testing.assert_allclose(r[0].data, 5.0)


def test_read_exposure_bad_files(tmp_path):
    with pytest.raises(ValueError, match="no positive EXPTIME"):
        read_exposure(_write_flt(tmp_path / "c_flt.fits", np.ones((8, 8)), "ELECTRONS", None))
    (tmp_path / "d_flt.fits").write_bytes(b"not a fits file")
    with pytest.raises(ValueError, match="d_flt.fits: unreadable exposure"):
        read_exposure(tmp_path / "d_flt.fits")
    prim = fits.PrimaryHDU()
    prim.header["EXPTIME"] = 10.0
    fits.HDUList([prim]).writeto(tmp_path / "e_flt.fits")
    with pytest.raises(ValueError, match="e_flt.fits: no SCI image extension"):
        read_exposure(tmp_path / "e_flt.fits")
