"""The dashboard toolkit's README examples (research notes §A.2), translated to Keras.

Each test is one README section, run as written with ``fishstick.visualization.dashboard``
replaced by ``spacekit.visualization`` and torch by Keras/numpy, in a fresh working
directory so the documented relative folders (``visualizations/layers`` ...) are used.
The last test checks the README's "Output Structure" tree file by file.
"""

import json
import urllib.request
from pathlib import Path

import numpy as np
import pytest

keras = pytest.importorskip("keras")

import toolkit_models as tm  # noqa: E402

from spacekit.exceptions import InputError  # noqa: E402
from spacekit.visualization import (  # noqa: E402
    AttentionVisualizer,
    DashboardCallback,
    DashboardServer,
    LayerVisualizer,
    PredictionVisualizer,
    RealTimePlot,
    TrainingDashboard,
    create_interactive_dashboard,
    quick_plot_loss,
    quick_plot_metrics,
)
from spacekit.visualization.attention import attention_rollout  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def files(folder):
    return sorted(p.name for p in folder.iterdir())


def test_basic_usage_with_trainer(toolkit_data, toolkit_cnn):
    # Trainer(..., callbacks=[callback]).fit(...)  ->  model.fit(..., callbacks=[callback])
    x, y = toolkit_data
    dashboard = TrainingDashboard(save_dir="visualizations", real_time=True, backend="plotly")
    callback = DashboardCallback(dashboard)
    history = toolkit_cnn.fit(x, y, validation_split=0.25, epochs=2, batch_size=16, verbose=0,
                      callbacks=[callback])  # fmt: skip
    assert dashboard.epochs == [1, 2]
    np.testing.assert_allclose(dashboard.metrics["val_loss"], history.history["val_loss"])
    # save_dir="visualizations" is a root: the dashboard's own folder is training/
    assert files(Path("visualizations/training")) == ["all_metrics.html", "training_history.json"]


def test_layer_visualization(toolkit_data, toolkit_cnn):
    x, y = toolkit_data
    viz = LayerVisualizer(toolkit_cnn, save_dir="visualizations/layers")
    viz.register_hooks()
    output = toolkit_cnn(x[:4])  # forward pass: the hooks record every layer
    assert viz.activations_["out"].shape == (4, tm.CLASSES)
    np.testing.assert_allclose(viz.activations_["out"], keras.ops.convert_to_numpy(output))
    fig = viz.plot_activations("conv1", max_channels=16)
    assert len(fig.axes) == 6  # conv1 has 6 channels, fewer than max_channels
    np.testing.assert_allclose(
        fig.axes[2].images[0].get_array(), viz.activations_["conv1"][0, ..., 2]
    )
    # loss.backward() in Keras: a GradientTape, then hand the gradients to the visualizer
    import tensorflow as tf

    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(
            keras.losses.sparse_categorical_crossentropy(y[:4], toolkit_cnn(x[:4]))
        )
    viz.record_gradients(tape.gradient(loss, toolkit_cnn.trainable_weights), loss=loss)
    fig = viz.plot_gradient_flow()
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == [
        "conv1/kernel", "conv1/bias", "conv2/kernel", "conv2/bias", "out/kernel", "out/bias",
    ]  # fmt: skip
    # the same numbers as the visualizer's own tape on the same batch (compiled loss)
    own = LayerVisualizer(toolkit_cnn).compute_gradients(x[:4], y[:4])
    np.testing.assert_allclose(viz.gradients_["mean_abs"], own["mean_abs"], rtol=1e-4)
    viz.plot_weight_distribution()
    viz.remove_hooks()
    assert "call" not in vars(toolkit_cnn)  # the model is as it was
    toolkit_cnn(x[:2])
    assert viz.activations_ == {}
    folder = viz.saved_files_[0].parent
    assert folder.resolve() == (Path.cwd() / "visualizations" / "layers")
    assert files(folder) == [
        "conv1_activations.png",
        "gradient_flow.png",
        "weight_distributions.png",
    ]
    assert all(p.read_bytes()[:8] == PNG for p in folder.iterdir())


def test_attention_visualization(toolkit_transformer):
    model, with_scores = toolkit_transformer
    ids = tm.token_ids(2)
    viz = AttentionVisualizer(model, save_dir="visualizations/attention")
    viz.set_tokens(tm.PixelTokenizer().convert_ids_to_tokens(ids[0]))
    # outputs = model(input_ids, output_attentions=True); attentions = torch.stack(...)
    _, *scores = with_scores(ids)
    attentions = np.stack([keras.ops.convert_to_numpy(s) for s in scores])
    assert attentions.shape == (2, 2, 2, tm.SEQ, tm.SEQ)  # (layers, batch, heads, q, k)
    fig = viz.plot_attention_heatmap(attentions, layer_idx=0, head_idx=0)
    np.testing.assert_allclose(fig.axes[0].images[0].get_array(), attentions[0, 0, 0])
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == viz.tokens
    fig = viz.plot_attention_rollout(attentions)
    np.testing.assert_allclose(
        fig.axes[0].images[0].get_array(), attention_rollout(attentions, discard_ratio=0.9)[0]
    )
    fig = viz.plot_multi_head_comparison(attentions, layer_idx=0)
    assert [ax.get_title() for ax in fig.axes if ax.images] == ["head 0", "head 1"]
    folder = Path("visualizations/attention")
    assert files(folder) == [
        "attention_heatmap.png",
        "attention_rollout.png",
        "multi_head_layer0.png",
    ]
    # hooks: a plain forward pass records the same scores, nothing passed by hand
    viz.set_attention([np.full((1, 1, tm.SEQ, tm.SEQ), 1 / tm.SEQ)])
    model(ids)
    for recorded, expected in zip(viz.attention_, attentions, strict=True):
        np.testing.assert_allclose(recorded, expected, rtol=1e-5, atol=1e-6)
    assert viz.layer_names_ == ["attn0", "attn1"]
    fig = viz.plot_attention_heatmap(layer_idx=1, head_idx=1)
    np.testing.assert_allclose(fig.axes[0].images[0].get_array(), attentions[1, 0, 1], atol=1e-6)


def test_prediction_analysis(toolkit_data, toolkit_cnn):
    x, y = toolkit_data
    viz = PredictionVisualizer(
        class_names=["cat", "dog", "bird"], save_dir="visualizations/predictions"
    )
    probabilities = toolkit_cnn.predict(x, verbose=0)
    predictions = probabilities.argmax(axis=1)
    targets = y
    viz.update(predictions, targets, probabilities)
    np.testing.assert_array_equal(viz.y_true, targets)
    np.testing.assert_array_equal(viz.y_pred, predictions)
    viz.plot_confusion_matrix()
    viz.plot_roc_curve()
    viz.plot_pr_curve()
    data_loader = [(x[i : i + 16], y[i : i + 16]) for i in range(0, len(x), 16)]
    table, fig = viz.analyze_misclassifications(data_loader, toolkit_cnn)
    assert sorted(table.index) == list(np.flatnonzero(predictions != targets))
    assert len(fig.axes) == min(16, len(table))
    folder = Path("visualizations/predictions")
    assert files(folder) == [
        "confusion_matrix.png", "misclassifications.csv", "misclassifications.png",
        "pr_curves.png", "roc_curves.png",
    ]  # fmt: skip


def test_real_time_plotting():
    plot = RealTimePlot(backend="plotly", title="Training Progress")
    for epoch in range(5):
        loss = 1.0 / (epoch + 1)
        plot.append("loss", epoch, loss)
        plot.update()  # Non-blocking update
    plot.save("training.html")
    assert list(plot.figure.data[0].y) == [1.0, 0.5, 1 / 3, 0.25, 0.2]
    html = Path("training.html").read_text()
    assert "Training Progress" in html and '<script src="http' not in html


def test_web_dashboard():
    server = DashboardServer(host="localhost", port=5000)
    assert (server.host, server.port) == ("localhost", 5000)
    # port 5000 may be taken on a shared machine: serve the same example on a free one
    server = DashboardServer(host="localhost", port=0)
    url = server.start()
    try:
        for epoch in range(3):
            server.update_metrics(epoch=epoch, loss=1.0 / (epoch + 1))
        with urllib.request.urlopen(url + "api/history", timeout=5) as resp:
            body = json.loads(resp.read())
        assert [r["epoch"] for r in body["records"]] == [0, 1, 2]
    finally:
        server.stop()
    assert not server.running


def test_quick_convenience_functions():
    train_loss, val_loss = [1.0, 0.6, 0.4], [1.1, 0.7, 0.5]
    fig = quick_plot_loss(train_loss, val_loss, save_path="loss.png")
    lines = {line.get_label(): line.get_ydata() for line in fig.axes[0].lines}
    np.testing.assert_allclose(lines["loss"], train_loss)
    np.testing.assert_allclose(lines["val_loss"], val_loss)
    acc_history, f1_history = [0.5, 0.7, 0.8], [0.4, 0.6, 0.75]
    metrics = {"accuracy": acc_history, "f1": f1_history}
    fig = quick_plot_metrics(metrics, save_path="metrics.png")
    assert sorted(ax.get_title() for ax in fig.axes) == ["accuracy", "f1"]
    history = {"loss": train_loss, "val_loss": val_loss, **metrics}
    create_interactive_dashboard(history, save_path="dashboard.html")
    cwd = Path.cwd()
    assert files(cwd) == ["dashboard.html", "loss.png", "metrics.png"]
    assert (cwd / "loss.png").read_bytes()[:8] == PNG


def test_readme_output_structure(toolkit_data, toolkit_cnn, toolkit_transformer):
    """The README's tree, with the toolkit's default folders under visualizations/."""
    x, y = toolkit_data
    dash = TrainingDashboard(save_dir="visualizations/dashboard", real_time=False)
    for epoch, loss in enumerate([0.9, 0.6, 0.5]):
        dash.update(epoch, {"loss": loss, "accuracy": 1 - loss})
    dash.plot_all_metrics()
    dash.save_history()
    layers = LayerVisualizer(toolkit_cnn, save_dir="visualizations/layers")
    layers.register_hooks()
    toolkit_cnn(x[:2])
    layers.plot_activations("conv1")
    layers.compute_gradients(x[:8], y[:8])
    layers.plot_weight_distribution()
    layers.plot_gradient_flow()
    model, _ = toolkit_transformer
    attention = AttentionVisualizer(model, save_dir="visualizations/attention")
    model(tm.token_ids(1))
    attention.plot_attention_heatmap()
    attention.plot_multi_head_comparison(None, 0)
    preds = PredictionVisualizer(class_names=["a", "b", "c"], save_dir="visualizations/predictions")
    proba = toolkit_cnn.predict(x, verbose=0)
    preds.update(proba.argmax(1), y, proba)
    preds.plot_confusion_matrix()
    preds.plot_roc_curve(interactive=True)
    preds.plot_pr_curve(interactive=True)
    root = Path("visualizations")
    tree = {d.name: files(d) for d in root.iterdir()}
    assert tree == {
        "dashboard": ["all_metrics.png", "training_history.json"],
        "layers": ["conv1_activations.png", "gradient_flow.png", "weight_distributions.png"],
        "attention": ["attention_heatmap.png", "multi_head_layer0.png"],
        "predictions": ["confusion_matrix.png", "pr_curves.html", "roc_curves.html"],
    }
    saved = json.loads((root / "dashboard" / "training_history.json").read_text())
    assert saved["epochs"] == [0, 1, 2] and saved["metrics"]["loss"] == [0.9, 0.6, 0.5]
    assert '<script src="http' not in (root / "predictions" / "roc_curves.html").read_text()


def test_no_gradients_yet_says_which_call_records_them(toolkit_cnn):
    with pytest.raises(InputError, match=r"loss.backward\(\).*compute_gradients\(x, y\)"):
        LayerVisualizer(toolkit_cnn).plot_gradient_flow()
