"""Every layer states a realistic size for the benchmarks (``BENCHMARK = Case(...)``).

benchmarks/ falls back to the largest registered case, which is sized for checking, not for
timing; this test makes a new layer say what a real workload of it looks like.
"""

import math

import pytest

from gradcheck.cases import Case
from gradcheck.registry import get_layer, layer_names


def _elements(case: Case) -> int:
    return sum(math.prod(d.shape) for d in case.inputs)


@pytest.mark.parametrize("name", layer_names())
def test_layer_states_a_benchmark_size(name):
    module = get_layer(name).module
    case = getattr(module, "BENCHMARK", None)
    assert isinstance(case, Case), (
        f"layers/{name}.py has no BENCHMARK = Case(...) of a realistic size: add one, e.g. "
        f"BENCHMARK = Case(rand_normal(256, 1024), symbolic=False) (see layers/dense.py)"
    )
    assert not case.symbolic, f"{name}: mark BENCHMARK symbolic=False, it is never checked"
    assert len(case.inputs) == len(module.CASES[0].inputs), (
        f"{name}: BENCHMARK has {len(case.inputs)} inputs, the layer takes "
        f"{len(module.CASES[0].inputs)}"
    )
    known = set().union(*(c.hyper for c in module.CASES))
    assert set(case.hyper) <= known, (
        f"{name}: BENCHMARK passes {sorted(set(case.hyper) - known)}, which no case uses"
    )
    largest = max(_elements(c) for c in module.CASES)
    assert _elements(case) > largest, (
        f"{name}: BENCHMARK ({_elements(case)} input elements) is no larger than the "
        f"registered cases ({largest}): benchmark a realistic size"
    )
