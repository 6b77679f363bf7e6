"""A tqdm progress bar over training epochs, as a Keras callback (hidden off a terminal)."""

from __future__ import annotations

from spacekit._optional import require

__all__ = ["epoch_progress"]


def epoch_progress(epochs: int, desc: str = "epochs", enabled: bool = True):
    """Return a ``keras.callbacks.Callback`` showing one tqdm bar step per epoch.

    The bar shows the latest ``loss`` and ``val_loss``; it is hidden when ``enabled`` is
    False or the output is not a terminal.
    """
    keras = require("keras", feature="training")
    from tqdm import tqdm

    class _EpochBar(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.bar = tqdm(total=int(epochs), desc=desc, unit="epoch", disable=not enabled or None)

        def on_epoch_end(self, epoch, logs=None):
            logs = logs or {}
            shown = {k: f"{v:.3f}" for k, v in logs.items() if k in ("loss", "val_loss", "val_auc")}
            self.bar.set_postfix(shown, refresh=False)
            self.bar.update(1)

        def on_train_end(self, logs=None):
            self.bar.close()

    return _EpochBar()
