"""``spacekit explore``: bad input exits 2 with a message; good input serves the app."""

import pytest
from click.testing import CliRunner

from spacekit.cli import main


@pytest.fixture(scope="module")
def model_file(explorer_ctx, tmp_path_factory):
    path = tmp_path_factory.mktemp("explore_cli") / "digits_cnn.keras"
    explorer_ctx.model.save(path)
    return path


def test_unknown_data_exits_2_with_the_choices(tmp_path):
    res = CliRunner().invoke(main, ["explore", "--data", "cifar", "--cache-dir", str(tmp_path)])
    assert res.exit_code == 2
    assert "Error: Unknown data 'cifar'" in res.output and "'digits'" in res.output


def test_unknown_layer_lists_the_layers(model_file, tmp_path):
    res = CliRunner().invoke(
        main, ["explore", str(model_file), "--layer", "fc7", "--max-samples", "20",
               "--cache-dir", str(tmp_path)],
    )  # fmt: skip
    assert res.exit_code == 2
    assert "no layer named 'fc7'" in res.output and "'hidden'" in res.output


def test_not_a_model_file(tmp_path):
    bad = tmp_path / "model.keras"
    bad.write_bytes(b"not a zip")
    res = CliRunner().invoke(main, ["explore", str(bad), "--cache-dir", str(tmp_path)])
    assert res.exit_code == 2
    assert "Cannot load the Keras model" in res.output


def test_explore_serves_on_localhost(model_file, tmp_path, monkeypatch):
    import spacekit.dashboard.server as server

    served = {}

    def fake_serve(app, host, port, debug, on_start, allowed_hosts):
        served.update(app=app, host=host, port=port, debug=debug, allowed=allowed_hosts)
        on_start(f"http://{host}:{port}/")

    monkeypatch.setattr(server, "serve", fake_serve)
    res = CliRunner().invoke(
        main, ["explore", str(model_file), "--max-samples", "40", "--port", "0",
               "--cache-dir", str(tmp_path), "--allow-host", "box.local"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert served["allowed"] == ("box.local",)
    assert served["host"] == "127.0.0.1" and served["debug"] is False
    assert "digits_cnn.keras on scikit-learn digits: 40 images, 10 classes" in res.output
    assert "Serving at http://127.0.0.1:0/" in res.output
    assert served["app"].spacekit_context.layer == "hidden"
    assert not list(tmp_path.glob("models/*"))  # a given model is never retrained
