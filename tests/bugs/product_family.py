"""Product bugs: dense, matmul, embedding and attention with axes, sums and scales wrong."""

import numpy as np

import layers.attention
import layers.dense
import layers.embedding
import layers.matmul
from gradcheck.cases import rand_normal

from .spec import backward_bug, draw

REPEATED = np.array([1, 3, 1, 0, 3, 1])  # row 1 three times, row 2 and row 4 never
DISTINCT = np.array([4, 0, 2])


def matmul_transpose_reverses_all_axes(grad_output, cache):
    """Batched matmul backward with the 2-D formulas: .T reverses every axis, not the last two."""
    (a, b), _hyper, _ = cache
    return grad_output @ b.T, a.T @ grad_output


def matmul_broadcast_grad_averaged(grad_output, cache):
    """Broadcast operand's gradient averaged over the batch instead of summed."""
    (a, b), _hyper, _ = cache
    grad_a = grad_output @ np.swapaxes(b, -1, -2)
    grad_b = np.swapaxes(a, -1, -2) @ grad_output
    return grad_a, grad_b.mean(axis=0)


def dense_bias_grad_wrong_axis(grad_output, cache):
    """Bias gradient summed over the features, not over the batch (shapes agree when N = out)."""
    (x, weight, _bias), _hyper, _ = cache
    return grad_output @ weight, grad_output.T @ x, grad_output.sum(axis=1)


def embedding_fancy_index_add(grad_output, cache):
    """Embedding backward with dW[indices] += g: buffered, a repeated index keeps one row."""
    (weight,), hyper, _ = cache
    grad = np.zeros_like(weight)
    grad[hyper["indices"]] += grad_output
    return (grad,)


def embedding_assigns(grad_output, cache):
    """Embedding backward with dW[indices] = g: repeated indices overwrite each other."""
    (weight,), hyper, _ = cache
    grad = np.zeros_like(weight)
    grad[hyper["indices"]] = grad_output
    return (grad,)


def attention_backward_missing_scale(grad_output, cache):
    """Attention backward without 1/√d on dq and dk (the forward scales the scores)."""
    (q, k, v), _hyper, registered = cache
    _, _, grad_v = layers.attention.backward(grad_output, registered)
    scores = q @ k.T / np.sqrt(q.shape[-1])
    p = np.exp(scores - scores.max(axis=-1, keepdims=True))
    p /= p.sum(axis=-1, keepdims=True)
    grad_p = grad_output @ v.T
    grad_scores = p * (grad_p - (grad_p * p).sum(axis=-1, keepdims=True))
    return grad_scores @ k, grad_scores.T @ q, grad_v


def attention_dq_dk_swapped(grad_output, cache):
    """Attention gradients returned as (dk, dq, dv): same shapes when T_q = T_k."""
    grad_q, grad_k, grad_v = layers.attention.backward(grad_output, cache[2])
    return grad_k, grad_q, grad_v


def _qkv(t_q, t_k, d, d_v, seed=0):
    return (
        draw(rand_normal(t_q, d), seed),
        draw(rand_normal(t_k, d), seed + 1),
        draw(rand_normal(t_k, d_v), seed + 2),
    )


BUGS = [
    backward_bug(
        "matmul-batched-transpose-reverses-all-axes",
        layers.matmul,
        matmul_transpose_reverses_all_axes,
        (draw(rand_normal(2, 2, 2)), draw(rand_normal(2, 2, 2), 1)),
        blind_spot=((draw(rand_normal(2, 3)), draw(rand_normal(3, 4), 1)), {}),
    ),
    backward_bug(
        "matmul-broadcast-grad-averaged-not-summed",
        layers.matmul,
        matmul_broadcast_grad_averaged,
        (draw(rand_normal(2, 3, 4)), draw(rand_normal(4, 2), 1)),
    ),
    backward_bug(
        "dense-bias-grad-summed-over-features",
        layers.dense,
        dense_bias_grad_wrong_axis,
        (draw(rand_normal(3, 4)), draw(rand_normal(3, 4), 1), draw(rand_normal(3), 2)),
    ),
    backward_bug(
        "embedding-repeated-indices-fancy-index-add",
        layers.embedding,
        embedding_fancy_index_add,
        (draw(rand_normal(5, 3)),),
        {"indices": REPEATED},
        blind_spot=((draw(rand_normal(5, 3)),), {"indices": DISTINCT}),
    ),
    backward_bug(
        "embedding-repeated-indices-assigned",
        layers.embedding,
        embedding_assigns,
        (draw(rand_normal(5, 3)),),
        {"indices": REPEATED},
        blind_spot=((draw(rand_normal(5, 3)),), {"indices": DISTINCT}),
    ),
    backward_bug(
        "attention-backward-missing-inverse-sqrt-d",
        layers.attention,
        attention_backward_missing_scale,
        _qkv(3, 3, 2, 2),
        {"causal": False},
        blind_spot=(_qkv(3, 3, 1, 2), {"causal": False}),
    ),
    backward_bug(
        "attention-dq-dk-returned-swapped",
        layers.attention,
        attention_dq_dk_swapped,
        _qkv(3, 3, 2, 2),
        {"causal": True},
    ),
]
