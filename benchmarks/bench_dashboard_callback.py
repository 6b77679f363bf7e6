"""Overhead of DashboardCallback on ``model.fit`` (100 batches per epoch).

Usage: python benchmarks/bench_dashboard_callback.py [--epochs 5] [--repeats 5]

Fits the same small MLP (3,200 samples, batch 32 -> 100 batches per epoch) with no
callback and with DashboardCallback in several modes, interleaving the runs so machine
load affects every mode alike, and prints the median and best fit time per mode and the
overhead relative to no callback. Modes:

- ``epoch``: epoch-level updates into an in-memory dashboard (the default callback);
- ``epoch+json``: the same plus the history JSON rewritten every epoch (``save_dir``);
- ``batch``: batch-level updates too (learning rate read every batch).

Figures are not drawn inside the timed fits (``plot_on_train_end=False``); the cost of the
final figure is timed separately.

On a shared or loaded machine wall-clock A/B differences are noisy, so the script also
reports process CPU time (all threads) and, most precisely, the time spent inside the
callback's own hooks as a share of the fit time.
"""

import argparse
import functools
import os
import statistics
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--threads",
        type=int,
        default=0,
        help="TensorFlow intra/inter-op threads (0 = TensorFlow's default)",
    )
    args = parser.parse_args()
    if args.threads:
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)

    import keras
    import numpy as np

    from spacekit.visualization import DashboardCallback, TrainingDashboard

    rng = np.random.default_rng(0)
    x = rng.normal(size=(3200, 16)).astype("float32")
    y = (x[:, :4].sum(axis=1) > 0).astype("float32")
    tmp = tempfile.mkdtemp(prefix="spacekit-bench-")

    def build():
        keras.utils.set_random_seed(0)
        model = keras.Sequential(
            [
                keras.Input((16,)),
                keras.layers.Dense(64, activation="relu"),
                keras.layers.Dense(64, activation="relu"),
                keras.layers.Dense(1, activation="sigmoid"),
            ]
        )
        model.compile(keras.optimizers.Adam(1e-3), "binary_crossentropy", metrics=["accuracy"])
        return model

    inside = {"s": 0.0}

    def timed(fn):
        @functools.wraps(fn)
        def wrapper(*a, **k):
            t = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                inside["s"] += time.perf_counter() - t

        return wrapper

    def callbacks(mode):
        if mode == "none":
            return [], None
        dash = TrainingDashboard(save_dir=tmp if mode == "epoch+json" else None, real_time=False)
        cb = DashboardCallback(
            dash, save_on_epoch=False, batch_level=(mode == "batch"), plot_on_train_end=False
        )
        for hook in ("on_train_begin", "on_epoch_begin", "on_epoch_end", "on_train_batch_end"):
            method = getattr(cb, hook)
            if not getattr(method, "_is_default", False):  # keep Keras's fast path intact
                setattr(cb, hook, timed(method))
        return [cb], dash

    modes = ["none", "epoch", "epoch+json", "batch"]
    build().fit(x, y, epochs=1, batch_size=32, verbose=0)  # warm-up (tracing, caches)
    times = {m: [] for m in modes}
    cpu = {m: [] for m in modes}
    share = {m: [] for m in modes}
    last_dash = None
    for r in range(args.repeats):
        for mode in modes[r % len(modes) :] + modes[: r % len(modes)]:  # rotate the order
            model = build()
            cbs, dash = callbacks(mode)
            inside["s"] = 0.0
            start, cstart = time.perf_counter(), time.process_time()
            model.fit(x, y, epochs=args.epochs, batch_size=32, verbose=0, callbacks=cbs)
            wall = time.perf_counter() - start
            times[mode].append(wall)
            cpu[mode].append(time.process_time() - cstart)
            share[mode].append(100 * inside["s"] / wall)
            if mode == "batch":
                last_dash = dash
    assert len(last_dash.history_.batch_steps) == 100 * args.epochs

    base_med, base_best = statistics.median(times["none"]), min(times["none"])
    base_cpu = statistics.median(cpu["none"])
    print(
        f"fit: 3200 samples, batch 32 (100 batches/epoch), {args.epochs} epochs, "
        f"{args.repeats} repeats per mode, interleaved"
    )
    print(
        f"{'mode':<11} {'wall med s':>10} {'ovh':>7} {'wall best s':>11} {'ovh':>7} "
        f"{'cpu med s':>9} {'ovh':>7} {'in callback':>11}"
    )
    for mode in modes:
        med, best = statistics.median(times[mode]), min(times[mode])
        cmed = statistics.median(cpu[mode])
        inside_share = statistics.median(share[mode]) if mode != "none" else 0.0
        print(
            f"{mode:<11} {med:10.3f} {100 * (med / base_med - 1):6.1f}% {best:11.3f} "
            f"{100 * (best / base_best - 1):6.1f}% {cmed:9.3f} "
            f"{100 * (cmed / base_cpu - 1):6.1f}% {inside_share:10.3f}%"
        )
    print(
        "ovh = relative to no callback; 'in callback' = time inside the callback's hooks "
        "as a share of the fit (median)"
    )
    print("paired (median over rounds of mode/none in the same round):")
    for mode in modes[1:]:
        wall_r = [t / b for t, b in zip(times[mode], times["none"], strict=True)]
        cpu_r = [t / b for t, b in zip(cpu[mode], cpu["none"], strict=True)]
        print(
            f"  {mode:<11} wall {100 * (statistics.median(wall_r) - 1):6.1f}%   "
            f"cpu {100 * (statistics.median(cpu_r) - 1):6.1f}%"
        )
    per_epoch = 1000 * base_med / args.epochs
    print(f"baseline: {per_epoch:.0f} ms per epoch, {per_epoch / 100:.2f} ms per batch")

    start = time.perf_counter()
    TrainingDashboard.plot_all_metrics(last_dash, save=False)
    print(
        f"drawing the final metrics figure (not in the fits above): "
        f"{time.perf_counter() - start:.2f} s"
    )


if __name__ == "__main__":
    main()
