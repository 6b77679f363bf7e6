"""The explorer on models with a feature input beside the images (the SVM ensemble's shape)."""

import json

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from spacekit.dashboard.explorer import model as M
from spacekit.dashboard.explorer.context import build_context
from spacekit.exceptions import InputError, SkippedInputWarning
from spacekit.preprocessor.scrub_svm import FEATURE_COLUMNS

SIZE = 8


@pytest.fixture(scope="module")
def keras():
    from spacekit._optional import require

    return require("keras")


def _frame(path, value):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (SIZE, SIZE), (value, value // 2, 255 - value)).save(path)


@pytest.fixture(scope="module")
def prep_folder(tmp_path_factory):
    """An 'svm prep'-shaped folder: img/<visit>/ with 3 frames, svm_data.csv with features."""
    root = tmp_path_factory.mktemp("svm_prep")
    rows = []
    for i in range(8):
        name = f"hst_{i}_wfc3_uvis_f200lp_ib{i}"
        for k, sfx in enumerate(("", "_source", "_gaia")):
            _frame(root / "img" / name / f"{name}{sfx}.png", 20 * i + 40 * k)
        rows.append({c: float(i + j) for j, c in enumerate(FEATURE_COLUMNS)} | {"label": i % 2})
        rows[-1]["index"] = name
    rows.append(dict(rows[0], index="hst_bad", rms_ra="nan"))  # a NaN statistic
    _frame(root / "img" / "hst_bad" / "hst_bad.png", 9)
    pd.DataFrame(rows).to_csv(root / "svm_data.csv", index=False)
    return root


def _ensemble(keras, image_first=False):
    L = keras.layers
    X = keras.Input(shape=(len(FEATURE_COLUMNS),), name="svm_mixed_inputs")
    I_ = keras.Input(shape=(3, SIZE, SIZE, 3), name="svm_image_inputs")
    a = L.Dense(4, activation="relu", name="mlp")(X)
    b = L.Dense(4, activation="relu", name="cnn")(L.Flatten(name="flat")(I_))
    h = L.Dense(3, activation="relu", name="hidden")(L.Concatenate(name="join")([a, b]))
    y = L.Dense(1, activation="sigmoid", name="out")(h)
    inputs = [I_, X] if image_first else [X, I_]
    return keras.Model(inputs, y, name="tiny_ensemble")


def _expected_inputs(folder, pixels_scale=1.0):
    df = pd.read_csv(folder / "svm_data.csv").iloc[:8]
    X = df[list(FEATURE_COLUMNS)].to_numpy(np.float32)
    imgs = np.stack(
        [
            np.stack(
                [
                    np.asarray(Image.open(folder / "img" / n / f"{n}{sfx}.png"), np.float32)
                    for sfx in ("", "_source", "_gaia")
                ]
            )
            for n in df["index"]
        ]
    )
    return X, imgs * pixels_scale, df["label"].to_numpy()


def test_check_classifier_accepts_image_plus_features_only(keras):
    info = M.check_classifier(_ensemble(keras))
    assert info.input_shape == (3, SIZE, SIZE, 3)
    assert (info.feature_width, info.input_order, info.output) == (
        10,
        ("features", "image"),
        "sigmoid",
    )
    assert M.check_classifier(_ensemble(keras, image_first=True)).input_order == (
        "image",
        "features",
    )
    a, b = keras.Input(shape=(4,)), keras.Input(shape=(4,))
    two_vectors = keras.Model(
        [a, b], keras.layers.Dense(2, activation="softmax")(keras.layers.Concatenate()([a, b]))
    )
    with pytest.raises(InputError, match=r"one image\s+input"):
        M.check_classifier(two_vectors)


@pytest.mark.parametrize("image_first", [False, True])
def test_raw_inputs_by_default_and_the_model_order(keras, prep_folder, tmp_path, image_first):
    model = _ensemble(keras, image_first)
    path = tmp_path / "ens.keras"
    model.save(path)
    with pytest.warns(SkippedInputWarning, match="hst_bad"):
        ctx = build_context(path, prep_folder, cache=tmp_path / "cache")
    X, imgs, labels = _expected_inputs(prep_folder)
    want = model.predict([imgs, X] if image_first else [X, imgs], verbose=0).reshape(-1)
    assert len(ctx) == 8 and ctx.norm == 0
    assert ctx.data.names[0] == "hst_0_wfc3_uvis_f200lp_ib0"
    np.testing.assert_array_equal(ctx.data.labels, labels)
    np.testing.assert_allclose(ctx.probabilities[:, 1], want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ctx.probabilities[:, 0], 1 - want, rtol=1e-5, atol=1e-6)
    assert ctx.layer == "hidden" and ctx.features("hidden").shape == (8, 3)
    assert ctx.projection("input", "pca").shape == (8, 2)
    assert ctx.projection("mlp", "pca").shape == (8, 2)


def test_norm_1_uses_the_statistics_beside_the_model(keras, prep_folder, tmp_path):
    model = _ensemble(keras)
    path = tmp_path / "ens.keras"
    model.save(path)
    mu, sigma = np.arange(7.0), np.full(7, 2.0)
    # lambda 1: Yeo-Johnson is the identity on x >= 0, so the features become (x - mu) / sigma
    tx = {"lambdas": [1.0] * 7, "mu": mu.tolist(), "sigma": sigma.tolist()}
    (tmp_path / "tx_data.json").write_text(json.dumps(tx))
    with pytest.warns(SkippedInputWarning):
        ctx = build_context(path, prep_folder, cache=False, norm=1)
    X, imgs, _ = _expected_inputs(prep_folder, 1 / 255)
    X[:, :7] = (X[:, :7] - mu) / sigma
    want = model.predict([X, imgs], verbose=0).reshape(-1)
    np.testing.assert_allclose(ctx.probabilities[:, 1], want, rtol=1e-4, atol=1e-5)
    (tmp_path / "tx_data.json").unlink()
    with pytest.warns(SkippedInputWarning), pytest.raises(InputError, match="tx_data.json"):
        build_context(path, prep_folder, cache=False, norm=1)


def test_data_without_features_says_what_to_pass(keras, prep_folder, tmp_path):
    path = tmp_path / "ens.keras"
    _ensemble(keras).save(path)
    classes = tmp_path / "classes"
    for k, name in enumerate(("v_ok", "v_bad")):
        for sfx in ("", "_source", "_gaia"):
            _frame(classes / str(k) / name / f"{name}{sfx}.png", 30 + 50 * k)
    with pytest.raises(InputError, match=r"10 features per sample.*svm prep"):
        build_context(path, classes, cache=False)


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:HTTPResponse.getheader:DeprecationWarning")
def test_ensemble_pages_in_a_browser(keras, prep_folder, tmp_path):
    from selenium.webdriver.common.by import By
    from test_explorer_browser import cards, graph_traces, mouse, point_xy, wait_for

    from spacekit.dashboard.explorer import launch
    from support import keep_screenshot, new_chromium, require_browser, severe_console_errors

    require_browser()
    path = tmp_path / "ens.keras"
    _ensemble(keras).save(path)
    with pytest.warns(SkippedInputWarning, match="hst_bad"):
        srv = launch(path, prep_folder, cache=tmp_path / "cache")
    driver = new_chromium(tmp_path / "chromium", window="1400,1400")
    try:
        driver.get(srv.url)
        summary = wait_for(lambda: driver.find_element(By.ID, "x-summary").text, what="summary")
        assert "10 features (numexp, rms_ra" in summary and "norm=0" in summary
        assert "8 images of shape (3, 8, 8, 3)" in summary
        wait_for(lambda: graph_traces(driver, "x-model-graph"), what="model graph")
        keep_screenshot(driver, tmp_path, "explorer_svm_model")
        driver.get(srv.url + "hard")
        wait_for(lambda: graph_traces(driver, "x-hard-graph"), what="loss scatter")
        assert len(wait_for(lambda: cards(driver, "x-hard-gallery"), what="gallery")) == 8
        x, y = point_xy(driver, "x-hard-graph", 0, 7)  # drawn last: the hardest
        mouse(driver, ("move", x - 20, y), ("move", x, y), ("click", x, y))
        detail = wait_for(lambda: driver.find_element(By.ID, "x-detail-sample"), what="click")
        assert "hst_" in detail.text and "misaligned" in detail.text and "rms_ra" in detail.text
        keep_screenshot(driver, tmp_path, "explorer_svm_hard")
        assert severe_console_errors(driver) == []
    finally:
        driver.quit()
        srv.stop()
