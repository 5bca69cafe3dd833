"""One deliberately wrong layer and its right twin, as one table entry.

A :class:`Bug` pairs a wrong layer (a forward and a backward, one of them wrong) with its right
twin (the registered layer's own forward and backward, or their composition), on inputs chosen
to expose the bug.  ``blind_spot`` optionally names inputs at which the bug does no harm, so the
wrong layer must pass there (softmax sharing one Jacobian across the batch is right at batch 1).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial, wraps
from types import ModuleType
from typing import Any

import numpy as np

from gradcheck import Report, bind, check
from gradcheck.cases import Draw

Sample = tuple[tuple[np.ndarray, ...], dict[str, Any]]


def draw(source: Draw, seed: int = 0) -> np.ndarray:
    """One float64 sample of a registered draw (``rand_normal(2, 3)``, ``rand_distinct(...)``)."""
    return np.asarray(source(np.random.default_rng(seed)), dtype=np.float64)


def keeping_inputs(forward: Callable) -> Callable:
    """A registered forward whose cache also keeps its inputs and hyperparameters, as student
    code does: a wrong backward computes from them, never from the layer's private cache."""

    @wraps(forward)  # keeps the signature, so reports name the inputs
    def forward_keeping_inputs(*inputs: np.ndarray, **hyper: Any):
        y, cache = forward(*inputs, **hyper)
        return y, (inputs, hyper, cache)

    return forward_keeping_inputs


def on_registered_cache(backward: Callable) -> Callable:
    """The registered backward, on the cache of :func:`keeping_inputs`: the right twin."""

    @wraps(backward)
    def right(grad_output: np.ndarray, cache: tuple) -> tuple:
        return backward(grad_output, cache[2])

    return right


@dataclass(frozen=True)
class Bug:
    """A wrong layer, its right twin, and where to check them.

    ``forward``/``backward`` are the wrong layer, ``twin_backward`` (and ``twin_forward`` when the
    bug is in the forward) the right one; ``hyper`` is bound to both forwards and to
    ``derivation`` (a module or an object with ``expressions``), and ``blame`` is the leg the
    checker must name.  ``subtle`` marks a bug below what finite differences resolve at
    ``inputs``: only the backward~symbolic comparison may catch it.
    """

    id: str
    forward: Callable
    backward: Callable
    twin_backward: Callable
    inputs: tuple[np.ndarray, ...]
    hyper: dict[str, Any] = field(default_factory=dict)
    derivation: Any = None
    blame: str = "backward"
    twin_forward: Callable | None = None
    blind_spot: Sample | None = None
    subtle: bool = False

    @property
    def pattern(self) -> str:
        """The real-world pattern: the first line of the wrong function's docstring."""
        wrong = self.forward if self.blame == "forward" else self.backward
        while isinstance(wrong, partial):
            wrong = wrong.func
        return (wrong.__doc__ or "").strip().splitlines()[0] if wrong.__doc__ else ""

    def run(
        self,
        *,
        twin: bool = False,
        symbolic: bool = True,
        sample: Sample | None = None,
    ) -> Report:
        """Check the wrong layer (or, with ``twin=True``, the right one) at ``sample``."""
        inputs, hyper = sample if sample is not None else (self.inputs, self.hyper)
        forward = (self.twin_forward or self.forward) if twin else self.forward
        backward = self.twin_backward if twin else self.backward
        derivation = None
        if symbolic and self.derivation is not None:
            derivation = bind(self.derivation, **hyper) if hyper else self.derivation
        return check(
            partial(forward, **hyper),
            backward,
            [a.copy() for a in inputs],
            derivation,
            name=self.id + ("-twin" if twin else ""),
        )


def backward_bug(
    bug_id: str,
    layer: ModuleType,
    wrong: Callable,
    inputs: tuple[np.ndarray, ...],
    hyper: dict[str, Any] | None = None,
    **options: Any,
) -> Bug:
    """A wrong backward of a registered layer, its twin the layer's own backward.

    ``wrong(grad_output, (inputs, hyper, registered_cache))`` reads the inputs (or calls the
    registered backward on its cache), so it stays wrong the same way whatever the layer caches.
    The derivation is the layer's own, ``derivations/<name>.py``.
    """
    name = layer.__name__.rsplit(".", 1)[-1]
    return Bug(
        bug_id,
        keeping_inputs(layer.forward),
        wrong,
        on_registered_cache(layer.backward),
        tuple(inputs),
        hyper or {},
        importlib.import_module(f"derivations.{name}"),
        **options,
    )
