"""Forward "hooks" for Keras 3 models: observe every eager ``model(x)`` call.

PyTorch users write ``register_forward_hook`` and then just call the model. Keras 3 has no
hooks, so :func:`attach` installs one small wrapper on the *model instance's* ``call``
(never on its class, never on its layers): during each **eager** call it opens the
recording contexts of the attached observers (usually :class:`~._hooks.CallRecorder`
objects on the layers they watch, restored when the call returns) and then runs the
original ``call``. Calls traced inside ``fit``/``predict``/``tf.function`` graphs go
straight to the original ``call``, so training speed and the compiled graphs are not
affected.

Observers are held through weak references: a visualizer that is garbage collected stops
observing, and when no observer is left the wrapper is removed and the model is exactly as
it was. :func:`detach` removes one observer explicitly (``remove_hooks()``).
"""

from __future__ import annotations

import contextlib
import logging
import weakref
from collections.abc import Callable
from typing import Any

from spacekit._optional import require

__all__ = ["attach", "detach", "observers", "recording", "executing_eagerly"]

log = logging.getLogger(__name__)

_MARK = "_spacekit_forward_hooks"


def executing_eagerly() -> bool:
    """True unless a TensorFlow graph is being traced (other backends: always True)."""
    keras = require("keras", feature="layer hooks")
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        return bool(tf.executing_eagerly())
    return True


class _Registry:
    """The observers of one model and the wrapper that calls them."""

    def __init__(self, model: Any):
        self.model_ref = weakref.ref(model)
        self.refs: list[weakref.ref] = []
        self.had_call = "call" in vars(model)
        self.saved_call = vars(model).get("call")
        original = model.call
        registry = self

        def call(*args: Any, **kwargs: Any) -> Any:
            live = registry.live()
            if not live or not executing_eagerly():
                return original(*args, **kwargs)
            with contextlib.ExitStack() as stack:
                for observer in live:
                    stack.enter_context(observer.forward_hook())
                return original(*args, **kwargs)

        setattr(call, _MARK, self)
        self.wrapper = call

    def live(self) -> list:
        objs = [r() for r in self.refs]
        if any(o is None for o in objs):
            self.refs = [r for r, o in zip(self.refs, objs, strict=True) if o is not None]
            objs = [o for o in objs if o is not None]
            if not objs:
                self.uninstall()
        return objs

    def uninstall(self) -> None:
        model = self.model_ref()
        if model is None or getattr(vars(model).get("call"), _MARK, None) is not self:
            return  # already removed, or another wrapper was put on top: leave it
        if self.had_call:
            model.call = self.saved_call
        else:
            del model.call
        log.debug("removed the forward hooks of %s", getattr(model, "name", model))


def _registry(model: Any) -> _Registry | None:
    return getattr(vars(model).get("call"), _MARK, None)


def attach(model: Any, observer: Any) -> None:
    """Make ``observer.forward_hook()`` run around every eager call of ``model``.

    ``observer.forward_hook()`` must return a context manager; whatever it records should
    be stored when the context exits without an exception.
    """
    registry = _registry(model)
    if registry is None:
        registry = _Registry(model)
        model.call = registry.wrapper
    if all(r() is not observer for r in registry.refs):
        registry.refs.append(weakref.ref(observer))
        # drop the hook as soon as the observer is garbage collected (finalizers run
        # before interpreter shutdown, unlike weakref callbacks)
        weakref.finalize(observer, registry.live)
    log.debug("attached %s to %s", type(observer).__name__, getattr(model, "name", model))


def detach(model: Any, observer: Any) -> None:
    """Stop calling ``observer``; remove the wrapper when no observer is left."""
    registry = _registry(model)
    if registry is None:
        return
    registry.refs = [r for r in registry.refs if r() is not None and r() is not observer]
    if not registry.refs:
        registry.uninstall()


def observers(model: Any) -> list:
    """The live observers of ``model`` (empty when no hook is installed)."""
    registry = _registry(model)
    return registry.live() if registry is not None else []


def recording(enter: Callable[[], Any], store: Callable[[Any], None]):
    """A context manager that enters ``enter()`` and calls ``store(ctx)`` on a clean exit."""

    @contextlib.contextmanager
    def _cm():
        with enter() as ctx:
            yield ctx
        store(ctx)

    return _cm()
