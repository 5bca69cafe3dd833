"""Bugs that once slipped past the checker on layers outside the registry (issue 11), one per
class of blind spot, each on a registered layer so that it is checked three ways."""

import threading

import numpy as np

import derivations.dense
import derivations.sigmoid
import derivations.tanh
import layers.dense
import layers.dropout
import layers.relu
import layers.sigmoid
import layers.tanh
from gradcheck.cases import rand_away_from_zero, rand_normal

from .spec import Bug, backward_bug, draw


def _with_outlier(x: np.ndarray, where: tuple[int, ...], value: float) -> np.ndarray:
    x = x.copy()
    x[where] = value
    return x


def sigmoid_slope_from_float32_output(grad_output, cache):
    """sigmoid backward as y(1 − y) from a float32 copy of y (mixed precision kept too long)."""
    (x,), _hyper, _ = cache
    y = (1.0 / (1.0 + np.exp(-x))).astype(np.float32).astype(np.float64)
    return (grad_output * y * (1.0 - y),)


def relu_mask_from_half_precision_output(grad_output, cache):
    """ReLU backward masking with y > 0 on a float16 copy of y: positives below 3e-8 get 0."""
    (x,), _hyper, _ = cache
    return (grad_output * (np.maximum(x, 0.0).astype(np.float16) > 0),)


def tanh_backward_clipping_grad_output(grad_output, cache):
    """tanh backward clipping grad_output to [-1, 1] first (gradient clipping in the layer)."""
    return layers.tanh.backward(np.clip(grad_output, -1.0, 1.0), cache[2])


_LAST: dict[str, np.ndarray] = {}


def sigmoid_forward_remembering_slope(x):
    """The registered sigmoid, also leaving its slope in a module-level variable."""
    y, slope = layers.sigmoid.forward(x)
    _LAST["slope"] = slope
    return y, ((x,), {}, slope)


def sigmoid_backward_from_last_forward(grad_output, cache):
    """sigmoid backward reading the slope the last forward left in a module variable."""
    return (grad_output * _LAST["slope"],)


def tanh_forward_dict_cache(x):
    """The registered tanh with a dict cache that also holds a lock (uncopyable)."""
    y, slope = layers.tanh.forward(x)
    return y, {"slope": slope, "lock": threading.Lock()}


def tanh_backward_into_cached_slope(grad_output, cache):
    """tanh backward multiplying into the cached slope (out=slope): the next call differs."""
    return (np.multiply(grad_output, cache["slope"], out=cache["slope"]),)


def tanh_backward_memoising(grad_output, cache):
    """tanh backward memoising a copy of the slope in its cache: harmless."""
    slope = cache.setdefault("memo", cache["slope"].copy())
    return (grad_output * slope,)


def dropout_backward_in_place_without_mask(grad_output, cache):
    """Dropout backward scaling grad_output in place and forgetting the mask: two bugs."""
    _inputs, hyper, _ = cache
    grad_output /= 1.0 - hyper["p"]
    return (grad_output,)


def dense_float32(x, weight, bias):
    """The registered dense layer computed in float32 buffers, as frameworks do."""
    y, (x32, w32) = layers.dense.forward(*(a.astype(np.float32) for a in (x, weight, bias)))
    return y, (x32, w32)


def dense_float32_backward(grad_output, cache):
    """Its backward, in float32 too."""
    return layers.dense.backward(grad_output.astype(np.float32), cache)


def dense_float32_bias_gradient_averaged(grad_output, cache):
    """float32 dense backward averaging the bias gradient over the batch instead of summing."""
    grad_x, grad_weight, grad_bias = dense_float32_backward(grad_output, cache)
    return grad_x, grad_weight, grad_bias / len(grad_output)


BUGS = [
    # one input of 2500 among O(1) ones: steps from the whole array's spread (~650) blurred the
    # O(1) elements' differences to a budget of 1e-3, hiding float32's 1e-7
    backward_bug(
        "sigmoid-slope-from-float32-output-beside-an-outlier",
        layers.sigmoid,
        sigmoid_slope_from_float32_output,
        (_with_outlier(draw(rand_normal(3, 5)), (1, 3), 2500.0),),
    ),
    # 1e-8, within one step of relu's kink: finite differences saw a kink there and accepted
    # any slope between the one-sided ones, 0 included
    backward_bug(
        "relu-mask-from-half-precision-output-at-a-tiny-positive",
        layers.relu,
        relu_mask_from_half_precision_output,
        (_with_outlier(draw(rand_away_from_zero(2, 3)), (0, 2), 1e-8),),
    ),
    # one-hot probes of 1 are never clipped: only a Gaussian probe shows it
    backward_bug(
        "tanh-backward-clips-grad-output",
        layers.tanh,
        tanh_backward_clipping_grad_output,
        (draw(rand_normal(2, 3)),),
    ),
    # nothing ran between a forward and its backward, so the global always held the right slope
    Bug(
        "sigmoid-backward-reads-the-last-forward-not-its-cache",
        sigmoid_forward_remembering_slope,
        sigmoid_backward_from_last_forward,
        lambda grad_output, cache: layers.sigmoid.backward(grad_output, cache[2]),
        (draw(rand_normal(3, 2)),),
        {},
        derivations.sigmoid,
    ),
    # the cache was compared by bytes after a deep copy: the lock made check() itself raise,
    # and the memoising twin was reported as modifying its cache
    Bug(
        "tanh-backward-multiplies-into-its-cached-slope",
        tanh_forward_dict_cache,
        tanh_backward_into_cached_slope,
        tanh_backward_memoising,
        (draw(rand_normal(2, 3)),),
        {},
        derivations.tanh,
    ),
    # only the write into grad_output was reported; the forgotten mask went unmentioned
    backward_bug(
        "dropout-backward-in-place-and-without-its-mask",
        layers.dropout,
        dropout_backward_in_place_without_mask,
        (draw(rand_normal(2, 3)),),
        {"mask": np.array([[True, False, True], [False, True, True]]), "p": 0.5},
    ),
    # a float32 forward was refused outright (blame forward), right or wrong; float64 output
    # with float32 inside got a budget of 5e-11 and a verdict that flipped with the draw
    Bug(
        "dense-float32-bias-gradient-averaged-over-the-batch",
        dense_float32,
        dense_float32_bias_gradient_averaged,
        dense_float32_backward,
        (draw(rand_normal(3, 4)), draw(rand_normal(2, 4), 1), draw(rand_normal(2), 2)),
        {},
        derivations.dense,
    ),
]
