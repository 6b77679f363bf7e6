"""Speed of the results dashboards: EDA on 100,000 rows, evaluation of 10 versions, drift.

Usage::

    python benchmarks/bench_dashboard.py [--rows 100000] [--versions 10] [--repeats 3]
                                         [--no-browser]

Three measurements, each against a re-creation of spacekit 1.1.4's approach:

1. **EDA, 100,000 rows** (simulated HST calibration jobs, grouped by instrument).
   Server time: the EDA page's ``build_figures`` (per-group fits, box statistics,
   figures) plus plotly's JSON encoding, vs. 1.1.4's way (one SVG scatter trace per
   group with every point, box plots fed every raw value, no fits). Browser: time to
   the first rendered plot in headless Chromium, for the real dashboard page and for the
   two figures as static pages (same plotly.js, read from disk).
2. **Model evaluation with 10 versions** (4-class results, 2,000 test rows each, and a
   regressor): cold (scan + load + every figure of the page) and warm (another selection),
   vs. 1.1.4's start-up, which loaded every version and drew every figure three times,
   confusion matrices with matplotlib.
3. **Drift, 100,000 x 20** (15 numeric, 5 categorical columns, some shifted): the drift
   page's statistics and histograms.

Times are medians of ``--repeats`` runs; ratios are baseline / spacekit. The machine is
shared, so read ratios rather than absolute times.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]


def timed(fn, repeats: int):
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


# --------------------------------------------------------------------------- EDA
def eda_table(rows: int, path: Path) -> Path:
    from spacekit.datasets.hstcal import simulate_hstcal

    df = simulate_hstcal(n=rows, seed=1)
    df = df.rename(columns={"INSTRUME": "instrument"})
    df[["n_files", "total_mb", "memory", "wallclock", "instrument"]].to_csv(path, index=True)
    return path


def legacy_eda(df: pd.DataFrame):
    """1.1.4's way: an SVG scatter trace per group with every point; raw-value boxes."""
    import plotly.graph_objects as go

    scatter = go.Figure()
    box = go.Figure()
    for name, sub in df.groupby("instrument"):
        scatter.add_trace(go.Scatter(x=sub["n_files"], y=sub["memory"], mode="markers", name=name))
        box.add_trace(go.Box(y=sub["memory"], name=name, boxpoints="outliers"))
    return scatter, box


def bench_eda(args, tmp: Path) -> dict:
    import plotly.io as pio

    from spacekit.dashboard.context import load_context
    from spacekit.dashboard.pages import eda

    csv = eda_table(args.rows, tmp / "eda.csv")
    ctx = load_context("cal", data=csv)
    df = ctx.table()

    def ours():
        figs = eda.build_figures(ctx, "n_files", "memory", "instrument", "memory")
        return figs, [pio.to_json(figs["scatter"]), pio.to_json(figs["box"])]

    def legacy():
        figs = legacy_eda(df)
        return figs, [pio.to_json(f) for f in figs]

    ours()  # warm imports
    t_ours, (figs, js_ours) = timed(ours, args.repeats)
    t_old, (old_figs, js_old) = timed(legacy, args.repeats)
    out = {
        "rows": len(df),
        "server_s": t_ours,
        "server_1.1.4_s": t_old,
        "json_mb": sum(map(len, js_ours)) / 1e6,
        "json_1.1.4_mb": sum(map(len, js_old)) / 1e6,
    }
    if not args.no_browser:
        out.update(browser_eda(ctx, tmp, [figs["scatter"], figs["box"]], list(old_figs)))
    return out


def _static_page(figs, path: Path, plotly_js: Path) -> Path:
    divs = "\n".join(
        f.to_html(full_html=False, include_plotlyjs=False, div_id=f"fig{i}")
        for i, f in enumerate(figs)
    )
    path.write_text(
        f"<html><head><script src='{plotly_js.as_uri()}'></script></head><body>{divs}</body></html>"
    )
    return path


def browser_eda(ctx, tmp: Path, ours, legacy) -> dict:
    sys.path.insert(0, str(REPO / "tests"))
    import plotly

    from spacekit.dashboard.app import create_app
    from spacekit.dashboard.pages import RESULTS_PAGES
    from spacekit.dashboard.server import start_server
    from support import new_chromium, require_browser

    require_browser()
    plotly_js = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    rendered = (
        "return Array.from(document.querySelectorAll('.js-plotly-plot'))"
        ".filter(g => g._fullLayout && g.querySelector('.main-svg')).length"
    )

    def page_time(driver, url, n_plots, selector_ready):
        t0 = time.perf_counter()
        driver.get(url)
        while time.perf_counter() - t0 < 300:
            if driver.execute_script(rendered) >= n_plots and driver.execute_script(selector_ready):
                return time.perf_counter() - t0
            time.sleep(0.05)
        raise RuntimeError(f"{url} did not render")

    driver = new_chromium(tmp / "chromium", window="1400,1400")
    app = create_app(RESULTS_PAGES, ctx)
    srv = start_server(app)
    try:
        # the scatter holds every row and its points are drawn (WebGL canvas or SVG)
        ready = (
            "const gs = Array.from(document.querySelectorAll('.js-plotly-plot'));"
            "const n = gs.reduce((a, g) => a + (g._fullData || []).reduce("
            "(b, t) => b + (t.type.startsWith('scatter') && t.mode === 'markers' ? t._length : 0),"
            " 0), 0);"
            f"return n >= {len(ctx.table())} && !!document.querySelector("
            "'.js-plotly-plot .gl-container canvas, .js-plotly-plot .scatterlayer .point');"
        )
        times = {}
        times["page_s"] = statistics.median(
            page_time(driver, srv.url + "eda", 2, ready) for _ in range(3)
        )
        a = _static_page(ours, tmp / "ours.html", plotly_js)
        b = _static_page(legacy, tmp / "legacy.html", plotly_js)
        times["figures_s"] = statistics.median(
            page_time(driver, a.as_uri(), 2, ready) for _ in range(3)
        )
        times["figures_1.1.4_s"] = statistics.median(
            page_time(driver, b.as_uri(), 2, ready) for _ in range(3)
        )
    finally:
        driver.quit()
        srv.stop()
    return {f"browser_{k}": v for k, v in times.items()}


# --------------------------------------------------------------------------- evaluation
def write_versions(root: Path, n_versions: int, n: int) -> None:
    from spacekit.analyzer.compute import ComputeMulti, ComputeRegressor

    rng = np.random.default_rng(0)
    hist = {"loss": list(np.linspace(1.2, 0.4, 60)), "accuracy": list(np.linspace(0.5, 0.9, 60))}
    hist |= {"val_loss": hist["loss"], "val_accuracy": hist["accuracy"]}
    for i in range(n_versions):
        v = root / f"2026-01-{i + 1:02d}-{1767225600 + 86400 * i}"
        y = rng.integers(0, 4, n)
        logits = rng.normal(0, 1, (n, 4))
        logits[np.arange(n), y] += 2
        s = np.exp(logits)
        s /= s.sum(axis=1, keepdims=True)
        ComputeMulti(
            y_true=y, y_scores=s, history=hist, res_path=v / "results" / "mem_bin"
        ).make_outputs()
        yt = np.exp(rng.normal(1, 1, n))
        ComputeRegressor(
            yt,
            yt * np.exp(rng.normal(0, 0.3, n)),
            history={"loss": hist["loss"]},
            res_path=v / "results" / "memory",
        ).download()


def legacy_evaluation(root: Path):
    """1.1.4: load every version, build every figure three times (matplotlib confusion)."""
    from matplotlib.figure import Figure

    from spacekit.analyzer.scan import load_compute, scan_results

    figs = []
    for v in scan_results(root):
        for key in ("mem_bin", "memory"):
            for _ in range(3):  # load_results, load_compute_object, make_clf_plots
                com = load_compute(v.results[key])
                if key == "mem_bin":
                    figs += [
                        com.make_roc_curve(),
                        com.make_pr_curve(),
                        com.keras_acc_plot(),
                        com.keras_loss_plot(),
                    ]
                    fig = Figure(figsize=(10, 10))
                    ax = fig.add_subplot()
                    ax.imshow(com.cmx_norm, cmap="Blues")
                    for (i, j), val in np.ndenumerate(com.cmx_norm):
                        ax.text(j, i, f"{val:.2f}", ha="center")
                    fig.canvas.draw_idle()
                    figs.append(fig)
                else:
                    figs += [com.keras_acc_plot(), com.keras_loss_plot()]
    return figs


def bench_evaluation(args, tmp: Path) -> dict:
    import plotly.io as pio

    from spacekit.dashboard.context import load_context
    from spacekit.dashboard.pages import evaluation

    root = tmp / "versions"
    write_versions(root, args.versions, 2000)
    legacy_evaluation(root)  # warm imports

    def cold():
        ctx = load_context("cal", root)
        labels = [v.label for v in ctx.versions]
        figs = evaluation.build_figures(ctx, "mem_bin", labels, None)
        for k in ("scores", "loss", "metric", "roc", "pr", "detail"):
            pio.to_json(figs[k])
        return ctx, labels

    t_cold, (ctx, labels) = timed(cold, args.repeats)

    def warm():
        figs = evaluation.build_figures(ctx, "memory", labels, labels[3], "normalized")
        return [pio.to_json(figs[k]) for k in ("scores", "loss", "roc", "detail", "errors")]

    t_warm, _ = timed(warm, args.repeats)
    t_old, _ = timed(lambda: legacy_evaluation(root), args.repeats)
    return {"versions": args.versions, "cold_s": t_cold, "warm_s": t_warm, "start_1.1.4_s": t_old}


# --------------------------------------------------------------------------- drift
def bench_drift(args) -> dict:
    from spacekit.dashboard.pages.drift import compute_drift

    rng = np.random.default_rng(3)
    n = args.rows

    def table(shift: float):
        cols = {f"x{i}": rng.lognormal(shift * (i % 3 == 0), 1, n) for i in range(15)}
        for i in range(5):
            p = np.array([0.5, 0.3, 0.2]) if not shift or i % 2 else np.array([0.3, 0.3, 0.4])
            cols[f"c{i}"] = rng.choice(["acs", "wfc3", "stis"], n, p=p)
        return pd.DataFrame(cols)

    ref, new = table(0.0), table(0.3)
    compute_drift(ref.iloc[:1000], new.iloc[:1000], "ref", "new")  # warm imports
    t, store = timed(lambda: compute_drift(ref, new, "ref", "new"), args.repeats)
    return {
        "shape": f"{n} x {ref.shape[1]}",
        "seconds": t,
        "store_kb": len(json.dumps(store)) / 1e3,
        "worst": [r["feature"] for r in store["rows"][:3]],
    }


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--versions", type=int, default=10)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--no-browser", action="store_true", help="skip the Chromium timings")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="spacekit-bench-dash-") as tmp:
        tmp = Path(tmp)
        e = bench_eda(args, tmp)
        print(f"EDA, {e['rows']:,} rows")
        print(
            f"  server (figures + JSON): {e['server_s']:.2f} s; 1.1.4 approach "
            f"{e['server_1.1.4_s']:.2f} s -> {e['server_1.1.4_s'] / e['server_s']:.1f}x"
        )
        print(
            f"  sent to the browser: {e['json_mb']:.1f} MB; 1.1.4 approach "
            f"{e['json_1.1.4_mb']:.1f} MB -> {e['json_1.1.4_mb'] / e['json_mb']:.1f}x"
        )
        if "browser_page_s" in e:
            print(f"  browser, EDA page to first plots: {e['browser_page_s']:.2f} s")
            print(
                f"  browser, the two figures alone: {e['browser_figures_s']:.2f} s; 1.1.4 "
                f"approach {e['browser_figures_1.1.4_s']:.2f} s -> "
                f"{e['browser_figures_1.1.4_s'] / e['browser_figures_s']:.1f}x"
            )
        v = bench_evaluation(args, tmp)
        print(f"Model evaluation, {v['versions']} versions")
        print(f"  cold (scan, load, every figure): {v['cold_s']:.2f} s; warm: {v['warm_s']:.2f} s")
        print(
            f"  1.1.4 start-up (all versions, figures x3): {v['start_1.1.4_s']:.2f} s -> "
            f"{v['start_1.1.4_s'] / v['cold_s']:.1f}x cold, "
            f"{v['start_1.1.4_s'] / v['warm_s']:.1f}x warm"
        )
        d = bench_drift(args)
        print(
            f"Drift, {d['shape']}: {d['seconds']:.2f} s "
            f"({args.rows * 20 / d['seconds'] / 1e6:.1f} M values/s), "
            f"store {d['store_kb']:.0f} kB, worst: {', '.join(d['worst'])}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
