"""The cal dashboard on the packaged sample results, driven in headless Chromium.

One app and one browser for the module (served by waitress, as in production). Every
page is opened, used the way a person would (pick versions, change the group-by, hover
a node, submit the input form, pick drift tables, upload a CSV) and checked for what
renders and for browser console errors.
"""

import time

import pytest

from spacekit.dashboard import create_dashboard, start_server
from support import keep_screenshot, new_chromium, require_browser, severe_console_errors

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:HTTPResponse.getheader:DeprecationWarning"),
]

TIMEOUT = 90


@pytest.fixture(scope="module")
def dash_browser(tmp_path_factory):
    require_browser()
    app = create_dashboard("cal")
    srv = start_server(app)
    driver = new_chromium(tmp_path_factory.mktemp("chromium"), window="1400,1500")
    driver.set_page_load_timeout(TIMEOUT)
    try:
        yield driver, srv.url, app.spacekit_context
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
        except Exception as exc:
            last = exc
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


def traces(driver, graph_id):
    """The plotly traces rendered in ``dcc.Graph(id=graph_id)``."""
    return driver.execute_script(
        "const g = document.querySelector(arguments[0] + ' .js-plotly-plot');"
        "return g && g.data ? g.data.map(t => ({name: t.name, type: t.type, zmax: t.zmax,"
        " y: t.y && t.y.length < 200 ? Array.from(t.y) : null})) : null;",
        f"#{graph_id}",
    )


def layout_title(driver, graph_id):
    return driver.execute_script(
        "const g = document.querySelector(arguments[0] + ' .js-plotly-plot');"
        "return g && g.layout && g.layout.title ? g.layout.title.text : null;",
        f"#{graph_id}",
    )


def pick(driver, dropdown_id, label):
    """Open a Dash dropdown and click the option whose text is ``label``."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver.find_element(By.ID, dropdown_id).click()
    option = wait_for(
        lambda: next(
            o
            for o in driver.find_elements(By.CSS_SELECTOR, ".dash-dropdown-options [role=option]")
            if o.text.strip() == label
        ),
        what=f"option {label!r} of {dropdown_id}",
    )
    option.click()
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)


def no_console_errors(driver):
    errors = severe_console_errors(driver)
    assert errors == [], errors


def test_home_names_what_is_loaded(dash_browser, tmp_path):
    from selenium.webdriver.common.by import By

    driver, url, ctx = dash_browser
    driver.get(url)
    rows = wait_for(
        lambda: driver.find_elements(By.CSS_SELECTOR, "#home-versions tr"), what="versions"
    )
    assert len(rows) == 1 + len(ctx.versions) == 4
    loaded = driver.find_element(By.ID, "home-loaded").text
    assert "packaged sample" in loaded and "mem_clf" in loaded
    links = [a.text for a in driver.find_elements(By.CSS_SELECTOR, ".sk-nav-link")]
    assert links == ["Home", "Model evaluation", "EDA", "Drift", "Network", "Predictions"]
    assert len(driver.find_elements(By.CSS_SELECTOR, ".sk-card")) == 5
    keep_screenshot(driver, tmp_path, "dashboard_home")
    no_console_errors(driver)


def test_evaluation_pick_versions(dash_browser, tmp_path):
    from selenium.webdriver.common.by import By

    driver, url, _ = dash_browser
    driver.get(url + "evaluation")
    heatmaps = lambda: [t for t in (traces(driver, "eval-detail") or []) if t["type"] == "heatmap"]  # noqa: E731
    wait_for(lambda: len(heatmaps()) == 3, what="three confusion matrices")
    pick(driver, "eval-versions", "v0 (2026-01-15)")  # deselect the oldest
    wait_for(lambda: len(heatmaps()) == 2, what="two confusion matrices")
    rows = driver.find_elements(By.CSS_SELECTOR, "#eval-metrics-table tr")
    assert [r.text.split()[0] for r in rows[1:]] == ["v1", "v2"]
    driver.find_element(By.CSS_SELECTOR, "#eval-cmx-type input[value=normalized]").click()
    wait_for(lambda: heatmaps()[0]["zmax"] == 1, what="normalised matrices")
    assert "v2" in layout_title(driver, "eval-roc")
    keep_screenshot(driver, tmp_path, "dashboard_evaluation")
    pick(driver, "eval-key", "memory")
    wait_for(
        lambda: [t["name"] for t in traces(driver, "eval-errors")] == ["v1", "v2"],
        what="error distributions of the regressor",
    )
    assert "RMSE" in layout_title(driver, "eval-scores")
    no_console_errors(driver)


def test_eda_change_group_by(dash_browser, tmp_path):
    from selenium.webdriver.common.by import By

    driver, url, _ = dash_browser
    driver.get(url + "eda")
    names = lambda: [t["name"] for t in traces(driver, "eda-scatter") or []]  # noqa: E731
    wait_for(lambda: {"acs", "cos", "stis", "wfc3"} <= set(names()), what="instrument groups")
    assert "acs fit" in names()  # a fitted line per group
    keep_screenshot(driver, tmp_path, "dashboard_eda")
    pick(driver, "eda-group", "dtype")
    wait_for(lambda: {"0", "1"} <= set(names()) and "acs" not in names(), what="dtype groups")
    boxes = wait_for(lambda: [t for t in traces(driver, "eda-boxplot") if t["type"] == "box"])
    assert len(boxes) == 2
    summary = driver.find_element(By.ID, "eda-summary").text
    assert summary.startswith("1,458 rows") and "0:" in summary
    no_console_errors(driver)


def test_network_hover_a_node_and_run_the_form(dash_browser, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    driver, url, ctx = dash_browser
    driver.get(url + "network")
    wait_for(lambda: traces(driver, "nn-graph"), what="the network graph")
    fields = wait_for(
        lambda: driver.find_elements(By.CSS_SELECTOR, "#nn-form input"), what="the input form"
    )
    assert len(fields) == 9
    points = wait_for(
        lambda: driver.find_elements(By.CSS_SELECTOR, "#nn-graph .scatterlayer .point"),
        what="node markers",
    )
    ActionChains(driver).move_to_element(points[-1]).perform()  # an output node
    readout = wait_for(
        lambda: (
            "bias =" in driver.find_element(By.ID, "nn-readout").text
            and driver.find_element(By.ID, "nn-readout").text
        ),
        what="the bias of the hovered node",
    )
    spec = ctx.model_spec("mem_clf")
    bias = ctx.network(spec).layers[-1].bias
    assert any(f"bias = {b}" in readout for b in bias)  # float32, printed exactly
    first_row = str(ctx.table().index[0])
    pick(driver, "nn-row", first_row)
    wait_for(
        lambda: fields[0].get_attribute("value") == str(int(ctx.table()["n_files"].iloc[0])),
        what="the form filled from the row",
    )
    driver.find_element(By.ID, "nn-run").click()
    out = wait_for(
        lambda: (
            "prediction:" in driver.find_element(By.ID, "nn-output").text
            and driver.find_element(By.ID, "nn-output").text
        ),
        what="the forward pass",
    )
    probs = [float(p.split(": ")[1]) for p in out.split("(")[1].rstrip(")").split(", ")]
    assert len(probs) == 4 and sum(probs) == pytest.approx(1.0, abs=0.01)
    keep_screenshot(driver, tmp_path, "dashboard_network")
    no_console_errors(driver)


def test_drift_pick_tables_and_click_a_feature(dash_browser, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    driver, url, _ = dash_browser
    driver.get(url + "drift")
    wait_for(lambda: "v2" in (layout_title(driver, "drift-bars") or ""), what="drift of v2")
    bars = traces(driver, "drift-bars")[0]
    assert bars["y"][-1] == "instr"  # the worst feature at the top: v0 had fewer WFC3 jobs
    assert "instr" in layout_title(driver, "drift-overlay")
    pick(driver, "drift-new", "v1: data/hst_cal_2026-02-15.csv")
    wait_for(lambda: "v1" in layout_title(driver, "drift-bars"), what="drift of v1")
    bar = wait_for(
        lambda: driver.find_elements(By.CSS_SELECTOR, "#drift-bars .bars .point path"),
        what="bar elements",
    )
    # the second worst feature (clicks reach plotly through its drag layer)
    ActionChains(driver).move_to_element(bar[-2]).click().perform()
    second = traces(driver, "drift-bars")[0]["y"][-2]
    wait_for(
        lambda: layout_title(driver, "drift-overlay").startswith(f"{second}:"),
        what=f"the distributions of {second}",
    )
    assert len(driver.find_elements(By.CSS_SELECTOR, "#drift-rows tr")) > 5
    keep_screenshot(driver, tmp_path, "dashboard_drift")
    no_console_errors(driver)


def test_predictions_rows_and_upload(dash_browser, tmp_path):
    from selenium.webdriver.common.by import By

    driver, url, ctx = dash_browser
    driver.get(url + "predictions")
    rows = wait_for(
        lambda: driver.find_elements(By.CSS_SELECTOR, "#pred-datatable tbody tr"),
        what="the predictions table",
    )
    assert len(rows) == 10
    headers = [h.text for h in driver.find_elements(By.CSS_SELECTOR, "#pred-datatable th")]
    assert {"mem_clf", "mem_clf_p", "mem_reg", "wall_reg", "memory"} <= set(headers)
    keep_screenshot(driver, tmp_path, "dashboard_predictions")
    csv = tmp_path / "three.csv"
    ctx.table().iloc[:3].to_csv(csv, index_label="ipst")
    driver.find_element(By.CSS_SELECTOR, "#pred-upload input[type=file]").send_keys(str(csv))
    wait_for(
        lambda: "3 uploaded row(s) from three.csv" in driver.find_element(By.ID, "pred-note").text,
        what="predictions of the uploaded rows",
    )
    no_console_errors(driver)
