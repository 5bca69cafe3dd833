"""pytest plugin, registered on install.

In every project it offers the ``gradcheck`` fixture, :func:`gradcheck.assert_gradients`, and
shows a failing check as the report's text alone (no traceback into trigrad)::

    def test_my_layer(gradcheck):
        gradcheck(my_forward, my_backward, [x, w])

In a project that names its collection (``[tool.trigrad]`` in its ``pyproject.toml``), or run
with ``pytest --gradcheck``, it also collects one test item per registered case of each layer,
``mynn/layers/rmsnorm.py::rmsnorm[3x4-4]``, wherever pytest walks the layer modules: a run that
names no paths walks the layers package too (beside ``testpaths``), and ``pytest
mynn/layers/rmsnorm.py`` checks one layer.  Elsewhere the plugin imports nothing but this module
and reads one file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("trigrad").addoption(
        "--gradcheck",
        action="store_true",
        help="check every case of every layer in the project's collection ([tool.trigrad] in "
        "pyproject.toml, else ./layers and ./derivations); on by default where the table exists",
    )


def pytest_configure(config: pytest.Config) -> None:
    from gradcheck.collection import CollectionError, configured

    try:
        wanted = config.getoption("gradcheck") or configured(config.invocation_params.dir)
    except CollectionError as error:
        raise pytest.UsageError(str(error)) from None
    if wanted:
        config.pluginmanager.register(LayerCollector(config), "trigrad-layers")


def _printable(text: str) -> str:
    """The report as the terminal can show it: ∂ and δ, or ASCII names (d y[0]/d x[1])."""
    import sys

    from gradcheck.textout import for_stream

    return for_stream(text, sys.__stdout__)


@pytest.fixture
def gradcheck() -> Any:
    """:func:`gradcheck.assert_gradients`: check a layer, fail the test with the report."""
    from gradcheck.checker import assert_gradients

    return assert_gradients


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    outcome = yield
    failure = call.excinfo.value if call.excinfo is not None else None
    if getattr(failure, "report", None) is None or isinstance(item, LayerCase):
        return
    from gradcheck.report import GradientCheckFailed

    if isinstance(failure, GradientCheckFailed):
        frames = call.excinfo.traceback.filter(call.excinfo) or call.excinfo.traceback
        text = str(failure)
        if frames:  # the test's own line
            path = Path(frames[-1].path)
            if path.is_relative_to(item.config.rootpath):
                path = path.relative_to(item.config.rootpath)
            text += f"\n\n{path}:{frames[-1].lineno + 1}: gradient check failed"
        outcome.get_result().longrepr = _printable(text)


class LayerCase(pytest.Item):
    """One registered case of one layer: passes when the check passes, and finds kinks exactly
    where the case says it samples one (``at_kink``)."""

    def __init__(self, *, layer: Any, case: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.layer, self.case = layer, case

    def runtest(self) -> None:
        from gradcheck.registry import check_case, kink_problem
        from gradcheck.report import GradientCheckFailed

        report = check_case(self.layer, self.case)
        problem = None if not report.passed else kink_problem(report, self.case)
        if not report.passed or problem:
            raise GradientCheckFailed(report, problem)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        from gradcheck.report import GradientCheckFailed

        if isinstance(excinfo.value, GradientCheckFailed):
            return _printable(str(excinfo.value))
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, self.name


class LayerModule(pytest.File):
    """A module of the collection's layers package: its cases, one item each; one failing item
    when it cannot be imported or registers no case; nothing when it is not a layer."""

    def __init__(self, *, layer_name: str, collection: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.layer_name, self.collection = layer_name, collection

    def collect(self) -> Any:
        from gradcheck.registry import get_layer

        names, broken = self.collection.scan()
        if self.layer_name in broken:  # the user's own error, as one failure: the rest run
            yield Problem.from_parent(self, name=self.layer_name, problem=broken[self.layer_name])
            return
        if self.layer_name not in names:
            return  # a helper module, not a layer
        layer = get_layer(self.layer_name, self.collection)
        if not layer.cases:
            problem = f"{layer.module.__name__} registers no CASES: nothing would be checked"
            yield Problem.from_parent(self, name=self.layer_name, problem=problem)
        for case in layer.cases:
            yield LayerCase.from_parent(
                self, name=f"{layer.name}[{case.id}]", layer=layer, case=case
            )


class Problem(pytest.Item):
    """A layer module that cannot be checked, failing with the reason."""

    def __init__(self, *, problem: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.problem = problem

    def runtest(self) -> None:
        pytest.fail(self.problem, pytrace=False)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, self.name


class LayerCollector:
    """Registered by :func:`pytest_configure` only where layers are to be checked: collects the
    collection's layer modules as :class:`LayerModule` wherever pytest walks them."""

    def __init__(self, config: pytest.Config) -> None:
        from gradcheck.collection import CollectionError, find_collection

        try:  # imported as the project's own tests import it: sys.path is left alone
            self.collection = find_collection(config.invocation_params.dir, extend_path=False)
            self.collection.validate()
            files = self.collection.modules()
            folder = Path(self.collection.layer_package().__path__[0]).resolve()
        except CollectionError as error:
            raise pytest.UsageError(f"trigrad: {error}") from None
        self.modules = {path.resolve(): name for name, path in files.items() if path}
        sources = getattr(pytest.Config, "ArgsSource", None)  # pytest >= 7.3
        named = sources is not None and getattr(config, "args_source", None) == sources.ARGS
        walked = [
            Path(config.invocation_params.dir, a.split("::")[0]).resolve() for a in config.args
        ]
        if not named and not any(folder.is_relative_to(path) for path in walked):
            # a run that names no paths (testpaths = ["tests"]) checks the layers too
            config.args.append(str(folder))

    def pytest_collect_file(self, file_path: Path, parent: pytest.Collector) -> Any:
        name = self.modules.get(file_path.resolve())
        if name is None:
            return None
        return LayerModule.from_parent(
            parent, path=file_path, layer_name=name, collection=self.collection
        )
