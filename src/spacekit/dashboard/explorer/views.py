"""Pieces shared by the explorer pages: image cards, controls, hover fields, clicks.

Every function takes the read-only context and plain values and returns Dash
components or figures; nothing here keeps state.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from spacekit.dashboard.explorer.context import INPUT_SPACE, ExplorerContext
from spacekit.dashboard.explorer.projection import METHODS, available_methods, valid_indices

__all__ = [
    "image_card",
    "image_cards",
    "sample_detail",
    "method_dropdown",
    "layer_dropdown",
    "hover_fields",
    "HOVER_FORMAT",
    "clicked_index",
    "selected_indices",
    "projection_figure",
    "loss_figure",
    "loading",
]

#: d3 formats of the hover fields.
HOVER_FORMAT = {"loss": ":.3g", "confidence": ":.3f"}
_MIN_SIDE = 72


def image_card(ctx: ExplorerContext, i: int, note: str | None = None):
    """A small card: the image, its index, label, prediction and loss."""
    from dash import html

    from spacekit.analyzer.figures import png_data_uri

    r = ctx.row(i)
    wrong = r["label"] != r["prediction"]
    lines = [
        html.Div(f"#{i}", className="sk-x-idx"),
        html.Div(f"label {r['label']} · pred {r['prediction']}"),
        html.Div(f"loss {r['loss']:.2g} · p {r['confidence']:.2f}"),
    ]
    if note:
        lines.append(html.Div(note, className="sk-x-note"))
    return html.Div(
        [html.Img(src=png_data_uri(ctx.data.images[i], _MIN_SIDE), className="sk-x-img"), *lines],
        className="sk-x-card" + (" sk-x-wrong" if wrong else ""),
        id={"type": "x-card", "index": int(i)},
        title=r["name"] or f"sample {i}",
    )


def image_cards(ctx: ExplorerContext, indices: Sequence[int], notes=None):
    """A wrapping row of :func:`image_card` for ``indices``."""
    from dash import html

    notes = list(notes) if notes is not None else [None] * len(indices)
    return html.Div(
        [image_card(ctx, int(i), n) for i, n in zip(indices, notes, strict=True)],
        className="sk-x-cards",
    )


def sample_detail(ctx: ExplorerContext, i: int):
    """A large view of one sample: image, facts, top-3 class probabilities, links."""
    from dash import dcc, html

    from spacekit.analyzer.figures import png_data_uri

    r = ctx.row(i)
    top = np.argsort(-ctx.probabilities[i])[:3]
    facts = [
        ("index", str(i)),
        ("label", r["label"]),
        ("prediction", r["prediction"]),
        ("confidence", f"{r['confidence']:.3f}"),
        ("loss", f"{r['loss']:.4g}"),
    ]
    if r["split"]:
        facts.append(("split", r["split"]))
    if r["name"]:
        facts.append(("file", r["name"]))
    if ctx.data.features is not None:  # e.g. the SVM statistics beside the frames
        for name, value in zip(ctx.data.feature_names, ctx.data.features[i], strict=True):
            facts.append((name, f"{value:.4g}"))
    facts.append(
        ("top 3", ", ".join(f"{ctx.classes[k]}: {ctx.probabilities[i, k]:.2f}" for k in top))
    )
    return html.Div(
        [
            html.Img(src=png_data_uri(ctx.data.images[i], 160), className="sk-x-big"),
            html.Table([html.Tr([html.Th(k), html.Td(v)]) for k, v in facts], className="sk-table"),
            dcc.Link("Similar images →", href=f"/similar?index={i}", className="sk-x-link"),
        ],
        className="sk-x-detail",
        id="x-detail-sample",
    )


def method_dropdown(id_: str, value: str = "pca"):
    from dash import dcc

    names = available_methods()
    return dcc.Dropdown(
        id=id_,
        options=[{"label": METHODS[m], "value": m} for m in names],
        value=value if value in names else "pca",
        clearable=False,
        persistence=True,
        persistence_type="session",
    )


def layer_dropdown(ctx: ExplorerContext, id_: str, with_input: bool = False):
    from dash import dcc

    options = [{"label": f"{name}", "value": name} for name in ctx.layers]
    if with_input:
        options.insert(0, {"label": "input (pixels)", "value": INPUT_SPACE})
    return dcc.Dropdown(
        id=id_,
        options=options,
        value=ctx.layer,
        clearable=False,
        persistence=True,
        persistence_type="session",
    )


def hover_fields(ctx: ExplorerContext) -> dict[str, list]:
    """Per-sample hover values: label, prediction, loss, confidence."""
    names = np.asarray(ctx.classes, dtype=object)
    return {
        "label": names[ctx.data.labels].tolist(),
        "prediction": names[ctx.predicted].tolist(),
        "loss": np.round(ctx.loss, 5).tolist(),
        "confidence": np.round(ctx.confidence, 4).tolist(),
    }


def clicked_index(click_data, n: int) -> int | None:
    """The sample index of a clicked point (``customdata[0]``), validated."""
    try:
        point = (click_data or {}).get("points", [])[0]
    except (IndexError, AttributeError, TypeError):
        return None
    custom = point.get("customdata") if isinstance(point, dict) else None
    value = custom[0] if isinstance(custom, list) and custom else custom
    found = valid_indices([value], n)
    return found[0] if found else None


def selected_indices(selected_data, n: int) -> list[int] | None:
    """Sample indices of a box/lasso selection (validated); None when nothing is selected."""
    if not selected_data or not isinstance(selected_data, dict):
        return None
    values = []
    for p in selected_data.get("points", []) or []:
        custom = p.get("customdata") if isinstance(p, dict) else None
        values.append(custom[0] if isinstance(custom, list) and custom else custom)
    return valid_indices(values, n)


def projection_figure(ctx: ExplorerContext, space: str, method: str, color_by: str, selected=None):
    """The class-coloured projection of ``space`` (themed)."""
    from spacekit.analyzer.figures import make_projection_figure
    from spacekit.dashboard.components import themed

    coords = ctx.projection(space, method)
    groups = ctx.predicted if color_by == "prediction" else ctx.data.labels
    where = "input pixels" if space == INPUT_SPACE else f"layer {space!r}"
    fig = make_projection_figure(
        coords,
        groups,
        ctx.classes,
        hover=hover_fields(ctx),
        hover_format=HOVER_FORMAT,
        title=f"{METHODS[method]} of the {where}",
        legend_title=color_by,
        selected=selected,
    )
    return themed(fig, height=520)


def loss_figure(ctx: ExplorerContext, space: str, method: str):
    """The projection of ``space`` coloured by per-sample loss (themed)."""
    from spacekit.analyzer.figures import make_loss_projection_figure
    from spacekit.dashboard.components import themed

    where = "input pixels" if space == INPUT_SPACE else f"layer {space!r}"
    fig = make_loss_projection_figure(
        ctx.projection(space, method),
        ctx.loss,
        hover=hover_fields(ctx),
        hover_format=HOVER_FORMAT,
        title=f"{METHODS[method]} of the {where}, coloured by per-sample loss",
    )
    return themed(fig, height=560)


def loading(children, message: str):
    """Wrap ``children`` in a loading indicator that says what is being computed."""
    from dash import dcc, html

    return dcc.Loading(
        children,
        type="circle",
        custom_spinner=html.Div(
            [html.Div(className="sk-x-spinner"), html.Div(message, className="sk-x-spin-msg")],
            className="sk-x-busy",
        ),
        delay_show=250,
    )
