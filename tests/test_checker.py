"""The checker checked: right layers pass, planted bugs fail with the right blame."""

from functools import partial

import numpy as np
import pytest

import derivations.dense
import derivations.mse_loss
import derivations.relu
import derivations.softmax
import derivations.tanh as derivations_tanh
import layers.dense
import layers.mse_loss
import layers.relu
import layers.softmax
from gradcheck import assert_gradients, bind, check

rng = np.random.default_rng(7)
X = rng.standard_normal((2, 3))
W_SQUARE = rng.standard_normal((3, 3))
B = rng.standard_normal(3)


def dense_transposed_weight(grad_output, cache):
    dx, dw, db = layers.dense.backward(grad_output, cache)
    return dx, dw.T, db  # a classic: right shape only because W is square


def softmax_diagonal_only(grad_output, cache):
    y, _axis = cache
    return (y * (1 - y) * grad_output,)  # keeps ∂y_i/∂x_i, drops every off-diagonal term


def mse_without_mean(grad_output, diff):
    return (grad_output * 2.0 * diff,)


def scaled(backward, factor):
    def wrong(grad_output, cache):
        return tuple(factor * g for g in backward(grad_output, cache))

    return wrong


def test_a_right_layer_passes_every_pair():
    report = check(layers.softmax.forward, layers.softmax.backward, [X], derivations.softmax)
    assert report.passed, str(report)
    assert set(report.errors) == {"backward~symbolic", "backward~numeric", "symbolic~numeric"}
    assert report.errors["backward~symbolic"] < 1e-12
    assert report.proof == "proved"


@pytest.mark.parametrize(
    "forward, backward, inputs, derivation",
    [
        (layers.dense.forward, dense_transposed_weight, [X, W_SQUARE, B], derivations.dense),
        (layers.softmax.forward, softmax_diagonal_only, [X], derivations.softmax),
        (
            partial(layers.mse_loss.forward, target=B[:2]),
            mse_without_mean,
            [X[0, :2]],
            bind(derivations.mse_loss, target=B[:2]),
        ),
    ],
    ids=["dense-transposed-weight-grad", "softmax-diagonal-jacobian", "mse-missing-1/N"],
)
@pytest.mark.parametrize("with_derivation", [True, False], ids=["three-way", "numeric-only"])
def test_classic_backward_bugs_blame_backward(
    forward, backward, inputs, derivation, with_derivation
):
    report = check(forward, backward, inputs, derivation if with_derivation else None)
    assert not report.passed
    assert {f.blame for f in report.failures} == {"backward"}, str(report)


class SignErrorInExpressions:
    """The SymPy twin describes -softmax: its forward no longer matches the layer's."""

    @staticmethod
    def expressions(x):
        return -derivations.softmax.expressions(x)


class SignErrorInFormula:
    """The closed index form has ``+ y_j`` where ``- y_j`` belongs."""

    expressions = staticmethod(derivations.softmax.expressions)

    @staticmethod
    def jacobian(x):
        (block,) = derivations.softmax.jacobian(x)
        y = derivations.softmax.expressions(x)
        n = x.shape[-1]
        for b in range(x.shape[0]):
            for i in range(n):
                for j in range(n):
                    block[b, i, b, j] = y[b, i] * (int(i == j) + y[b, j])
        return (block,)


@pytest.mark.parametrize("derivation", [SignErrorInExpressions, SignErrorInFormula])
def test_a_derivation_sign_error_blames_the_derivation(derivation):
    report = check(layers.softmax.forward, layers.softmax.backward, [X], derivation)
    assert not report.passed
    assert {f.blame for f in report.failures} == {"derivation"}, str(report)
    if derivation is SignErrorInFormula:
        assert report.proof == "disproved" and "closed index form: disproved" in str(report)


@pytest.mark.parametrize("factor", [1.001, 1 + 1e-6, 0.999999])
@pytest.mark.parametrize("with_derivation", [True, False], ids=["three-way", "numeric-only"])
def test_a_backward_off_by_a_tiny_factor_fails(factor, with_derivation):
    backward = scaled(layers.dense.backward, factor)
    derivation = derivations.dense if with_derivation else None
    report = check(layers.dense.forward, backward, [X, W_SQUARE, B], derivation)
    assert not report.passed
    assert report.blame == "backward"


def test_relu_at_exactly_zero_passes_and_reports_the_kinks():
    x = np.array([[-1.0, 0.0, 2.0], [0.0, 0.5, -0.25]])
    report = check(layers.relu.forward, layers.relu.backward, [x], derivations.relu)
    assert report.passed, str(report)
    assert sorted(k.index for k in report.kinks) == [(0, 1), (1, 0)]
    assert "kinks" in str(report)


def test_at_a_kink_backward_must_follow_the_derivations_convention():
    def relu_slope_one_at_zero(grad_output, positive_or_zero):
        return (np.where(positive_or_zero, grad_output, 0.0),)

    def forward(x):
        return np.maximum(x, 0.0), x >= 0

    x = np.array([[-1.0, 0.0, 2.0]])
    report = check(forward, relu_slope_one_at_zero, [x], derivations.relu)
    assert not report.passed
    assert report.blame == "backward"
    assert report.failures[0].index == (0, 1)


@pytest.mark.parametrize("with_derivation", [True, False], ids=["three-way", "numeric-only"])
def test_relu_just_beside_its_kink_is_no_false_alarm(with_derivation):
    # Steps that cross the kink at 0 blend both slopes: such elements must be reported as
    # kinks or judged at a step that does not cross it, never blamed on the backward.
    distances = np.geomspace(1e-7, 2e-3, 24)
    x = np.concatenate([distances, -distances, rng.standard_normal(12)]).reshape(6, 10)
    derivation = derivations.relu if with_derivation else None
    report = check(layers.relu.forward, layers.relu.backward, [x], derivation)
    assert report.passed, str(report)
    assert all(abs(x[k.index]) <= 2e-3 for k in report.kinks), str(report)


@pytest.mark.parametrize("slope_at_zero", [0.0, 0.5, 1.0])
def test_without_a_derivation_any_slope_between_the_one_sided_ones_passes(slope_at_zero):
    def relu_backward(grad_output, x):
        return (grad_output * np.where(x == 0, slope_at_zero, x > 0),)

    x = np.array([[-1.0, 0.0, 2.0], [0.0, 0.0, 0.0]])
    report = check(lambda x: (np.maximum(x, 0.0), x), relu_backward, [x])
    assert report.passed, str(report)
    assert len(report.kinks) == 4


@pytest.mark.parametrize("slope_at_zero", [5.0, -0.5, 1.01])
def test_without_a_derivation_a_slope_outside_the_one_sided_ones_fails(slope_at_zero):
    def relu_backward(grad_output, x):
        return (grad_output * np.where(x == 0, slope_at_zero, x > 0),)

    # every element at the kink: nothing for finite differences to check but the bracket
    report = check(lambda x: (np.maximum(x, 0.0), x), relu_backward, [np.zeros((2, 3))])
    assert not report.passed and report.blame == "backward", str(report)
    assert report.failures[0].numeric in (0.0, 1.0) or abs(report.failures[0].numeric - 1) < 1e-6


def test_the_report_is_a_few_lines_naming_the_worst_element():
    x = rng.standard_normal((8, 12))
    report = check(layers.softmax.forward, softmax_diagonal_only, [x])
    text = str(report)
    assert len(text.splitlines()) <= 8
    assert "worst: ∂y[" in text and "budget" in text and "blame backward" in text
    with pytest.raises(AssertionError, match="blame backward"):
        assert_gradients(layers.softmax.forward, softmax_diagonal_only, [x])


def test_float32_inputs_are_checked_in_float64_and_the_report_says_so():
    report = check(layers.softmax.forward, layers.softmax.backward, [X.astype(np.float32)])
    assert report.passed, str(report)
    assert any("float32" in note and "float64" in note for note in report.notes)


def test_a_backward_in_float32_is_caught_and_named():
    def float32_backward(grad_output, cache):
        return tuple(g.astype(np.float32) for g in layers.dense.backward(grad_output, cache))

    report = check(layers.dense.forward, float32_backward, [X, W_SQUARE, B], derivations.dense)
    assert not report.passed and report.blame == "backward"
    assert any("only float32-accurate" in note for note in report.notes), str(report)
    assert any("typical of float32" in note for note in report.notes), str(report)


@pytest.mark.parametrize("with_derivation", [True, False], ids=["three-way", "numeric-only"])
def test_a_forward_computing_in_float32_is_checked_at_float32_resolution(with_derivation):
    # Once refused (blame forward); now checked in float32 mode, never blamed on the derivation
    def forward(x):
        y = np.tanh(x.astype(np.float32))
        return y, y

    def backward(grad_output, y):
        return (grad_output * (1 - y.astype(np.float64) ** 2),)

    def backward_from_input(grad_output, y):
        return (grad_output * (1 - np.arctanh(y.astype(np.float64)) ** 2),)  # 1 - x²

    derivation = derivations_tanh if with_derivation else None
    report = check(forward, backward, [X], derivation)
    assert report.passed, str(report)
    assert "float32 precision: forward returns float32" in str(report)
    wrong = check(forward, backward_from_input, [X], derivation)
    assert not wrong.passed and wrong.blame == "backward", str(wrong)


def test_float32_arithmetic_inside_a_float64_backward_is_caught():
    def rounds_through_float32(grad_output, cache):
        grads = layers.softmax.backward(grad_output, cache)
        return tuple(g.astype(np.float32).astype(np.float64) for g in grads)

    report = check(layers.softmax.forward, rounds_through_float32, [X], derivations.softmax)
    assert not report.passed and report.blame == "backward", str(report)
