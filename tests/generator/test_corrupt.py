import numpy as np
import pytest
from astropy.io import fits

from spacekit.generator.corrupt import (
    REX_FILTER,
    THRESHOLDS,
    draw_shifts,
    lambda_shift,
    pick_random_exposures,
    pick_random_filter,
    pick_random_subset,
    read_input_list,
    shift_crval,
)


def _out_file(folder, lines):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ab1234_input.out").write_text("\n".join(lines) + "\n")
    return folder


def test_read_input_list_groups_by_filter(tmp_path):
    folder = _out_file(
        tmp_path / "v",
        [
            "ab1234a1q_flt.fits,12286,B12,34,500.0,F110W,IR,/data/ab1234",
            "ab1234a2q_flt.fits,12286,B12,34,500.0,F110W,IR,/data/ab1234",
            "jb1234a3q_flc.fits,12286,B12,34,400.0,CLEAR1L;F814W,WFC,/data/ab1234",
            "",
            "garbage",
        ],
    )
    inputs = read_input_list(folder)
    assert inputs.filters == {
        "f110w": ["ab1234a1q_flt.fits", "ab1234a2q_flt.fits"],
        "clear1l_f814w": ["jb1234a3q_flc.fits"],
    }
    assert inputs.files == ["ab1234a1q_flt.fits", "ab1234a2q_flt.fits", "jb1234a3q_flc.fits"]


def test_read_input_list_bad_folders(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match=r"empty: no poller input list \(\*\.out\)"):
        read_input_list(tmp_path / "empty")
    _out_file(tmp_path / "blank", ["", "x"])
    with pytest.raises(ValueError, match="ab1234_input.out: no line names an exposure"):
        read_input_list(tmp_path / "blank")


def test_subsets_are_drawn_without_replacement():
    files = [f"f{i}" for i in range(5)]
    sizes = set()
    for seed in range(200):
        sub = pick_random_subset(files, np.random.default_rng(seed))
        assert len(set(sub)) == len(sub)  # 1.1.4 could pick a file twice
        assert 1 <= len(sub) <= 4
        assert sub == [f for f in files if f in sub]  # list order kept
        sizes.add(len(sub))
    assert sizes == {1, 2, 3, 4}
    with pytest.raises(ValueError, match="a subset needs at least 2 exposures; the filter has 1"):
        pick_random_subset(["only"], np.random.default_rng(0))


def test_random_exposures_and_filter():
    filters = {"f110w": ["a", "b"], "f160w": ["c", "d", "e"]}
    for seed in range(50):
        rng = np.random.default_rng(seed)
        ex = pick_random_exposures(filters, rng)
        assert 2 <= len(ex) <= 3 and len(set(ex)) == len(ex)
        assert pick_random_filter(filters, rng) in filters
    assert pick_random_exposures({"f1": ["a", "b", "c"]}, np.random.default_rng(1)) in (
        ["a", "b"],
        ["a", "c"],
        ["b", "c"],
    )
    with pytest.raises(ValueError, match="'rex' needs at least 3 exposures; the visit has 2"):
        pick_random_exposures({"f1": ["a", "b"]}, np.random.default_rng(0))
    assert REX_FILTER == "f999r"


@pytest.mark.parametrize("thresh", list(THRESHOLDS))
def test_lambda_ranges_and_signs(thresh):
    lo, hi = THRESHOLDS[thresh]
    rng = np.random.default_rng(0)
    vals = np.array([lambda_shift(rng, thresh) for _ in range(400)])
    assert (np.abs(vals) >= lo).all() and (np.abs(vals) <= hi).all()
    assert 0.35 < (vals > 0).mean() < 0.65


def test_lambda_unknown_threshold():
    with pytest.raises(ValueError, match="unknown threshold 'huge'"):
        lambda_shift(np.random.default_rng(0), "huge")


def test_static_and_stochastic_shifts():
    rng = np.random.default_rng(3)
    stat = draw_shifts(3, "stat", "major", rng)
    assert len(set(stat)) == 1 and stat[0][0] == stat[0][1]
    assert 10 * 0.04 / 3600 <= abs(stat[0][0]) <= 20 * 0.04 / 3600
    stoc = draw_shifts(3, "stoc", "major", rng)
    flat = [v for pair in stoc for v in pair]
    assert len(set(flat)) == 6
    # with each file's scale and declination, lambda is an on-sky distance in its pixels
    det = draw_shifts(1, "stat", "major", rng, scales=[0.128], decs=[60.0])
    assert det[0][0] == pytest.approx(2 * det[0][1])
    with pytest.raises(ValueError, match="unknown mode 'wobble'"):
        draw_shifts(1, "wobble", "any", rng)


def _two_chip_flt(path):
    hdus = [fits.PrimaryHDU()]
    for ver, crval in ((1, (10.0, 20.0)), (2, (10.001, 20.001))):
        h = fits.ImageHDU(np.zeros((4, 4), np.float32), name="SCI")
        h.header["EXTVER"] = ver
        h.header["CRVAL1"], h.header["CRVAL2"] = crval
        hdus.append(h)
    fits.HDUList(hdus).writeto(path)
    return path


def test_shift_crval_moves_every_chip(tmp_path):
    path = _two_chip_flt(tmp_path / "x_flc.fits")
    rec = shift_crval(path, (1e-4, -2e-4))
    assert rec.file == "x_flc.fits"
    assert rec.crval_old == (10.0, 20.0)
    assert rec.delta == pytest.approx((1e-4, -2e-4))
    with fits.open(path) as hdul:
        assert hdul[1].header["CRVAL1"] == pytest.approx(10.0001)
        assert hdul[2].header["CRVAL1"] == pytest.approx(10.0011)
        assert hdul[2].header["CRVAL2"] == pytest.approx(20.0008)
    assert [p.name for p in tmp_path.iterdir()] == ["x_flc.fits"]


def test_shift_crval_bad_files(tmp_path):
    (tmp_path / "bad_flt.fits").write_bytes(b"nope")
    with pytest.raises(ValueError, match="bad_flt.fits: unreadable exposure"):
        shift_crval(tmp_path / "bad_flt.fits", (0.0, 0.0))
    fits.HDUList([fits.PrimaryHDU(), fits.ImageHDU(np.zeros((2, 2)), name="SCI")]).writeto(
        tmp_path / "nowcs_flt.fits"
    )
    with pytest.raises(ValueError, match="nowcs_flt.fits: no SCI extension with CRVAL1/CRVAL2"):
        shift_crval(tmp_path / "nowcs_flt.fits", (0.0, 0.0))
