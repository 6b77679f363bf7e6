"""Attention heat maps, head comparison and rollout of a small transformer.

Usage: python examples/viz_attention.py [OUTPUT_DIR]

A two-layer transformer reads each 8x8 digit from scikit-learn's bundled digits (no
download) as a sequence of 8 row tokens and classifies it. Its ``MultiHeadAttention``
scores are captured from the model. Writes::

    OUTPUT_DIR/visualizations/attention/
        attention_heatmap_layer1.png  attention_heatmap_layer0_head0.png
        multi_head_layer0.png  attention_rollout.png  attention_heatmap_layer1.html

OUTPUT_DIR defaults to a new temporary folder (never the current directory).
"""

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")


def build_model(keras, heads: int = 4):
    inp = keras.Input((8, 8), name="rows")  # 8 tokens (image rows) of 8 pixels
    x = keras.layers.Dense(32, name="row_embed")(inp)
    pos = keras.layers.Embedding(8, 32, name="position")(keras.ops.arange(8)[None, :])
    x = keras.layers.Add(name="embed")([x, pos])
    for i in range(2):
        att = keras.layers.MultiHeadAttention(heads, 8, name=f"attention_{i}")(x, x)
        x = keras.layers.LayerNormalization(name=f"norm_{i}a")(x + att)
        ff = keras.layers.Dense(32, activation="relu", name=f"ff_{i}")(x)
        x = keras.layers.LayerNormalization(name=f"norm_{i}b")(x + ff)
    x = keras.layers.GlobalAveragePooling1D(name="pool")(x)
    out = keras.layers.Dense(10, activation="softmax", name="out")(x)
    return keras.Model(inp, out, name="digit_row_transformer")


def main(out: Path) -> None:
    import keras
    from sklearn.datasets import load_digits

    from spacekit.visualization import AttentionVisualizer

    digits = load_digits()
    x = (digits.images / 16.0).astype("float32")
    y = digits.target
    keras.utils.set_random_seed(0)
    model = build_model(keras)
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    hist = model.fit(
        x[:1200], y[:1200], epochs=8, batch_size=64, verbose=0, validation_data=(x[1200:], y[1200:])
    )
    print(f"validation accuracy {hist.history['val_accuracy'][-1]:.3f}")

    viz = AttentionVisualizer(model, save_dir=out / "visualizations")
    scores = viz.capture_attention(x[1200:1204])
    print("captured", {n: a.shape for n, a in zip(viz.layer_names_, scores, strict=True)})
    viz.set_tokens([f"row{i}" for i in range(8)])

    viz.plot_attention_heatmap()  # last layer, mean of heads
    viz.plot_attention_heatmap(layer=0, head=0)
    viz.plot_multi_head_comparison(layer=0)
    viz.plot_attention_rollout(discard_ratio=0.0, head_fusion="mean")
    viz.plot_attention_heatmap(layer=-1, backend="plotly")
    print("rollout of sample 0 (rows: output token, columns: input token):")
    print(viz.rollout()[0].round(2))
    for path in viz.saved_files_:
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="spacekit_"))
    main(target)
