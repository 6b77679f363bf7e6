import json
import re

import numpy as np
import pandas as pd
import pytest
from astropy.io import fits
from astropy.table import Table

from spacekit.datasets.svm import real_label_mix, render_visit_pair, simulate_svm
from spacekit.datasets.svm.simulate import _plan, _real_fraction
from spacekit.exceptions import InputError

NAME_RE = re.compile(
    r"hst_\d{4,5}_[0-9a-z]{2}_(wfc3|acs)_(ir|uvis|wfc|hrc|sbc)_total_[ij][0-9a-z]{5}"
    r"(_[0-9a-z_]+_(all|sub)_(stat|stoc))?"
)


def test_labels_and_manifest(svm_sim):
    labels = svm_sim.labels
    assert len(labels) == 6
    assert labels["label"].sum() == 3
    for name, row in labels.iterrows():
        assert NAME_RE.fullmatch(name), name
        assert name.split("_")[4] == row["det"].split("_")[1]
        if row["synthetic"]:
            assert name.endswith(f"_{row['filter']}_{row['mode']}")
            assert row["label"] == 1
    disk = pd.read_csv(svm_sim.labels_path, index_col="index", keep_default_na=False)
    assert list(disk.index) == list(labels.index)
    man = json.loads(svm_sim.manifest_path.read_text())
    assert man["kind"] == "svm" and man["n_visits"] == 6 and man["seed"] == 11
    assert sorted(man["visits"]) == sorted(p.name for p in svm_sim.out_dir.iterdir() if p.is_dir())


def test_drizzle_fits(svm_sim):
    for name, prod in svm_sim.products.iterrows():
        path = prod["drizzle"]
        assert re.search(r"_total_[ij][0-9a-z]{5}_dr[cz]\.fits$", path)
        with fits.open(path) as hdul:
            assert [h.name for h in hdul] == ["PRIMARY", "SCI", "WHT", "CTX"]
            prim, sci = hdul[0].header, hdul[1].header
            # north up: the 64 x 64 detector footprint rotated by the roll angle fits in
            n = hdul[1].data.shape[0]
            pa = np.radians(svm_sim.labels.loc[name, "orientat"])
            assert hdul[1].data.shape == (n, n)
            assert n == int(np.ceil(64 * (abs(np.cos(pa)) + abs(np.sin(pa))) - 1e-6))
            assert sci["CD1_1"] < 0 and sci["CD2_2"] > 0
            assert sci["CD1_2"] == 0 and sci["CD2_1"] == 0 and sci["ORIENTAT"] == 0
            assert hdul[1].data.dtype.kind == "f" and hdul[1].data.dtype.itemsize == 4
            assert hdul["WHT"].data.shape == hdul["CTX"].data.shape == (n, n)
            for key in ("RMS_RA", "RMS_DEC", "NMATCHES", "WCSTYPE", "CRVAL1", "CD1_1"):
                assert key in sci, key
            for key in (
                "TARGNAME",
                "RA_TARG",
                "DEC_TARG",
                "NUMEXP",
                "INSTRUME",
                "DETECTOR",
                "PROPOSID",
                "LINENUM",
                "ROOTNAME",
                "FILENAME",
                "PRIMESI",
            ):
                assert key in prim, key
            assert prim["FILENAME"] == path.rsplit("/", 1)[1]
            row = svm_sim.labels.loc[name]
            assert sci["NMATCHES"] == row["nmatches"]
            assert prim["NUMEXP"] == row["numexp"]
            wtype = " ".join(sci["WCSTYPE"].split()[1:3])
            assert wtype in {"a posteriori", "a priori", "default a", "not aligned"} or (
                sci["WCSTYPE"].startswith("pipeline default")
            )


def test_diagnostic_json_layout(svm_sim):
    for name, prod in svm_sim.products.iterrows():
        files = prod["json"].split(";")
        assert len(files) == 4
        found = {}
        for f in files:
            assert re.search(r"_total_[ij][0-9a-z]{5}_svm_.+\.json$", f)
            obj = json.loads(open(f).read())
            assert list(obj) == ["header", "general information", "data"]
            gi = obj["general information"]
            for key in (
                "telescope",
                "proposal_id",
                "instrument",
                "detector",
                "visit",
                "filter",
                "dataset",
                "dataframe_index",
                "imgname",
                "generation date",
                "generation time",
                "seconds since epoch",
                "commit id",
                "data_source",
                "description",
            ):
                assert key in gi, key
            assert gi["dataframe_index"] == gi["imgname"][:-9]
            assert name.startswith(gi["dataframe_index"])
            for key in ("TARGNAME", "RA_TARG", "DEC_TARG", "NUMEXP"):
                assert key in obj["header"]
            assert "FILTER" not in obj["header"] and "FILTER1" not in obj["header"]
            for title, item in obj["data"].items():
                assert {"original format", "data", "descriptions", "units"} <= set(item), title
                found[title] = item
        row = svm_sim.labels.loc[name]
        assert found["number_of_sources"]["data"]["point"] == row["point"]
        assert found["number_of_sources"]["data"]["segment"] == row["segment"]
        n_gaia = found["Number of GAIA sources"]["data"]["Number of GAIA sources"]
        assert n_gaia == row["gaia"]
        gaia_tab = found["GAIA sources"]
        assert gaia_tab["original format"] == "<class 'astropy.table.table.Table'>"
        assert set(gaia_tab["data"]) == {"RA", "DEC", "mag"}
        assert len(gaia_tab["data"]["RA"]["data"]) == n_gaia


def test_catalogs(svm_sim):
    for name, prod in svm_sim.products.iterrows():
        row = svm_sim.labels.loc[name]
        point = Table.read(prod["point_catalog"], format="ascii.ecsv")
        seg = Table.read(prod["segment_catalog"], format="ascii.ecsv")
        assert len(point) == row["point"] and len(seg) == row["segment"]
        for t in (point, seg):
            assert {"RA", "DEC", "Flags"} <= set(t.colnames)
        assert {"X-Center", "Y-Center"} <= set(point.colnames)
        with fits.open(prod["drizzle"]) as hdul:
            ra0, dec0 = hdul[1].header["CRVAL1"], hdul[1].header["CRVAL2"]
        if len(point):
            sep_deg = np.hypot((point["RA"] - ra0) * np.cos(np.radians(dec0)), point["DEC"] - dec0)
            assert sep_deg.max() < 64 * 0.13 / 3600  # inside the field
        gaia = Table.read(prod["gaia_catalog"], format="ascii.ecsv")
        assert len(gaia) == row["gaia"]


def test_misaligned_folder_records(svm_sim):
    for name, prod in svm_sim.products.iterrows():
        row = svm_sim.labels.loc[name]
        folder = svm_sim.out_dir / prod["folder"]
        assert (folder / "corruption.txt").is_file() == bool(row["label"])
        assert list(folder.glob("*_input.out"))
        if row["synthetic"]:
            assert prod["folder"].endswith(f"_{row['filter']}_{row['mode']}")
            assert row["max_shift_px"] > 0


def test_deterministic(tmp_path, svm_sim):
    again = simulate_svm(
        tmp_path / "again",
        n_visits=6,
        seed=11,
        misaligned_fraction=0.5,
        progress=False,
        image_size=64,
    )
    pd.testing.assert_frame_equal(again.labels, svm_sim.labels)
    a = fits.getdata(again.products["drizzle"].iloc[0], ext=1)
    b = fits.getdata(svm_sim.products["drizzle"].iloc[0], ext=1)
    np.testing.assert_array_equal(a, b)
    other = simulate_svm(tmp_path / "other", n_visits=6, seed=12, progress=False, image_size=64)
    assert list(other.labels.index) != list(svm_sim.labels.index)
    assert not list(tmp_path.rglob("*.part*"))


def _peaks(img, level):
    from scipy.ndimage import maximum_filter

    return int(((img == maximum_filter(img, size=3)) & (img > level)).sum())


def test_misaligned_image_shows_doubled_sources():
    aligned, misaligned, meta = render_visit_pair(
        seed=2, image_size=128, det="wfc3_uvis", category="STELLAR CLUSTER"
    )
    assert meta["suffix"].endswith("_all_stat")
    assert aligned.shape == misaligned.shape == (128, 128)
    # Same total light, spread over more peaks: the brightest pixels drop, peaks multiply.
    assert misaligned.sum() == pytest.approx(aligned.sum(), rel=0.05)
    assert np.percentile(misaligned, 99.9) < np.percentile(aligned, 99.9)
    level = 20 * np.std(aligned[aligned < np.percentile(aligned, 50)])
    assert _peaks(misaligned, level) > 1.3 * _peaks(aligned, level)


def test_statistics_move_when_misaligned():
    from spacekit.datasets.svm._corrupt import corrupt_visit, degrade_fit
    from spacekit.datasets.svm._scene import plan_visit

    fit = {"wcstype": "a posteriori", "rms_ra": 8.0, "rms_dec": 9.0, "nmatches": 40}
    kept = 0
    for seed in range(30):
        rng = np.random.default_rng(seed)
        visit = plan_visit(rng, "acs_wfc", 64, min_filters=2)
        corrupt_visit(visit, rng, expos="all", mode="stoc", thresh="major")
        new = degrade_fit(fit, visit, rng)
        if new["wcstype"] == "a posteriori":
            kept += 1
            assert new["rms_ra"] > fit["rms_ra"] and new["rms_dec"] > fit["rms_dec"]
            assert new["nmatches"] < fit["nmatches"]
        else:
            assert new["nmatches"] == 0 and new["rms_ra"] == 0.0
    assert 5 < kept < 30  # the fit sometimes fails, usually not


def test_label_one_visits_are_shifted(tmp_path):
    sim = simulate_svm(
        tmp_path / "s", n_visits=8, seed=3, misaligned_fraction=0.5, progress=False, image_size=32
    )
    lab = sim.labels
    assert (lab.loc[lab["label"] == 0, "max_shift_px"] == 0).all()
    assert (lab.loc[lab["label"] == 1, "max_shift_px"] > 0).all()


def test_plan_follows_real_label_mix():
    plan = _plan(4000, _real_fraction(), np.random.default_rng(0))
    df = pd.DataFrame(plan, columns=["label", "det", "mode"])
    mix = real_label_mix()
    total = sum(
        v["aligned"] + v["misaligned_real"] + v["misaligned_synthetic"] for v in mix.values()
    )
    assert df["label"].mean() == pytest.approx(_real_fraction(), abs=0.001)
    assert _real_fraction() == pytest.approx(192 / 503, abs=0.01)
    for det, v in mix.items():
        share = (v["aligned"] + v["misaligned_real"] + v["misaligned_synthetic"]) / total
        assert (df["det"] == det).mean() == pytest.approx(share, abs=0.03), det
    synth = df[df["mode"].isin(["all_stat", "all_stoc", "sub_stat", "sub_stoc"])]
    assert len(synth) / (df["label"] == 1).sum() == pytest.approx(174 / 192, abs=0.04)


def test_frozen_mix_matches_reference(real_labels_dir):
    real = pd.concat(
        [pd.read_csv(real_labels_dir / f"svm_{s}_labels.csv", index_col=0) for s in ("test", "val")]
    )
    mix = real_label_mix()
    for det, g in real.groupby("det"):
        assert mix[det]["aligned"] == int(((g["label"] == 0) & ~g["synthetic"]).sum())
        assert mix[det]["misaligned_synthetic"] == int(g["synthetic"].sum())


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_visits": 0}, "n_visits must be a positive integer"),
        ({"n_visits": 2.0}, "n_visits must be a positive integer"),
        ({"n_visits": 2, "misaligned_fraction": 1.5}, "misaligned_fraction must be"),
        ({"n_visits": 2, "image_size": 8}, "image_size must be"),
    ],
)
def test_bad_arguments(tmp_path, kwargs, match):
    with pytest.raises(InputError, match=match):
        simulate_svm(tmp_path / "x", progress=False, **kwargs)
    assert not (tmp_path / "x").exists()


def test_non_empty_out_dir_and_overwrite(tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / "keep.txt").write_text("user file")
    with pytest.raises(InputError, match="is not empty"):
        simulate_svm(out, n_visits=1, progress=False, image_size=32)
    first = simulate_svm(out, n_visits=2, seed=1, progress=False, image_size=32, overwrite=True)
    second = simulate_svm(out, n_visits=1, seed=2, progress=False, image_size=32, overwrite=True)
    folders = {p.name for p in out.iterdir() if p.is_dir()}
    assert folders == set(second.products["folder"])
    assert not folders & set(first.products["folder"])
    assert (out / "keep.txt").read_text() == "user file"


def _flatten(prefix, obj, out):
    """The 1.1.4 JsonScraper flattening rule (spec 2.2): dotted keys, spaces to '_'."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k.endswith(("data", "unit", "format", "dtype")) and not isinstance(v, dict):
                continue
            _flatten(f"{prefix}.{k}" if prefix else k, v, out)
    else:
        out[prefix.replace(" ", "_")] = obj


def test_json_gives_the_svm_features(svm_sim):
    shortlist = {"TARGNAME", "DEC_TARG", "RA_TARG", "NUMEXP", "imgname"}
    for name, prod in svm_sim.products.iterrows():
        row = {}
        for f in prod["json"].split(";"):
            obj = json.loads(open(f).read())
            for k in shortlist & set(obj["header"]):
                row[f"header.{k}"] = obj["header"][k]
            row["gen_info.imgname"] = obj["general information"]["imgname"]
            for title, item in obj["data"].items():
                if item["original format"] == "<class 'dict'>":
                    _flatten(title, item["data"], row)
        assert row["number_of_sources.point"] == svm_sim.labels.loc[name, "point"]
        assert row["number_of_sources.segment"] == svm_sim.labels.loc[name, "segment"]
        assert row["number_of_sources.detector"] in {"ir", "uvis", "wfc", "hrc", "sbc"}
        assert "Number_of_GAIA_sources.Number_of_GAIA_sources" in row
        assert row["header.NUMEXP"] == svm_sim.labels.loc[name, "numexp"]
        assert row["gen_info.imgname"] == prod["imgname"]
        for key in ("header.TARGNAME", "header.RA_TARG", "header.DEC_TARG"):
            assert key in row


def test_interrupted_run_leaves_no_partial_file(tmp_path, monkeypatch):
    from spacekit.datasets.svm import _products

    calls = {"n": 0}
    real_write = _products._write_ecsv

    def flaky_write(table, path):
        calls["n"] += 1
        if calls["n"] == 4:
            with _products.atomic_path(path) as tmp:
                tmp.write_text("# %ECSV 1.0\n# half")  # half a file, then an interrupt
                raise KeyboardInterrupt
        return real_write(table, path)

    monkeypatch.setattr(_products, "_write_ecsv", flaky_write)
    with pytest.raises(KeyboardInterrupt):
        simulate_svm(tmp_path / "o", n_visits=3, progress=False, image_size=32)
    # nothing of the interrupted run is left (not even the first, complete visit), so the
    # same command can simply be run again
    assert list((tmp_path / "o").rglob("*")) == []
    monkeypatch.undo()
    sim = simulate_svm(tmp_path / "o", n_visits=3, progress=False, image_size=32)
    assert len(sim.labels) == 3


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"seed": -1}, "seed must be a non-negative integer; received seed=-1"),
        ({"seed": 1.5}, "seed must be a non-negative integer"),
        ({"misaligned_fraction": True}, "misaligned_fraction must be"),
    ],
)
def test_bad_seed_and_fraction(tmp_path, kwargs, match):
    with pytest.raises(InputError, match=match):
        simulate_svm(tmp_path / "x", n_visits=1, progress=False, **kwargs)
    assert not (tmp_path / "x").exists()


def test_out_dir_that_cannot_be_created(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(InputError, match="Cannot create out_dir="):
        simulate_svm(tmp_path / "f" / "visits", n_visits=1, progress=False, image_size=32)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"det": "nicmos"}, "Unknown det='nicmos'"),
        ({"category": "QUASAR"}, "Unknown category='QUASAR'"),
        ({"image_size": 4}, "image_size must be"),
        ({"seed": -2}, "seed must be"),
    ],
)
def test_render_visit_pair_bad_arguments(kwargs, match):
    with pytest.raises(InputError, match=match):
        render_visit_pair(**kwargs)


def test_nearest_matches_brute_force_and_scales():
    from spacekit.datasets.svm._products import _nearest, _neighbour_stats

    rng = np.random.default_rng(0)
    x, y, tx, ty = rng.uniform(0, 100, (4, 300))
    brute = np.hypot(x[:, None] - tx[None, :], y[:, None] - ty[None, :]).min(axis=1)
    np.testing.assert_allclose(_nearest(x, y, tx, ty), brute, rtol=1e-12)
    self_d = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
    np.fill_diagonal(self_d, np.inf)
    stats = _neighbour_stats(x, y)
    assert stats["minimum neighbor distance"] == round(float(self_d.min()), 4)
    assert stats["mean neighbor distance"] == round(float(self_d.min(axis=1).mean()), 4)
    # A 2048 x 2048 stellar-cluster field has ~30,000 detections per catalog: the old
    # all-pairs matrix needed ~7 GiB per temporary; the k-d tree needs a few MB.
    big = rng.uniform(0, 2048, (4, 30_000))
    assert len(_nearest(*big)) == 30_000


def test_north_up_product_holds_the_rotated_footprint(svm_sim):
    for name, prod in svm_sim.products.iterrows():
        folder = svm_sim.out_dir / prod["folder"]
        out_file = next(folder.glob("*_input.out"))
        texp = sum(float(line.split(",")[4]) for line in out_file.read_text().splitlines())
        with fits.open(prod["drizzle"]) as hdul:
            sci, wht, ctx = (hdul[k].data for k in ("SCI", "WHT", "CTX"))
        inside = wht > 0
        # the 64 x 64 detector footprint, rotated, lies inside the north-up grid (shifted
        # exposures of a misaligned visit widen it)
        if svm_sim.labels.loc[name, "label"] == 0:
            assert inside.sum() == pytest.approx(64 * 64, rel=0.05)
        else:
            assert inside.sum() >= 0.95 * 64 * 64
        assert (sci[~inside] == 0).all() and (ctx[~inside] == 0).all()
        assert wht.max() == pytest.approx(texp, rel=1e-5)
        pa = np.radians(svm_sim.labels.loc[name, "orientat"])
        if abs(np.sin(2 * pa)) > 0.3:  # clearly rotated: the grid's corners are empty
            assert not inside[0, 0] and not inside[-1, -1]


def test_gaia_stars_land_on_their_light(tmp_path):
    from astropy.wcs import WCS

    sim = simulate_svm(
        tmp_path / "g", n_visits=3, seed=4, misaligned_fraction=0.0, progress=False, image_size=128
    )
    checked = 0
    for _, prod in sim.products.iterrows():
        with fits.open(prod["drizzle"]) as hdul:
            sci, wcs = hdul[1].data, WCS(hdul[1].header)
        gaia = Table.read(prod["gaia_catalog"], format="ascii.ecsv")
        if len(gaia) < 3:
            continue
        x, y = wcs.all_world2pix(gaia["RA"], gaia["DEC"], 0)
        ix, iy = np.round(x).astype(int), np.round(y).astype(int)
        ok = (ix >= 0) & (iy >= 0) & (ix < sci.shape[1]) & (iy < sci.shape[0])
        on_star = sci[iy[ok], ix[ok]]
        background = np.median(sci[sci != 0])
        noise = np.std(sci[(sci != 0) & (sci < np.percentile(sci[sci != 0], 50))])
        assert np.median(on_star) > background + 5 * noise, prod["drizzle"]
        checked += 1
    assert checked >= 1


def test_exposures_are_written_on_request(tmp_path):
    from astropy.wcs import WCS

    sim = simulate_svm(
        tmp_path / "x",
        n_visits=2,
        seed=5,
        misaligned_fraction=1.0,
        progress=False,
        image_size=32,
        exposures=True,
    )
    assert sim.manifest["exposures"] is True
    for name, prod in sim.products.iterrows():
        folder = sim.out_dir / prod["folder"]
        listed = [ln.split(",")[0] for ln in next(folder.glob("*_input.out")).read_text().split()]
        assert sorted(p.name for p in folder.glob("*_flt.fits")) == sorted(listed)
        shifted = 0
        for f in listed:
            with fits.open(folder / f) as hdul:
                assert [h.name for h in hdul] == ["PRIMARY", "SCI", "ERR", "DQ"]
                assert hdul[1].data.shape == (32, 32)
                assert hdul[0].header["EXPTIME"] > 0
                w = WCS(hdul[1].header)
                pa = np.degrees(np.arctan2(w.wcs.cd[0, 1], w.wcs.cd[1, 1]))
                assert pa == pytest.approx(sim.labels.loc[name, "orientat"], abs=1e-3)
                shifted += hdul[1].header["CRVAL1"] != pytest.approx(
                    fits.getheader(prod["drizzle"], 1)["CRVAL1"], abs=1e-9
                )
        # a misaligned visit has exposures with a corrupted CRVAL (the "real" ones too)
        assert shifted >= 1
    no_flt = simulate_svm(tmp_path / "y", n_visits=1, seed=5, progress=False, image_size=32)
    assert not list(no_flt.out_dir.rglob("*_flt.fits"))
