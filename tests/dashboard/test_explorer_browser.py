"""The model explorer on the default data (150 digits, default CNN), in headless Chromium.

One app (served by waitress through :func:`spacekit.dashboard.explorer.launch`, the
notebook API) and one browser for the module. Every page is used the way a person would:
points and heat-map cells are clicked with the mouse at their pixel positions, a box is
dragged over the WebGL scatter, the loss table is filtered by typing, rows are ticked.
"""

import time

import pytest

from support import keep_screenshot, new_chromium, require_browser, severe_console_errors

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:HTTPResponse.getheader:DeprecationWarning"),
]

TIMEOUT = 120


@pytest.fixture(scope="module")
def explorer(explorer_ctx, explorer_cache, tmp_path_factory):
    from spacekit.dashboard.explorer import launch

    require_browser()
    srv = launch(None, "digits", max_samples=150, epochs=2, cache=explorer_cache)
    driver = new_chromium(tmp_path_factory.mktemp("chromium"), window="1400,1400")
    driver.set_page_load_timeout(TIMEOUT)
    try:
        yield driver, srv.url, explorer_ctx
    finally:
        driver.quit()
        srv.stop()


def wait_for(check, timeout=TIMEOUT, what="condition"):
    end = time.monotonic() + timeout
    last = None
    while time.monotonic() < end:
        try:
            last = check()
            if last:
                return last
        except Exception as exc:  # the element is not there yet
            last = exc
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


def graph_traces(driver, graph_id):
    return driver.execute_script(
        "const g = document.querySelector(arguments[0] + ' .js-plotly-plot');"
        "return g && g._fullData ? g._fullData.map(t => ({name: t.name, type: t.type,"
        " n: t.x ? t.x.length : 0, visible: t.visible,"
        " selected: t.selectedpoints ? Array.from(t.selectedpoints) : null})) : null;",
        f"#{graph_id}",
    )


def point_xy(driver, graph_id, trace, point):
    """Viewport pixel position of a point (x/y data) of a trace."""
    return driver.execute_script(
        "const g = document.querySelector(arguments[0] + ' .js-plotly-plot');"
        "const t = g._fullData[arguments[1]], xa = g._fullLayout.xaxis, ya = g._fullLayout.yaxis;"
        "const r = g.getBoundingClientRect();"
        "const x = t.x[arguments[2]], y = t.y[arguments[2]];"
        "return [r.left + xa._offset + xa.d2p(x), r.top + ya._offset + ya.d2p(y)];",
        f"#{graph_id}",
        trace,
        point,
    )


def mouse(driver, *steps):
    """Run pointer steps: ("move", x, y), ("down",), ("up",), ("click", x, y)."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.actions.action_builder import ActionBuilder

    actions = ActionChains(driver)
    pointer = ActionBuilder(driver).pointer_action
    builder = actions.w3c_actions
    pointer = builder.pointer_action
    for step in steps:
        if step[0] in ("move", "click"):
            pointer.move_to_location(int(step[1]), int(step[2]))
        if step[0] == "click":
            pointer.click()
        elif step[0] == "down":
            pointer.click_and_hold()
        elif step[0] == "up":
            pointer.release()
        pointer.pause(0.05)
    actions.perform()


def no_console_errors(driver):
    errors = severe_console_errors(driver)
    assert errors == [], errors


def cards(driver, container):
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, f"#{container} .sk-x-card")


def test_model_page(explorer, tmp_path):
    from selenium.webdriver.common.by import By

    driver, url, ctx = explorer
    driver.get(url)
    rows = wait_for(
        lambda: driver.find_elements(By.CSS_SELECTOR, "#x-layer-table tr"), what="layers"
    )
    assert [r.text.split()[0] for r in rows[1:]] == ["image", *ctx.layers]
    chosen = driver.find_element(By.CSS_SELECTOR, "#x-layer-table tr.sk-x-chosen").text
    assert chosen.startswith("hidden Dense (None, 64)")
    links = [a.text for a in driver.find_elements(By.CSS_SELECTOR, ".sk-nav-link")]
    assert links == [
        "Model",
        "Projections",
        "Hard examples",
        "Loss table",
        "Confusion",
        "Similar images",
    ]
    wait_for(lambda: graph_traces(driver, "x-model-graph"), what="model graph")
    thumbs = wait_for(lambda: graph_traces(driver, "x-samples"), what="sample images")
    assert len(thumbs) == 40 and {t["type"] for t in thumbs} == {"image"}
    summary = driver.find_element(By.ID, "x-summary").text
    assert "default CNN" in summary and "150 images of shape (8, 8, 1)" in summary
    keep_screenshot(driver, tmp_path, "explorer_model")
    no_console_errors(driver)


def test_projections_legend_click_and_linked_selection(explorer, tmp_path):
    from selenium.webdriver.common.by import By

    driver, url, ctx = explorer
    driver.get(url + "projections")
    for gid in ("x-proj-input", "x-proj-hidden"):
        wait_for(lambda g=gid: len(graph_traces(driver, g) or []) == 10, what=f"traces of {gid}")
    traces = graph_traces(driver, "x-proj-hidden")
    assert {t["type"] for t in traces} == {"scattergl"} and sum(t["n"] for t in traces) == 150
    # click a point of class 4 in the hidden-layer plot: its image and facts appear
    x, y = point_xy(driver, "x-proj-hidden", 4, 0)
    mouse(driver, ("move", x - 30, y - 30), ("move", x, y), ("click", x, y))
    detail = wait_for(lambda: driver.find_element(By.ID, "x-detail-sample"), what="clicked sample")
    facts = dict(row.text.split(" ", 1) for row in detail.find_elements(By.CSS_SELECTOR, "tr"))
    i = int(facts["index"])
    assert facts["label"] == ctx.classes[ctx.data.labels[i]]
    assert facts["prediction"] == ctx.classes[ctx.predicted[i]]
    # legend: a click hides a class
    legend = driver.find_elements(By.CSS_SELECTOR, "#x-proj-input .legend .traces")
    legend[2].click()
    wait_for(
        lambda: graph_traces(driver, "x-proj-input")[2]["visible"] == "legendonly",
        what="hidden class",
    )
    legend[2].click()
    wait_for(lambda: graph_traces(driver, "x-proj-input")[2]["visible"] is True, what="shown class")
    # box-select the left half of the input plot: the same images light up on the right
    driver.find_element(By.CSS_SELECTOR, "#x-proj-input .modebar-btn[data-val='select']").click()
    box = driver.execute_script(
        "const g = document.querySelector('#x-proj-input .js-plotly-plot');"
        "const xa = g._fullLayout.xaxis, ya = g._fullLayout.yaxis, r = g.getBoundingClientRect();"
        "const mid = (xa.range[0] + xa.range[1]) / 2;"
        "let n = 0; g._fullData.forEach(t => t.x.forEach(v => { if (v < mid) n++; }));"
        "return [r.left + xa._offset + 2, r.top + ya._offset + 2,"
        " r.left + xa._offset + xa.d2p(mid), r.top + ya._offset + ya._length - 2, n];"
    )
    x0, y0, x1, y1, expected = box
    mouse(driver, ("move", x0, y0), ("down",), ("move", (x0 + x1) / 2, (y0 + y1) / 2),
          ("move", x1, y1), ("up",))  # fmt: skip
    wait_for(
        lambda: driver.find_element(By.ID, "x-proj-selection-count").text.startswith(
            f"{expected} selected"
        ),
        what=f"{expected} images selected",
    )
    wait_for(
        lambda: (
            sum(len(t["selected"] or []) for t in graph_traces(driver, "x-proj-hidden")) == expected
        ),
        what="the selection linked into the hidden-layer plot",
    )
    assert len(cards(driver, "x-proj-selection")) == min(expected, 30)
    keep_screenshot(driver, tmp_path, "explorer_projections")
    no_console_errors(driver)
    # the link of the clicked sample opens the similar images of it
    driver.find_element(By.CSS_SELECTOR, "#x-detail-sample a").click()
    wait_for(lambda: driver.current_url.endswith(f"/similar?index={i}"), what="similar page")
    first = wait_for(lambda: cards(driver, "x-sim-result"), what="neighbours")[0]
    assert first.text.startswith(f"#{i}")


def test_hard_examples(explorer, tmp_path):
    from selenium.webdriver.common.by import By

    driver, url, ctx = explorer
    driver.get(url + "hard")
    wait_for(lambda: graph_traces(driver, "x-hard-graph"), what="loss scatter")
    gallery = wait_for(lambda: cards(driver, "x-hard-gallery"), what="hardest images")
    assert len(gallery) == 24
    shown = [int(c.text.split()[0].lstrip("#")) for c in gallery]
    assert shown == sorted(range(len(ctx)), key=lambda j: -ctx.loss[j])[:24]
    x, y = point_xy(driver, "x-hard-graph", 0, 149)  # drawn last: the hardest
    mouse(driver, ("move", x - 20, y), ("move", x, y), ("click", x, y))
    detail = wait_for(lambda: driver.find_element(By.ID, "x-detail-sample"), what="clicked")
    assert "loss" in detail.text
    keep_screenshot(driver, tmp_path, "explorer_hard")
    no_console_errors(driver)


def test_loss_table_filter_and_pool(explorer, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver, url, ctx = explorer
    driver.get(url + "losses")
    wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "#x-loss-table td"), what="table")
    box = driver.find_element(
        By.CSS_SELECTOR, "#x-loss-table th.dash-filter[data-dash-column='loss'] input"
    )
    box.send_keys("> 0.5" + Keys.ENTER)
    expected = sorted((float(round(v, 5)) for v in ctx.loss if round(v, 5) > 0.5), reverse=True)

    def shown_losses():
        cells = driver.find_elements(By.CSS_SELECTOR, "#x-loss-table td[data-dash-column='loss']")
        return [float(c.text) for c in cells]

    wait_for(lambda: shown_losses() == expected[:15], what="filtered, sorted rows")
    ticks = driver.find_elements(By.CSS_SELECTOR, "#x-loss-table td.dash-select-cell input")
    ticks[0].click()
    ticks[1].click()
    wait_for(lambda: len(cards(driver, "x-pool-cards")) == 2, what="two images in the pool")
    keep_screenshot(driver, tmp_path, "explorer_losses")
    driver.find_element(By.ID, "x-pool-clear").click()
    wait_for(lambda: not cards(driver, "x-pool-cards"), what="an empty pool")
    no_console_errors(driver)


def test_confusion_cell_click(explorer, tmp_path):
    from selenium.webdriver.common.by import By

    from spacekit.dashboard.explorer.pages.confusion import confusion

    driver, url, ctx = explorer
    driver.get(url + "confusion")
    wait_for(lambda: graph_traces(driver, "x-cm-graph"), what="confusion matrix")
    xy = driver.execute_script(
        "const g = document.querySelector('#x-cm-graph .js-plotly-plot');"
        "const xa = g._fullLayout.xaxis, ya = g._fullLayout.yaxis, r = g.getBoundingClientRect();"
        "return [r.left + xa._offset + xa.l2p(1), r.top + ya._offset + ya.l2p(1)];"
    )
    mouse(driver, ("move", xy[0] - 5, xy[1]), ("click", *xy))
    title = wait_for(
        lambda: driver.find_element(By.ID, "x-cm-title").text.startswith("true 1"), what="cell"
    )
    n = int(confusion(ctx)[1, 1])
    assert (
        driver.find_element(By.ID, "x-cm-title").text == (f"true 1 → predicted 1: {n} image(s)")
        and title
    )
    assert len(cards(driver, "x-cm-cell")) == n
    keep_screenshot(driver, tmp_path, "explorer_confusion")
    no_console_errors(driver)


def test_similar_images(explorer, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver, url, ctx = explorer
    driver.get(url + "similar?index=3")
    wait_for(lambda: len(cards(driver, "x-sim-result")) == 9, what="query and 8 neighbours")
    box = driver.find_element(By.ID, "x-sim-index")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys("42" + Keys.ENTER)
    wait_for(lambda: cards(driver, "x-sim-result")[0].text.startswith("#42"), what="new query")
    lines = wait_for(lambda: graph_traces(driver, "x-sim-lines"), what="activation lines")
    assert sum(t["type"] == "scatter" for t in lines) == 9 + 8
    keep_screenshot(driver, tmp_path, "explorer_similar")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys("9999" + Keys.ENTER)
    msg = wait_for(
        lambda: driver.find_element(By.CSS_SELECTOR, "#x-sim-result .sk-msg"), what="error"
    )
    assert "from 0 to 149" in msg.text
    no_console_errors(driver)
