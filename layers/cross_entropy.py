"""Cross-entropy of logits against integer classes, as ``torch.nn.functional.cross_entropy``.

    L = (1/N) Σ_b [ log Σ_k exp(x[b,k]) - x[b, t_b] ]          x: (N, C),  t: (N,) integers

The log-softmax is fused and shifted by each row's maximum, so logits of ±1000 stay finite;
only the target entries of it are formed.  The forward saves the softmax for the backward::

    ∂L/∂x[b,j] = (softmax(x)[b,j] - 1[j = t_b]) / N
"""

import numpy as np

from gradcheck.cases import Case, rand_int, rand_normal


def forward(logits: np.ndarray, *, target: np.ndarray):
    probs = logits - logits.max(axis=-1, keepdims=True)
    rows = np.arange(logits.shape[0])
    picked = probs[rows, target]  # shifted logits of the targets, before exp overwrites them
    np.exp(probs, out=probs)
    total = probs.sum(axis=-1)
    loss = -(picked - np.log(total)).mean()
    probs /= total[:, None]
    return loss, (probs, target)


def backward(grad_output: np.ndarray, cache) -> tuple[np.ndarray]:
    probs, target = cache
    rows = np.arange(probs.shape[0])
    scale = grad_output / probs.shape[0]
    grad = probs * scale
    # (p - 1) · scale at the targets, in that order, as the formula reads
    grad[rows, target] = (probs[rows, target] - 1.0) * scale
    return (grad,)


def torch_reference(logits, *, target):
    import torch
    import torch.nn.functional as F

    return F.cross_entropy(logits, torch.as_tensor(target))


CASES = [
    Case(rand_normal(4, 5), target=rand_int(5, 4)),
    Case(rand_normal(1, 3), target=rand_int(3, 1)),
    Case(rand_normal(3, 7), target=rand_int(7, 3)),
    # a naive exp overflows at +1000 and underflows to log(0) at -1000
    Case(rand_normal(2, 4, offset=1000.0), target=rand_int(4, 2), name="2x4-logits+1000"),
    Case(rand_normal(2, 4, offset=-1000.0), target=rand_int(4, 2), name="2x4-logits-1000"),
    Case(rand_normal(64, 10), target=rand_int(10, 64), symbolic=False),
]

# Realistic size for benchmarks/ (never checked): ImageNet-sized logits for a batch of 256.
BENCHMARK = Case(rand_normal(256, 1000), target=rand_int(1000, 256), symbolic=False)
