import numpy as np
import pandas as pd
import pytest

from spacekit.exceptions import DataError, InputError
from spacekit.visualization import PredictionVisualizer
from spacekit.visualization.predictions import to_numpy


def _multiclass(n=90, k=3, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    logits = rng.normal(0, 1, (n, k))
    logits[np.arange(n), y] += 1.5
    proba = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    images = rng.random((n, 8, 8, 1))
    return y, proba, images


def test_multiclass_batches_full_tree(tmp_path):
    y, proba, images = _multiclass()
    viz = PredictionVisualizer(class_names=["a", "b", "c"], save_dir=tmp_path)
    for s in range(0, 90, 30):
        viz.update(y[s : s + 30], proba[s : s + 30], inputs=images[s : s + 30])
    cm = viz.confusion_matrix()
    assert cm.shape == (3, 3) and cm.sum() == 90
    assert np.allclose(viz.confusion_matrix(normalize=True).sum(1), 1)
    roc = viz.roc_curves()
    assert set(roc) == {"a", "b", "c"} and all(0.5 < v[2] <= 1 for v in roc.values())
    from sklearn.metrics import roc_auc_score

    assert roc["b"][2] == pytest.approx(roc_auc_score(y == 1, proba[:, 1]))
    folder = viz.save_all(top_k=6)
    names = {p.name for p in folder.iterdir()}
    assert names >= {
        "confusion_matrix.png",
        "confusion_matrix_normalized.png",
        "roc_curve.png",
        "pr_curve.png",
        "misclassified.png",
        "misclassified.csv",
    }
    df, fig = viz.analyze_misclassifications(top_k=6, save=False)
    assert len(df) == int((proba.argmax(1) != y).sum())
    assert df["confidence"].is_monotonic_decreasing
    assert (df["true"] != df["predicted"]).all()
    assert sum(1 for ax in fig.axes if ax.images) == 6  # drawn as images


def test_binary_with_positive_probabilities():
    # fishstick crashed on binary ROC/PR: label_binarize gives one column
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 60)
    p1 = np.clip(y * 0.6 + rng.random(60) * 0.5, 0, 1)
    viz = PredictionVisualizer(class_names=["aligned", "misaligned"])
    viz.update(y, p1)
    roc, pr = viz.roc_curves(), viz.pr_curves()
    assert list(roc) == ["misaligned"] and list(pr) == ["misaligned"]
    from sklearn.metrics import average_precision_score, roc_auc_score

    assert roc["misaligned"][2] == pytest.approx(roc_auc_score(y, p1))
    assert pr["misaligned"][2] == pytest.approx(average_precision_score(y, p1))
    fig = viz.plot_roc_curve(interactive=True)
    assert fig.data[0].name.startswith("misaligned (AUC=")
    viz.update(y[:5], p1[:5, None])  # (n, 1) column of probabilities works too
    assert viz.y_proba.shape == (65, 2)


def test_absent_class_keeps_full_matrix(tmp_path):
    viz = PredictionVisualizer(num_classes=4)
    viz.update([0, 1, 1, 0], [0, 1, 0, 0])
    cm = viz.confusion_matrix()
    assert cm.shape == (4, 4)
    norm = viz.confusion_matrix(normalize=True)
    assert np.isfinite(norm).all() and norm[3].sum() == 0
    fig = viz.plot_confusion_matrix(save_path=tmp_path / "cm.html", interactive=True)
    assert list(fig.data[0].x) == ["0", "1", "2", "3"]
    with pytest.raises(DataError, match="probabilities"):
        viz.roc_curves()


def test_labels_only_and_tabular_gallery():
    viz = PredictionVisualizer()
    x = np.arange(12, dtype=float).reshape(4, 3)
    viz.update(np.array([[1, 0], [0, 1], [1, 0], [0, 1]]), np.array([0, 0, 1, 1]), inputs=x)
    df, fig = viz.analyze_misclassifications()
    assert isinstance(df, pd.DataFrame) and list(df.index) == [1, 2]
    assert df["confidence"].isna().all()
    assert "x[0]=3" in fig.axes[0].texts[0].get_text()


def test_grayscale_2d_and_channels_first_images():
    viz = PredictionVisualizer(num_classes=2)
    imgs = np.random.default_rng(0).random((2, 3, 10, 10))  # CHW
    viz.update([0, 1], [[0.2, 0.8], [0.9, 0.1]], inputs=imgs)
    viz.update([0], [[0.1, 0.9]], inputs=np.ones((1, 10, 10)))  # 2-D grayscale
    df, fig = viz.analyze_misclassifications()
    assert len(df) == 3 and sum(1 for ax in fig.axes if ax.images) == 3


def test_input_errors():
    viz = PredictionVisualizer(class_names=["a", "b"])
    with pytest.raises(DataError, match="No predictions"):
        viz.confusion_matrix()
    with pytest.raises(InputError, match="samples"):
        viz.update([0, 1, 1], [0, 1])
    with pytest.raises(InputError, match="class_names has 2"):
        PredictionVisualizer(class_names=["a", "b"], num_classes=3)
    viz.update([0, 2], [0, 1])
    with pytest.raises(DataError, match="classes"):
        viz.confusion_matrix()
    with pytest.raises(InputError, match="save_dir"):
        viz.save_all()


def test_to_numpy_accepts_tensor_like():
    class FakeTensor:
        def numpy(self):
            return np.array([1, 2])

    assert to_numpy(FakeTensor()).tolist() == [1, 2]


@pytest.mark.parametrize(
    ("kwargs", "proba"),
    [
        # three probability columns for two classes: ROC used to fail with IndexError
        ({"num_classes": 2}, [[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.2, 0.5, 0.3], [0.5, 0.3, 0.2]]),
        # two columns for three classes: used to be drawn silently as a binary problem
        ({"class_names": ["a", "b", "c"]}, [[0.7, 0.3], [0.1, 0.9], [0.2, 0.8], [0.6, 0.4]]),
    ],
)
def test_probability_columns_must_match_classes(kwargs, proba):
    viz = PredictionVisualizer(**kwargs)
    viz.update([0, 1, 1, 0], np.array(proba))
    for method in (viz.roc_curves, viz.pr_curves, viz.confusion_matrix):
        with pytest.raises(DataError, match="columns but there are"):
            method()


def test_text_inputs_in_the_gallery():
    # non-numeric inputs used to crash the gallery with "Unknown format code 'g'"
    viz = PredictionVisualizer(class_names=["star", "galaxy"])
    viz.update([0, 1, 1, 0], [1, 1, 0, 0], inputs=np.array(["a star", "a galaxy", "nebula", "x"]))
    table, fig = viz.analyze_misclassifications()
    assert table.index.tolist() == [0, 2]
    cards = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert cards == ["a star", "nebula"]


# Targets and predictions of 9 samples, 3 classes; the matrix is not symmetric, so a
# transposed confusion matrix (truth and prediction swapped) cannot pass.
TARGETS = [0, 0, 0, 1, 1, 2, 2, 2, 2]
PREDICTIONS = [0, 1, 1, 1, 2, 2, 2, 0, 2]
HAND_CM = np.array([[1, 2, 0], [0, 1, 1], [1, 0, 3]])  # rows: true class, columns: predicted


def _rows(labels, top=0.8):
    p = np.full((len(labels), 3), (1 - top) / 2)
    p[np.arange(len(labels)), labels] = top
    return p


@pytest.mark.parametrize(
    "feed",
    [
        pytest.param(lambda v: v.update(PREDICTIONS, TARGETS), id="toolkit-positional"),
        pytest.param(lambda v: v.update(predictions=PREDICTIONS, targets=TARGETS), id="toolkit-kw"),
        pytest.param(lambda v: v.update(y_true=TARGETS, y_pred=PREDICTIONS), id="spacekit-kw"),
        pytest.param(lambda v: v.update(PREDICTIONS, np.eye(3)[TARGETS]), id="one-hot-targets"),
        pytest.param(lambda v: v.update(_rows(PREDICTIONS), TARGETS), id="probability-rows"),
        pytest.param(
            lambda v: v.update(PREDICTIONS, TARGETS, _rows(PREDICTIONS, 0.6)), id="with-probas"
        ),
        # spacekit's older positional order: probabilities second can only be predictions
        pytest.param(lambda v: v.update(TARGETS, _rows(PREDICTIONS)), id="older-order"),
    ],
)
def test_confusion_matrix_matches_hand_count(feed):
    assert not np.array_equal(HAND_CM, HAND_CM.T)
    viz = PredictionVisualizer(class_names=["a", "b", "c"])
    feed(viz)
    np.testing.assert_array_equal(viz.confusion_matrix(), HAND_CM)
    np.testing.assert_allclose(
        viz.confusion_matrix(normalize=True), HAND_CM / HAND_CM.sum(axis=1, keepdims=True)
    )
    # the figure puts true classes on rows too: cell text at (x=pred, y=true)
    fig = viz.plot_confusion_matrix()
    cells = {
        (round(t.get_position()[1]), round(t.get_position()[0])): t.get_text()
        for t in fig.axes[0].texts
    }
    assert cells == {(i, j): str(HAND_CM[i, j]) for i in range(3) for j in range(3)}
    assert fig.axes[0].get_ylabel() == "true" and fig.axes[0].get_xlabel() == "predicted"
    pfig = viz.plot_confusion_matrix(interactive=True)
    np.testing.assert_array_equal(np.array(pfig.data[0].z), HAND_CM)


def test_roc_auc_matches_hand_computed_values():
    # positives score 0.35, 0.8, 0.9; negatives 0.1, 0.4, 0.2: 8 of the 9
    # (positive, negative) pairs are ranked correctly, so AUC = 8/9
    targets = [0, 0, 1, 1, 0, 1]
    p1 = np.array([0.1, 0.4, 0.35, 0.8, 0.2, 0.9])
    viz = PredictionVisualizer(class_names=["aligned", "misaligned"])
    viz.update((p1 >= 0.5).astype(int), targets, p1)
    assert viz.roc_curves()["misaligned"][2] == pytest.approx(8 / 9)
    fig = viz.plot_roc_curve()
    assert fig.axes[0].lines[0].get_label() == "misaligned (AUC=0.889)"
    # one-vs-rest, class 2: positives score 0.6 and 0.2, negatives 0.1, 0.3, 0.5, 0.2;
    # 0.6 beats all 4, 0.2 beats 0.1, ties 0.2 (half) and loses to 0.3, 0.5: 5.5 / 8
    proba = np.array(
        [[0.7, 0.2, 0.1], [0.2, 0.5, 0.3], [0.1, 0.3, 0.6],
         [0.4, 0.4, 0.2], [0.2, 0.3, 0.5], [0.5, 0.3, 0.2]]
    )  # fmt: skip
    multi = PredictionVisualizer(num_classes=3)
    multi.update(proba.argmax(1), [0, 1, 2, 2, 1, 0], proba)
    roc = multi.roc_curves()
    assert roc["2"][2] == pytest.approx(5.5 / 8)
    # class 0: positives 0.7, 0.5; negatives 0.2, 0.1, 0.4, 0.2: all 8 pairs right
    assert roc["0"][2] == pytest.approx(1.0)
