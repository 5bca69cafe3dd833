"""Bugs that once slipped past the checker on layers outside the registry (issue 11), one per
class of blind spot, each on a registered layer so that it is checked three ways."""

import numpy as np

import layers.relu
import layers.sigmoid
from gradcheck.cases import rand_away_from_zero, rand_normal

from .spec import backward_bug, draw


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
]
