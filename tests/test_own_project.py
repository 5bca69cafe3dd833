"""trigrad in someone else's project (examples/own_project, copied to a temporary folder): the
pytest items and ``python -m gradcheck`` of a ``[tool.trigrad]`` collection, green and then red
with a planted bug; and a project with a ``layers`` package of its own, untouched."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "own_project"
CASE_IDS = {  # what the example's CASES are, written out: the ids a user sees
    "rmsnorm": ["2x5-5", "3x1x4-4-eps0.01", "64x33-33"],
    "scale_shift": ["3x4-4-4", "2x3x5-5-5", "64x33-33-33"],
}
PLANTED = ("(x.shape[-1] * r**3)", "(x.shape[-1] * r**2)")  # rmsnorm's ∂L/∂x off by a factor r


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}
    env.pop("PYTEST_XDIST_WORKER", None)
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=300
    )


def pytest_in(project: Path, *args: str) -> subprocess.CompletedProcess:
    return run("-m", "pytest", "-p", "no:cacheprovider", *args, cwd=project)


@pytest.fixture
def project(tmp_path):
    target = tmp_path / "own_project"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def plant_bug(project: Path) -> None:
    layer = project / "mynn" / "layers" / "rmsnorm.py"
    text = layer.read_text()
    assert PLANTED[0] in text
    layer.write_text(text.replace(*PLANTED))


def test_pytest_collects_one_item_per_case_with_readable_ids(project):
    done = pytest_in(project, "--collect-only", "-q")
    assert done.returncode == 0, done.stdout + done.stderr
    items = {line for line in done.stdout.splitlines() if "::" in line}
    expected = {
        f"mynn/layers/{name}.py::{name}[{case}]" for name, ids in CASE_IDS.items() for case in ids
    }
    assert expected <= items
    assert items - expected == {"tests/test_model.py::test_swish"}  # the project's own test
    assert f"{len(items)} tests collected" in done.stdout


def test_correct_layers_pass_pytest_in_parallel_and_the_cli(project):
    done = pytest_in(project, "-n", "2")
    assert done.returncode == 0, done.stdout
    assert re.search(r"\b7 passed\b", done.stdout)
    cli = run("-m", "gradcheck", cwd=project)
    assert cli.returncode == 0, cli.stdout + cli.stderr
    assert cli.stdout.strip().endswith("6 passed, 0 failed")
    assert re.search(r"rmsnorm +2x5-5 .* yes  pass", cli.stdout)  # no INDEX_FORWARD: at shapes
    bench = run("-m", "gradcheck", "bench", "--repeat", "1", "--no-torch", cwd=project)
    assert bench.returncode == 0, bench.stderr
    for name in CASE_IDS:
        assert f"| {name} | float32 | 64x33 " in bench.stdout


def test_a_planted_backward_bug_fails_both_naming_the_layer_and_the_element(project):
    plant_bug(project)
    done = pytest_in(project, "-v")
    assert done.returncode == 1
    for case in CASE_IDS["rmsnorm"]:
        assert f"rmsnorm.py::rmsnorm[{case}] FAILED" in done.stdout
    for case in CASE_IDS["scale_shift"]:
        assert f"scale_shift.py::scale_shift[{case}] PASSED" in done.stdout
    failure = done.stdout.split("= FAILURES =")[1]
    assert "FAIL rmsnorm-2x5-5" in failure and "blame backward" in failure
    assert re.search(r"worst: ∂y\[\d,\d\]/∂x\[\d,\d\]", failure)
    assert "Traceback" not in failure and "gradcheck/" not in failure  # the report alone

    cli = run("-m", "gradcheck", cwd=project)
    assert cli.returncode == 1
    assert "FAIL rmsnorm-2x5-5" in cli.stdout and "blame backward" in cli.stdout
    assert re.search(r"scale_shift +3x4-4-4 .* pass", cli.stdout)
    assert cli.stdout.strip().endswith("3 passed, 3 failed")


def test_a_failing_fixture_check_shows_the_report_and_the_test_line_only(project):
    test = project / "tests" / "test_model.py"
    test.write_text(test.read_text().replace("s + beta * x * s", "s + x * s"))  # drops β
    done = pytest_in(project, "tests")
    assert done.returncode == 1
    failure = done.stdout.split("= FAILURES =")[1].split("short test summary")[0]
    assert "blame backward" in failure and "worst: ∂y[" in failure
    assert "test_model.py:20: gradient check failed" in failure
    assert "def assert_gradients" not in failure and "array(" not in failure


def test_a_project_with_its_own_layers_package_tests_as_before(tmp_path):
    (tmp_path / "layers").mkdir()
    (tmp_path / "layers" / "__init__.py").write_text("OWN = True\n")
    (tmp_path / "layers" / "dense.py").write_text("def forward(x):\n    return x\n")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "theirs"\nversion = "0"\n')
    (tmp_path / "test_theirs.py").write_text(
        "import layers\n\n\ndef test_own_layers():\n    assert layers.OWN\n"
    )
    done = pytest_in(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout and "dense" not in done.stdout
    imported = run("-c", "import gradcheck, layers; print(layers.OWN)", cwd=tmp_path)
    assert imported.stdout.strip() == "True", imported.stderr


def test_a_broken_trigrad_table_stops_pytest_saying_what_is_wrong(project):
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('layers = "mynn.layers"', 'layer = "x"'))
    done = pytest_in(project)
    assert done.returncode == 4  # pytest's usage error
    assert "[tool.trigrad]" in done.stderr and "unknown key 'layer'" in done.stderr


def test_a_module_that_cannot_be_imported_fails_alone(project):
    (project / "mynn" / "layers" / "broken.py").write_text("import no_such_dependency\n")
    done = pytest_in(project, "-v")
    assert done.returncode == 1
    assert "broken.py::broken FAILED" in done.stdout and "test_swish PASSED" in done.stdout
    assert "cannot import mynn.layers.broken: ModuleNotFoundError" in done.stdout
    assert "INTERNALERROR" not in done.stdout + done.stderr
    cli = run("-m", "gradcheck", cwd=project)
    assert cli.returncode == 1 and "Traceback" not in cli.stderr
    assert "error: cannot import mynn.layers.broken" in cli.stderr
    assert cli.stdout.strip().endswith("6 passed, 0 failed, 1 could not be checked")


def test_a_layer_without_cases_fails_instead_of_passing_empty(project):
    (project / "mynn" / "layers" / "empty.py").write_text(
        "def forward(x):\n    return x, None\n\n\ndef backward(g, cache):\n    return (g,)\n"
    )
    done = pytest_in(project, "-v")
    assert done.returncode == 1 and "empty.py::empty FAILED" in done.stdout
    assert "mynn.layers.empty registers no CASES" in done.stdout
    cli = run("-m", "gradcheck", "empty", cwd=project)
    assert cli.returncode == 1 and "registers no CASES" in cli.stderr


@pytest.mark.parametrize(
    "wrong, message",
    [
        ('derivations = "mynn.derivs"', "cannot import 'mynn.derivs'"),  # was a silent 2-leg pass
        ("[tool.trigrad]", "[tool.trigard] in "),  # a misspelt table name
    ],
    ids=["derivations-typo", "table-typo"],
)
def test_a_misnamed_package_or_table_is_an_error_not_a_weaker_check(project, wrong, message):
    pyproject = project / "pyproject.toml"
    right = 'derivations = "mynn.derivations"' if "derivs" in wrong else "[tool.trigrad]"
    pyproject.write_text(pyproject.read_text().replace(right, wrong.replace("trigrad", "trigard")))
    done = pytest_in(project)
    assert done.returncode == 4 and message in done.stderr  # pytest's usage error
    cli = run("-m", "gradcheck", cwd=project)
    assert cli.returncode == 2 and message in cli.stderr and "Traceback" not in cli.stderr


def test_the_plugin_leaves_sys_path_as_the_project_set_it(project):
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('pythonpath = ["."]', ""))
    # the pytest command, not python -m pytest, which puts the working directory on sys.path
    command = Path(sys.executable).with_name("pytest")
    done = subprocess.run([command, "-p", "no:cacheprovider"], cwd=project, capture_output=True,
                          text=True)  # fmt: skip
    assert done.returncode == 4
    assert "cannot import 'mynn.layers'" in done.stderr and 'pythonpath = ["."]' in done.stderr


def test_on_a_terminal_that_cannot_print_the_report_it_falls_back_to_ascii(project):
    plant_bug(project)
    env_run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-k", "rmsnorm"],
        cwd=project, capture_output=True, env={**os.environ, "PYTHONIOENCODING": "ascii"},
    )  # fmt: skip
    out = env_run.stdout.decode("ascii")
    assert env_run.returncode == 1
    assert re.search(r"\n  worst: d y\[\d,\d\]/d x\[\d,\d\]: ", out)  # lines kept, names in ASCII
