"""Every registered layer, every case, three ways.  A new layer is checked with no test added."""

import inspect

import pytest

from gradcheck.registry import check_case, derivation_names, get_layer, kink_problem, layer_names

LAYERS = layer_names()
CASES = [(name, case) for name in LAYERS for case in get_layer(name).cases]


@pytest.mark.parametrize("name, case", CASES, ids=[f"{name}-{case.id}" for name, case in CASES])
def test_layer_passes_three_way_check(name, case):
    report = check_case(get_layer(name), case)
    assert report.passed, str(report)
    # samples are drawn away from kinks unless a case is about one: then it must be found
    assert kink_problem(report, case) is None, str(report)


@pytest.mark.parametrize("name", LAYERS)
def test_layer_is_registered_completely(name):
    layer = get_layer(name)
    assert layer.cases, f"layers/{name}.py registers no CASES"
    assert any(case.symbolic for case in layer.cases), f"{name}: no case is small enough for SymPy"
    assert any(not case.symbolic for case in layer.cases), f"{name}: no realistic (large) case"
    assert callable(getattr(layer.module, "torch_reference", None)), (
        f"layers/{name}.py has no torch_reference: the outside reference would not test it"
    )
    assert layer.derivation is not None, f"layers/{name}.py has no derivations/{name}.py"
    for attribute in ("expressions", "jacobian", "FORMULAS"):
        assert hasattr(layer.derivation, attribute), f"derivations/{name}.py lacks {attribute}"
    assert list(layer.derivation.FORMULAS) == layer.input_names, (
        f"derivations/{name}.py FORMULAS must have one formula per input, {layer.input_names}"
    )


@pytest.mark.parametrize("name", derivation_names())
def test_every_derivation_has_a_layer(name):
    assert name in LAYERS, f"derivations/{name}.py has no layers/{name}.py"


def test_case_ids_are_readable_and_unique():
    ids = [f"{name}-{case.id}" for name, case in CASES]
    assert len(ids) == len(set(ids)), "two cases of a layer share an id: give one a name="
    assert "softmax-3x5-axis-1" in ids


@pytest.mark.parametrize("name", LAYERS)
def test_formulas_render_as_latex(name):
    for formula in get_layer(name).derivation.FORMULAS.values():
        assert formula.latex().startswith(r"\frac{\partial")


@pytest.mark.parametrize("name", LAYERS)
def test_layer_has_a_docstring_stating_its_maths(name):
    assert inspect.getdoc(get_layer(name).module), f"layers/{name}.py has no docstring"
