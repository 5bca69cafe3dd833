"""How a layer describes itself: its docstring's summary and equation, its closed index forms
in LaTeX, and the README's table of every layer built from them."""

from __future__ import annotations

import inspect
from collections.abc import Sequence

from gradcheck.registry import Layer, get_layer, layer_names
from gradcheck.render import to_markdown


def summary(layer: Layer) -> str:
    """The first paragraph of the layer's docstring, on one line, with Markdown code spans."""
    doc = inspect.getdoc(layer.module) or f"{layer.module.__name__} (no docstring)"
    first = " ".join(doc.split("\n\n")[0].split())
    return first.replace("``", "`")


def formulas(layer: Layer) -> list[tuple[str, str]]:
    """(input name, LaTeX) for each closed index form; an explanation when there is none."""
    if layer.derivation is None:
        return []
    try:
        return [(name, f.latex()) for name, f in getattr(layer.derivation, "FORMULAS", {}).items()]
    except Exception as error:  # a half-written derivation must not stop the report
        return [("?", rf"\text{{FORMULAS do not render: {type(error).__name__}}}")]


def math_blocks(layer: Layer) -> list[tuple[str, str, str]]:
    """A ``("math", latex, mathml)`` block for each closed index form (see :mod:`render`)."""
    if layer.derivation is None:
        return []
    try:
        found = getattr(layer.derivation, "FORMULAS", {}).values()
        return [("math", f.latex(), f.mathml()) for f in found]
    except Exception as error:  # a half-written derivation must not stop the report
        text = f"FORMULAS do not render: {type(error).__name__}"
        return [("math", rf"\text{{{text}}}", f"<math><mtext>{text}</mtext></math>")]


def forward_equation(layer: Layer) -> str:
    """The docstring's first indented block (its equation), on one line; "" when there is none."""
    block = []
    for line in (inspect.getdoc(layer.module) or "").splitlines():
        if line.startswith("    ") and line.strip():
            block.append(" ".join(line.split()))
        elif block:
            break
    joined = ""
    for line in block:
        joined += (" " if not joined or joined.endswith(",") else "; ") + line
    return joined.strip()


def layer_table(names: Sequence[str] | None = None) -> str:
    """The README's table of layers: name, what it computes (the docstring's summary and first
    equation), its Jacobian in LaTeX."""
    rows = []
    for name in names or layer_names():
        layer = get_layer(name)
        latex = "<br>".join(f"${tex}$" for _, tex in formulas(layer)) or "(no derivation)"
        described, equation = summary(layer), forward_equation(layer)
        if equation and " = " not in described:  # else the summary states the equation already
            described += f"<br>`{equation}`"
        rows.append([f"[{name}](layers/{name}.py)", described, latex.replace("|", r"\vert ")])
    header = ["layer", "what it computes", "Jacobian (closed index form)"]
    return to_markdown([("table", header, rows)])
