"""Similar images: nearest neighbours in a hidden layer's space, with their vectors as lines."""

from __future__ import annotations

PATH = "/similar"
NAME = "Similar images"
ORDER = 5
DESCRIPTION = (
    "Nearest neighbours of an image in a hidden layer's space; each one's activation "
    "vector is drawn as a line beside the query's."
)

#: Neighbour counts offered.
COUNTS = (4, 8, 12, 16)


def neighbours(ctx, index: int, k: int = 8, metric: str = "euclidean", layer: str | None = None):
    """Indices and distances of the ``k`` nearest samples to ``index`` in ``layer``."""
    from spacekit.dashboard.explorer.projection import nearest_neighbours

    return nearest_neighbours(ctx.features(layer), index, k, metric)


def result(ctx, index, k, metric, layer):
    """The cards and the activation figure of a query (raises InputError on bad input)."""
    from dash import dcc, html

    from spacekit.analyzer.figures import make_activation_figure
    from spacekit.dashboard.components import themed
    from spacekit.dashboard.explorer import views
    from spacekit.dashboard.explorer.projection import valid_indices
    from spacekit.exceptions import InputError

    found = valid_indices([index], len(ctx))
    if not found:
        raise InputError(f"Give an image index from 0 to {len(ctx) - 1}; received {index!r}.")
    i = found[0]
    layer = ctx.check_layer(layer)
    k = int(k) if k in COUNTS else 8
    metric = metric if metric in ("euclidean", "cosine") else "euclidean"
    idx, dist = neighbours(ctx, i, k, metric, layer)
    feats = ctx.features(layer)
    rows = [i, *idx.tolist()]
    names = [f"query #{i}: label {ctx.row(i)['label']}, predicted {ctx.row(i)['prediction']}"]
    names += [
        f"#{j}: label {ctx.row(j)['label']}, predicted {ctx.row(j)['prediction']}, distance {d:.3g}"
        for j, d in zip(idx.tolist(), dist.tolist(), strict=True)
    ]
    fig = make_activation_figure(
        feats[rows],
        names,
        images=[ctx.data.images[j] for j in rows],
        title=f"Activation vectors of layer {layer!r} ({feats.shape[1]} units); dotted: the query",
    )
    notes = ["query"] + [f"{metric} {d:.3g}" for d in dist.tolist()]
    return html.Div(
        [
            views.image_cards(ctx, rows, notes),
            dcc.Graph(id="x-sim-lines", figure=themed(fig), config={"displaylogo": False}),
        ]
    )


def layout(ctx, index=None, **_query):
    from dash import dcc, html

    from spacekit.dashboard.explorer import views
    from spacekit.dashboard.explorer.projection import valid_indices

    start = valid_indices([index], len(ctx)) if index is not None else []
    value = start[0] if start else 0
    return html.Div(
        [
            html.H2("Similar images"),
            html.P(
                "Give an image index (or use “Similar images →” after clicking a point). "
                "Its nearest neighbours in the chosen layer's space are listed, nearest "
                "first; below, each one's activation vector is drawn as a line over the "
                "query's (dotted), so the similarity is visible unit by unit.",
                className="sk-lead",
            ),
            html.Div(
                [
                    html.Div(
                        [
                            html.Label(f"Image index (0-{len(ctx) - 1})"),
                            dcc.Input(
                                id="x-sim-index",
                                type="number",
                                min=0,
                                max=len(ctx) - 1,
                                step=1,
                                value=value,
                                debounce=True,
                            ),
                        ],
                        className="sk-field",
                    ),
                    html.Div(
                        [
                            html.Label("Neighbours"),
                            dcc.Dropdown(
                                id="x-sim-k", options=list(COUNTS), value=8, clearable=False
                            ),
                        ],
                        className="sk-field",
                    ),
                    html.Div(
                        [
                            html.Label("Distance"),
                            dcc.RadioItems(
                                id="x-sim-metric",
                                options=["euclidean", "cosine"],
                                value="euclidean",
                                inline=True,
                            ),
                        ],
                        className="sk-field",
                    ),
                    html.Div(
                        [html.Label("Hidden layer"), views.layer_dropdown(ctx, "x-sim-layer")],
                        className="sk-field",
                    ),
                ],
                className="sk-row",
            ),  # fmt: skip
            views.loading(html.Div(id="x-sim-result"), "Finding neighbours…"),
        ]
    )


def register_callbacks(app, ctx):
    from dash import Input, Output

    from spacekit.dashboard.components import guarded

    @app.callback(
        Output("x-sim-result", "children"),
        Input("x-sim-index", "value"),
        Input("x-sim-k", "value"),
        Input("x-sim-metric", "value"),
        Input("x-sim-layer", "value"),
    )
    @guarded(1)
    def _similar(index, k, metric, layer):
        return result(ctx, index, k, metric, layer)
