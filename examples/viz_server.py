"""Watch a training run live in a browser with ``DashboardServer``.

Starts the server, then either simulates a run (default, no TensorFlow needed) or trains
a tiny Keras model (``--keras``), pushing every epoch (and batch) to the page. Open the
printed URL while it runs; stop with Ctrl-C or wait for ``--keep-open`` seconds.

    python examples/viz_server.py                    # simulated run, random free port
    python examples/viz_server.py --keras --port 8050 --keep-open 60
    python examples/viz_server.py --save-dir runs/visualizations
        # also keep runs/visualizations/server/server_history.json (and server_plots.json)

From another machine, forward the port over SSH and open http://localhost:8050/ there:

    ssh -N -L 8050:127.0.0.1:8050 user@training-host
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from spacekit.logging_setup import configure_logging
from spacekit.visualization import DashboardServer


def simulate(server: DashboardServer, epochs: int, steps: int, delay: float) -> None:
    """Push a plausible loss/accuracy curve, batch by batch and epoch by epoch."""
    rng = np.random.default_rng(0)
    for epoch in range(1, epochs + 1):
        for b in range(steps):
            step = (epoch - 1) * steps + b + 1
            server.update_metrics(step=step, loss=2.0 * math.exp(-step / 60) + rng.normal(0, 0.03))
        loss = 2.0 * math.exp(-epoch * steps / 60)
        server.update_metrics(
            epoch=epoch,
            loss=loss,
            val_loss=loss * 1.1 + 0.02,
            accuracy=1 - loss / 2.5,
            val_accuracy=1 - loss / 2.3,
            lr=1e-3 * 0.8 ** (epoch - 1),
        )
        # A small figure below the charts, replaced every epoch.
        server.update_plots({"residuals": {"y": rng.normal(0, loss, 50).tolist()}})
        time.sleep(delay)


def train_keras(server: DashboardServer, epochs: int, delay: float) -> None:
    """Fit a tiny regression model; a Keras callback posts each epoch to the server."""
    import keras

    class ToServer(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            server.update_metrics(epoch=epoch + 1, **{k: float(v) for k, v in logs.items()})
            time.sleep(delay)

    rng = np.random.default_rng(0)
    x = rng.normal(size=(512, 8)).astype("float32")
    y = (x @ rng.normal(size=8).astype("float32"))[:, None]
    model = keras.Sequential(
        [keras.Input(shape=(8,)), keras.layers.Dense(32, activation="relu"), keras.layers.Dense(1)]
    )
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    model.fit(x, y, validation_split=0.2, epochs=epochs, verbose=0, callbacks=[ToServer()])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--steps", type=int, default=10, help="batches per simulated epoch")
    parser.add_argument("--delay", type=float, default=0.5, help="seconds between epochs")
    parser.add_argument("--keras", action="store_true", help="train a tiny Keras model")
    parser.add_argument("--keep-open", type=float, default=0.0, help="seconds to keep serving")
    parser.add_argument(
        "--save-dir", default=None, help="output tree root; writes server/server_history.json"
    )
    args = parser.parse_args()
    configure_logging()

    with DashboardServer(host=args.host, port=args.port, save_dir=args.save_dir) as server:
        print(f"Dashboard at {server.url} (Ctrl-C to stop)")
        try:
            if args.keras:
                train_keras(server, args.epochs, args.delay)
            else:
                simulate(server, args.epochs, args.steps, args.delay)
            print(
                f"Training done: {len(server.history())} records; latest "
                f"{server.latest()['values']}"
            )
            time.sleep(args.keep_open)
        except KeyboardInterrupt:
            print("Interrupted.")
    print("Server stopped.")


if __name__ == "__main__":
    main()
