"""Adapters for layers written as functions in other styles than the contract.

* :func:`from_column_major` — a layer written for ``X`` of shape (features, batch), checked as
  if written for (batch, features): ``f_row(x) = f_col(xᵀ)ᵀ`` and ``∂L/∂x = (∂L/∂xᵀ)ᵀ``.
* :func:`from_loss` — a loss that returns ``(loss, dx)`` in one call (``softmax_loss(x, y)``).
* :func:`from_elementwise` — an activation given as a pair ``f`` and ``f'``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np


def _flip(a: Any) -> Any:
    """Swap (features, batch) and (batch, features); arrays of other ranks pass unchanged."""
    a = np.asarray(a)
    return a.T if a.ndim == 2 else a


def _named(function: Callable, like: Callable) -> Callable:
    """``function`` with the signature of ``like``, whose parameter names name the report's
    inputs (``X``, ``W``, ``b``)."""
    try:
        function.__signature__ = inspect.signature(like)
    except (TypeError, ValueError):
        pass
    return function


def from_column_major(
    forward: Callable, backward: Callable, inputs: Sequence[np.ndarray] | None = None
) -> Any:
    """A layer written for ``X`` of shape (features, batch), for ``x`` of shape (batch,
    features): x, y and their gradients are transposed, parameters are not.

    Pass the whole triple, ``from_column_major(*from_object(layer, X))``, to get the triple back
    with ``x = Xᵀ``; or just ``(forward, backward)`` to get the pair, then pass ``x = X.T``
    yourself.  Outputs that are not 2-D (a scalar loss) pass unchanged.
    """

    def row_forward(x, *params, **hyper):
        x = np.asarray(x)
        if x.ndim != 2:
            raise ValueError(
                f"column-major adapter needs x of shape (batch, features), got {x.shape}"
            )
        y, cache = forward(x.T, *params, **hyper)
        return _flip(y), cache

    def row_backward(grad_output, cache):
        grads = backward(_flip(grad_output), cache)
        if not isinstance(grads, tuple | list) or not grads:
            return grads  # not a tuple of gradients: check() reports the broken contract
        return (_flip(grads[0]), *grads[1:])

    pair = _named(row_forward, forward), row_backward
    if inputs is None:
        return pair
    x, *params = inputs
    return (*pair, [np.ascontiguousarray(np.asarray(x).T), *params])


def from_loss(loss: Callable, *args: Any, **kwargs: Any) -> tuple[Callable, Callable]:
    """``(forward, backward)`` for a loss ``loss(x, *args, **kwargs) -> (value, dx)`` that
    returns its gradient with its value (``softmax_loss(scores, y)``): the targets ``args`` and
    ``kwargs`` are bound, and ``backward(g, dx) = (g dx,)``."""

    def forward(x):
        result = loss(x, *args, **kwargs)  # the targets after the scores
        if not (isinstance(result, tuple) and len(result) == 2):
            raise TypeError(
                f"{getattr(loss, '__name__', 'the loss')} returned {type(result).__name__}, "
                "not (loss, dx): from_loss is for losses that return their gradient too"
            )
        value, dx = result
        return np.asarray(value), np.asarray(dx)

    def backward(grad_output, dx):
        return (np.asarray(grad_output) * dx,)

    return _named(forward, _first_only(loss)), backward


def _first_only(function: Callable) -> Callable:
    """A stand-in whose signature is ``function``'s first parameter alone: the input's name."""
    try:
        first = next(iter(inspect.signature(function).parameters))
    except (TypeError, ValueError, StopIteration):
        first = "x"
    stand_in = lambda x: x  # noqa: E731
    stand_in.__signature__ = inspect.Signature(
        [inspect.Parameter(first, inspect.Parameter.POSITIONAL_ONLY)]
    )
    return stand_in


def from_elementwise(
    function: Callable, derivative: Callable, *, of: str = "x"
) -> tuple[Callable, Callable]:
    """``(forward, backward)`` for an activation given as ``f`` and its derivative ``f'``.

    ``of="x"`` when ``derivative`` takes the input (``relu_grad(x)``), ``of="y"`` when it takes
    the output (``sigmoid_grad(y) = y (1 - y)``).
    """
    if of not in ("x", "y"):
        raise ValueError(f"of={of!r}: the derivative takes the input (of='x') or output (of='y')")

    def forward(x):
        y = np.asarray(function(x))
        return y, (x if of == "x" else y)

    def backward(grad_output, at):
        return (np.asarray(grad_output) * np.asarray(derivative(at)),)

    return _named(forward, _first_only(function)), backward
