"""Tiny Keras models and data for the dashboard-toolkit compatibility tests.

Images are sklearn's bundled 8x8 digits (no network); token ids are pixel rows of the same
digits. Everything is small enough to build in about a second.
"""

import numpy as np

SEQ, VOCAB, CLASSES = 6, 17, 3


def digits(n=48):
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    keep = y < CLASSES
    x = (x[keep].reshape(-1, 8, 8, 1) / 16.0).astype("float32")
    return x[:n], y[keep][:n].astype("int32")


def cnn(keras):
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(6, 3, activation="relu", name="conv1"),
            keras.layers.Conv2D(4, 3, activation="relu", name="conv2"),
            keras.layers.Flatten(name="flat"),
            keras.layers.Dense(CLASSES, activation="softmax", name="out"),
        ],
        name="toolkit_cnn",
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def transformer(keras):
    """A two-layer transformer and a twin that also returns its attention scores.

    The twin (same layers and weights) is the Keras counterpart of HuggingFace's
    ``model(input_ids, output_attentions=True)``.
    """
    keras.utils.set_random_seed(1)
    inp = keras.Input((SEQ,), dtype="int32", name="ids")
    x = keras.layers.Embedding(VOCAB, 8, name="embed")(inp)
    scores = []
    for i in range(2):
        mha = keras.layers.MultiHeadAttention(num_heads=2, key_dim=4, name=f"attn{i}")
        out, s = mha(x, x, return_attention_scores=True)
        x = keras.layers.LayerNormalization(name=f"norm{i}")(x + out)
        scores.append(s)
    pooled = keras.layers.GlobalAveragePooling1D()(x)
    out = keras.layers.Dense(2, activation="softmax", name="head")(pooled)
    return keras.Model(inp, out, name="toolkit_transformer"), keras.Model(inp, [out, *scores])


def token_ids(n=3):
    x, _ = digits(n)
    return (x[:, 3, :SEQ, 0] * 16).astype("int32")


class PixelTokenizer:
    """A HuggingFace-style tokenizer stand-in: ids to strings."""

    def convert_ids_to_tokens(self, ids):
        return [f"p{int(i)}" for i in ids]


class FakeTensor:
    """A torch/JAX-like tensor: only ``.numpy()`` (no ndarray subclass)."""

    def __init__(self, value):
        self._value = np.asarray(value)

    def numpy(self):
        return self._value
