"""Confusion drill-down: the confusion matrix; a click on a cell shows its images."""

from __future__ import annotations

import numpy as np

PATH = "/confusion"
NAME = "Confusion"
ORDER = 4
DESCRIPTION = "Confusion matrix; click a cell to see the images in it, hardest first."

#: Largest number of images shown for one cell.
MAX_CELL = 60


def confusion(ctx, normalized: bool = False) -> np.ndarray:
    """Rows: true class; columns: predicted class (counts or row fractions)."""
    k = len(ctx.classes)
    m = np.zeros((k, k), dtype=float)
    np.add.at(m, (ctx.data.labels, ctx.predicted), 1)
    if normalized:
        total = m.sum(axis=1, keepdims=True)
        m = np.divide(m, total, out=np.zeros_like(m), where=total > 0)
    return m


def cell_indices(ctx, true: int, pred: int) -> np.ndarray:
    """Samples of true class ``true`` predicted as ``pred``, highest loss first."""
    idx = np.flatnonzero((ctx.data.labels == true) & (ctx.predicted == pred))
    return idx[np.argsort(-ctx.loss[idx], kind="stable")]


def clicked_cell(ctx, click) -> tuple[int, int] | None:
    """(true, predicted) class indices of a clicked heat-map cell, validated."""
    try:
        point = click["points"][0]
        x, y = str(point["x"]), str(point["y"])
    except (KeyError, IndexError, TypeError):
        return None
    names = {name: k for k, name in enumerate(ctx.classes)}
    if x not in names or y not in names:
        return None
    return names[y], names[x]


def figure(ctx, normalized: bool):
    from spacekit.analyzer.figures import make_confusion_figure
    from spacekit.dashboard.components import themed

    fig = make_confusion_figure(confusion(ctx, normalized), ctx.classes, normalized=normalized)
    fig.update_layout(title=fig.layout.title.text + " - click a cell to see its images")
    fig.update_xaxes(type="category")
    fig.update_yaxes(type="category")
    side = min(760, 300 + 36 * len(ctx.classes))
    return themed(fig, height=side)


def layout(ctx, **_query):
    from dash import dcc, html

    return html.Div(
        [
            html.H2("Confusion drill-down"),
            html.P(
                "Rows are true classes, columns predictions. Click a cell to see its images "
                "(off-diagonal cells are the mistakes).",
                className="sk-lead",
            ),
            html.Div(
                html.Div(
                    [
                        html.Label("Show"),
                        dcc.RadioItems(
                            id="x-cm-type",
                            options=[
                                {"label": " counts", "value": "counts"},
                                {"label": " fractions of each true class", "value": "normalized"},
                            ],
                            value="counts",
                            inline=True,
                            persistence=True,
                            persistence_type="session",
                        ),
                    ],
                    className="sk-field",
                ),
                className="sk-row",
            ),
            html.Div(
                [
                    html.Div(
                        dcc.Graph(id="x-cm-graph", config={"displaylogo": False}),
                        className="sk-panel",
                    ),
                    html.Div(
                        [
                            html.H3(id="x-cm-title", children="Click a cell"),
                            html.Div(id="x-cm-cell"),
                        ],
                        className="sk-panel",
                    ),
                ],
                className="sk-grid2",
            ),  # fmt: skip
        ]
    )


def register_callbacks(app, ctx):
    from dash import Input, Output, html

    from spacekit.dashboard.components import guarded
    from spacekit.dashboard.explorer import views

    @app.callback(Output("x-cm-graph", "figure"), Input("x-cm-type", "value"))
    @guarded(1)
    def _figure(kind):
        return figure(ctx, kind == "normalized")

    @app.callback(
        Output("x-cm-title", "children"),
        Output("x-cm-cell", "children"),
        Input("x-cm-graph", "clickData"),
        prevent_initial_call=True,
    )
    @guarded(2)
    def _cell(click):
        from dash.exceptions import PreventUpdate

        cell = clicked_cell(ctx, click)
        if cell is None:
            raise PreventUpdate
        true, pred = cell
        idx = cell_indices(ctx, true, pred)
        title = (
            f"true {ctx.classes[true]} → predicted {ctx.classes[pred]}: {len(idx):,} image(s)"
            + (f", the {MAX_CELL} hardest shown" if len(idx) > MAX_CELL else "")
        )
        if len(idx) == 0:
            return title, html.P("No image in this cell.", className="sk-lead")
        return title, views.image_cards(ctx, idx[:MAX_CELL].tolist())
