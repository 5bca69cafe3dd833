"""``python -m gradcheck new NAME``: a skeleton written into the project's collection, that
parses, registers, and fails saying what to write next until it is done."""

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gradcheck import bind, check
from gradcheck.cli import main
from gradcheck.collection import find_collection
from gradcheck.registry import check_layer, get_layer, layer_names

TABLE = '[tool.trigrad]\nlayers = "skel.layers"\nderivations = "skel.derivations"\n'


@pytest.fixture
def project(tmp_path, monkeypatch):
    """An empty project whose pyproject.toml names skel.layers; forgotten afterwards."""
    (tmp_path / "skel" / "layers").mkdir(parents=True)
    (tmp_path / "skel" / "__init__.py").write_text("")
    (tmp_path / "skel" / "layers" / "__init__.py").write_text("")
    (tmp_path / "pyproject.toml").write_text(TABLE)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    yield tmp_path
    for module in [m for m in sys.modules if m == "skel" or m.startswith("skel.")]:
        del sys.modules[module]
    importlib.invalidate_caches()


def test_new_writes_two_files_that_parse_into_the_collection(project, capsys):
    assert main(["new", "shrink"]) == 0
    written = [
        project / "skel" / "layers" / "shrink.py",
        project / "skel" / "derivations" / "shrink.py",
    ]
    for path in written:
        ast.parse(path.read_text())
    out = capsys.readouterr().out
    assert all(f"wrote {path}" in out for path in written)
    assert "python -m gradcheck shrink" in out and "pytest -k shrink" in out


def test_the_skeleton_is_registered_completely(project):
    assert main(["new", "shrink"]) == 0
    assert layer_names() == ["shrink"]
    layer = get_layer("shrink")
    assert layer.input_names == ["x"] and list(layer.derivation.FORMULAS) == ["x"]
    assert any(c.symbolic for c in layer.cases) and any(not c.symbolic for c in layer.cases)
    assert not layer.module.BENCHMARK.symbolic
    assert layer.derivation.FORMULAS["x"].latex().startswith(r"\frac{\partial")


def test_the_skeleton_fails_saying_what_to_write_next(project):
    assert main(["new", "shrink"]) == 0
    report = check_layer("shrink")[0]
    assert not report.passed and report.blame == "forward"
    assert "skel.layers.shrink: write forward(x) -> (y, cache)" in str(report)

    module = get_layer("shrink").module
    module.forward = lambda x: (np.tanh(x), x)
    report = check_layer("shrink")[0]
    assert report.blame == "backward" and "write backward(grad_output, cache)" in str(report)

    module.backward = lambda g, x: (g / np.cosh(x) ** 2,)
    report = check_layer("shrink")[0]
    assert report.blame == "derivation" and "write expressions(x)" in str(report)

    with pytest.raises(NotImplementedError, match="write torch_reference"):
        module.torch_reference(np.zeros(2))


@pytest.mark.parametrize(
    "options, inputs, hyper",
    [
        (["--inputs", "x,weight,bias"], ["x", "weight", "bias"], {}),
        (["--kind", "row"], ["x"], {"axis": -1}),
        (["--kind", "row", "--inputs", "x,gain"], ["x", "gain"], {"axis": -1}),
    ],
    ids=["parameters", "row", "row-with-parameters"],
)
def test_other_kinds_of_skeleton_fail_saying_what_to_write_next(project, options, inputs, hyper):
    assert main(["new", "thing", *options]) == 0
    layer = get_layer("thing")
    assert layer.input_names == inputs and list(layer.derivation.FORMULAS) == inputs
    case = layer.cases[0]
    assert len(case.inputs) == len(inputs)
    report = check_layer("thing")[0]
    assert report.blame == "forward"
    assert f"write forward({', '.join(inputs)}) -> (y, cache)" in str(report)

    module = layer.module  # a right layer, y = tanh(x) * (1 + Σ params), to reach the next step

    def forward(x, *params, **kw):
        scale = 1 + sum(p.sum() for p in params)
        return np.tanh(x) * scale, (x, params, scale)

    module.forward = forward
    report = check_layer("thing")[0]
    assert report.blame == "backward", str(report)
    assert f"write backward(grad_output, cache) -> ({', '.join('grad_' + p for p in inputs)}" + (
        "," * (len(inputs) == 1) + ")"
    ) in str(report)
    for name in inputs[1:]:
        assert (
            f'"{name}": Formula(y[b, i], {name}[k], sp.Symbol("TODO"))'
            in (project / "skel" / "derivations" / "thing.py").read_text()
        )
    assert set(layer.cases[0].hyper) == set()  # the default axis stays a keyword's default
    assert all(
        k in __import__("inspect").signature(layer.derivation.expressions).parameters for k in hyper
    )


def test_a_filled_in_skeleton_fails_until_its_index_form_is_written(project):
    import sympy as sp

    from gradcheck import elementwise

    assert main(["new", "shrink"]) == 0
    layer = get_layer("shrink")
    inputs, _ = layer.cases[0].sample(0)
    derivation = layer.derivation
    derivation.expressions = lambda x: elementwise(sp.tanh, x)
    derivation.jacobian = lambda x: (derivation.FORMULAS["x"].evaluate({"x": x}, x.shape, x.shape),)
    report = check(
        lambda x: (np.tanh(x), x), lambda g, x: (g / np.cosh(x) ** 2,), inputs, bind(derivation)
    )
    assert report.proof == "disproved" and "TODO" in str(report)


def test_new_refuses_to_overwrite(project, capsys):
    (project / "skel" / "layers" / "shrink.py").write_text("mine")
    assert main(["new", "shrink"]) == 2
    assert "already exist; nothing written" in capsys.readouterr().err
    assert (project / "skel" / "layers" / "shrink.py").read_text() == "mine"
    assert not (project / "skel" / "derivations" / "shrink.py").exists()


@pytest.mark.parametrize(
    "args",
    [["2fast"], ["soft-plus"], ["class"], ["_private"], ["report"], ["new"],
     ["ok", "--inputs", "weight,x"], ["ok", "--inputs", "x,x"], ["ok", "--inputs", "x,cache"],
     ["ok", "--inputs", "x,2w"]],
)  # fmt: skip
def test_new_refuses_names_that_cannot_be_layers(args, project, capsys):
    before = sorted(project.rglob("*"))
    assert main(["new", *args]) == 2
    assert capsys.readouterr().err.startswith("error: ")
    assert sorted(project.rglob("*")) == before


def test_new_refuses_where_no_collection_can_be_found_and_writes_nothing(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "gradcheck", "new", "shrink"],
        cwd=tmp_path, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 2
    assert "[tool.trigrad]" in done.stderr and "nothing written" in done.stderr
    assert "Traceback" not in done.stderr
    assert not list(tmp_path.iterdir())


def test_new_without_a_derivations_package_writes_the_layer_and_says_so(project, capsys):
    (project / "pyproject.toml").write_text('[tool.trigrad]\nlayers = "skel.layers"\n')
    assert main(["new", "shrink"]) == 0
    assert (project / "skel" / "layers" / "shrink.py").exists()
    assert not (project / "skel" / "derivations").exists()
    assert "finite differences only" in capsys.readouterr().out


def test_new_help_says_where_the_files_go_and_shows_defaults():
    done = subprocess.run(
        [sys.executable, "-m", "gradcheck", "new", "--help"], capture_output=True, text=True
    )
    assert done.returncode == 0 and "collection's layers package" in done.stdout
    assert "(default: x)" in done.stdout and "(default: elementwise)" in done.stdout


def test_no_layer_is_named_like_a_subcommand():
    from gradcheck.scaffold import RESERVED

    clash = RESERVED & set(layer_names(find_collection()))
    assert not clash, f"python -m gradcheck {clash} runs a subcommand, never the layer: rename it"


@pytest.mark.parametrize(
    "options",
    [[], ["--inputs", "x,weight,bias"], ["--kind", "row", "--inputs", "x,gain"],
     ["--inputs", "x,a_rather_long_parameter_name,another_long_parameter_name,a_third_one"]],
    ids=["elementwise", "parameters", "row", "long-names"],
)  # fmt: skip
def test_skeletons_pass_ruff_with_its_defaults(project, options):
    """A user's linter, unconfigured (88 columns, isort), passes the files as written."""
    ruff = Path(sys.executable).with_name("ruff")
    assert ruff.exists(), "the test extra installs ruff"
    assert main(["new", "thing", *options]) == 0
    files = [str(project / "skel" / d / "thing.py") for d in ("layers", "derivations")]
    checked = subprocess.run([ruff, "check", "--isolated", "--select", "E,F,W,I", *files],
                             capture_output=True, text=True)  # fmt: skip
    assert checked.returncode == 0, checked.stdout
    formatted = subprocess.run([ruff, "format", "--isolated", "--diff", *files],
                               capture_output=True, text=True)  # fmt: skip
    assert formatted.returncode == 0, formatted.stdout
