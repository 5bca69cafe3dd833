"""Softplus, as ``torch.nn.functional.softplus``: y = log(1 + exp(β x)) / β, linear above
a threshold.

    y = log(1 + exp(β x)) / β      where β x ≤ threshold
    y = x                          where β x > threshold     (β = beta, default 1; threshold 20)

Above the threshold the two differ by less than exp(-threshold) / β, so torch switches to the
identity there: y and its slope jump by that much at β x = threshold (cases keep away from it).
exp is taken of min(β x, threshold) only, so it never overflows.  Backward, with g = ∂L/∂y and
σ the sigmoid, saved from the forward::

    ∂L/∂x = g · σ(β x)             where β x ≤ threshold
    ∂L/∂x = g                      where β x > threshold
"""

import numpy as np

from gradcheck.cases import Case, Draw, rand_normal


def forward(x: np.ndarray, *, beta: float = 1.0, threshold: float = 20.0):
    z = beta * x
    linear = z > threshold
    y = np.where(linear, x, np.log1p(np.exp(np.minimum(z, threshold))) / beta)
    e = np.abs(z)
    np.negative(e, out=e)
    np.exp(e, out=e)  # ≤ 1: σ(z) without overflow on either side
    # σ's numerator (1 or e) and then the slope (σ or 1 above the threshold) as exact maxima
    # (e ≤ 1, σ ≤ 1): np.where branches per element, ~10x slower on random signs
    slope = np.empty_like(e)
    np.greater_equal(z, 0, out=slope, casting="unsafe")
    np.maximum(slope, e, out=slope)
    e += 1.0
    slope /= e
    np.maximum(slope, linear, out=slope)
    return y, slope


def backward(grad_output: np.ndarray, slope: np.ndarray) -> tuple[np.ndarray]:
    return (grad_output * slope,)


def torch_reference(x, *, beta=1.0, threshold=20.0):
    import torch.nn.functional as F

    return F.softplus(x, beta=beta, threshold=threshold)


def _around(threshold: float, *shape: int) -> Draw:
    """Values 0.1 to 2 on either side of x = threshold: both branches, never the jump."""
    return Draw(
        "around_threshold",
        shape,
        lambda rng, s: threshold + rng.choice([-1.0, 1.0], s) * rng.uniform(0.1, 2.0, s),
    )


CASES = [
    Case(rand_normal(2, 3)),
    Case(rand_normal(1, 7)),  # batch 1
    Case(rand_normal(2, 3, 2)),  # 3-D input
    Case(rand_normal(3, 4, scale=2.0), beta=2.0),
    Case(_around(2.0, 2, 3), beta=0.5, threshold=1.0, name="2x3-beta0.5-both-sides"),
    Case(_around(1.0, 3, 4), threshold=1.0, name="3x4-both-sides-of-threshold1"),
    Case(rand_normal(2, 3, offset=25.0), name="2x3-above-threshold"),  # the identity branch
    Case(rand_normal(2, 3, offset=-30.0), name="2x3-tail-30"),  # y ~ 1e-13: log1p keeps it
    Case(rand_normal(64, 33, scale=3.0), symbolic=False),
]

# Realistic size for benchmarks/ (never checked): a transformer MLP's hidden activations.
BENCHMARK = Case(rand_normal(256, 4096), symbolic=False)
