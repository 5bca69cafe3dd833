"""A layer that breaks the contract gets a failed report naming the problem; a wrong call to
``check`` gets a TypeError/ValueError saying how to call it.  Never a traceback from NumPy."""

import functools
import math

import numpy as np
import pytest

import derivations.softmax
import layers.dense
import layers.softmax
from gradcheck import check
from gradcheck.arguments import validate_call
from gradcheck.formula import elementwise

X = np.random.default_rng(3).standard_normal((2, 3))
W = np.random.default_rng(4).standard_normal((4, 3))
B = np.zeros(4)


def forward(x):
    return 2.0 * x, None


def backward_returning(value):
    return lambda grad_output, cache: value(grad_output)


def forward_raising(x):
    raise RuntimeError("shapes do not match")


def forward_returning_none(x):
    return None


def forward_mutating_input(x):
    x *= 2.0
    return x.copy(), None


_draws = np.random.default_rng(0)


def forward_nondeterministic(x):
    mask = _draws.random(x.shape) > 0.5  # a new dropout mask every call
    return x * mask, mask


def backward_mutating_grad_output(grad_output, cache):
    grad_output *= 2.0
    return (grad_output,)


def backward_mutating_cache(grad_output, cache):
    grads = layers.softmax.backward(grad_output, cache)
    y, axis = cache
    y *= 0.0  # the next call computes from zeros
    return grads


def backward_raising(grad_output, cache):
    raise ValueError("operands could not be broadcast together")


BROKEN = [
    (forward_raising, lambda g, c: (g,), "forward", "forward raised RuntimeError"),
    (forward_returning_none, lambda g, c: (g,), "forward", "must return (output, cache)"),
    (forward_mutating_input, lambda g, c: (2 * g,), "forward", "modified its input 'x'"),
    (forward_nondeterministic, lambda g, c: (g * c,), "forward", "not a deterministic"),
    (forward, backward_raising, "backward", "backward raised ValueError"),
    (forward, backward_returning(lambda g: None), "backward", "tuple with one gradient"),
    (forward, backward_returning(lambda g: 2 * g), "backward", "return (dx,)"),
    (forward, backward_returning(lambda g: (g, g)), "backward", "2 gradients for 1 inputs"),
    (forward, backward_returning(lambda g: (g[:1],)), "backward", "has shape (1, 3)"),
    (forward, backward_returning(lambda g: (g * np.nan,)), "backward", "not finite"),
    (forward, backward_returning(lambda g: (None,)), "backward", "is None"),
    (forward, backward_returning(lambda g: (g.astype(int),)), "backward", "must be floats"),
    (forward, backward_mutating_grad_output, "backward", "modified grad_output"),
    (layers.softmax.forward, backward_mutating_cache, "backward", "modified the cache"),
]


@pytest.mark.parametrize(
    "forward_fn, backward_fn, blame, message",
    BROKEN,
    ids=[message for *_, message in BROKEN],
)
def test_a_broken_layer_fails_with_a_message_naming_the_problem(
    forward_fn, backward_fn, blame, message
):
    report = check(forward_fn, backward_fn, [X.copy()])
    assert not report.passed
    assert report.failures[0].blame == blame
    assert message in str(report)


def test_gradients_in_the_wrong_order_are_named():
    def swapped(grad_output, cache):
        dx, dw, db = layers.dense.backward(grad_output, cache)
        return dw, dx, db

    report = check(layers.dense.forward, swapped, [X, W, B])
    assert "are the gradients in input order?" in str(report)


def test_a_derivation_that_calls_numpy_on_symbols_is_told_to_use_sympy():
    def expressions(x):
        exps = np.exp(x)  # NumPy on an object array of symbols
        return exps / exps.sum(axis=-1, keepdims=True)

    report = check(layers.softmax.forward, layers.softmax.backward, [X], expressions)
    assert report.blame == "derivation"
    assert "sympy.exp" in str(report)


EXPECTED = "expressions() must return a NumPy object array of SymPy expressions"
USE_SYMPY = "use SymPy functions such as sympy.exp, sympy.tanh and sympy.Piecewise on symbols"
MISUSED = [
    (lambda x: None, f"{EXPECTED} with the layer's output shape; it returned None"),
    (lambda x: "2 * x", f"{EXPECTED} with the layer's output shape; it returned str '2 * x'"),
    (lambda x: [list(2 * x[0]), [None] * 3], "its element [1, 0] is None"),
    (lambda x: elementwise(math.tanh, x), f"float() need numbers: {USE_SYMPY}"),
    (lambda x: np.where(x > 0, x, 0), f"need a comparison that is true or false: {USE_SYMPY}"),
    (lambda x: np.tanh(x), f"NumPy's functions need numbers: {USE_SYMPY}"),
    (lambda x: undefined(x), "name 'undefined' is not defined (at tests/test_contract.py:"),  # noqa: F821
]


@pytest.mark.parametrize(
    "expressions, message",
    MISUSED,
    ids=["none", "str", "none-element", "math.tanh", "np.where", "np.tanh", "undefined-name"],
)
def test_a_misused_derivation_is_blamed_with_a_message_saying_what_to_use(expressions, message):
    report = check(forward, lambda grad_output, cache: (2.0 * grad_output,), [X], expressions)
    assert report.failures[0].blame == "derivation"
    assert message in str(report)


def test_a_derivation_of_the_wrong_shape_is_named():
    report = check(
        layers.softmax.forward,
        layers.softmax.backward,
        [X],
        lambda x: derivations.softmax.expressions(x).T,
    )
    assert report.blame == "derivation"
    assert "shape" in str(report)


@pytest.mark.parametrize(
    "args, error, message",
    [
        ((None, layers.softmax.backward, [X]), TypeError, "forward must be a function"),
        ((layers.softmax.forward, "backward", [X]), TypeError, "backward must be a function"),
        ((layers.softmax.forward, layers.softmax.backward, X), TypeError, "list of arrays"),
        ((layers.softmax.forward, layers.softmax.backward, []), ValueError, "no inputs"),
        (
            (layers.softmax.forward, layers.softmax.backward, [[[1.0, 2.0]]]),
            TypeError,
            "np.asarray",
        ),
        (
            (layers.softmax.forward, layers.softmax.backward, [np.ones((2, 3), int)]),
            ValueError,
            "astype",
        ),
        ((layers.softmax.forward, layers.softmax.backward, [np.ones((0, 3))]), ValueError, "empty"),
        ((layers.softmax.forward, layers.softmax.backward, [X * np.nan]), ValueError, "not finite"),
        (
            (layers.softmax.forward, layers.softmax.backward, [X], 3),
            TypeError,
            "derivation must be",
        ),
    ],
    ids=[
        "forward-not-callable",
        "backward-not-callable",
        "bare-array",
        "no-inputs",
        "nested-list",
        "int-array",
        "empty-array",
        "nan-input",
        "bad-derivation",
    ],
)
def test_calling_check_wrongly_raises_a_clear_error(args, error, message):
    with pytest.raises(error, match=message):
        check(*args)


def test_a_0d_input_is_a_valid_scalar_parameter():
    def scale(x, s):
        return x * s, (x, s)

    def scale_backward(grad_output, cache):
        x, s = cache
        return grad_output * s, np.sum(grad_output * x)

    report = check(scale, scale_backward, [X, np.float64(1.5)])
    assert report.passed, str(report)


def test_a_fortran_ordered_input_is_differenced_like_any_other():
    x_fortran = np.asfortranarray(np.random.default_rng(5).standard_normal((3, 2)))
    report = check(layers.dense.forward, layers.dense.backward, [x_fortran, W[:, :2], B])
    assert report.passed, str(report)


class Opaque:
    """A cache member with no == of its own: compared by what pickling keeps."""

    def __init__(self):
        self.calls = 0
        self.rng = np.random.default_rng(0)


def test_a_cache_object_without_equality_is_no_false_alarm_and_a_harmful_write_is_caught():
    def forward_with_object(x):
        return 2.0 * x, Opaque()

    def backward_reading(grad_output, cache):
        return (2.0 * grad_output,)

    def backward_counting(grad_output, cache):
        cache.calls += 1  # harmless: no later result depends on it
        return (2.0 * grad_output,)

    def backward_scaling_by_calls(grad_output, cache):
        cache.calls += 1
        return (grad_output * min(cache.calls, 2),)  # the first call differs from the rest

    assert check(forward_with_object, backward_reading, [X]).passed
    assert check(forward_with_object, backward_counting, [X]).passed
    report = check(forward_with_object, backward_scaling_by_calls, [X])
    assert "modified the cache" in str(report)


TARGET = np.ones((2, 3))


def forward_consuming_target(x, target, scale=1.0):
    target -= 1.0  # writes into the caller's bound array
    return scale * x * target, None


def forward_consuming_scale(scale, x):
    scale *= 2.0
    return scale * x, None


BOUND = [
    (functools.partial(forward_consuming_target, target=TARGET), "keyword argument 'target'"),
    (functools.partial(forward_consuming_scale, TARGET), "bound argument 'scale'"),
    (
        functools.partial(functools.partial(forward_consuming_target, target=TARGET), scale=2.0),
        "keyword argument 'target'",
    ),
]


@pytest.mark.parametrize("forward_fn, what", BOUND, ids=["keyword", "positional", "nested"])
def test_a_forward_writing_into_a_bound_array_is_named_not_called_nondeterministic(
    forward_fn, what
):
    report = check(forward_fn, lambda g, c: (g,), [X.copy()])
    assert report.failures[0].blame == "forward"
    assert f"forward modified its {what} in place; copy it before changing it" in str(report)
    assert "deterministic" not in str(report)
    np.testing.assert_array_equal(TARGET, 1.0)  # the caller's array is put back


@pytest.mark.parametrize(
    "output, got",
    [
        (np.ones((2, 3), np.int64), "got an int64 array; return floats"),
        (np.ones((2, 3), bool), "got a bool array; return floats"),
        ([[1.0] * 3] * 2, "got list"),
    ],
    ids=["int64", "bool", "list"],
)
def test_a_forward_output_that_is_not_floats_names_what_it_is(output, got):
    report = check(lambda x: (output, None), lambda g, c: (g,), [X])
    assert report.failures[0].blame == "forward"
    assert f"forward's output must be a float array, {got}" in str(report)


# check()'s own keywords: nonsense raises before any forward call, saying how to call it
OPTIONS = [
    ({"seed": -1}, ValueError, r"seed must be >= 0, got -1: check\(.*seed=0\)"),
    ({"seed": 1.5}, TypeError, r"seed must be an integer, got 1\.5"),
    ({"seed": True}, TypeError, r"seed must be an integer, got True"),
    ({"step": "1e-3"}, TypeError, r"step must be a number, got str '1e-3'.*step=1e-3"),
    ({"step": np.nan}, ValueError, r"0 < step <= 0\.1, got nan: it is relative"),
    ({"step": np.inf}, ValueError, r"0 < step <= 0\.1, got inf"),
    ({"step": 10}, ValueError, r"0 < step <= 0\.1, got 10"),
    ({"step": 0.0}, ValueError, r"0 < step <= 0\.1, got 0\.0"),
    ({"step": -1e-3}, ValueError, r"0 < step <= 0\.1, got -0\.001"),
    ({"max_elementwise": -1}, ValueError, r"max_elementwise must be >= 0, got -1"),
    ({"max_elementwise": "all"}, TypeError, r"max_elementwise must be an integer, got 'all'"),
]


@pytest.mark.parametrize(
    "keywords, error, message",
    OPTIONS,
    ids=[f"{k}={v!r}" for o, *_ in OPTIONS for k, v in o.items()],
)
def test_a_nonsense_seed_step_or_max_elementwise_raises_saying_how_to_call(
    keywords, error, message
):
    with pytest.raises(error, match=message):
        check(forward, forward, [X], **keywords)


def test_numpy_scalars_and_the_largest_step_are_accepted():
    options = {"seed": np.int64(3), "step": np.float32(1e-3), "max_elementwise": np.uint8(0)}
    arrays, _, _ = validate_call(forward, forward, [X], None, **options)
    np.testing.assert_array_equal(arrays[0], X)
    validate_call(forward, forward, [X], None, step=0.1)
