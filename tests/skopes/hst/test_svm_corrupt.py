"""SVM corrupt: every palette and mode, the 1.1.4 API, the workflows, bad input, the CLI."""

import json
import re
import shutil

import numpy as np
import pytest
from astropy.io import fits
from click.testing import CliRunner

from spacekit.datasets.svm import simulate_svm
from spacekit.exceptions import DataError, InputError
from spacekit.generator.corrupt import THRESHOLDS, read_input_list
from spacekit.skopes.hst.svm import corrupt as C

NAME = re.compile(r"^[ij][0-9a-z]{5}_[0-9a-z_]+_(all|sub)_(stat|stoc)$")


@pytest.fixture(scope="module")
def src(tmp_path_factory):
    """Three aligned visits with exposures: 3 filters/6 exposures, 1/3, 2/3 (64 px)."""
    out = tmp_path_factory.mktemp("corrupt") / "src"
    simulate_svm(
        out,
        n_visits=3,
        seed=0,
        misaligned_fraction=0.0,
        progress=False,
        image_size=64,
        exposures=True,
    )
    return out


def _visits(src):
    return sorted(d for d in src.iterdir() if d.is_dir())


def _records(outputs):
    return {d.name: json.loads((d / "corruption.json").read_text()) for d in outputs.iterdir()}


def _crval(path):
    h = fits.getheader(path, 1)
    return h["CRVAL1"], h["CRVAL2"]


@pytest.mark.parametrize("palette", ["rfi", "mfi", "rex"])
@pytest.mark.parametrize(
    ("expos", "mode"), [("all", "stat"), ("all", "stoc"), ("sub", "stat"), ("sub", "stoc")]
)
def test_every_palette_and_mode(src, tmp_path, palette, expos, mode):
    out = tmp_path / "syn"
    res = C.corrupt_svm(src, out, palette=palette, expos=expos, mode=mode, seed=3, progress=False)
    recs = _records(out)
    assert sorted(recs) == sorted(p.name for p in res.created)
    for name, rec in recs.items():
        assert NAME.match(name) and name.endswith(f"_{rec['filter']}_{expos}_{mode}")
        visit = src / rec["visit"]
        inputs = read_input_list(visit)
        shifted = [f["file"] for f in rec["files"]]
        assert len(set(shifted)) == len(shifted)  # drawn without replacement
        if palette == "rex":
            assert rec["filter"] == "f999r" and 2 <= len(shifted) < len(inputs.files)
        elif expos == "all":
            assert shifted == inputs.filters[rec["filter"]]
        else:
            assert 1 <= len(shifted) < len(inputs.filters[rec["filter"]])
        for f in inputs.files:  # exactly the selected files moved, the others kept
            moved = _crval(out / name / f) != _crval(visit / f)
            assert moved == (f in shifted), (name, f)
        deltas = [np.subtract(f["crval_new"], f["crval_old"]) for f in rec["files"]]
        for d in deltas:
            assert np.all(np.abs(d) <= 20 * 0.04 / 3600 + 1e-12)
        if mode == "stat":  # one shift, both axes, every file
            assert all(np.allclose(d, deltas[0]) and d[0] == pytest.approx(d[1]) for d in deltas)
        else:  # independent per file and axis
            assert all(not np.isclose(d[0], d[1]) for d in deltas)
    if palette == "mfi" and expos == "all":
        # every filter of every visit
        n_filters = sum(len(read_input_list(v).filters) for v in _visits(src))
        assert len(recs) == n_filters
    if expos == "sub" and palette != "rex":
        # a filter with one exposure has no subset: named and skipped
        assert all("no subset" in r or "2 exposures" in r for _, r in res.skipped)


def test_default_multi_palette_runs_all_four_modes(src, tmp_path):
    """1.1.4's default palette crashed; here it makes every filter x all|sub x stat|stoc."""
    res = C.corrupt_svm(src, tmp_path / "syn", seed=1, progress=False)
    expected = 0
    for v in _visits(src):
        for files in read_input_list(v).filters.values():
            expected += 4 if len(files) > 1 else 2
    assert len(res.created) == expected
    suffixes = {p.name.split("_", 1)[1].rsplit("_", 2)[0] for p in res.created}
    assert len(suffixes) >= 3
    modes = {"_".join(p.name.rsplit("_", 2)[1:]) for p in res.created}
    assert modes == {"all_stat", "all_stoc", "sub_stat", "sub_stoc"}
    assert len(res.skipped) == 2 * sum(
        1 for v in _visits(src) for fs in read_input_list(v).filters.values() if len(fs) == 1
    )


def test_seeded_runs_repeat_and_block_equals_pipe(src, tmp_path):
    kw = dict(palette="mfi", expos="sub", mode="stoc", seed=7, progress=False)
    C.corrupt_svm(src, tmp_path / "a", workflow="block", **kw)
    C.corrupt_svm(src, tmp_path / "b", workflow="pipe", **kw)
    a, b = _records(tmp_path / "a"), _records(tmp_path / "b")
    assert a.keys() == b.keys()
    assert [a[k]["files"] for k in sorted(a)] == [b[k]["files"] for k in sorted(b)]
    C.corrupt_svm(src, tmp_path / "c", **{**kw, "seed": 8})
    c = _records(tmp_path / "c")
    assert [a[k]["files"] for k in sorted(a)] != [c[k]["files"] for k in sorted(c)]


def test_threshold_and_detector_scale(src, tmp_path):
    C.corrupt_svm(
        src, tmp_path / "m", palette="mfi", mode="stat", threshold="minor", seed=0, progress=False
    )
    for rec in _records(tmp_path / "m").values():
        for f in rec["files"]:
            assert np.all(np.abs(np.subtract(f["crval_new"], f["crval_old"])) <= 0.04 / 3600)
    C.corrupt_svm(
        src,
        tmp_path / "d",
        palette="mfi",
        mode="stat",
        threshold="major",
        scale="detector",
        seed=0,
        progress=False,
    )
    for rec in _records(tmp_path / "d").values():
        hdr = fits.getheader(src / rec["visit"] / rec["files"][0]["file"], 1)
        scale = abs(np.linalg.det([[hdr["CD1_1"], hdr["CD1_2"]], [hdr["CD2_1"], hdr["CD2_2"]]]))
        scale = np.sqrt(scale) * 3600
        d1, d2 = np.subtract(rec["files"][0]["crval_new"], rec["files"][0]["crval_old"])
        assert 10 * scale <= abs(d2) * 3600 <= 20 * scale + 1e-9
        assert abs(d1) * np.cos(np.radians(hdr["CRVAL2"])) == pytest.approx(abs(d2), rel=1e-6)


def test_full_pipeline_to_prep(src, tmp_path):
    """corrupt -> re-combine -> draw, then prep reads the copies as label-1 products."""
    from spacekit.skopes.hst.svm.prep import prep_svm

    out = tmp_path / "work" / "synthetic"
    res = C.corrupt_svm(
        src,
        out,
        palette="rfi",
        expos="sub",
        mode="stat",
        runsvm=1,
        draw=1,
        workflow="pipe",
        seed=2,
        progress=False,
    )
    assert res.recombined == res.created
    img = tmp_path / "work" / "img" / "1"
    assert len(res.images) == 3 * len(res.created)
    assert all(p.parent.parent == img for p in res.images)
    data = prep_svm(out, tmp_path / "prep", crpt=1, draw=False, progress=False).data
    assert sorted(data.index) == sorted(p.parent.name for p in res.images[::3])
    assert (data["label"] == 1).all()
    for name in data.index:
        assert NAME.match("_".join(name.split("_")[6:]))


def test_steps_run_separately(src, tmp_path):
    out = tmp_path / "syn"
    first = C.corrupt_svm(src, out, palette="rex", seed=4, progress=False)
    assert first.created and not first.recombined
    assert not list(out.glob("*/*_dr[cz].fits"))  # no stale aligned product in the copies
    second = C.corrupt_svm(src, out, crpt=0, runsvm=1, draw=1, progress=False)
    assert sorted(second.recombined) == sorted(first.created)
    assert len(second.images) == 3 * len(first.created)


def test_bad_visits_are_named_and_skipped(src, tmp_path):
    bad = tmp_path / "src"
    shutil.copytree(src, bad)
    v1, v2, v3 = _visits(bad)
    first = read_input_list(v1).files[0]
    (v1 / first).unlink()  # a listed exposure is missing
    (v2 / read_input_list(v2).files[0]).write_bytes(b"broken")  # unreadable exposure
    (bad / "notes").mkdir()  # a folder without a poller list is not a visit
    res = C.corrupt_svm(bad, tmp_path / "syn", palette="mfi", seed=0, progress=False)
    reasons = dict(res.skipped)
    assert first in reasons[v1.name] and "not found" in reasons[v1.name]
    assert "unreadable exposure" in reasons[v2.name]
    assert {p.name.split("_")[0] for p in res.created} == {v3.name}
    assert not list((tmp_path / "syn").glob(".*"))  # no half-built copy left
    # existing copies are skipped unless overwrite: nothing new, an error naming them
    with pytest.raises(DataError, match="exists \\(pass overwrite to replace it\\)"):
        C.corrupt_svm(bad, tmp_path / "syn", palette="mfi", seed=0, progress=False)
    over = C.corrupt_svm(
        bad, tmp_path / "syn", palette="mfi", seed=0, overwrite=True, progress=False
    )
    assert sorted(over.created) == sorted(res.created)


def test_nothing_usable_and_bad_settings(src, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="No visit folder with a \\*.out poller list"):
        C.corrupt_svm(empty, tmp_path / "o", progress=False)
    one = tmp_path / "one"
    one.mkdir()
    v = _visits(src)[0]
    (one / v.name).mkdir()
    shutil.copy(next(v.glob("*.out")), one / v.name)
    with pytest.raises(DataError, match="No corrupted visit was produced"):
        C.corrupt_svm(one, tmp_path / "o", progress=False)
    for kwargs, match in (
        ({"palette": "rainbow"}, "palette must be one of rex, rfi, mfi, multi"),
        ({"expos": "some"}, "expos must be one of all, sub"),
        ({"mode": "wild"}, "mode must be one of stat, stoc"),
        ({"threshold": "huge"}, "threshold must be one of"),
        ({"workflow": "dag"}, "workflow must be 'block' or 'pipe'"),
        ({"scale": "acs"}, "scale must be 'uvis' or 'detector'"),
        ({"crpt": 0, "runsvm": 0, "draw": 0}, "Nothing to do"),
    ):
        with pytest.raises(InputError, match=match):
            C.corrupt_svm(src, tmp_path / "o", progress=False, **kwargs)


def test_recombination_without_the_aligned_product_is_skipped(src, tmp_path):
    raw = tmp_path / "raw"
    v = _visits(src)[0]
    (raw / v.name).mkdir(parents=True)
    for f in [*v.glob("*.out"), *v.glob("*_flt.fits")]:
        shutil.copy(f, raw / v.name)
    res = C.corrupt_svm(raw, tmp_path / "syn", palette="rfi", runsvm=1, seed=0, progress=False)
    assert res.created and not res.recombined
    assert all("no total-detection product" in r for _, r in res.skipped)


def test_1_1_4_functions(src, tmp_path):
    v = _visits(src)[0]
    dct = C.find_filter_files(v)
    assert sum(len(x) for x in dct.values()) == len(read_input_list(v).files)
    rng = np.random.default_rng(0)
    ((filt, files),) = C.pick_random_filter(v, rng=rng).items()
    assert files == dct[filt]
    ((rex, chosen),) = C.pick_random_exposures(v, rng=rng).items()
    assert rex == "f999r" and 2 <= len(chosen) <= 3
    many = [p for fs in dct.values() for p in fs]
    sub = C.pick_random_subset(many, rng=rng)
    assert 1 <= len(sub) < len(many) and set(sub) <= set(many)
    assert C.modify_paths({filt: files}, tmp_path / "x") == {
        filt: [tmp_path / "x" / p.name for p in files]
    }
    for t, (lo, hi) in THRESHOLDS.items():
        assert lo <= abs(C.set_lambda_threshold(t, rng=rng)) <= hi
    d = C.static_augment("major", rng=rng)
    assert 10 * 0.04 / 3600 <= abs(d) <= 20 * 0.04 / 3600
    assert C.stochastic_augment(5.0, "minor", rng=rng) == pytest.approx(5.0, abs=0.04 / 3600)
    work = tmp_path / "w"
    shutil.copytree(v, work)
    f = work / files[0].name
    before = _crval(f)
    rec = C.static_corruption(f, 1e-4)
    assert _crval(f) == pytest.approx((before[0] + 1e-4, before[1] + 1e-4))
    assert "CRVAL1" in C.print_corruptions(rec.crval_old, rec.crval_new)
    rec = C.stochastic_corruption(f, "major", rng=rng)
    assert rec.delta[0] != pytest.approx(rec.delta[1])
    assert C.make_process_config() == (
        4,
        {"palette": "multi", "expos": "all", "mode": "stoc", "thresh": "any"},
    )
    assert C.make_process_config(1, 1, 1)[0] == 7 and C.make_process_config(0, 1, 0)[0] == 2
    assert C.get_datasets(src) == _visits(src)
    with pytest.raises(InputError, match="filters=True is not available"):
        C.generate_images(tmp_path, filters=True)


def test_runner_and_cli(src, tmp_path, capsys):
    out = tmp_path / "syn"
    code = C.main(
        [str(src), "-o", str(out), "-p", "rfi", "-e", "all", "-m", "stat", "-r", "1", "--seed", "5"]
    )
    assert code == 0
    assert len(list(out.iterdir())) == 3
    assert C.main([str(tmp_path / "missing"), "-o", str(out)]) == 1

    from spacekit.cli import main as cli

    runner = CliRunner()
    res = runner.invoke(
        cli,
        [
            "svm",
            "corrupt",
            str(src),
            "-o",
            str(tmp_path / "c"),
            "-p",
            "mfi",
            "-e",
            "sub",
            "--seed",
            "1",
            "--no-progress",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "corrupted cop" in res.output and "add --runsvm" in res.output
    assert "skipped (" in res.output and "no subset" in res.output
    bad = runner.invoke(cli, ["svm", "corrupt", str(tmp_path / "none"), "--no-progress"])
    assert bad.exit_code == 1 and "is not a folder" in bad.output
