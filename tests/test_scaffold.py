"""``python -m gradcheck new NAME``: a skeleton that parses, registers, and fails with guidance."""

import ast
import subprocess
import sys

import numpy as np
import pytest

import derivations
import layers
from gradcheck import bind, check
from gradcheck.cli import main
from gradcheck.registry import check_layer, get_layer, layer_names


@pytest.fixture
def skeleton(tmp_path, monkeypatch):
    """``new shrink`` run in an empty directory, the directory made part of the registry."""
    monkeypatch.chdir(tmp_path)
    assert main(["new", "shrink"]) == 0
    monkeypatch.setattr(layers, "__path__", [str(tmp_path / "layers"), *layers.__path__])
    monkeypatch.setattr(
        derivations, "__path__", [str(tmp_path / "derivations"), *derivations.__path__]
    )
    for module in ("layers.shrink", "derivations.shrink"):
        monkeypatch.delitem(sys.modules, module, raising=False)
    return tmp_path


def test_new_writes_two_files_that_parse_in_the_current_directory(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["new", "shrink"]) == 0
    for path in (tmp_path / "layers" / "shrink.py", tmp_path / "derivations" / "shrink.py"):
        ast.parse(path.read_text())
    out = capsys.readouterr().out
    assert "layers/shrink.py" in out and "python -m gradcheck shrink" in out


def test_the_skeleton_is_registered_completely(skeleton):
    assert "shrink" in layer_names()
    layer = get_layer("shrink")
    assert layer.input_names == ["x"] and list(layer.derivation.FORMULAS) == ["x"]
    assert any(c.symbolic for c in layer.cases) and any(not c.symbolic for c in layer.cases)
    assert not layer.module.BENCHMARK.symbolic
    assert layer.derivation.FORMULAS["x"].latex().startswith(r"\frac{\partial")


def test_the_skeleton_fails_saying_what_to_write_next(skeleton):
    report = check_layer("shrink")[0]
    assert not report.passed and report.blame == "forward"
    assert "layers/shrink.py: write forward(x) -> (y, cache)" in str(report)

    module = get_layer("shrink").module
    module.forward = lambda x: (np.tanh(x), x)
    report = check_layer("shrink")[0]
    assert report.blame == "backward" and "write backward(grad_output, cache)" in str(report)

    module.backward = lambda g, x: (g / np.cosh(x) ** 2,)
    report = check_layer("shrink")[0]
    assert report.blame == "derivation" and "write expressions(x)" in str(report)

    with pytest.raises(NotImplementedError, match="write torch_reference"):
        module.torch_reference(np.zeros(2))


def test_a_filled_in_skeleton_fails_until_its_index_form_is_written(skeleton):
    import sympy as sp

    from gradcheck.formula import elementwise

    layer = get_layer("shrink")
    inputs, _ = layer.cases[0].sample(0)
    derivation = layer.derivation
    derivation.expressions = lambda x: elementwise(sp.tanh, x)
    derivation.jacobian = lambda x: (derivation.FORMULAS["x"].evaluate({"x": x}, x.shape, x.shape),)
    report = check(
        lambda x: (np.tanh(x), x), lambda g, x: (g / np.cosh(x) ** 2,), inputs, bind(derivation)
    )
    assert report.proof == "disproved" and "TODO" in str(report)


def test_new_refuses_to_overwrite(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "layers").mkdir()
    (tmp_path / "layers" / "shrink.py").write_text("mine")
    assert main(["new", "shrink"]) == 2
    assert "already exist" in capsys.readouterr().err
    assert (tmp_path / "layers" / "shrink.py").read_text() == "mine"
    assert not (tmp_path / "derivations" / "shrink.py").exists()


@pytest.mark.parametrize("name", ["2fast", "soft-plus", "class", "_private", "report", "new"])
def test_new_refuses_names_that_cannot_be_layers(name, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["new", name]) == 2
    assert capsys.readouterr().err.startswith("error: ")
    assert not list(tmp_path.iterdir())


def test_new_help_says_where_the_files_go():
    done = subprocess.run(
        [sys.executable, "-m", "gradcheck", "new", "--help"], capture_output=True, text=True
    )
    assert done.returncode == 0 and "CURRENT DIRECTORY" in done.stdout


def test_no_layer_is_named_like_a_subcommand():
    from gradcheck.scaffold import RESERVED

    clash = RESERVED & set(layer_names())
    assert not clash, f"python -m gradcheck {clash} runs a subcommand, never the layer: rename it"


def test_new_warns_when_the_registry_will_not_see_the_files(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # not a clone's root: ./layers is not the imported package
    assert main(["new", "shrink"]) == 0
    assert "the registry will not find 'shrink'" in capsys.readouterr().err


def test_no_warning_where_the_registry_does_find_the_files(skeleton, capsys):
    from gradcheck.scaffold import registry_finds

    assert registry_finds(skeleton)  # the fixture put its ./layers on the package's path
    assert main(["new", "grow"]) == 0
    assert "warning" not in capsys.readouterr().err
