"""SVM prep: 1.1.4's tables, images, bad input, the runner and ``spacekit svm prep``."""

import json
import shutil

import numpy as np
import pandas as pd
import pytest
from astropy.io import fits
from click.testing import CliRunner

from spacekit.datasets import get_sample_path
from spacekit.exceptions import DataError, InputError, SkippedInputWarning
from spacekit.skopes.hst.svm.prep import main, prep_svm, prep_visit, run_preprocessing

VISIT = "hst_15000_01_wfc3_ir_total_ibpb01"


@pytest.fixture
def sample(tmp_path):
    """A writable copy of the packaged SVM sample (6 visits, 3 misaligned)."""
    return shutil.copytree(get_sample_path("svm"), tmp_path / "svm")


def test_reference_visit_tables_are_1_1_4s(reference_dir, tmp_path):
    ref = reference_dir / "svm_render"
    df, data_path = run_preprocessing(str(ref / "input"), output_path=str(tmp_path))
    assert data_path == str(tmp_path / "svm_data.csv")
    for name in ("svm_data.csv", "raw_svm_data.csv"):
        assert (tmp_path / name).read_text() == (ref / "output" / name).read_text()
    assert df.index.tolist() == [VISIT]
    pngs = sorted(p.name for p in (tmp_path / "img" / VISIT).iterdir())
    assert pngs == [f"{VISIT}.png", f"{VISIT}_gaia.png", f"{VISIT}_source.png"]


def test_sample_with_labels_and_workers(sample, tmp_path):
    out = tmp_path / "out"
    res = prep_svm(sample, out, labels=sample / "labels.csv", n_jobs=2, progress=False)
    labels = pd.read_csv(sample / "labels.csv", index_col="index")
    data = pd.read_csv(out / "svm_data.csv", index_col="index")
    assert sorted(data.index) == sorted(labels.index)  # synthetic folders keep their suffix
    assert list(data.columns) == [
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
        "label",
    ]
    assert (data["label"] == labels.loc[data.index, "label"]).all()
    for col in ("numexp", "point", "segment", "gaia", "rms_ra", "nmatches"):
        np.testing.assert_allclose(data[col], labels.loc[data.index, col])
    assert (out / "pos.txt").read_text().split() == data.index[data["label"] == 1].tolist()
    assert res.skipped == []
    from spacekit.extractor.images import load_svm_images

    images, kept, skipped = load_svm_images(out / "img", data.index)
    assert images.shape == (6, 3, 128, 128, 3) and skipped == []


def test_h5_rerun_gives_the_same_table(sample, tmp_path):
    first = prep_svm(sample, tmp_path / "a", draw=False, progress=False)
    second = prep_svm(
        sample, tmp_path / "b", h5=tmp_path / "a" / "svm_data.h5", draw=False, progress=False
    )
    pd.testing.assert_frame_equal(first.data.sort_index(), second.data.sort_index())
    assert not (tmp_path / "b" / "img").exists()


def _folder(sample, ipppss):
    return next(p for p in sample.iterdir() if p.is_dir() and p.name.startswith(ipppss))


def test_bad_visits_are_skipped_and_named(sample, tmp_path):
    # missing JSON key: no point count
    v = _folder(sample, "j63qzc")
    num = next(v.glob("*_svm_num_sources.json"))
    obj = json.loads(num.read_text())
    del obj["data"]["number_of_sources"]["data"]["point"]
    num.write_text(json.dumps(obj))
    # drizzle without a SCI extension
    v2 = _folder(sample, "j76777")
    drz = next(v2.glob("*_dr?.fits"))
    fits.PrimaryHDU().writeto(drz, overwrite=True)
    # NaN alignment statistics
    v3 = _folder(sample, "jbgj21")
    drz3 = next(v3.glob("*_dr?.fits"))
    with fits.open(drz3, mode="update") as hdul:
        hdul[1].header["RMS_RA"] = "nan"
    # malformed JSON beside good ones
    (_folder(sample, "i9xj28") / "hst_x_total_i9xj28_svm_broken.json").write_text("{")
    with pytest.warns(SkippedInputWarning):
        res = prep_svm(sample, tmp_path / "out", progress=False)
    reasons = {item.split("/")[-1]: why for item, why in res.skipped}
    assert any("number_of_sources.point" in r for r in reasons.values())
    assert any("no 2-D SCI image" in r for r in reasons.values())
    assert any("non-finite alignment statistics" in r for r in reasons.values())
    assert "hst_x_total_i9xj28_svm_broken.json" in reasons
    assert len(res.data) == 3
    img = tmp_path / "out" / "img"
    assert not any("j76777" in p.name for p in img.iterdir())


def test_nothing_usable_is_an_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="nothing to prepare"):
        prep_svm(tmp_path / "empty", tmp_path / "out")
    with pytest.raises(InputError, match="not a folder"):
        prep_svm(tmp_path / "nope", tmp_path / "out")
    v = tmp_path / "v"
    v.mkdir()
    (v / "a_total_v_svm_x.json").write_text("[]")
    with pytest.raises(DataError, match="malformed JSON|not a diagnostic"):
        prep_svm(v, tmp_path / "out", progress=False)
    assert main([str(v), "-o", str(tmp_path / "out")]) == 1


def test_prep_visit_is_a_pure_function_of_one_folder(sample, tmp_path):
    folder = _folder(sample, "i9xj28")
    out = prep_visit(folder, img_path=tmp_path / "img")
    (name,) = out.rows
    assert name.endswith("_f336w_all_stoc")
    assert set(out.sci[name]) == {"rms_ra", "rms_dec", "nmatches", "wcstype"}
    assert len(out.images[name]) == 3 and out.skipped == []


def test_runner_flags(sample, tmp_path):
    assert main([str(sample), "-o", str(tmp_path), "-f", "mine.csv", "-d", "0", "-c", "1"]) == 0
    data = pd.read_csv(tmp_path / "mine.csv", index_col="index")
    assert (data["label"] == 1).all() and len(data) == 6
    assert (tmp_path / "raw_mine.csv").is_file() and (tmp_path / "mine.h5").is_file()
    assert not (tmp_path / "img").exists()


def test_cli_prep(sample, tmp_path):
    from spacekit.cli import main as cli

    result = CliRunner().invoke(
        cli, ["svm", "prep", str(sample), "-o", str(tmp_path), "--no-progress", "--full-size"]
    )
    assert result.exit_code == 0, result.output
    assert "6 product(s)" in result.output
    from PIL import Image

    for png in (tmp_path / "img").glob("*/*_gaia.png"):
        with Image.open(png) as img:
            assert max(img.size) > 1800  # 1.1.4's full-size figure
    bad = CliRunner().invoke(cli, ["svm", "prep", str(tmp_path / "none")])
    assert bad.exit_code == 1 and "not a folder" in bad.output
