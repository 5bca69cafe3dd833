"""Registered cases: the shapes, hyperparameters and input domains a layer is checked at.

A layer module lists its cases in ``CASES``; each case mirrors the layer's signature::

    CASES = [Case(rand_normal(2, 3), rand_normal(4, 3), rand_normal(4))]
    CASES = [Case(rand_normal(3, 5), axis=-1)]
    CASES = [Case(rand_normal(4, 5), target=rand_int(5, 4))]

Positional arguments are the differentiable inputs, drawn from a named domain; keyword
arguments are hyperparameters, either fixed values or draws (targets, masks).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

Shape = tuple[int, ...]


@dataclass(frozen=True)
class Draw:
    """An array of a given shape drawn from a named domain."""

    domain: str
    shape: Shape
    sampler: Callable[[np.random.Generator, Shape], np.ndarray]

    def __call__(self, rng: np.random.Generator) -> np.ndarray:
        return np.asarray(self.sampler(rng, self.shape))


def rand_normal(*shape: int, scale: float = 1.0, offset: float = 0.0) -> Draw:
    """Normal values with mean ``offset`` and standard deviation ``scale``."""
    return Draw("normal", shape, lambda rng, s: offset + scale * rng.standard_normal(s))


def rand_positive(*shape: int) -> Draw:
    """Uniform on [0.5, 2]: scales, variances, probabilities before normalising."""
    return Draw("positive", shape, lambda rng, s: rng.uniform(0.5, 2.0, s))


def rand_away_from_zero(*shape: int, margin: float = 0.05) -> Draw:
    """|x| uniform on [margin, 1 + margin] with a random sign: keeps a kink at 0 out of reach
    of every finite-difference step."""
    return Draw(
        "away_from_zero",
        shape,
        lambda rng, s: rng.choice([-1.0, 1.0], s) * rng.uniform(margin, 1.0 + margin, s),
    )


def rand_distinct(*shape: int, gap: float = 0.05) -> Draw:
    """A shuffled grid of values at least ``gap`` apart: no ties, so max and sorting are smooth."""

    def sample(rng: np.random.Generator, s: Shape) -> np.ndarray:
        n = int(np.prod(s))
        values = (np.arange(n) - n / 2) * gap + rng.uniform(0, gap / 4, n)
        return rng.permutation(values).reshape(s)

    return Draw("distinct", shape, sample)


def rand_probabilities(*shape: int) -> Draw:
    """Positive rows summing to one along the last axis."""

    def sample(rng: np.random.Generator, s: Shape) -> np.ndarray:
        p = rng.uniform(0.2, 1.0, s)
        return p / p.sum(axis=-1, keepdims=True)

    return Draw("probabilities", shape, sample)


def rand_unit_interval(*shape: int) -> Draw:
    """Uniform on [0.05, 0.95]: soft targets, probabilities kept off 0 and 1."""
    return Draw("unit_interval", shape, lambda rng, s: rng.uniform(0.05, 0.95, s))


def rand_int(high: int, *shape: int) -> Draw:
    """Integers in [0, high): class targets, embedding indices."""
    return Draw("int", shape, lambda rng, s: rng.integers(0, high, s))


def rand_mask(*shape: int, keep: float = 0.5) -> Draw:
    """Booleans, True with probability ``keep``: dropout masks."""
    return Draw("mask", shape, lambda rng, s: rng.random(s) < keep)


def _label(value: Any) -> str:
    if isinstance(value, tuple | list):
        return "x".join(str(v) for v in value)
    return str(value)


class Case:
    """One sample configuration of a layer: input draws, then hyperparameters.

    ``symbolic=False`` marks shapes too large for SymPy; they are checked against finite
    differences only.  ``at_kink=True`` marks a case that samples a non-differentiable point on
    purpose (relu at 0): the check must report kinks there, and must report none elsewhere.
    ``name`` overrides the readable id built from shapes and hyperparameters.
    """

    def __init__(
        self,
        *inputs: Draw,
        symbolic: bool = True,
        at_kink: bool = False,
        name: str | None = None,
        **hyper: Any,
    ):
        if not inputs or not all(isinstance(d, Draw) for d in inputs):
            raise TypeError(
                "Case(...) takes the differentiable inputs as draws, e.g. rand_normal(2, 3)"
            )
        self.inputs = inputs
        self.hyper = hyper
        self.symbolic = symbolic
        self.at_kink = at_kink
        self.name = name

    @property
    def id(self) -> str:
        if self.name:
            return self.name
        parts = ["x".join(map(str, d.shape)) or "scalar" for d in self.inputs]
        parts += [f"{k}{_label(v)}" for k, v in self.hyper.items() if not isinstance(v, Draw)]
        return "-".join(parts)

    def sample(self, seed: int = 0) -> tuple[list[np.ndarray], dict[str, Any]]:
        """Draw the inputs and any random hyperparameters from one seeded generator."""
        rng = np.random.default_rng(seed)
        inputs = [np.asarray(d(rng), dtype=np.float64) for d in self.inputs]
        hyper = {k: v(rng) if isinstance(v, Draw) else v for k, v in self.hyper.items()}
        return inputs, hyper

    def __repr__(self) -> str:
        return f"Case({self.id})"
