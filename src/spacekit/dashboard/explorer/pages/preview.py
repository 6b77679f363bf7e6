"""Model preview: the layer table and graph; the data set's classes, counts and samples."""

from __future__ import annotations

import numpy as np

PATH = "/"
NAME = "Model"
ORDER = 0
DESCRIPTION = "Layers of the model as a table and a graph; classes, counts and sample images."

_PER_CLASS = 4
_MAX_THUMBS = 40


def summary_rows(ctx) -> list[tuple[str, str]]:
    """Facts shown at the top of the page."""
    rows = [
        ("model", ctx.model_name),
        ("input", f"{ctx.info.input_shape} (one sample)"),
    ]
    if ctx.info.feature_width is not None:
        names = ", ".join(ctx.data.feature_names or ())
        scale = "raw features, pixels 0-255" if not ctx.norm else "normalised, pixels 0-1"
        rows.append(
            ("feature input", f"{ctx.info.feature_width} features ({names}); norm={ctx.norm}: "
             f"{scale}")
        )  # fmt: skip
    rows += [
        ("output", f"{ctx.info.n_classes} classes ({ctx.info.output})"),
        ("parameters", f"{ctx.model.count_params():,}"),
        ("data", f"{ctx.data.source}: {len(ctx):,} images of shape {ctx.data.image_shape}"),
        ("accuracy", f"{ctx.accuracy:.3f} on all {len(ctx):,} images"),
    ]
    if ctx.data.split is not None:
        for part in ("train", "test"):
            mask = ctx.data.split == part
            if mask.any():
                acc = float(np.mean(ctx.predicted[mask] == ctx.data.labels[mask]))
                rows.append((f"{part} accuracy", f"{acc:.3f} ({int(mask.sum()):,} images)"))
    rows.append(("hidden layer", f"{ctx.layer} (default for the projections)"))
    return rows


def class_rows(ctx) -> list[list[str]]:
    """Per class: name, count, share, accuracy, mean loss."""
    rows = []
    n = len(ctx)
    for k, name in enumerate(ctx.classes):
        mask = ctx.data.labels == k
        m = int(mask.sum())
        acc = float(np.mean(ctx.predicted[mask] == k)) if m else float("nan")
        loss = float(ctx.loss[mask].mean()) if m else float("nan")
        rows.append([name, f"{m:,}", f"{m / n:.1%}", f"{acc:.3f}", f"{loss:.3g}"])
    return rows


def sample_indices(ctx, per_class: int = _PER_CLASS, limit: int = _MAX_THUMBS) -> list[int]:
    """The first ``per_class`` images of each class, at most ``limit`` in all."""
    out = []
    per_class = max(1, min(per_class, limit // max(1, len(ctx.classes))))
    for k in range(len(ctx.classes)):
        out.extend(np.flatnonzero(ctx.data.labels == k)[:per_class].tolist())
    return out[:limit]


def layout(ctx, **_query):
    from dash import dcc, html

    from spacekit.analyzer.figures import make_layer_graph_figure, make_thumbnail_figure
    from spacekit.dashboard.components import themed
    from spacekit.dashboard.explorer.model import layer_rows

    layers = layer_rows(ctx.model)
    table = html.Table(
        [html.Tr([html.Th(h) for h in ("layer", "type", "output shape", "parameters")])]
        + [
            html.Tr(
                [html.Td(r["name"]), html.Td(r["type"]),
                 html.Td(r["output_shape"], className="sk-x-nowrap"), html.Td(f"{r['params']:,}")],
                className="sk-x-chosen" if r["name"] == ctx.layer else None,
            )
            for r in layers
        ],
        className="sk-table",
        id="x-layer-table",
    )  # fmt: skip
    picks = sample_indices(ctx)
    thumbs = make_thumbnail_figure(
        [ctx.data.images[i] for i in picks],
        [f"{ctx.classes[ctx.data.labels[i]]} (#{i})" for i in picks],
        ncols=min(10, max(4, len(ctx.classes))),
        title="Sample images (label, index)",
    )
    return html.Div(
        [
            html.H2("Model and data"),
            html.Table(
                [html.Tr([html.Th(k), html.Td(v)]) for k, v in summary_rows(ctx)],
                className="sk-table",
                id="x-summary",
            ),
            html.Div(
                [
                    html.Div([html.H3("Layers"), table], className="sk-panel sk-x-scroll"),
                    html.Div(
                        dcc.Graph(
                            id="x-model-graph",
                            figure=themed(make_layer_graph_figure(layers, "Graph of the model")),
                            config={"displaylogo": False},
                        ),
                        className="sk-panel",
                    ),
                ],
                className="sk-grid2",
            ),
            html.H3("Classes"),
            html.Table(
                [
                    html.Tr(
                        [html.Th(h) for h in ("class", "images", "share", "accuracy", "mean loss")]
                    )
                ]
                + [html.Tr([html.Td(c) for c in row]) for row in class_rows(ctx)],
                className="sk-table",
                id="x-class-table",
            ),
            dcc.Graph(id="x-samples", figure=themed(thumbs), config={"displaylogo": False}),
        ]
    )
