"""The explorer's context and page callbacks, called as plain functions.

The context is 150 of the digits with the default CNN trained for 2 epochs (session
fixture ``explorer_ctx`` in conftest.py).
"""

import numpy as np
import pytest

from spacekit.dashboard.explorer.context import INPUT_SPACE, build_context
from spacekit.dashboard.explorer.pages import confusion, hard, losses, preview, projections, similar
from spacekit.exceptions import InputError


def test_context_predictions_and_default_model_cache(explorer_ctx, explorer_cache):
    ctx = explorer_ctx
    assert len(ctx) == 150 and ctx.classes == tuple(str(i) for i in range(10))
    assert ctx.model_name == "default CNN" and ctx.layer == "hidden"
    assert ctx.layers == ["conv1", "pool1", "conv2", "flatten", "hidden", "dropout", "classes"]
    np.testing.assert_allclose(ctx.probabilities.sum(axis=1), 1, rtol=1e-5)
    i = int(np.argmax(ctx.loss))
    assert ctx.loss[i] == pytest.approx(
        -np.log(max(ctx.probabilities[i, ctx.data.labels[i]], 1e-7))
    )
    assert set(ctx.data.split) == {"train", "test"} and (ctx.data.split == "test").sum() == 30
    models = list((explorer_cache / "models").glob("*.keras"))
    assert len(models) == 1 and models[0].with_suffix(".json").is_file()
    assert ctx.features().shape == (150, 64)


def test_projections_are_cached_on_disk_and_reused(explorer_ctx, explorer_cache, tmp_path):
    model, data = explorer_ctx.model, explorer_ctx.data
    first = build_context(model, data, cache=tmp_path)
    assert not first.is_cached(INPUT_SPACE, "pca")
    xy = first.projection(INPUT_SPACE, "pca")
    assert xy.shape == (150, 2)
    first.projection("hidden", "pca")
    assert len(list((tmp_path / "projections").glob("*.npz"))) == 2
    # A new context on the same model and data loads them instead of computing them.
    again = build_context(model, data, cache=tmp_path)
    assert again.is_cached(INPUT_SPACE, "pca") and again.is_cached("hidden", "pca")
    np.testing.assert_array_equal(again.projection(INPUT_SPACE, "pca"), xy)
    assert not any(k.startswith("projection:") for k in again.timings)
    other = build_context(model, data.take(np.arange(100)), cache=tmp_path)
    assert not other.is_cached(INPUT_SPACE, "pca")  # keyed by the data
    with pytest.raises(InputError, match="Unknown layer 'nope'; layers of the model"):
        again.projection("nope", "pca")
    # The default model is loaded from the cache, not trained again.
    build_context(None, "digits", max_samples=150, epochs=2, cache=explorer_cache)
    assert len(list((explorer_cache / "models").glob("*.keras"))) == 1


def test_build_context_rejects_mismatched_data(explorer_ctx, tmp_path):
    bad = tmp_path / "big.npz"
    np.savez(bad, images=np.zeros((6, 9, 9)), labels=np.arange(6) % 10)
    with pytest.raises(InputError, match=r"shape \(9, 9, 1\) but the model expects \(8, 8, 1\)"):
        build_context(explorer_ctx.model, bad, cache=False)
    three = tmp_path / "three.npz"
    np.savez(three, images=np.zeros((6, 8, 8)), labels=np.arange(6) % 3, classes=["a", "b", "c"])
    with pytest.raises(InputError, match="predicts 10 classes but the data has 3"):
        build_context(explorer_ctx.model, three, cache=False)
    with pytest.raises(InputError, match="no layer named 'dense'"):
        build_context(explorer_ctx.model, "digits", "dense", max_samples=20, cache=False)


def test_preview_facts(explorer_ctx):
    facts = dict(preview.summary_rows(explorer_ctx))
    assert facts["model"] == "default CNN" and facts["input"].startswith("(8, 8, 1)")
    assert "30 images" in facts["test accuracy"]
    rows = preview.class_rows(explorer_ctx)
    assert [r[0] for r in rows] == list(explorer_ctx.classes)
    assert sum(int(r[1]) for r in rows) == 150
    picks = preview.sample_indices(explorer_ctx)
    assert len(picks) == 40
    assert [explorer_ctx.data.labels[i] for i in picks[:4]] == [0, 0, 0, 0]
    preview.layout(explorer_ctx)


def test_projection_page_figures_and_linked_selection(explorer_ctx):
    ctx = explorer_ctx
    fig_in, fig_hid, sel, summary, _ = projections.update(
        ctx, None, "pca", "hidden", "label", None, None, None
    )
    assert sel is None
    for fig in (fig_in, fig_hid):
        assert [t.name for t in fig.data] == list(ctx.classes)
        assert {t.type for t in fig.data} == {"scattergl"}
        assert sum(len(t.x) for t in fig.data) == 150
    first = fig_in.data[3]  # class "3": customdata = [index, label, prediction, loss, conf]
    i = first.customdata[0][0]
    assert ctx.data.labels[i] == 3 and first.customdata[0][1] == "3"
    assert first.customdata[0][3] == pytest.approx(ctx.loss[i], abs=1e-5)
    # select 2 points (one tampered value) in the input plot: both plots get them
    chosen = [
        int(np.flatnonzero(ctx.data.labels == 3)[1]),
        int(np.flatnonzero(ctx.data.labels == 7)[0]),
    ]
    selected_data = {"points": [{"customdata": [chosen[0]]}, {"customdata": [chosen[1]]},
                                {"customdata": [9999]}]}  # fmt: skip
    p_in, p_hid, sel, summary, _ = projections.update(
        ctx, "x-proj-input", "pca", "hidden", "label", selected_data, None, None
    )
    assert sel == chosen
    for patch in (p_in, p_hid):
        ops = patch.to_plotly_json()["operations"]
        by_trace = {op["location"][1]: op["params"]["value"] for op in ops}
        assert by_trace[3] == [1] and by_trace[7] == [0] and by_trace[0] == []
    assert "2 selected" in str(summary.to_plotly_json())
    # a new method keeps the session's selection highlighted
    fig_in, *_ = projections.update(
        ctx, "x-proj-method", "pca", "hidden", "prediction", None, None, chosen
    )
    assert fig_in.data[int(ctx.predicted[chosen[0]])].selectedpoints is not None


def test_hard_examples_are_sorted_by_loss(explorer_ctx):
    ctx = explorer_ctx
    top = hard.hardest(ctx, "all", 10)
    assert [ctx.loss[i] for i in top] == sorted(ctx.loss, reverse=True)[:10]
    wrong = hard.hardest(ctx, "wrong", 200)
    assert len(wrong) == int(np.sum(ctx.predicted != ctx.data.labels))
    only3 = hard.hardest(ctx, "right", 5, klass=3)
    assert all(ctx.data.labels[i] == 3 == ctx.predicted[i] for i in only3)
    with pytest.raises(InputError, match="one of"):
        hard.hardest(ctx, "worst")
    from spacekit.dashboard.explorer.views import loss_figure

    fig = loss_figure(ctx, "hidden", "pca")
    losses_drawn = [c[3] for c in fig.data[0].customdata]
    assert losses_drawn == sorted(losses_drawn)  # hardest drawn last, on top


def test_loss_table_rows_and_image_pool(explorer_ctx):
    rows = losses.table_rows(explorer_ctx)
    assert len(rows) == 150 and rows[7]["id"] == rows[7]["index"] == 7
    assert rows[7]["correct"] in ("yes", "no") and rows[7]["split"] in ("train", "test")
    assert [c["id"] for c in losses.table_columns(explorer_ctx)][-1] == "split"
    pool, prev = losses.update_pool([], [], [4, 2], 150)
    assert pool == [4, 2] and prev == [4, 2]
    pool, prev = losses.update_pool(pool, prev, [4, 2, 9, "x", 1000], 150)
    assert pool == [4, 2, 9] and prev == [4, 2, 9]
    pool, prev = losses.update_pool(pool, prev, [9], 150)  # unticking removes nothing
    assert pool == [4, 2, 9]
    pool, prev = losses.update_pool(pool, prev, [9, 4], 150)  # re-ticked: moves to the end
    assert pool == [2, 9, 4]
    pool, _ = losses.update_pool(pool, [], list(range(20, 40)), 150)
    assert pool == list(range(25, 40))  # the latest 15


def test_confusion_drill_down(explorer_ctx):
    ctx = explorer_ctx
    m = confusion.confusion(ctx)
    assert m.sum() == 150 and np.trace(m) == np.sum(ctx.predicted == ctx.data.labels)
    np.testing.assert_allclose(confusion.confusion(ctx, normalized=True).sum(axis=1), 1)
    click = {"points": [{"x": "5", "y": "3", "z": 1}]}
    assert confusion.clicked_cell(ctx, click) == (3, 5)
    assert confusion.clicked_cell(ctx, {"points": [{"x": "<script>", "y": "3"}]}) is None
    assert confusion.clicked_cell(ctx, None) is None
    idx = confusion.cell_indices(ctx, 3, 3)
    assert len(idx) == m[3, 3] and list(ctx.loss[idx]) == sorted(ctx.loss[idx], reverse=True)
    fig = confusion.figure(ctx, False)
    assert fig.data[0].type == "heatmap"


def test_similar_images(explorer_ctx):
    ctx = explorer_ctx
    idx, dist = similar.neighbours(ctx, 5, 4)
    feats = ctx.features("hidden")
    brute = np.linalg.norm(feats - feats[5], axis=1)
    brute[5] = np.inf
    assert idx.tolist() == np.argsort(brute, kind="stable")[:4].tolist()
    out = similar.result(ctx, "5", 4, "cosine", "conv2")
    graph = out.children[1]
    assert graph.id == "x-sim-lines"
    assert len(graph.figure.data) == 5 * 2 + 4  # images, lines, dotted query copies
    with pytest.raises(InputError, match="from 0 to 149"):
        similar.result(ctx, 150, 4, "euclidean", None)
    with pytest.raises(InputError, match="Unknown layer"):
        similar.result(ctx, 1, 4, "euclidean", "zzz")
    layout = similar.layout(ctx, index="12")
    assert "value=12," in str(layout)
