"""Large inputs, no derivation: random projections in a bounded number of forward calls."""

import functools

import numpy as np
import pytest

import layers.softmax
from gradcheck import check

SIZES = [
    pytest.param((250, 200), id="50k"),
    pytest.param((1000, 1000), id="1M", marks=pytest.mark.slow),
]


def counting(forward):
    calls = []

    @functools.wraps(forward)  # keeps the parameter names the report uses
    def counted(*inputs):
        calls.append(1)
        return forward(*inputs)

    return counted, calls


@pytest.mark.parametrize("shape", SIZES)
def test_large_inputs_are_checked_by_projection_in_few_forward_calls(shape):
    x = np.random.default_rng(0).standard_normal(shape)
    forward, calls = counting(layers.softmax.forward)
    report = check(forward, layers.softmax.backward, [x])
    assert report.passed, str(report)
    assert "random input directions" in report.method
    assert len(calls) < 100  # element-wise differences would need 6 per element


@pytest.mark.parametrize("shape", SIZES)
def test_one_wrong_element_among_many_is_located(shape):
    x = np.random.default_rng(0).standard_normal(shape)
    wrong = (shape[0] // 2 - 2, shape[1] // 3 + 1)

    def backward_wrong_at_one_element(grad_output, cache):
        (grad,) = layers.softmax.backward(grad_output, cache)
        grad[wrong] *= 1.5
        return (grad,)

    forward, calls = counting(layers.softmax.forward)
    report = check(forward, backward_wrong_at_one_element, [x])
    assert not report.passed
    worst = report.failures[0]
    assert (worst.blame, worst.input, worst.index) == ("backward", "x", wrong)
    assert len(calls) < 200  # bisection: 6 calls per level, 20 levels
