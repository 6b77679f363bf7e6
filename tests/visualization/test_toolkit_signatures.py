"""Every signature of the dashboard toolkit (research notes §A.5), positionally and by keyword.

``DOCUMENTED`` is the toolkit's API: parameter names, order and defaults. ``DIFFERENCES``
lists each default spacekit changes on purpose; the same list is on the docs'
differences page. Then every method is called both ways with tiny Keras models and the
results (figures, files, numbers) are compared.
"""

import inspect
import threading
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
from spacekit.visualization.server import read_history  # noqa: E402

REQ = inspect.Parameter.empty

DOCUMENTED = {
    "RealTimePlot": [("backend", "matplotlib"), ("figsize", (12, 6)),
                     ("title", "Training Visualization")],
    "RealTimePlot.add_line": [("name", REQ), ("x", None), ("y", None)],
    "RealTimePlot.add_scatter": [("name", REQ), ("x", REQ), ("y", REQ)],
    "RealTimePlot.append": [("name", REQ), ("x", REQ), ("y", REQ)],
    "RealTimePlot.save": [("path", REQ)],
    "LayerVisualizer": [("model", REQ), ("save_dir", "visualizations/layers")],
    "LayerVisualizer.register_hooks": [("layer_names", None)],
    "LayerVisualizer.plot_activations": [("layer_name", REQ), ("max_channels", 16),
                                         ("save_path", None), ("interactive", False)],
    "LayerVisualizer.plot_weight_distribution": [("max_layers", 12), ("save_path", None),
                                                 ("interactive", False)],
    "LayerVisualizer.plot_gradient_flow": [("save_path", None), ("interactive", False)],
    "LayerVisualizer.plot_feature_map_grid": [("layer_name", REQ), ("input_data", REQ),
                                              ("save_path", None)],
    "AttentionVisualizer": [("model", REQ), ("save_dir", "visualizations/attention")],
    "AttentionVisualizer.set_tokens": [("tokens", REQ)],
    "AttentionVisualizer.plot_attention_heatmap": [
        ("attention_weights", None), ("layer_idx", 0), ("head_idx", None), ("save_path", None),
        ("interactive", False)],
    "AttentionVisualizer.plot_attention_rollout": [
        ("attention_weights", None), ("discard_ratio", 0.9), ("save_path", None),
        ("interactive", False)],
    "AttentionVisualizer.plot_multi_head_comparison": [
        ("attention_weights", REQ), ("layer_idx", 0), ("max_heads", 8), ("save_path", None)],
    "AttentionVisualizer.visualize_bert_attention": [("input_ids", REQ), ("tokenizer", REQ),
                                                     ("save_path", None)],
    "PredictionVisualizer": [("class_names", None), ("num_classes", None),
                             ("save_dir", "visualizations/predictions")],
    "PredictionVisualizer.update": [("predictions", REQ), ("targets", REQ),
                                    ("probabilities", None)],
    "PredictionVisualizer.plot_confusion_matrix": [("normalize", False), ("save_path", None),
                                                   ("interactive", False)],
    "PredictionVisualizer.plot_roc_curve": [("save_path", None), ("interactive", False)],
    "PredictionVisualizer.plot_pr_curve": [("save_path", None), ("interactive", False)],
    "PredictionVisualizer.analyze_misclassifications": [
        ("data_loader", REQ), ("model", REQ), ("device", "cuda"), ("max_samples", 16),
        ("save_path", None)],
    "TrainingDashboard": [("save_dir", "visualizations/dashboard"), ("real_time", True),
                          ("backend", "matplotlib"), ("update_interval", 1),
                          ("metrics_to_plot", None), ("interactive", False)],
    "TrainingDashboard.update": [("epoch", REQ), ("logs", REQ)],
    "TrainingDashboard.plot_all_metrics": [("save_path", None)],
    "TrainingDashboard.save_history": [("filepath", None)],
    "TrainingDashboard.load_history": [("filepath", REQ)],
    "TrainingDashboard.get_summary": [],
    "TrainingDashboard.print_summary": [],
    "DashboardCallback": [("dashboard", REQ), ("save_on_epoch", True)],
    "DashboardServer": [("host", "localhost"), ("port", 5000),
                        ("save_dir", "visualizations/server")],
    "DashboardServer.start": [("blocking", False)],
    "DashboardServer.update_plots": [("plot_data", REQ)],
    "quick_plot_loss": [("train_loss", REQ), ("val_loss", None), ("save_path", "loss.png")],
    "create_interactive_dashboard": [("history", REQ), ("save_path", "dashboard.html")],
}  # fmt: skip

# Deliberate differences (docs/differences.rst, "From the dashboard toolkit").
DIFFERENCES = {
    # nothing is written to the working directory unless asked for
    ("LayerVisualizer", "save_dir"): None,
    ("AttentionVisualizer", "save_dir"): None,
    ("PredictionVisualizer", "save_dir"): None,
    ("TrainingDashboard", "save_dir"): None,
    ("DashboardServer", "save_dir"): None,
    ("quick_plot_loss", "save_path"): None,
    # the same loopback address, without depending on name resolution
    ("DashboardServer", "host"): "127.0.0.1",
    # Keras places tensors itself
    ("PredictionVisualizer.analyze_misclassifications", "device"): None,
    # optional where spacekit has a second way to give the same thing
    ("AttentionVisualizer", "model"): None,  # arrays only
    ("LayerVisualizer.plot_activations", "layer_name"): None,  # overview of all layers
    ("LayerVisualizer.plot_feature_map_grid", "input_data"): None,  # x= channel grid
    ("AttentionVisualizer.plot_multi_head_comparison", "attention_weights"): None,  # hooks
    ("PredictionVisualizer.update", "predictions"): None,  # y_true=/y_pred=
    ("PredictionVisualizer.update", "targets"): None,
    ("PredictionVisualizer.analyze_misclassifications", "data_loader"): None,  # update()
    ("PredictionVisualizer.analyze_misclassifications", "model"): None,
    ("TrainingDashboard.update", "logs"): None,
    ("RealTimePlot.add_scatter", "x"): None,
    ("RealTimePlot.add_scatter", "y"): None,
}

OBJECTS = {
    "RealTimePlot": RealTimePlot,
    "LayerVisualizer": LayerVisualizer,
    "AttentionVisualizer": AttentionVisualizer,
    "PredictionVisualizer": PredictionVisualizer,
    "TrainingDashboard": TrainingDashboard,
    "DashboardCallback": DashboardCallback,
    "DashboardServer": DashboardServer,
    "quick_plot_loss": quick_plot_loss,
    "create_interactive_dashboard": create_interactive_dashboard,
}


def _resolve(name):
    owner, _, attr = name.partition(".")
    obj = OBJECTS[owner]
    return getattr(obj, attr) if attr else obj


@pytest.mark.parametrize("name", sorted(DOCUMENTED))
def test_documented_signature(name):
    params = [p for p in inspect.signature(_resolve(name)).parameters.values() if p.name != "self"]
    documented = DOCUMENTED[name]
    assert [p.name for p in params[: len(documented)]] == [n for n, _ in documented]
    for p, (pname, default) in zip(params, documented, strict=False):
        expected = DIFFERENCES.get((name, pname), default)
        assert p.default == expected, f"{name}({pname}=...)"
        assert p.kind in (p.POSITIONAL_OR_KEYWORD, p.POSITIONAL_ONLY), f"{name}({pname})"
    for p in params[len(documented) :]:  # spacekit's extras never shift positional calls
        assert p.kind in (p.KEYWORD_ONLY, p.VAR_KEYWORD, p.VAR_POSITIONAL) or p.default is not REQ


def test_differences_are_documented():
    text = (Path(__file__).parents[2] / "docs" / "differences.rst").read_text()
    for owner, pname in DIFFERENCES:
        assert f"``{pname}``" in text, f"{owner}({pname}) is not on docs/differences.rst"


def files(folder):
    return sorted(p.name for p in Path(folder).iterdir())


def both(tmp_path, kind):
    return tmp_path / "pos" / kind, tmp_path / "kw" / kind


def test_layer_visualizer_both_ways(tmp_path, toolkit_data, toolkit_cnn):
    x, y = toolkit_data
    d_pos, d_kw = both(tmp_path, "layers")
    pos = LayerVisualizer(toolkit_cnn, d_pos)
    kw = LayerVisualizer(model=toolkit_cnn, save_dir=d_kw)
    pos.register_hooks(["conv1", "conv2"])
    kw.register_hooks(layer_names=["conv1", "conv2"])
    toolkit_cnn(x[:3])  # both visualizers record the same forward pass
    np.testing.assert_array_equal(pos.activations_["conv2"], kw.activations_["conv2"])
    f_pos = pos.plot_activations("conv2", 2, tmp_path / "a.png", False)
    f_kw = kw.plot_activations(
        layer_name="conv2", max_channels=2, save_path=tmp_path / "b.png", interactive=False
    )
    for fig in (f_pos, f_kw):
        assert len(fig.axes) == 2
        np.testing.assert_allclose(
            fig.axes[1].images[0].get_array(), pos.activations_["conv2"][0, ..., 1]
        )
    pos.plot_activations("conv1", 16, None, True)
    kw.plot_activations(layer_name="conv1", max_channels=16, save_path=None, interactive=True)
    for fig in (
        pos.plot_weight_distribution(1, None, True),
        kw.plot_weight_distribution(max_layers=1, save_path=None, interactive=True),
    ):
        assert {t.name for t in fig.data} == {"kernel", "bias"}  # one layer: conv1
    pos.compute_gradients(x[:4], y[:4])
    kw.compute_gradients(x[:4], y[:4])
    g_pos = pos.plot_gradient_flow(None, True)
    g_kw = kw.plot_gradient_flow(save_path=None, interactive=True)
    assert list(g_pos.data[0].y) == list(g_kw.data[0].y)
    f_pos = pos.plot_feature_map_grid("conv1", x[0], None)
    f_kw = kw.plot_feature_map_grid(layer_name="conv1", input_data=x[0], save_path=None)
    for fig in (f_pos, f_kw):
        assert [ax.get_title() for ax in fig.axes] == [f"ch {c}" for c in range(6)]
        assert len(fig.axes[0].images) == 2  # the image, and the map over it
        np.testing.assert_allclose(fig.axes[0].images[0].get_array(), x[0, ..., 0] / x[0].max())
    expected = ["conv1_activations.html", "conv1_overlays.png", "conv2_activations.png",
                "gradient_flow.html", "weight_distributions.html"]  # fmt: skip
    assert files(d_pos) == files(d_kw) == [e for e in expected if e != "conv2_activations.png"]
    assert (tmp_path / "a.png").is_file() and (tmp_path / "b.png").is_file()
    pos.remove_hooks()
    kw.remove_hooks()
    assert "call" not in vars(toolkit_cnn)


def test_attention_visualizer_both_ways(tmp_path, toolkit_transformer):
    model, with_scores = toolkit_transformer
    ids = tm.token_ids(2)
    att = np.stack([keras.ops.convert_to_numpy(s) for s in with_scores(ids)[1:]])
    tokens = tm.PixelTokenizer().convert_ids_to_tokens(ids[0])
    d_pos, d_kw = both(tmp_path, "attention")
    pos = AttentionVisualizer(model, d_pos)
    kw = AttentionVisualizer(model=model, save_dir=d_kw)
    pos.set_tokens(tokens)
    kw.set_tokens(tokens=tokens)
    # the same attention as a stacked array, as one tensor per layer, and as tensor objects
    forms = {
        "stacked": att,
        "per_layer": list(att),
        "tensors": tuple(tm.FakeTensor(a) for a in att),
    }
    for form in forms.values():
        f = pos.plot_attention_heatmap(form, 1, 0, None, True)
        np.testing.assert_allclose(np.array(f.data[0].z), att[1, 0, 0])
    f = kw.plot_attention_heatmap(
        attention_weights=tm.FakeTensor(att), layer_idx=1, head_idx=0, save_path=None,
        interactive=True,
    )  # fmt: skip
    np.testing.assert_allclose(np.array(f.data[0].z), att[1, 0, 0])
    for f in (
        pos.plot_attention_rollout(att, 0.5, None, False),
        kw.plot_attention_rollout(
            attention_weights=att, discard_ratio=0.5, save_path=None, interactive=False
        ),
    ):
        np.testing.assert_allclose(f.axes[0].images[0].get_array(), attention_rollout(att, 0.5)[0])
    for f in (
        pos.plot_multi_head_comparison(att, 0, 1, None),
        kw.plot_multi_head_comparison(
            attention_weights=att, layer_idx=0, max_heads=1, save_path=None
        ),
    ):
        assert [ax.get_title() for ax in f.axes if ax.images] == ["head 0"]
    for f in (
        pos.visualize_bert_attention(ids, tm.PixelTokenizer(), None),
        kw.visualize_bert_attention(input_ids=ids, tokenizer=tm.PixelTokenizer(), save_path=None),
    ):
        panels = [ax for ax in f.axes if ax.images]
        assert [ax.get_title() for ax in panels] == ["attn0", "attn1"]
        np.testing.assert_allclose(panels[1].images[0].get_array(), att[1, 0].mean(0), atol=1e-6)
        assert [t.get_text() for t in panels[0].get_xticklabels()] == tokens
    expected = ["attention_heatmap.html", "attention_rollout.png", "bert_attention_all_layers.png",
                "multi_head_layer0.png"]  # fmt: skip
    assert files(d_pos) == files(d_kw) == expected


def test_attention_errors_say_what_to_do(toolkit_transformer):
    model, _ = toolkit_transformer
    viz = AttentionVisualizer(model)
    with pytest.raises(InputError, match="No attention yet: call the model"):
        viz.plot_attention_rollout()
    with pytest.raises(InputError, match="first argument"):
        viz.plot_attention_heatmap(0, 1)
    with pytest.raises(InputError, match="wrap it in a list"):
        viz.plot_attention_heatmap(np.ones((1, 2, 4, 4)) / 4)


def _predictions(cnn, x):
    proba = cnn.predict(x, verbose=0)
    return proba.argmax(1), proba


def test_prediction_visualizer_both_ways(tmp_path, toolkit_data, toolkit_cnn):
    x, y = toolkit_data
    pred, proba = _predictions(toolkit_cnn, x)
    d_pos, d_kw = both(tmp_path, "predictions")
    pos = PredictionVisualizer(["a", "b", "c"], None, d_pos)
    kw = PredictionVisualizer(class_names=["a", "b", "c"], num_classes=None, save_dir=d_kw)
    pos.update(pred, y, proba)
    kw.update(predictions=pred, targets=y, probabilities=proba)
    hand = np.zeros((3, 3), int)
    for t, p in zip(y, pred, strict=True):
        hand[t, p] += 1
    np.testing.assert_array_equal(pos.confusion_matrix(), hand)
    np.testing.assert_array_equal(kw.confusion_matrix(), hand)
    pos.plot_confusion_matrix(True, None, False)
    kw.plot_confusion_matrix(normalize=True, save_path=None, interactive=False)
    for viz in (pos, kw):
        fig = viz.plot_roc_curve(None, True) if viz is pos else viz.plot_roc_curve(
            save_path=None, interactive=True)  # fmt: skip
        assert [t.name.split(" ")[0] for t in fig.data[:3]] == ["a", "b", "c"]
    pos.plot_pr_curve(None, True)
    kw.plot_pr_curve(save_path=None, interactive=True)
    loader = [(x[i : i + 10], y[i : i + 10]) for i in range(0, len(x), 10)]
    t_pos, g_pos = pos.analyze_misclassifications(loader, toolkit_cnn, "cuda", 4, None)
    t_kw, g_kw = kw.analyze_misclassifications(
        data_loader=loader, model=toolkit_cnn, device="cuda", max_samples=4, save_path=None
    )
    wrong = np.flatnonzero(pred != y)
    assert sorted(t_pos.index) == sorted(t_kw.index) == list(wrong)
    assert len(g_pos.axes) == len(g_kw.axes) == min(4, len(wrong))
    expected = ["confusion_matrix_norm.png", "misclassifications.csv",
                "misclassifications.png", "pr_curves.html", "roc_curves.html"]  # fmt: skip
    assert files(d_pos) == files(d_kw) == expected
    assert pos._n == len(y)  # the loader's predictions are analysed, not accumulated


def test_misclassifications_from_any_data_loader(toolkit_data, toolkit_cnn):
    import tensorflow as tf

    x, y = toolkit_data
    pred, _ = _predictions(toolkit_cnn, x)
    wrong = list(np.flatnonzero(pred != y))

    class Batches(keras.utils.PyDataset):
        def __init__(self):
            super().__init__()

        def __len__(self):
            return 3

        def __getitem__(self, i):
            return x[16 * i : 16 * (i + 1)], y[16 * i : 16 * (i + 1)]

    loaders = {
        "list": [(x[:20], y[:20]), (x[20:], y[20:])],
        "generator": ((x[i : i + 7], y[i : i + 7]) for i in range(0, len(x), 7)),
        "tf.data": tf.data.Dataset.from_tensor_slices((x, y)).batch(9),
        "PyDataset": Batches(),
        "arrays": (x, y),
        "one-hot targets": [(x, keras.utils.to_categorical(y, 3))],
    }
    viz = PredictionVisualizer(num_classes=3)
    for name, loader in loaders.items():
        table, _ = viz.analyze_misclassifications(loader, toolkit_cnn, max_samples=2)
        assert sorted(table.index) == wrong, name
        assert table["confidence"].is_monotonic_decreasing, name
    with pytest.raises(InputError, match=r"expected \(x, y\) pairs"):
        viz.analyze_misclassifications([x[:3]], toolkit_cnn)
    with pytest.raises(InputError, match="needs the model"):
        viz.analyze_misclassifications(loaders["list"])


def test_training_dashboard_and_callback_both_ways(tmp_path, capsys):
    d_pos, d_kw = both(tmp_path, "dashboard")
    pos = TrainingDashboard(d_pos, False, "matplotlib", 2, ["loss"], True)
    kw = TrainingDashboard(
        save_dir=d_kw, real_time=False, backend="matplotlib", update_interval=2,
        metrics_to_plot=["loss"], interactive=True,
    )  # fmt: skip
    logs = [{"loss": 0.9, "accuracy": 0.5}, {"loss": 0.4, "accuracy": 0.8}, {"loss": 0.6}]
    for epoch, log in enumerate(logs):
        pos.update(epoch, log)
        kw.update(epoch=epoch, logs=log)
    f_pos = pos.plot_all_metrics(tmp_path / "p.png")
    f_kw = kw.plot_all_metrics(save_path=tmp_path / "k.png")
    assert [ax.get_title() for ax in f_pos.axes] == [ax.get_title() for ax in f_kw.axes] == ["loss"]
    pos.plot_all_metrics()
    path = pos.save_history()
    kw.save_history(filepath=tmp_path / "kw.json")
    assert files(d_pos) == ["all_metrics.html", "all_metrics.png", "training_history.json"]
    for loaded in (
        TrainingDashboard().load_history(path),
        TrainingDashboard().load_history(filepath=tmp_path / "kw.json"),
        TrainingDashboard.load_history(path),
    ):
        assert loaded.epochs == [0, 1, 2] and loaded.metrics["loss"] == [0.9, 0.4, 0.6]
    summary = pos.get_summary()
    assert summary["loss"] == {**summary["metrics"]["loss"]}
    assert (summary["loss"]["min"], summary["loss"]["max"], summary["loss"]["last"]) == (
        0.4,
        0.9,
        0.6,
    )
    assert summary["loss"]["mean"] == pytest.approx(1.9 / 3)
    assert summary["loss"]["best_epoch"] == 1 and summary["accuracy"]["best_epoch"] == 1
    text = pos.print_summary()
    assert "loss" in capsys.readouterr().out and "accuracy" in text

    class Trainer:  # the toolkit's trainer calls on_epoch_end(trainer, epoch, logs)
        pass

    dash = TrainingDashboard(save_dir=tmp_path / "cb" / "dashboard", real_time=False)
    for cb in (
        DashboardCallback(dash, True),
        DashboardCallback(dashboard=dash, save_on_epoch=False),
    ):
        cb.on_epoch_end(Trainer(), 7 + len(dash.epochs), {"loss": 0.5})
        cb.on_train_end(Trainer())
    assert dash.epochs == [7, 8]
    assert files(tmp_path / "cb" / "dashboard") == ["all_metrics.png", "training_history.json"]


def test_dashboard_server_both_ways(tmp_path):
    d_pos, d_kw = both(tmp_path, "server")
    servers = [
        DashboardServer("localhost", 0, d_pos),
        DashboardServer(host="localhost", port=0, save_dir=d_kw),
    ]
    servers[0].start(False)
    servers[1].start(blocking=False)
    for s in servers:
        s.update_metrics(epoch=1, loss=0.5)
        s.update_plots({"curve": {"y": [1, 2]}})
        s.update_plots(plot_data={"curve": {"y": [1, 3]}})
        s.stop()
    for folder in (d_pos, d_kw):
        assert files(folder) == ["server_history.json", "server_plots.json"]
        assert read_history(folder / "server_history.json")["metrics"]["loss"] == [0.5]
    blocking = DashboardServer(port=0)
    threading.Timer(0.3, blocking.stop).start()
    assert blocking.start(True).startswith("http://127.0.0.1:")
    assert not blocking.running


def test_quick_functions_both_ways(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    train, val = [1.0, 0.5, 0.3], [1.2, 0.6, 0.5]
    for fig in (
        quick_plot_loss(train, val, "l1.png"),
        quick_plot_loss(train_loss=train, val_loss=val, save_path="l2.png"),
    ):
        lines = {line.get_label(): list(line.get_ydata()) for line in fig.axes[0].lines}
        assert lines["loss"] == train and lines["val_loss"] == val
    metrics = {"accuracy": [0.5, 0.7, 0.9], "f1": [0.4, 0.6, 0.8]}
    for fig in (
        quick_plot_metrics(metrics, "m1.png"),
        quick_plot_metrics(metrics=metrics, save_path="m2.png"),
    ):
        assert sorted(ax.get_title() for ax in fig.axes) == ["accuracy", "f1"]
    create_interactive_dashboard(metrics, "d1.html")
    create_interactive_dashboard(history=metrics, save_path="d2.html")
    create_interactive_dashboard(metrics)  # the documented default file name
    assert files(tmp_path) == ["d1.html", "d2.html", "dashboard.html", "l1.png", "l2.png",
                               "m1.png", "m2.png"]  # fmt: skip


def test_real_time_plot_both_ways(tmp_path):
    plots = [
        RealTimePlot("plotly", (6, 3), "t"),
        RealTimePlot(backend="plotly", figsize=(6, 3), title="t"),
    ]
    plots[0].add_line("a", [0, 1], [1, 2], color="red")
    plots[1].add_line(name="a", x=[0, 1], y=[1, 2], color="red")
    plots[0].add_scatter("s", [0], [3])
    plots[1].add_scatter(name="s", x=[0], y=[3])
    plots[0].append("a", 2, 3)
    plots[1].append(name="a", x=2, y=3)
    for p in plots:
        p.update()
        p.show()
        assert list(p.figure.data[0].y) == [1, 2, 3] and p.figure.data[0].line.color == "red"
        assert p.figure.layout.width == 600 and p.figure.layout.title.text == "t"
    plots[0].save(tmp_path / "p.html")
    plots[1].save(path=tmp_path / "k.html")
    plots[0].clear()
    assert plots[0].series == {}
    assert RealTimePlot().figure.get_size_inches().tolist() == [12, 6]
