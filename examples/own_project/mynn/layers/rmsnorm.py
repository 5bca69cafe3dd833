"""RMS normalisation over the last axis, as ``torch.nn.functional.rms_norm(x, (D,), g, eps)``.

Each row of D values is divided by its root mean square::

    r = sqrt((1/D) Σ_k x_k² + eps),   y_i = g_i x_i / r

Backward, with G = ∂L/∂y and h = g G::

    ∂L/∂x = h / r - x Σ_k (h_k x_k) / (D r³),   ∂L/∂g = Σ_batch G x / r
"""

import numpy as np

from gradcheck import Case, rand_normal


def forward(x: np.ndarray, gain: np.ndarray, *, eps: float = 1e-6):
    r = np.sqrt((x * x).mean(axis=-1, keepdims=True) + eps)
    return gain * x / r, (x, gain, r)


def backward(grad_output: np.ndarray, cache) -> tuple[np.ndarray, np.ndarray]:
    x, gain, r = cache
    h = gain * grad_output
    grad_x = h / r - x * (h * x).sum(axis=-1, keepdims=True) / (x.shape[-1] * r**3)
    batch = tuple(range(grad_output.ndim - 1))
    return grad_x, (grad_output * x / r).sum(axis=batch)


CASES = [
    Case(rand_normal(2, 5), rand_normal(5)),
    Case(rand_normal(3, 1, 4), rand_normal(4), eps=1e-2),
    Case(rand_normal(64, 33), rand_normal(33), symbolic=False),
]
