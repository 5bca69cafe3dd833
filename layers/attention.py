"""Scaled dot-product attention, as ``torch.nn.functional.scaled_dot_product_attention``.

    S = q kᵀ / √d + M,    P = softmax(S) along the keys,    y = P v

with q: (..., T_q, d), k: (..., T_k, d), v: (..., T_k, d_v) and y: (..., T_q, d_v).  M is 0,
or with ``causal=True`` the top-left aligned mask of torch's ``is_causal=True``: M[i,j] = -∞
for j > i, so query i attends keys j ≤ i and masked weights are exactly 0.  The softmax
subtracts each row's maximum (always finite: key 0 is never masked) so exp never overflows.

Backward, with g = ∂L/∂y and every product batched over the leading axes::

    ∂L/∂v = Pᵀ g
    ∂L/∂P = g vᵀ
    ∂L/∂S = P ⊙ (∂L/∂P - Σ_j (∂L/∂P ⊙ P)[.., j])       (masked entries have P = 0)
    ∂L/∂q = (∂L/∂S) k / √d,     ∂L/∂k = (∂L/∂S)ᵀ q / √d

Leading axes broadcast as in ``np.matmul``; a gradient is summed back over the axes its input
was broadcast along.
"""

import numpy as np

from gradcheck.cases import Case, rand_normal


def _transpose(a: np.ndarray) -> np.ndarray:
    return np.swapaxes(a, -1, -2)


def _unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``grad`` down to ``shape``: the adjoint of broadcasting the input to grad's shape."""
    grad = grad.sum(axis=tuple(range(grad.ndim - len(shape)))) if grad.ndim > len(shape) else grad
    axes = tuple(a for a, n in enumerate(shape) if n == 1 and grad.shape[a] != 1)
    return grad.sum(axis=axes, keepdims=True) if axes else grad


def forward(
    q: np.ndarray, k: np.ndarray, v: np.ndarray, *, causal: bool = False
) -> tuple[np.ndarray, tuple]:
    scale = 1.0 / np.sqrt(q.shape[-1])
    # Every step after the product works in place on the one (..., T_q, T_k) buffer.
    weights = q @ _transpose(k)
    weights *= np.asarray(scale, dtype=weights.dtype)
    if causal:
        # + 0 or + (-inf): exactly the masked scores, batched, without np.where
        weights += np.triu(np.full(weights.shape[-2:], -np.inf, dtype=weights.dtype), 1)
    weights -= weights.max(axis=-1, keepdims=True)
    np.exp(weights, out=weights)
    weights /= weights.sum(axis=-1, keepdims=True)
    return weights @ v, (q, k, v, weights, scale)


def backward(grad_output: np.ndarray, cache) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    q, k, v, weights, scale = cache
    grad_v = _transpose(weights) @ grad_output
    # ∂L/∂S in the buffer of ∂L/∂P: P ⊙ (∂L/∂P - Σ_j ∂L/∂P ⊙ P)
    grad_scores = grad_output @ _transpose(v)
    grad_scores -= np.vecdot(grad_scores, weights)[..., None]  # row dots, no product array
    grad_scores *= weights
    scale = np.asarray(scale, dtype=grad_scores.dtype)
    grad_q = grad_scores @ k
    grad_q *= scale
    grad_k = _transpose(grad_scores) @ q
    grad_k *= scale
    return (
        _unbroadcast(grad_q, q.shape),
        _unbroadcast(grad_k, k.shape),
        _unbroadcast(grad_v, v.shape),
    )


def torch_reference(q, k, v, *, causal: bool = False):
    import torch.nn.functional as F

    return F.scaled_dot_product_attention(q, k, v, is_causal=causal)


CASES = [
    Case(rand_normal(3, 2), rand_normal(3, 2), rand_normal(3, 2), causal=False),
    Case(rand_normal(3, 2), rand_normal(3, 2), rand_normal(3, 2), causal=True),
    # a batch axis: a batch mix-up in the transposes shows as cross-batch gradients
    Case(rand_normal(2, 3, 2), rand_normal(2, 3, 2), rand_normal(2, 3, 2), causal=True),
    # T_q ≠ T_k: a k/q transpose mix-up cannot hide behind square score matrices
    Case(rand_normal(2, 2), rand_normal(3, 2), rand_normal(3, 2), causal=False),
    # scores near +880: a softmax without the max shift overflows exp to inf (nan weights)
    Case(
        rand_normal(3, 2, scale=0.05, offset=25.0),
        rand_normal(3, 2, scale=0.05, offset=25.0),
        rand_normal(3, 2),
        causal=True,
        name="3x2-causal-scores~880",
    ),
    # d_v ≠ d, and the 1/√d scale uses d (of q, k), not d_v
    Case(rand_normal(3, 2), rand_normal(3, 2), rand_normal(3, 3), causal=False),
    Case(
        rand_normal(2, 8, 4),
        rand_normal(2, 8, 4),
        rand_normal(2, 8, 4),
        causal=False,
        symbolic=False,
    ),
    Case(
        rand_normal(2, 8, 4),
        rand_normal(2, 8, 4),
        rand_normal(2, 8, 4),
        causal=True,
        symbolic=False,
    ),
]

# Realistic size for benchmarks/ (never checked): 8 heads (or batch entries) of 128 tokens, d = 64.
BENCHMARK = Case(
    rand_normal(8, 128, 64), rand_normal(8, 128, 64), rand_normal(8, 128, 64), symbolic=False
)
