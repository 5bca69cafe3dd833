"""Batch normalisation in training mode, as ``torch.nn.functional.batch_norm(training=True)``.

x is (N, C) or (N, C, H, W) (any (N, C, ...)); each channel c is normalised with the statistics
of its M = N·H·W values, the variance biased (divided by M)::

    μ_c = (1/M) Σ x,   σ_c = sqrt((1/M) Σ (x - μ_c)² + eps),   x̂ = (x - μ_c) / σ_c,
    y = γ_c x̂ + β_c

Backward, with g = ∂L/∂y and the means and sums taken per channel over the M values::

    ∂L/∂β_c = Σ g,   ∂L/∂γ_c = Σ g x̂,   ∂L/∂x = (γ_c / σ_c) (g - mean(g) - x̂ mean(g x̂))

The last two terms are the paths through μ and σ: every value moves its channel's statistics.
"""

import numpy as np

from gradcheck.cases import Case, rand_normal, rand_positive


def forward(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, *, eps: float = 1e-5):
    if x.ndim < 2 or gamma.shape != (x.shape[1],) or beta.shape != (x.shape[1],):
        raise ValueError(
            f"batch_norm needs x (N, C, ...) with gamma, beta (C,); got x {x.shape}, "
            f"gamma {gamma.shape}, beta {beta.shape}"
        )
    if x.size // x.shape[1] < 2:
        # One value per channel has zero variance: torch refuses it in training mode too.
        raise ValueError(f"batch_norm needs more than one value per channel, got x {x.shape}")
    axes = (0,) + tuple(range(2, x.ndim))
    channel = (1, -1) + (1,) * (x.ndim - 2)
    # Two buffers for the whole pass: x̂ is built in place of x - μ, y in place of (x - μ)².
    x_hat = x - x.mean(axis=axes, keepdims=True)
    y = np.square(x_hat)
    inv_std = 1.0 / np.sqrt(y.mean(axis=axes, keepdims=True) + eps)
    x_hat *= inv_std
    scale = gamma.reshape(channel)
    np.multiply(x_hat, scale, out=y)
    y += beta.reshape(channel)
    return y, (x_hat, inv_std, scale, axes)


def backward(grad_output: np.ndarray, cache) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x_hat, inv_std, scale, axes = cache
    g = grad_output
    count = g.size // g.shape[1]
    product = g * x_hat
    grad_gamma = product.sum(axis=axes)
    grad_beta = g.sum(axis=axes)
    # (scale / σ) (g - mean(g) - x̂ mean(g x̂)), in that order, in two buffers; a mean is its
    # sum over the count, as np.mean computes it
    channel = scale.shape
    grad_x = g - (grad_beta / count).reshape(channel)
    np.multiply(x_hat, (grad_gamma / count).reshape(channel), out=product)
    grad_x -= product
    grad_x *= scale * inv_std
    return grad_x, grad_gamma, grad_beta


def torch_reference(x, gamma, beta, *, eps=1e-5):
    import torch.nn.functional as F

    return F.batch_norm(x, None, None, gamma, beta, training=True, eps=eps)


CASES = [
    Case(rand_normal(4, 3), rand_normal(3), rand_normal(3)),
    # symbolic shapes stay at M ≤ 4 values per channel: each Jacobian entry's proof costs ~0.2 s
    # at M = 4 and ~3 s at M = 8 (2x2x2x2 takes minutes)
    Case(rand_normal(2, 2, 1, 2), rand_normal(2), rand_normal(2)),
    # the smallest batch: x̂ = ±(nearly) 1 and ∂L/∂x is all eps-driven, about 1e-5 of g
    Case(rand_normal(2, 3), rand_positive(3), rand_normal(3), name="2x3-batch2"),
    # far from zero mean: a backward that forgets the path through μ is off by a lot
    Case(
        rand_normal(3, 2, scale=3.0, offset=5.0), rand_normal(2), rand_normal(2), name="3x2-mean5"
    ),
    Case(rand_normal(3, 2, scale=0.1), rand_normal(2), rand_normal(2), eps=0.1),
    # N = 1 is allowed in 4-D: each channel still has H·W values
    Case(rand_normal(1, 3, 2, 2), rand_normal(3), rand_normal(3), symbolic=False),
    Case(rand_normal(8, 4, 3, 3), rand_normal(4), rand_normal(4), symbolic=False),
    Case(rand_normal(32, 6), rand_normal(6), rand_normal(6), symbolic=False),
]

# Realistic size for benchmarks/ (never checked): after a CIFAR-sized conv layer, batch 32.
BENCHMARK = Case(rand_normal(32, 64, 32, 32), rand_normal(64), rand_normal(64), symbolic=False)
