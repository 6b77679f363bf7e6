"""AttentionVisualizer on a small real transformer and on hand-made attention arrays.

Token sequences come from sklearn's bundled 8x8 digits: pixel intensities 0..16 are the
token ids of a 16-token sequence (two image rows), so there is no network access.
"""

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from spacekit.exceptions import InputError  # noqa: E402
from spacekit.visualization.attention import (  # noqa: E402
    AttentionVisualizer,
    attention_rollout,
    tokens_from_ids,
    validate_attention,
)

SEQ, VOCAB = 16, 17


@pytest.fixture(scope="module")
def tokens_data():
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    ids = x[:300, 24:40].astype("int32")  # rows 3 and 4 of each digit
    return ids, (y[:300] % 2).astype("int32")


def _block(x, name):
    mha = keras.layers.MultiHeadAttention(num_heads=2, key_dim=4, name=name)
    x = keras.layers.LayerNormalization(name=f"{name}_norm")(x + mha(x, x))
    return x, mha


@pytest.fixture(scope="module")
def transformer(tokens_data):
    ids, y = tokens_data
    keras.utils.set_random_seed(1)
    inp = keras.Input((SEQ,), dtype="int32", name="ids")
    tok = keras.layers.Embedding(VOCAB, 8, name="embed")(inp)
    pos = keras.layers.Embedding(SEQ, 8, name="pos")(keras.ops.arange(SEQ)[None, :])
    x0 = keras.layers.Add(name="embed_sum")([tok, pos])
    x1, mha1 = _block(x0, "mha1")
    x2, mha2 = _block(x1, "mha2")
    out = keras.layers.Dense(2, activation="softmax")(keras.layers.GlobalAveragePooling1D()(x2))
    model = keras.Model(inp, out, name="tiny_transformer")
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(ids, y, epochs=1, batch_size=50, verbose=0)
    feats = keras.Model(inp, [x0, x1], name="block_inputs")
    return model, feats, (mha1, mha2)


def test_captured_scores_match_layers_own_output(transformer, tokens_data):
    model, feats, mhas = transformer
    ids, _ = tokens_data
    viz = AttentionVisualizer(model)
    att = viz.capture_attention(ids[:3])
    assert viz.layer_names_ == ["mha1", "mha2"]
    assert [a.shape for a in att] == [(3, 2, SEQ, SEQ)] * 2
    for a in att:  # softmax over keys
        np.testing.assert_allclose(a.sum(axis=-1), 1.0, atol=1e-5)
    inputs = feats(ids[:3])
    for layer_in, mha, a in zip(inputs, mhas, att, strict=True):
        _, own = mha(layer_in, layer_in, return_attention_scores=True)
        np.testing.assert_allclose(a, keras.ops.convert_to_numpy(own), rtol=1e-5, atol=1e-6)
    # the model is unchanged afterwards
    assert all("call" not in vars(m) for m in mhas)
    np.testing.assert_allclose(model(ids[:3]), model.predict(ids[:3], verbose=0), atol=1e-5)


def test_capture_inside_custom_layer_and_user_requested_scores():
    class Block(keras.layers.Layer):
        def __init__(self, **kw):
            super().__init__(**kw)
            self.att = keras.layers.MultiHeadAttention(num_heads=3, key_dim=2, name="inner")

        def call(self, x):
            out, scores = self.att(x, x, return_attention_scores=True)
            return out + 0.0 * keras.ops.sum(scores)

    inp = keras.Input((5, 4))
    model = keras.Model(inp, Block(name="block")(inp))
    x = np.random.default_rng(0).normal(size=(2, 5, 4)).astype("float32")
    viz = AttentionVisualizer(model)
    att = viz.capture_attention(x)
    assert viz.layer_names_ == ["inner"] and att[0].shape == (2, 3, 5, 5)


def test_no_attention_layers_is_an_error():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    with pytest.raises(InputError, match="no keras.layers.MultiHeadAttention"):
        AttentionVisualizer(model).capture_attention(np.zeros((1, 3)))
    with pytest.raises(InputError, match="No model"):
        AttentionVisualizer().capture_attention(np.zeros((1, 3)))


def test_rollout_hand_checked():
    # 2 tokens, one head. Layer 1 sends everything to token 0; layer 2 is uniform.
    a1 = np.array([[1.0, 0.0], [1.0, 0.0]])
    a2 = np.array([[0.5, 0.5], [0.5, 0.5]])
    att = np.stack([a1, a2])[:, None, None]  # (layers=2, batch=1, heads=1, 2, 2)
    r = attention_rollout(att)
    # with residual: A1' = [[1, 0], [.5, .5]], A2' = [[.75, .25], [.25, .75]]
    expected = np.array([[0.75, 0.25], [0.25, 0.75]]) @ np.array([[1.0, 0.0], [0.5, 0.5]])
    np.testing.assert_allclose(r[0], expected)
    np.testing.assert_allclose(r[0].sum(axis=-1), 1.0)
    # list input gives the same result; head fusion picks per-entry max/min
    two_heads = [np.stack([a1, a2])[None], np.stack([a2, a2])[None]]
    r_max = attention_rollout(two_heads, head_fusion="max")
    fused1 = np.maximum(a1, a2)
    m1 = 0.5 * fused1 + 0.5 * np.eye(2)
    m1 /= m1.sum(-1, keepdims=True)
    np.testing.assert_allclose(r_max[0], np.array([[0.75, 0.25], [0.25, 0.75]]) @ m1)
    # uniform attention over n tokens stays row-stochastic; discard keeps the diagonal
    n = 4
    u = np.full((3, 1, 2, n, n), 1 / n)
    r = attention_rollout(u, discard_ratio=0.5)
    np.testing.assert_allclose(r.sum(axis=-1), 1.0)
    assert np.all(np.diagonal(r[0]) > 0)


def test_rollout_errors():
    with pytest.raises(InputError, match="discard_ratio"):
        attention_rollout([np.ones((1, 1, 2, 2))], discard_ratio=1.0)
    with pytest.raises(InputError, match="head_fusion"):
        attention_rollout([np.ones((1, 1, 2, 2))], head_fusion="median")
    with pytest.raises(InputError, match="self-attention"):
        attention_rollout([np.ones((1, 1, 2, 3))])


@pytest.mark.parametrize(
    ("value", "match"),
    [
        (np.ones((2, 4, 4)), r"shape \(2, 4, 4\) \(3-D\); expected .*add a batch axis"),
        (np.ones((1, 2, 4, 4)), r"shape \(1, 2, 4, 4\) \(4-D\).*wrap it in a list"),
        ([np.ones((2, 4, 4))], r"layer 0 has shape \(2, 4, 4\).*expected 4-D"),
        ([np.ones((1, 1, 1, 4, 4))], "not inside a list"),
        ([], "empty list"),
        ([np.ones((1, 1, 2, 2)), np.ones((2, 1, 2, 2))], "batch size"),
        ([np.full((1, 1, 2, 2), np.nan)], "NaN"),
    ],
)
def test_layout_rejected_with_clear_error(value, match):
    with pytest.raises(InputError, match=match):
        AttentionVisualizer().set_attention(value)


def test_layout_accepted_stacked_and_per_layer():
    stacked = np.random.default_rng(0).dirichlet(np.ones(4), size=(3, 2, 2, 4))
    layers = validate_attention(stacked)
    assert len(layers) == 3 and layers[0].shape == (2, 2, 4, 4)
    viz = AttentionVisualizer().set_attention(tuple(stacked))
    np.testing.assert_allclose(viz.rollout(), attention_rollout(stacked))


def test_negative_head_is_saved_under_its_index(tmp_path):
    # head=-1 used to be written as attention_heatmap_layer0_head-1.png
    maps = np.random.default_rng(1).dirichlet(np.ones(4), size=(1, 3, 4))
    viz = AttentionVisualizer(save_dir=tmp_path).set_attention([maps])
    fig = viz.plot_attention_heatmap(layer=0, head=-1)
    assert viz.saved_files_[-1].name == "attention_heatmap_layer0_head2.png"
    np.testing.assert_allclose(fig.axes[0].images[0].get_array(), maps[0, 2])


class FakeTokenizer:
    vocab = ["[PAD]", "[CLS]", "[SEP]", "star", "galaxy"]

    def convert_ids_to_tokens(self, ids):
        return [self.vocab[i] for i in ids]


class DecodeOnly:
    def decode(self, ids):
        return " ".join(f"w{i}" for i in ids) + " "


def test_tokenizer_helpers():
    assert tokens_from_ids([1, 3, 4, 2], FakeTokenizer()) == ["[CLS]", "star", "galaxy", "[SEP]"]
    assert tokens_from_ids(np.array([[5, 6]]), DecodeOnly()) == ["w5", "w6"]
    with pytest.raises(InputError, match="no convert_ids_to_tokens"):
        tokens_from_ids([1], object())
    with pytest.raises(InputError, match="one sequence"):
        tokens_from_ids(np.zeros((2, 3), int), FakeTokenizer())
    viz = AttentionVisualizer().set_tokens_from_ids([1, 3, 2], FakeTokenizer())
    assert viz.tokens == ["[CLS]", "star", "[SEP]"]
    with pytest.raises(InputError, match="3 tokens but the attention maps are 4"):
        viz.set_attention([np.full((1, 1, 4, 4), 0.25)])


def test_from_token_ids_with_model(transformer, tokens_data, tmp_path):
    model, _, _ = transformer
    ids, _ = tokens_data

    class PixelTokenizer:
        def convert_ids_to_tokens(self, ids):
            return [f"p{i}" for i in ids]

    viz = AttentionVisualizer.from_token_ids(
        ids[:2], PixelTokenizer(), model=model, save_dir=tmp_path
    )
    assert viz.tokens == [f"p{i}" for i in ids[0]]
    assert len(viz.attention_) == 2 and viz.attention_[0].shape == (2, 2, SEQ, SEQ)
    fig = viz.plot_attention_heatmap()
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert labels == viz.tokens


def test_figures_and_files(transformer, tokens_data, tmp_path):
    model, _, _ = transformer
    ids, _ = tokens_data
    viz = AttentionVisualizer(model, save_dir=tmp_path)
    viz.capture_attention(ids[:2])
    viz.set_tokens([f"t{i}" for i in range(SEQ)])
    fig = viz.plot_attention_heatmap(layer=0, head=1, sample=1)
    img = fig.axes[0].images[0].get_array()
    np.testing.assert_allclose(img, viz.attention_[0][1, 1])
    fig = viz.plot_attention_heatmap(layer=-1)  # last layer, mean of heads (default: layer 0)
    np.testing.assert_allclose(fig.axes[0].images[0].get_array(), viz.attention_[1][0].mean(0))
    fig = viz.plot_multi_head_comparison(layer=0)
    assert len(fig.axes[0].images) == 1 and sum(len(a.images) for a in fig.axes) == 2
    fig = viz.plot_attention_rollout(discard_ratio=0.2, head_fusion="max")
    np.testing.assert_allclose(fig.axes[0].images[0].get_array(), viz.rollout(0.2, "max")[0])
    pfig = viz.plot_attention_heatmap(layer=-1, head=0, backend="plotly")
    np.testing.assert_allclose(np.array(pfig.data[0].z), viz.attention_[1][0, 0])
    viz.plot_attention_rollout(backend="plotly")
    names = sorted(p.name for p in (tmp_path / "attention").iterdir())
    assert names == [
        "attention_heatmap_layer0_head1.png",
        "attention_heatmap_layer1.png",
        "attention_heatmap_layer1_head0.html",
        "attention_rollout.html",
        "attention_rollout.png",
        "multi_head_layer0.png",
    ]
    with pytest.raises(InputError, match="layer=5 is out of range"):
        viz.plot_attention_heatmap(layer=5)
    with pytest.raises(InputError, match="head=7"):
        viz.plot_attention_heatmap(head=7)
    with pytest.raises(InputError, match="sample=4"):
        viz.plot_multi_head_comparison(sample=4)
    with pytest.raises(InputError, match="No attention yet"):
        AttentionVisualizer().plot_attention_rollout()


def test_wrong_input_shape_and_failed_pass_restore_layers(transformer):
    model, _, mhas = transformer
    with pytest.raises(InputError, match=r"\(1, 19\) does not fit .* expects \(None, 16\)"):
        AttentionVisualizer(model).capture_attention(np.zeros((1, SEQ + 3), "int32"))

    class Boom(keras.layers.Layer):
        explode = False

        def call(self, x):
            if self.explode:
                raise RuntimeError("boom")
            return x

    inp = keras.Input((3, 2))
    mha = keras.layers.MultiHeadAttention(1, 2)
    boom = Boom()
    broken = keras.Model(inp, boom(mha(inp, inp)))
    boom.explode = True
    viz = AttentionVisualizer(broken)
    with pytest.raises(RuntimeError, match="boom"):
        viz.capture_attention(np.zeros((1, 3, 2), "float32"))
    assert "call" not in vars(mha) and viz.attention_ == []
    assert all("call" not in vars(m) for m in mhas)
