"""The checker on layers it has never seen (:mod:`unseen`): a wrong backward never passes, a
right one never fails, in the cases where it used to (issue 11).  Each test failed on the
checker before the change it is named after."""

from __future__ import annotations

import dataclasses
import threading
import types

import numpy as np
import pytest
import unseen

from gradcheck import check


def with_outlier(shape, where, value, seed=0):
    x = np.random.default_rng(seed).standard_normal(shape)
    x[where] = value
    return x


# --- 1. steps per element: an outlier does not set the step of the other elements -------------

OUTLIERS = [((3, 5), (1, 2), 3e3), ((4, 6), (0, 0), -2e4), ((2, 8), (1, 7), 5e2)]


@pytest.mark.parametrize("shape, where, value", OUTLIERS)
def test_a_subtle_silu_bug_fails_beside_an_outlier_as_it_does_without(shape, where, value):
    x = with_outlier(shape, where, value)
    assert not check(unseen.silu, unseen.silu_backward_constant_off, [x]).passed
    report = check(unseen.silu, unseen.silu_backward_constant_off, [x])
    # the wrong elements are the O(1) ones (at the outlier σ(1 - σ) vanishes)
    assert all(f.index != where for f in report.failures if f.index is not None), str(report)
    right = check(unseen.silu, unseen.silu_backward, [x])
    assert right.passed, str(right)


def test_rms_norm_without_eps_in_its_backward_fails_beside_an_outlier():
    x = with_outlier((4, 6), (2, 3), 4e3, seed=1)
    report = check(unseen.rms_norm, unseen.rms_norm_backward_without_eps, [x])
    assert not report.passed and report.blame == "backward", str(report)
    assert check(unseen.rms_norm, unseen.rms_norm_backward, [x]).passed


def test_the_report_says_which_step_each_part_of_a_mixed_input_got():
    x = with_outlier((3, 5), (0, 4), 1e6)
    report = check(unseen.silu, unseen.silu_backward, [x], names=["x"])
    (note,) = [n for n in report.notes if "mixes scales" in n]
    bulk = np.std(np.delete(x.ravel(), 4))
    step = float(note.split(": step ")[1].split(" ")[0])
    # the O(1) elements are stepped on their own scale, not on the outlier's share of the spread
    assert 1e-4 * bulk < step < 1e-2 * bulk, note
    assert "for 14 elements" in note and "√ε·|x| for 1" in note, note


def test_inputs_of_one_scale_get_no_note():
    x = np.random.default_rng(2).standard_normal((3, 5)) * 1e4
    report = check(unseen.silu, unseen.silu_backward, [x])
    assert not any("mixes scales" in n for n in report.notes), str(report)


# --- 2. a kink is a claim to confirm: within a step of one is not at one ----------------------


def beside(edge, distances, seed=0):
    """Inputs strictly inside (-1, 1) but for some just beside ``edge`` (on its far side)."""
    x = np.random.default_rng(seed).uniform(-0.9, 0.9, (4, 5))
    x.ravel()[: len(distances)] = edge + np.sign(edge) * np.asarray(distances)
    return x


@pytest.mark.parametrize("edge", [1.0, -1.0])
def test_hardtanh_masked_from_its_clipped_output_fails_just_beyond_the_clip(edge):
    # |y| <= 1 is always true: slope 1 where the truth is 0, at 3e-5..6e-4 beyond the clip,
    # within one step of the kink (1e-3 of the spread)
    x = beside(edge, [3e-5, 1e-4, 6e-4])
    report = check(unseen.hardtanh_from_output, unseen.hardtanh_backward_mask_from_output, [x])
    assert not report.passed and report.blame == "backward", str(report)
    assert {f.index for f in report.failures} == {(0, 0), (0, 1), (0, 2)}, str(report)
    assert not report.kinks, str(report)


def test_the_right_hardtanh_just_beyond_the_clip_passes_with_no_kink():
    x = beside(1.0, [3e-5, 1e-4, 6e-4])
    report = check(unseen.hardtanh, unseen.hardtanh_backward, [x])
    assert report.passed and not report.kinks, str(report)


@pytest.mark.parametrize("tiny", [4e-9, 2e-8, 3e-10])
def test_relu_masked_from_a_half_precision_output_fails_on_tiny_positives(tiny):
    x = np.random.default_rng(1).standard_normal((2, 5))
    x[0, 1] = tiny  # float16 rounds it to 0: backward says slope 0, the truth is 1
    report = check(unseen.relu_keeping_half_output, unseen.relu_backward_from_half_output, [x])
    assert not report.passed, str(report)
    assert report.failures[0].index == (0, 1) and report.failures[0].numeric == pytest.approx(1)
    assert check(unseen.relu_keeping_input, unseen.relu_backward, [x]).passed


def test_a_kink_at_the_sample_is_confirmed_and_listed_with_its_distance():
    x = beside(1.0, [0.0, 0.0])  # exactly at the clip: not differentiable
    x[3, 4] = -1.0
    report = check(unseen.hardtanh, unseen.hardtanh_backward, [x])
    assert report.passed, str(report)
    assert sorted(k.index for k in report.kinks) == [(0, 0), (0, 1), (3, 4)], str(report)
    step = 1e-3 * np.std(x)
    assert all(k.distance is not None and k.distance < 1e-3 * step for k in report.kinks)
    assert "away" in str(report)


# --- 3. linear in grad_output: Gaussian and scaled probes, not only one-hot ones ---------------


def test_a_backward_clipping_grad_output_is_not_linear():
    x = np.random.default_rng(3).standard_normal((3, 4))
    report = check(unseen.silu, unseen.silu_backward_clipping_grad_output, [x])
    assert not report.passed and report.blame == "backward", str(report)
    assert "not linear in grad_output" in str(report), str(report)
    assert check(unseen.silu, unseen.silu_backward, [x]).passed


def test_a_backward_rounding_grad_output_to_half_precision_is_not_linear():
    x = np.random.default_rng(4).standard_normal((2, 5))
    report = check(unseen.l2_normalize, unseen.l2_normalize_backward_half_grad_output, [x])
    assert not report.passed and "not linear in grad_output" in str(report), str(report)
    assert check(unseen.l2_normalize, unseen.l2_normalize_backward, [x]).passed


def test_a_loss_backward_that_ignores_the_size_of_its_upstream_gradient_fails():
    from functools import partial

    rng = np.random.default_rng(5)
    x, target = rng.standard_normal(6), rng.standard_normal(6)
    loss = partial(unseen.squared_error, target=target)
    report = check(loss, unseen.squared_error_backward_unit_upstream, [x])
    assert not report.passed and "not linear in grad_output" in str(report), str(report)
    assert check(loss, unseen.squared_error_backward, [x]).passed


# --- 4. stale state: a backward answers for its own cache, not for the last forward -------------


def test_a_backward_reading_a_global_set_by_the_last_forward_fails():
    x = np.random.default_rng(6).standard_normal((3, 4))
    report = check(unseen.elu_remembering_input, unseen.elu_backward_from_last_input, [x])
    assert not report.passed and report.blame == "backward", str(report)
    assert "state the last forward call left behind" in str(report), str(report)
    assert check(unseen.elu, unseen.elu_backward, [x]).passed


def test_an_object_whose_cache_is_left_out_of_its_snapshot_is_caught_by_its_state():
    from gradcheck.adapters import from_object

    x = np.random.default_rng(7).standard_normal((2, 3))
    # state=("hidden",) leaves out self.saved, which forward writes and backward reads
    forward, backward, inputs = from_object(unseen.LSTMCell(3, 2), x, state=("hidden",))
    report = check(forward, backward, inputs)
    assert not report.passed and "left behind" in str(report), str(report)
    forward, backward, inputs = from_object(unseen.LSTMCell(3, 2), x)
    report = check(forward, backward, inputs)
    assert report.passed, str(report)


# --- 5. cache checks judge effects, not bytes; round-off in the forward is not randomness ------


def _group_norm(x, groups=2, eps=1e-5):
    """GroupNorm without affine parameters over x (batch, channels)."""
    n, c = x.shape
    xg = x.reshape(n, groups, c // groups)
    mean = xg.mean(axis=-1, keepdims=True)
    std = np.sqrt(xg.var(axis=-1, keepdims=True) + eps)
    return ((xg - mean) / std).reshape(n, c), (xg - mean) / std, std


def _group_norm_backward(grad_output, x_hat, std):
    g = grad_output.reshape(x_hat.shape)
    dx = (g - g.mean(-1, keepdims=True) - x_hat * (g * x_hat).mean(-1, keepdims=True)) / std
    return (dx.reshape(grad_output.shape),)


@dataclasses.dataclass
class GroupNormCache:
    x_hat: np.ndarray
    std: np.ndarray


CACHES = {
    "dataclass": lambda x_hat, std: GroupNormCache(x_hat, std),
    "namespace": lambda x_hat, std: types.SimpleNamespace(x_hat=x_hat, std=std),
    "ragged object array": lambda x_hat, std: _ragged(x_hat, std),
    "with a module": lambda x_hat, std: {"x_hat": x_hat, "std": std, "np": np},
    "with a lock": lambda x_hat, std: {"x_hat": x_hat, "std": std, "lock": threading.Lock()},
}


def _ragged(x_hat, std):
    out = np.empty(2, dtype=object)
    out[0], out[1] = x_hat, std
    return out


def _fields(cache):
    if isinstance(cache, dict):
        return cache["x_hat"], cache["std"]
    if isinstance(cache, np.ndarray):
        return cache[0], cache[1]
    return cache.x_hat, cache.std


@pytest.mark.parametrize("kind", CACHES, ids=list(CACHES))
def test_a_cache_of_any_kind_is_no_false_alarm_and_never_crashes_the_check(kind):
    def forward(x):
        y, x_hat, std = _group_norm(x)
        return y, CACHES[kind](x_hat, std)

    def backward(grad_output, cache):
        return _group_norm_backward(grad_output, *_fields(cache))

    x = np.random.default_rng(8).standard_normal((3, 4))
    report = check(forward, backward, [x])
    assert report.passed, str(report)


def test_a_memoising_backward_passes_and_a_harmful_write_fails():
    def forward(x):
        y, x_hat, std = _group_norm(x)
        return y, {"x_hat": x_hat, "std": std}

    def memoising(grad_output, cache):
        if "scaled" not in cache:  # the same value on every call: harmless
            cache["scaled"] = cache["x_hat"] / cache["std"]
        return _group_norm_backward(grad_output, cache["x_hat"], cache["std"])

    def normalising_in_place(grad_output, cache):
        cache["std"] *= 2.0  # every later call computes with a wrong std
        return _group_norm_backward(grad_output, cache["x_hat"], cache["std"] / 2.0)

    x = np.random.default_rng(9).standard_normal((2, 4))
    assert check(forward, memoising, [x]).passed
    report = check(forward, normalising_in_place, [x])
    assert not report.passed and "modified the cache in place" in str(report), str(report)


def test_round_off_that_varies_between_calls_is_tolerated_with_a_note():
    order = np.random.default_rng(10)

    def row_sums_in_varying_order(x):
        # a sum whose order changes per call, as threaded or GPU reductions do
        columns = order.permutation(x.shape[1])
        total = np.zeros(x.shape[0])
        for j in columns:
            total += x[:, j] * np.exp(x[:, j])
        return total, x

    def backward(grad_output, x):
        return (grad_output[:, None] * (1.0 + x) * np.exp(x),)

    x = np.random.default_rng(11).standard_normal((3, 40)) * 3
    report = check(row_sums_in_varying_order, backward, [x])
    assert report.passed, str(report)
    assert any("differs between calls" in n for n in report.notes), str(report)


def test_a_fresh_random_mask_per_call_is_still_not_deterministic():
    draws = np.random.default_rng(12)

    def dropout(x):
        mask = draws.random(x.shape) > 0.3
        return x * mask / 0.7, mask

    report = check(dropout, lambda g, mask: (g * mask / 0.7,), [np.ones((2, 3))])
    assert not report.passed and "not a deterministic function" in str(report), str(report)


# --- 7. every contract problem of a call, together -----------------------------------------------


MASK = np.array([[True, False, True], [False, True, True]])


def test_a_backward_writing_into_grad_output_and_ignoring_its_mask_reports_both():
    def dropout(x):
        return x * MASK / 0.5, MASK

    def backward(grad_output, mask):
        grad_output *= 2.0  # the caller's gradient, overwritten
        return (grad_output,)  # and the mask forgotten

    x = np.random.default_rng(13).standard_normal((2, 3))
    report = check(dropout, backward, [x])
    messages = [f.message for f in report.failures]
    assert any("modified grad_output in place" in m for m in messages), str(report)
    wrong = {f.index for f in report.failures if f.index is not None}
    assert wrong == {tuple(i) for i in np.argwhere(~MASK)}, str(report)


def test_a_forward_writing_into_its_input_is_still_checked_for_its_gradients():
    def tanh_in_place(x):
        np.tanh(x, out=x)
        return x.copy(), x.copy()

    def wrong_backward(grad_output, y):
        return (grad_output * (1.0 - y),)  # 1 - y instead of 1 - y²

    x = np.random.default_rng(14).standard_normal((2, 3))
    report = check(tanh_in_place, wrong_backward, [x])
    assert report.failures[0].message.startswith("forward modified its input 'x' in place")
    assert any(f.index is not None and f.blame == "backward" for f in report.failures)
    right = check(tanh_in_place, lambda g, y: (g * (1.0 - y * y),), [x])
    assert [f.blame for f in right.failures] == ["forward"], str(right)


def test_several_broken_contracts_of_one_backward_call_are_all_named():
    def backward(grad_output, cache):
        grad_output[...] = 0.0
        return (grad_output[:1],)  # wrong shape too

    report = check(lambda x: (2.0 * x, None), backward, [np.ones((2, 3))])
    text = str(report)
    assert "modified grad_output in place" in text and "has shape (1, 3)" in text, text


# --- 6. float32 by design: checked at float32's resolution, saying so ---------------------------


def conv_inputs(seed):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((2, 3, 7)), rng.standard_normal((4, 3, 3))]


@pytest.mark.parametrize("seed", range(6))
def test_a_float32_convolution_passes_and_the_report_states_its_precision(seed):
    report = check(unseen.conv1d_float32, unseen.conv1d_float32_backward, conv_inputs(seed))
    assert report.passed, str(report)
    assert any("float32 precision: forward returns float32" in n for n in report.notes)


@pytest.mark.parametrize("seed", range(3))
def test_a_float32_convolution_with_flipped_taps_fails(seed):
    backward = unseen.conv1d_float32_backward_flipped_taps
    report = check(unseen.conv1d_float32, backward, conv_inputs(seed))
    assert not report.passed and report.blame == "backward", str(report)


@pytest.mark.parametrize("seed", range(10))
def test_a_convolution_rounding_part_of_its_work_to_float32_never_flips(seed):
    # im2col in float32, product in float64: round-off 1e-8 that 4 float64 ulps never show
    inputs = conv_inputs(seed)
    report = check(unseen.conv1d_half_float32, unseen.conv1d_half_float32_backward, inputs)
    assert report.passed, str(report)
    assert any("rounds to float32 inside" in n for n in report.notes), str(report)
    wrong = unseen.conv1d_half_float32_backward_weight_scaled  # 1e-3: above float32's resolution
    report = check(unseen.conv1d_half_float32, wrong, inputs)
    assert not report.passed and report.failures[0].input == "w", str(report)


def test_a_float64_layer_keeps_its_strictness():
    # 1e-7 relative: far below float32's resolution, far above float64's
    x = np.random.default_rng(15).standard_normal((3, 4))

    def tanh(x):
        y = np.tanh(x)
        return y, y

    report = check(tanh, lambda g, y: (g * (1 - y * y) * (1 + 1e-7),), [x])
    assert not report.passed and not any("float32 precision" in n for n in report.notes)


def test_a_forward_raising_within_a_step_of_the_sample_is_a_finding_not_a_crash():
    def log_of_positives(x):
        if np.any(x <= 0):
            raise ValueError("log of a non-positive number")
        return np.log(x), x

    x = np.random.default_rng(16).uniform(1.0, 2.0, (2, 3))
    x[0, 1] = 1e-5  # the step (1e-3 of the spread) crosses 0
    report = check(log_of_positives, lambda g, x: (g / x,), [x])
    assert not report.passed and report.blame == "numeric", str(report)
    assert "log of a non-positive number" in str(report) and "step=" in str(report)
    x[0, 1] = 0.5
    assert check(log_of_positives, lambda g, x: (g / x,), [x]).passed
