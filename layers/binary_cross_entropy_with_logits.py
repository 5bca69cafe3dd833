"""Binary cross-entropy on logits, as ``torch.nn.functional.binary_cross_entropy_with_logits``.

    L = (1/N) Σ_i [ log(1 + exp(x_i)) - x_i t_i ]          (mean over all N elements)

which is -[t log σ(x) + (1 - t) log(1 - σ(x))] without ever forming σ(x).  It is evaluated as
max(x, 0) - x t + log1p(exp(-|x|)): exp never overflows and log1p keeps the small tail term,
so logits of ±50 against hard targets stay exact where log(1 - σ(50)) = log(0) would not.
Backward, with g = ∂L/∂L (a scalar) and σ the sigmoid::

    ∂L/∂x_i = g (σ(x_i) - t_i) / N

σ(x) - t is saved by the forward, which has e = exp(-|x|) at hand.
Although the stable form contains |x| and max(x, 0), their kinks cancel: L is smooth at x = 0.
"""

import numpy as np

from gradcheck.cases import Case, Draw, rand_normal, rand_unit_interval


def rand_binary(*shape: int) -> Draw:
    """Hard targets: exactly 0.0 or 1.0."""
    return Draw("binary", shape, lambda rng, s: rng.integers(0, 2, s).astype(np.float64))


def rand_large(*shape: int) -> Draw:
    """|x| uniform on [30, 50] with a random sign: σ(x) rounds to 0 or 1 in float64."""
    return Draw("large", shape, lambda rng, s: rng.choice([-1.0, 1.0], s) * rng.uniform(30, 50, s))


def rand_with_zeros(*shape: int) -> Draw:
    """Normal values, every other one exactly 0: where |x| and max(x, 0) have their kinks."""

    def sample(rng: np.random.Generator, s: tuple[int, ...]) -> np.ndarray:
        x = rng.standard_normal(s)
        x.reshape(-1)[::2] = 0.0
        return x

    return Draw("normal_with_zeros", shape, sample)


def forward(logits: np.ndarray, *, target: np.ndarray):
    target = np.asarray(target, dtype=logits.dtype)
    e = np.abs(logits)
    np.negative(e, out=e)
    np.exp(e, out=e)  # e = exp(-|x|) ≤ 1: no overflow
    terms = np.zeros_like(e)
    np.maximum(logits, terms, out=terms)  # against an array: NumPy's SIMD loop
    terms -= logits * target
    terms += np.log1p(e)
    # σ(x) - t for the backward, with σ's numerator (1 or e) selected exactly as max(e, [x ≥ 0])
    # (np.where would branch per element): σ = 1/(1 + e) for x ≥ 0, e/(1 + e) below
    residual = np.empty_like(e)
    np.greater_equal(logits, 0, out=residual, casting="unsafe")
    np.maximum(residual, e, out=residual)
    e += 1.0
    residual /= e
    residual -= target
    return terms.mean(), residual


def backward(grad_output: np.ndarray, residual: np.ndarray) -> tuple[np.ndarray]:
    return ((grad_output / residual.size) * residual,)


def torch_reference(logits, *, target):
    import torch
    import torch.nn.functional as F

    return F.binary_cross_entropy_with_logits(logits, torch.as_tensor(target, dtype=logits.dtype))


CASES = [
    Case(rand_normal(4, 5), target=rand_unit_interval(4, 5), name="4x5-soft"),
    Case(rand_normal(4, 5), target=rand_binary(4, 5), name="4x5-hard"),
    Case(rand_normal(1, 6), target=rand_unit_interval(1, 6), name="1x6-soft"),
    # N counts every element (2·3·2), not the rows
    Case(rand_normal(2, 3, 2), target=rand_binary(2, 3, 2), name="2x3x2-hard"),
    # the naive form gives log(0) = -inf for x = ±40 against the opposite hard target
    Case(rand_large(3, 4), target=rand_binary(3, 4), name="3x4-logits30to50-hard"),
    Case(rand_large(2, 3), target=rand_unit_interval(2, 3), name="2x3-logits30to50-soft"),
    # smooth at 0 despite |x| and max(x, 0): no kink may be reported here
    Case(rand_with_zeros(2, 4), target=rand_unit_interval(2, 4), name="2x4-zeros-soft"),
    Case(
        rand_normal(64, 33, scale=3.0),
        target=rand_unit_interval(64, 33),
        symbolic=False,
        name="64x33-soft",
    ),
]

# Realistic size for benchmarks/ (never checked): 1000 independent labels, batch 256.
BENCHMARK = Case(
    rand_normal(256, 1000, scale=3.0), target=rand_unit_interval(256, 1000), symbolic=False
)
