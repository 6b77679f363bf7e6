"""Screenshots of every page of the model explorer for the docs (run by hand).

Launches the explorer on the default data (the digits and the default CNN, trained and
cached on first use), drives headless Chromium through each page the way a user would
(click a point, box-select, filter the loss table, tick rows, click a confusion cell,
query similar images) and writes ``docs/_static/explorer/<page>.png``::

    python tools/explorer_screenshots.py [--out docs/_static/explorer] [--cache DIR]

With ``--svm-data`` (an ``svm prep`` output folder) it also writes ``svm_model.png`` and
``svm_hard.png``: the SVM alignment ensemble (``--svm-model``, default
``packaged/svm_align``) on those visits, its hardest visit clicked.

Needs the Debian packages ``chromium`` and ``chromium-driver``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


def chromium(profile: str, window: str = "1400,1250"):
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--no-first-run",
                f"--window-size={window}", f"--user-data-dir={profile}"):  # fmt: skip
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def wait(check, timeout=300.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if found := check():
                return found
        except Exception:  # not rendered yet
            pass
        time.sleep(0.3)
    raise TimeoutError("the page did not render in time")


def plot_px(driver, graph_id: str, x_expr: str, y_expr: str):
    """Viewport pixels of a data position given as JS expressions over ``g``."""
    return driver.execute_script(
        f"const g = document.querySelector('#{graph_id} .js-plotly-plot');"
        "const xa = g._fullLayout.xaxis, ya = g._fullLayout.yaxis, r = g.getBoundingClientRect();"
        f"return [r.left + xa._offset + xa.d2p({x_expr}), r.top + ya._offset + ya.d2p({y_expr})];"
    )


def pointer(driver, *steps):
    from selenium.webdriver.common.action_chains import ActionChains

    actions = ActionChains(driver)
    p = actions.w3c_actions.pointer_action
    for kind, *xy in steps:
        if xy:
            p.move_to_location(int(xy[0]), int(xy[1]))
        if kind == "click":
            p.click()
        elif kind == "down":
            p.click_and_hold()
        elif kind == "up":
            p.release()
        p.pause(0.05)
    actions.perform()


def traces(driver, graph_id):
    return driver.execute_script(
        f"const g = document.querySelector('#{graph_id} .js-plotly-plot');"
        "return g && g._fullData ? g._fullData.length : 0;"
    )


def svm_pages(model, data, cache, out: Path) -> None:
    """The model page and the hard-examples page of the SVM ensemble (hardest clicked)."""
    from selenium.webdriver.common.by import By

    from spacekit.dashboard.explorer import create_explorer
    from spacekit.dashboard.server import start_server

    srv = start_server(create_explorer(model, data, cache=cache, progress=True))
    driver = chromium(tempfile.mkdtemp())
    try:
        driver.get(srv.url)
        wait(lambda: traces(driver, "x-model-graph"))
        time.sleep(1)
        driver.save_screenshot(str(out / "svm_model.png"))
        driver.get(srv.url + "hard")
        wait(lambda: traces(driver, "x-hard-graph"))
        n = driver.execute_script(
            "return document.querySelector('#x-hard-graph .js-plotly-plot')._fullData[0].x.length;"
        )
        x, y = plot_px(
            driver, "x-hard-graph", f"g._fullData[0].x[{n - 1}]", f"g._fullData[0].y[{n - 1}]"
        )
        pointer(driver, ("move", x - 20, y), ("move", x, y), ("click", x, y))
        wait(lambda: driver.find_element(By.ID, "x-detail-sample"))
        time.sleep(1)
        driver.save_screenshot(str(out / "svm_hard.png"))
    finally:
        driver.quit()
        srv.stop()


def main(argv=None) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    from spacekit.dashboard.explorer import create_explorer
    from spacekit.dashboard.server import start_server

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default="docs/_static/explorer")
    p.add_argument("--cache", default=None, help="explorer cache folder (default: spacekit's)")
    p.add_argument("--svm-data", default=None, help="an 'svm prep' output folder")
    p.add_argument("--svm-model", default="packaged/svm_align", help="SVM archive or name")
    args = p.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.svm_data:
        svm_pages(args.svm_model, args.svm_data, args.cache, out)
    app = create_explorer(cache=args.cache, progress=True)
    ctx = app.spacekit_context
    srv = start_server(app)
    driver = chromium(tempfile.mkdtemp())
    try:
        driver.get(srv.url)
        wait(lambda: traces(driver, "x-samples"))
        driver.save_screenshot(str(out / "model.png"))

        driver.get(srv.url + "projections")
        wait(lambda: traces(driver, "x-proj-input") and traces(driver, "x-proj-hidden"))
        x, y = plot_px(driver, "x-proj-hidden", "g._fullData[8].x[3]", "g._fullData[8].y[3]")
        pointer(driver, ("move", x - 20, y - 20), ("move", x, y), ("click", x, y))
        wait(lambda: driver.find_element(By.ID, "x-detail-sample"))
        driver.find_element(
            By.CSS_SELECTOR, "#x-proj-input .modebar-btn[data-val='select']"
        ).click()
        x0, y0 = plot_px(driver, "x-proj-input", "xa.range[0]", "ya.range[1]")
        x1, y1 = plot_px(driver, "x-proj-input", "xa.range[0] * 0.55", "ya.range[0] * 0.2")
        pointer(driver, ("move", x0 + 40, y0 + 30), ("down",), ("move", (x0 + x1) / 2, y1 - 50),
                ("move", x1, y1), ("up",))  # fmt: skip
        wait(lambda: driver.find_element(By.ID, "x-proj-selection-count"))
        time.sleep(1)
        driver.save_screenshot(str(out / "projections.png"))

        driver.get(srv.url + "hard")
        wait(lambda: traces(driver, "x-hard-graph"))
        n = driver.execute_script(
            "return document.querySelector('#x-hard-graph .js-plotly-plot')._fullData[0].x.length;"
        )
        x, y = plot_px(
            driver, "x-hard-graph", f"g._fullData[0].x[{n - 1}]", f"g._fullData[0].y[{n - 1}]"
        )
        pointer(driver, ("move", x - 20, y), ("move", x, y), ("click", x, y))
        wait(lambda: driver.find_element(By.ID, "x-detail-sample"))
        driver.save_screenshot(str(out / "hard.png"))

        driver.get(srv.url + "losses")
        correct = "#x-loss-table th.dash-filter[data-dash-column='correct'] input"
        box = wait(lambda: driver.find_element(By.CSS_SELECTOR, correct))
        box.send_keys("no" + Keys.ENTER)
        time.sleep(1)
        for tick in driver.find_elements(
            By.CSS_SELECTOR, "#x-loss-table td.dash-select-cell input"
        )[:5]:
            tick.click()
        wait(lambda: len(driver.find_elements(By.CSS_SELECTOR, "#x-pool-cards .sk-x-card")) == 5)
        driver.save_screenshot(str(out / "losses.png"))

        driver.get(srv.url + "confusion")
        wait(lambda: traces(driver, "x-cm-graph"))
        import numpy as np

        from spacekit.dashboard.explorer.pages.confusion import confusion

        m = confusion(ctx)
        np.fill_diagonal(m, -1)
        t, q = np.unravel_index(np.argmax(m), m.shape)
        x, y = plot_px(driver, "x-cm-graph", repr(ctx.classes[q]), repr(ctx.classes[t]))
        pointer(driver, ("move", x - 5, y), ("click", x, y))
        wait(lambda: driver.find_elements(By.CSS_SELECTOR, "#x-cm-cell .sk-x-card"))
        driver.save_screenshot(str(out / "confusion.png"))

        driver.get(srv.url + "similar?index=7")
        wait(lambda: traces(driver, "x-sim-lines"))
        driver.save_screenshot(str(out / "similar.png"))
    finally:
        driver.quit()
        srv.stop()
    print(f"screenshots in {out}")


if __name__ == "__main__":
    main()
