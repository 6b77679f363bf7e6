"""Figure builders of the model explorer: projections, thumbnails, activations, layer graph."""

import base64
import io

import numpy as np
import pytest
from PIL import Image

from spacekit.analyzer.figures import (
    display_image,
    make_activation_figure,
    make_layer_graph_figure,
    make_loss_projection_figure,
    make_projection_figure,
    make_thumbnail_figure,
    png_data_uri,
)
from spacekit.analyzer.figures.model_graph import layer_columns, layer_depths
from spacekit.exceptions import InputError


def _row(name, kind, inbound=()):
    return {"name": name, "type": kind, "output_shape": "(None, 2)", "params": 0,
            "inbound": list(inbound)}  # fmt: skip


def test_two_branches_stay_in_their_columns_and_join_between():
    # the SVM ensemble's shape: image branch listed first, feature branch interleaved
    rows = [
        _row("img", "InputLayer"),
        _row("conv1", "Conv3D", ["img"]),
        _row("feat", "InputLayer"),
        _row("d1", "Dense", ["feat"]),
        _row("conv2", "Conv3D", ["conv1"]),
        _row("conv3", "Conv3D", ["conv2"]),
        _row("join", "Concatenate", ["conv3", "d1"]),
        _row("out", "Dense", ["join"]),
    ]
    depth = layer_depths(rows)
    assert depth == [0, 1, 0, 1, 2, 3, 4, 5]
    x = dict(zip([r["name"] for r in rows], layer_columns(rows, depth), strict=True))
    assert x["img"] == x["conv1"] == x["conv2"] == x["conv3"] == 0.0
    assert x["feat"] == x["d1"] == 1.0
    assert x["join"] == x["out"] == 0.5
    fig = make_layer_graph_figure(rows, "g")
    assert list(fig.data[-1].customdata) == [r["name"] for r in rows]
    assert list(fig.data[-1].x) == [x[r["name"]] for r in rows]
    # edges: one segment (x0, x1, None) per inbound link
    assert len(fig.data[0].x) == 3 * 7


def test_sequential_rows_without_inbound_form_one_column():
    rows = [_row("in", "InputLayer"), _row("a", "Dense"), _row("b", "Dense")]
    depth = layer_depths(rows)
    assert depth == [0, 1, 2]
    assert layer_columns(rows, depth).tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(InputError, match="at least one layer"):
        make_layer_graph_figure([])


def test_projection_traces_per_class_carry_the_sample_index():
    xy = np.array([[0, 0], [1, 1], [2, 0], [3, 3]], dtype=float)
    fig = make_projection_figure(
        xy, [0, 1, 0, 1], ["a", "b"], index=[10, 11, 12, 13], selected=[12],
        hover={"loss": [0.1, 0.2, 0.3, 0.4]},
    )  # fmt: skip
    assert [t.name for t in fig.data] == ["a", "b"]
    assert [c[0] for c in fig.data[0].customdata] == [10, 12]
    assert [c[1] for c in fig.data[1].customdata] == [0.2, 0.4]
    assert list(fig.data[0].selectedpoints) == [1] and list(fig.data[1].selectedpoints) == []
    with pytest.raises(InputError, match=r"shape \(n, 2\)"):
        make_projection_figure(np.zeros((4, 3)), [0, 1, 0, 1], ["a", "b"])


def test_loss_projection_draws_the_hardest_last():
    loss = np.array([0.5, 3.0, 1e-9, 0.01])
    fig = make_loss_projection_figure(np.arange(8.0).reshape(4, 2), loss)
    (trace,) = fig.data
    assert trace.type == "scattergl"
    assert [c[0] for c in trace.customdata] == [2, 3, 0, 1]
    np.testing.assert_allclose(trace.marker.color, np.log10([1e-6, 0.01, 0.5, 3.0]))


def test_display_image_frames_side_by_side_and_scaling():
    frames = np.zeros((3, 4, 5, 3))
    frames[1] = 1.0
    out = display_image(frames)
    assert out.shape == (4, 15, 3) and out.dtype == np.uint8
    assert out[0, 0, 0] == 0 and out[0, 5, 0] == 255 and out[0, 10, 0] == 0
    wide = display_image(np.array([[0.0, 50.0], [100.0, 100.0]]))  # other ranges: min-max
    assert wide.tolist() == [[0, 128], [255, 255]]
    with pytest.raises(InputError, match="as an image"):
        display_image(np.zeros(7))


def test_png_data_uri_upscales_small_images():
    uri = png_data_uri(np.eye(4), min_side=16)
    assert uri.startswith("data:image/png;base64,")
    img = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    assert img.size == (16, 16)
    assert np.asarray(img)[0, 0] == 255 and np.asarray(img)[0, 15] == 0


def test_thumbnails_and_activation_lines():
    imgs = [np.full((4, 4), v) for v in (0.0, 0.5, 1.0)]
    thumbs = make_thumbnail_figure(imgs, ["a", "b", "c"], ncols=2)
    assert [t.type for t in thumbs.data] == ["image"] * 3
    vec = np.array([[0.0, 1.0, 2.0], [0.0, 1.5, 2.0]])
    fig = make_activation_figure(vec, ["q", "n"], images=imgs[:2])
    lines = [t for t in fig.data if t.type == "scatter"]
    # the query's line, then on the neighbour's row the query again (dotted) and its own
    assert [list(t.y) for t in lines] == [[0, 1, 2], [0, 1, 2], [0, 1.5, 2]]
    assert lines[1].line.dash == "dot"
    with pytest.raises(InputError, match="one name per row"):
        make_activation_figure(vec, ["q"])
