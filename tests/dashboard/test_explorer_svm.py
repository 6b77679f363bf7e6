"""The explorer on real SVM ensembles and visits: simulated, prepared by ``svm prep``.

The probabilities the explorer shows must be the ones ``spacekit svm predict`` writes for
the same archive and visits.
"""

import numpy as np
import pytest

from spacekit.dashboard.explorer.context import build_context
from spacekit.exceptions import ArchiveError, InputError


@pytest.fixture(scope="module")
def svm_prep(tmp_path_factory):
    """An ``svm prep`` output folder of 8 simulated visits (half misaligned) and the labels."""
    from spacekit.datasets import simulate_svm
    from spacekit.skopes.hst.svm.prep import run_preprocessing

    root = tmp_path_factory.mktemp("explorer_svm")
    sim = simulate_svm(
        root / "sim", n_visits=8, seed=11, misaligned_fraction=0.5, progress=False, image_size=64
    )
    run_preprocessing(
        str(root / "sim"), output_path=str(root / "prep"), labels=str(sim.labels_path)
    )
    return root / "prep", sim.labels


def _svm_predict(prep, model_path, out, norm=0, size=128):
    from spacekit.skopes.hst.svm.predict import predict_alignment

    return predict_alignment(
        prep / "svm_data.csv", prep / "img", model_path, out, size=size, norm=norm
    )


def _labels_by_visit(labels):
    """The simulator's truth (a frame indexed by product name) as {visit: label}."""
    return {str(k): int(v) for k, v in labels["label"].items()}


def test_packaged_default_archive_as_svm_predict_sees_it(svm_prep, tmp_path):
    prep, labels = svm_prep
    ctx = build_context("packaged/svm_align", prep, cache=tmp_path / "cache")
    preds = _svm_predict(prep, None, tmp_path / "out", norm=ctx.norm)
    assert ctx.info.feature_width == 10 and ctx.info.n_classes == 2
    assert sorted(ctx.data.names) == sorted(preds.index)
    want = preds.loc[list(ctx.data.names), "y_proba"].to_numpy()
    np.testing.assert_allclose(ctx.probabilities[:, 1], want, atol=1e-5)
    truth = _labels_by_visit(labels)
    assert ctx.data.labels.tolist() == [truth[n] for n in ctx.data.names]
    for space in ("input", ctx.layer):
        assert ctx.projection(space, "pca").shape == (len(ctx), 2)


def test_published_114_archive_as_svm_predict_sees_it(svm_prep, reference_dir, tmp_path):
    prep, labels = svm_prep
    archive = reference_dir / "svm_align.zip"
    ctx = build_context(archive, prep, cache=tmp_path / "cache")
    preds = _svm_predict(prep, archive, tmp_path / "out")
    assert ctx.info.feature_width == 10 and ctx.norm == 0
    assert ctx.data.image_shape == (3, 128, 128, 3)
    assert sorted(ctx.data.names) == sorted(preds.index)
    want = preds.loc[list(ctx.data.names), "y_proba"].to_numpy()
    np.testing.assert_allclose(ctx.probabilities[:, 1], want, atol=1e-5)
    truth = _labels_by_visit(labels)
    assert ctx.data.labels.tolist() == [truth[n] for n in ctx.data.names]
    assert ctx.layer == "combined_input"
    assert ctx.projection(ctx.layer, "pca").shape == (len(ctx), 2)
    assert ctx.features("5_dense18").shape == (len(ctx), 18)  # the MLP branch


def test_trained_archive_with_its_norm(svm_prep, tmp_path):
    """Our archive format records norm=1 and tx_data: the explorer follows it."""
    import pandas as pd

    from spacekit.builder.ensemble import SVM_FEATURES
    from spacekit.builder.ensemble_builder import BuilderEnsemble
    from spacekit.builder.ensemble_model import save_ensemble_archive
    from spacekit.extractor.images import load_svm_images
    from spacekit.skopes.hst.svm._inputs import NORM_COLS, normalize_features

    prep, _ = svm_prep
    df = pd.read_csv(prep / "svm_data.csv", index_col="index")
    images, kept, _ = load_svm_images(prep / "img", df.index, size=32)
    # statistics by hand (8 visits are too few to fit them: some columns are constant)
    tx = {"lambdas": [1.0] * 7, "mu": [1.0] * 7, "sigma": [3.0] * 7, "columns": list(NORM_COLS)}
    X = normalize_features(df.loc[kept, list(SVM_FEATURES)], tx).to_numpy("float32")
    ens = BuilderEnsemble(
        [X, images / 255.0], df.loc[kept, "label"].to_numpy(),
        params={"epochs": 1, "batch_size": 4}, blueprint="svm_ensemble_lite", seed=0,
    )  # fmt: skip
    ens.batch_fit()
    archive = save_ensemble_archive(
        tmp_path / "svm_align.zip", ens.model, tx_data=tx, card="# tiny\n",
        training={"norm": 1, "image_size": 32, "trained_on": "simulated"},
    )  # fmt: skip
    ctx = build_context(archive, prep, cache=False)
    assert ctx.norm == 1 and ctx.data.image_shape == (3, 32, 32, 3)
    preds = _svm_predict(prep, archive, tmp_path / "out", norm=1, size=32)
    want = preds.loc[list(ctx.data.names), "y_proba"].to_numpy()
    np.testing.assert_allclose(ctx.probabilities[:, 1], want, atol=1e-5)


def test_archive_errors_name_the_problem(svm_prep, tmp_path):
    prep, _ = svm_prep
    with pytest.raises(InputError, match="does not exist"):
        build_context(tmp_path / "missing.zip", prep, cache=False)
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ArchiveError):
        build_context(bad, prep, cache=False)


def test_cli_svm_archive_with_data_that_does_not_fit(svm_prep, tmp_path):
    from click.testing import CliRunner

    from spacekit.cli import main

    prep, _ = svm_prep
    res = CliRunner().invoke(
        main, ["explore", "packaged/svm_align", "--data", "digits", "--cache-dir", str(tmp_path)]
    )
    assert res.exit_code == 2
    assert "predicts 2 classes but the data has 10" in res.output
    classes = tmp_path / "classes"
    for k in ("0", "1"):
        visit = next(p for p in (prep / "img").iterdir() if p.is_dir())
        (classes / k).mkdir(parents=True)
        (classes / k / visit.name).symlink_to(visit, target_is_directory=True)
    res = CliRunner().invoke(
        main,
        ["explore", "packaged/svm_align", "--data", str(classes), "--cache-dir", str(tmp_path)],
    )
    assert res.exit_code == 2
    assert "10 features per sample" in res.output and "svm prep" in res.output


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:HTTPResponse.getheader:DeprecationWarning")
def test_header_shows_the_whole_archive_label(svm_prep, tmp_path):
    """A registry name with its version, hash and training data is not cut in the header."""
    import hashlib

    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from spacekit.builder.registry import get_entry
    from spacekit.dashboard.explorer import launch
    from support import keep_screenshot, new_chromium, require_browser, severe_console_errors

    require_browser()
    prep, _ = svm_prep
    digest = hashlib.sha256(get_entry("packaged/svm_align").packaged_path.read_bytes())
    parts = ["packaged/svm_align (version ", f"sha256 {digest.hexdigest()[:12]}"]
    parts += ["trained on simulated data)", f"on SVM visits {prep} (svm_data.csv) (8 images)"]
    srv = launch("packaged/svm_align", prep, cache=tmp_path / "cache")
    driver = new_chromium(tmp_path / "chromium", window="900,700")  # narrow: the label wraps
    try:
        driver.get(srv.url)
        sub = WebDriverWait(driver, 120).until(
            lambda d: d.find_element(By.CSS_SELECTOR, ".sk-header .sk-sub")
        )
        text = sub.text
        for part in parts:
            assert part in text, text
        assert sub.get_attribute("title") == text
        box = driver.execute_script(
            "const e = arguments[0], r = e.getBoundingClientRect();"
            "return {right: r.right, lines: e.getClientRects().length,"
            " clipped: e.scrollWidth > e.clientWidth + 1, vw: window.innerWidth};",
            sub,
        )
        assert box["right"] <= box["vw"] and not box["clipped"], box
        assert box["lines"] >= 2, box  # wrapped onto more lines, not cut
        WebDriverWait(driver, 120).until(
            lambda d: len(d.find_element(By.CSS_SELECTOR, ".sk-main").text) > 100
        )
        keep_screenshot(driver, tmp_path, "explorer_long_label")
        assert severe_console_errors(driver) == []
    finally:
        driver.quit()
        srv.stop()
