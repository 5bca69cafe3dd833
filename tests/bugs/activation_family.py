"""Element-wise bugs: derivatives in the wrong variable, lost terms and scales, in-place writes."""

import numpy as np

import derivations.relu
import layers.dropout
import layers.gelu
import layers.leaky_relu
import layers.relu
import layers.sigmoid
import layers.tanh
from gradcheck.cases import rand_away_from_zero, rand_distinct, rand_normal

from .spec import Bug, backward_bug, draw

MASK = np.array([[True, False, True, True], [False, True, True, False], [True, True, False, True]])


def tanh_derivative_of_input(grad_output, cache):
    """tanh′ written as 1 − x² (the input) instead of 1 − y² (the output)."""
    (x,), _hyper, _ = cache
    return (grad_output * (1.0 - x * x),)


def sigmoid_derivative_mixes_input(grad_output, cache):
    """sigmoid′ written as σ(x)(1 − x) instead of σ(x)(1 − σ(x))."""
    (x,), _hyper, _ = cache
    y = 1.0 / (1.0 + np.exp(-x))
    return (grad_output * y * (1.0 - x),)


def leaky_relu_slope_on_positives(grad_output, cache):
    """Leaky ReLU backward with the negative slope applied where x > 0."""
    (x,), hyper, _ = cache
    return (np.where(x > 0, hyper["negative_slope"] * grad_output, grad_output),)


def gelu_tanh_missing_cubic_term(grad_output, cache):
    """GELU (tanh) backward with u′ = √(2/π), the 3·0.044715·x² term of u′ lost."""
    (x,), _hyper, _ = cache
    c = np.sqrt(2.0 / np.pi)
    t = np.tanh(c * (x + 0.044715 * x**3))
    return (grad_output * (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * c),)


def dropout_not_rescaled(grad_output, cache):
    """Inverted dropout's backward without the 1/(1 - p) rescaling: g * mask."""
    _inputs, hyper, _ = cache
    return (grad_output * hyper["mask"],)


def relu_backward_zeroes_grad_output(grad_output, cache):
    """ReLU backward with dx = dout; dx[x <= 0] = 0: the caller's gradient is overwritten."""
    (x,), _hyper, _ = cache
    dx = grad_output
    dx[x <= 0] = 0.0
    return (dx,)


def relu_in_place(x):
    """ReLU forward with np.maximum(x, 0, out=x): the caller's input is overwritten."""
    positive = x > 0
    return np.maximum(x, 0.0, out=x), positive


BUGS = [
    backward_bug(
        "tanh-derivative-from-input-not-output",
        layers.tanh,
        tanh_derivative_of_input,
        (draw(rand_normal(2, 3)),),
    ),
    backward_bug(
        "sigmoid-derivative-mixes-input-and-output",
        layers.sigmoid,
        sigmoid_derivative_mixes_input,
        (draw(rand_normal(2, 3)),),
    ),
    backward_bug(
        "leaky-relu-slope-applied-to-positives",
        layers.leaky_relu,
        leaky_relu_slope_on_positives,
        (draw(rand_away_from_zero(3, 4)),),
        {"negative_slope": 0.2},
    ),
    backward_bug(
        "gelu-tanh-missing-cubic-term-derivative",
        layers.gelu,
        gelu_tanh_missing_cubic_term,
        (draw(rand_distinct(3, 4, gap=0.5)),),
        {"approximate": "tanh"},
    ),
    backward_bug(
        "dropout-backward-not-rescaled",
        layers.dropout,
        dropout_not_rescaled,
        (draw(rand_normal(3, 4)),),
        {"mask": MASK, "p": 0.25},
        blind_spot=((draw(rand_normal(3, 4)),), {"mask": np.ones((3, 4), dtype=bool), "p": 0.0}),
    ),
    backward_bug(
        "relu-backward-overwrites-grad-output",
        layers.relu,
        relu_backward_zeroes_grad_output,
        (draw(rand_away_from_zero(2, 3)),),
    ),
    Bug(
        "relu-forward-overwrites-input",
        relu_in_place,
        layers.relu.backward,
        layers.relu.backward,
        (draw(rand_away_from_zero(2, 3)),),
        {},
        derivations.relu,
        blame="forward",
        twin_forward=layers.relu.forward,
    ),
]
