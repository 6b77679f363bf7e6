"""Loss table: every sample's label, prediction, confidence and loss; an image pool.

Sorting and filtering run in the browser with the table's own filter language (``> 1``
in the loss column, ``= no`` in ``correct``...): nothing the user types reaches Python.
Ticking rows adds them to an image pool that keeps the latest 15 (per browser session).
The row ids sent back by the browser are checked to be sample indices before use.
"""

from __future__ import annotations

import numpy as np

PATH = "/losses"
NAME = "Loss table"
ORDER = 3
DESCRIPTION = "Per-sample loss table with sorting and filtering; ticked rows fill an image pool."

#: Images the pool keeps (the latest selections).
POOL_SIZE = 15


def table_rows(ctx) -> list[dict]:
    """One row per sample (``id`` = sample index)."""
    names = np.asarray(ctx.classes, dtype=object)
    labels, preds = names[ctx.data.labels], names[ctx.predicted]
    conf = np.round(ctx.confidence, 4)
    loss = np.round(ctx.loss, 5)
    correct = np.where(ctx.predicted == ctx.data.labels, "yes", "no")
    rows = [
        {"id": i, "index": i, "label": labels[i], "prediction": preds[i],
         "confidence": float(conf[i]), "loss": float(loss[i]), "correct": correct[i]}
        for i in range(len(ctx))
    ]  # fmt: skip
    if ctx.data.split is not None:
        for i, row in enumerate(rows):
            row["split"] = str(ctx.data.split[i])
    if ctx.data.names is not None:
        for i, row in enumerate(rows):
            row["name"] = ctx.data.names[i]
    return rows


def table_columns(ctx) -> list[dict]:
    cols = [
        {"name": "index", "id": "index", "type": "numeric"},
        {"name": "label", "id": "label", "type": "text"},
        {"name": "prediction", "id": "prediction", "type": "text"},
        {"name": "confidence", "id": "confidence", "type": "numeric"},
        {"name": "loss", "id": "loss", "type": "numeric"},
        {"name": "correct", "id": "correct", "type": "text"},
    ]
    if ctx.data.split is not None:
        cols.append({"name": "split", "id": "split", "type": "text"})
    if ctx.data.names is not None:
        cols.append({"name": "file", "id": "name", "type": "text"})
    return cols


def update_pool(pool, previous, selected, n: int, size: int = POOL_SIZE) -> tuple[list, list]:
    """New pool and remembered selection after the table's selection changed.

    Rows newly ticked (in ``selected`` but not in ``previous``) join the pool at the
    end; the pool keeps the latest ``size``. Values that are not sample indices are
    dropped.

    Returns
    -------
    pool : list of int
    selection : list of int
        The validated current selection (the next call's ``previous``).
    """
    from spacekit.dashboard.explorer.projection import valid_indices

    pool = valid_indices(pool, n)
    before = set(valid_indices(previous, n))
    now = valid_indices(selected, n)
    for i in now:
        if i not in before:
            if i in pool:
                pool.remove(i)
            pool.append(i)
    return pool[-size:], now


def data_table(**kwargs):
    """A ``dash_table.DataTable`` (Dash 4 warns that it will move to a separate package).

    The table is used for its documented, client-side filter language; the deprecation
    notice says nothing the user can act on, so it is not shown.
    """
    import warnings

    from dash import dash_table

    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore",
            message=r"\s*The dash_table.DataTable will be removed",
            category=DeprecationWarning,
        )
        return dash_table.DataTable(**kwargs)


def layout(ctx, **_query):
    from dash import dcc, html

    return html.Div(
        [
            html.H2("Loss table"),
            html.P(
                [
                    "Sort by clicking a column header; filter by typing in the row under "
                    "the headers, e.g. ",
                    html.Code("> 1"),
                    " under loss, ",
                    html.Code("no"),
                    " under correct, ",
                    html.Code("3"),
                    " under label (operators: = != < <= > >= contains). Tick rows to add "
                    f"their images to the pool (the latest {POOL_SIZE} are kept).",
                ],
                className="sk-lead",
            ),
            data_table(
                id="x-loss-table",
                columns=table_columns(ctx),
                data=table_rows(ctx),
                filter_action="native",
                sort_action="native",
                sort_mode="multi",
                sort_by=[{"column_id": "loss", "direction": "desc"}],
                row_selectable="multi",
                selected_row_ids=[],
                page_action="native",
                page_size=15,
                style_table={"overflowX": "auto"},
                style_cell={
                    "fontFamily": "DejaVu Sans Mono, monospace",
                    "fontSize": 13,
                    "padding": "3px 8px",
                    "backgroundColor": "#f7f8fc",
                },
                style_header={"fontWeight": "bold", "backgroundColor": "#dfe3f0"},
                style_data_conditional=[
                    {"if": {"filter_query": "{correct} = no"}, "backgroundColor": "#fde2e2"},
                ],
            ),  # fmt: skip
            dcc.Store(id="x-pool", storage_type="session", data=[]),
            dcc.Store(id="x-pool-previous", storage_type="memory", data=[]),
            html.Div(
                [
                    html.H3(f"Image pool (latest {POOL_SIZE})"),
                    html.Button("Clear pool", id="x-pool-clear", className="sk-button"),
                ],
                className="sk-row",
            ),
            html.Div(id="x-pool-cards"),
        ]
    )


def register_callbacks(app, ctx):
    from dash import Input, Output, State, callback_context, html

    from spacekit.dashboard.components import guarded
    from spacekit.dashboard.explorer import views

    @app.callback(
        Output("x-pool", "data"),
        Output("x-pool-previous", "data"),
        Output("x-loss-table", "selected_row_ids"),
        Input("x-loss-table", "selected_row_ids"),
        Input("x-pool-clear", "n_clicks"),
        State("x-pool", "data"),
        State("x-pool-previous", "data"),
        prevent_initial_call=True,
    )
    def _select(selected, _clicks, pool, previous):
        from dash import no_update

        if callback_context.triggered_id == "x-pool-clear":
            return [], [], []
        pool, now = update_pool(pool, previous, selected, len(ctx))
        return pool, now, no_update

    @app.callback(Output("x-pool-cards", "children"), Input("x-pool", "data"))
    @guarded(1)
    def _cards(pool):
        from spacekit.dashboard.explorer.projection import valid_indices

        pool = valid_indices(pool, len(ctx))
        if not pool:
            return html.P("Tick rows of the table to add images.", className="sk-lead")
        return views.image_cards(ctx, list(reversed(pool)))
