"""Work around TensorFlow graph-rewrite bugs for the duration of one ``fit``.

TensorFlow's grappler "remapper" pass fuses ``Conv3D + BiasAdd + LeakyRelu`` into one
oneDNN kernel. In the training graph the gradient of LeakyRelu still points at the
``BiasAdd`` node the fusion removed, so the pass fails and TensorFlow prints
``E ... meta_optimizer.cc] remapper failed: INVALID_ARGUMENT: Mutation::Apply error``
on every training run of the SVM ensemble. A failed pass leaves the graph as it was, so
switching the pass off for the training call changes neither the result nor the speed
(measured: 8 epochs of the lite ensemble, 3.7-4.3 s either way); it only removes an
error line that would teach users to ignore TensorFlow's errors.

The setting is process-wide in TensorFlow, so :func:`remapper_off` restores the previous
value when the block ends, also when it raises. Without TensorFlow loaded (another Keras
backend) the block changes nothing.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

__all__ = ["remapper_off"]


@contextlib.contextmanager
def remapper_off() -> Iterator[None]:
    """Disable TensorFlow's grappler remapper inside the block, then restore it.

    Nothing is imported: when TensorFlow is not loaded, no TensorFlow graph runs in the
    block and there is nothing to change.
    """
    tf = sys.modules.get("tensorflow")
    if tf is None:
        yield
        return
    options = tf.config.optimizer
    before = options.get_experimental_options().get("remapping")
    options.set_experimental_options({"remapping": False})
    try:
        yield
    finally:
        # Unset means on (TensorFlow's default), so restoring it as True is equivalent.
        options.set_experimental_options({"remapping": True if before is None else before})
