"""The model explorer: time to a usable page, projection time, browser responsiveness.

Usage::

    python benchmarks/bench_explorer.py startup            # cold and warm, default data
    python benchmarks/bench_explorer.py projection [--sizes 10000 50000] [--no-tsne]
    python benchmarks/bench_explorer.py browser [--sizes 10000 50000]

``startup``
    Two fresh processes on the default data (the digits, no model given), the first with
    an empty cache (cold: trains the default CNN, computes the PCA projections), the
    second with the cache it left (warm: loads both). Each reports the seconds from
    process start to the Projections page drawn in headless Chromium (both scatter
    plots with their points), split into imports, building the app and the page. For
    comparison it times, in the warm process, the start-up work of the 2018 ITRI tool
    re-created on the same data and model: a forward pass over all images, t-SNE of the
    pixels and of the hidden layer of the first 500 images, PCA-50 of all hidden vectors
    (done at every start; nothing was cached).
``projection``
    PCA, t-SNE (and UMAP when installed) of 10,000 and 50,000 hidden-layer vectors of
    jittered copies of the digits (the default CNN's 64-unit ``hidden`` layer), and of
    their 64 pixels.
``browser``
    The explorer serving 10,000 and 50,000 jittered digits: time for the Projections page
    to draw (two WebGL plots), the linked box-selection round trip (drag in one plot until
    the other highlights the same points), a legend click (hide a class), and, in the
    same page, the time plotly.js takes to draw and restyle the same traces as WebGL
    ``scattergl`` and as SVG ``scatter`` (the 2018 tool's trace type).

The machine is shared: run each part a few times and compare ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

T_START = time.perf_counter()
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


def chromium(window: str = "1400,1200"):
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                "--disable-background-networking", "--no-first-run",
                f"--window-size={window}", f"--user-data-dir={tempfile.mkdtemp()}"):  # fmt: skip
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(1800)
    driver.set_script_timeout(600)
    return driver


def wait(check, timeout=1800.0, poll=0.02):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if found := check():
                return found
        except Exception:  # not rendered yet
            pass
        time.sleep(poll)
    raise TimeoutError("timed out")


def n_points(driver, graph_id: str) -> int:
    return driver.execute_script(
        f"const g = document.querySelector('#{graph_id} .js-plotly-plot');"
        "return g && g._fullData ? g._fullData.reduce((s, t) => s + (t.x ? t.x.length : 0), 0)"
        " : 0;"
    )


def page_ready(driver, url: str, n: int) -> float:
    t0 = time.perf_counter()
    driver.get(url + "projections")
    wait(lambda: n_points(driver, "x-proj-input") == n and n_points(driver, "x-proj-hidden") == n)
    return time.perf_counter() - t0


def jittered_digits(n: int, seed: int = 0):
    """``n`` digits: shifted by up to one pixel, with a little noise (labels kept)."""
    import numpy as np

    from spacekit.dashboard.explorer.data import ExplorerData, load_data

    base = load_data("digits")
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(base), n)
    imgs = base.images[pick].copy()
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            sel = rng.random(n) < 1 / 9
            imgs[sel] = np.roll(imgs[sel], (dy, dx), axis=(1, 2))
    imgs = np.clip(imgs + rng.normal(0, 0.05, imgs.shape).astype("float32"), 0, 1)
    return ExplorerData(imgs, base.labels[pick], base.classes, f"{n:,} jittered digits")


# ---------------------------------------------------------------------------------------
def _startup_child(cache: str, itri: bool) -> None:
    driver = chromium()  # the browser is not part of the explorer's start-up
    t0 = time.perf_counter()
    from spacekit.dashboard.explorer import create_explorer
    from spacekit.dashboard.server import start_server

    t_import = time.perf_counter() - T_START
    app = create_explorer(cache=cache)
    srv = start_server(app)
    t_build = time.perf_counter() - t0
    t_page = page_ready(driver, srv.url, 1797)
    out = {
        "imports": t_import,
        "build": t_build,
        "page": t_page,
        "total": time.perf_counter() - T_START,
        "steps": app.spacekit_context.timings,
    }
    if itri:
        out["itri"] = _itri_startup(app.spacekit_context)
    driver.quit()
    srv.stop()
    print("RESULT " + json.dumps(out))


def _itri_startup(ctx) -> dict:
    """The 2018 tool's start-up work on the same model and data (all of it every start)."""
    from sklearn.decomposition import PCA
    from sklearn.manifold import TSNE

    from spacekit.dashboard.explorer.model import forward

    t = {}
    t0 = time.perf_counter()
    forward(ctx.model, ctx.x, [ctx.layer], batch_size=32)
    _, feats = forward(ctx.model, ctx.x, [ctx.layer], batch_size=32)  # two passes, batch 32
    t["forward x2"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    TSNE(n_components=2).fit_transform(ctx.x[:500].reshape(500, -1))
    TSNE(n_components=2).fit_transform(feats[ctx.layer][:500])
    t["t-SNE x2 (500)"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    PCA(n_components=50).fit_transform(feats[ctx.layer])
    t["PCA-50"] = time.perf_counter() - t0
    t["total"] = sum(t.values())
    return t


def startup(args) -> None:
    cache = tempfile.mkdtemp(prefix="explorer-bench-")
    results = {}
    for phase in ("cold", "warm"):
        cmd = [sys.executable, __file__, "_startup", "--cache", cache]
        if phase == "warm":
            cmd.append("--itri")
        proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
        line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT "))
        results[phase] = json.loads(line[len("RESULT ") :])
    print("Time to a usable Projections page, default data (1,797 digits, no model given):")
    for phase, r in results.items():
        steps = ", ".join(f"{k} {v:.1f}" for k, v in r["steps"].items())
        print(
            f"  {phase}: {r['total']:6.1f} s  (imports {r['imports']:.1f}, build "
            f"{r['build']:.1f} [{steps}], page {r['page']:.1f})"
        )
    print(f"  cold / warm: {results['cold']['total'] / results['warm']['total']:.1f}x")
    itri = results["warm"]["itri"]
    detail = ", ".join(f"{k} {v:.1f}" for k, v in itri.items() if k != "total")
    print(f"ITRI-style start-up work on the same data ({detail}): {itri['total']:.1f} s,")
    explorer_work = results["warm"]["build"]
    print(f"  vs the explorer's warm build {explorer_work:.1f} s: "
          f"{itri['total'] / explorer_work:.1f}x")  # fmt: skip


# ---------------------------------------------------------------------------------------
_MODEL_CACHE = tempfile.mkdtemp(prefix="explorer-bench-model-")


def _default_model():
    """The default CNN trained on the digits (once per run, in a temporary cache)."""
    from spacekit.dashboard.explorer.data import data_digest, load_data
    from spacekit.dashboard.explorer.default_model import train_default_model

    base = load_data("digits")
    model, _, path = train_default_model(
        base.images, base.labels, 10, data_digest(base), _MODEL_CACHE
    )
    return model, path


def _hidden(model, data):
    from spacekit.dashboard.explorer.model import forward

    t0 = time.perf_counter()
    _, feats = forward(model, data.images, ["hidden"])
    return feats["hidden"], time.perf_counter() - t0


def projection(args) -> None:
    from spacekit.dashboard.explorer.projection import available_methods, project

    methods = [m for m in available_methods() if not (m == "tsne" and args.no_tsne)]
    if "umap" in methods:  # numba compiles on first use: not part of the timings
        import numpy as np

        t0 = time.perf_counter()
        project(np.random.default_rng(0).random((300, 8)), "umap")
        first = time.perf_counter() - t0
        print(f"UMAP first call (numba compilation, once per machine): {first:.1f} s")
    model, _ = _default_model()
    print("Projection time (s):")
    print(f"{'points':>8} {'space':>7} " + " ".join(f"{m:>8}" for m in methods))
    for n in args.sizes:
        data = jittered_digits(n)
        hidden, t_fwd = _hidden(model, data)
        for space, vectors in (("pixels", data.images), ("hidden", hidden)):
            times = []
            for m in methods:
                t0 = time.perf_counter()
                project(vectors, m)
                times.append(time.perf_counter() - t0)
            print(f"{n:>8,} {space:>7} " + " ".join(f"{t:8.1f}" for t in times))
        print(f"{'':>8} forward pass of {n:,} images: {t_fwd:.1f} s")


# ---------------------------------------------------------------------------------------
_RENDER_JS = """
const done = arguments[arguments.length - 1];
const src = document.querySelector('#x-proj-hidden .js-plotly-plot');
const out = {};
(async () => {
  for (const type of ['scattergl', 'scatter']) {
    const div = document.createElement('div');
    div.style.width = '700px'; div.style.height = '520px';
    document.body.appendChild(div);
    const data = src.data.map(t => Object.assign({}, t, {type: type}));
    let t0 = performance.now();
    await Plotly.newPlot(div, data, src.layout);
    out[type + ' draw'] = performance.now() - t0;
    t0 = performance.now();
    await Plotly.restyle(div, {visible: 'legendonly'}, [0]);
    out[type + ' hide a class'] = performance.now() - t0;
    t0 = performance.now();
    await Plotly.relayout(div, {'xaxis.range': [src._fullLayout.xaxis.range[0],
                                                 src._fullLayout.xaxis.range[1] / 2]});
    out[type + ' zoom'] = performance.now() - t0;
    Plotly.purge(div); div.remove();
  }
  done(out);
})();
"""


def browser(args) -> None:
    from selenium.webdriver.common.by import By

    from spacekit.dashboard.explorer import create_explorer
    from spacekit.dashboard.server import start_server

    _, model_path = _default_model()
    driver = chromium()
    print("Browser responsiveness (headless Chromium, software WebGL), seconds:")
    try:
        for n in args.sizes:
            data = jittered_digits(n)
            t0 = time.perf_counter()
            app = create_explorer(model_path, data, cache=tempfile.mkdtemp())
            app.spacekit_context.projection("input", "pca")
            app.spacekit_context.projection("hidden", "pca")
            t_build = time.perf_counter() - t0
            srv = start_server(app)
            t_page = page_ready(driver, srv.url, n)
            # legend click: hide class 0 in the input plot
            legend = driver.find_elements(By.CSS_SELECTOR, "#x-proj-input .legend .traces")
            t0 = time.perf_counter()
            legend[0].click()
            wait(lambda: driver.execute_script(
                "return document.querySelector('#x-proj-input .js-plotly-plot')"
                "._fullData[0].visible === 'legendonly';"))  # fmt: skip
            t_legend = time.perf_counter() - t0
            legend[0].click()
            # linked selection: box over the left half of the input plot
            driver.find_element(
                By.CSS_SELECTOR, "#x-proj-input .modebar-btn[data-val='select']"
            ).click()
            x0, y0, x1, y1 = driver.execute_script(
                "const g = document.querySelector('#x-proj-input .js-plotly-plot');"
                "const xa = g._fullLayout.xaxis, ya = g._fullLayout.yaxis,"
                " r = g.getBoundingClientRect();"
                "return [r.left + xa._offset + 2, r.top + ya._offset + 2,"
                " r.left + xa._offset + xa._length / 2, r.top + ya._offset + ya._length - 2];"
            )
            from selenium.webdriver.common.action_chains import ActionChains

            chain = ActionChains(driver)
            p = chain.w3c_actions.pointer_action
            p.move_to_location(int(x0), int(y0))
            p.click_and_hold()
            p.move_to_location(int((x0 + x1) / 2), int((y0 + y1) / 2))
            p.move_to_location(int(x1), int(y1))
            t0 = time.perf_counter()
            p.release()
            chain.perform()
            wait(lambda: driver.execute_script(
                "const g = document.querySelector('#x-proj-hidden .js-plotly-plot');"
                "return g._fullData.some(t => t.selectedpoints && t.selectedpoints.length);"
            ))  # fmt: skip
            t_select = time.perf_counter() - t0
            render = driver.execute_async_script(_RENDER_JS)
            srv.stop()
            print(
                f"  {n:>6,} points: build {t_build:.1f}, page drawn {t_page:.1f}, legend "
                f"click {t_legend:.2f}, linked box selection {t_select:.2f}"
            )
            for action in ("draw", "hide a class", "zoom"):
                gl, svg = render[f"scattergl {action}"], render[f"scatter {action}"]
                print(
                    f"           plotly.js {action:>12}: WebGL {gl / 1000:6.2f}, SVG "
                    f"{svg / 1000:6.2f} ({svg / gl:.1f}x)"
                )
    finally:
        driver.quit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="part", required=True)
    sub.add_parser("startup")
    child = sub.add_parser("_startup")
    child.add_argument("--cache", required=True)
    child.add_argument("--itri", action="store_true")
    for name in ("projection", "browser"):
        p = sub.add_parser(name)
        p.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
        p.add_argument("--no-tsne", action="store_true", help="skip t-SNE (slowest)")
    args = parser.parse_args()
    if args.part == "_startup":
        _startup_child(args.cache, args.itri)
    else:
        {"startup": startup, "projection": projection, "browser": browser}[args.part](args)


if __name__ == "__main__":
    main()
