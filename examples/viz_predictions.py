"""Confusion matrices, ROC/PR curves and a gallery of the digits a small CNN gets wrong.

Usage: python examples/viz_predictions.py [OUTPUT_DIR]

Uses scikit-learn's bundled 8x8 digits (no download). Writes::

    OUTPUT_DIR/visualizations/predictions/
        confusion_matrix.png  confusion_matrix_normalized.png  confusion_matrix.html
        roc_curve.png  pr_curve.png  roc_curve.html  misclassified.png  misclassified.csv

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

    from spacekit.visualization import PredictionVisualizer

    digits = load_digits()
    x = (digits.images / 16.0).astype("float32")[..., None]  # (n, 8, 8, 1)
    y = digits.target
    x_train, y_train, x_test, y_test = x[:1200], y[:1200], x[1200:], y[1200:]

    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(8, 3, activation="relu"),
            keras.layers.Flatten(),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=3, batch_size=64, verbose=0)

    viz = PredictionVisualizer(
        class_names=[str(i) for i in range(10)], save_dir=out / "visualizations"
    )
    for start in range(0, len(x_test), 128):  # accumulate batch by batch
        batch = slice(start, start + 128)
        proba = model.predict(x_test[batch], verbose=0)
        viz.update(y_true=y_test[batch], y_pred=proba, inputs=x_test[batch])
    folder = viz.save_all(top_k=12)
    viz.plot_confusion_matrix(interactive=True)
    viz.plot_roc_curve(interactive=True)
    df, _ = viz.analyze_misclassifications(top_k=12, save=False)
    acc = (viz.y_true == viz.y_pred).mean()
    print(f"test accuracy {acc:.3f}; {len(df)} misclassified; most confident mistakes:")
    print(df.head(5).to_string())
    for path in sorted(folder.iterdir()):
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    target = (
        Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="spacekit-viz-"))
    )
    main(target)
