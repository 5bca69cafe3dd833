"""Mean squared error, as ``torch.nn.functional.mse_loss`` (reduction="mean"): a 0-d output.

    L = (1/N) Σ_i (pred_i - target_i)²,     ∂L/∂pred_i = (2/N) (pred_i - target_i)

N counts every element, not just the batch.
"""

import numpy as np

from gradcheck.cases import Case, rand_normal


def forward(pred: np.ndarray, *, target: np.ndarray):
    diff = pred - target
    return np.mean(np.square(diff)), diff


def backward(grad_output: np.ndarray, diff: np.ndarray) -> tuple[np.ndarray]:
    # the scalar factor first: one pass over the array instead of three
    return ((grad_output * 2.0 / diff.size) * diff,)


def torch_reference(pred, *, target):
    import torch
    import torch.nn.functional as F

    return F.mse_loss(pred, torch.as_tensor(target))


CASES = [
    Case(rand_normal(4, 3), target=rand_normal(4, 3)),
    Case(rand_normal(1, 5), target=rand_normal(1, 5)),
    Case(rand_normal(2, 3, 2), target=rand_normal(2, 3, 2)),
    Case(rand_normal(7), target=rand_normal(7)),
    Case(rand_normal(50, 20), target=rand_normal(50, 20), symbolic=False),
]

# Realistic size for benchmarks/ (never checked): a regression head, batch 256 x 1000 outputs.
BENCHMARK = Case(rand_normal(256, 1000), target=rand_normal(256, 1000), symbolic=False)
