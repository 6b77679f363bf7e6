"""A live plot refreshed in place: in Jupyter one inline figure, in a script a file.

Usage: python examples/viz_realtime.py [OUTPUT_DIR]

Streams a noisy decaying "loss" into a RealTimePlot (matplotlib) and a second one (plotly)
and writes::

    OUTPUT_DIR/visualizations/realtime/realtime.png    rewritten on every update()
    OUTPUT_DIR/visualizations/realtime/realtime.html   self-contained interactive copy

OUTPUT_DIR defaults to a new temporary folder (never the current directory).
"""

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")


def main(out: Path) -> None:
    import numpy as np

    from spacekit.visualization import RealTimePlot

    folder = out / "visualizations" / "realtime"  # the documented output tree
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    live = RealTimePlot(
        title="streamed loss", xlabel="step", ylabel="loss", save_path=folder / "realtime.png"
    )
    web = RealTimePlot(backend="plotly", title="streamed loss", xlabel="step", ylabel="loss")
    for plot in (live, web):
        plot.add_line("loss", color="#1f77b4")
        plot.add_scatter("validation", color="#ff7f0e")
    t0 = time.perf_counter()
    for step in range(200):
        loss = np.exp(-step / 60) + 0.05 * rng.standard_normal()
        for plot in (live, web):
            plot.append("loss", step, loss)
            if step % 20 == 0:
                plot.append("validation", step, np.exp(-step / 60) + 0.1)
        if step % 20 == 19:
            live.update()  # non-blocking: rewrites realtime.png
            web.update()
    elapsed = time.perf_counter() - t0
    web.save(folder / "realtime.html")
    print(f"200 steps, 10 refreshes in {elapsed:.2f} s")
    for path in sorted(folder.iterdir()):
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    target = (
        Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="spacekit-viz-"))
    )
    main(target)
