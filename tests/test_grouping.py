"""Grouped finite differences (Curtis–Powell–Reid) agree with one difference per element."""

import functools
from functools import partial

import numpy as np
import pytest

import layers.dense
import layers.relu
from gradcheck import check
from gradcheck.grouping import column_groups, grouped_differences
from gradcheck.numeric import central_differences
from gradcheck.projection import Projector
from gradcheck.registry import get_layer, layer_names

FIRST_CASES = [(name, get_layer(name).cases[0]) for name in layer_names()]


def test_groups_never_share_an_output():
    pattern = np.random.default_rng(0).random((30, 40)) < 0.1
    groups = column_groups(pattern)
    assert sorted(np.concatenate(groups)) == list(range(40))
    for group in groups:
        assert pattern[:, group].sum(axis=1).max() <= 1


@pytest.mark.parametrize("name, case", FIRST_CASES, ids=[n for n, _ in FIRST_CASES])
def test_grouped_matches_elementwise_on_every_layer(name, case):
    layer = get_layer(name)
    inputs, hyper = case.sample(seed=3)
    forward = partial(layer.module.forward, **hyper)
    output, cache = forward(*inputs)
    m = np.size(output)
    probes = np.eye(m)

    def f(xs):
        return np.asarray(forward(*xs)[0], dtype=np.float64).reshape(-1)

    closed = [np.empty((m,) + np.shape(a)) for a in inputs]
    for p in range(m):
        for block, grad in zip(
            closed, layer.module.backward(probes[p].reshape(np.shape(output)), cache), strict=True
        ):
            block[p] = grad
    pattern = np.concatenate([c.reshape(m, -1) != 0 for c in closed], axis=1)
    grouped, unexplained = grouped_differences(
        Projector(f, inputs, probes, 1e-3),
        pattern,
        [np.shape(a) for a in inputs],
        column_groups(pattern),
    )
    single = central_differences(f, inputs, probes)
    assert not unexplained
    for g, s, gb, sb in zip(
        grouped.value, single.value, grouped.budget, single.budget, strict=True
    ):
        assert np.all(np.abs(g - s) <= gb + sb), name


def counted(forward):
    calls = []

    @functools.wraps(forward)
    def wrapper(*inputs):
        calls.append(1)
        return forward(*inputs)

    return wrapper, calls


def test_an_element_wise_layer_needs_one_group_not_one_difference_per_element():
    x = np.random.default_rng(1).choice([-1.0, 1.0], (6, 8)) * np.random.default_rng(2).uniform(
        0.1, 1, (6, 8)
    )
    forward, calls = counted(layers.relu.forward)
    report = check(forward, layers.relu.backward, [x])
    assert report.passed, str(report)
    assert "1 group of elements" in report.method
    # one difference per element would take 6 × 48; the check's fixed calls (contract, noise,
    # precision, stale state) are about 15, and one group takes 6
    assert len(calls) < 30


def test_a_dependency_the_backward_denies_is_located_element_by_element():
    rng = np.random.default_rng(4)
    x, w, b = rng.standard_normal((2, 3)), rng.standard_normal((4, 3)), rng.standard_normal(4)

    def forgets_a_weight_column(grad_output, cache):
        dx, dw, db = layers.dense.backward(grad_output, cache)
        dw[:, 1] = 0.0  # as if W[:, 1] did not feed the output
        return dx, dw, db

    report = check(layers.dense.forward, forgets_a_weight_column, [x, w, b])
    assert not report.passed and report.blame == "backward"
    # groups trusted the wrong sparsity; the re-check one element at a time names W[:, 1]
    assert "one element at a time after a failure" in report.method
    assert {(f.input, f.index[1]) for f in report.failures} == {("weight", 1)}, str(report)


def test_an_output_no_element_owns_is_caught():
    # Zeroing one gradient puts that element in everyone's group; its output then moves with no
    # owner, and only the unexplained-output check stands between this bug and a pass.
    x = np.array([[0.5, -0.3, 0.8], [0.9, -0.7, 0.4]])

    def forgets_one_element(grad_output, positive):
        (grad,) = layers.relu.backward(grad_output, positive)
        grad[1, 2] = 0.0
        return (grad,)

    report = check(layers.relu.forward, forgets_one_element, [x])
    assert not report.passed
    assert [(f.input, f.index) for f in report.failures] == [("x", (1, 2))], str(report)
