"""Neural-network graph: every node and weight of a saved Dense model, and a live pass.

The graph is drawn from the model file (any layer sizes). Hover or click a node for its
bias, an edge midpoint for its weight (exact float32 values). The form holds one field
per input feature (raw values, defaults from the data; or fill it from a row of the
table); *Run* normalises the inputs as the pipeline does and runs them through the
model's own layers: the nodes show their values and the output equals ``predict``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from spacekit.exceptions import DataError, InputError

PATH = "/network"
NAME = "Network"
ORDER = 4
DESCRIPTION = (
    "Every node and weight of a saved Dense model; run your own inputs through it and "
    "see each activation."
)
MAX_ROW_CHOICES = 2000


def _output_labels(spec, net) -> list[str]:
    n = net.sizes[-1]
    if spec.classes and len(spec.classes) == n:
        return list(spec.classes)
    return [spec.name] if n == 1 else [f"out {i}" for i in range(n)]


def network_figure(ctx, name: str, activations=None):
    """The graph of model ``name`` (with node values when ``activations`` is given)."""
    from spacekit.analyzer.figures.network import make_network_figure
    from spacekit.dashboard.components import themed

    spec = ctx.model_spec(name)
    net = ctx.network(spec)
    inputs = spec.features if len(spec.features) == net.n_inputs else None
    fig = make_network_figure(
        [la.kernel for la in net.layers],
        [la.bias for la in net.layers],
        input_labels=inputs,
        output_labels=_output_labels(spec, net),
        layer_names=[f"{la.name}<br>{'/'.join(la.then)}" for la in net.layers],
        activations=activations,
        title=f"{spec.name}: {' - '.join(map(str, net.sizes))}",
    )
    return themed(fig, height=720)


def forward(ctx, name: str, raw: dict) -> tuple[list[np.ndarray], str]:
    """Normalise ``raw`` input values and run them through the model.

    Returns
    -------
    activations : list of numpy.ndarray
        Node values per column (inputs as the model sees them, ..., outputs).
    summary : str
        The prediction (class and probabilities, or the value).
    """
    from spacekit.analyzer.network import node_activations
    from spacekit.dashboard.models import model_inputs

    spec = ctx.model_spec(name)
    net = ctx.network(spec)
    row = {}
    for col in spec.features:
        value = raw.get(col)
        if value is None or value == "":
            raise InputError(f"Enter a value for {col}.")
        try:
            row[col] = float(value)
        except (TypeError, ValueError) as exc:
            raise InputError(f"{col} must be a number; received {value!r}.") from exc
    x = model_inputs(spec, pd.DataFrame([row]))[0]
    acts = node_activations(net, x)
    out = acts[-1]
    labels = _output_labels(spec, net)
    if out.size > 1:
        k = int(np.argmax(out))
        probs = ", ".join(f"{lab}: {float(v):.3f}" for lab, v in zip(labels, out, strict=True))
        summary = f"prediction: {labels[k]}  ({probs})"
    else:
        summary = f"prediction: {labels[0]} = {float(out[0]):.6g}"
    return acts, summary


def describe_point(ctx, name: str, point: dict) -> str:
    """Exact weight or bias of a clicked/hovered node or edge."""
    spec = ctx.model_spec(name)
    net = ctx.network(spec)
    data = point.get("customdata")
    if not data or len(data) < 4:
        return ""
    layer, i, j = int(data[0]), int(data[1]), int(data[2])
    if j < 0:  # a node
        if layer == 0:
            label = spec.features[i] if i < len(spec.features) else f"x{i}"
            return f"input x{i} ({label})"
        bias = net.layers[layer - 1].bias[i]
        return f"node h{layer}-{i + 1} of {net.layers[layer - 1].name}: bias = {bias}"
    w = net.layers[layer - 1].kernel[i, j]
    src = f"x{i}" if layer == 1 else f"h{layer - 1}-{i + 1}"
    return f"weight {src} -> h{layer}-{j + 1} ({net.layers[layer - 1].name}) = {w}"


def _form(ctx, name: str):
    from dash import dcc, html

    from spacekit.dashboard.models import raw_defaults

    spec = ctx.model_spec(name)
    net = ctx.network(spec)
    if len(spec.features) != net.n_inputs:
        raise DataError(
            f"{spec.name} takes {net.n_inputs} inputs but {len(spec.features)} input columns "
            "are known; add a model_inputs.json beside the model listing its features."
        )
    try:
        df = ctx.table()
        defaults = raw_defaults(spec, df)
        ids = [str(i) for i in df.index[:MAX_ROW_CHOICES]]
    except InputError:
        defaults, ids = {c: 0.0 for c in spec.features}, []
    fields = [
        html.Div(
            [
                html.Label(col, htmlFor=f"nn-in-{col}"),
                dcc.Input(
                    id={"type": "nn-input", "index": col},
                    type="number",
                    value=round(defaults[col], 4),
                    debounce=True,
                    required=True,
                ),
            ],
            className="sk-field",
        )
        for col in spec.features
    ]
    return fields, ids


def layout(ctx, **query):
    from dash import dcc, html

    from spacekit.dashboard.components import message, options
    from spacekit.dashboard.models import no_model_text

    models = [m.name for m in ctx.models()]
    if not models:
        return html.Div(
            [
                html.H2("Neural network graph"),
                message(no_model_text(ctx, "; the graph needs one"), "warning"),
            ],
            className="sk-page",
            id="page-network",
        )
    first = next((m.name for m in ctx.models() if m.classes), models[0])
    return html.Div(
        [
            html.H2("Neural network graph"),
            html.Div(
                [
                    html.Div(
                        [
                            html.Label("Model"),
                            dcc.Dropdown(
                                id="nn-model", options=options(models), value=first, clearable=False
                            ),
                        ],
                        className="sk-field",
                    ),
                    html.Div(
                        [
                            html.Label("Fill the inputs from row"),
                            dcc.Dropdown(id="nn-row", placeholder="pick a row id"),
                        ],
                        className="sk-field",
                        style={"minWidth": "280px"},
                    ),
                    html.Button("Run", id="nn-run", className="sk-button", n_clicks=0),
                ],
                className="sk-row",
            ),
            html.Div(id="nn-status"),
            html.Div(id="nn-form", className="sk-inputs"),
            html.Div(id="nn-output", className="sk-readout"),
            html.Div(
                "Hover or click a node or an edge midpoint to read its exact value.",
                id="nn-readout",
                className="sk-readout",
            ),
            dcc.Loading(
                dcc.Graph(
                    id="nn-graph",
                    className="sk-panel",
                    config={"displaylogo": False, "scrollZoom": True},
                )
            ),
        ],
        className="sk-page",
        id="page-network",
    )


def register_callbacks(app, ctx) -> None:
    from dash import ALL, Input, Output, State
    from dash.exceptions import PreventUpdate

    from spacekit.dashboard.components import guarded

    @app.callback(
        Output("nn-form", "children"),
        Output("nn-row", "options"),
        Output("nn-graph", "figure"),
        Output("nn-output", "children"),
        Output("nn-status", "children"),
        Input("nn-model", "value"),
    )
    @guarded(5)
    def choose_model(name):
        if not name:
            raise PreventUpdate
        fields, ids = _form(ctx, name)
        return fields, ids, network_figure(ctx, name), "", None

    @app.callback(
        Output({"type": "nn-input", "index": ALL}, "value"),
        Output("nn-status", "children", allow_duplicate=True),
        Input("nn-row", "value"),
        State("nn-model", "value"),
        State({"type": "nn-input", "index": ALL}, "id"),
        prevent_initial_call=True,
    )
    @guarded(2)
    def fill_from_row(row_id, name, ids):
        if row_id is None:
            raise PreventUpdate
        df = ctx.table()
        matches = df.index.astype(str) == str(row_id)
        if not matches.any():
            raise InputError(f"Row {row_id!r} is not in the table.")
        row = df[matches].iloc[0]
        values = []
        for item in ids:
            v = pd.to_numeric(row.get(item["index"]), errors="coerce")
            values.append(None if pd.isna(v) else float(v))
        return values, None

    @app.callback(
        Output("nn-graph", "figure", allow_duplicate=True),
        Output("nn-output", "children", allow_duplicate=True),
        Output("nn-status", "children", allow_duplicate=True),
        Input("nn-run", "n_clicks"),
        State("nn-model", "value"),
        State({"type": "nn-input", "index": ALL}, "value"),
        State({"type": "nn-input", "index": ALL}, "id"),
        prevent_initial_call=True,
    )
    @guarded(3)
    def run_forward(n_clicks, name, values, ids):
        if not n_clicks or not name:
            raise PreventUpdate
        raw = {item["index"]: v for item, v in zip(ids, values, strict=True)}
        acts, summary = forward(ctx, name, raw)
        return network_figure(ctx, name, acts), summary, None

    @app.callback(
        Output("nn-readout", "children"),
        Input("nn-graph", "hoverData"),
        Input("nn-graph", "clickData"),
        State("nn-model", "value"),
        prevent_initial_call=True,
    )
    @guarded(1)
    def read_value(hover, click, name):
        from dash import ctx as dash_ctx

        data = click if "nn-graph.clickData" in dash_ctx.triggered_prop_ids else hover
        if not data or not data.get("points"):
            raise PreventUpdate
        text = describe_point(ctx, name, data["points"][0])
        if not text:
            raise PreventUpdate
        return text
