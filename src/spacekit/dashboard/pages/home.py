"""Home: what is loaded (data, results versions, models) and links to every page."""

from __future__ import annotations

PATH = "/"
NAME = "Home"
ORDER = 0

DESCRIPTION = "What is loaded, and a link to every page."


def page_cards() -> list[tuple[str, str, str]]:
    """``(path, name, description)`` of every registered page but this one."""
    import dash

    return [
        (p["path"], p["name"], p.get("description", ""))
        for p in dash.page_registry.values()
        if p["path"] != PATH
    ]


def layout(ctx, **query):
    from dash import dcc, html

    from spacekit.dashboard.components import message

    info = ctx.describe()
    versions = html.Table(
        [html.Tr([html.Th("version"), html.Th("folder"), html.Th("results")])]
        + [
            html.Tr([html.Td(label), html.Td(name), html.Td(", ".join(keys))])
            for label, name, keys in info["versions"]
        ],
        className="sk-table",
        id="home-versions",
    )
    cards = [
        html.Div([dcc.Link(html.H3(title), href=href), html.P(text)], className="sk-card")
        for href, title, text in page_cards()
    ]
    loaded = html.Ul(
        [
            html.Li(["Results: ", html.Code(info["results_root"]), f" ({info['source']})"]),
            html.Li(["Data table: ", html.Code(info["data"] or "none")]),
            html.Li(["Models: ", ", ".join(info["models"]) or "none"]),
        ],
        id="home-loaded",
    )
    problems = [message(p, "warning") for p in info["problems"]]
    return html.Div(
        [
            html.H2(f"spacekit dashboard: {ctx.settings.title}"),
            html.P(
                "Compare versions of the models, explore the training data, watch for "
                "drift, and look inside a network.",
                className="sk-lead",
            ),
            *problems,
            html.Div(cards, className="sk-cards"),
            html.H3("Loaded"),
            loaded,
            versions,
        ],
        className="sk-page",
        id="page-home",
    )
