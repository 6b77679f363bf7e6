import json
import shutil

import numpy as np
import pytest
from astropy.io import fits
from astropy.table import Table
from astropy.wcs import WCS

from spacekit.datasets.svm import simulate_svm
from spacekit.generator.corrupt import read_input_list, shift_crval
from spacekit.generator.recombine import gaia_match, recombine_visit, split_catalog


@pytest.fixture(scope="module")
def visits(tmp_path_factory):
    """Three aligned simulated visits with their exposures (64-pixel detector)."""
    out = tmp_path_factory.mktemp("recombine") / "src"
    return simulate_svm(
        out,
        n_visits=3,
        seed=1,
        misaligned_fraction=0.0,
        progress=False,
        image_size=64,
        exposures=True,
    )


def _copy_inputs(src, dst):
    inputs = read_input_list(src)
    dst.mkdir()
    for name in [inputs.path.name, *inputs.files]:
        shutil.copyfile(src / name, dst / name)
    return inputs


def _product(folder):
    return next(folder.glob("*_total_*_dr[cz].fits"))


def _wcs(n=100, scale=0.04):
    w = WCS(naxis=2)
    w.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    w.wcs.crpix = [n / 2 + 0.5] * 2
    w.wcs.crval = [30.0, 10.0]
    w.wcs.cd = [[-scale / 3600, 0], [0, scale / 3600]]
    return w


def _catalog(wcs, xy, mags, errs):
    ra, dec = wcs.all_pix2world(np.array(xy, float)[:, 0], np.array(xy, float)[:, 1], 0)
    return Table(
        {
            "X-Center": np.array(xy, float)[:, 0] + 1,
            "Y-Center": np.array(xy, float)[:, 1] + 1,
            "RA": ra,
            "DEC": dec,
            "ID": np.arange(1, len(xy) + 1),
            "MagAp2": np.array(mags, float),
            "MagErrAp2": np.array(errs, float),
            "Flags": np.zeros(len(xy), int),
        }
    )


def test_split_catalog_splits_far_copies_and_blends_near_ones():
    w = _wcs()
    cat = _catalog(w, [(20, 20), (60, 40)], [20.0, 22.0], [0.01, 0.01])
    far = split_catalog(cat, w, [(0.0, 0.0, 0.5), (10.0, 0.0, 0.5)], merge_px=3.0)
    assert len(far) == 4 and list(far["ID"]) == [1, 2, 3, 4]
    np.testing.assert_allclose(sorted(far["X-Center"]), [21, 31, 61, 71], atol=1e-3)
    np.testing.assert_allclose(far["MagAp2"], [20.7526, 20.7526, 22.7526, 22.7526], atol=1e-4)
    np.testing.assert_allclose(far["MagErrAp2"], 0.02)
    x, _ = w.all_world2pix(far["RA"], far["DEC"], 0)
    np.testing.assert_allclose(x, np.asarray(far["X-Center"]) - 1, atol=1e-3)
    near = split_catalog(cat, w, [(0.0, 0.0, 0.5), (1.0, 0.0, 0.5)], merge_px=3.0)
    assert len(near) == 2
    np.testing.assert_allclose(near["X-Center"], [21.5, 61.5], atol=1e-3)
    np.testing.assert_allclose(near["MagAp2"], [20.0, 22.0], atol=1e-4)


def test_split_catalog_drops_copies_below_snr_5():
    w = _wcs()
    # S/N 1.0857/0.1 = 10.9: a copy with 30 % of the light has S/N 3.3 and is lost
    cat = _catalog(w, [(50, 50)], [24.0], [0.1])
    out = split_catalog(cat, w, [(0.0, 0.0, 0.7), (12.0, 0.0, 0.3)], merge_px=3.0)
    assert len(out) == 1 and out["X-Center"][0] == pytest.approx(51.0)


def test_gaia_match_counts_unambiguous_matches():
    w = _wcs()
    gaia = _catalog(w, [(20, 20), (40, 40), (60, 60), (80, 80)], [18] * 4, [0.01] * 4)
    # detections 0.1 pixel (4 mas) off in x for two stars, 0.1 off in -x for one; the
    # fourth star has two detections within the radius (ambiguous, not matched)
    det = _catalog(
        w, [(20.1, 20), (40.1, 40), (59.9, 60), (80, 80), (82, 80)], [18] * 5, [0.01] * 5
    )
    n, rms_ra, rms_dec = gaia_match(det, gaia, radius_arcsec=0.5)
    assert n == 3
    assert rms_ra == pytest.approx(np.std([-4.0, -4.0, 4.0]), rel=1e-3)  # east is -x
    assert rms_dec == pytest.approx(0.0, abs=1e-3)
    assert gaia_match(det[:0], gaia, 0.5) == (0, 0.0, 0.0)


def test_uncorrupted_recombination_reproduces_the_product(visits, tmp_path):
    """The simulator's product and the re-combination of its exposures are the same co-add."""
    src = visits.out_dir / visits.products["folder"].iloc[0]
    _copy_inputs(src, tmp_path / "copy")
    rec = recombine_visit(tmp_path / "copy", src)
    assert rec.offsets == [(0.0, 0.0, 1.0)]
    a, b = fits.getdata(_product(src), 1), fits.getdata(rec.product, 1)
    np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6 * np.abs(a).max())
    for kind in ("point", "segment"):
        assert rec.counts[kind]["before"] == rec.counts[kind]["after"]
    np.testing.assert_array_equal(fits.getdata(rec.product, "CTX"), fits.getdata(_product(src), 3))


def test_corrupted_exposures_land_at_the_measured_offset(visits, tmp_path):
    name = visits.labels["numexp"].idxmax()
    src = visits.out_dir / visits.products.loc[name, "folder"]
    inputs = _copy_inputs(src, tmp_path / "copy")
    filt, files = max(inputs.filters.items(), key=lambda kv: len(kv[1]))
    delta = 15 * 0.04 / 3600
    for f in files:
        shift_crval(tmp_path / "copy" / f, (delta, delta))
    rec = recombine_visit(tmp_path / "copy", src)
    hdr = fits.getheader(_product(src), 1)
    scale = abs(hdr["CD2_2"]) * 3600
    t = {f: fits.getheader(src / f)["EXPTIME"] for f in inputs.files}
    frac = sum(t[f] for f in files) / sum(t.values())
    expected = (
        round(-delta * np.cos(np.radians(hdr["CRVAL2"])) * 3600 / scale, 3),
        round(delta * 3600 / scale, 3),
    )
    moved = [(dx, dy, w) for dx, dy, w in rec.offsets if (dx, dy) != (0.0, 0.0)]
    assert len(moved) == 1
    assert moved[0][0] == pytest.approx(expected[0], abs=0.01)
    assert moved[0][1] == pytest.approx(expected[1], abs=0.01)
    assert moved[0][2] == pytest.approx(frac)
    # the brightest star keeps (1 - frac) of its light in place and moves frac of it
    old, new = fits.getdata(_product(src), 1), fits.getdata(rec.product, 1)
    full = fits.getdata(rec.product, "CTX") == (1 << len(inputs.files)) - 1
    src_point = Table.read(next(src.glob("*_point-cat.ecsv")), format="ascii.ecsv")
    dx, dy = moved[0][:2]
    yy, xx = np.mgrid[0 : old.shape[0], 0 : old.shape[1]]

    def aperture(img, x, y):
        return float(img[np.hypot(xx - x, yy - y) <= 4].sum())

    checked = 0
    for row in src_point[np.argsort(src_point["MagAp2"])]:
        x, y = row["X-Center"] - 1, row["Y-Center"] - 1
        box = np.hypot(xx - x, yy - y) <= 6
        box |= np.hypot(xx - x - dx, yy - y - dy) <= 6
        if not full[box].all():
            continue
        flux = float(aperture(old, x, y))
        assert aperture(new, x, y) == pytest.approx((1 - frac) * flux, abs=0.15 * flux)
        assert aperture(new, x + dx, y + dy) == pytest.approx(frac * flux, abs=0.15 * flux)
        checked += 1
        break
    assert checked == 1
    # the catalogues and the num_sources JSON agree
    point = Table.read(next((tmp_path / "copy").glob("*_point-cat.ecsv")), format="ascii.ecsv")
    seg = Table.read(next((tmp_path / "copy").glob("*_segment-cat.ecsv")), format="ascii.ecsv")
    assert rec.counts["point"]["after"] == len(point)
    obj = json.loads(next((tmp_path / "copy").glob("*_svm_num_sources.json")).read_text())
    assert obj["data"]["number_of_sources"]["data"]["point"] == len(point)
    assert obj["data"]["number_of_sources"]["data"]["segment"] == len(seg)
    assert (tmp_path / "copy" / _product(src).name).is_file()
    assert any("point_segment_crossmatch" in n for n in rec.notes)


def test_fit_statistics_follow_the_gaia_matches(visits, tmp_path):
    """An a posteriori fit that loses its Gaia matches falls back to a priori."""
    name = visits.labels["numexp"].idxmax()
    src0 = visits.out_dir / visits.products.loc[name, "folder"]
    src = tmp_path / "src"
    shutil.copytree(src0, src)
    prod = _product(src)
    with fits.open(prod, mode="update") as hdul:
        hdul[1].header["WCSTYPE"] = "undistorted a posteriori solution relative to GAIAeDR3"
        hdul[1].header["RMS_RA"], hdul[1].header["RMS_DEC"] = 7.0, 8.0
        hdul[1].header["NMATCHES"] = 40
    # a Gaia catalogue equal to the point catalogue: every star matches before
    point = Table.read(next(src.glob("*_point-cat.ecsv")), format="ascii.ecsv")
    gaia = Table({"RA": point["RA"], "DEC": point["DEC"]})
    gaia_file = next(src.glob("*_ref_cat.ecsv"))
    gaia.write(gaia_file, format="ascii.ecsv", overwrite=True)
    inputs = _copy_inputs(src, tmp_path / "copy")
    for f in inputs.files:  # everything moves off the grid: no detection, no match
        shift_crval(tmp_path / "copy" / f, (0.0, 20.0 / 3600))
    rec = recombine_visit(tmp_path / "copy", src)
    assert rec.counts["point"]["after"] == 0
    assert rec.fit["nmatches"] == 0 and rec.fit["wcstype"].startswith("undistorted a priori")
    hdr = fits.getheader(rec.product, 1)
    assert hdr["NMATCHES"] == 0 and hdr["RMS_RA"] == 0.0
    # unshifted: the statistics stay
    shutil.rmtree(tmp_path / "copy")
    _copy_inputs(src, tmp_path / "copy")
    rec = recombine_visit(tmp_path / "copy", src)
    assert rec.fit["nmatches"] == 40
    assert (rec.fit["rms_ra"], rec.fit["rms_dec"]) == pytest.approx((7.0, 8.0))


def test_recombine_bad_inputs(visits, tmp_path):
    src = visits.out_dir / visits.products["folder"].iloc[0]
    inputs = _copy_inputs(src, tmp_path / "copy")
    (tmp_path / "copy" / inputs.files[0]).unlink()
    with pytest.raises(ValueError, match=f"exposure file.*missing: {inputs.files[0]}"):
        recombine_visit(tmp_path / "copy", src)
    bare = tmp_path / "bare"
    _copy_inputs(src, bare)
    with pytest.raises(ValueError, match="bare: no total-detection product"):
        recombine_visit(tmp_path / "copy", bare)
