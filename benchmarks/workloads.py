"""What a benchmark runs: every registered layer at its realistic size, in a given dtype.

A layer module states its realistic size as ``BENCHMARK = Case(...)``; a layer without one
falls back to its largest registered case (by input elements), so a new layer is benchmarked
with no edit here (and ``tests/test_benchmark_sizes.py`` asks it for a ``BENCHMARK``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from gradcheck.cases import Case
from gradcheck.registry import get_layer

DTYPES = ("float32", "float64")


def benchmark_case(name: str) -> Case:
    """The layer's ``BENCHMARK`` case, or else its largest registered case."""
    layer = get_layer(name)
    case = getattr(layer.module, "BENCHMARK", None)
    if case is not None:
        return case
    return max(layer.cases, key=lambda c: sum(int(np.prod(d.shape)) for d in c.inputs))


@dataclass
class Workload:
    """One layer's inputs, hyperparameters and output gradient, ready to time."""

    name: str
    forward: Callable[..., tuple[np.ndarray, Any]]
    backward: Callable[..., tuple[np.ndarray, ...]]
    inputs: list[np.ndarray]
    hyper: dict[str, Any]
    grad_output: np.ndarray
    torch_reference: Callable[..., Any] | None

    def run_forward(self) -> tuple[np.ndarray, Any]:
        return self.forward(*self.inputs, **self.hyper)

    def run_forward_backward(self) -> tuple[np.ndarray, ...]:
        _, cache = self.forward(*self.inputs, **self.hyper)
        return self.backward(self.grad_output, cache)

    @property
    def elements(self) -> int:
        return sum(a.size for a in self.inputs)


def _cast(value: Any, dtype: np.dtype) -> Any:
    """Float hyperparameters (soft targets) follow the inputs' dtype; integers and masks stay."""
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return value.astype(dtype)
    return value


def workload(name: str, dtype: str = "float64", case: Case | None = None, seed: int = 0):
    """The layer ``name`` at ``case`` (default: its benchmark case) with inputs in ``dtype``."""
    module = get_layer(name).module
    case = benchmark_case(name) if case is None else case
    raw, hyper = case.sample(seed)
    inputs = [a.astype(dtype) for a in raw]
    hyper = {k: _cast(v, np.dtype(dtype)) for k, v in hyper.items()}
    output, _ = module.forward(*inputs, **hyper)
    rng = np.random.default_rng(seed + 1)
    grad_output = np.asarray(rng.standard_normal(np.shape(output)), dtype=dtype)
    return Workload(
        name,
        module.forward,
        module.backward,
        inputs,
        hyper,
        grad_output,
        getattr(module, "torch_reference", None),
    )
