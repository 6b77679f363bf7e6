"""Watch a small Keras model train: live figure, history JSON, PNG and HTML dashboard.

Usage: python examples/viz_training_dashboard.py [OUTPUT_DIR]

Trains a tiny classifier of the HST calibration memory bin on simulated dataset metadata
(``spacekit.datasets.hstcal.simulate_hstcal``) and writes the documented tree::

    OUTPUT_DIR/visualizations/training/
        all_metrics.png  all_metrics.html  batches.png  training_history.json
    OUTPUT_DIR/visualizations/training/dashboard.html

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
    import numpy as np

    from spacekit.datasets.hstcal import simulate_hstcal
    from spacekit.visualization import (
        DashboardCallback,
        TrainingDashboard,
        create_interactive_dashboard,
    )

    df = simulate_hstcal(n=600, seed=0)
    x = np.log1p(df[["n_files", "total_mb"]].to_numpy(dtype="float32"))
    x = (x - x.mean(0)) / x.std(0)
    y = df["mem_bin"].to_numpy()

    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((2,)),
            keras.layers.Dense(32, activation="relu"),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(4, activation="softmax"),
        ]
    )
    schedule = keras.optimizers.schedules.ExponentialDecay(0.01, decay_steps=40, decay_rate=0.7)
    model.compile(
        keras.optimizers.Adam(schedule), "sparse_categorical_crossentropy", metrics=["accuracy"]
    )

    save_dir = out / "visualizations"
    dash = TrainingDashboard(
        save_dir=save_dir,
        real_time=True,
        update_interval=5,
        interactive=True,
        run="hstcal mem_bin (simulated)",
    )
    model.fit(
        x,
        y,
        epochs=20,
        batch_size=32,
        validation_split=0.25,
        verbose=0,
        callbacks=[DashboardCallback(dash, batch_level=True)],
    )
    dash.print_summary()
    page = create_interactive_dashboard(dash, save_dir / "training" / "dashboard.html")
    for path in sorted((save_dir / "training").iterdir()):
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    print(f"open {page} in a browser (works offline)")


if __name__ == "__main__":
    target = (
        Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="spacekit-viz-"))
    )
    main(target)
