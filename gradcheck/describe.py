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


def proof_status(layer: Layer) -> list[str]:
    """Per closed index form: "proven for all sizes" (:mod:`gradcheck.allsizes`), or the
    registered shapes it is proven at (:mod:`gradcheck.proof`) and why not at every size."""
    from gradcheck.allsizes import DISPROVED, PROVEN, prove_derivation

    if layer.derivation is None:
        return []
    shapes = []
    for case in layer.cases:
        shape = ", ".join("x".join(map(str, d.shape)) or "scalar" for d in case.inputs)
        if case.symbolic and shape not in shapes:
            shapes.append(shape)
    statuses = []
    for verdict in prove_derivation(layer.derivation):
        if verdict.status == PROVEN:
            statuses.append(PROVEN + (f" ({verdict.detail})" if verdict.detail else ""))
        elif verdict.status == DISPROVED:
            statuses.append(f"disproved: {verdict.detail}")
        else:
            statuses.append(f"proven at shapes ({'; '.join(shapes)}): {verdict.status}")
    return statuses


def proven_for_all_sizes(layer: Layer) -> bool:
    """Whether every closed index form of the layer is proven for all sizes."""
    from gradcheck.allsizes import PROVEN

    statuses = proof_status(layer)
    return bool(statuses) and all(status.startswith(PROVEN) for status in statuses)


def proof_cell(proof: str | None, all_sizes: bool) -> str:
    """A case's proof column: "all" (every size), "yes" (the case's shapes), "NO" or "-"."""
    cell = {"proved": "yes", None: "-"}.get(proof, "NO")
    return "all" if cell == "yes" and all_sizes else cell


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
    equation), its Jacobian in LaTeX, and per formula what it is proven for."""
    rows = []
    for name in names or layer_names():
        layer = get_layer(name)
        latex = "<br>".join(f"${tex}$" for _, tex in formulas(layer)) or "(no derivation)"
        described, equation = summary(layer), forward_equation(layer)
        if equation and " = " not in described:  # else the summary states the equation already
            described += f"<br>`{equation}`"
        inputs = list(getattr(layer.derivation, "FORMULAS", {}))
        statuses = [f"{n}: {s}" for n, s in zip(inputs, proof_status(layer), strict=True)]
        proven = "<br>".join(statuses) or "-"
        row = [f"[{name}](layers/{name}.py)", described, latex.replace("|", r"\vert "), proven]
        rows.append(row)
    header = ["layer", "what it computes", "Jacobian (closed index form)", "proof"]
    return to_markdown([("table", header, rows)])
