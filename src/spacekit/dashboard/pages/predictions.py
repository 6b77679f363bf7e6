"""Predictions: run the saved models on rows of the table, or on an uploaded CSV.

Every saved model of the newest version runs on the chosen rows: classifiers give the
predicted class and its probability, regressors their estimate. The inputs are picked
and normalised per model exactly as for the network graph. Results can be downloaded.
"""

from __future__ import annotations

import pandas as pd

from spacekit.exceptions import InputError

PATH = "/predictions"
NAME = "Predictions"
ORDER = 5
DESCRIPTION = "Run the saved models on selected or uploaded rows and download the table."
MAX_ROWS_SHOWN = 500
MAX_ROW_CHOICES = 5000


def run_predictions(ctx, rows: pd.DataFrame, names=None) -> pd.DataFrame:
    """Predictions of the models ``names`` (default: all) for ``rows``, with the truth.

    Target columns present in ``rows`` (``mem_bin``, ``memory`` ...) are kept beside
    the predictions so they can be compared.
    """
    from spacekit.dashboard.models import predict_rows

    specs = [s for s in ctx.models() if names is None or s.name in names]
    if not specs:
        raise InputError("No saved model to run; the results have no *.keras file.")
    preds = predict_rows(specs, rows, ctx.load_model)
    truth = [t for t in ctx.settings.targets if t in rows.columns]
    return pd.concat([preds, rows[truth]], axis=1) if truth else preds


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _datatable(df: pd.DataFrame):
    """The first rows of ``df`` as an HTML table (the download has all of them)."""
    from dash import html

    shown = df.head(MAX_ROWS_SHOWN).reset_index()
    header = html.Thead(html.Tr([html.Th(str(c)) for c in shown.columns]))
    body = html.Tbody(
        [html.Tr([html.Td(_fmt(v)) for v in row]) for row in shown.itertuples(index=False)]
    )
    return html.Div(
        html.Table([header, body], className="sk-table sk-mono", id="pred-datatable"),
        style={"overflowX": "auto", "maxHeight": "640px", "overflowY": "auto"},
    )


def layout(ctx, **query):
    from dash import dcc, html

    from spacekit.dashboard.components import message, options
    from spacekit.dashboard.models import no_model_text

    models = [m.name for m in ctx.models()]
    if not models:
        return html.Div(
            [
                html.H2("Predictions"),
                message(no_model_text(ctx), "warning"),
            ],
            className="sk-page",
            id="page-predictions",
        )
    try:
        ids = [str(i) for i in ctx.table().index[:MAX_ROW_CHOICES]]
    except InputError:
        ids = []
    limit = ctx.max_upload_mb
    return html.Div(
        [
            html.H2("Predictions"),
            html.P(
                "Run every saved model on rows of the data table or on your own CSV "
                "(same columns as the table).",
                className="sk-lead",
            ),
            html.Div(
                [
                    html.Div(
                        [
                            html.Label("Models"),
                            dcc.Dropdown(
                                id="pred-models", options=options(models), value=models, multi=True
                            ),
                        ],
                        className="sk-field",
                        style={"minWidth": "320px"},
                    ),
                    html.Div(
                        [
                            html.Label("Rows of the table"),
                            dcc.Dropdown(
                                id="pred-rows",
                                options=options(ids),
                                multi=True,
                                value=ids[:10],
                                placeholder="pick row ids",
                            ),
                        ],
                        className="sk-field",
                        style={"minWidth": "420px"},
                    ),
                    html.Div(
                        [
                            html.Label("... or upload a CSV"),
                            dcc.Upload(
                                id="pred-upload",
                                children=html.Div(f"Drop or pick a CSV (up to {limit:g} MB)"),
                                className="sk-upload",
                                max_size=int(limit * 1e6),
                                accept=".csv,text/csv",
                            ),
                        ],
                        className="sk-field",
                    ),
                    html.Button("Predict", id="pred-run", className="sk-button", n_clicks=0),
                    html.Button(
                        "Download CSV", id="pred-download-btn", className="sk-button", n_clicks=0
                    ),
                ],
                className="sk-row",
            ),
            html.Div(id="pred-status"),
            dcc.Loading(html.Div(id="pred-table")),
            dcc.Store(id="pred-store"),
            dcc.Download(id="pred-download"),
        ],
        className="sk-page",
        id="page-predictions",
    )


def register_callbacks(app, ctx) -> None:
    from dash import Input, Output, State, dcc, html
    from dash import ctx as dash_ctx
    from dash.exceptions import PreventUpdate

    from spacekit.dashboard.components import guarded
    from spacekit.dashboard.pages.drift import parse_upload

    max_bytes = int(ctx.max_upload_mb * 1e6)

    @app.callback(
        Output("pred-table", "children"),
        Output("pred-store", "data"),
        Output("pred-status", "children"),
        Input("pred-run", "n_clicks"),
        Input("pred-upload", "contents"),
        State("pred-upload", "filename"),
        State("pred-rows", "value"),
        State("pred-models", "value"),
    )
    @guarded(3)
    def predict(n_clicks, contents, filename, row_ids, names):
        if dash_ctx.triggered_id == "pred-upload" and contents:
            rows = parse_upload(contents, filename, max_bytes)
            source = f"{len(rows)} uploaded row(s) from {filename}"
        else:
            if not row_ids:
                raise InputError("Pick rows of the table, or upload a CSV.")
            df = ctx.table()
            rows = df[df.index.astype(str).isin([str(r) for r in row_ids])]
            source = f"{len(rows)} row(s) of {ctx.data_path.name}"
        if not names:
            raise InputError("Pick at least one model.")
        result = run_predictions(ctx, rows, names)
        note = f"{source}; models: {', '.join(names)}"
        if len(result) > MAX_ROWS_SHOWN:
            note += f" (first {MAX_ROWS_SHOWN} shown; the download has all)"
        return (
            [html.P(note, id="pred-note"), _datatable(result)],
            result.reset_index().to_json(orient="split"),
            None,
        )

    @app.callback(
        Output("pred-download", "data"),
        Input("pred-download-btn", "n_clicks"),
        State("pred-store", "data"),
        prevent_initial_call=True,
    )
    def download(n_clicks, data):
        if not n_clicks or not data:
            raise PreventUpdate
        import io

        frame = pd.read_json(io.StringIO(data), orient="split")
        return dcc.send_data_frame(frame.to_csv, "spacekit-predictions.csv", index=False)
