"""Networks composed from layers: checked end to end like one layer, failures localised."""

import re
from types import SimpleNamespace

import numpy as np
import pytest

from gradcheck import check
from gradcheck.network import first_wrong_stage, stage_reports
from gradcheck.registry import layer_names
from gradcheck.sequential import Stage, bound, compose
from layers import cross_entropy, dense, leaky_relu, mse_loss, relu, softmax, tanh


def mlp_inputs(seed, sizes=(5, 6, 3), batch=4):
    """x and (weight, bias) per dense layer for a chain of the given widths."""
    rng = np.random.default_rng(seed)
    inputs = [rng.standard_normal((batch, sizes[0]))]
    for n_in, n_out in zip(sizes, sizes[1:], strict=False):
        inputs += [rng.standard_normal((n_out, n_in)), rng.standard_normal(n_out)]
    return inputs, rng


def with_backward(layer, wrong_backward, name=None):
    """A copy of a layer module whose backward is replaced (a planted bug)."""
    return SimpleNamespace(
        __name__=name or layer.__name__, forward=layer.forward, backward=wrong_backward
    )


def dense_dividing_by_batch(grad_output, cache):
    """dense's backward with 1/m counted again in ∂L/∂W and ∂L/∂b: the classic duplicate."""
    grad_x, grad_w, grad_b = dense.backward(grad_output, cache)
    m = cache[0].shape[0]
    return grad_x, grad_w / m, grad_b / m


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_two_layer_network_with_cross_entropy_passes_end_to_end(seed):
    inputs, rng = mlp_inputs(seed)
    target = rng.integers(0, 3, 4)
    forward, backward = compose(dense, relu, dense, bound(cross_entropy, target=target))
    report = check(forward, backward, inputs)
    assert report.passed, str(report)
    assert report.elements == sum(a.size for a in inputs)


def test_three_layer_network_with_mse_passes_end_to_end():
    inputs, rng = mlp_inputs(3, sizes=(4, 7, 5, 2), batch=3)
    target = rng.standard_normal((3, 2))
    layers = (dense, relu, dense, tanh, dense, bound(mse_loss, target=target))
    report = check(*compose(*layers), inputs)
    assert report.passed, str(report)


def test_network_inputs_are_named_by_layer_position():
    forward, _ = compose(dense, relu, dense, bound(cross_entropy, target=np.zeros(2, int)))
    assert [s.name for s in forward.stages] == ["dense", "relu", "dense", "cross_entropy"]
    inputs, _ = mlp_inputs(0)
    halved = with_backward(dense, lambda g, c: (lambda gx, gw, gb: (gx, gw * 0.5, gb))(
        *dense.backward(g, c)))  # fmt: skip
    report = check(*compose(dense, relu, halved), inputs)
    assert not report.passed
    assert {f.input for f in report.failures} == {"weight3"}  # not "input3"


def test_composed_forward_is_the_layers_applied_in_order():
    inputs, _ = mlp_inputs(4)
    x, w1, b1, w2, b2 = inputs
    y, _ = compose(dense, relu, dense, bound(softmax, axis=0))[0](*inputs)
    hidden = np.maximum(x @ w1.T + b1, 0.0)
    logits = hidden @ w2.T + b2
    expected = np.exp(logits) / np.exp(logits).sum(axis=0)
    np.testing.assert_allclose(y, expected, rtol=1e-13)


def test_planted_bug_fails_and_first_wrong_stage_names_its_layer():
    inputs, rng = mlp_inputs(5)
    target = rng.integers(0, 3, 4)
    wrong = with_backward(dense, dense_dividing_by_batch)
    forward, backward = compose(dense, relu, wrong, bound(cross_entropy, target=target))
    report = check(forward, backward, inputs)
    assert not report.passed and report.blame == "backward"
    assert str(report).startswith("FAIL dense-relu-dense-cross_entropy ("), str(report)
    sentence = first_wrong_stage(forward, backward, inputs)
    assert sentence.startswith("layer 3 of 4 (dense) is the first whose backward disagrees: ")
    assert "W3" in sentence or "weight3" in sentence


def test_first_wrong_stage_names_the_first_of_two_wrong_layers():
    inputs, rng = mlp_inputs(6)
    wrong = with_backward(dense, dense_dividing_by_batch)
    forward, backward = compose(
        wrong, relu, wrong, bound(cross_entropy, target=rng.integers(0, 3, 4))
    )
    assert first_wrong_stage(forward, backward, inputs).startswith("layer 1 of 4 (dense)")


def test_wrong_relu_is_named_not_the_dense_layer_it_feeds():
    inputs, rng = mlp_inputs(7)
    leaky = with_backward(relu, lambda g, positive: (np.where(positive, g, 0.1 * g),))
    forward, backward = compose(
        dense, leaky, dense, bound(cross_entropy, target=rng.integers(0, 3, 4))
    )
    assert not check(forward, backward, inputs).passed
    assert first_wrong_stage(forward, backward, inputs).startswith("layer 2 of 4 (relu)")


def test_errors_that_cancel_in_the_last_weights_are_found_where_they_are_made():
    # The loss forgets its 1/N and the dense layer before it divides by N instead: the last
    # layer's weight gradients come out right, the gradient flowing into layer 1 does not.
    inputs, rng = mlp_inputs(8, sizes=(5, 6, 1))  # one output: the mean's N is the batch
    target = rng.standard_normal((4, 1))
    loss_without_mean = with_backward(mse_loss, lambda g, diff: (g * 2.0 * diff,))
    wrong = with_backward(dense, dense_dividing_by_batch)
    forward, backward = compose(dense, relu, wrong, bound(loss_without_mean, target=target))
    report = check(forward, backward, inputs)
    wrong_inputs = {f.input for f in report.failures}
    assert {"weight1", "bias1", "x"} <= wrong_inputs and not {"weight3", "bias3"} & wrong_inputs
    assert first_wrong_stage(forward, backward, inputs).startswith("layer 3 of 4 (dense)")


def test_first_wrong_stage_checks_each_layer_at_the_input_it_receives():
    inputs, rng = mlp_inputs(9)
    forward, _ = compose(dense, relu, dense, bound(cross_entropy, target=rng.integers(0, 3, 4)))
    results = stage_reports(forward, inputs)
    assert [label for label, _ in results] == [
        "layer 1 of 4 (dense)", "layer 2 of 4 (relu)", "layer 3 of 4 (dense)",
        "layer 4 of 4 (cross_entropy)",
    ]  # fmt: skip
    assert all(report.passed for _, report in results)


def test_each_layer_is_checked_at_the_activation_it_receives():
    inputs, rng = mlp_inputs(9)
    seen = []

    def recording_forward(x, weight, bias):
        seen.append(x.copy())
        return dense.forward(x, weight, bias)

    recorder = Stage("dense", recording_forward, dense.backward, ("x", "weight", "bias"))
    forward, backward = compose(dense, relu, recorder)
    first_wrong_stage(forward, backward, inputs)
    hidden = np.maximum(inputs[0] @ inputs[1].T + inputs[2], 0.0)
    # the stage check's first forward call sees relu's output, zeros included
    assert np.array_equal(seen[0], hidden) and (hidden == 0).any()


def test_first_wrong_stage_when_every_layer_passes_says_so():
    inputs, rng = mlp_inputs(10)
    forward, backward = compose(dense, relu, dense)
    sentence = first_wrong_stage(forward, backward, inputs)
    assert sentence.startswith("each of the 3 layers passes its own check")


def test_first_wrong_stage_refuses_inputs_that_do_not_fit_the_network():
    inputs, _ = mlp_inputs(13)
    forward, backward = compose(dense, relu, dense)
    with pytest.raises(TypeError, match="takes 5 inputs .* got 4"):
        first_wrong_stage(forward, backward, inputs[:4])


def test_first_wrong_stage_of_a_single_layer_is_none():
    inputs, _ = mlp_inputs(11)
    assert first_wrong_stage(dense.forward, dense.backward, inputs[:3]) is None


def test_backward_returning_too_few_gradients_is_blamed_with_the_layer_named():
    inputs, _ = mlp_inputs(12)
    short = with_backward(dense, lambda g, c: dense.backward(g, c)[:2])
    report = check(*compose(dense, relu, short), inputs)
    assert report.blame == "backward"
    assert "layer 3 of 3 (dense) returned 2 gradients for its 3 inputs" in str(report)


def test_call_time_keywords_reach_the_layer_that_takes_them_and_override_bound_ones():
    inputs, rng = mlp_inputs(15)
    target, other = rng.integers(0, 3, 4), rng.integers(0, 3, 4)
    assert not np.array_equal(target, other)
    expected_forward, expected_backward = compose(
        dense, relu, dense, bound(cross_entropy, target=target)
    )
    expected_loss, expected_caches = expected_forward(*inputs)
    forward, backward = compose(dense, relu, dense, bound(cross_entropy, target=other))
    loss, caches = forward(*inputs, target=target)
    assert loss == expected_loss != forward(*inputs)[0]
    for got, want in zip(
        backward(1.0, caches), expected_backward(1.0, expected_caches), strict=True
    ):
        np.testing.assert_array_equal(got, want)


def test_a_call_time_keyword_goes_to_every_layer_that_takes_it():
    inputs, _ = mlp_inputs(16)
    x, w1, b1, w2, b2 = inputs
    forward, _ = compose(dense, leaky_relu, dense, bound(leaky_relu, negative_slope=0.5))
    y, _ = forward(*inputs, negative_slope=0.2)
    hidden = x @ w1.T + b1
    hidden = np.where(hidden > 0, hidden, 0.2 * hidden)
    logits = hidden @ w2.T + b2
    np.testing.assert_allclose(y, np.where(logits > 0, logits, 0.2 * logits), rtol=1e-14)


@pytest.mark.parametrize(
    "layers, keyword, message",
    [
        ((dense, relu, bound(cross_entropy, target=np.zeros(4, int))), "targte",
         r"got keyword 'targte', which none of its layers' forwards takes \(its layers take "
         r"target\): pass .* bound\(layer, ...\)"),
        ((dense, relu), "axis", r"got keyword 'axis', .* \(no layer takes any\)"),
    ],
)  # fmt: skip
def test_a_keyword_no_layer_takes_is_refused_naming_those_they_take(layers, keyword, message):
    inputs, _ = mlp_inputs(17, sizes=(5, 6))
    with pytest.raises(TypeError, match=message):
        compose(*layers)[0](*inputs, **{keyword: 0})


def test_wrong_number_of_inputs_names_the_expected_ones():
    forward, _ = compose(dense, relu)
    with pytest.raises(TypeError, match=r"takes 3 inputs \(x, weight1, bias1\), got 2"):
        forward(np.ones((2, 3)), np.ones((4, 3)))


@pytest.mark.parametrize(
    "position, shape, message",
    [
        (3, (3, 5), r"x has 6 features in its last axis but weight is \(3, 5\): weight must "
         r"be \(out, in\) with in = 6"),
        (1, (6, 4), r"x has 5 features in its last axis but weight is \(6, 4\)"),
        (1, (5, 6), r"x has 5 features in its last axis but weight is \(5, 6\)"),  # (in, out)
        (2, (5,), r"bias has shape \(5,\) but weight is \(6, 5\): it must be \(6,\)"),
        (3, (6,), r"weight has shape \(6,\); it must be 2-D, \(out, in\)"),
    ],
)  # fmt: skip
def test_mismatched_widths_are_refused_by_dense_naming_both_shapes(position, shape, message):
    inputs, _ = mlp_inputs(14)  # x (4, 5), weight1 (6, 5), bias1 (6,), weight3 (3, 6), bias3
    inputs[position] = np.ones(shape)
    forward, backward = compose(dense, relu, dense)
    with pytest.raises(ValueError, match=rf"^dense: {message}"):
        forward(*inputs)
    report = check(forward, backward, inputs)
    assert report.blame == "forward" and re.search(message, str(report))


def test_a_loss_without_its_target_is_refused_with_the_fix():
    with pytest.raises(TypeError, match=r"bound\(layers.cross_entropy, target=...\)"):
        compose(dense, cross_entropy)


def test_something_that_is_not_a_layer_is_refused():
    with pytest.raises(TypeError, match="is not a layer"):
        compose(dense, np.tanh)
    with pytest.raises(ValueError, match="at least one layer"):
        compose()


def test_bound_binds_hyperparameters_and_a_stage_can_be_bound_again():
    stage = bound(softmax)
    assert isinstance(stage, Stage) and stage.inputs == ("x",) and stage.params == ()
    x = np.arange(6.0).reshape(2, 3)
    by_columns = bound(stage, axis=0).forward(x)[0]
    np.testing.assert_allclose(by_columns.sum(axis=0), 1.0)
    assert bound(dense).params == ("weight", "bias")


def test_sequential_is_not_registered_as_a_layer():
    assert "sequential" not in layer_names()


def test_check_itself_names_the_wrong_layer_of_a_failing_network():
    inputs, _ = mlp_inputs(0)
    wrong = with_backward(dense, dense_dividing_by_batch)
    forward, backward = compose(dense, relu, wrong, bound(mse_loss, target=np.zeros((4, 3))))
    report = check(forward, backward, inputs)
    assert not report.passed
    assert any(note.startswith("layer 3 of 4 (dense)") for note in report.notes), str(report)
