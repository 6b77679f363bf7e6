"""Hard examples: the projection coloured by per-sample loss, and the hardest images first."""

from __future__ import annotations

import numpy as np

PATH = "/hard"
NAME = "Hard examples"
ORDER = 2
DESCRIPTION = (
    "The projection coloured by per-sample loss; the highest-loss images first (label "
    "noise, odd images, confusable classes)."
)

#: Which samples the gallery lists.
SHOW = {"all": "all", "wrong": "misclassified", "right": "correctly classified"}


def hardest(ctx, which: str = "all", count: int = 24, klass: int | None = None) -> list[int]:
    """Indices of the ``count`` highest-loss samples (``which``: all, wrong, right)."""
    if which not in SHOW:
        from spacekit.exceptions import InputError

        raise InputError(f"Unknown choice {which!r}; one of {list(SHOW)}.")
    mask = np.ones(len(ctx), dtype=bool)
    if which == "wrong":
        mask = ctx.predicted != ctx.data.labels
    elif which == "right":
        mask = ctx.predicted == ctx.data.labels
    if klass is not None:
        mask &= ctx.data.labels == klass
    idx = np.flatnonzero(mask)
    order = idx[np.argsort(-ctx.loss[idx], kind="stable")]
    return order[: max(1, int(count))].tolist()


def layout(ctx, **_query):
    from dash import dcc, html

    from spacekit.dashboard.explorer import views

    class_options = [{"label": "every class", "value": -1}] + [
        {"label": name, "value": k} for k, name in enumerate(ctx.classes)
    ]
    return html.Div(
        [
            html.H2("Hard examples"),
            html.P(
                "Colour is the per-sample cross-entropy, -log p(true class): bright points "
                "are the images the model finds hardest. Click a point to see it.",
                className="sk-lead",
            ),
            html.Div(
                [
                    html.Div(
                        [html.Label("Method"), views.method_dropdown("x-hard-method")],
                        className="sk-field",
                    ),
                    html.Div(
                        [
                            html.Label("Space"),
                            views.layer_dropdown(ctx, "x-hard-layer", with_input=True),
                        ],
                        className="sk-field",
                    ),
                    html.Div(
                        [
                            html.Label("Show"),
                            dcc.Dropdown(
                                id="x-hard-which",
                                options=[{"label": v, "value": k} for k, v in SHOW.items()],
                                value="all",
                                clearable=False,
                            ),
                        ],
                        className="sk-field",
                    ),
                    html.Div(
                        [
                            html.Label("Class"),
                            dcc.Dropdown(
                                id="x-hard-class", options=class_options, value=-1, clearable=False
                            ),
                        ],
                        className="sk-field",
                    ),
                    html.Div(
                        [
                            html.Label("How many"),
                            dcc.Dropdown(
                                id="x-hard-count",
                                options=[12, 24, 48, 96],
                                value=24,
                                clearable=False,
                            ),
                        ],
                        className="sk-field",
                    ),
                ],
                className="sk-row",
            ),  # fmt: skip
            html.Div(id="x-hard-status"),
            html.Div(
                [
                    html.Div(
                        views.loading(
                            dcc.Graph(id="x-hard-graph", config={"displaylogo": False}),
                            f"Computing the projection of {len(ctx):,} samples…",
                        ),
                        className="sk-panel",
                    ),
                    html.Div(
                        [
                            html.H3("Clicked"),
                            html.Div(
                                id="x-hard-detail",
                                children=html.P("Click a point.", className="sk-lead"),
                            ),
                        ],
                        className="sk-panel",
                    ),
                ],
                className="sk-x-split sk-x-wide",
            ),  # fmt: skip
            html.H3("Hardest first"),
            html.Div(id="x-hard-gallery"),
        ]
    )


def register_callbacks(app, ctx):
    from dash import Input, Output

    from spacekit.dashboard.components import guarded
    from spacekit.dashboard.explorer import views

    @app.callback(
        Output("x-hard-graph", "figure"),
        Output("x-hard-status", "children"),
        Input("x-hard-method", "value"),
        Input("x-hard-layer", "value"),
    )
    @guarded(2)
    def _figure(method, space):
        from dash import html

        return views.loss_figure(ctx, space or ctx.layer, method), html.Div()

    @app.callback(
        Output("x-hard-gallery", "children"),
        Input("x-hard-which", "value"),
        Input("x-hard-class", "value"),
        Input("x-hard-count", "value"),
    )
    @guarded(1)
    def _gallery(which, klass, count):
        from dash import html

        k = klass if isinstance(klass, int) and 0 <= klass < len(ctx.classes) else None
        count = count if count in (12, 24, 48, 96) else 24
        picks = hardest(ctx, which, count, k)
        if not picks or (which == "wrong" and ctx.predicted[picks[0]] == ctx.data.labels[picks[0]]):
            return html.P("No image matches.", className="sk-lead")
        return views.image_cards(ctx, picks)

    @app.callback(
        Output("x-hard-detail", "children"),
        Input("x-hard-graph", "clickData"),
        prevent_initial_call=True,
    )
    @guarded(1)
    def _click(click):
        i = views.clicked_index(click, len(ctx))
        if i is None:
            from dash.exceptions import PreventUpdate

            raise PreventUpdate
        return views.sample_detail(ctx, i)
