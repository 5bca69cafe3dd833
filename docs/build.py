"""Write docs/api.md, the API reference, from the docstrings of ``gradcheck``'s public names.

    python docs/build.py          # rewrite docs/api.md
    python docs/build.py --check  # exit 1 if docs/api.md is not what the docstrings say

``tests/test_api.py`` runs the check, so a docstring changed without rebuilding fails the tests.
"""

from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path

import gradcheck

API = Path(__file__).with_name("api.md")
HEAD = """# API reference

Everything a user writes against, importable from `gradcheck`
(`from gradcheck import check, Case, rand_normal, Formula, delta`).  Generated from the
docstrings by `python docs/build.py`; do not edit by hand.
"""


def _signature(obj: object) -> str:
    for evaluate in (True, False):  # annotations as types, else as the strings written
        try:
            text = str(inspect.signature(obj, eval_str=evaluate))
            return re.sub(r"\b(?:[a-z_]+\.)+(?=[A-Za-z_])", "", text)  # np.ndarray: ndarray
        except (NameError, TypeError, ValueError):
            continue
    return ""


def _methods(cls: type) -> list[str]:
    """The class's own public methods and properties, one line each."""
    lines = []
    for name, member in vars(cls).items():
        if name.startswith("_") or not (callable(member) or isinstance(member, property)):
            continue
        doc = (inspect.getdoc(member) or "").split("\n\n")[0].replace("\n", " ")
        call = "" if isinstance(member, property) else _signature(member).replace("(self, ", "(")
        lines.append(f"- `{name}{call.replace('(self)', '()')}`" + (f": {doc}" if doc else ""))
    return lines


def entry(name: str, owner: object = gradcheck) -> str:
    """One name's section: its signature, its docstring, and a class's methods."""
    obj = getattr(owner, name)
    module = getattr(obj, "__module__", "")
    if not module.startswith("gradcheck"):  # re-exported from a library: say which
        summary = (inspect.getdoc(obj) or "").split("\n\n")[0]
        return f"### `{name}`\n\n`{module}.{obj.__name__}`: {summary}\n"
    kind = "class " if inspect.isclass(obj) else ""
    parts = [f"### `{kind}{name}{_signature(obj)}`", f"*{module}*", inspect.getdoc(obj) or ""]
    if inspect.isclass(obj):
        parts += ["\n".join(_methods(obj))]
    return "\n\n".join(p for p in parts if p) + "\n"


def build() -> str:
    groups: dict[str, list[str]] = {}
    for name, module in gradcheck.PUBLIC.items():
        groups.setdefault(module, []).append(name)
    sections = [HEAD]
    for module, names in groups.items():
        doc = inspect.getdoc(sys.modules.get(module) or __import__(module, fromlist=["_"]))
        title = " ".join((doc or module).split("\n\n")[0].split())  # the first paragraph
        sections.append(f"## `{module}`\n\n{title}\n")
        sections += [entry(name) for name in names]
    sections.append(walkthrough())
    sections.append(plugin())
    return "\n".join(sections)


def walkthrough() -> str:
    """The section of :mod:`gradcheck.notebook`, the helpers the notebooks open with."""
    import gradcheck.notebook as notebook

    head = f"## `gradcheck.notebook`\n\n{inspect.getdoc(notebook)}\n"
    return "\n".join([head, *(entry(name, notebook) for name in notebook.__all__)])


def plugin() -> str:
    """The pytest plugin's section: what it offers in every project, and the option."""
    import gradcheck.pytest_plugin as plugin

    fixture = inspect.getdoc(plugin.gradcheck.__wrapped__) or ""
    return (
        "## The pytest plugin (`gradcheck.pytest_plugin`)\n\n"
        f"{inspect.getdoc(plugin)}\n\n"
        f"### fixture `gradcheck`\n\n{fixture}\n\n"
        "### option `pytest --gradcheck`\n\n"
        "Collect the layers of the project's collection even without a `[tool.trigrad]` table "
        "(then `./layers` and `./derivations`).\n"
    )


if __name__ == "__main__":
    text = build()
    if "--check" in sys.argv:
        sys.exit(0 if API.read_text(encoding="utf-8") == text else 1)
    API.write_text(text, encoding="utf-8")
    print(f"wrote {API}")
