"""Projections: the input space and a hidden layer side by side, with linked selection.

A box or lasso selection in either plot highlights the same samples in both (only the
``selectedpoints`` of the traces are sent back, not the figures). A click shows the
sample. The selection is kept in the browser session (``dcc.Store``).
"""

from __future__ import annotations

PATH = "/projections"
NAME = "Projections"
ORDER = 1
DESCRIPTION = (
    "PCA, t-SNE or UMAP of the input pixels and of a hidden layer side by side; linked "
    "selection, click a point to see its image."
)

_SHOW_SELECTED = 30


def layout(ctx, **_query):
    from dash import dcc, html

    from spacekit.dashboard.explorer import views

    return html.Div(
        [
            html.H2("Projections"),
            html.P(
                "Each point is an image. Left: the raw pixels; right: the chosen layer. "
                "Drag a box or lasso in either plot to select images in both; click a point "
                "to see it; click a class in the legend to hide it (double-click: only it).",
                className="sk-lead",
            ),
            html.Div(
                [
                    html.Div(
                        [html.Label("Method"), views.method_dropdown("x-proj-method")],
                        className="sk-field",
                    ),
                    html.Div(
                        [html.Label("Hidden layer"), views.layer_dropdown(ctx, "x-proj-layer")],
                        className="sk-field",
                    ),
                    html.Div(
                        [
                            html.Label("Colour by"),
                            dcc.RadioItems(
                                id="x-proj-color",
                                options=[
                                    {"label": " label", "value": "label"},
                                    {"label": " prediction", "value": "prediction"},
                                ],
                                value="label",
                                inline=True,
                                persistence=True,
                                persistence_type="session",
                            ),
                        ],
                        className="sk-field",
                    ),
                ],
                className="sk-row",
            ),  # fmt: skip
            html.Div(id="x-proj-status"),
            views.loading(
                html.Div(
                    [
                        html.Div(
                            dcc.Graph(id="x-proj-input", config={"displaylogo": False}),
                            className="sk-panel",
                        ),
                        html.Div(
                            dcc.Graph(id="x-proj-hidden", config={"displaylogo": False}),
                            className="sk-panel",
                        ),
                    ],
                    className="sk-grid2",
                ),
                f"Computing the projections of {len(ctx):,} samples (cached for next time)…",
            ),  # fmt: skip
            dcc.Store(id="x-proj-selected", storage_type="session"),
            html.Div(
                [
                    html.Div(
                        [
                            html.H3("Clicked"),
                            html.Div(
                                id="x-proj-detail",
                                children=html.P("Click a point.", className="sk-lead"),
                            ),
                        ],
                        className="sk-panel",
                    ),
                    html.Div(
                        [html.H3("Selected"), html.Div(id="x-proj-selection")], className="sk-panel"
                    ),
                ],
                className="sk-x-split",
            ),  # fmt: skip
        ]
    )


def update(ctx, trigger, method, layer, color_by, sel_input, sel_hidden, stored):
    """Figures, selection and the selection summary for the inputs of the page.

    Returns ``(input figure, hidden figure, selection, summary, status)``. A change of
    selection returns :class:`dash.Patch` objects that only set ``selectedpoints``.
    """
    from dash import Patch, html, no_update

    from spacekit.analyzer.figures import selected_positions
    from spacekit.dashboard.components import message
    from spacekit.dashboard.explorer import views
    from spacekit.dashboard.explorer.context import INPUT_SPACE
    from spacekit.dashboard.explorer.projection import valid_indices

    n = len(ctx)
    layer = ctx.check_layer(layer)
    groups = ctx.predicted if color_by == "prediction" else ctx.data.labels
    if trigger in ("x-proj-input", "x-proj-hidden"):
        data = sel_input if trigger == "x-proj-input" else sel_hidden
        selected = views.selected_indices(data, n)
        patches = []
        positions = selected_positions(groups, range(n), selected, len(ctx.classes))
        present = [k for k in range(len(ctx.classes)) if (groups == k).any()]
        for _ in range(2):
            patch = Patch()
            for t, k in enumerate(present):
                patch["data"][t]["selectedpoints"] = positions[k] if positions else None
            patches.append(patch)
        return (*patches, selected, selection_summary(ctx, selected), no_update)
    selected = valid_indices(stored, n) if stored else None
    fig_in = views.projection_figure(ctx, INPUT_SPACE, method, color_by, selected)
    fig_hid = views.projection_figure(ctx, layer, method, color_by, selected)
    status = []
    if method == "tsne" and n > 20_000:
        status = message(
            f"t-SNE of {n:,} points takes minutes the first time; it is cached afterwards.",
            "info",
        )
    return fig_in, fig_hid, selected, selection_summary(ctx, selected), status or html.Div()


def selection_summary(ctx, selected):
    """How many images are selected, per class, and the first of them."""
    from dash import html

    from spacekit.dashboard.explorer import views

    if not selected:
        return html.P("Drag a box or lasso to select images.", className="sk-lead")
    import numpy as np

    idx = np.asarray(selected)
    wrong = int(np.sum(ctx.predicted[idx] != ctx.data.labels[idx]))
    counts = np.bincount(ctx.data.labels[idx], minlength=len(ctx.classes))
    per_class = ", ".join(f"{ctx.classes[k]}: {c}" for k, c in enumerate(counts) if c)
    shown = sorted(selected, key=lambda i: -ctx.loss[i])[:_SHOW_SELECTED]
    return html.Div(
        [
            html.P(
                f"{len(selected):,} selected ({wrong} misclassified) · {per_class}",
                id="x-proj-selection-count",
            ),
            html.P(f"The {len(shown)} hardest of them:", className="sk-lead"),
            views.image_cards(ctx, shown),
        ]
    )


def register_callbacks(app, ctx):
    from dash import Input, Output, State, callback_context

    from spacekit.dashboard.components import guarded
    from spacekit.dashboard.explorer import views

    @app.callback(
        Output("x-proj-input", "figure"),
        Output("x-proj-hidden", "figure"),
        Output("x-proj-selected", "data"),
        Output("x-proj-selection", "children"),
        Output("x-proj-status", "children"),
        Input("x-proj-method", "value"),
        Input("x-proj-layer", "value"),
        Input("x-proj-color", "value"),
        Input("x-proj-input", "selectedData"),
        Input("x-proj-hidden", "selectedData"),
        State("x-proj-selected", "data"),
    )
    @guarded(5)
    def _update(method, layer, color_by, sel_input, sel_hidden, stored):
        trigger = callback_context.triggered_id
        return update(ctx, trigger, method, layer, color_by, sel_input, sel_hidden, stored)

    @app.callback(
        Output("x-proj-detail", "children"),
        Input("x-proj-input", "clickData"),
        Input("x-proj-hidden", "clickData"),
        prevent_initial_call=True,
    )
    @guarded(1)
    def _click(click_input, click_hidden):
        trigger = callback_context.triggered_id
        data = click_input if trigger == "x-proj-input" else click_hidden
        i = views.clicked_index(data, len(ctx))
        if i is None:
            from dash.exceptions import PreventUpdate

            raise PreventUpdate
        return views.sample_detail(ctx, i)
