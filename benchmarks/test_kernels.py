"""pytest-benchmark: forward and backward of every registered layer, float32 and float64.

Sizes are each layer's ``BENCHMARK`` case (the largest registered case where a layer has
none), so a new layer is benchmarked with no edit here.  These measure and report; they never
assert a time.  Run from the repository root::

    pytest benchmarks/ --benchmark-only          # or: tox -e bench
"""

import pytest

from gradcheck.benchmark import DTYPES, benchmark_case, workload
from gradcheck.registry import layer_names

LAYERS = layer_names()


def _describe(benchmark, name: str, dtype: str) -> None:
    benchmark.group = name
    benchmark.extra_info["dtype"] = dtype
    benchmark.extra_info["case"] = benchmark_case(name).id


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", LAYERS)
def test_forward(benchmark, name, dtype):
    w = workload(name, dtype)
    _describe(benchmark, name, dtype)
    benchmark(w.run_forward)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", LAYERS)
def test_backward(benchmark, name, dtype):
    w = workload(name, dtype)
    _, cache = w.run_forward()
    _describe(benchmark, name, dtype)
    benchmark(w.backward, w.grad_output, cache)
