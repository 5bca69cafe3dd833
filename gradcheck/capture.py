"""What an adapter does around each call of an object's forward and backward.

* **Global random generators.**  A dropout layer that draws its mask from ``np.random`` or
  ``random`` draws a new one on every call, so the function being differenced changes under
  the finite differences.  Every call starts from the generators' state when the object was
  adapted (the layer draws the same mask each time, as it would for one training step) and
  leaves them as it found them, so that checking changes nothing for the caller.
* **Gradients handed to an optimizer.**  Some layers never store ``∂L/∂θ``:
  ``self.W = self.W_opt.update(self.W, grad_w)``.  The named update methods are replaced,
  for the backward call only, by a recorder that keeps the gradient, leaves the parameter
  unchanged and returns it.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from gradcheck.paths import Access, PathError


def random_state() -> tuple[Any, Any]:
    """The state of NumPy's global generator and of Python's ``random``."""
    return np.random.get_state(), random.getstate()


@contextmanager
def replayed(saved: tuple[Any, Any]) -> Iterator[None]:
    """Run with the global generators at ``saved``, then put back the state they had."""
    before = random_state()
    np.random.set_state(saved[0])
    random.setstate(saved[1])
    try:
        yield
    finally:
        np.random.set_state(before[0])
        random.setstate(before[1])


@contextmanager
def optimizer_updates(
    obj: Any, methods: Sequence[Access], params: Sequence[Access]
) -> Iterator[dict[int, np.ndarray]]:
    """Replace each update method with a recorder; yield ``{parameter index: gradient}``.

    A call ``update(param, grad)`` is matched to the parameter it is given (by identity, else
    by being the only parameter of that shape), and its gradient is the other array argument.
    """
    current = [p.read(obj) for p in params]
    found: dict[int, np.ndarray] = {}

    def update(*args: Any, **kwargs: Any) -> Any:
        arrays = [a for a in (*args, *kwargs.values()) if isinstance(a, np.ndarray)]
        which = [k for k, value in enumerate(current) if any(a is value for a in arrays)]
        if not which and arrays:
            which = [k for k, value in enumerate(current) if np.shape(value) == arrays[0].shape]
        others = [a for a in arrays if not any(a is value for value in current)]
        if len(which) != 1 or not others:
            names = ", ".join(p.name for p in params)
            raise PathError(
                f"an optimizer update was called with {len(arrays)} arrays, which do not name "
                f"one parameter ({names}) and its gradient: pass grads=(...) or a callable "
                "grads_from=lambda obj: (...) instead"
            )
        found[which[0]] = np.array(others[-1], dtype=np.float64)
        return current[which[0]]

    for method in methods:
        method.read(obj)  # says which object lacks the method before anything is replaced
        method.set(obj, update)
    yield found
