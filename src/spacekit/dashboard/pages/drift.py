"""Data drift: has newly ingested data left what the model was trained on?

Pick the reference table (what the model was trained on) and the new table (from the
results, or an uploaded CSV). Every shared feature gets its drift statistics (KS and
PSI for numbers, PSI and share changes for categories), sorted worst first; click a
bar to overlay the two distributions. The statistics and the per-feature histograms
live in the browser (``dcc.Store``), so the server keeps nothing per user.
"""

from __future__ import annotations

import base64
import binascii
import io

import pandas as pd

from spacekit.exceptions import DataError, InputError

PATH = "/drift"
NAME = "Drift"
ORDER = 3
DESCRIPTION = (
    "Compare a training table with newly ingested data: KS, PSI and category shares per "
    "feature, worst first; click a feature for its distributions."
)

UPLOAD = "upload"


def parse_upload(contents: str, filename: str | None, max_bytes: int) -> pd.DataFrame:
    """Decode a ``dcc.Upload`` data URL into a DataFrame, with clear errors.

    Raises
    ------
    InputError
        Not a CSV, too big, not decodable, or no rows.
    """
    name = filename or "upload"
    if not name.lower().endswith((".csv", ".txt")):
        raise InputError(f"{name}: upload a .csv file.")
    try:
        header, data = contents.split(",", 1)
        raw = base64.b64decode(data, validate=True)
    except (ValueError, binascii.Error) as exc:
        raise InputError(f"{name}: the upload could not be decoded.") from exc
    if len(raw) > max_bytes:
        raise InputError(
            f"{name} is {len(raw) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.1f} MB "
            "(start the dashboard with a larger --max-upload-mb)."
        )
    try:
        df = pd.read_csv(io.BytesIO(raw), low_memory=False)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"{name} is not a readable CSV: {exc}") from exc
    if df.empty:
        raise InputError(f"{name} has no rows.")
    return df


def _is_identifier(col: pd.Series) -> bool:
    """Text columns whose values are (nearly) all distinct: row names, not features."""
    return (
        not pd.api.types.is_numeric_dtype(col)
        and len(col) > 20
        and col.nunique(dropna=True) > 0.5 * len(col)
    )


def compute_drift(ref: pd.DataFrame, new: pd.DataFrame, ref_name: str, new_name: str) -> dict:
    """Drift statistics and histograms of every shared feature (JSON-safe, for a Store)."""
    from spacekit.analyzer.drift import drift_table, feature_histograms

    skip = {"split", "index", "Unnamed: 0"}
    features = [
        c for c in ref.columns if c in new.columns and c not in skip and not _is_identifier(ref[c])
    ]
    if not features:
        raise DataError(f"{ref_name} and {new_name} have no column in common.")
    table = drift_table(ref, new, features)
    hists = {}
    for f in table["feature"]:
        try:
            hists[f] = feature_histograms(ref[f], new[f])
        except DataError:
            continue
    records = table.astype(object).where(table.notna(), None).to_dict("records")
    for r in records:
        if isinstance(r.get("new_categories"), list):
            r["new_categories"] = ", ".join(map(str, r["new_categories"]))
    return {"ref": ref_name, "new": new_name, "rows": records, "hists": hists}


def _table(ctx, name: str) -> pd.DataFrame:
    tables = ctx.tables()
    if name not in tables:
        raise InputError(f"Unknown table {name!r}.")
    return ctx.table(tables[name])


def drift_figures(store: dict, feature: str | None = None):
    """The bar figure and the overlay of ``feature`` (default: the worst)."""
    from spacekit.analyzer.figures.drift import make_distribution_overlay, make_drift_bars
    from spacekit.dashboard.components import themed

    table = pd.DataFrame(store["rows"])
    bars = make_drift_bars(table, f"PSI of {store['new']}, worst first")
    feature = feature if feature in store["hists"] else next(iter(store["hists"]), None)
    overlay = None
    if feature is not None:
        overlay = make_distribution_overlay(
            store["hists"][feature], feature, store["ref"], store["new"]
        )
    return themed(bars), themed(overlay) if overlay is not None else {}


def layout(ctx, **query):
    from dash import dcc, html

    from spacekit.dashboard.components import options

    names = list(ctx.tables())
    ref = names[-1] if names else None
    new = names[0] if len(names) > 1 else None
    limit = ctx.max_upload_mb
    return html.Div(
        [
            html.H2("Data drift"),
            html.P(
                "Reference: the data the model was trained on. New: recent data to check. "
                "PSI above 0.1 is a moderate shift, above 0.25 a major one.",
                className="sk-lead",
            ),
            html.Div(
                [
                    html.Div(
                        [
                            html.Label("Reference table"),
                            dcc.Dropdown(id="drift-ref", options=options(names), value=ref),
                        ],
                        className="sk-field",
                        style={"minWidth": "340px"},
                    ),
                    html.Div(
                        [
                            html.Label("New table"),
                            dcc.Dropdown(id="drift-new", options=options(names), value=new),
                        ],
                        className="sk-field",
                        style={"minWidth": "340px"},
                    ),
                    html.Div(
                        [
                            html.Label("... or upload the new table"),
                            dcc.Upload(
                                id="drift-upload",
                                children=html.Div(f"Drop or pick a CSV (up to {limit:g} MB)"),
                                className="sk-upload",
                                max_size=int(limit * 1e6),
                                accept=".csv,text/csv",
                            ),
                        ],
                        className="sk-field",
                    ),
                ],
                className="sk-row",
            ),
            html.Div(id="drift-status"),
            dcc.Loading(
                html.Div(
                    [
                        dcc.Graph(id="drift-bars", className="sk-panel"),
                        dcc.Graph(id="drift-overlay", className="sk-panel"),
                    ],
                    className="sk-grid2",
                ),
            ),
            html.Div(id="drift-table"),
            dcc.Store(id="drift-store"),
        ],
        className="sk-page",
        id="page-drift",
    )


def _rows_table(store: dict):
    from dash import html

    cols = [
        "feature",
        "kind",
        "psi",
        "severity",
        "ks",
        "ks_pvalue",
        "median_shift_iqr",
        "max_share_change",
        "top_change",
        "new_categories",
    ]

    def fmt(v):
        return f"{v:.4g}" if isinstance(v, float) else ("" if v is None else str(v))

    return html.Table(
        [html.Tr([html.Th(c) for c in cols])]
        + [html.Tr([html.Td(fmt(r.get(c))) for c in cols]) for r in store["rows"]],
        className="sk-table",
        id="drift-rows",
    )


def register_callbacks(app, ctx) -> None:
    from dash import Input, Output, State
    from dash import ctx as dash_ctx
    from dash.exceptions import PreventUpdate

    from spacekit.dashboard.components import guarded

    max_bytes = int(ctx.max_upload_mb * 1e6)
    outputs = [
        Output("drift-store", "data"),
        Output("drift-bars", "figure"),
        Output("drift-overlay", "figure"),
        Output("drift-table", "children"),
        Output("drift-status", "children"),
    ]

    @app.callback(
        *outputs,
        Input("drift-ref", "value"),
        Input("drift-new", "value"),
        Input("drift-upload", "contents"),
        State("drift-upload", "filename"),
    )
    @guarded(len(outputs))
    def update_drift(ref_name, new_name, contents, filename):
        if not ref_name:
            raise InputError("Pick a reference table.")
        uploaded = dash_ctx.triggered_id == "drift-upload" and contents
        if uploaded:
            new = parse_upload(contents, filename, max_bytes)
            new_name = f"upload: {filename}"
        elif new_name:
            new = _table(ctx, new_name)
        else:
            raise InputError("Pick a new table, or upload one, to compare with the reference.")
        ref = _table(ctx, ref_name)
        store = compute_drift(ref, new, ref_name, new_name)
        bars, overlay = drift_figures(store)
        return store, bars, overlay, _rows_table(store), None

    @app.callback(
        Output("drift-overlay", "figure", allow_duplicate=True),
        Output("drift-status", "children", allow_duplicate=True),
        Input("drift-bars", "clickData"),
        State("drift-store", "data"),
        prevent_initial_call=True,
    )
    @guarded(2)
    def show_feature(click, store):
        if not click or not store:
            raise PreventUpdate
        feature = click["points"][0].get("customdata") or click["points"][0].get("y")
        return drift_figures(store, feature)[1], None
