"""Normalisation bugs: statistics held constant, eps misplaced, gradients out of order."""

import numpy as np

import derivations.layer_norm
import layers.batch_norm
import layers.layer_norm
from gradcheck.cases import rand_normal

from .spec import Bug, backward_bug, draw

BATCH = (draw(rand_normal(4, 3)), draw(rand_normal(3), 1), draw(rand_normal(3), 2))
ROWS = (draw(rand_normal(3, 4)), draw(rand_normal(4), 1), draw(rand_normal(4), 2))
# β ~ 1000 puts the outputs' round-off, and so finite differences' resolution, near 1e-9 of
# the gradient: eps = 1e-9 outside the root is then off by ~1e-8, 20x the exact pair's budget
# and a third of the finite-difference budget
LARGE_BETA = (ROWS[0], ROWS[1], draw(rand_normal(4, scale=1000.0), 2))


def _batch_axes(x):
    return (0,) + tuple(range(2, x.ndim)), (1, -1) + (1,) * (x.ndim - 2)


def batch_norm_statistics_constant(grad_output, cache):
    """Batch norm backward as in eval mode: mean and variance treated as constants."""
    (x, gamma, _beta), hyper, _ = cache
    axes, channel = _batch_axes(x)
    std = np.sqrt(x.var(axis=axes, keepdims=True) + hyper.get("eps", 1e-5))
    x_hat = (x - x.mean(axis=axes, keepdims=True)) / std
    grad_x = grad_output * gamma.reshape(channel) / std
    return grad_x, (grad_output * x_hat).sum(axis=axes), grad_output.sum(axis=axes)


def batch_norm_beta_gamma_swapped(grad_output, cache):
    """Gradients returned as (dx, dbeta, dgamma): same shapes, wrong order."""
    grad_x, grad_gamma, grad_beta = layers.batch_norm.backward(grad_output, cache[2])
    return grad_x, grad_beta, grad_gamma


def _layer_norm_backward(grad_output, x, gamma, std, gamma_in_means=True):
    """The row-wise layer norm backward for a given std; γ inside the means unless told not."""
    x_hat = (x - x.mean(axis=-1, keepdims=True)) / std
    h = grad_output * gamma if gamma_in_means else grad_output
    grad_x = (
        h - h.mean(axis=-1, keepdims=True) - x_hat * (h * x_hat).mean(axis=-1, keepdims=True)
    ) / std
    if not gamma_in_means:
        grad_x = gamma * grad_x
    rows = (-1, gamma.shape[0])
    return (
        grad_x,
        (grad_output * x_hat).reshape(rows).sum(axis=0),
        grad_output.reshape(rows).sum(axis=0),
    )


def layer_norm_eps_outside_sqrt(grad_output, cache):
    """Layer norm backward with 1 / (sqrt(var) + eps) where the forward has 1 / sqrt(var + eps)."""
    (x, gamma, _beta), hyper, _ = cache
    std = np.sqrt(x.var(axis=-1, keepdims=True)) + hyper.get("eps", 1e-5)
    return _layer_norm_backward(grad_output, x, gamma, std)


def layer_norm_gamma_outside_means(grad_output, cache):
    """Batch norm's backward ported to layer norm: γ factored out of the row means."""
    (x, gamma, _beta), hyper, _ = cache
    std = np.sqrt(x.var(axis=-1, keepdims=True) + hyper.get("eps", 1e-5))
    return _layer_norm_backward(grad_output, x, gamma, std, gamma_in_means=False)


def layer_norm_centres_in_place(x, gamma, beta, *, eps=1e-5):
    """Layer norm forward centring with x -= mean: the caller's array is overwritten."""
    x -= x.mean(axis=-1, keepdims=True)
    inv_std = 1.0 / np.sqrt((x * x).mean(axis=-1, keepdims=True) + eps)
    x_hat = x * inv_std
    return gamma * x_hat + beta, (x_hat, inv_std, gamma)


BUGS = [
    backward_bug(
        "batch-norm-statistics-treated-as-constants",
        layers.batch_norm,
        batch_norm_statistics_constant,
        BATCH,
    ),
    backward_bug(
        "batch-norm-gradients-in-wrong-order",
        layers.batch_norm,
        batch_norm_beta_gamma_swapped,
        BATCH,
    ),
    backward_bug(
        "layer-norm-eps-outside-sqrt",
        layers.layer_norm,
        layer_norm_eps_outside_sqrt,
        ROWS,
        {"eps": 1e-5},
    ),
    backward_bug(
        "layer-norm-eps-outside-sqrt-below-finite-difference-resolution",
        layers.layer_norm,
        layer_norm_eps_outside_sqrt,
        LARGE_BETA,
        {"eps": 1e-9},
        subtle=True,
    ),
    backward_bug(
        "layer-norm-gamma-outside-row-means",
        layers.layer_norm,
        layer_norm_gamma_outside_means,
        ROWS,
        blind_spot=((ROWS[0], np.full(4, 0.7), ROWS[2]), {}),
    ),
    Bug(
        "layer-norm-forward-centres-input-in-place",
        layer_norm_centres_in_place,
        layers.layer_norm.backward,
        layers.layer_norm.backward,
        ROWS,
        {},
        derivations.layer_norm,
        blame="forward",
        twin_forward=layers.layer_norm.forward,
    ),
]
