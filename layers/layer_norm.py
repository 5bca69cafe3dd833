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
    centred = x - x.mean(axis=-1, keepdims=True)
    inv_std = 1.0 / np.sqrt((centred * centred).mean(axis=-1, keepdims=True) + eps)
    x_hat = centred * inv_std
    return gamma * x_hat + beta, (x_hat, inv_std, gamma)


def backward(grad_output: np.ndarray, cache) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x_hat, inv_std, gamma = cache
    g = grad_output
    h = g * gamma
    grad_x = inv_std * (
        h - h.mean(axis=-1, keepdims=True) - x_hat * (h * x_hat).mean(axis=-1, keepdims=True)
    )
    rows = (-1, gamma.shape[0])
    return grad_x, (g * x_hat).reshape(rows).sum(axis=0), g.reshape(rows).sum(axis=0)


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
