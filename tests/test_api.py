"""The public API: every name importable from ``gradcheck``, documented, in docs/api.md, typed,
and importing ``gradcheck`` imports nothing else (pytest loads it in every project)."""

import ast
import importlib.util
import inspect
import subprocess
import sys
from importlib.metadata import distribution, entry_points
from importlib.resources import files
from pathlib import Path

import pytest

import gradcheck

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", gradcheck.__all__)
def test_every_public_name_imports_and_has_its_own_docstring(name):
    obj = getattr(gradcheck, name)
    doc = (obj.__doc__ or "").strip()
    assert doc, f"gradcheck.{name} has no docstring: the API reference would be empty"
    assert not doc.startswith(f"{name}("), f"gradcheck.{name}: only the dataclass's signature"


def test_the_type_checking_imports_are_the_public_names():
    tree = ast.parse(Path(gradcheck.__file__).read_text())
    guarded = next(n for n in tree.body if isinstance(n, ast.If) and "TYPE_CHECKING" in ast.dump(n))
    imported = {
        alias.name: node.module
        for node in guarded.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert imported == gradcheck.PUBLIC


def test_star_import_gives_the_public_names():
    namespace: dict = {}
    exec("from gradcheck import *", namespace)
    assert set(gradcheck.__all__) <= set(namespace)


def test_the_notebook_helpers_are_documented_too():
    import gradcheck.notebook as notebook

    for name in notebook.__all__:
        assert (getattr(notebook, name).__doc__ or "").strip(), f"gradcheck.notebook.{name}"


def test_the_api_reference_is_generated_from_the_current_docstrings():
    spec = importlib.util.spec_from_file_location("docs_build", ROOT / "docs" / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    text = build.build()
    for name in gradcheck.__all__:
        assert f"### `{name}" in text or f"### `class {name}" in text, f"{name} is not in api.md"
    assert (ROOT / "docs" / "api.md").read_text(encoding="utf-8") == text, (
        "docs/api.md is out of date: run python docs/build.py"
    )


def test_the_package_ships_its_type_marker_and_json_schema():
    assert (files("gradcheck") / "py.typed").is_file()
    assert (files("gradcheck") / "results.schema.json").is_file()


def test_the_installed_distribution_adds_only_gradcheck():
    """No generic top-level name (layers, derivations, optim, tests, ...) in site-packages."""
    top_level = distribution("trigrad").read_text("top_level.txt")
    assert top_level is not None, "trigrad is not installed: pip install -e ."
    assert top_level.split() == ["gradcheck"]


def test_the_pytest_plugin_is_registered_on_install():
    plugins = {e.name: e.value for e in entry_points(group="pytest11")}
    assert plugins.get("trigrad") == "gradcheck.pytest_plugin"


def test_importing_gradcheck_imports_no_collection_nor_numpy(tmp_path):
    (tmp_path / "layers").mkdir()
    (tmp_path / "layers" / "__init__.py").write_text("OWN = True\n")
    probe = (
        "import sys, gradcheck, gradcheck.pytest_plugin, layers; assert layers.OWN; "
        "print(sorted(m for m in ('numpy', 'sympy', 'derivations') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_public_functions_have_type_hints():
    for name in gradcheck.__all__:
        obj = getattr(gradcheck, name)
        if inspect.isfunction(obj):
            assert "return" in obj.__annotations__, f"gradcheck.{name} has no return annotation"


def test_no_public_name_is_also_a_submodule():
    """Importing gradcheck.<name> would replace the public function of that name."""
    import pkgutil

    submodules = {m.name for m in pkgutil.iter_modules(gradcheck.__path__)}
    assert not submodules & set(gradcheck.__all__)


def test_every_subpackage_is_installed(tmp_path):
    """Imported from outside the clone, as a user's project does: the installed copy alone."""
    source = Path(gradcheck.__file__).resolve().parent
    subpackages = [
        "gradcheck." + ".".join(init.parent.relative_to(source).parts)
        for init in source.rglob("__init__.py")
        if init.parent != source
    ]
    assert subpackages, "gradcheck has subpackages (gradcheck.allsizes)"
    env = {k: v for k, v in __import__("os").environ.items() if k != "PYTHONPATH"}
    probe = f"import importlib; [importlib.import_module(m) for m in {subpackages!r}]"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
