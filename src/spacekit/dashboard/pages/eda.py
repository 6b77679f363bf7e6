"""Exploratory data analysis of the training table.

Feature against feature (or against a target), coloured by a group with a fitted line
per group (log axes fit in log space); box plots of one feature grouped by another
(statistics computed on the server, so 100,000 rows send a few numbers per box);
filters on the groups and on a numeric range. Large tables are drawn with WebGL.
"""

from __future__ import annotations

import pandas as pd

from spacekit.exceptions import DataError, InputError

#: Tables up to this many rows show each point's row name on hover.
HOVER_ROWS = 20_000

PATH = "/eda"
NAME = "EDA"
ORDER = 2
DESCRIPTION = (
    "Feature against feature or target, coloured by group with per-group linear fits; box "
    "plots of a feature by group; filters."
)


def _choices(ctx, df: pd.DataFrame) -> dict:
    from spacekit.analyzer.explore import categorical_columns, numeric_columns

    numeric = numeric_columns(df)
    if not numeric:
        raise DataError(
            f"The table {ctx.data_path.name if ctx.data_path else ''} has no numeric column "
            "to plot; pick a table of features (numbers) with --data."
        )
    groups = categorical_columns(df)
    targets = [t for t in ctx.settings.targets if t in numeric]
    features = [c for c in numeric if c not in targets]
    # the continuous targets (memory, wallclock) plot better than a class column
    targets = [t for t in targets if t not in groups] or targets
    group = ctx.settings.group if ctx.settings.group in groups else (groups[0] if groups else None)
    return {
        "numeric": numeric,
        "groups": groups,
        "x": features[0] if features else numeric[0],
        "y": targets[0] if targets else numeric[min(1, len(numeric) - 1)],
        "group": group,
        "box": targets[0] if targets else numeric[0],
    }


def filter_rows(
    ctx, df: pd.DataFrame, group: str | None, keep_groups, range_col, lo, hi
) -> pd.DataFrame:
    """Rows whose group is in ``keep_groups`` and ``range_col`` within ``[lo, hi]``."""
    from spacekit.analyzer.explore import group_labels

    out = df
    if group and keep_groups:
        labels = group_labels(out, group, ctx.settings.decoders.get(group))
        chosen = labels.isin([str(g) for g in keep_groups])
        # values left over from another group-by column (the menu updates a moment
        # later) match nothing and filter nothing
        if chosen.any():
            out = out[chosen]
    if range_col and range_col in out.columns:
        x = pd.to_numeric(out[range_col], errors="coerce")
        if lo is not None:
            out = out[x >= float(lo)]
            x = x.loc[out.index]
        if hi is not None:
            out = out[x <= float(hi)]
    if out.empty:
        raise InputError("No rows are left after the filters; widen them.")
    return out


def build_figures(
    ctx,
    x: str,
    y: str,
    group: str | None,
    box_col: str,
    logx=False,
    logy=False,
    keep_groups=None,
    range_col=None,
    lo=None,
    hi=None,
    fits: bool = True,
) -> dict:
    """Scatter (with per-group fits) and box figures of the (filtered) EDA table.

    Returns
    -------
    dict
        ``scatter``, ``box`` (figures), ``summary`` (str) and ``fits`` (per-group slopes).
    """
    from spacekit.analyzer.explore import box_stats, group_labels, linear_fits
    from spacekit.analyzer.figures.eda import make_box_figure, make_group_scatter
    from spacekit.dashboard.components import themed

    df = ctx.table()
    for col in (x, y, box_col):
        if col not in df.columns:
            raise InputError(f"Column {col!r} is not in the table.")
        if not pd.api.types.is_numeric_dtype(df[col]):
            raise DataError(f"Column {col!r} is not numeric; pick a numeric column.")
    df = filter_rows(ctx, df, group, keep_groups, range_col, lo, hi)
    labels = group_labels(df, group, ctx.settings.decoders.get(group)) if group else None
    xs = df[x].to_numpy(dtype=float)
    ys = df[y].to_numpy(dtype=float)
    fit = linear_fits(xs, ys, labels, logx, logy) if fits else {}
    # row names in the hover for tables a person can still scan; above that they would
    # double what the browser receives for little use
    hover = df.index.astype(str).to_numpy() if df.index.name and len(df) <= HOVER_ROWS else None
    scatter = make_group_scatter(
        xs,
        ys,
        labels,
        fits=fit,
        x_title=x,
        y_title=y,
        logx=logx,
        logy=logy,
        hover=hover,
        title=f"{y} vs {x}" + (f" by {group}" if group else ""),
    )
    stats = box_stats(df[box_col].to_numpy(dtype=float), labels)
    box = make_box_figure(
        stats,
        title=f"{box_col} by {group or 'all rows'}",
        y_title=box_col,
        log=bool(logy and box_col == y and (df[box_col] > 0).all()),
    )
    counts = labels.value_counts() if labels is not None else pd.Series({"all": len(df)})
    summary = f"{len(df):,} rows" + (
        " - " + ", ".join(f"{k}: {v:,}" for k, v in counts.items()) if group else ""
    )
    return {"scatter": themed(scatter), "box": themed(box), "summary": summary, "fits": fit}


def layout(ctx, **query):
    from dash import dcc, html

    from spacekit.dashboard.components import message, options

    try:
        df = ctx.table()
        ch = _choices(ctx, df)
    except (DataError, InputError) as exc:
        return html.Div(
            [html.H2("Exploratory data analysis"), message(str(exc))],
            className="sk-page",
            id="page-eda",
        )
    field = lambda label, comp: html.Div([html.Label(label), comp], className="sk-field")  # noqa: E731
    group_values = []
    if ch["group"]:
        from spacekit.analyzer.explore import group_labels

        group_values = sorted(
            pd.unique(group_labels(df, ch["group"], ctx.settings.decoders.get(ch["group"])))
        )
    return html.Div(
        [
            html.H2("Exploratory data analysis"),
            html.P(
                f"{ctx.data_path}: {len(df):,} rows, {df.shape[1]} columns", className="sk-lead"
            ),
            html.Div(
                [
                    field(
                        "x axis",
                        dcc.Dropdown(
                            id="eda-x",
                            options=options(ch["numeric"]),
                            value=ch["x"],
                            clearable=False,
                        ),
                    ),
                    field(
                        "y axis",
                        dcc.Dropdown(
                            id="eda-y",
                            options=options(ch["numeric"]),
                            value=ch["y"],
                            clearable=False,
                        ),
                    ),
                    field(
                        "group by",
                        dcc.Dropdown(
                            id="eda-group",
                            options=options(ch["groups"]),
                            value=ch["group"],
                            clearable=True,
                        ),
                    ),
                    field(
                        "axes",
                        dcc.Checklist(
                            id="eda-log",
                            inline=True,
                            options=options(["log x", "log y", "fits"]),
                            value=["fits"],
                        ),
                    ),
                ],
                className="sk-row",
            ),
            html.Div(
                [
                    field(
                        "show groups",
                        dcc.Dropdown(
                            id="eda-groups",
                            multi=True,
                            options=options(group_values),
                            value=group_values,
                        ),
                    ),
                    field(
                        "filter column",
                        dcc.Dropdown(id="eda-range-col", options=options(ch["numeric"])),
                    ),
                    field("min", dcc.Input(id="eda-min", type="number", debounce=True)),
                    field("max", dcc.Input(id="eda-max", type="number", debounce=True)),
                    field(
                        "box plot of",
                        dcc.Dropdown(
                            id="eda-box",
                            options=options(ch["numeric"]),
                            value=ch["box"],
                            clearable=False,
                        ),
                    ),
                ],
                className="sk-row",
            ),
            html.Div(id="eda-status"),
            html.Div(id="eda-summary", className="sk-readout"),
            html.Div(
                [
                    dcc.Graph(id="eda-scatter", className="sk-panel", style={"height": "560px"}),
                    dcc.Graph(id="eda-boxplot", className="sk-panel", style={"height": "560px"}),
                ],
                className="sk-grid2",
            ),
        ],
        className="sk-page",
        id="page-eda",
    )


def register_callbacks(app, ctx) -> None:
    from dash import Input, Output

    from spacekit.dashboard.components import guarded

    @app.callback(
        Output("eda-groups", "options"),
        Output("eda-groups", "value"),
        Input("eda-group", "value"),
        prevent_initial_call=True,
    )
    @guarded(2, 0)
    def update_group_values(group):
        from spacekit.analyzer.explore import group_labels

        if not group:
            return [], []
        df = ctx.table()
        values = sorted(pd.unique(group_labels(df, group, ctx.settings.decoders.get(group))))
        return [{"label": v, "value": v} for v in values], values

    outputs = [
        Output("eda-scatter", "figure"),
        Output("eda-boxplot", "figure"),
        Output("eda-summary", "children"),
        Output("eda-status", "children"),
    ]

    @app.callback(
        *outputs,
        Input("eda-x", "value"),
        Input("eda-y", "value"),
        Input("eda-group", "value"),
        Input("eda-log", "value"),
        Input("eda-groups", "value"),
        Input("eda-range-col", "value"),
        Input("eda-min", "value"),
        Input("eda-max", "value"),
        Input("eda-box", "value"),
    )
    @guarded(len(outputs))
    def update_eda(x, y, group, flags, keep, range_col, lo, hi, box_col):
        flags = flags or []
        figs = build_figures(
            ctx,
            x,
            y,
            group,
            box_col,
            "log x" in flags,
            "log y" in flags,
            keep or None,
            range_col,
            lo,
            hi,
            fits="fits" in flags,
        )
        return figs["scatter"], figs["box"], figs["summary"], None
