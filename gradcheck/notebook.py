"""Walking a derivation in Jupyter: what the notebooks in ``notebooks/`` use, importable by any.

    from gradcheck.notebook import show, show_entries, show_derivatives, show_formula

A long expression is shown in a readable form: its common subexpressions pulled out by SymPy's
``cse`` and shown one per line (``s₀ = ...``), then the expression in terms of them.  The
symbolic machinery a walk-through needs is re-exported here: :func:`symbols_like`,
:func:`sympy_jacobian`, :func:`prove` (at the registered shapes), :func:`derivation_steps` and
:func:`prove_derivation` (for all sizes), :func:`error_vs_step` and :func:`draw`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import sympy as sp

from gradcheck.allsizes import prove_derivation
from gradcheck.allsizes.steps import derivation_steps
from gradcheck.formula import Formula
from gradcheck.mathml import to_mathml
from gradcheck.proof import prove
from gradcheck.stepplot import draw, error_vs_step
from gradcheck.symbolic import symbols_like, sympy_jacobian

__all__ = [
    "derivation_steps", "draw", "error_vs_step", "prove", "prove_derivation", "show",
    "show_derivatives", "show_entries", "show_formula", "symbols_like", "sympy_jacobian",
]  # fmt: skip

LONG = 700  # characters of LaTeX worth reading on one line
Lhs = tuple[str, str]  # an equation's left-hand side as (LaTeX, MathML)


def _display(latex: str, mathml: str = "") -> None:
    """One equation, as MathML (which the browser renders with no script, so a notebook
    exported to HTML shows its maths offline) and as LaTeX for front ends without HTML."""
    from IPython.display import display  # the notebooks extra

    bundle = {"text/latex": f"$${latex}$$", "text/plain": latex}
    if mathml:
        bundle["text/html"] = f'<math display="block">{mathml}</math>'
    display(bundle, raw=True)


def _equation(lhs: Lhs, value: sp.Expr) -> tuple[str, str]:
    latex, mathml = lhs
    return f"{latex} = {sp.latex(value)}", f"{mathml}<mo>=</mo>{to_mathml(value)}"


def show(lhs: str | Lhs, expr: Any) -> None:
    """Display ``lhs = expr`` as maths; a long one with its common subexpressions pulled out.
    ``lhs`` is LaTeX, or a ``(latex, mathml)`` pair.  The sample's exact rationals (targets)
    are shown to 4 digits."""
    lhs = lhs if isinstance(lhs, tuple) else (lhs, f"<mtext>{lhs}</mtext>")
    expr = sp.sympify(expr)
    expr = expr.xreplace({r: sp.Float(r, 4) for r in expr.atoms(sp.Rational) if r.q > 1000})
    if len(sp.latex(expr)) <= LONG:
        _display(*_equation(lhs, expr))
        return
    shared, (reduced,) = sp.cse(expr, symbols=sp.numbered_symbols("s"))
    for symbol, value in shared:
        _display(*_equation((sp.latex(symbol), to_mathml(symbol)), value))
    _display(*_equation(lhs, reduced))


def _element(name: str, index: tuple[int, ...]) -> Lhs:
    """``name[index]`` as LaTeX and MathML."""
    if not index:
        return name, f"<mi>{name}</mi>"
    text = ",".join(map(str, index))
    return f"{name}_{{{text}}}", f"<msub><mi>{name}</mi><mn>{text}</mn></msub>"


def show_entries(name: str, array: np.ndarray, limit: int = 2) -> None:
    """The first entries of an object array of expressions."""
    for index in list(np.ndindex(array.shape))[:limit]:
        show(_element(name, index), array[index])


def show_derivatives(name: str, block: np.ndarray, out_ndim: int, limit: int = 2) -> None:
    """How sparse one Jacobian block is, and its shortest non-zero entries."""
    nonzero = [i for i in np.ndindex(block.shape) if block[i] != 0]
    print(f"d y / d {name}: {len(nonzero)} of {block.size} entries are non-zero")
    for index in sorted(nonzero, key=lambda i: len(str(block[i])))[:limit]:
        (y_tex, y_ml), (x_tex, x_ml) = (
            _element("y", index[:out_ndim]),
            _element(name, index[out_ndim:]),
        )
        latex = rf"\frac{{\partial {y_tex}}}{{\partial {x_tex}}}"
        mathml = f"<mfrac><mrow><mo>∂</mo>{y_ml}</mrow><mrow><mo>∂</mo>{x_ml}</mrow></mfrac>"
        show((latex, mathml), block[index])


def show_formula(formulas: Sequence[Formula] | Formula) -> None:
    """Display closed index forms as a reader writes them."""
    for formula in [formulas] if isinstance(formulas, Formula) else formulas:
        mathml = formula.mathml().removeprefix('<math display="block">').removesuffix("</math>")
        _display(formula.latex(), mathml)
