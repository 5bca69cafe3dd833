"""Write the notebooks (one per family in ``families.py``) and the README's table of layers.

    pip install -e '.[notebooks]' && python notebooks/build.py

Notebooks are written without outputs (tests/test_notebooks_index.py checks): CI executes
them, ``tox -e notebooks``.  The README's table sits between two marker comments.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from families import CHAIN_NOTE, FAMILIES, MATRIX_FORM, Family  # noqa: E402

from gradcheck.document import layer_table  # noqa: E402
from gradcheck.registry import layer_names  # noqa: E402

README = HERE.parent / "README.md"
TABLE_START, TABLE_END = "<!-- layer table: python notebooks/build.py -->", "<!-- end of table -->"

SETUP = '''import inspect
from functools import partial

import matplotlib.pyplot as plt
import numpy as np
import sympy as sp
from IPython.display import Math, display

from gradcheck import bind, check
from gradcheck.proof import prove
from gradcheck.registry import check_case, get_layer
from gradcheck.stepplot import draw, error_vs_step
from gradcheck.symbolic import symbols_like, sympy_jacobian

LONG = 700  # characters of LaTeX worth reading


def show(lhs, expr):
    """Display lhs = expr, as LaTeX when it is short enough to read.  The sample's exact
    rationals (targets) are shown to 4 digits."""
    expr = sp.sympify(expr)
    expr = expr.xreplace({r: sp.Float(r, 4) for r in expr.atoms(sp.Rational) if r.q > 1000})
    latex = sp.latex(expr)
    if len(latex) > LONG:
        print(f"{lhs} = ({len(latex)} characters of LaTeX) {str(expr)[:200]}...")
    else:
        display(Math(f"{lhs} = {latex}"))


def subscript(index):
    return "_{" + ",".join(map(str, index)) + "}" if index else ""


def show_entries(name, array, limit=2):
    """The first entries of an object array of expressions."""
    for index in list(np.ndindex(array.shape))[:limit]:
        show(name + subscript(index), array[index])


def show_derivatives(name, block, out_ndim, limit=2):
    """How sparse one Jacobian block is, and its shortest non-zero entries."""
    nonzero = [i for i in np.ndindex(block.shape) if block[i] != 0]
    print(f"d y / d {name}: {len(nonzero)} of {block.size} entries are non-zero")
    for index in sorted(nonzero, key=lambda i: len(str(block[i])))[:limit]:
        out, inp = subscript(index[:out_ndim]), subscript(index[out_ndim:])
        show(rf"\\frac{{\\partial y{out}}}{{\\partial {name}{inp}}}", block[index])


def tanh_after(first, **hyper):
    """y = tanh(first(inputs)): the chain rule, as a layer of its own."""
    from layers import tanh

    def forward(*inputs):
        z, first_cache = first.forward(*inputs, **hyper)
        y, tanh_cache = tanh.forward(z)
        return y, (first_cache, tanh_cache)

    def backward(grad_output, cache):
        first_cache, tanh_cache = cache
        (grad_z,) = tanh.backward(grad_output, tanh_cache)
        return first.backward(grad_z, first_cache)

    return forward, backward'''

WALK = """layer = get_layer("{name}")
print(inspect.getdoc(layer.module).split("\\n\\n")[0], end="\\n\\n")
inputs, hyper = layer.cases[0].sample(seed=0)
symbols = [symbols_like(n, a.shape) for n, a in zip(layer.input_names, inputs, strict=True)]
y = np.asarray(layer.derivation.expressions(*symbols, **hyper), dtype=object)
print(f"case {{layer.cases[0].id}}: inputs {{[a.shape for a in inputs]}} -> y {{y.shape}}")
show_entries("y", y)"""

JACOBIAN = """blocks = sympy_jacobian(y, symbols)
for name, block in zip(layer.input_names, blocks, strict=True):
    show_derivatives(name, block, y.ndim)"""

INDEX_FORM = """for formula in layer.derivation.FORMULAS.values():
    display(Math(formula.latex()))
bound = bind(layer.derivation, **hyper)
disproofs = prove(bound.expressions, bound.jacobian, [a.shape for a in inputs])
print("proof:", disproofs or "every entry equals SymPy's derivative")"""

CURVE = """curves = {{
    "backward as written": error_vs_step(forward, backward, inputs),
    "backward off by 0.1%": error_vs_step(
        forward, lambda g, cache: tuple(1.001 * d for d in backward(g, cache)), inputs
    ),
}}
round_off, truncation = curves["backward as written"].slopes()
print(f"slopes: round-off {{round_off:.2f}}, truncation {{truncation:.2f}}")
assert -1.4 < round_off < -0.6 and 1.7 < truncation < 2.3, "not the V of a right backward"
figure, axes = plt.subplots(1, 2, figsize=(13, 4.5))
for ax, (title, curve) in zip(axes, curves.items(), strict=True):
    draw(curve, ax, f"{label}: {{title}}")
plt.show()"""

PLAIN = """layer = get_layer("{name}")
inputs, hyper = layer.cases[0].sample(seed=0)
forward, backward = partial(layer.module.forward, **hyper), layer.module.backward"""

CHAINED = '''import layers.{name}

layer = get_layer("{name}")
inputs, hyper = layer.cases[0].sample(seed=0)
forward, backward = tanh_after(layers.{name}, **hyper)
print(check(forward, backward, inputs, name="tanh({name})"))
alone = error_vs_step(partial(layer.module.forward, **hyper), layer.module.backward, inputs)
print("{name} alone, slopes (round-off, truncation):", alone.slopes())
assert np.isnan(alone.slopes()[1]), "a bilinear layer has no truncation error"'''

V_TEXT = (
    "## Error against step size\n\nThe numeric leg divides by the step h. Truncation error "
    "falls as h² (slope 2 on log-log axes), round-off grows as ε/h (slope -1): the error is "
    "a V with its bottom near h ≈ ∛ε ≈ 1e-5, and the checker's default h = 1e-3 times the "
    "input's spread, refined by Richardson extrapolation, sits on the right branch. Against a "
    "wrong backward (right) the curve levels off at the size of the bug instead of falling."
)


Cell = tuple[str, str]  # ("markdown" | "code", source): plain data, so tests need no nbformat


def layer_cells(name: str) -> list[Cell]:
    return [
        ("markdown", f"## `{name}`\n\n### Element-wise forward"),
        ("code", WALK.format(name=name)),
        ("markdown", "### SymPy's Jacobian\n\n`sympy.diff` of every output by every input:"),
        ("code", JACOBIAN),
        (
            "markdown",
            f"### Closed index form\n\nThe rule on paper, `FORMULAS` in `derivations/{name}.py`,"
            " proven equal to every entry of SymPy's Jacobian:",
        ),
        ("code", INDEX_FORM),
        ("markdown", f"### Matrix form\n\n{MATRIX_FORM[name]}\n\nAs `layers/{name}.py` states it:"),
        ("code", "print(inspect.getdoc(layer.module))"),
        ("markdown", "### The NumPy backward"),
        ("code", "print(inspect.getsource(layer.module.backward))"),
        ("markdown", "### Three-way check"),
        ("code", "print(check_case(layer, layer.cases[0]))"),
    ]


def cells(family: Family) -> list[Cell]:
    """The notebook of one family, cell by cell."""
    names = ", ".join(f"`{n}`" for n in family.layers)
    found: list[Cell] = [
        (
            "markdown",
            f"# {family.title}\n\n{family.intro}\n\nFor each layer: the element-wise forward "
            "on symbols, SymPy's Jacobian, the closed index form, the matrix form, the NumPy "
            f"backward and the three-way check. Layers: {names}.",
        ),
        # check() is called directly only on the chained layer
        ("code", SETUP if family.chain else SETUP.replace("bind, check", "bind")),
    ]
    for name in family.layers:
        found += layer_cells(name)
    found.append(("markdown", V_TEXT))
    if family.chain:
        found += [
            ("markdown", CHAIN_NOTE.format(layer=family.chain)),
            ("code", CHAINED.format(name=family.chain)),
        ]
        label = f"tanh({family.curve})"
    else:
        found.append(("code", PLAIN.format(name=family.curve)))
        label = family.curve
    found.append(("code", CURVE.format(label=label)))
    return found


def write_notebook(family: Family) -> Path:
    import nbformat  # the notebooks extra
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    make = {"markdown": new_markdown_cell, "code": new_code_cell}
    # numbered ids: random ones would change every file at every build
    book = new_notebook(
        cells=[
            make[kind](source, id=f"cell-{k:03d}") for k, (kind, source) in enumerate(cells(family))
        ]
    )
    book.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = HERE / f"{family.file}.ipynb"
    nbformat.write(book, path)
    return path


def update_readme() -> None:
    text = README.read_text()
    start, end = text.index(TABLE_START) + len(TABLE_START), text.index(TABLE_END)
    README.write_text(text[:start] + "\n" + layer_table() + text[end:])


def main() -> None:
    placed = [n for family in FAMILIES for n in family.layers]
    missing = sorted(set(layer_names()) - set(placed))
    if missing:
        sys.exit(f"add {', '.join(missing)} to a family in notebooks/families.py")
    unexplained = [n for n in placed if n not in MATRIX_FORM]
    if unexplained:
        sys.exit(f"add the matrix form of {', '.join(unexplained)} to MATRIX_FORM in families.py")
    for family in FAMILIES:
        print(f"wrote {write_notebook(family)}")
    update_readme()
    print(f"updated the layer table in {README}")


if __name__ == "__main__":
    main()
