"""Softmax-shaped bugs: Jacobians cut short, shared or skipped, and a forgotten temperature."""

from types import SimpleNamespace

import numpy as np
import sympy as sp

import derivations.softmax
import layers.log_softmax
import layers.softmax
from gradcheck.cases import rand_normal

from .spec import Bug, backward_bug, draw


def _softmax(x, hyper):
    return layers.softmax.forward(x, **hyper)[0]


def softmax_diagonal_only(grad_output, cache):
    """Softmax Jacobian reduced to its diagonal: dx = g * y * (1 - y)."""
    (x,), hyper, _ = cache
    y = _softmax(x, hyper)
    return (grad_output * y * (1.0 - y),)


def softmax_shared_jacobian(grad_output, cache):
    """One softmax Jacobian, built from the first row, applied to the whole batch."""
    (x,), hyper, _ = cache
    s = _softmax(x, hyper)[0]
    jacobian = np.diag(s) - np.outer(s, s)
    return (grad_output @ jacobian,)


def softmax_assumes_cross_entropy_follows(grad_output, cache):
    """Softmax backward passing its gradient through, as if fused with a cross-entropy."""
    return (grad_output,)


def log_softmax_missing_sum(grad_output, cache):
    """Log-softmax backward without the sum over the row: dx = g - p * g."""
    (x,), hyper, _ = cache
    return (grad_output - _softmax(x, hyper) * grad_output,)


def softmax_with_temperature(x, *, temperature):
    """softmax(x / T), through the registered softmax."""
    y, cache = layers.softmax.forward(x / temperature)
    return y, (cache, temperature)


def softmax_temperature_forgotten(grad_output, cache):
    """Softmax-with-temperature backward that drops the chain-rule factor 1/T."""
    inner, _temperature = cache
    return layers.softmax.backward(grad_output, inner)


def softmax_temperature_right(grad_output, cache):
    inner, temperature = cache
    (grad,) = layers.softmax.backward(grad_output, inner)
    return (grad / temperature,)


def _tempered_softmax_expressions(x, *, temperature):
    return derivations.softmax.expressions(x * (1 / sp.Rational(str(temperature))))


TEMPERED_SOFTMAX = SimpleNamespace(expressions=_tempered_softmax_expressions)

BUGS = [
    backward_bug(
        "softmax-diagonal-jacobian",
        layers.softmax,
        softmax_diagonal_only,
        (draw(rand_normal(3, 5)),),
        {"axis": -1},
    ),
    backward_bug(
        "softmax-shared-jacobian-across-batch",
        layers.softmax,
        softmax_shared_jacobian,
        (draw(rand_normal(3, 4)),),
        {"axis": -1},
        blind_spot=((draw(rand_normal(1, 4)),), {"axis": -1}),
    ),
    backward_bug(
        "softmax-backward-assumes-cross-entropy",
        layers.softmax,
        softmax_assumes_cross_entropy_follows,
        (draw(rand_normal(2, 3)),),
        {"axis": -1},
    ),
    backward_bug(
        "log-softmax-missing-sum-term",
        layers.log_softmax,
        log_softmax_missing_sum,
        (draw(rand_normal(3, 5)),),
        {"axis": -1},
    ),
    Bug(
        "softmax-temperature-factor-missing",
        softmax_with_temperature,
        softmax_temperature_forgotten,
        softmax_temperature_right,
        (draw(rand_normal(2, 4)),),
        {"temperature": 2.5},
        TEMPERED_SOFTMAX,
        blind_spot=((draw(rand_normal(2, 4)),), {"temperature": 1.0}),
    ),
]
