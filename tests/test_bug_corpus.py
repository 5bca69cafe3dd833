"""The checker never lies: wrong layers from public NumPy code fail, blaming the right leg.

Every entry of :data:`bugs.BUGS` is a wrong layer and its right twin on the same inputs and
hyperparameters (one table; adding a bug is one entry in a ``tests/bugs/*_family.py``).  Checked
three ways (layer, ``bind(derivation, **hyper)``, finite differences), the wrong layer must fail
with the right blame and its twin must pass; at a bug's blind spot, where it does no harm, the
wrong layer must pass too.
"""

import re
from functools import cache

import pytest
from bugs import BUGS, Bug

from gradcheck import Report

IDS = [bug.id for bug in BUGS]
BY_ID = {bug.id: bug for bug in BUGS}
BLIND = [bug for bug in BUGS if bug.blind_spot is not None]
ELEMENT = re.compile(r"worst: ∂y\[[\d,]*\]/∂\w+\[\d+(,\d+)*\]: ")
SUBTLE_EPS = "layer-norm-eps-outside-sqrt-below-finite-difference-resolution"
BUDGET = re.compile(r"budget \d\.\d\de[+-]\d\d -> blame ")
CONTRACT_FIXES = (
    "copy before writing",
    "do not clip, round or branch on grad_output",
    "keep what backward needs in it",
)


@cache
def three_way(bug_id: str) -> Report:
    """The wrong layer's three-way report, shared by the tests that read it."""
    return BY_ID[bug_id].run()


def test_the_corpus_has_25_readable_bugs_each_naming_its_pattern():
    assert len(BUGS) >= 25
    assert len(set(IDS)) == len(IDS), "two bugs share an id"
    for bug in BUGS:
        assert re.fullmatch(r"[a-z0-9]+(-[a-zA-Z0-9]+)+", bug.id), bug.id
        assert bug.pattern, f"{bug.id}: the wrong function needs a docstring naming the pattern"
        assert bug.derivation is not None, f"{bug.id}: check it three ways"
    assert {bug.blame for bug in BUGS} == {"backward", "forward"}


@pytest.mark.parametrize("bug", BUGS, ids=IDS)
def test_the_wrong_layer_fails_and_the_blame_is_right(bug: Bug):
    report = three_way(bug.id)
    assert not report.passed, f"{bug.pattern}\n{report}"
    assert report.blame == bug.blame, f"{bug.pattern}\n{report}"
    # not only the worst: no element of a wrong backward may be blamed on SymPy or the numerics
    assert {f.blame for f in report.failures} == {bug.blame}, str(report)


@pytest.mark.parametrize("bug", BUGS, ids=IDS)
def test_the_right_twin_passes_three_ways(bug: Bug):
    report = bug.run(twin=True)
    assert report.passed, str(report)
    assert "backward~symbolic" in report.errors, "the symbolic leg did not run"


# Bugs the checker is known to miss (strict xfail, so a fix shows).  The last one: numeric-only
# checks difference groups of elements chosen from the backward's own sparsity pattern, and a
# backward sending each gradient to another element of the same group (dense bias summed over
# the features) moved no group sum, until each element got its own random step weight.
CHECKER_HOLES: dict[str, str] = {}


def _numeric_only_params() -> list:
    params = []
    for bug in BUGS:
        marks = ()
        if bug.id in CHECKER_HOLES:
            marks = pytest.mark.xfail(reason=CHECKER_HOLES[bug.id], strict=True)
        params.append(pytest.param(bug, id=bug.id, marks=marks))
    return params


@pytest.mark.parametrize("bug", _numeric_only_params())
def test_finite_differences_alone_blame_the_wrong_leg_unless_the_bug_is_subtle(bug: Bug):
    report = bug.run(symbolic=False)
    if bug.subtle:
        # below finite differences' resolution at this sample: only SymPy's exact derivative
        # can tell.  Should the numeric leg resolve it one day, pick a smaller error.
        assert report.passed, str(report)
        return
    assert not report.passed, str(report)
    assert report.blame == bug.blame, str(report)


@pytest.mark.parametrize("bug_id", ["layer-norm-eps-outside-sqrt", SUBTLE_EPS])
def test_eps_outside_the_square_root_is_caught_by_the_backward_symbolic_pair(bug_id: str):
    report = three_way(bug_id)
    worst = report.failures[0]
    # the worst element was judged against SymPy, with the exact pair's round-off budget
    assert worst.symbolic is not None and worst.numeric is not None, str(report)
    assert worst.abs_error == pytest.approx(abs(worst.backward - worst.symbolic), rel=1e-12)
    assert worst.budget < 1e-9 * abs(worst.symbolic), str(report)
    assert worst.abs_error > 10 * worst.budget, str(report)
    if not BY_ID[bug_id].subtle:
        # at ordinary scales SymPy and finite differences agree far better than either does
        # with the backward; with β ~ 1000 finite differences blur to ~1e-9 (the subtle twin)
        assert report.errors["backward~symbolic"] > 100 * report.errors["symbolic~numeric"]


@pytest.mark.parametrize("bug", BLIND, ids=[b.id for b in BLIND])
def test_the_wrong_layer_passes_at_its_blind_spot(bug: Bug):
    # where the bug does no harm (batch 1, padding 1, a 1x1 kernel, distinct indices) the
    # wrong layer computes the right gradient: a report that failed here would be a false alarm
    report = bug.run(sample=bug.blind_spot)
    assert report.passed, str(report)


@pytest.mark.parametrize("bug", BUGS, ids=IDS)
def test_the_failure_message_is_short_and_names_an_element_and_a_budget(bug: Bug):
    report = three_way(bug.id)
    text = str(report)
    assert len(text.splitlines()) <= 8, text
    worst = report.failures[0]
    if worst.index is None:
        # a broken contract has no element: the message names what was broken and the fix
        assert any(fix in worst.message for fix in CONTRACT_FIXES), text
    else:
        assert ELEMENT.search(text), text
        assert BUDGET.search(text), text


def test_every_broken_contract_of_a_call_is_reported_with_the_wrong_elements():
    # the write into grad_output is reported, and the forgotten mask is still found
    report = three_way("dropout-backward-in-place-and-without-its-mask")
    assert "modified grad_output in place" in report.failures[0].message, str(report)
    assert any(f.index is not None for f in report.failures), str(report)
