import json

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from spacekit.datasets.hstcal import simulate_hstcal  # noqa: E402
from spacekit.exceptions import InputError  # noqa: E402
from spacekit.visualization import DashboardCallback, TrainingDashboard  # noqa: E402
from spacekit.visualization.callbacks import current_learning_rate  # noqa: E402


@pytest.fixture(scope="module")
def hstcal_xy():
    df = simulate_hstcal(n=48, seed=1)
    x = np.log1p(df[["n_files", "total_mb"]].to_numpy(dtype="float32"))
    y = df["mem_bin"].to_numpy()
    return x, y


def _model(lr=0.01):
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((2,)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dense(4, activation="softmax"),
        ]
    )
    model.compile(
        keras.optimizers.Adam(lr), "sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    return model


def test_epoch_level_fit_feeds_dashboard(tmp_path, hstcal_xy):
    x, y = hstcal_xy
    dash = TrainingDashboard(save_dir=tmp_path)
    schedule = keras.optimizers.schedules.ExponentialDecay(0.01, decay_steps=3, decay_rate=0.5)
    cb = DashboardCallback(dash)
    assert getattr(cb.on_train_batch_end, "_is_default", False)  # keeps Keras's fast path
    hist = _model(schedule).fit(
        x, y, epochs=2, batch_size=16, validation_split=0.25, verbose=0, callbacks=[cb]
    )
    assert dash.epochs == [1, 2]
    assert set(dash.metrics) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    np.testing.assert_allclose(dash.metrics["loss"], hist.history["loss"], rtol=1e-6)
    assert dash.lr[0] > dash.lr[1] > 0  # the schedule, read from the optimizer
    assert not dash.history_.batch_steps
    data = json.loads((tmp_path / "training" / "training_history.json").read_text())
    assert data["epochs"] == [1, 2]
    assert (tmp_path / "training" / "all_metrics.png").is_file()  # drawn at train end


def test_batch_level_fit_records_global_steps(hstcal_xy):
    x, y = hstcal_xy
    dash = TrainingDashboard()
    _model().fit(
        x,
        y,
        epochs=2,
        batch_size=12,
        verbose=0,
        callbacks=[DashboardCallback(dash, batch_level=True)],
    )
    h = dash.history_
    assert h.batch_steps == list(range(1, 9))  # 4 batches per epoch, 2 epochs
    assert len(h.batch_metrics["loss"]) == 8
    assert h.batch_metrics["lr"] == pytest.approx([0.01] * 8)
    assert dash.lr == pytest.approx([0.01, 0.01])


def test_callback_rejects_non_dashboard():
    with pytest.raises(InputError, match="TrainingDashboard"):
        DashboardCallback(object())


def test_current_learning_rate():
    assert current_learning_rate(keras.optimizers.SGD(0.5)) == pytest.approx(0.5)
    sched = keras.optimizers.schedules.PiecewiseConstantDecay([0], [0.3, 0.1])
    assert current_learning_rate(keras.optimizers.SGD(sched)) == pytest.approx(0.3)
    assert current_learning_rate(None) is None


def test_batch_level_schedule_lr_is_sampled(hstcal_xy):
    x, y = hstcal_xy
    dash = TrainingDashboard()
    schedule = keras.optimizers.schedules.ExponentialDecay(0.01, decay_steps=1, decay_rate=0.9)
    _model(schedule).fit(
        x,
        y,
        epochs=1,
        batch_size=6,
        verbose=0,
        callbacks=[DashboardCallback(dash, batch_level=True, batch_lr_every=4)],
    )
    lr = dash.history_.batch_metrics["lr"]
    assert len(lr) == 8
    assert [v is not None for v in lr] == [True, False, False, False] * 2
    assert lr[0] > lr[4] > 0
