"""Write the notebooks (one per family in ``families.py``) and the README's table of layers.

    pip install -e '.[notebooks]' && python notebooks/build.py

Notebooks are written without outputs (tests/test_notebooks_index.py checks): CI executes
them, ``tox -e notebooks``.  The README's table sits between two marker comments.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from gradcheck.describe import layer_table  # noqa: E402
from gradcheck.registry import layer_names  # noqa: E402

from families import CHAIN_NOTE, FAMILIES, MATRIX_FORM, Family  # noqa: E402
from templates import (  # noqa: E402
    ALL_SIZES,
    CHAINED,
    CURVE,
    INDEX_FORM,
    JACOBIAN,
    PLAIN,
    SETUP,
    V_TEXT,
    WALK,
)

README = HERE.parent / "README.md"
TABLE_START, TABLE_END = "<!-- layer table: python notebooks/build.py -->", "<!-- end of table -->"

Cell = tuple[str, str]  # ("markdown" | "code", source): plain data, so tests need no nbformat


# what the first cell imports from gradcheck: a chained family also checks a composed network
GRADCHECK_NAMES = {
    False: ["bind", "check_case", "get_layer"],
    True: ["bind", "bound", "check", "check_case", "compose", "get_layer"],
}


def layer_cells(name: str) -> list[Cell]:
    return [
        ("markdown", f"## `{name}`\n\n### Element-wise forward"),
        ("code", WALK.format(name=name)),
        ("markdown", "### SymPy's Jacobian\n\n`sympy.diff` of every output by every input:"),
        ("code", JACOBIAN),
        (
            "markdown",
            f"### Closed index form\n\nThe rule on paper, `FORMULAS` in `derivations/{name}.py`,"
            " proven equal to every entry of SymPy's Jacobian at the registered shapes:",
        ),
        ("code", INDEX_FORM),
        (
            "markdown",
            f"### For every size\n\n`INDEX_FORWARD` in `derivations/{name}.py` writes the forward"
            " over symbolic sizes. SymPy differentiates it; the sums are reduced with the index"
            " ranges as the only assumptions (the δ rule, linearity), and the δ's left between"
            " free indices are decided case by case. In every case the closed index form and"
            " the derivative are the same rational function, so each formula is proven for all"
            " sizes, not only at the registered shapes above:",
        ),
        ("code", ALL_SIZES.format(name=name)),
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
            "on symbols, SymPy's Jacobian, the closed index form and its proof for all sizes, "
            f"the matrix form, the NumPy backward and the three-way check. Layers: {names}.",
        ),
        # check() is called directly only on the chained layer
        ("code", SETUP.format(gradcheck_names=", ".join(GRADCHECK_NAMES[bool(family.chain)]))),
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
