"""Loss bugs: 1/m applied twice, the wrong normaliser, lost constants, targets and signs."""

from types import SimpleNamespace

import numpy as np

import derivations.cross_entropy
import derivations.dense
import derivations.mse_loss
import layers.binary_cross_entropy_with_logits as bce
import layers.categorical_cross_entropy
import layers.cross_entropy
import layers.dense
import layers.mse_loss
from gradcheck.cases import rand_normal, rand_probabilities, rand_unit_interval

from .spec import Bug, backward_bug, draw

TARGET = np.array([2, 0, 2, 4])  # a repeated class and unused ones
DENSE = (draw(rand_normal(4, 3), 1), draw(rand_normal(5, 3), 2), draw(rand_normal(5), 3))


def dense_cross_entropy(x, weight, bias, *, target):
    """Softmax classifier written by hand: cross_entropy(x Wᵀ + b)."""
    logits, dense_cache = layers.dense.forward(x, weight, bias)
    loss, loss_cache = layers.cross_entropy.forward(logits, target=target)
    return loss, (dense_cache, loss_cache)


def dense_cross_entropy_twice_averaged(grad_output, cache):
    """1/m twice: dscores is already divided by N, then dW = xᵀ dscores / N again."""
    dense_cache, loss_cache = cache
    (grad_logits,) = layers.cross_entropy.backward(grad_output, loss_cache)
    grad_x, grad_weight, grad_bias = layers.dense.backward(grad_logits, dense_cache)
    rows = grad_logits.shape[0]
    return grad_x, grad_weight / rows, grad_bias / rows


def dense_cross_entropy_right(grad_output, cache):
    dense_cache, loss_cache = cache
    return layers.dense.backward(
        layers.cross_entropy.backward(grad_output, loss_cache)[0], dense_cache
    )


def dense_mse(x, weight, bias, *, target):
    """Linear regression written by hand: mse_loss(x Wᵀ + b, target)."""
    pred, dense_cache = layers.dense.forward(x, weight, bias)
    loss, diff = layers.mse_loss.forward(pred, target=target)
    return loss, (dense_cache, diff)


def dense_mse_twice_averaged(grad_output, cache):
    """1/m twice: dpred = 2 (pred - t) / m, then dW = xᵀ dpred / m once more."""
    dense_cache, diff = cache
    (grad_pred,) = layers.mse_loss.backward(grad_output, diff)
    m = diff.shape[0]
    return tuple(g / m for g in layers.dense.backward(grad_pred, dense_cache))


def dense_mse_right(grad_output, cache):
    dense_cache, diff = cache
    return layers.dense.backward(layers.mse_loss.backward(grad_output, diff)[0], dense_cache)


def mse_rows_mean(pred, *, target):
    """Per-sample MSE (mean over the D features), summed over the batch."""
    diff = pred - target
    return (diff * diff).mean(axis=-1).sum(), diff


def mse_rows_mean_grad_by_size(grad_output, diff):
    """Loss normalised by D, gradient by N·D: 2 (pred - t) / diff.size."""
    return (grad_output * 2.0 * diff / diff.size,)


def mse_rows_mean_right(grad_output, diff):
    return (grad_output * 2.0 * diff / diff.shape[-1],)


def mse_missing_two(grad_output, cache):
    """MSE gradient without the 2 from the square: (pred - t) / N."""
    (pred,), hyper, _ = cache
    return (grad_output * (pred - hyper["target"]) / pred.size,)


def cross_entropy_sign_flipped(grad_output, cache):
    """Cross-entropy gradient as (onehot - p) / N: the sign flipped."""
    (grad,) = layers.cross_entropy.backward(grad_output, cache[2])
    return (-grad,)


def categorical_cross_entropy_missing_target(grad_output, cache):
    """Categorical cross-entropy gradient -1 / (N p), the target factor forgotten."""
    (probs,), _hyper, _ = cache
    rows = probs.size // probs.shape[-1]
    return (-(grad_output / rows) / probs,)


def bce_with_logits_missing_target(grad_output, cache):
    """BCE-with-logits gradient σ(x) / N, without subtracting the target."""
    (logits,), _hyper, _ = cache
    return ((grad_output / logits.size) / (1.0 + np.exp(-logits)),)


def _dense_cross_entropy_expressions(x, weight, bias, *, target):
    logits = derivations.dense.expressions(x, weight, bias)
    return derivations.cross_entropy.expressions(logits, target=target)


def _dense_mse_expressions(x, weight, bias, *, target):
    pred = derivations.dense.expressions(x, weight, bias)
    return derivations.mse_loss.expressions(pred, target=target)


def _mse_rows_mean_expressions(pred, *, target):
    return derivations.mse_loss.expressions(pred, target=target) * pred.shape[0]


DENSE_CROSS_ENTROPY = SimpleNamespace(expressions=_dense_cross_entropy_expressions)
DENSE_MSE = SimpleNamespace(expressions=_dense_mse_expressions)
MSE_ROWS_MEAN = SimpleNamespace(expressions=_mse_rows_mean_expressions)

BUGS = [
    Bug(
        "dense-cross-entropy-mean-applied-twice",
        dense_cross_entropy,
        dense_cross_entropy_twice_averaged,
        dense_cross_entropy_right,
        DENSE,
        {"target": TARGET},
        DENSE_CROSS_ENTROPY,
    ),
    Bug(
        "dense-mse-mean-applied-twice",
        dense_mse,
        dense_mse_twice_averaged,
        dense_mse_right,
        DENSE,
        {"target": draw(rand_normal(4, 5), 4)},
        DENSE_MSE,
    ),
    Bug(
        "mse-loss-by-D-gradient-by-ND",
        mse_rows_mean,
        mse_rows_mean_grad_by_size,
        mse_rows_mean_right,
        (draw(rand_normal(3, 4)),),
        {"target": draw(rand_normal(3, 4), 1)},
        MSE_ROWS_MEAN,
        blind_spot=((draw(rand_normal(1, 4)),), {"target": draw(rand_normal(1, 4), 1)}),
    ),
    backward_bug(
        "mse-missing-factor-2",
        layers.mse_loss,
        mse_missing_two,
        (draw(rand_normal(4, 3)),),
        {"target": draw(rand_normal(4, 3), 1)},
    ),
    backward_bug(
        "cross-entropy-sign-flipped",
        layers.cross_entropy,
        cross_entropy_sign_flipped,
        (draw(rand_normal(4, 5)),),
        {"target": TARGET},
    ),
    backward_bug(
        "categorical-cross-entropy-missing-target",
        layers.categorical_cross_entropy,
        categorical_cross_entropy_missing_target,
        (draw(rand_probabilities(4, 5)),),
        {"target": draw(rand_probabilities(4, 5), 1)},
    ),
    backward_bug(
        "bce-with-logits-missing-target",
        bce,
        bce_with_logits_missing_target,
        (draw(rand_normal(3, 4)),),
        {"target": draw(rand_unit_interval(3, 4), 1)},
    ),
]
