"""``spacekit explore``: the model explorer in a browser.

Examples::

    spacekit explore                                # default CNN on the digits
    spacekit explore model.keras --data images/ --layer dense_1
    spacekit explore model.keras --data data.npz --max-samples 10000 --port 8051
    spacekit explore --data svm_prep_output/        # the SVM alignment images
    spacekit explore packaged/svm_align --data svm_prep_output/   # the SVM ensemble
"""

from __future__ import annotations

import click

__all__ = ["explore"]


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("model", required=False, type=click.Path(path_type=str))
@click.option(
    "--data",
    default="digits",
    show_default=True,
    help="'digits' (scikit-learn's packaged digits), a folder of class-named image "
    "folders, an .npz with images and labels, or an 'svm prep' output folder.",
)
@click.option("--layer", default=None, help="Hidden layer shown by default (default: the "
              "layer feeding the output).")  # fmt: skip
@click.option(
    "--max-samples", type=click.IntRange(min=3), default=None,
    help="Explore a stratified sample of at most this many images.",
)  # fmt: skip
@click.option(
    "--cache-dir", type=click.Path(file_okay=False, path_type=str), default=None,
    help="Where to cache the default model and projections (default: $SPACEKIT_CACHE "
    "or the platform cache folder).",
)  # fmt: skip
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option(
    "--port", default=8050, show_default=True, type=click.IntRange(0, 65535),
    help="TCP port (0 picks a free one).",
)  # fmt: skip
@click.option("--debug", is_flag=True, help="Dash dev tools; for development only.")
@click.option(
    "--allow-host", "allow_hosts", multiple=True, metavar="NAME",
    help="Also answer requests for this host name (e.g. behind a proxy); repeatable. "
    "On 127.0.0.1 the explorer refuses other Host headers (DNS rebinding).",
)  # fmt: skip
@click.option(
    "--norm", type=click.Choice(["0", "1"]), default=None,
    help="SVM ensemble only: 1 if it was trained on normalised inputs, as 'svm predict "
    "--norm' (default: what the archive says, else 0).",
)  # fmt: skip
@click.pass_context
def explore(ctx, model, data, layer, max_samples, cache_dir, host, port, debug, allow_hosts, norm):
    """Explore how an image classifier sees its data: projections, hard examples,
    loss table, confusion drill-down, similar images.

    MODEL is a .keras (or legacy .h5) Keras classifier, or an SVM alignment archive
    (svm_align .zip or folder, or a registry name such as packaged/svm_align) to explore
    with the output folder of `spacekit svm prep` as --data. Without MODEL a small CNN is
    trained on the data (a few seconds on the digits) and cached, so `spacekit explore`
    alone works offline. The server binds 127.0.0.1 unless --host is given.
    """
    from spacekit._tf_quiet import quiet_tensorflow
    from spacekit.dashboard.explorer._runner import run_explorer
    from spacekit.exceptions import SpacekitError

    quiet_tensorflow()  # the explorer runs Keras models
    try:
        run_explorer(
            model, data, layer, max_samples=max_samples, cache=cache_dir, host=host,
            port=port, debug=debug, echo=click.echo, allowed_hosts=allow_hosts or None,
            norm=None if norm is None else int(norm),
        )  # fmt: skip
    except SpacekitError as exc:
        click.echo(f"Error: {exc}", err=True)
        ctx.exit(2)
    except KeyboardInterrupt:
        click.echo("Stopped.")
