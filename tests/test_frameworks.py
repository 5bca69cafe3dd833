"""Checking an existing framework: each style of tests/frameworks/ with at most three lines of
glue, the README's examples run as they are written, correct and with the planted bug."""

import ast
import random
import re
import warnings
from functools import partial
from pathlib import Path

import numpy as np
import pytest
from frameworks import column_major, dict_params, functional, optimizer_style, param_objects

import gradcheck
from gradcheck import check, from_object
from gradcheck.stale import StaleStateWarning

README = Path(__file__).resolve().parents[1] / "README.md"


def section_blocks() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = re.search(r"^## Checking an existing framework\n(.*?)(?=^## )", text, re.M | re.S)
    assert section, "README.md has no '## Checking an existing framework' section"
    return re.findall(r"```python\n(.*?)```", section.group(1), re.S)


def setup(style: str, bug: bool) -> dict:
    """What a block of that style finds defined: the framework's objects and data."""
    rng = np.random.default_rng(0)
    names: dict = {}
    if style == "functional.py":
        names.update(
            affine_forward=functional.affine_forward,
            affine_backward=partial(functional.affine_backward, bug=bug),
            softmax_loss=partial(functional.softmax_loss, bug=bug),
            sigmoid=functional.sigmoid,
            sigmoid_grad=partial(functional.sigmoid_grad, bug=bug),
            x=rng.standard_normal((4, 2, 3)), w=rng.standard_normal((6, 5)),
            b=rng.standard_normal(5), scores=rng.standard_normal((4, 3)),
            y=rng.integers(0, 3, 4),
        )  # fmt: skip
    elif style == "dict_params.py":
        names.update(layer=dict_params.Linear(3, 4, rng, bug), x=rng.standard_normal((5, 3)))
    elif style == "param_objects.py":
        names.update(layer=param_objects.Linear(3, 4, rng, bug), x=rng.standard_normal((5, 3)))
    elif style == "optimizer_style.py":
        dense = optimizer_style.Dense(3, 4, rng, bug)
        dense.initialize(optimizer_style.SGD())
        names.update(
            dense=dense, dropout=optimizer_style.Dropout(0.5, bug), X=rng.standard_normal((5, 3))
        )
    elif style == "column_major.py":
        names.update(
            linear_forward=column_major.linear_forward,
            linear_backward=partial(column_major.linear_backward, bug=bug),
            A=rng.standard_normal((3, 5)), W=rng.standard_normal((4, 3)),
            b=rng.standard_normal((4, 1)),
        )  # fmt: skip
    return names


def glue(block: str) -> list[str]:
    """The block's statements, imports left out: the glue a user writes (a call that ruff
    spreads over several lines is one statement)."""
    tree = ast.parse(block)
    return [
        ast.unparse(node) for node in tree.body if not isinstance(node, ast.Import | ast.ImportFrom)
    ]


BLOCKS = section_blocks()


def test_the_readme_shows_every_style():
    styles = {block.splitlines()[0].split("/")[-1] for block in BLOCKS}
    assert styles == {
        "functional.py", "dict_params.py", "param_objects.py", "optimizer_style.py",
        "column_major.py",
    }  # fmt: skip


@pytest.mark.parametrize("block", BLOCKS, ids=[b.split()[1].split("/")[-1][:-3] for b in BLOCKS])
@pytest.mark.parametrize("bug", [False, True], ids=["correct", "bug"])
def test_each_readme_example_checks_its_framework_with_three_lines_of_glue(block, bug):
    style = block.splitlines()[0].split("/")[-1]
    assert block.startswith("# tests/frameworks/"), "each example names its framework first"
    reports = []
    public = {name: getattr(gradcheck, name) for name in gradcheck.__all__}
    for statement in glue(block):
        assert len(re.findall(r"\bcheck\(", statement)) == 1, f"one check each: {statement}"
        namespace = {**public, **setup(style, bug)}
        exec(compile(statement, "README.md", "exec"), namespace)
        reports.append(namespace["report"])
    assert 1 <= len(reports) <= 3
    for report in reports:
        if bug:
            assert not report.passed and report.blame == "backward", str(report)
        else:
            assert report.passed, str(report)


# --- the traps of adapting objects -----------------------------------------------------------


class InPlace:
    """Centres its input in place: the caller's array is changed."""

    def forward(self, x):
        x -= x.mean(axis=0)
        return x

    def backward(self, dy):
        return dy - dy.mean(axis=0)


def test_a_forward_writing_into_its_input_is_reported_through_the_adapter():
    report = check(*from_object(InPlace(), np.random.default_rng(1).normal(size=(4, 3)), (), ()))
    assert report.blame == "forward" and "modified its input 'x' in place" in str(report)
    assert "(one-hot probes, 0 gradient elements)" not in str(report)  # nothing was probed


class Recorder:
    """Appends every input to a list; backward reads the first: right only for a fresh object."""

    def __init__(self):
        self.inputs = []

    def forward(self, x):
        self.inputs.append(x)
        return 2 * x

    def backward(self, dy):
        return 2 * dy * np.ones_like(self.inputs[0])


def test_state_left_by_a_warm_up_forward_is_warned_of_naming_the_attribute():
    layer, x = Recorder(), np.ones((2, 3))
    layer.forward(np.ones((5, 3)))  # a warm-up forward before adapting
    with pytest.warns(StaleStateWarning, match=r"appends to inputs \(1 before\)"):
        check(*from_object(layer, x, (), ()))
    with warnings.catch_warnings():
        warnings.simplefilter("error", StaleStateWarning)
        assert check(*from_object(Recorder(), x, (), ())).passed  # a fresh one: no warning


def test_global_generators_are_replayed_for_each_call_and_left_as_they_were():
    np.random.seed(5)
    random.seed(5)
    before = np.random.get_state()[1].copy(), random.getstate()
    dropout, x = optimizer_style.Dropout(0.5), np.random.default_rng(2).normal(size=(4, 6))
    forward, backward, inputs = from_object(
        dropout, x, (), (), forward="forward_pass", backward="backward_pass"
    )
    assert np.array_equal(forward(*inputs)[0], forward(*inputs)[0])  # the same mask each call
    assert check(forward, backward, inputs).passed
    assert np.array_equal(np.random.get_state()[1], before[0]) and random.getstate() == before[1]


def test_parameter_paths_name_the_reports_elements():
    rng = np.random.default_rng(3)
    layer = dict_params.Linear(3, 4, rng, bug=True)
    report = check(*from_object(layer, rng.normal(size=(5, 3)),
                                params={"weight": "params['W']", "bias": "params['b']"},
                                grads=("grads['W']", "grads['b']")))  # fmt: skip
    assert {f.input for f in report.failures} == {"bias"}


def test_a_gradient_never_handed_to_the_optimizer_is_named():
    rng = np.random.default_rng(4)
    dense = optimizer_style.Dense(3, 2, rng)
    dense.initialize(optimizer_style.SGD())
    report = check(*from_object(dense, rng.normal(size=(4, 3)), ("W", "w0"), None,
                                forward="forward_pass", backward="backward_pass",
                                grads_from="W_opt.update"))  # fmt: skip
    assert report.blame == "backward" and "never passed a gradient for w0" in str(report)


def test_a_forward_taking_star_params_names_its_inputs_after_them():
    def forward(x, *params):
        return x * params[0] + params[1], params[0]

    def backward(g, scale):
        return g * scale, (g * 0).sum(axis=0), g.sum(axis=0)  # ∂/∂scale wrong: 0

    rng = np.random.default_rng(6)
    report = check(forward, backward, [rng.normal(size=(2, 3)), *rng.normal(size=(2, 3))])
    assert report.failures[0].input == "params0"
