"""The model explorer: see how an image classifier sees its data, in a browser.

``spacekit explore [MODEL] [--data NAME_OR_PATH] [--layer NAME]`` (or
:func:`launch` in a notebook) loads a Keras image classifier and a labelled image set,
runs the model once over the data, and serves six pages built on the dashboard app
factory (:func:`spacekit.dashboard.app.create_app`):

* **Model** - the layer table and a graph of the model; classes, counts, sample images;
* **Projections** - PCA, t-SNE (or UMAP, when ``umap-learn`` is installed) of the input
  pixels and of a hidden layer side by side, linked selection, click for the image;
* **Hard examples** - the projection coloured by per-sample loss, hardest images first;
* **Loss table** - sortable, filterable per-sample table; ticked rows fill an image pool;
* **Confusion** - the confusion matrix; a click on a cell shows its images;
* **Similar images** - nearest neighbours in hidden-layer space, activation vectors as
  lines.

With no model, a small CNN is trained on the data (a few seconds on the default digits)
and cached. Projections and hidden-layer outputs are computed on first use and cached
on disk (``$SPACEKIT_CACHE`` or the platform cache folder), keyed by the model file and
the data. Everything a user picks or selects stays in their browser session.

Examples
--------
>>> from spacekit.dashboard.explorer import launch                    # doctest: +SKIP
>>> srv = launch(data="digits")                                       # doctest: +SKIP
>>> srv.url                                                           # doctest: +SKIP
'http://127.0.0.1:38123/'
>>> srv.stop()                                                        # doctest: +SKIP
"""

from __future__ import annotations

import os

__all__ = ["create_explorer", "launch", "build_context"]


def create_explorer(
    model=None,
    data="digits",
    layer: str | None = None,
    *,
    max_samples: int | None = None,
    cache: str | os.PathLike | None | bool = None,
    epochs: int | None = None,
    progress: bool = False,
    norm: int | None = None,
):
    """Build the explorer's Dash app (not served; see :func:`launch`).

    Parameters
    ----------
    model : str, path-like or keras.Model, optional
        A ``.keras`` or legacy ``.h5`` classifier (loaded in safe mode), an
        ``svm_align`` archive (``.zip`` or folder) or its registry name
        (``"packaged/svm_align"``), or a model object; None trains (or loads from the
        cache) a small CNN on ``data``.
    data : str, path-like or ExplorerData, default="digits"
        ``"digits"``, a folder of class-named image folders, an ``.npz`` of ``images``
        and ``labels``, or an ``svm prep`` output folder
        (:func:`~spacekit.dashboard.explorer.data.load_data`).
    layer : str, optional
        The hidden layer shown by default (default: the layer feeding the output).
    max_samples : int, optional
        Explore a stratified sample of at most this many images.
    cache : path-like or False, optional
        Cache folder (default ``<spacekit cache>/explorer``); False caches nothing.
    epochs : int, optional
        Epochs of the default CNN.
    progress : bool, default=False
        Progress bars while training and predicting.
    norm : {0, 1}, optional
        Models with a feature input beside the images (the SVM ensemble): how the inputs
        are scaled, as ``spacekit svm predict --norm`` (default: as the archive says the
        model was trained, else 0).

    Returns
    -------
    dash.Dash
        ``app.spacekit_context`` is the
        :class:`~spacekit.dashboard.explorer.context.ExplorerContext`.

    Raises
    ------
    InputError
        Bad data, not a classifier, data that does not fit the model, unknown layer.
    ArchiveError
        A model file that cannot be loaded safely.
    """
    from spacekit.dashboard.app import create_app
    from spacekit.dashboard.explorer.context import build_context
    from spacekit.dashboard.explorer.pages import EXPLORER_PAGES

    ctx = build_context(
        model, data, layer, max_samples=max_samples, cache=cache, epochs=epochs,
        progress=progress, norm=norm,
    )  # fmt: skip
    return create_app(
        EXPLORER_PAGES,
        ctx,
        title="spacekit explorer",
        # in full (the header wraps it), e.g. "spacekit-1.1.4/svm_align (version ...)"
        subtitle=f"{ctx.model_name} on {ctx.data.source} ({len(ctx):,} images)",
    )


def launch(
    model=None,
    data="digits",
    layer: str | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    allowed_hosts=None,
    **kwargs,
):
    """Build the explorer and serve it from a background thread (notebooks, scripts).

    Parameters
    ----------
    model, data, layer
        As in :func:`create_explorer`; other keyword arguments are passed to it.
    host : str, default="127.0.0.1"
    port : int, default=0
        0 picks a free port.
    allowed_hosts : iterable of str, optional
        Host names accepted besides this machine's loopback names (the server refuses
        other ``Host`` headers on 127.0.0.1).

    Returns
    -------
    spacekit.dashboard.server.RunningServer
        ``.url`` to open (e.g. ``IPython.display.IFrame(srv.url, "100%", 800)``),
        ``.stop()`` to shut it down.
    """
    from spacekit.dashboard.server import check_port, start_server

    check_port(host, port)
    app = create_explorer(model, data, layer, **kwargs)
    return start_server(app, host=host, port=port, allowed_hosts=allowed_hosts)


def __getattr__(name):
    if name == "build_context":
        from spacekit.dashboard.explorer.context import build_context

        return build_context
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
