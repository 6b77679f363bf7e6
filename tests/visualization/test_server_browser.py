"""The live page in a real headless Chromium while a real Keras ``fit`` sends metrics.

Skipped when Chromium is not installed, unless ``SPACEKIT_REQUIRE_BROWSER=1`` (CI), in
which case a missing browser fails the test. Set ``SPACEKIT_BROWSER_SCREENSHOTS`` to a
folder to keep screenshots of the page.
"""

import time

import numpy as np
import pytest

from spacekit.visualization import DashboardServer
from support import keep_screenshot, new_chromium, require_browser, severe_console_errors

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,  # starting Chromium and importing Keras take several seconds
    # selenium 4.2 (pinned by dash[testing]) calls a urllib3 2.x deprecated method.
    pytest.mark.filterwarnings("ignore:HTTPResponse.getheader:DeprecationWarning"),
]


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    require_browser()
    drv = new_chromium(tmp_path_factory.mktemp("chromium-profile"))
    yield drv
    drv.quit()


def _screenshot(driver, tmp_path, name):
    return keep_screenshot(driver, tmp_path, name)


def _epoch_shown(driver):
    return driver.find_element("id", "epoch-value").text


#: Longest accepted delay (s) between an update and the page showing it.
PUSH_LATENCY_S = 2.5


def _wait_text(driver, element_id, text, timeout=5.0):
    """Wait until the element shows ``text``; return the seconds it took."""
    from selenium.webdriver.support.ui import WebDriverWait

    t0 = time.monotonic()
    WebDriverWait(driver, timeout, poll_frequency=0.02).until(
        lambda d: d.find_element("id", element_id).text == text
    )
    return time.monotonic() - t0


def _tiny_model_and_data(keras):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = (x @ np.array([0.5, -1.0, 2.0, 0.1], dtype="float32"))[:, None]
    model = keras.Sequential(
        [keras.Input(shape=(4,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)]
    )
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
    return model, x, y


def _severe_console_errors(driver):
    return severe_console_errors(driver)


def test_page_follows_fit_live_and_late_joiner_sees_history(driver, tmp_path):
    keras = pytest.importorskip("keras")
    model, x, y = _tiny_model_and_data(keras)
    n_epochs, join_at = 6, 2
    latencies = []

    class PostToServer(keras.callbacks.Callback):
        """Sends each epoch to the server; opens the page mid-run; checks it updates."""

        def on_epoch_end(self, epoch, logs=None):
            shown = epoch + 1
            server.update_metrics(epoch=shown, **{k: float(v) for k, v in logs.items()})
            if shown == join_at:
                # A browser joining mid-run gets the whole history first.
                driver.get(server.url)
                _wait_text(driver, "epoch-value", str(join_at))
                _wait_text(driver, "status", "live")
                driver.execute_script("window.__noReload = 'marker';")
            elif shown > join_at:
                latencies.append(_wait_text(driver, "epoch-value", str(shown), timeout=3))

    with DashboardServer() as server:
        model.fit(x, y, epochs=n_epochs, batch_size=16, verbose=0, callbacks=[PostToServer()])
        _wait_text(driver, "record-count", str(n_epochs))
        # The page was never reloaded: the marker set after joining is still there.
        assert driver.execute_script("return window.__noReload") == "marker"
        xs = driver.execute_script(
            "return document.getElementById('chart-loss').data.map(t => [t.name, t.x]);"
        )
        assert xs and xs[0][0] == "loss" and xs[0][1] == list(range(1, n_epochs + 1))
        metric_cards = driver.execute_script(
            "return Array.from(document.querySelectorAll('.card.metric'))"
            ".map(c => c.dataset.metric);"
        )
        assert set(metric_cards) == {"loss", "mae"}
        _screenshot(driver, tmp_path, "dashboard_fit")
        assert not _severe_console_errors(driver)
    assert len(latencies) == n_epochs - join_at
    # each new epoch is pushed (Server-Sent Events), so it shows within about 0.1 s on an
    # idle machine; the bound leaves room for a CI host shared with other jobs
    assert max(latencies) < PUSH_LATENCY_S, latencies


def test_page_shows_a_history_file_written_during_fit(driver, tmp_path):
    keras = pytest.importorskip("keras")
    from spacekit.visualization import DashboardCallback, TrainingDashboard

    model, x, y = _tiny_model_and_data(keras)
    dash = TrainingDashboard(save_dir=tmp_path / "viz", run="browser-follow")
    history = tmp_path / "viz" / "training" / "training_history.json"
    seen = []

    class WatchPage(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            # DashboardCallback (listed first) has already saved this epoch to the file.
            seen.append(_wait_text(driver, "epoch-value", str(epoch + 1), timeout=3))

    with DashboardServer() as server:
        server.follow(history, poll_interval=0.1)
        driver.get(server.url)
        _wait_text(driver, "status", "live")
        driver.execute_script("window.__noReload = 'marker';")
        model.fit(
            x,
            y,
            epochs=4,
            batch_size=16,
            verbose=0,
            callbacks=[
                DashboardCallback(dash, batch_level=True, plot_on_train_end=False),
                WatchPage(),
            ],
        )
        _wait_text(driver, "run", "browser-follow")
        assert driver.execute_script("return window.__noReload") == "marker"
        steps = driver.execute_script(
            "return document.getElementById('chart-batches').data[0].x.length;"
        )
        assert steps == 16  # 4 epochs x 4 batches
        lr = driver.execute_script("return document.getElementById('chart-lr').data[0].y;")
        assert lr == pytest.approx([0.01] * 4)
        _screenshot(driver, tmp_path, "dashboard_follow")
        assert not _severe_console_errors(driver)
    assert len(seen) == 4 and max(seen) < PUSH_LATENCY_S, seen
