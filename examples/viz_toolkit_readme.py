"""The dashboard toolkit's README, translated from PyTorch to Keras, end to end.

Usage: python examples/viz_toolkit_readme.py [OUTPUT_DIR]

Trains a small CNN and a two-layer transformer on scikit-learn's bundled 8x8 digits (no
download) and runs the toolkit's documented calls as written, with the toolkit's folders.
Writes::

    OUTPUT_DIR/visualizations/
        dashboard/    all_metrics.png  training_history.json
        layers/       conv1_activations.png  conv1_overlays.png  gradient_flow.png
                      weight_distributions.png
        attention/    attention_heatmap.png  multi_head_layer0.png  attention_rollout.png
                      bert_attention_all_layers.png
        predictions/  confusion_matrix.png  roc_curves.html  pr_curves.html
                      misclassifications.png  misclassifications.csv

OUTPUT_DIR defaults to a new temporary folder (never the current directory).
"""

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")


class RowTokenizer:
    """Names each row token by its id (t12: a row of total intensity 6)."""

    def convert_ids_to_tokens(self, ids):
        return [f"t{int(i)}" for i in ids]


def main(out: Path) -> None:
    import keras
    import numpy as np
    import tensorflow as tf
    from sklearn.datasets import load_digits

    from spacekit.visualization import (
        AttentionVisualizer,
        DashboardCallback,
        LayerVisualizer,
        PredictionVisualizer,
        TrainingDashboard,
    )

    os.chdir(out)  # the toolkit's folders are relative: visualizations/...
    digits = load_digits()
    x = (digits.images / 16.0).astype("float32")[..., None]
    y = digits.target
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(8, 3, padding="same", activation="relu", name="conv1"),
            keras.layers.Conv2D(16, 3, activation="relu", name="conv2"),
            keras.layers.Flatten(),
            keras.layers.Dense(10, activation="softmax", name="out"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])

    # Basic usage with a trainer: the Keras trainer is model.fit
    dashboard = TrainingDashboard(save_dir="visualizations/dashboard", real_time=False)
    callback = DashboardCallback(dashboard)
    model.fit(x[:1200], y[:1200], validation_split=0.2, epochs=5, verbose=0,
              callbacks=[callback])  # fmt: skip
    dashboard.save_history()

    # Layer visualization
    viz = LayerVisualizer(model, save_dir="visualizations/layers")
    viz.register_hooks()
    model(x[1200:1208])  # forward pass
    viz.plot_activations("conv1", max_channels=16)
    with tf.GradientTape() as tape:  # loss.backward()
        loss = keras.losses.sparse_categorical_crossentropy(y[1200:1264], model(x[1200:1264]))
        loss = tf.reduce_mean(loss)
    viz.record_gradients(tape.gradient(loss, model.trainable_weights), loss=loss)
    viz.plot_gradient_flow()
    viz.plot_weight_distribution()
    viz.plot_feature_map_grid("conv1", x[1200])
    viz.remove_hooks()

    # Attention visualization: each digit is a sequence of 8 row tokens
    ids = np.clip((x[..., 0].sum(axis=2) * 2).astype("int32"), 0, 31)  # (n, 8)
    inp = keras.Input((8,), dtype="int32")
    h = keras.layers.Embedding(32, 16)(inp)
    for i in range(2):
        att = keras.layers.MultiHeadAttention(num_heads=4, key_dim=8, name=f"attention{i}")
        h = keras.layers.LayerNormalization()(h + att(h, h))
    out_layer = keras.layers.Dense(10, activation="softmax")(
        keras.layers.GlobalAveragePooling1D()(h)
    )
    transformer = keras.Model(inp, out_layer)
    transformer.compile("adam", "sparse_categorical_crossentropy")
    transformer.fit(ids[:1200], y[:1200], epochs=3, verbose=0)
    attn = AttentionVisualizer(transformer, save_dir="visualizations/attention")
    attn.set_tokens(RowTokenizer().convert_ids_to_tokens(ids[1200]))
    transformer(ids[1200:1202])  # the hooks record every attention layer
    attentions = np.stack(attn.attention_)  # (layers, batch, heads, q, k)
    attn.plot_attention_heatmap(attentions, layer_idx=0, head_idx=0)
    attn.plot_attention_rollout(attentions)
    attn.plot_multi_head_comparison(attentions, layer_idx=0)
    attn.visualize_bert_attention(ids[1200:1201], RowTokenizer())

    # Prediction analysis
    preds = PredictionVisualizer(class_names=[str(i) for i in range(10)],
                                 save_dir="visualizations/predictions")  # fmt: skip
    probabilities = model.predict(x[1200:], verbose=0)
    preds.update(probabilities.argmax(axis=1), y[1200:], probabilities)
    preds.plot_confusion_matrix()
    preds.plot_roc_curve(interactive=True)
    preds.plot_pr_curve(interactive=True)
    data_loader = tf.data.Dataset.from_tensor_slices((x[1200:], y[1200:])).batch(64)
    table, _ = preds.analyze_misclassifications(data_loader, model)
    print(f"{len(table)} of {len(x) - 1200} test digits misclassified")
    for path in sorted(Path("visualizations").rglob("*.*")):
        print(f"wrote {out / path} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="viz-"))
    target.mkdir(parents=True, exist_ok=True)
    main(target.resolve())
