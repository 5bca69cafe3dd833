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
