"""Explore how an image classifier sees its data, from a script or a notebook.

Trains (or loads from the cache) the default CNN on scikit-learn's digits, or loads your
model, serves the explorer on 127.0.0.1 from a background thread, prints what it found
and the URL, and keeps serving for ``--keep-open`` seconds (Ctrl-C stops earlier).

    python examples/explore_model.py                          # default CNN, digits
    python examples/explore_model.py --model model.keras --data images/ --layer dense_1
    python examples/explore_model.py --max-samples 500 --keep-open 0   # build, check, stop

In a notebook, show the page inline::

    from IPython.display import IFrame
    srv = launch(data="digits")
    IFrame(srv.url, width="100%", height=900)
"""

from __future__ import annotations

import argparse
import time

from spacekit.dashboard.explorer import create_explorer
from spacekit.dashboard.explorer.pages.hard import hardest
from spacekit.dashboard.server import start_server
from spacekit.logging_setup import configure_logging


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default=None, help=".keras classifier (default: the default CNN)")
    p.add_argument("--data", default="digits")
    p.add_argument("--layer", default=None)
    p.add_argument("--max-samples", type=int, default=None)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--keep-open", type=float, default=600.0, help="seconds to serve")
    args = p.parse_args()
    configure_logging("INFO")
    # launch(...) does these two steps in one call; here we keep the app to read its context.
    app = create_explorer(args.model, args.data, args.layer, max_samples=args.max_samples)
    ctx = app.spacekit_context
    print(
        f"{ctx.model_name} on {ctx.data.source}: {len(ctx):,} images, accuracy {ctx.accuracy:.3f}"
    )
    worst = hardest(ctx, "all", 5)
    print("the 5 hardest images:", ", ".join(f"#{i} (loss {ctx.loss[i]:.2f})" for i in worst))
    srv = start_server(app, port=args.port)
    print(f"Explorer at {srv.url} (Ctrl-C to stop)")
    try:
        time.sleep(args.keep_open)
    except KeyboardInterrupt:
        pass
    finally:
        srv.stop()


if __name__ == "__main__":
    main()
