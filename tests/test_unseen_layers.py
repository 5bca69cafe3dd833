"""The checker on layers it has never seen (:mod:`unseen`): a wrong backward never passes, a
right one never fails, in the cases where it used to (issue 11).  Each test failed on the
checker before the change it is named after."""

from __future__ import annotations

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
