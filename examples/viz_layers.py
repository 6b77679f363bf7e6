"""Look inside a small CNN trained on digits: activations, feature maps, weights, gradients.

Usage: python examples/viz_layers.py [OUTPUT_DIR]

Uses scikit-learn's bundled 8x8 digits (no download). Writes::

    OUTPUT_DIR/visualizations/layers/
        activations.png  activations_dense.png  feature_maps_conv2.png  weights.png
        gradient_flow.png  overlay_conv1.png  gradient_flow.html  feature_maps_conv1.html

OUTPUT_DIR defaults to a new temporary folder (never the current directory).
"""

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")


def main(out: Path) -> None:
    import keras
    from sklearn.datasets import load_digits

    from spacekit.visualization import LayerVisualizer

    digits = load_digits()
    x = (digits.images / 16.0).astype("float32")[..., None]  # (n, 8, 8, 1)
    y = digits.target

    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(8, 3, padding="same", activation="relu", name="conv1"),
            keras.layers.Conv2D(16, 3, activation="relu", name="conv2"),
            keras.layers.Flatten(name="flatten"),
            keras.layers.Dense(32, activation="relu", name="dense"),
            keras.layers.Dense(10, activation="softmax", name="out"),
        ],
        name="digits_cnn",
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x[:1200], y[:1200], epochs=3, batch_size=64, verbose=0)

    viz = LayerVisualizer(model, save_dir=out / "visualizations")
    viz.register_hooks(["conv1", "conv2", "dense", "out"])
    acts = viz.capture(x[1200:1208])  # one forward pass, activations of 4 layers
    for name, arr in acts.items():
        print(
            f"{name:6s} {arr.shape}  mean {arr.mean():.3f}  zero fraction {(arr == 0).mean():.2f}"
        )

    viz.plot_activations()  # overview of every hooked layer
    viz.plot_activations(layer_name="dense")  # 8 samples x 32 units
    viz.plot_feature_map_grid(None, "conv2", max_maps=16)
    viz.plot_weight_distribution()
    viz.plot_gradient_flow(x[1200:1264], y[1200:1264])
    viz.overlay_activation(x[1200], "conv1")
    viz.plot_gradient_flow(x[1200:1264], y[1200:1264], backend="plotly")
    viz.plot_feature_map_grid(x[1200:1201], "conv1", backend="plotly")

    print(viz.gradients_[["weight", "mean_abs", "max_abs"]].to_string(index=False))
    for path in viz.saved_files_:
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="spacekit_"))
    main(target)
