"""The project's own promises about itself: Quick start, CI, packaging."""

import configparser
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = re.search(r"^## Quick start\n(.*?)(?=^## )", readme, re.M | re.S)
    assert section, "README.md has no '## Quick start' section"
    block = re.search(r"```sh\n(.*?)```", section.group(1), re.S)
    assert block, "the Quick start has no sh block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_quick_start_is_two_commands_install_then_tox():
    install, test = quick_start_commands()
    assert "pip install ." in install and install.endswith("python -m gradcheck")
    assert "pip install tox" in test and test.endswith("tox")


def test_ci_runs_the_readme_commands_as_written():
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    for command in quick_start_commands():
        assert command in ci, f".ci/run does not run the README's command: {command}"
    assert {"tox -e reference", "tox -e notebooks", "tox -e sweep"} <= set(ci)


def test_tox_has_the_envs_the_readme_names():
    tox = configparser.ConfigParser()
    tox.read(ROOT / "tox.ini")
    assert {"testenv:test", "testenv:lint", "testenv:reference"} <= set(tox.sections())
    assert set(tox["tox"]["envlist"].replace(",", " ").split()) == {"test", "lint"}


def test_runtime_dependencies_are_numpy_sympy_and_platformdirs_only():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {re.split(r"[<>=!~ ]", d)[0] for d in project["dependencies"]}
    assert names == {"numpy", "sympy", "platformdirs"}  # torch is never a runtime dependency
    assert project["requires-python"] == ">=3.11"
