"""Model evaluation: compare any number of versions of one model.

Classifiers: accuracy vs loss per version, training curves, ROC and precision-recall
curves (from probabilities) of a chosen version, confusion matrices of every chosen
version side by side (counts or fractions). Regressors: RMSE and loss per version,
training curves, predicted vs true and per-bin ROC/PR of a chosen version, error
distributions of every chosen version.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from spacekit.exceptions import InputError

PATH = "/evaluation"
NAME = "Model evaluation"
ORDER = 1
DESCRIPTION = (
    "Accuracy and loss of every version, training curves, ROC and precision-recall "
    "curves, confusion matrices; residuals and error distributions for regressors."
)

_CLF_COLUMNS = (
    ("accuracy", "accuracy"),
    ("balanced_accuracy", "balanced acc."),
    ("f1_macro", "F1 (macro)"),
    ("roc_auc", "ROC-AUC"),
    ("roc_auc_micro", "ROC-AUC (micro)"),
    ("average_precision_macro", "avg. precision"),
    ("loss", "cross-entropy"),
)
_REG_COLUMNS = (
    ("test_rmse", "test RMSE"),
    ("train_rmse", "train RMSE"),
    ("mae", "MAE"),
    ("r2", "R²"),
    ("rmse_pos", "RMSE over"),
    ("rmse_neg", "RMSE under"),
    ("mean_auc", "mean bin AUC"),
)


def _is_regressor(com) -> bool:
    return hasattr(com, "residuals")


def _fmt(x) -> str:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return "-"
    return f"{v:.4g}" if np.isfinite(v) else "-"


def metrics_rows(coms: dict) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the per-version metrics table."""
    regression = _is_regressor(next(iter(coms.values())))
    cols = _REG_COLUMNS if regression else _CLF_COLUMNS
    header = ["version", *(label for _, label in cols)]
    rows = []
    for label, com in coms.items():
        source = com.loss if regression else com.metrics
        rows.append([label, *(_fmt((source or {}).get(key)) for key, _ in cols)])
    return header, rows


def build_figures(
    ctx, key: str, labels: Sequence[str], focus: str | None, cmx_type: str = "counts"
) -> dict:
    """Every figure of the page for results ``key`` of versions ``labels``.

    Returns
    -------
    dict
        ``scores, loss, metric, roc, pr, detail`` (confusion grid or predicted vs true),
        ``errors`` (error distributions, regressors only, else None), ``table``
        (header, rows) and ``regression`` (bool).
    """
    import plotly.graph_objects as go

    from spacekit.analyzer import figures as F
    from spacekit.analyzer.computer import history_metric
    from spacekit.analyzer.figures import evaluation as FE
    from spacekit.dashboard.components import themed

    if not labels:
        raise InputError("Pick at least one version.")
    coms = {}
    for label in labels:
        com = ctx.compute(label, key)
        if com is not None:
            coms[label] = com
    if not coms:
        raise InputError(f"None of the chosen versions has results for {key!r}.")
    focus = focus if focus in coms else list(coms)[-1]
    fcom = coms[focus]
    regression = _is_regressor(fcom)
    if regression and not all(_is_regressor(c) for c in coms.values()):
        raise InputError(f"Results {key!r} mix regressors and classifiers across versions.")
    if regression:
        scores = FE.make_score_bars(
            {k: c.loss for k, c in coms.items()},
            metrics=("train_rmse", "test_rmse", "train_loss", "test_loss"),
            title=f"{key}: RMSE vs. loss (MSE) per version",
            left="rmse",
            panel_titles=("RMSE", "Loss (MSE)"),
        )
    else:
        scores = FE.make_score_bars(
            {k: c.acc_loss for k, c in coms.items()},
            title=f"{key}: accuracy vs. loss per version",
        )
    histories = {k: c.history for k, c in coms.items() if c.history}
    metric = next((history_metric(h) for h in histories.values() if history_metric(h)), None)
    loss = FE.make_history_compare(histories, "loss", f"{key}: loss per epoch")
    metric_fig = FE.make_history_compare(
        histories, metric or "accuracy", f"{key}: {metric or 'accuracy'} per epoch"
    )
    roc = go.Figure(fcom.roc_fig)
    pr = go.Figure(fcom.pr_fig)
    roc.update_layout(title=f"{roc.layout.title.text} - {focus}")
    pr.update_layout(title=f"{pr.layout.title.text} - {focus}")
    errors = None
    if regression:
        detail = F.make_residual_figure(
            fcom.y_true, fcom.y_pred, f"{key}: predicted vs true - {focus}"
        )
        errors = themed(FE.make_error_distribution({k: c.residuals for k, c in coms.items()}))
    else:
        normalized = cmx_type == "normalized"
        mats = [c.cmx_norm if normalized else c.cmx for c in coms.values()]
        detail = FE.make_confusion_grid(
            mats, fcom.classes, normalized=normalized, titles=list(coms), ncols=min(4, len(mats))
        )
    return {
        "scores": themed(scores),
        "loss": themed(loss),
        "metric": themed(metric_fig),
        "roc": themed(roc),
        "pr": themed(pr),
        "detail": themed(detail),
        "errors": errors,
        "table": metrics_rows(coms),
        "regression": regression,
    }


def layout(ctx, **query):
    from dash import dcc, html

    from spacekit.dashboard.components import options

    keys = ctx.result_keys()
    labels = [v.label for v in ctx.versions]
    titles = [v.title for v in ctx.versions]
    graph = lambda i: dcc.Graph(id=i, className="sk-panel", config={"displaylogo": False})  # noqa: E731
    return html.Div(
        [
            html.H2("Model evaluation"),
            html.Div(
                [
                    html.Div(
                        [
                            html.Label("Model results", htmlFor="eval-key"),
                            dcc.Dropdown(
                                id="eval-key",
                                options=options(keys),
                                value=keys[0] if keys else None,
                                clearable=False,
                            ),
                        ],
                        className="sk-field",
                    ),
                    html.Div(
                        [
                            html.Label("Versions", htmlFor="eval-versions"),
                            dcc.Dropdown(
                                id="eval-versions",
                                options=options(labels, titles),
                                value=labels,
                                multi=True,
                            ),
                        ],
                        className="sk-field",
                        style={"minWidth": "420px"},
                    ),
                    html.Div(
                        [
                            html.Label("Curves of version", htmlFor="eval-focus"),
                            dcc.Dropdown(
                                id="eval-focus",
                                options=options(labels, titles),
                                value=labels[-1] if labels else None,
                                clearable=False,
                            ),
                        ],
                        className="sk-field",
                    ),
                    html.Div(
                        [
                            html.Label("Confusion matrix", htmlFor="eval-cmx-type"),
                            dcc.RadioItems(
                                id="eval-cmx-type",
                                inline=True,
                                options=options(["counts", "normalized"]),
                                value="counts",
                            ),
                        ],
                        className="sk-field",
                    ),
                ],  # fmt: skip
                className="sk-row",
            ),
            html.Div(id="eval-status"),
            html.Div(id="eval-table"),
            html.Div([graph("eval-scores"), graph("eval-loss")], className="sk-grid2"),
            html.Div([graph("eval-metric"), graph("eval-roc")], className="sk-grid2"),
            html.Div([graph("eval-pr"), graph("eval-errors")], className="sk-grid2"),
            graph("eval-detail"),
        ],
        className="sk-page",
        id="page-evaluation",
    )


def register_callbacks(app, ctx) -> None:
    from dash import Input, Output, html

    from spacekit.dashboard.components import guarded

    outputs = [
        Output("eval-scores", "figure"),
        Output("eval-loss", "figure"),
        Output("eval-metric", "figure"),
        Output("eval-roc", "figure"),
        Output("eval-pr", "figure"),
        Output("eval-detail", "figure"),
        Output("eval-errors", "figure"),
        Output("eval-errors", "style"),
        Output("eval-table", "children"),
        Output("eval-status", "children"),
    ]

    @app.callback(
        *outputs,
        Input("eval-key", "value"),
        Input("eval-versions", "value"),
        Input("eval-focus", "value"),
        Input("eval-cmx-type", "value"),
    )
    @guarded(len(outputs))
    def update_evaluation(key, versions, focus, cmx_type):
        if not key:
            raise InputError("No results were found to evaluate.")
        chosen = [v.label for v in ctx.versions if v.label in (versions or [])]
        figs = build_figures(ctx, key, chosen, focus, cmx_type)
        header, rows = figs["table"]
        table = html.Table(
            [html.Tr([html.Th(h) for h in header])]
            + [html.Tr([html.Td(c) for c in row]) for row in rows],
            className="sk-table",
            id="eval-metrics-table",
        )
        errors = figs["errors"]
        return (
            figs["scores"], figs["loss"], figs["metric"], figs["roc"], figs["pr"],
            figs["detail"], errors if errors is not None else {},
            {} if errors is not None else {"display": "none"}, table, None,
        )  # fmt: skip
