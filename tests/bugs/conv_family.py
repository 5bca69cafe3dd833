"""Convolution bugs: hard-coded padding, an unrotated kernel, swapped kernel axes, one sample.

The wrong backwards compute from the inputs (see :func:`keeping_inputs`) or from the registered
backward's results, never from the layer's private cache, so a rewrite of layers/conv2d.py
leaves them wrong in the same way.
"""

import numpy as np

import layers.conv2d
from gradcheck.cases import rand_normal

from .spec import backward_bug, draw


def conv_padding_hard_coded(grad_output, cache):
    """Input gradient cropped with pad = 1 ('same' for 3x3) whatever padding the forward used."""
    (x, weight, _bias), hyper, registered = cache
    _, grad_weight, grad_bias = layers.conv2d.backward(grad_output, registered)
    p = hyper.get("padding", 0)
    n, c, h, w = x.shape
    kh, kw = weight.shape[2:]
    oh, ow = grad_output.shape[2:]
    grad_xp = np.zeros((n, c, h + 2 * p, w + 2 * p))
    for i in range(oh):
        for j in range(ow):
            grad_xp[:, :, i : i + kh, j : j + kw] += np.einsum(
                "no,ockl->nckl", grad_output[:, :, i, j], weight
            )
    pad = 1
    return grad_xp[:, :, pad : pad + h, pad : pad + w].copy(), grad_weight, grad_bias


def conv_input_grad_kernel_not_rotated(grad_output, cache):
    """Input gradient as a full correlation of g with W, the 180° kernel rotation forgotten."""
    (_x, weight, _bias), _hyper, registered = cache
    _, grad_weight, grad_bias = layers.conv2d.backward(grad_output, registered)
    kh, kw = weight.shape[2:]
    padded_g = np.pad(grad_output, ((0, 0), (0, 0), (kh - 1, kh - 1), (kw - 1, kw - 1)))
    swapped_roles = weight.transpose(1, 0, 2, 3)  # (C, O, kh, kw); needs [..., ::-1, ::-1]
    grad_x, _ = layers.conv2d.forward(padded_g, swapped_roles, np.zeros(weight.shape[1]))
    return grad_x, grad_weight, grad_bias


def conv_weight_grad_kernel_axes_swapped(grad_output, cache):
    """im2col weight gradient laid out as (kw, kh), reshaped back into (kh, kw)."""
    grad_x, grad_weight, grad_bias = layers.conv2d.backward(grad_output, cache[2])
    o, c, kh, kw = grad_weight.shape
    return grad_x, grad_weight.transpose(0, 1, 3, 2).reshape(o, c, kh, kw), grad_bias


def conv_bias_grad_first_sample(grad_output, cache):
    """Bias gradient from the first sample only, as in code written for batch 1."""
    grad_x, grad_weight, _ = layers.conv2d.backward(grad_output, cache[2])
    return grad_x, grad_weight, grad_output[0].sum(axis=(1, 2))


def _conv(x_shape, w_shape, seed=0):
    x, w = draw(rand_normal(*x_shape), seed), draw(rand_normal(*w_shape), seed + 1)
    return x, w, draw(rand_normal(w_shape[0]), seed + 2)


BUGS = [
    backward_bug(
        "conv-input-grad-padding-hard-coded",
        layers.conv2d,
        conv_padding_hard_coded,
        _conv((1, 1, 3, 3), (1, 1, 3, 3)),
        {"padding": 2},
        blind_spot=(_conv((1, 1, 4, 4), (2, 1, 3, 3)), {"padding": 1}),
    ),
    backward_bug(
        "conv-input-grad-kernel-not-rotated",
        layers.conv2d,
        conv_input_grad_kernel_not_rotated,
        _conv((2, 1, 4, 4), (2, 1, 3, 3)),
        {},
        blind_spot=(_conv((1, 2, 3, 3), (2, 2, 1, 1)), {}),
    ),
    backward_bug(
        "conv-weight-grad-kernel-height-width-swapped",
        layers.conv2d,
        conv_weight_grad_kernel_axes_swapped,
        _conv((1, 1, 5, 6), (2, 1, 2, 3)),
        {},
    ),
    backward_bug(
        "conv-bias-grad-not-summed-over-batch",
        layers.conv2d,
        conv_bias_grad_first_sample,
        _conv((2, 1, 4, 4), (2, 1, 3, 3)),
        {},
        blind_spot=(_conv((1, 1, 5, 5), (1, 1, 3, 3)), {}),
    ),
]
