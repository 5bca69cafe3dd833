"""Layer normalisation over the last axis, as ``torch.nn.functional.layer_norm(x, (D,), γ, β)``.

Each row x[..., :] of D values is normalised with its own statistics, the variance biased::

    μ = (1/D) Σ_i x_i,   σ = sqrt((1/D) Σ_i (x_i - μ)² + eps),   x̂_i = (x_i - μ) / σ,
    y_i = γ_i x̂_i + β_i

Backward, with g = ∂L/∂y, h = γ g, and the means taken along the row::

    ∂L/∂x = (1/σ) (h - mean(h) - x̂ mean(h x̂)),   ∂L/∂γ = Σ_batch g x̂,   ∂L/∂β = Σ_batch g

Unlike batch norm, γ sits inside the row means: it scales each feature before the row is mixed.
"""

import numpy as np

from gradcheck.cases import Case, rand_normal, rand_positive


def forward(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, *, eps: float = 1e-5):
    if x.ndim < 1 or gamma.shape != x.shape[-1:] or beta.shape != x.shape[-1:]:
        raise ValueError(
            f"layer_norm needs x (..., D) with gamma, beta (D,); got x {x.shape}, "
            f"gamma {gamma.shape}, beta {beta.shape}"
        )
    # x̂ built in place of x - μ; the variance a dot product of each row with itself (no
    # squares array)
    x_hat = x - x.mean(axis=-1, keepdims=True)
    variance = np.vecdot(x_hat, x_hat)[..., None] / x.shape[-1]
    inv_std = 1.0 / np.sqrt(variance + eps)
    x_hat *= inv_std
    y = x_hat * gamma
    y += beta
    return y, (x_hat, inv_std, gamma)


def backward(grad_output: np.ndarray, cache) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x_hat, inv_std, gamma = cache
    g = grad_output
    # grad_x = inv_std (h - mean(h) - x̂ mean(h x̂)) in the buffer of h, in that order
    h = g * gamma
    h_x_hat_mean = np.vecdot(h, x_hat)[..., None] / x_hat.shape[-1]
    h -= h.mean(axis=-1, keepdims=True)
    product = x_hat * h_x_hat_mean
    h -= product
    h *= inv_std
    rows = (-1, gamma.shape[0])
    np.multiply(g, x_hat, out=product)
    return h, product.reshape(rows).sum(axis=0), g.reshape(rows).sum(axis=0)


def torch_reference(x, gamma, beta, *, eps=1e-5):
    import torch.nn.functional as F

    return F.layer_norm(x, (x.shape[-1],), gamma, beta, eps=eps)


CASES = [
    Case(rand_normal(2, 3), rand_normal(3), rand_normal(3)),
    # D = 4 rows: each Jacobian entry's proof costs ~0.2 s, so 3x4 is the largest symbolic shape
    Case(rand_normal(3, 4), rand_normal(4), rand_normal(4)),
    Case(rand_normal(2, 2, 3), rand_normal(3), rand_normal(3)),
    Case(rand_normal(3), rand_normal(3), rand_normal(3)),
    # D = 2: x̂ = ±(nearly) 1 and ∂L/∂x is all eps-driven, about 1e-5 of g
    Case(rand_normal(3, 2), rand_positive(2), rand_normal(2), name="3x2-D2"),
    Case(rand_normal(2, 3, scale=0.1), rand_normal(3), rand_normal(3), eps=0.1),
    Case(rand_normal(4, 8, 32), rand_normal(32), rand_normal(32), symbolic=False),
    Case(
        rand_normal(16, 48, scale=2.0, offset=3.0),
        rand_normal(48),
        rand_normal(48),
        symbolic=False,
        name="16x48-mean3",
    ),
]

# Realistic size for benchmarks/ (never checked): a transformer block, 256 tokens x 1024 features.
BENCHMARK = Case(rand_normal(256, 1024), rand_normal(1024), rand_normal(1024), symbolic=False)
