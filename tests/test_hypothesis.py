"""Property: the registered shape-juggling layers pass three ways at any geometry they accept.

Hypothesis draws shapes and hyperparameters (strides, paddings, dilations, pairs, odd and
non-square sizes, broadcast batch axes, causal masks) within SymPy's budget; the values come
from a seeded generator.  Every draw is checked against ``bind(derivation, **hyper)`` and finite
differences, and must pass with no kink reported: these layers are smooth at their samples.
Examples are derandomised so that CI sees the same ones every run.
"""

from functools import partial

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

from gradcheck import bind, check, get_layer

DETERMINISTIC = settings(
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
SLOW_FACTOR = 6  # the slow variants draw this many times more examples
seeds = st.integers(0, 2**16)
# (N, C): one or two image planes in all; 2x2 planes of 5x5 cost SymPy 10-20 s each, cold
planes = st.sampled_from([(1, 1), (1, 2), (2, 1)])


def assert_three_way_pass(name: str, inputs: list[np.ndarray], **hyper) -> None:
    layer = get_layer(name)
    report = check(
        partial(layer.module.forward, **hyper),
        layer.module.backward,
        inputs,
        bind(layer.derivation, **hyper),
        names=layer.input_names,
        name=f"{name}{hyper}",
    )
    assert report.passed, f"{[a.shape for a in inputs]}\n{report}"
    assert "backward~symbolic" in report.errors, f"the symbolic leg did not run\n{report}"
    assert not report.kinks, f"a smooth sample reported as a kink\n{report}"


def _maybe_pair(draw, values: tuple[int, int]):
    """An int when both axes agree and Hypothesis says so, else the pair."""
    if values[0] == values[1] and draw(st.booleans()):
        return values[0]
    return values


@st.composite
def conv_geometry(draw):
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    # the dilated kernel must fit the padded input
    size = tuple(
        draw(st.integers(max(1, d * (k - 1) + 1 - 2 * p), 5))
        for k, d, p in zip(kernel, dilation, padding, strict=True)
    )
    batch, channels = draw(planes)
    out = draw(st.integers(1, 2))
    hyper = {
        "stride": _maybe_pair(draw, stride),
        "padding": _maybe_pair(draw, padding),
        "dilation": _maybe_pair(draw, dilation),
    }
    return (batch, channels) + size, (out, channels) + kernel, hyper


@st.composite
def pool_geometry(draw):
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    # stride up to the kernel (below it: overlapping windows); torch wants padding ≤ kernel/2
    stride = tuple(draw(st.integers(1, k)) for k in kernel)
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    size = tuple(
        draw(st.integers(max(1, k - 2 * p), 5)) for k, p in zip(kernel, padding, strict=True)
    )
    shape = draw(planes) + size
    hyper = {"kernel_size": _maybe_pair(draw, kernel), "padding": _maybe_pair(draw, padding)}
    if stride != kernel or draw(st.booleans()):  # the default stride is the kernel
        hyper["stride"] = _maybe_pair(draw, stride)
    return shape, hyper


def distinct_values(shape: tuple[int, ...], seed: int) -> np.ndarray:
    """A shuffled grid 0.1 apart: no ties, so every window has one maximum."""
    n = int(np.prod(shape))
    grid = (np.arange(n) - n / 2) * 0.1
    return np.random.default_rng(seed).permutation(grid).reshape(shape)


@st.composite
def matmul_shapes(draw):
    n, k, m = draw(st.integers(1, 3)), draw(st.integers(1, 4)), draw(st.integers(1, 3))
    # per batch axis, the two operands' sizes: equal, or one of them stretched from 1
    axes = draw(st.lists(st.sampled_from([(2, 2), (1, 2), (2, 1), (1, 1)]), max_size=2))
    batch_a, batch_b = tuple(p for p, _ in axes), tuple(q for _, q in axes)
    # broadcasting also prepends axes: one operand may lack the leading ones
    dropped = draw(st.integers(0, len(axes)))
    if draw(st.booleans()):
        batch_a = batch_a[dropped:]
    else:
        batch_b = batch_b[dropped:]
    kind_a, kind_b = (
        draw(st.sampled_from(["matrix", "matrix", "vector"])),
        draw(st.sampled_from(["matrix", "matrix", "vector"])),
    )
    a = (k,) if kind_a == "vector" else batch_a + (n, k)
    b = (k,) if kind_b == "vector" else batch_b + (k, m)
    assume(max(np.prod(a), np.prod(b)) <= 24)
    return a, b


@st.composite
def attention_shapes(draw):
    t_q, t_k = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    d, d_v = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    batches = draw(mutually_broadcastable_shapes(num_shapes=3, max_dims=2, max_side=2)).input_shapes
    # at most two batch entries after broadcasting: SymPy's cost grows with every query row
    if int(np.prod(np.broadcast_shapes(*batches))) > 2:
        batches = draw(
            st.sampled_from([((2,), (1,), (2,)), ((1, 2), (2,), (1, 1, 1)), ((), (), ())])
        )
    shapes = (batches[0] + (t_q, d), batches[1] + (t_k, d), batches[2] + (t_k, d_v))
    return shapes, draw(st.booleans())


def normal(shapes, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s) for s in shapes]


def conv2d_case(geometry, seed) -> None:
    x_shape, w_shape, hyper = geometry
    x, weight, bias = normal([x_shape, w_shape, w_shape[:1]], seed)
    assert_three_way_pass("conv2d", [x, weight, bias], **hyper)


def max_pool2d_case(geometry, seed) -> None:
    shape, hyper = geometry
    assert_three_way_pass("max_pool2d", [distinct_values(shape, seed)], **hyper)


def avg_pool2d_case(geometry, seed) -> None:
    shape, hyper = geometry
    assert_three_way_pass("avg_pool2d", normal([shape], seed), **hyper)


def matmul_case(shapes, seed) -> None:
    assert_three_way_pass("matmul", normal(shapes, seed))


def attention_case(drawn, seed) -> None:
    shapes, causal = drawn
    assert_three_way_pass("attention", normal(shapes, seed), causal=causal)


# (property, strategy, examples): each within ~10 s with a cold symbolic cache on 2 cores;
# matmul's SymPy leg is cheap, so it gets more draws
PROPERTIES = [
    (conv2d_case, conv_geometry(), 15),
    (max_pool2d_case, pool_geometry(), 15),
    (avg_pool2d_case, pool_geometry(), 15),
    (matmul_case, matmul_shapes(), 80),
    (attention_case, attention_shapes(), 15),
]
IDS = [case.__name__.removesuffix("_case") for case, _, _ in PROPERTIES]


def run_property(case, strategy, examples: int) -> None:
    settings(DETERMINISTIC, max_examples=examples)(given(strategy, seeds)(case))()


@pytest.mark.parametrize("case, strategy, examples", PROPERTIES, ids=IDS)
def test_layer_passes_three_ways_at_drawn_geometries(case, strategy, examples):
    run_property(case, strategy, examples)


@pytest.mark.slow
@pytest.mark.parametrize("case, strategy, examples", PROPERTIES, ids=IDS)
def test_layer_passes_three_ways_at_many_drawn_geometries(case, strategy, examples):
    run_property(case, strategy, SLOW_FACTOR * examples)
