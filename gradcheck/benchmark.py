"""``python -m gradcheck bench``: every layer of a collection timed at its realistic size.

A layer module states its realistic size as ``BENCHMARK = Case(...)``; a layer without one
falls back to its largest registered case (by input elements), so a new layer is benchmarked
with no edit.  Forward and forward+backward are timed in float32 and float64, beside the
layer's ``torch_reference`` (forward, then ``torch.autograd.grad``) where torch is installed,
with as many threads as NumPy's BLAS.  It measures and reports: a time is never asserted.
Each figure is the best of ``repeat`` interleaved samples, so that a burst of load from
elsewhere slows both sides alike; on a shared machine read the ratios, not the times.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

from gradcheck.cases import Case
from gradcheck.collection import Collection
from gradcheck.registry import get_layer

DTYPES = ("float32", "float64")
SETTLE = 0.1  # seconds: torch's OpenMP threads spin ~10 ms after a call, OpenBLAS's too


def benchmark_case(name: str, collection: Collection | None = None) -> Case:
    """The layer's ``BENCHMARK`` case, or else its largest registered case."""
    layer = get_layer(name, collection)
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


def workload(
    name: str,
    dtype: str = "float64",
    case: Case | None = None,
    seed: int = 0,
    collection: Collection | None = None,
) -> Workload:
    """The layer ``name`` at ``case`` (default: its benchmark case) with inputs in ``dtype``."""
    module = get_layer(name, collection).module
    case = benchmark_case(name, collection) if case is None else case
    raw, hyper = case.sample(seed)
    inputs = [a.astype(dtype) for a in raw]
    hyper = {k: _cast(v, np.dtype(dtype)) for k, v in hyper.items()}
    output, _ = module.forward(*inputs, **hyper)
    rng = np.random.default_rng(seed + 1)
    grad_output = np.asarray(rng.standard_normal(np.shape(output)), dtype=dtype)
    reference = getattr(module, "torch_reference", None)
    return Workload(name, module.forward, module.backward, inputs, hyper, grad_output, reference)


def best_times(runs: Sequence[Callable[[], object]], repeat: int, min_seconds=0.02) -> list[float]:
    """Minimum over ``repeat`` samples of the time of one call of each run (noisy machines).

    The runs' samples are interleaved, so that a burst of load from elsewhere slows all of
    them alike, with a pause of ``SETTLE`` before each: the threads of the library that ran
    last keep spinning on the cores for a while (measured: a NumPy product right after a
    torch call takes 3x as long).  A sample times enough calls back to back to last
    ``min_seconds`` (short kernels are not measured at the timer's resolution); garbage
    collection is off meanwhile.
    """
    calls = []
    for run in runs:
        run()  # warm up: first-touch page faults, lazy imports, BLAS thread start-up
        start = time.perf_counter()
        run()
        calls.append(max(1, int(min_seconds / max(time.perf_counter() - start, 1e-9))))
    best = [float("inf")] * len(runs)
    enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeat):
            for k, (run, count) in enumerate(zip(runs, calls, strict=True)):
                if len(runs) > 1:
                    time.sleep(SETTLE)
                start = time.perf_counter()
                for _ in range(count):
                    run()
                best[k] = min(best[k], (time.perf_counter() - start) / count)
    finally:
        if enabled:
            gc.enable()
    return best


def best_time(run: Callable[[], object], repeat: int, min_seconds: float = 0.02) -> float:
    """:func:`best_times` of a single run."""
    return best_times([run], repeat, min_seconds)[0]


@dataclass
class TorchSide:
    """The torch column: each layer's ``torch_reference`` run forward and backward."""

    torch: ModuleType

    @classmethod
    def load(cls, threads: int) -> TorchSide | None:
        """torch with ``threads`` intra-op threads, or None where it is not installed."""
        try:
            import torch
        except ImportError:
            return None
        torch.set_num_threads(threads)
        return cls(torch)

    @property
    def version(self) -> str:
        return f"{self.torch.__version__}, {self.torch.get_num_threads()} threads"

    def run(self, w: Workload) -> Callable[[], object] | None:
        """Forward+backward of the layer's torch twin, None if it has none."""
        if w.torch_reference is None:
            return None
        torch = self.torch
        tensors = [torch.from_numpy(a.copy()).requires_grad_() for a in w.inputs]
        grad_output = torch.from_numpy(w.grad_output.copy())

        def run():
            output = w.torch_reference(*tensors, **w.hyper)
            return torch.autograd.grad(output, tensors, grad_output, allow_unused=True)

        return run


def table(
    names: Sequence[str],
    collection: Collection,
    *,
    repeat: int = 5,
    dtypes: Sequence[str] = DTYPES,
    torch_side: TorchSide | None = None,
) -> list[list[str]]:
    """One row per layer and dtype: size, forward ms, forward+backward ms, torch ms, ratio."""
    rows = []
    for dtype in dtypes:
        for name in names:
            w = workload(name, dtype, collection=collection)
            twin = torch_side.run(w) if torch_side else None
            forward = best_time(w.run_forward, repeat)
            if twin is None:
                both, theirs = best_time(w.run_forward_backward, repeat), None
            else:
                both, theirs = best_times([w.run_forward_backward, twin], repeat)
            size = " ".join("x".join(map(str, a.shape)) for a in w.inputs)
            rows.append(
                [name, dtype, size, f"{forward * 1e3:.3g}", f"{both * 1e3:.3g}"]
                + ([f"{theirs * 1e3:.3g}", f"{both / theirs:.2f}"] if theirs else ["-", "-"])
            )
    return rows
